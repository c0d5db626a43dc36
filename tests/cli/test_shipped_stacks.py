"""The shipped Pulumi.dev.yaml and Pulumi.prod.yaml render, stay within quota, and keep their promises."""

import json
import os
import runpy

import pytest
import yaml

from baseline.aws.catalog import is_destructive
from baseline.design import quotas
from baseline.offline.engine import run_offline
from baseline.offline.stack_files import load_stack_config
from baseline.review.effective import allowed_actions, granted_actions
from tests.helpers import PROJECT_DIR, render_shipped, role_documents, run_cli


@pytest.fixture(scope="module", params=["dev", "prod"])
def shipped(request):
    return request.param, render_shipped(request.param)


def test_shipped_stack_files_are_pulumi_stack_config():
    for stack in ("dev", "prod"):
        document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
        assert set(document) == {"config"}
        assert all(":" in key for key in document["config"]), f"Pulumi.{stack}.yaml has a key without a namespace"


def test_every_document_is_within_its_quota(shipped):
    stack, rendering = shipped
    limits = {
        "aws:iam/rolePolicy:RolePolicy": quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS,
        "aws:iam/userPolicy:UserPolicy": quotas.USER_INLINE_AGGREGATE_MAX_CHARS,
        "aws:iam/policy:Policy": quotas.MANAGED_POLICY_MAX_CHARS,
    }
    for registration in rendering.registrations:
        if registration.typ in limits:
            size = quotas.policy_size(registration.inputs["policy"])
            assert size <= limits[registration.typ], f"{stack}: {registration.urn} is {size} characters"
    for role in rendering.of_type("aws:iam/role:Role"):
        assert quotas.policy_size(role.inputs["assumeRolePolicy"]) <= quotas.TRUST_POLICY_MAX_CHARS


def test_prod_reaches_no_destructive_action_and_dev_does(shipped):
    stack, rendering = shipped
    for role, (_, policies) in role_documents(rendering).items():
        if "-state-" in role:  # state roles delete only their own lock objects (review: state housekeeping)
            continue
        reachable = {a for doc in policies for a in allowed_actions(doc) if is_destructive(a)}
        granted = {a for doc in policies for a in granted_actions(doc) if is_destructive(a)}
        if stack == "prod":
            assert not granted, f"prod role {role} is granted destructive actions, e.g. {sorted(granted)[:5]}"
        else:
            assert reachable, f"dev role {role} should keep its delete actions"


def test_rendering_is_deterministic(shipped):
    stack, first = shipped
    second = render_shipped(stack)

    def documents(rendering):
        return {x.urn: (x.inputs.get("policy"), x.inputs.get("assumeRolePolicy")) for x in rendering.registrations}

    assert documents(first) == documents(second)
    assert any(policy for policy, _ in documents(first).values())


def test_plan_command_prints_every_principal_and_the_outputs():
    result = run_cli("plan", "--stack", "prod")
    assert result.returncode == 0, result.stderr
    for heading in (
        "## CI user acme-iac-ci",
        "## Role acme-iac-state",
        "## Role acme-iac-svc-public-api",
        "## Role acme-iac-svc-etl-processor",
        "## State bucket",
        "## Outputs",
    ):
        assert heading in result.stdout, f"plan output lacks {heading!r}"
    assert '"externalId": "[secret]"' in result.stdout and '"secretAccessKey": "[secret]"' in result.stdout
    assert result.stderr == "", "the shipped prod stack names no action that plan has to drop or warn about"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_shipped_stacks_review_clean(stack):
    """The shipped examples are what users copy: they must pass their own review, no error and no warning."""
    result = run_cli("review", "--stack", stack, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    problems = [f for f in data["findings"] if f["severity"] in ("error", "warning")]
    assert problems == [], f"shipped {stack} stack: {problems}"
    assert data["summary"]["error"] == 0 and data["summary"]["warning"] == 0
    plan = run_cli("plan", "--stack", stack)
    assert plan.returncode == 0 and plan.stderr == "", plan.stderr


def test_plan_calls_out_a_destructive_action_it_drops_in_prod(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    services = {"api": {"actions": ["ec2:Describe*", "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup"]}}
    config = {"iam-baseline:environment": "prod", "iam-baseline:accountId": "123456789012", "iam-baseline:services": services}
    (tmp_path / "Pulumi.prod.yaml").write_text(yaml.safe_dump({"config": config}))
    result = run_cli("plan", "--stack", "prod", "--project-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "iam-baseline:services.api.actions[2]: 'ec2:DeleteSecurityGroup' is destructive and is not granted" in result.stderr


def test_plan_json_is_machine_readable():
    result = run_cli("plan", "--stack", "dev", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data["principals"]) == {
        "user/acme-iac-ci",
        "role/acme-iac-state-public-api",
        "role/acme-iac-state-etl-processor",
        "role/acme-iac-svc-public-api",
        "role/acme-iac-svc-etl-processor",
    }
    assert data["outputs"]["provisioningRoles"]["public-api"]["allowDelete"] is True


def test_plan_with_bad_config_exits_non_zero_naming_the_key(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    (tmp_path / "Pulumi.bad.yaml").write_text(yaml.safe_dump({"config": {"iam-baseline:services": {"api": {"actions": ["sqs:Nope"]}}}}))
    result = run_cli("plan", "--stack", "bad", "--project-dir", str(tmp_path))
    assert result.returncode == 2
    assert "iam-baseline:services.api.actions[0]" in result.stderr


def test_main_py_reads_config_builds_and_exports():
    config, secret_keys = load_stack_config(PROJECT_DIR, "dev")
    cwd = os.getcwd()
    os.chdir(PROJECT_DIR)
    try:
        rendering = run_offline(lambda: runpy.run_path(str(PROJECT_DIR / "__main__.py")), "dev", config, secret_keys)
    finally:
        os.chdir(cwd)
    assert set(rendering.outputs) >= {
        "accountId",
        "stateBucketName",
        "stateBucketArn",
        "backendUrl",
        "ciUser",
        "provisioningRoles",
    }
    assert rendering.outputs["backendUrl"] == "s3://acme-iac-state-123456789012-eu-west-1?region=eu-west-1"


def test_secure_config_values_are_stood_in_for_offline(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    (tmp_path / "Pulumi.s.yaml").write_text(
        yaml.safe_dump({"config": {"iam-baseline:services": {"api": {"actions": ["sqs:SendMessage"], "externalId": {"secure": "v1:abc"}}}}})
    )
    config, secret_keys = load_stack_config(tmp_path, "s")
    assert secret_keys == ["iam-baseline:services"]
    assert "offline-plan-secret-placeholder" in config["iam-baseline:services"]
