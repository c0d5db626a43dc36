"""A grant over a role's inline limit, split into managed policies: every guard stays inline, no action is
lost, the same grant in any order gives the same bytes, and only more policies than the quota is refused."""

import random

import pytest

from baseline.aws.catalog import get_actions_for_service
from baseline.design import quotas
from baseline.design.blueprint import KMS_KEY_ID_PLACEHOLDER
from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.grant_split import layout_grant, split_grant
from baseline.design.policies import iter_statements, policy_json, statement
from tests.helpers import CTX, large_grant

GUARD_SIDS = {"DenyDestructive", "DenyStateBucket", "DenyAssumeRole", "DenyBaselineIam", "DenyLongLivedCredentials"}


def blueprint(raw, stack="dev"):
    return design_baseline(parse_config(raw, stack), CTX)


def size(document):
    return quotas.policy_size(policy_json(document))


def actions_of(documents, sid="ServiceGrant"):
    return [a for doc in documents for s in iter_statements(doc) if s["Sid"] == sid for a in s["Action"]]


@pytest.fixture(scope="module")
def big():
    return blueprint({"services": {"big": {"actions": large_grant()}}})


def test_a_420_action_grant_is_split_into_managed_policies_within_their_quota(big):
    plan = big.role_plans[0]
    assert size(big.unsplit_service_policy(plan, None)) > quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS, "the case issue #23 refused"
    policies = big.grant_policies(plan)
    assert 2 <= len(policies) <= quotas.MANAGED_POLICIES_PER_ROLE
    assert all(size(doc) <= quotas.MANAGED_POLICY_MAX_CHARS for doc in policies)
    assert all({s["Sid"] for s in iter_statements(doc)} == {"ServiceGrant"} for doc in policies)
    assert all(s["Effect"] == "Allow" and s["Resource"] == ["*"] for doc in policies for s in iter_statements(doc))
    inline = big.service_policy(plan, None)
    assert size(inline) <= quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS
    rest = [s for s in iter_statements(big.unsplit_service_policy(plan, None)) if s["Sid"] != "ServiceGrant"]
    assert iter_statements(inline) == rest, "only the grant's Allow leaves the inline policy; every guard stays, in order"
    assert {s["Sid"] for s in rest if s["Effect"] == "Deny"} >= GUARD_SIDS - {"DenyDestructive"}


def test_the_split_loses_no_action_and_adds_none(big):
    plan = big.role_plans[0]
    moved = actions_of(big.grant_policies(plan))
    assert len(moved) == len(set(moved)), "each action in exactly one policy"
    assert sorted(moved) == sorted(plan.grant.allow) == sorted(large_grant())


def test_the_same_grant_in_any_order_renders_byte_identical_documents(big):
    expected = [policy_json(doc) for doc in big.grant_policies(big.role_plans[0])]
    expected_inline = policy_json(big.service_policy(big.role_plans[0], None))
    for seed in range(5):
        actions = large_grant()
        random.Random(seed).shuffle(actions)
        again = blueprint({"services": {"big": {"actions": actions}}})
        assert [policy_json(doc) for doc in again.grant_policies(again.role_plans[0])] == expected
        assert policy_json(again.service_policy(again.role_plans[0], None)) == expected_inline


def test_actions_are_packed_by_service_prefix_and_a_prefix_is_split_only_when_it_alone_is_too_big():
    ec2 = list(get_actions_for_service("ec2"))  # about 23,000 characters: over any one policy
    small = ["sqs:SendMessage", "sqs:ReceiveMessage", "sns:Publish", "acm:DescribeCertificate"]
    documents = split_grant([statement("ServiceGrant", "Allow", [*small, *ec2], ["*"])])
    prefixes = [sorted({a.split(":")[0] for a in actions_of([doc])}) for doc in documents]
    assert prefixes[0][0] == "acm" and prefixes[-1][-1] == "sqs", "in sorted prefix order"
    assert all(size(doc) <= quotas.MANAGED_POLICY_MAX_CHARS for doc in documents)
    for prefix in ("acm", "sns", "sqs"):
        assert sum(prefix in p for p in prefixes) == 1, f"{prefix} fits a policy, so it is never split"
    assert sum("ec2" in p for p in prefixes) == 5, "ec2 alone is over a policy, so it spans several"
    assert sorted(actions_of(documents)) == sorted({*small, *ec2})


def test_a_change_to_one_service_leaves_the_policies_before_it_as_they_were(big):
    actions = large_grant()
    before = [policy_json(doc) for doc in big.grant_policies(big.role_plans[0])]
    last = max(a.split(":")[0] for a in actions)
    extra = next(a for a in get_actions_for_service(last) if a not in actions)
    after_bp = blueprint({"services": {"big": {"actions": [*actions, extra]}}})
    after = [policy_json(doc) for doc in after_bp.grant_policies(after_bp.role_plans[0])]
    assert after[:-1] == before[:-1] and extra in after[-1]


def test_a_grant_that_fits_stays_inline_exactly_as_before():
    bp = blueprint({"services": {"api": {"actions": ["sqs:*", "ec2:Describe*"]}}}, "prod")
    plan = bp.role_plans[0]
    assert bp.grant_layout(plan).moved == 0 and bp.grant_policies(plan) == ()
    assert policy_json(bp.service_policy(plan, None)) == policy_json(bp.unsplit_service_policy(plan, None))
    assert next(s["Sid"] for s in iter_statements(bp.service_policy(plan, None))) == "ServiceGrant"


def test_in_prod_the_guards_stay_inline_and_a_delete_window_too_while_it_fits():
    from datetime import UTC, datetime, timedelta

    until = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    bp = blueprint({"services": {"big": {"actions": large_grant(), "deleteWindow": {"until": until, "reason": "retire"}}}}, "prod")
    plan = bp.role_plans[0]
    inline = bp.service_policy(plan, bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER))
    sids = [s["Sid"] for s in iter_statements(inline)]
    assert sids[0] == "DeleteWindow" and set(sids) >= GUARD_SIDS and "ServiceGrant" not in sids
    assert bp.grant_layout(plan).moved == 1 and actions_of(bp.grant_policies(plan), "DeleteWindow") == []


def test_a_delete_window_too_big_for_the_inline_policy_moves_out_with_the_grant():
    guards = [statement("DenyAll", "Deny", ["s3:DeleteBucket"], ["*"])]
    window = statement("DeleteWindow", "Allow", [f"ec2:Delete{i:04d}" for i in range(800)], ["*"], Condition={"DateLessThan": {}})
    grant = statement("ServiceGrant", "Allow", ["sqs:SendMessage"], ["*"])
    layout = layout_grant([grant, window], guards)
    assert layout.moved == 2 and actions_of(layout.policies, "DeleteWindow") == window["Action"]
    assert all(
        s["Condition"] == {"DateLessThan": {}} for doc in layout.policies for s in iter_statements(doc) if s["Sid"] == "DeleteWindow"
    )


def test_more_policies_than_the_quota_are_refused_naming_the_numbers_and_the_key():
    with pytest.raises(ConfigError) as caught:
        blueprint({"managedPoliciesPerRole": 2, "services": {"big": {"actions": large_grant()}}})
    (finding,) = caught.value.findings
    assert finding.location == "services.big.actions"
    assert "needs 3" in finding.detail and "quota of 2 managed policies per role" in finding.detail
    assert "raise iam-baseline:managedPoliciesPerRole (up to 20" in finding.detail
    services = ("ec2", "rds", "cloudfront", "s3", "ssm", "logs", "lambda", "dynamodb", "ecs", "route53", "glue", "sagemaker", "iot", "quicksight")  # fmt: skip
    every = [a for s in services for a in get_actions_for_service(s)]  # about 3,200 actions: over 20 policies
    with pytest.raises(ConfigError) as caught:
        blueprint({"managedPoliciesPerRole": 20, "services": {"all": {"actions": every, "allowDelete": True}}})
    detail = {f.location: f.detail for f in caught.value.findings}["services.all.actions"]
    assert "quota of 20" in detail and "raise" not in detail and "narrow it" in detail


def test_one_action_over_a_managed_policy_is_refused_naming_both_limits():
    resources = [f"arn:aws:s3:::bucket-{i:04d}-of-a-long-name/*" for i in range(300)]
    with pytest.raises(ConfigError) as caught:
        blueprint({"services": {"x": {"actions": ["s3:GetObject"], "resources": resources}}})
    (finding,) = caught.value.findings
    assert "10240" in finding.detail and "6144" in finding.detail and "cannot be split" in finding.detail


@pytest.mark.parametrize("value", [0, 21, -1, "ten", True, 2.5, "\u0663"])
def test_managed_policies_per_role_outside_1_to_20_is_refused_naming_the_key(value):
    with pytest.raises(ConfigError) as caught:
        parse_config({"managedPoliciesPerRole": value}, "dev")
    (finding,) = caught.value.findings
    assert finding.location == "managedPoliciesPerRole" and "from 1 to 20" in finding.detail


def test_managed_policies_per_role_defaults_to_iams_quota_and_takes_digits():
    assert parse_config({}, "dev").managed_policies_per_role == 10
    assert parse_config({"managedPoliciesPerRole": " 20 "}, "dev").managed_policies_per_role == 20
