"""The example service's recorded handoffs are what `handoff` gives today, so its own tests (which run
without this repository, as in a real service repository) test the real thing."""

import json
import os

import pytest

from baseline.design.handoff import handoff_stack_outputs, service_handoff
from baseline.offline.engine import reveal, run_offline
from baseline.offline.stack_files import load_stack_config
from baseline.stack.program import run_stack
from tests.helpers import PROJECT_DIR, render

APP_TESTS = PROJECT_DIR / "examples" / "service-app" / "tests"
OIDC_CONFIG = {
    "ci": {"mode": "github"},
    "previewRoles": True,  # the workflows preview pull requests with the preview role
    "services": {"etl-processor": {"actions": ["sqs:*", "s3:*"], "github": {"repository": "acme/etl", "environments": ["production"]}}},
}


def shipped_prod_with_preview_roles():
    """Return the shipped prod stack rendered with `previewRoles: true`, as the example's workflows expect."""
    config, secret_keys = load_stack_config(PROJECT_DIR, "prod")
    return run_offline(run_stack, "prod", {**config, "iam-baseline:previewRoles": "true"}, secret_keys)


def recorded_handoff(outputs, service="etl-processor"):
    """Return what the example's tests load: the repository's variables, the names of its secrets (their
    values are stand-ins, but a scanner cannot tell), and its handoff stack's outputs."""
    handoff = service_handoff(outputs, service)
    return {
        "service": service,
        "secretNames": sorted(handoff.secrets),
        "variables": handoff.variables,
        "stack": handoff_stack_outputs(outputs, service),
    }


@pytest.mark.parametrize(
    ("fixture", "outputs"),
    [
        ("handoff.json", lambda: reveal(shipped_prod_with_preview_roles().outputs)),
        ("handoff-oidc.json", lambda: reveal(render(OIDC_CONFIG, stack="prod", region="eu-west-1").outputs)),
    ],
)
def test_the_examples_recorded_handoff_is_current(fixture, outputs):
    expected = json.dumps(recorded_handoff(outputs()), indent=2, sort_keys=True) + "\n"
    path = APP_TESTS / fixture
    if os.environ.get("UPDATE_EXAMPLE_HANDOFF"):
        path.write_text(expected)
    assert path.read_text() == expected, f"{fixture} is stale: run UPDATE_EXAMPLE_HANDOFF=1 python -m pytest tests/test_examples.py"


@pytest.mark.parametrize("workflow", sorted((PROJECT_DIR / "examples").rglob(".github/workflows/*.yml")), ids=lambda p: p.name)
def test_every_iam_baseline_command_a_workflow_runs_exists_with_those_options(workflow):
    import re

    from tests.helpers import run_cli

    for line in re.findall(r"^\s*(?:-\s*)?(iam-baseline .+)$", workflow.read_text(), flags=re.M):
        command, *rest = line.split()[1:]
        usage = run_cli(command, "--help")
        assert usage.returncode == 0, f"{workflow.name}: no command {command}"
        for flag in (word for word in rest if word.startswith("--")):
            assert flag in usage.stdout, f"{workflow.name}: {command} has no option {flag}"
