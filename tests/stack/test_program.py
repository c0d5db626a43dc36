"""The Pulumi layer under mocks: resources, their wiring, and the stack outputs."""

import json

import pytest

from baseline.design.external_ids import derive_external_id, derive_handoff_passphrase
from baseline.design.findings import ConfigError
from baseline.offline.engine import Secret
from tests.emulated_account import unwrap
from tests.helpers import one, render, role_documents

SERVICES = {"api": {"actions": ["sqs:*", "ec2:Describe*"]}, "etl": {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::data/*"]}}


@pytest.fixture(scope="module")
def prod():
    return render({"services": SERVICES, "stateBucket": {"kms": True}, "ci": {"createAccessKey": True}}, stack="prod")


@pytest.fixture(scope="module")
def dev():
    return render({"services": SERVICES}, stack="dev")


def test_state_bucket_is_protected_versioned_private_and_tls_only(prod):
    bucket = one(prod, "aws:s3/bucket:Bucket")
    assert bucket.protect, f"{bucket.urn} must be protected so `pulumi destroy` cannot lose state"
    assert bucket.inputs["forceDestroy"] is False
    versioning = one(prod, "aws:s3/bucketVersioning:BucketVersioning")
    assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    block = one(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert all(block.inputs[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    ownership = one(prod, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
    policy = json.loads(one(prod, "aws:s3/bucketPolicy:BucketPolicy").inputs["policy"])
    assert policy["Statement"][0]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert (
        one(prod, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").urn
        in one(prod, "aws:s3/bucketPolicy:BucketPolicy").dependencies
    )


def test_lifecycle_expires_noncurrent_versions_and_aborts_uploads():
    rendering = render({"stateBucket": {"noncurrentVersionDays": 45}})
    (rule,) = one(rendering, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs["rules"]
    assert rule["status"] == "Enabled"
    assert rule["noncurrentVersionExpiration"]["noncurrentDays"] == 45
    assert rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"] == 7


def test_kms_encryption_uses_a_protected_rotating_key_with_a_bucket_key(prod):
    key = one(prod, "aws:kms/key:Key")
    assert key.protect and key.inputs["enableKeyRotation"] is True
    (rule,) = one(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"
    assert rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert rule["bucketKeyEnabled"] is True


def test_without_kms_the_bucket_uses_sse_s3_and_no_key_exists(dev):
    assert dev.of_type("aws:kms/key:Key") == []
    (rule,) = one(dev, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"


def test_ci_user_has_the_sts_only_boundary_and_gets_its_one_policy_through_a_group(prod):
    user = one(prod, "aws:iam/user:User")
    boundary = one(prod, "aws:iam/policy:Policy")
    assert user.inputs["permissionsBoundary"] == f"arn:aws:iam::123456789012:policy/iam-baseline/{boundary.inputs['name']}"
    assert boundary.urn in user.dependencies
    assert user.inputs["path"] == "/iam-baseline/"
    assert prod.of_type("aws:iam/userPolicy:UserPolicy") == [], "CIS 1.15: no policy directly on the user"
    group = one(prod, "aws:iam/group:Group")
    assert group.inputs["path"] == "/iam-baseline/"
    membership = one(prod, "aws:iam/groupMembership:GroupMembership")
    assert membership.inputs == {**membership.inputs, "group": group.inputs["name"], "users": [user.inputs["name"]]}
    policy = one(prod, "aws:iam/groupPolicy:GroupPolicy")
    assert policy.inputs["group"] == group.inputs["name"]
    doc = json.loads(policy.inputs["policy"])
    assert [s["Action"] for s in doc["Statement"]] == [["sts:AssumeRole"]]
    role_arns = [arn for r in prod.outputs["provisioningRoles"].values() for arn in (r["arn"], r["stateRole"]["arn"])]
    assert doc["Statement"][0]["Resource"] == sorted(role_arns)


def test_every_role_trusts_only_the_ci_user_with_its_own_secret_external_id(prod):
    user = one(prod, "aws:iam/user:User")
    user_arn = f"arn:aws:iam::123456789012:user/iam-baseline/{user.inputs['name']}"
    ids = []
    for role in prod.of_type("aws:iam/role:Role"):
        assert "assumeRolePolicy" in role.secret_inputs, f"{role.urn}: the trust holds the external ID and must be secret"
        assert user.urn in role.dependencies, f"{role.urn} must wait for the CI user its trust names"
        (stmt,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert stmt["Principal"] == {"AWS": user_arn}
        ids.append(stmt["Condition"]["StringEquals"]["sts:ExternalId"])
        assert role.inputs["maxSessionDuration"] == 3600
    assert len(set(ids)) == len(ids) == 4, "two services, each with its provisioning and its state role"


def test_external_ids_are_derived_from_the_seed_and_role_name_only(prod):
    """Stability across updates: an ID depends on the seed kept in state and its role's name, so adding a
    service or changing grants never moves another role's ID (which would break its repository's CI)."""
    seed = one(prod, "random:index/randomPassword:RandomPassword")
    assert seed.inputs["special"] is False
    seed_value = seed_result(prod)
    out = unwrap(prod.outputs)
    for service, role in out["provisioningRoles"].items():
        assert role["externalId"] == derive_external_id(seed_value, f"iam-baseline-svc-{service}")
        assert role["stateRole"]["externalId"] == derive_external_id(seed_value, f"iam-baseline-state-{service}")
        assert role["handoffPassphrase"] == derive_handoff_passphrase(seed_value, service)
    changed = {**SERVICES, "api": {"actions": ["sqs:SendMessage"]}, "new": {"actions": ["sns:Publish"]}}
    again = unwrap(render({"services": changed, "stateBucket": {"kms": True}, "ci": {"createAccessKey": True}}, stack="prod").outputs)
    assert seed_result(prod) == seed_value
    for service in SERVICES:
        before, after = out["provisioningRoles"][service], again["provisioningRoles"][service]
        assert (after["externalId"], after["stateRole"]["externalId"], after["handoffPassphrase"]) == (
            before["externalId"],
            before["stateRole"]["externalId"],
            before["handoffPassphrase"],
        ), f"{service}'s secrets moved when another service was added"
    assert derive_external_id("seed", "role-a") != derive_external_id("seed", "role-b") != derive_external_id("other", "role-b")


def seed_result(rendering):
    """Return the seed's value as the fake provider generated it (what the state would hold)."""
    from baseline.offline.fake_aws import fake_value

    return fake_value("random", one(rendering, "random:index/randomPassword:RandomPassword").name, 48)


def test_configured_external_ids_are_used_and_no_seed_is_needed():
    rendering = render({"services": {"api": {"actions": ["sqs:SendMessage"], "externalId": "api-ext-id-1"}}})
    assert rendering.outputs["provisioningRoles"]["api"]["externalId"] == Secret("api-ext-id-1")
    assert len(rendering.of_type("random:index/randomPassword:RandomPassword")) == 1  # the state role still needs one


def test_outputs_have_the_documented_names_and_shapes(prod):
    out = prod.outputs
    assert set(out) == {
        "accountId",
        "baselineVersion",
        "stateBucketName",
        "stateBucketArn",
        "backendUrl",
        "ciUser",
        "provisioningRoles",
        "region",
        "awsConfig",
    }
    assert isinstance(out["awsConfig"], Secret) and out["region"] == "us-east-1"
    assert out["accountId"] == "123456789012"
    assert out["backendUrl"] == f"s3://{out['stateBucketName']}?region=us-east-1"
    assert out["stateBucketArn"] == f"arn:aws:s3:::{out['stateBucketName']}"
    assert set(out["ciUser"]) == {"name", "arn", "accessKeyId", "secretAccessKey"}
    assert isinstance(out["ciUser"]["secretAccessKey"], Secret)
    assert set(out["provisioningRoles"]) == {"api", "etl"}
    for service, role in out["provisioningRoles"].items():
        assert set(role) == {"arn", "externalId", "allowDelete", "handoffStack", "handoffPassphrase", "backendUrl", "stateRole"}
        assert isinstance(role["externalId"], Secret), f"{service}'s external ID must be a secret output"
        assert isinstance(role["handoffPassphrase"], Secret), f"{service}'s handoff passphrase must be a secret output"
        assert set(role["stateRole"]) == {"arn", "externalId"} and isinstance(role["stateRole"]["externalId"], Secret)
        assert role["handoffStack"] == f"organization/iam-baseline-handoff/prod.{service}"
        assert role["allowDelete"] is False
        assert role["arn"] == f"arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-svc-{service}"


def test_no_access_key_unless_asked(dev):
    assert dev.of_type("aws:iam/accessKey:AccessKey") == []
    assert set(dev.outputs["ciUser"]) == {"name", "arn"}


def test_each_service_costs_four_resources_or_two_with_shared_state(dev):
    def custom(rendering):
        return len([r for r in rendering.registrations if r.custom])

    assert custom(dev) - custom(render({})) == 4 * len(SERVICES), "role, policy, state role, state policy"
    shared = render({"services": SERVICES, "stateIsolation": "shared"})
    assert custom(shared) - custom(render({"stateIsolation": "shared"})) == 2 * len(SERVICES)


def test_service_policies_use_the_configured_resources_and_deny_the_state_key(prod):
    (_, (etl,)) = role_documents(prod)["iam-baseline-svc-etl"]
    by_sid = {s["Sid"]: s for s in etl["Statement"]}
    assert by_sid["ServiceGrant"]["Action"] == ["s3:GetObject"] and by_sid["ServiceGrant"]["Resource"] == ["arn:aws:s3:::data/*"]
    (rule,) = one(prod, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs["rules"]
    assert by_sid["DenyStateKey"]["Resource"] == [rule["applyServerSideEncryptionByDefault"]["kmsMasterKeyId"]]


def test_bad_config_fails_naming_every_key_and_registers_nothing(monkeypatch):
    from baseline.offline.fake_aws import BaselineMocks

    registered = []
    original = BaselineMocks.new_resource
    monkeypatch.setattr(BaselineMocks, "new_resource", lambda self, args: registered.append(args.typ) or original(self, args))
    with pytest.raises(ConfigError) as caught:
        render({"services": {"api": {"actions": ["sqs:SendMesage"]}}, "ci": {"maxSessionDuration": 60}})
    assert "sqs:SendMessage" in str(caught.value) and "ci.maxSessionDuration" in str(caught.value)
    assert registered == []


def test_the_quota_check_runs_before_registration_too(monkeypatch):
    from baseline.offline.fake_aws import BaselineMocks

    registered = []
    original = BaselineMocks.new_resource
    monkeypatch.setattr(BaselineMocks, "new_resource", lambda self, args: registered.append(args.typ) or original(self, args))
    with pytest.raises(ConfigError) as caught:
        render(
            {
                "services": {
                    "x": {"actions": ["s3:GetObject"], "resources": [f"arn:aws:s3:::bucket-{i:04d}-of-a-long-name/*" for i in range(300)]}
                }
            }
        )
    assert "services.x.actions" in str(caught.value) and "10240" in str(caught.value)
    assert registered == []
