"""The example service, run under Pulumi's mocks with exactly what `handoff` gives its repository.

These tests need only what a service repository has (pulumi, pulumi-aws, iam_baseline_consume, pytest,
pyyaml): `handoff.json` and `handoff-oidc.json` record the handoff with the baseline's offline
stand-ins (the baseline's own tests keep them current), and each run is a fresh process
(`mocked_run.py`), as `pulumi up` is.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from iam_baseline_consume import HANDOFF_STACK_ENV, ServiceNotInBaseline, assume_role_args, check_handoff

TESTS = Path(__file__).resolve().parent
WORKFLOWS = TESTS.parent / ".github" / "workflows"
HANDOFF = json.loads((TESTS / "handoff.json").read_text())
OIDC_HANDOFF = json.loads((TESTS / "handoff-oidc.json").read_text())
SECRET_SIG = "4dabf18193072939515e22adb298388d"  # how Pulumi marks a secret value in resource inputs


def run(handoff_file="handoff.json", **config):
    """Return what the program registered, run under mocks with the repository's variables."""
    args = [sys.executable, str(TESTS / "mocked_run.py"), str(TESTS / handoff_file), json.dumps({"service": "etl-processor", **config})]
    result = subprocess.run(args, capture_output=True, text=True, check=True, timeout=120)
    return json.loads(result.stdout.splitlines()[-1])


def provider_of(run_result):
    (provider,) = [r for r in run_result["registered"] if r["type"] == "pulumi:providers:aws"]
    return provider


def secret_value(value):
    assert isinstance(value, dict) and SECRET_SIG in value, f"expected a secret, got {value!r}"
    return json.loads(value["value"]) if isinstance(value["value"], str) else value["value"]


@pytest.fixture(scope="module")
def static_key():
    return run()


def test_the_provider_assumes_the_services_role_with_its_external_id_as_a_secret(static_key):
    provider = provider_of(static_key)
    role = HANDOFF["stack"]["role"]
    (assume,) = secret_value(provider["inputs"]["assumeRoles"])
    assert assume == {"roleArn": role["arn"], "externalId": role["externalId"], "sessionName": "ci-etl-processor", "duration": "1h"}
    assert provider["inputs"]["region"] == HANDOFF["variables"]["AWS_REGION"]
    assert json.loads(provider["inputs"]["allowedAccountIds"]) == [HANDOFF["variables"]["IAM_BASELINE_ACCOUNT_ID"]]


def test_the_program_reads_only_its_own_handoff_stack(static_key):
    assert static_key["references"] == [HANDOFF["variables"]["IAM_BASELINE_HANDOFF_STACK"]], "never the baseline's own stack"
    assert static_key["error"] is None


def test_every_resource_is_deployed_through_that_provider(static_key):
    deployed = [r for r in static_key["registered"] if r["type"].startswith("aws:")]
    assert {r["type"] for r in deployed} == {
        "aws:sqs/queue:Queue",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    }
    for resource in deployed:
        assert "etl-processor-deployer" in resource["provider"], f"{resource['name']} does not use the service role's provider"


def test_resource_names_fit_the_roles_resource_arns(static_key):
    queues = [r["inputs"]["name"] for r in static_key["registered"] if r["type"] == "aws:sqs/queue:Queue"]
    assert queues and all(q.startswith("etl-") for q in queues)
    (bucket,) = [r for r in static_key["registered"] if r["type"] == "aws:s3/bucket:Bucket"]
    assert bucket["inputs"]["bucketPrefix"].startswith("acme-etl-")


def test_a_program_given_another_services_handoff_stack_refuses_it():
    assert "holds service 'etl-processor', not 'billing'" in run(service="billing")["error"]


def test_a_github_only_baseline_is_consumed_with_a_web_identity_token():
    assert OIDC_HANDOFF["secretNames"] == ["PULUMI_CONFIG_PASSPHRASE"], "with OIDC a repository holds no AWS secret"
    provider = provider_of(run("handoff-oidc.json", webIdentityTokenFile="/tmp/token"))
    web = provider["inputs"]["assumeRoleWithWebIdentity"]
    web = json.loads(web) if isinstance(web, str) else web
    assert web["roleArn"] == OIDC_HANDOFF["stack"]["role"]["arn"] and web["webIdentityTokenFile"] == "/tmp/token"
    assert "assumeRoles" not in provider["inputs"]


def test_handoff_checks_and_assume_role_settings_are_plain_functions():
    check_handoff("api", "api", "organization/iam-baseline-handoff/prod.api")
    with pytest.raises(ServiceNotInBaseline):
        check_handoff("api", "web", "organization/iam-baseline-handoff/prod.api")
    role = {"arn": "arn:aws:iam::1:role/x", "externalId": "abc", "allowDelete": False}
    assert assume_role_args(role, "api", "ci-api", "1h") == [
        {"roleArn": "arn:aws:iam::1:role/x", "externalId": "abc", "sessionName": "ci-api", "duration": "1h"}
    ]
    with pytest.raises(ValueError, match="web_identity_token_file"):
        assume_role_args({"arn": "arn:aws:iam::1:role/x"}, "api", "ci-api", "1h")


def _referenced(workflow_text, kind):
    return set(re.findall(rf"\$\{{\{{\s*{kind}\.([A-Z0-9_]+)\s*\}}\}}", workflow_text))


@pytest.mark.parametrize(("workflow", "handoff"), [("deploy-static-key.yml", HANDOFF), ("deploy-oidc.yml", OIDC_HANDOFF)])
def test_the_workflows_use_only_what_handoff_gives(workflow, handoff):
    text = (WORKFLOWS / workflow).read_text()
    secrets, variables = _referenced(text, "secrets"), _referenced(text, "vars")
    assert secrets and variables
    assert secrets <= set(handoff["secretNames"]), (
        f"{workflow} needs secrets handoff does not give: {secrets - set(handoff['secretNames'])}"
    )
    assert variables <= set(handoff["variables"]), (
        f"{workflow} needs variables handoff does not give: {variables - set(handoff['variables'])}"
    )
    job = yaml.safe_load(text)["jobs"]["deploy"]
    assert job["env"][HANDOFF_STACK_ENV] == "${{ vars.IAM_BASELINE_HANDOFF_STACK }}"


def test_configure_aws_credentials_never_tags_a_static_key_session():
    # The CI user's trusts grant no sts:TagSession (the baseline's attack tests); the action tags by default.
    for workflow in WORKFLOWS.glob("*.yml"):
        for step in yaml.safe_load(workflow.read_text())["jobs"]["deploy"]["steps"]:
            with_ = step.get("with", {})
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials") and (
                "role-external-id" in with_ or "aws-access-key-id" in with_
            ):
                assert with_.get("role-skip-session-tagging") is True, f"{workflow.name}: a static-key session would be tagged"


def test_the_oidc_workflow_requests_a_token_for_its_environment():
    oidc = yaml.safe_load((WORKFLOWS / "deploy-oidc.yml").read_text())
    assert oidc["permissions"] == {} and oidc["jobs"]["deploy"]["permissions"] == {"id-token": "write", "contents": "read"}
    assert oidc["jobs"]["deploy"]["environment"] == "production"
    steps = oidc["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials") for s in steps)


@pytest.mark.parametrize(("handoff_file", "config"), [("handoff.json", {}), ("handoff-oidc.json", {"webIdentityTokenFile": "/tmp/token"})])
def test_a_pull_request_previews_through_the_preview_role(handoff_file, config):
    handoff = json.loads((TESTS / handoff_file).read_text())
    preview_role = handoff["stack"]["previewRole"]
    assert handoff["variables"]["IAM_BASELINE_PREVIEW_ROLE_ARN"] == preview_role["arn"] != handoff["stack"]["role"]["arn"]
    provider = provider_of(run(handoff_file, preview="true", **config))
    if "webIdentityTokenFile" in config:
        web = provider["inputs"]["assumeRoleWithWebIdentity"]
        web = json.loads(web) if isinstance(web, str) else web
        assert web["roleArn"] == preview_role["arn"] and web["sessionName"] == "ci-preview-etl-processor"
    else:
        (assume,) = secret_value(provider["inputs"]["assumeRoles"])
        assert assume == {
            "roleArn": preview_role["arn"],
            "externalId": preview_role["externalId"],
            "sessionName": "ci-preview-etl-processor",
            "duration": "1h",
        }
        assert preview_role["externalId"] != handoff["stack"]["role"]["externalId"]
        assert "IAM_BASELINE_PREVIEW_EXTERNAL_ID" in handoff["secretNames"]
