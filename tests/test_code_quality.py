"""The project's own checks, run with the tests so that CI and a newcomer's one command see them too:
lint (ruff, with the rule families in pyproject.toml), formatting, strict types (mypy) and the layer
rules (import-linter: design never imports Pulumi; review never imports the stack)."""

import subprocess
import sys

import pytest

from tests.helpers import PROJECT_DIR

CHECKS = {
    "lint": ["ruff", "check", "."],
    "format": ["ruff", "format", "--check", "."],
    "types": ["mypy"],
    "layers": ["importlinter.cli"],
}


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_the_code_passes(check):
    module, *args = CHECKS[check]
    command = [sys.executable, "-m", module, *args] if module != "importlinter.cli" else [sys.executable, "-c", LINT_IMPORTS]
    result = subprocess.run(command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{check} failed:\n{result.stdout[-4000:]}\n{result.stderr[-2000:]}"


LINT_IMPORTS = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
