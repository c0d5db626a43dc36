"""What moto cannot decide, proved with the policy simulator (tests/policy_simulator.py).

Covered here: a trust refuses a missing external ID (moto accepts it); the CI user's boundary caps it
even with an admin policy attached by mistake (moto ignores boundaries); the state bucket refuses
non-TLS requests (moto ignores bucket policies); the state key is usable only through S3, and never by
a provisioning role (moto ignores identity-policy conditions and KMS).
"""

import json

import pytest

from tests.emulated_account import unwrap
from tests.helpers import a_state_role, all_roles, one, render, render_shipped, role_documents
from tests.policy_simulator import allows, bucket_policy_denies, principal, trust_admits

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
TLS = {"aws:SecureTransport": "true"}


@pytest.fixture(scope="module", params=["dev", "prod"])
def baseline(request):
    rendering = render_shipped(request.param)
    return rendering, unwrap(rendering.outputs)


@pytest.fixture(scope="module")
def with_kms():
    rendering = render({"stateBucket": {"kms": True}, "services": {"keys": {"actions": ["kms:*", "s3:*"]}}}, stack="prod")
    return rendering, unwrap(rendering.outputs)


def ci_node(rendering, outputs, extra=()):
    user = one(rendering, "aws:iam/user:User")
    (inline,) = [json.loads(doc) for doc in rendering.user_policies()[user.inputs["name"]].values()]
    boundary = json.loads(one(rendering, "aws:iam/policy:Policy").inputs["policy"])
    assert user.inputs["permissionsBoundary"].endswith("/" + one(rendering, "aws:iam/policy:Policy").inputs["name"])
    return principal(outputs["ciUser"]["arn"], [inline, *extra], boundary)


def test_every_trust_needs_exactly_its_own_external_id(baseline):
    rendering, outputs = baseline
    ci = ci_node(rendering, outputs)
    trusts = {name: trust for name, (trust, _) in role_documents(rendering).items()}
    roles = all_roles(outputs)
    for name, role in roles.items():
        trust = trusts[role["arn"].rsplit("/", 1)[1]]
        assert trust_admits(trust, ci, role["arn"], {"sts:ExternalId": role["externalId"]}), f"{name}: the right external ID is refused"
        assert not trust_admits(trust, ci, role["arn"], {}), f"{name}: no external ID is admitted"
        assert not trust_admits(trust, ci, role["arn"], {"sts:ExternalId": role["externalId"] + "x"}), (
            f"{name}: a wrong external ID is admitted"
        )
        for other, other_role in roles.items():
            if other != name:
                assert not trust_admits(trust, ci, role["arn"], {"sts:ExternalId": other_role["externalId"]}), f"{name} admits {other}'s ID"


def test_no_other_principal_is_trusted_even_with_the_external_id(baseline):
    rendering, outputs = baseline
    role, _ = a_state_role(outputs)
    trust = role_documents(rendering)[role["arn"].rsplit("/", 1)[1]][0]
    account = outputs["accountId"]
    for arn in (
        f"arn:aws:iam::{account}:user/someone-else",
        f"arn:aws:iam::{account}:role/iam-baseline/x",
        f"arn:aws:iam::999999999999:user/{outputs['ciUser']['name']}",
    ):
        assert not trust_admits(trust, principal(arn, [ADMIN]), role["arn"], {"sts:ExternalId": role["externalId"]}), f"{arn} admitted"


def test_ci_user_boundary_caps_it_even_with_admin_attached_by_mistake(baseline):
    rendering, outputs = baseline
    ci = ci_node(rendering, outputs, extra=[ADMIN])
    account = outputs["accountId"]
    for role in all_roles(outputs).values():
        assert allows(ci, "sts:AssumeRole", role["arn"]), f"CI user can no longer assume {role['arn']}"
    for action, resource in [
        ("iam:ListUsers", "*"),
        ("iam:CreateAccessKey", outputs["ciUser"]["arn"]),
        ("s3:GetObject", f"{outputs['stateBucketArn']}/.pulumi/meta.yaml"),
        ("s3:ListAllMyBuckets", "*"),
        ("ec2:RunInstances", "*"),
        ("sts:AssumeRole", f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"),
    ]:
        assert not allows(ci, action, resource), f"the boundary let the CI user {action} on {resource}"


def test_ci_user_without_the_mistake_reaches_only_its_roles(baseline):
    rendering, outputs = baseline
    ci = ci_node(rendering, outputs)
    assert not allows(ci, "sts:AssumeRole", f"arn:aws:iam::{outputs['accountId']}:role/Admin")
    assert not allows(ci, "s3:ListBucket", outputs["stateBucketArn"])


def test_state_bucket_refuses_requests_without_tls(baseline):
    rendering, outputs = baseline
    bucket_policy = json.loads(one(rendering, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    role, project = a_state_role(outputs)
    state = principal(role["arn"], role_documents(rendering)[role["arn"].rsplit("/", 1)[1]][1])
    obj = f"{outputs['stateBucketArn']}/.pulumi/stacks/{project}/prod.json"
    listing = {"s3:prefix": f".pulumi/stacks/{project}/"}
    for action, resource, context in [
        ("s3:GetObject", obj, {}),
        ("s3:PutObject", obj, {}),
        ("s3:ListBucket", outputs["stateBucketArn"], listing),
    ]:
        assert allows(state, action, resource, {**TLS, **context}, bucket_policy), f"state role cannot {action} over TLS"
        assert not allows(state, action, resource, {"aws:SecureTransport": "false", **context}, bucket_policy), (
            f"{action} without TLS is allowed"
        )
    admin = principal(f"arn:aws:iam::{outputs['accountId']}:role/Admin", [ADMIN])
    assert not allows(admin, "s3:GetObject", obj, {"aws:SecureTransport": "false"}, bucket_policy), "even admins must use TLS"


@pytest.fixture(scope="module")
def s3_service():
    """A dev stack on the default SSE-S3 bucket (no key deny to fall back on) with a service granted s3:*."""
    rendering = render({"services": {"files": {"actions": ["s3:*", "s3-object-lambda:*"]}}}, stack="dev")
    return rendering, unwrap(rendering.outputs)


def access_point_paths(account, region):
    """The three ways to reach a bucket through an access point, as the underlying bucket's policy sees them."""
    regional = f"arn:aws:s3:{region}:{account}:accesspoint/steal"
    return {
        "access point": (regional, f"{regional}/object/.pulumi/stacks/other/prod.json"),
        "multi-region access point": (
            f"arn:aws:s3::{account}:accesspoint/mfzwi23gnjvgw.mrap",
            f"arn:aws:s3::{account}:accesspoint/mfzwi23gnjvgw.mrap/object/.pulumi/stacks/other/prod.json",
        ),
        # An Object Lambda access point reads through its supporting regional access point.
        "object lambda access point": (regional, f"arn:aws:s3-object-lambda:{region}:{account}:accesspoint/transform"),
    }


@pytest.mark.parametrize("path", ["access point", "multi-region access point", "object lambda access point"])
def test_no_access_point_reaches_the_state_bucket(s3_service, path):
    """A service granted s3:* creates an access point on the state bucket: its identity policy allows the access
    point's ARN (the role's deny names the bucket only), so the bucket policy must refuse the request."""
    rendering, outputs = s3_service
    account, region = outputs["accountId"], rendering.ctx.region
    bucket_policy = json.loads(one(rendering, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    service = outputs["provisioningRoles"]["files"]
    attacker = principal(service["arn"], role_documents(rendering)["iam-baseline-svc-files"][1])
    access_point, entry = access_point_paths(account, region)[path]
    entry_action = "s3-object-lambda:GetObject" if "object-lambda" in entry else "s3:GetObject"
    assert allows(attacker, entry_action, entry, TLS), "the attack needs the identity policy to allow the entry point"
    via = {**TLS, "s3:DataAccessPointArn": access_point, "s3:DataAccessPointAccount": account}
    bucket = outputs["stateBucketArn"]
    for action, resource in [
        ("s3:GetObject", f"{bucket}/.pulumi/stacks/other/prod.json"),
        ("s3:GetObject", f"{bucket}/.pulumi/stacks/iam-baseline/dev.json"),
        ("s3:PutObject", f"{bucket}/.pulumi/stacks/iam-baseline-handoff/dev-files.json"),
        ("s3:ListBucket", bucket),
    ]:
        assert bucket_policy_denies(bucket_policy, attacker, action, resource, via), f"{action} on {resource} through the {path}"
        only_account = {**TLS, "s3:DataAccessPointAccount": account}
        assert bucket_policy_denies(bucket_policy, attacker, action, resource, only_account)
    state_role, project = a_state_role(outputs)
    state = principal(state_role["arn"], role_documents(rendering)[state_role["arn"].rsplit("/", 1)[1]][1])
    own = f"{bucket}/.pulumi/stacks/{project}/dev.json"
    assert not bucket_policy_denies(bucket_policy, state, "s3:GetObject", own, TLS), "the bucket's own name must still work"
    assert allows(state, "s3:GetObject", own, TLS, bucket_policy)


def test_state_key_is_usable_only_through_s3_and_never_by_a_service_role(with_kms):
    rendering, outputs = with_kms
    documents = role_documents(rendering)
    (rule,) = one(rendering, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"]
    key = rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]
    role, _ = a_state_role(outputs)
    state = principal(role["arn"], documents[role["arn"].rsplit("/", 1)[1]][1])
    via_s3 = {"kms:ViaService": f"s3.{rendering.ctx.region}.amazonaws.com"}
    assert allows(state, "kms:Decrypt", key, via_s3) and allows(state, "kms:GenerateDataKey", key, via_s3)
    assert not allows(state, "kms:Decrypt", key), "the state role may call KMS directly"
    assert not allows(state, "kms:ScheduleKeyDeletion", key, via_s3)
    service = outputs["provisioningRoles"]["keys"]
    keys_role = principal(service["arn"], documents[service["arn"].rsplit("/", 1)[1]][1])
    assert allows(keys_role, "kms:Encrypt", "arn:aws:kms:us-east-1:123456789012:key/another-key"), "the kms:* grant itself works"
    for action in ("kms:Decrypt", "kms:PutKeyPolicy", "kms:DisableKey", "kms:Encrypt"):
        assert not allows(keys_role, action, key, via_s3), f"a service role may {action} the state key"
