"""The README is the contract: its commands are the ones CI runs, and it documents every key and output."""

import re

from baseline.design import config
from baseline.offline.engine import reveal
from tests.helpers import PROJECT_DIR, render

README = (PROJECT_DIR / "README.md").read_text()


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command_exactly():
    ci_lines = [
        line for line in (PROJECT_DIR / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_lines == [readme_commands()[1]]
    assert readme_commands()[1].endswith("python -m pytest")
    assert readme_commands()[0].endswith("python -m baseline plan --stack dev")


def test_every_config_key_is_documented():
    keys = list(config.TOP_LEVEL_KEYS)
    keys += [f"stateBucket.{k}" for k in config.STATE_BUCKET_KEYS]
    keys += [f"ci.{k}" for k in config.CI_KEYS]
    keys += [f"services.<name>.{k}" for k in config.SERVICE_KEYS]
    keys += [f"ci.github.{k}" for k in config.CI_GITHUB_KEYS]
    keys += [f"services.<name>.github.{k}" for k in config.SERVICE_GITHUB_KEYS]
    missing = [k for k in keys if f"`{k}`" not in README]
    assert not missing, f"README's config reference lacks {missing}"


def test_every_stack_output_is_documented():
    github = {"repository": "acme/api", "branches": ["main"]}
    outputs: dict = {}
    for isolation in ("per-service", "shared"):
        raw = {"stateIsolation": isolation, "ci": {"createAccessKey": True, "mode": "both"}}
        outputs.update(reveal(render({**raw, "services": {"api": {"actions": ["sqs:*"], "github": github}}}).outputs))
    nested = {k for role in [outputs["stateRole"], *outputs["provisioningRoles"].values()] for k in role}
    assert {"githubSubjects", "externalId", "allowDelete", "handoffStack", "handoffPassphrase"} <= nested
    missing = [k for k in nested if f"`{k}`" not in README]
    assert not missing, f"README's outputs reference lacks {missing}"
    missing = [k for k in outputs if f"`{k}`" not in README]
    assert not missing, f"README's outputs reference lacks {missing}"
