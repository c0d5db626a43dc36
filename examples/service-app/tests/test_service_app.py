"""The example service, run under mocks with exactly what `handoff` gives its repository.

The baseline's outputs are never handed to the program: it sees only its handoff stack (what `publish`
writes) and the repository's variables, as in CI.
"""

import asyncio
import json
import os
import re
import runpy
from pathlib import Path

import pytest
import yaml

from baseline.design.handoff import handoff_stack_outputs, service_handoff
from baseline.offline.engine import reveal, run_offline
from iam_baseline_consume import HANDOFF_STACK_ENV, ServiceNotInBaseline, assume_role_args, check_handoff, handoff_reference
from tests.helpers import render, render_shipped

APP = Path(__file__).resolve().parent.parent
SERVICE = "etl-processor"
WORKFLOWS = APP / ".github" / "workflows"
# What GitHub itself provides to a job; everything else must come from the handoff.
GITHUB_PROVIDED = {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ACTIONS_ID_TOKEN_REQUEST_URL", "RUNNER_TEMP", "GITHUB_RUN_ID"}


def run_app(handoff, handoff_outputs, service=SERVICE, program_service=SERVICE, extra_config=None):
    """Run the program as CI would: the repository's variables in the environment, its handoff stack answered."""
    handoff_reference.cache_clear()  # one StackReference per program run
    config = {"service-app:service": program_service, **(extra_config or {})}
    cwd, environ = os.getcwd(), dict(os.environ)
    os.chdir(APP)
    os.environ.update(handoff.variables)
    try:
        return run_offline(
            lambda: runpy.run_path(str(APP / "__main__.py")),
            "prod",
            config,
            stack_outputs={handoff.variables["IAM_BASELINE_HANDOFF_STACK"]: handoff_outputs},
            project="service-app",
        )
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(environ)


@pytest.fixture(scope="module")
def baseline_prod():
    return reveal(render_shipped("prod").outputs)


@pytest.fixture(scope="module")
def handed(baseline_prod):
    return service_handoff(baseline_prod, SERVICE), handoff_stack_outputs(baseline_prod, SERVICE)


def provider_of(rendering):
    (provider,) = [r for r in rendering.registrations if r.typ == "pulumi:providers:aws"]
    return provider


def test_the_provider_assumes_the_services_role_with_its_external_id(baseline_prod, handed):
    rendering = run_app(*handed)
    provider = provider_of(rendering)
    role = baseline_prod["provisioningRoles"][SERVICE]
    (assume,) = (
        json.loads(provider.inputs["assumeRoles"]) if isinstance(provider.inputs["assumeRoles"], str) else provider.inputs["assumeRoles"]
    )
    assert assume == {"roleArn": role["arn"], "externalId": role["externalId"], "sessionName": "ci-etl-processor", "duration": "1h"}
    assert provider.inputs["region"] == "eu-west-1"
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"]


def test_the_program_references_only_its_own_handoff_stack(handed):
    rendering = run_app(*handed)
    assert rendering.stack_references == ["organization/iam-baseline-handoff/prod.etl-processor"], "never the baseline's own stack"


def test_every_resource_is_deployed_through_that_provider(handed):
    rendering = run_app(*handed)
    provider = provider_of(rendering)
    deployed = [r for r in rendering.registrations if r.custom and r.typ.startswith("aws:")]
    assert {r.typ for r in deployed} == {
        "aws:sqs/queue:Queue",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    }
    for resource in deployed:
        assert resource.provider.startswith(provider.urn), f"{resource.urn} does not use the service role's provider"


def test_resource_names_fit_the_roles_resource_arns(handed):
    rendering = run_app(*handed)
    queues = [r.inputs["name"] for r in rendering.registrations if r.typ == "aws:sqs/queue:Queue"]
    assert queues and all(q.startswith("etl-") for q in queues)
    (bucket,) = [r for r in rendering.registrations if r.typ == "aws:s3/bucket:Bucket"]
    assert bucket.inputs["bucketPrefix"].startswith("acme-etl-")


def _ignore_wrong_service(loop, context):
    # The failed Outputs are garbage-collected at exit; their error was already asserted on.
    if not isinstance(context.get("exception"), ServiceNotInBaseline):
        loop.default_exception_handler(context)


def test_a_program_given_another_services_handoff_stack_refuses_it(handed):
    asyncio.get_event_loop().set_exception_handler(_ignore_wrong_service)
    with pytest.raises(ServiceNotInBaseline, match=r"holds service 'etl-processor', not 'billing'"):
        run_app(*handed, program_service="billing")


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


def test_a_github_only_baseline_is_consumed_with_a_web_identity_token():
    github = {"repository": "acme/etl", "environments": ["production"]}
    outputs = reveal(
        render({"ci": {"mode": "github"}, "services": {SERVICE: {"actions": ["sqs:*"], "github": github}}}, stack="prod").outputs
    )
    handoff = service_handoff(outputs, SERVICE)
    assert set(handoff.secrets) == {"PULUMI_CONFIG_PASSPHRASE"}, "with OIDC a repository holds no AWS secret"
    rendering = run_app(handoff, handoff_stack_outputs(outputs, SERVICE), extra_config={"service-app:webIdentityTokenFile": "/tmp/token"})
    provider = provider_of(rendering)
    web = provider.inputs["assumeRoleWithWebIdentity"]
    web = json.loads(web) if isinstance(web, str) else web
    assert web["roleArn"] == outputs["provisioningRoles"][SERVICE]["arn"] and web["webIdentityTokenFile"] == "/tmp/token"
    assert "assumeRoles" not in provider.inputs


def _referenced(workflow_text, kind):
    return set(re.findall(rf"\$\{{\{{\s*{kind}\.([A-Z0-9_]+)\s*\}}\}}", workflow_text))


@pytest.mark.parametrize("workflow", ["deploy-static-key.yml", "deploy-oidc.yml"])
def test_the_workflows_use_only_what_handoff_gives(handed, workflow):
    handoff, _ = handed
    text = (WORKFLOWS / workflow).read_text()
    secrets, variables = _referenced(text, "secrets"), _referenced(text, "vars")
    assert secrets and variables
    assert secrets <= set(handoff.secrets), f"{workflow} needs secrets handoff does not give: {secrets - set(handoff.secrets)}"
    assert variables <= set(handoff.variables), f"{workflow} needs variables handoff does not give: {variables - set(handoff.variables)}"
    job = yaml.safe_load(text)["jobs"]["deploy"]
    assert job["env"][HANDOFF_STACK_ENV] == "${{ vars.IAM_BASELINE_HANDOFF_STACK }}"


def test_configure_aws_credentials_never_tags_a_static_key_session():
    # The CI user's trusts grant no sts:TagSession (tests/test_isolation.py); the action tags by default.
    for workflow in WORKFLOWS.glob("*.yml"):
        for step in yaml.safe_load(workflow.read_text())["jobs"]["deploy"]["steps"]:
            with_ = step.get("with", {})
            if step.get("uses", "").startswith("aws-actions/configure-aws-credentials") and (
                "role-external-id" in with_ or "aws-access-key-id" in with_
            ):
                assert with_.get("role-skip-session-tagging") is True, f"{workflow.name}: a static-key session would be tagged"


def test_the_oidc_workflow_requests_a_token_for_its_environment():
    oidc = yaml.safe_load((WORKFLOWS / "deploy-oidc.yml").read_text())
    assert oidc["permissions"]["id-token"] == "write"
    assert oidc["jobs"]["deploy"]["environment"] == "production"
    steps = oidc["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials") for s in steps)
