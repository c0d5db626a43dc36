"""Every user error exits 2 with one clear line and no traceback; success leaves stderr free of noise."""

import shutil
import subprocess
import sys

import pytest
import yaml

from tests.helpers import PROJECT_DIR, run_cli


def project(tmp_path, stacks=None, name="iam-baseline"):
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump({"name": name, "runtime": "python"}))
    for stack, text in (stacks or {}).items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def assert_one_clear_line(result, *fragments):
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_malformed_yaml_names_the_file_and_line(tmp_path):
    project(tmp_path, {"bad": "config:\n  iam-baseline:services: [unclosed\n"})
    assert_one_clear_line(run_cli("plan", "--stack", "bad", "--project-dir", str(tmp_path)), "Pulumi.bad.yaml: line 3 not valid YAML")


def test_another_pulumi_project_is_refused_not_planned_as_a_default_baseline(tmp_path):
    project(tmp_path, {"dev": "config: {}\n"}, name="web-shop")
    assert_one_clear_line(run_cli("plan", "--stack", "dev", "--project-dir", str(tmp_path)), "holds project 'web-shop'")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert_one_clear_line(run_cli("review", "--stack", "dev", "--project-dir", str(empty)), "has no Pulumi.yaml")


def test_a_missing_stack_lists_the_stacks_that_exist():
    assert_one_clear_line(run_cli("plan", "--stack", "staging"), "no stack config file", "stacks here: dev, prod")


def test_tighten_without_cloudtrail_files_is_an_error_not_an_empty_proposal(tmp_path):
    assert_one_clear_line(run_cli("tighten", "--service", "etl-processor", "--cloudtrail", "/nonexistent"), "no such folder")
    assert_one_clear_line(run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(tmp_path)), "no CloudTrail files")


def test_review_out_onto_a_file_is_an_error(tmp_path):
    target = tmp_path / "report.txt"
    target.write_text("keep me")
    assert_one_clear_line(run_cli("review", "--stack", "dev", "--out", str(target)), "--out", "not a folder")
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    "command",
    [["plan", "--stack", "dev"], ["review", "--stack", "dev"], ["handoff", "--stack", "dev", "--service", "public-api", "--offline"]],
)
def test_success_leaves_stderr_free_of_tracebacks(command):
    for _ in range(3):  # the asyncio finaliser noise showed in about 6 runs of 20
        result = run_cli(*command)
        assert result.returncode == 0 and "Traceback" not in result.stderr and "Invalid file descriptor" not in result.stderr


def test_the_console_script_is_installed():
    script = shutil.which("iam-baseline", path=str(PROJECT_DIR / ".venv" / "bin")) or shutil.which("iam-baseline")
    assert script, "pip install -r requirements.txt installs the iam-baseline command"
    result = subprocess.run([script, "--help"], capture_output=True, text=True, check=False, cwd=PROJECT_DIR)
    assert result.returncode == 0 and "handoff" in result.stdout and "publish" in result.stdout
    module = subprocess.run([sys.executable, "-m", "baseline", "--help"], capture_output=True, text=True, check=False)
    assert module.stdout == result.stdout, "python -m baseline keeps working, identically"
