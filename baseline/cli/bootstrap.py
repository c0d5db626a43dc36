"""Standing the baseline up in a new account, then moving its own state into the bucket it made.

The chicken-and-egg: the state bucket is created by this program, so the first `pulumi up` runs on a
local backend with admin credentials; the stack is then exported, imported into the new bucket and
checked to show no changes. Each step is data (title and the equivalent CLI command) run by a
`Runner`; `AutomationRunner` drives the Pulumi Automation API, tests use a fake one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


class BootstrapError(RuntimeError):
    """A step failed; the message says which and what to do."""


@dataclass(frozen=True)
class Step:
    """One bootstrap step: a key, what it does, and the Pulumi CLI command it stands for."""

    key: str
    title: str
    command: str


class Runner(Protocol):
    def cli_version(self) -> str | None: ...
    def use_backend(self, url: str) -> None: ...
    def select_stack(self, stack: str, secrets_provider: str | None) -> None: ...
    def preview(self) -> dict[str, int]: ...
    def up(self) -> dict[str, Any]: ...
    def export(self) -> Any: ...
    def import_(self, deployment: Any) -> None: ...


def bootstrap_steps(stack: str, local_dir: Path, secrets_provider: str | None) -> list[Step]:
    """Return the steps, in order, with the CLI commands a person would type instead."""
    secrets = f" --secrets-provider {secrets_provider}" if secrets_provider else ""
    return [
        Step("cli", "check the Pulumi CLI is installed", "pulumi version"),
        Step("local-backend", "use a local backend for the first run (the bucket does not exist yet)", f"pulumi login file://{local_dir}"),
        Step("local-stack", f"create or select stack {stack} on the local backend", f"pulumi stack select --create {stack}{secrets}"),
        Step("preview", "preview the baseline", f"pulumi preview --stack {stack}"),
        Step("up", "create the baseline with admin credentials", f"pulumi up --stack {stack} --yes"),
        Step(
            "export",
            "export the stack's state (secrets stay encrypted)",
            f"pulumi stack export --stack {stack} --file {local_dir / (stack + '.json')}",
        ),
        Step("bucket-backend", "switch to the new state bucket", 'pulumi login "$(pulumi stack output backendUrl)"'),
        Step("bucket-stack", f"create stack {stack} in the bucket with the same secrets provider", f"pulumi stack init {stack}{secrets}"),
        Step("import", "import the exported state", f"pulumi stack import --stack {stack} --file {local_dir / (stack + '.json')}"),
        Step("verify", "preview again: the moved stack must show no changes", f"pulumi preview --stack {stack} --expect-no-changes"),
    ]


def run_bootstrap(
    stack: str,
    runner: Runner,
    *,
    local_dir: Path,
    secrets_provider: str | None = None,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Run (or with dry_run, only print) every step; return the baseline's outputs after `up`."""
    steps = bootstrap_steps(stack, local_dir, secrets_provider)
    outputs: dict[str, Any] = {}
    deployment: Any = None
    for number, step in enumerate(steps, start=1):
        echo(f"[{number}/{len(steps)}] {step.title}\n      $ {step.command}")
        if dry_run:
            continue
        if step.key == "cli":
            version = runner.cli_version()
            if not version:
                raise BootstrapError(
                    "the Pulumi CLI is not installed (see https://www.pulumi.com/docs/install/); --dry-run prints the steps without it"
                )
            echo(f"      pulumi {version}")
        elif step.key == "local-backend":
            local_dir.mkdir(parents=True, exist_ok=True)
            runner.use_backend(f"file://{local_dir.resolve()}")
        elif step.key in ("local-stack", "bucket-stack"):
            runner.select_stack(stack, secrets_provider)
        elif step.key == "preview":
            echo(f"      changes: {_summary(runner.preview())}")
        elif step.key == "up":
            outputs = runner.up()
            if "backendUrl" not in outputs:
                raise BootstrapError("`pulumi up` finished without a backendUrl output; is this the iam-baseline project?")
        elif step.key == "export":
            deployment = runner.export()
        elif step.key == "bucket-backend":
            runner.use_backend(_value(outputs["backendUrl"]))
        elif step.key == "import":
            runner.import_(deployment)
        elif step.key == "verify":
            changes = runner.preview()
            unexpected = {op: n for op, n in changes.items() if op != "same" and n}
            if unexpected:
                raise BootstrapError(
                    f"the stack moved into {_value(outputs['backendUrl'])} would change ({_summary(unexpected)}); "
                    f"keep using the local backend in {local_dir} until that is understood"
                )
            echo("      no changes: the baseline now keeps its own state in its bucket")
    if not dry_run:
        echo(f"done. Keep the backend URL for this project: {_value(outputs['backendUrl'])}; {local_dir} can be archived and removed.")
        echo(
            f"next: python -m baseline publish --stack {stack}, then python -m baseline handoff --stack {stack} --service NAME per service"
        )
    return outputs


def _value(output: Any) -> Any:
    return getattr(output, "value", output)


def _summary(changes: dict[str, int]) -> str:
    return ", ".join(f"{op} {n}" for op, n in sorted(changes.items())) or "none"


class AutomationRunner:
    """Runs the steps with the Pulumi Automation API (needs the Pulumi CLI on PATH)."""

    def __init__(self, work_dir: Path, env: dict[str, str] | None = None) -> None:
        self.work_dir, self.env = work_dir, dict(env or {})
        self.stack: Any = None

    def cli_version(self) -> str | None:
        if shutil.which("pulumi") is None:
            return None
        return str(self._automation().PulumiCommand().version)

    def use_backend(self, url: str) -> None:
        self.env["PULUMI_BACKEND_URL"] = url
        self.stack = None

    def select_stack(self, stack: str, secrets_provider: str | None) -> None:
        auto = self._automation()
        options = auto.LocalWorkspaceOptions(env_vars=self.env, secrets_provider=secrets_provider)
        self.stack = auto.create_or_select_stack(stack_name=stack, work_dir=str(self.work_dir), opts=options)

    def preview(self) -> dict[str, int]:
        return dict(self.stack.preview(on_output=print).change_summary)

    def up(self) -> dict[str, Any]:
        return dict(self.stack.up(on_output=print).outputs)

    def export(self) -> Any:
        return self.stack.export_stack()

    def import_(self, deployment: Any) -> None:
        self.stack.import_stack(deployment)

    @staticmethod
    def _automation() -> Any:
        import pulumi.automation as auto

        return auto


def add_arguments(boot: argparse.ArgumentParser) -> None:
    """Declare bootstrap's arguments on its subcommand parser."""
    boot.add_argument("--stack", required=True, help="the baseline stack to stand up, e.g. prod")
    boot.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    boot.add_argument("--local-dir", type=Path, default=Path(".pulumi-bootstrap"), help="local backend folder for the first run")
    boot.add_argument("--secrets-provider", help="e.g. awskms://alias/iam-baseline?region=eu-west-1 (default: passphrase)")
    boot.add_argument("--dry-run", action="store_true", help="print every step and its CLI command; change nothing")


def run(args: argparse.Namespace) -> int:
    """Run the bootstrap steps (or print them, with --dry-run); exit 1 when a step fails."""
    try:
        runner = AutomationRunner(args.project_dir)
        run_bootstrap(args.stack, runner, local_dir=args.local_dir, secrets_provider=args.secrets_provider, dry_run=args.dry_run)
    except BootstrapError as error:
        print(f"bootstrap stopped: {error}", file=sys.stderr)
        return 1
    return 0
