"""The docs are part of the contract: the README's commands are the ones CI runs, it stays short and
leads with deployment, and the reference is generated from the code (a stale file fails here)."""

import re

from baseline.design.naming import BASELINE_PROJECT
from baseline.design.reference import CONFIG_KEYS, OUTPUTS, reference_markdown
from baseline.offline.engine import reveal
from baseline.offline.stack_files import PROJECT
from tests.helpers import PROJECT_DIR, render

README = (PROJECT_DIR / "README.md").read_text()
REFERENCE = PROJECT_DIR / "docs" / "reference.md"


def readme_commands():
    return re.findall(r"```bash\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command_exactly():
    ci_lines = [
        line for line in (PROJECT_DIR / ".ci" / "run").read_text().splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ]
    assert ci_lines == [readme_commands()[1]]
    assert readme_commands()[1].endswith("python -m pytest")
    assert readme_commands()[0].endswith("python -m baseline plan --stack dev")


def test_the_readme_is_short_and_leads_with_deployment():
    assert len(README.encode()) <= 10 * 1024, f"README is {len(README.encode())} bytes"
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert headings[0] == "Deploy into an account" and "Two commands" in headings[1]
    assert README.count("one service, one account, one hour, and no deletes") == 1, "the promise is stated once"
    for link in re.findall(r"\]\(([^)#]+\.md)\)", README):
        assert (PROJECT_DIR / link).is_file(), f"README links to missing {link}"


def test_the_reference_is_generated_from_the_code():
    assert REFERENCE.read_text() == reference_markdown(), "docs/reference.md is stale: run `iam-baseline reference > docs/reference.md`"


def test_every_output_a_render_produces_is_in_the_reference():
    github = {"repository": "acme/api", "branches": ["main"]}
    outputs: dict = {}
    for isolation in ("per-service", "shared"):
        raw = {"stateIsolation": isolation, "ci": {"createAccessKey": True, "mode": "both"}}
        services = {"api": {"actions": ["sqs:*", "iam:CreateRole"], "github": github}}
        outputs.update(reveal(render({**raw, "services": services}).outputs))
    assert set(outputs) <= {o.key for o in OUTPUTS}, f"undocumented outputs: {set(outputs) - {o.key for o in OUTPUTS}}"
    nested = {k for role in [outputs["stateRole"], *outputs["provisioningRoles"].values()] for k in role}
    assert {"githubSubjects", "externalId", "allowDelete", "handoffStack", "handoffPassphrase", "iamPath"} <= nested
    reference = REFERENCE.read_text()
    missing = [k for k in nested if f"`{k}`" not in reference]
    assert not missing, f"the reference does not explain {missing}"


def test_every_config_key_has_a_default_and_what_it_allows():
    for doc in CONFIG_KEYS:
        assert doc.default and doc.allowed, f"{doc.key} is documented without a default or allowed values"
    assert PROJECT == BASELINE_PROJECT, "the offline engine and the design name the baseline's project alike"


def test_every_file_the_docs_name_exists():
    for doc in [PROJECT_DIR / "README.md", *(PROJECT_DIR / "docs").glob("*.md")]:
        for path in re.findall(r"`((?:baseline|tests|examples|consumer|bench)/[\w/.*-]+)`", doc.read_text()):
            assert list(PROJECT_DIR.glob(path.rstrip("/"))), f"{doc.name} names {path}, which does not exist"
