"""The example service, run under mocks against the shipped baseline's real (offline) outputs."""

import asyncio
import json
import os
import runpy
from pathlib import Path

import pytest

from baseline.consume import ServiceNotInBaseline, assume_role_args, baseline_reference, select_role
from baseline.offline import reveal, run_offline
from tests.helpers import render, render_shipped

APP = Path(__file__).resolve().parent.parent
BASELINE = "organization/iam-baseline/prod"


def run_app(baseline_outputs, service="etl-processor", extra_config=None):
    baseline_reference.cache_clear()  # one StackReference per program run
    config = {"service-app:service": service, "service-app:baselineStack": BASELINE, **(extra_config or {})}
    cwd = os.getcwd()
    os.chdir(APP)
    try:
        return run_offline(
            lambda: runpy.run_path(str(APP / "__main__.py")),
            "prod",
            config,
            stack_outputs={BASELINE: baseline_outputs},
            project="service-app",
        )
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def baseline_prod():
    return reveal(render_shipped("prod").outputs)


def provider_of(rendering):
    (provider,) = [r for r in rendering.registrations if r.typ == "pulumi:providers:aws"]
    return provider


def test_the_provider_assumes_the_services_role_with_its_external_id(baseline_prod):
    rendering = run_app(baseline_prod)
    provider = provider_of(rendering)
    role = baseline_prod["provisioningRoles"]["etl-processor"]
    (assume,) = (
        json.loads(provider.inputs["assumeRoles"]) if isinstance(provider.inputs["assumeRoles"], str) else provider.inputs["assumeRoles"]
    )
    assert assume == {"roleArn": role["arn"], "externalId": role["externalId"], "sessionName": "ci-etl-processor", "duration": "1h"}
    assert provider.inputs["region"] == "eu-west-1"
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["123456789012"]


def test_every_resource_is_deployed_through_that_provider(baseline_prod):
    rendering = run_app(baseline_prod)
    provider = provider_of(rendering)
    deployed = [r for r in rendering.registrations if r.custom and r.typ.startswith("aws:")]
    assert {r.typ for r in deployed} == {
        "aws:sqs/queue:Queue",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    }
    for resource in deployed:
        assert resource.provider.startswith(provider.urn), f"{resource.urn} does not use the service role's provider"


def test_resource_names_fit_the_roles_resource_arns(baseline_prod):
    rendering = run_app(baseline_prod)
    queues = [r.inputs["name"] for r in rendering.registrations if r.typ == "aws:sqs/queue:Queue"]
    assert queues and all(q.startswith("etl-") for q in queues)
    (bucket,) = [r for r in rendering.registrations if r.typ == "aws:s3/bucket:Bucket"]
    assert bucket.inputs["bucketPrefix"].startswith("acme-etl-")


def _ignore_missing_service(loop, context):
    # The failed Outputs are garbage-collected at exit; their error was already asserted on.
    if not isinstance(context.get("exception"), ServiceNotInBaseline):
        loop.default_exception_handler(context)


def test_a_service_missing_from_the_baseline_fails_clearly(baseline_prod):
    asyncio.get_event_loop().set_exception_handler(_ignore_missing_service)
    with pytest.raises(ServiceNotInBaseline, match=r"'billing' has no provisioning role .*it has: etl-processor, public-api"):
        run_app(baseline_prod, service="billing")


def test_selection_and_assume_role_settings_are_plain_functions():
    roles = {"api": {"arn": "arn:aws:iam::1:role/x", "externalId": "abc", "allowDelete": False}}
    assert select_role(roles, "api", BASELINE)["arn"] == "arn:aws:iam::1:role/x"
    assert assume_role_args(roles["api"], "api", "ci-api", "1h") == [
        {"roleArn": "arn:aws:iam::1:role/x", "externalId": "abc", "sessionName": "ci-api", "duration": "1h"}
    ]
    with pytest.raises(ValueError, match="web_identity_token_file"):
        assume_role_args({"arn": "arn:aws:iam::1:role/x"}, "api", "ci-api", "1h")


def test_a_github_only_baseline_is_consumed_with_a_web_identity_token():
    github = {"repository": "acme/etl", "environments": ["production"]}
    outputs = reveal(
        render({"ci": {"mode": "github"}, "services": {"etl-processor": {"actions": ["sqs:*"], "github": github}}}, stack="prod").outputs
    )
    from baseline.consume import provider_for

    def program():
        provider_for("etl-processor", stack=BASELINE, web_identity_token_file="/tmp/token")

    baseline_reference.cache_clear()
    rendering = run_offline(program, "prod", {}, stack_outputs={BASELINE: outputs}, project="service-app")
    provider = provider_of(rendering)
    web = provider.inputs["assumeRoleWithWebIdentity"]
    web = json.loads(web) if isinstance(web, str) else web
    assert web["roleArn"] == outputs["provisioningRoles"]["etl-processor"]["arn"] and web["webIdentityTokenFile"] == "/tmp/token"
    assert "assumeRoles" not in provider.inputs


def test_the_workflows_use_what_the_baseline_exports(baseline_prod):
    import yaml

    workflows = APP / ".github" / "workflows"
    static = yaml.safe_load((workflows / "deploy-static-key.yml").read_text())
    oidc = yaml.safe_load((workflows / "deploy-oidc.yml").read_text())
    login = static["jobs"]["deploy"]["env"]["STATE_LOGIN"]
    assert login.startswith(baseline_prod["backendUrl"]) and "profile=acme-iac-state" in login
    assert "[profile acme-iac-state]" in baseline_prod["awsConfig"] and "[profile acme-iac-etl-processor]" in baseline_prod["awsConfig"]
    assert oidc["permissions"]["id-token"] == "write"
    steps = oidc["jobs"]["deploy"]["steps"]
    assert any(s.get("uses", "").startswith("aws-actions/configure-aws-credentials") for s in steps)
    assert oidc["jobs"]["deploy"]["env"]["STATE_LOGIN"].startswith(baseline_prod["backendUrl"])
