"""Every policy document, built by a pure function and checked without Pulumi."""

import json
import random

from baseline.aws.catalog import is_destructive
from baseline.design import quotas
from baseline.design.blueprint import KMS_KEY_ID_PLACEHOLDER
from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.policies import ci_boundary_policy, ci_group_policy, ci_trust_policy, iter_statements, policy_json, state_bucket_policy
from baseline.review.effective import allowed_actions, granted_actions
from tests.helpers import CTX


def blueprint(raw, stack="prod"):
    return design_baseline(parse_config(raw, stack), CTX)


def shuffled(value):
    """Return the same JSON value with every dict's keys in a random order."""
    if isinstance(value, dict):
        items = list(value.items())
        random.shuffle(items)
        return {k: shuffled(v) for k, v in items}
    if isinstance(value, list):
        return [shuffled(v) for v in value]
    return value


def test_render_is_byte_identical_whatever_the_key_order():
    doc = blueprint({"services": {"api": {"actions": ["sqs:*", "ec2:Describe*"]}}}).service_policy(
        blueprint({"services": {"api": {"actions": ["sqs:*", "ec2:Describe*"]}}}).services[0], None
    )
    assert all(policy_json(shuffled(doc)) == policy_json(doc) for _ in range(20))
    assert " " not in policy_json(doc) and "\n" not in policy_json(doc)


def test_same_config_in_any_order_renders_the_same_service_policy():
    a = blueprint({"services": {"x": {"actions": ["sqs:*", "s3:GetObject", "ec2:Describe*"]}, "y": {"actions": ["sqs:SendMessage"]}}})
    b = blueprint({"services": {"y": {"actions": ["sqs:SendMessage"]}, "x": {"actions": ["ec2:Describe*", "s3:GetObject", "sqs:*"]}}})
    assert [policy_json(a.service_policy(p, None)) for p in a.services] == [policy_json(b.service_policy(p, None)) for p in b.services]


def test_trust_lets_only_the_ci_principal_in_and_only_with_the_external_id():
    doc = ci_trust_policy("arn:aws:iam::111122223333:user/p/ci", "abc123")
    (stmt,) = iter_statements(doc)
    assert stmt["Principal"] == {"AWS": "arn:aws:iam::111122223333:user/p/ci"}
    assert stmt["Action"] == "sts:AssumeRole"
    assert stmt["Condition"] == {"StringEquals": {"sts:ExternalId": "abc123"}}


def test_bucket_policy_denies_every_request_without_tls_or_through_an_access_point():
    tls, by_arn, by_account = iter_statements(state_bucket_policy("arn:aws:s3:::b", "arn:aws:s3:::b/*"))
    for stmt in (tls, by_arn, by_account):
        assert stmt["Effect"] == "Deny" and stmt["Principal"] == "*" and stmt["Action"] == "s3:*"
        assert stmt["Resource"] == ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]
    assert tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert by_arn["Condition"] == {"Null": {"s3:DataAccessPointArn": "false"}}
    assert by_account["Condition"] == {"Null": {"s3:DataAccessPointAccount": "false"}}


def test_state_role_may_only_list_the_bucket_and_use_objects_under_the_backend_prefix():
    bp = blueprint({})
    doc = bp.state_policy(None)
    assert granted_actions(doc) == {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    by_sid = {s["Sid"]: s for s in iter_statements(doc)}
    assert by_sid["ListStateBucket"]["Resource"] == [bp.bucket_arn]
    assert by_sid["ReadWriteStateObjects"]["Resource"] == [f"{bp.bucket_arn}/.pulumi/*"]
    assert "UseStateKeyThroughS3" not in by_sid


def test_state_role_gets_the_bucket_key_only_through_s3_when_kms_is_on():
    bp = blueprint({"stateBucket": {"kms": True}})
    key = bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)
    doc = bp.state_policy(key)
    stmt = {s["Sid"]: s for s in iter_statements(doc)}["UseStateKeyThroughS3"]
    assert stmt["Action"] == ["kms:Decrypt", "kms:GenerateDataKey"] and stmt["Resource"] == [key]
    assert stmt["Condition"] == {"StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"}}
    assert key == f"arn:aws:kms:eu-west-1:111122223333:key/{KMS_KEY_ID_PLACEHOLDER}"


def test_ci_user_may_only_assume_the_given_roles():
    doc = ci_group_policy(["arn:aws:iam::1:role/p/b", "arn:aws:iam::1:role/p/a"])
    (stmt,) = iter_statements(doc)
    assert stmt["Action"] == ["sts:AssumeRole"] and stmt["Resource"] == ["arn:aws:iam::1:role/p/a", "arn:aws:iam::1:role/p/b"]
    assert granted_actions(doc) == {"sts:AssumeRole"}


def test_ci_boundary_allows_nothing_but_assume_role():
    assert granted_actions(ci_boundary_policy("arn:aws:iam::1:role/p/*")) == {"sts:AssumeRole"}


def test_prod_service_policy_reaches_no_destructive_action_even_from_service_wildcards():
    bp = blueprint({"services": {"api": {"actions": ["sqs:*", "ec2:*", "s3:*", "dynamodb:*"]}}})
    doc = bp.service_policy(bp.services[0], None)
    assert not [a for a in granted_actions(doc) if is_destructive(a)], "Allow statements reach a destructive action"
    deny = {s["Sid"]: s for s in iter_statements(doc)}["DenyDestructive"]
    assert deny["Resource"] == ["*"]


def test_dev_service_policy_keeps_deletes():
    bp = blueprint({"services": {"api": {"actions": ["sqs:*"]}}}, stack="dev")
    doc = bp.service_policy(bp.services[0], None)
    assert "sqs:DeleteQueue" in allowed_actions(doc)
    assert "DenyDestructive" not in {s["Sid"] for s in iter_statements(doc)}


def test_every_service_role_is_walled_off_from_the_baseline_whatever_it_is_granted():
    bp = blueprint(
        {"stateBucket": {"kms": True}, "services": {"admin": {"actions": ["s3:*", "iam:*", "sts:Get*", "kms:*"], "allowDelete": True}}}
    )
    key = bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)
    by_sid = {s["Sid"]: s for s in iter_statements(bp.service_policy(bp.services[0], key))}
    assert by_sid["DenyStateBucket"] == {
        "Sid": "DenyStateBucket",
        "Effect": "Deny",
        "Action": ["s3:*"],
        "Resource": sorted([bp.bucket_arn, bp.objects_arn]),
    }
    assert by_sid["DenyStateKey"]["Action"] == ["kms:*"] and by_sid["DenyStateKey"]["Resource"] == [key]
    assert by_sid["DenyAssumeRole"]["Resource"] == ["*"]
    assert {"sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML"} <= set(
        allowed_actions({"Version": "2012-10-17", "Statement": [{**by_sid["DenyAssumeRole"], "Effect": "Allow"}]})
    )
    iam_deny = by_sid["DenyBaselineIam"]
    # Every action on the baseline's IAM but simulating a principal, which only the role itself may be (preflight --live).
    assert iam_deny["NotAction"] == ["iam:SimulatePrincipalPolicy"] and "Action" not in iam_deny
    assert by_sid["DenySimulatingOthers"]["NotResource"] == [bp.services[0].role_arn]
    assert by_sid["AllowSimulatingItself"]["Resource"] == [bp.services[0].role_arn]
    assert set(iam_deny["Resource"]) == {f"arn:aws:iam::111122223333:{kind}/iam-baseline/*" for kind in ("role", "user", "group", "policy")}
    # The Deny holds only if every baseline principal really lives under that path.
    assert bp.ci_user_arn.startswith("arn:aws:iam::111122223333:user/iam-baseline/")
    assert all(
        arn.startswith("arn:aws:iam::111122223333:role/iam-baseline/") for arn in (bp.services[0].role_arn, bp.services[0].state_role_arn)
    )
    assert bp.services[0].role_arn.startswith("arn:aws:iam::111122223333:role/iam-baseline/")


def test_every_shipped_document_is_within_its_quota():
    bp = blueprint({"stateBucket": {"kms": True}, "services": {"big": {"actions": ["ec2:*", "s3:*", "rds:*", "iam:*", "glue:*"]}}})
    key = bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)
    assert quotas.policy_size(policy_json(bp.service_policy(bp.services[0], key))) <= quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS
    assert quotas.policy_size(policy_json(bp.ci_group_policy())) <= quotas.USER_INLINE_AGGREGATE_MAX_CHARS
    assert quotas.policy_size(policy_json(bp.ci_boundary_policy())) <= quotas.MANAGED_POLICY_MAX_CHARS
    assert json.loads(policy_json(bp.ci_group_policy()))["Version"] == "2012-10-17"


def test_policy_size_ignores_whitespace_like_iam():
    assert quotas.policy_size('{ "a" : [ 1, 2 ] }\n') == len('{"a":[1,2]}')


def test_the_boundary_of_created_principals_keeps_the_roles_denials_and_renders_stably():
    from baseline.design.policies import OffLimits, created_principal_boundary

    guard = OffLimits(("arn:aws:s3:::state", "arn:aws:s3:::state/*"), None, ("arn:aws:iam::1:role/base/*",))
    prod = created_principal_boundary(["ec2:*"], ["*"], guard, ["ec2:Delete*", "ec2:Terminate*"], None)
    by_sid = {s["Sid"]: s for s in iter_statements(prod)}
    assert by_sid["AtMostTheServiceGrant"]["Action"] == ["ec2:*"]
    assert by_sid["DenyDestructive"] == {
        "Sid": "DenyDestructive",
        "Effect": "Deny",
        "Action": ["ec2:Delete*", "ec2:Terminate*"],
        "Resource": ["*"],
    }
    assert {"DenyStateBucket", "DenyAssumeRole", "DenyBaselineIam", "DenyLongLivedCredentials"} <= set(by_sid)
    window = created_principal_boundary(["ec2:*"], ["*"], guard, ["ec2:Terminate*"], "2026-12-01T00:00:00Z")
    (deny,) = [s for s in iter_statements(window) if s["Sid"] == "DenyDestructive"]
    assert deny["Condition"] == {"DateGreaterThanEquals": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}}, "denied again when the window ends"
    dev = created_principal_boundary(["ec2:*"], ["*"], guard, [], None)
    assert "DenyDestructive" not in {s["Sid"] for s in iter_statements(dev)}
    assert policy_json(prod) == policy_json(created_principal_boundary(["ec2:*"], ["*"], guard, ["ec2:Terminate*", "ec2:Delete*"], None))
