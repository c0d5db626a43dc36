"""previewRoles in the design: the key, the names, the derived reads, and where the state access lives."""

from __future__ import annotations

import pytest

from baseline.aws.catalog import get_access_level, get_actions_matching
from baseline.design.blueprint import role_names
from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.github_subjects import admits_pull_requests
from baseline.design.preview import HAND_DATA_READS, PREVIEW_ACCESS_LEVELS, data_read_actions, preview_actions
from tests.helpers import CTX

GITHUB = {"repository": "acme/api", "branches": ["main"]}


def parse(raw, stack="dev"):
    return parse_config({"accountId": CTX.account_id, **raw}, stack)


def errors(raw, stack="dev"):
    with pytest.raises(ConfigError) as caught:
        parse(raw, stack)
    return {f.location: f.detail for f in caught.value.findings}


@pytest.mark.parametrize("value", ["yes", 1, "on", None, ["true"]])
def test_a_bad_previewroles_value_is_refused_naming_the_key(value):
    assert "previewRoles" in errors({"previewRoles": value})


def test_previewroles_is_off_by_default_and_read_from_pulumis_strings():
    assert parse({}).preview_roles is False
    assert parse({"previewRoles": "true"}).preview_roles is True


def test_a_name_too_long_for_its_preview_role_is_refused_only_with_previewroles():
    name = "s" * (64 - len("iam-baseline-state-"))  # fits <prefix>-state-<name>, not <prefix>-preview-<name>
    services = {name: {"actions": ["sqs:ListQueues"]}, "shop": {"components": {"c" * 40: {"actions": ["sqs:ListQueues"]}}}}
    parse({"services": services})
    found = errors({"services": services, "previewRoles": True})
    assert set(found) == {f"services.{name}", f"services.shop.components.{'c' * 40}"}
    assert "iam-baseline-preview-" in found[f"services.{name}"] and "64" in found[f"services.{name}"]


def test_each_hand_listed_data_read_is_in_the_catalogue():
    for pattern, reason in HAND_DATA_READS.items():
        found = get_actions_matching(pattern)
        assert found and reason, pattern
        if "*" not in pattern:
            assert found == (pattern,)


def test_data_reads_include_cloudsplainings_list_and_the_named_kinds():
    reads = data_read_actions()
    assert {"s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath"} <= reads
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "sqs:ReceiveMessage", "kms:Decrypt"} <= reads


@pytest.mark.parametrize("grant", [["s3:*", "sqs:*", "dynamodb:*"], ["secretsmanager:*", "ssm:*", "kms:*"], ["ec2:*", "logs:*", "ecr:*"]])
def test_preview_actions_are_list_and_read_only_without_data(grant):
    patterns = preview_actions(grant)
    reached = {a for p in patterns for a in get_actions_matching(p)}
    assert reached and all(get_access_level(a) in PREVIEW_ACCESS_LEVELS for a in reached)
    assert not reached & data_read_actions()
    assert reached < {a for p in grant for a in get_actions_matching(p)}


def test_scoped_resources_keep_only_reads_that_can_match_them():
    scoped = preview_actions(["s3:*"], ["arn:aws:s3:::acme-site", "arn:aws:s3:::acme-site/*"])
    reached = {a for p in scoped for a in get_actions_matching(p)}
    assert "s3:GetBucketPolicy" in reached and "s3:ListAllMyBuckets" not in reached


def test_a_preview_role_is_one_role_with_its_own_state_read():
    bp = design_baseline(parse({"previewRoles": True, "services": {"api": {"actions": ["sqs:*"]}}}), CTX)
    assert role_names(bp) == ["iam-baseline-svc-api", "iam-baseline-state-api", "iam-baseline-preview-api"]
    (plan,) = bp.role_plans
    sids = [s["Sid"] for s in bp.preview_policy(plan, None)["Statement"]]
    assert sids[:3] == ["PreviewReads", "ListOwnStacks", "ReadOwnStacks"]
    assert plan.preview_role_arn in bp.ci_assume_resources


def test_shared_state_isolation_keeps_each_preview_role_on_its_own_project():
    services = {"api": {"actions": ["sqs:*"]}, "web": {"actions": ["sqs:*"], "pulumiProject": "web-app"}}
    bp = design_baseline(parse({"previewRoles": True, "stateIsolation": "shared", "services": services}), CTX)
    reads = {p.service.name: bp.preview_state(p, None).object_arns for p in bp.role_plans}
    assert any(a.endswith("/.pulumi/stacks/api/*") for a in reads["api"]) and not any("web-app" in a for a in reads["api"])
    assert any(a.endswith("/.pulumi/stacks/web-app/*") for a in reads["web"])


def test_prod_still_refuses_pull_requests_for_provisioning_roles():
    raw = {
        "ci": {"mode": "github"},
        "previewRoles": True,
        "services": {"api": {"actions": ["sqs:*"], "github": {**GITHUB, "pullRequests": True}}},
    }
    assert "services.api.github" in errors(raw, "prod")
    raw["services"]["api"]["github"] = GITHUB
    bp = design_baseline(parse(raw, "prod"), CTX)
    (plan,) = bp.role_plans
    assert not admits_pull_requests(plan.subjects) and plan.preview_subjects == ("repo:acme/api:pull_request",)


def test_dev_keeps_pull_requests_on_provisioning_roles_when_configured():
    raw = {
        "ci": {"mode": "github"},
        "previewRoles": True,
        "services": {"api": {"actions": ["sqs:*"], "github": {**GITHUB, "pullRequests": True}}},
    }
    (plan,) = design_baseline(parse(raw), CTX).role_plans
    assert admits_pull_requests(plan.subjects) and plan.preview_subjects == ("repo:acme/api:pull_request",)
