"""The bootstrap's step logic, with a fake runner standing in for the Pulumi CLI."""

from pathlib import Path

import pytest

from baseline.cli.bootstrap import BootstrapError, bootstrap_steps, run_bootstrap
from tests.helpers import run_cli

BUCKET_URL = "s3://acme-iac-state-123456789012-eu-west-1?region=eu-west-1"


class FakeRunner:
    def __init__(self, version="3.200.0", verify_changes=None, outputs=None):
        self.calls = []
        self.version = version
        self.previews = [{"create": 20}, verify_changes or {"same": 20}]
        self.outputs = outputs if outputs is not None else {"backendUrl": BUCKET_URL}

    def cli_version(self):
        self.calls.append(("cli",))
        return self.version

    def use_backend(self, url):
        self.calls.append(("backend", url))

    def select_stack(self, stack, secrets_provider):
        self.calls.append(("stack", stack, secrets_provider))

    def preview(self):
        self.calls.append(("preview",))
        return self.previews.pop(0)

    def up(self):
        self.calls.append(("up",))
        return self.outputs

    def export(self):
        self.calls.append(("export",))
        return {"deployment": "state"}

    def import_(self, deployment):
        self.calls.append(("import", deployment))


def test_the_stack_is_created_locally_then_moved_into_its_bucket(tmp_path):
    runner, lines = FakeRunner(), []
    outputs = run_bootstrap("prod", runner, local_dir=tmp_path / "local", secrets_provider="awskms://alias/x", echo=lines.append)
    assert runner.calls == [
        ("cli",),
        ("backend", f"file://{(tmp_path / 'local').resolve()}"),
        ("stack", "prod", "awskms://alias/x"),
        ("preview",),
        ("up",),
        ("export",),
        ("backend", BUCKET_URL),
        ("stack", "prod", "awskms://alias/x"),
        ("import", {"deployment": "state"}),
        ("preview",),
    ]
    assert outputs["backendUrl"] == BUCKET_URL
    assert (tmp_path / "local").is_dir()
    assert lines[0].startswith("[1/10]") and "no changes" in "\n".join(lines)
    assert (
        lines[-1]
        == "next: python -m baseline publish --stack prod, then python -m baseline handoff --stack prod --service NAME per service"
    )


def test_dry_run_prints_every_step_and_touches_nothing(tmp_path):
    runner, lines = FakeRunner(), []
    run_bootstrap("prod", runner, local_dir=tmp_path / "local", dry_run=True, echo=lines.append)
    assert runner.calls == []
    assert not (tmp_path / "local").exists()
    commands = [line.split("$ ", 1)[1] for line in lines]
    assert commands == [s.command for s in bootstrap_steps("prod", tmp_path / "local", None)]
    assert commands[4] == "pulumi up --stack prod --yes" and commands[-1].endswith("--expect-no-changes")


def test_a_moved_stack_that_would_change_stops_the_bootstrap(tmp_path):
    runner = FakeRunner(verify_changes={"same": 18, "update": 2})
    with pytest.raises(BootstrapError, match=r"would change \(update 2\)"):
        run_bootstrap("prod", runner, local_dir=tmp_path, echo=lambda _: None)


def test_no_cli_no_bootstrap(tmp_path):
    runner = FakeRunner(version=None)
    with pytest.raises(BootstrapError, match="Pulumi CLI is not installed"):
        run_bootstrap("prod", runner, local_dir=tmp_path, echo=lambda _: None)
    assert runner.calls == [("cli",)]


def test_a_project_without_the_backend_output_is_refused(tmp_path):
    with pytest.raises(BootstrapError, match="backendUrl"):
        run_bootstrap("prod", FakeRunner(outputs={}), local_dir=tmp_path, echo=lambda _: None)


def test_the_command_line_dry_run_works_without_the_pulumi_cli(tmp_path):
    result = run_cli("bootstrap", "--stack", "prod", "--dry-run", "--local-dir", str(tmp_path / "b"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert "[10/10]" in result.stdout and "pulumi stack import --stack prod" in result.stdout
    assert not Path(tmp_path / "b").exists()
