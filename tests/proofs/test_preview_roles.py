"""previewRoles, proved: a pull request previews through a read-only role and reaches nothing else.

A prod stack with `previewRoles: true` gets one preview role per provisioning role. Through the policy
simulator (it decides web-identity conditions, external IDs, `s3:prefix` and `kms:ViaService`) and
moto with IAM enforcement (real calls with the CI key): the repository's pull requests are trusted by
the preview role and by no provisioning or state role; it describes the service's resources, changes
nothing, reads no data, and reads its own service's stacks and nothing else of the state bucket.
"""

from __future__ import annotations

from typing import Any

import pytest

from baseline.aws.catalog import get_access_level
from baseline.design.grants import expand_patterns
from baseline.design.handoff import handoff_stack_outputs, service_handoff
from baseline.design.preview import data_read_actions
from baseline.review.principals import collect_principals
from baseline.review.review import review
from tests.emulated_account import EmulatedAccount, denied, unwrap
from tests.helpers import render
from tests.policy_simulator import allows, principal, trust_admits, web_identity_admits
from tests.proofs.test_isolation import AUD, SUB, roles_of

API_ACTIONS = ["sqs:*", "ec2:Describe*", "ec2:RunInstances", "s3:*", "dynamodb:*", "secretsmanager:*", "ssm:*", "kms:*"]
RAW: dict[str, Any] = {
    "previewRoles": True,
    "ci": {"mode": "both", "createAccessKey": True},
    "stateBucket": {"kms": True},
    "services": {
        "api": {"actions": API_ACTIONS, "github": {"repository": "acme/api", "environments": ["production"]}},
        "shop": {
            "github": {"repository": "acme/shop", "branches": ["main"]},
            "components": {
                "site": {"actions": ["s3:*"], "resources": ["arn:aws:s3:::shop-site", "arn:aws:s3:::shop-site/*"]},
                "orders": {"actions": ["sqs:*"], "resources": ["arn:aws:sqs:*:*:shop-orders"]},
            },
        },
    },
}
PREVIEWS = {"api": ["acme-preview-api"], "shop": ["acme-preview-shop-orders", "acme-preview-shop-site"]}
REGION = "eu-west-1"


@pytest.fixture(scope="module")
def prod():
    return render({**RAW, "namePrefix": "acme"}, stack="prod", region=REGION)


@pytest.fixture(scope="module")
def outputs(prod):
    return unwrap(prod.outputs)


@pytest.fixture(scope="module")
def roles(prod):
    return roles_of(prod)


def acting_as(roles, name: str):
    role = roles[name]
    return principal(role.arn, role.policies)


def test_a_prod_stack_renders_one_preview_role_per_service_and_component(roles, outputs):
    assert sorted(n for n in roles if "-preview-" in n) == sorted(n for names in PREVIEWS.values() for n in names)
    assert all(roles[n].arn.startswith(f"arn:aws:iam::{outputs['accountId']}:role/acme/") for names in PREVIEWS.values() for n in names)
    assert all(roles[n].max_session == 3600 for names in PREVIEWS.values() for n in names)


@pytest.mark.parametrize("service", sorted(PREVIEWS))
def test_a_pull_request_token_reaches_the_preview_roles_and_nothing_else(roles, outputs, service):
    repository = RAW["services"][service]["github"]["repository"]
    claims = {SUB: f"repo:{repository}:pull_request", AUD: "sts.amazonaws.com"}
    reached = {n for n, r in roles.items() if web_identity_admits(r.trust, outputs["oidcProviderArn"], r.arn, claims)}
    assert reached == set(PREVIEWS[service])
    # ...and the service's own subjects still reach its provisioning roles, never a preview role.
    own = RAW["services"][service]["github"]
    subject = f"repo:{repository}:environment:production" if own.get("environments") else f"repo:{repository}:ref:refs/heads/main"
    ordinary = {n for n, r in roles.items() if web_identity_admits(r.trust, outputs["oidcProviderArn"], r.arn, {**claims, SUB: subject})}
    assert ordinary and not ordinary & set(PREVIEWS[service])


def test_no_provisioning_or_state_role_trusts_a_pull_request_in_prod(roles):
    for name, role in roles.items():
        subjects = [s for stmt in role.trust["Statement"] for op in stmt.get("Condition", {}).values() for s in op.get(SUB, [])]
        assert ("-preview-" in name) == any(s.endswith(":pull_request") for s in subjects), name


def test_with_the_static_key_a_preview_role_needs_its_own_external_id(roles, outputs):
    ci = principal(outputs["ciUser"]["arn"], [])
    preview = outputs["provisioningRoles"]["api"]["previewRole"]
    provisioning = outputs["provisioningRoles"]["api"]
    assert preview["externalId"] not in {provisioning["externalId"], provisioning["stateRole"]["externalId"]}
    role = roles["acme-preview-api"]
    assert trust_admits(role.trust, ci, role.arn, {"sts:ExternalId": preview["externalId"]})
    assert not trust_admits(role.trust, ci, role.arn, {"sts:ExternalId": provisioning["externalId"]})
    assert not trust_admits(role.trust, ci, role.arn, {})
    assert role.arn in str(outputs["awsConfig"]) or "acme-api-preview" in outputs["awsConfig"]


def test_a_preview_role_describes_the_services_resources(roles):
    api = acting_as(roles, "acme-preview-api")
    assert allows(api, "sqs:GetQueueAttributes", f"arn:aws:sqs:{REGION}:123456789012:jobs")
    assert allows(api, "ec2:DescribeInstances", "*")
    assert allows(api, "s3:GetBucketPolicy", "arn:aws:s3:::api-assets")
    assert allows(api, "dynamodb:DescribeTable", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders")
    site = acting_as(roles, "acme-preview-shop-site")
    assert allows(site, "s3:GetBucketTagging", "arn:aws:s3:::shop-site")
    assert not allows(site, "s3:GetBucketTagging", "arn:aws:s3:::someone-else")


def test_a_preview_role_changes_nothing_its_service_could(roles):
    api = acting_as(roles, "acme-preview-api")
    changes = sorted(a for a in expand_patterns(API_ACTIONS) if get_access_level(a) in ("Write", "Tagging", "Permissions management"))
    assert len(changes) > 250
    allowed = [a for a in changes if allows(api, a, "*")]
    assert allowed == []


def test_a_preview_role_reads_no_data(roles):
    api = acting_as(roles, "acme-preview-api")
    for action, resource in [
        ("s3:GetObject", "arn:aws:s3:::api-assets/report.csv"),
        ("s3:GetObjectVersion", "arn:aws:s3:::api-assets/report.csv"),
        ("secretsmanager:GetSecretValue", f"arn:aws:secretsmanager:{REGION}:123456789012:secret:db-AbCdEf"),
        ("secretsmanager:BatchGetSecretValue", "*"),
        ("sqs:ReceiveMessage", f"arn:aws:sqs:{REGION}:123456789012:jobs"),
        ("dynamodb:GetItem", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders"),
        ("dynamodb:Query", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders"),
        ("dynamodb:Scan", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders"),
        ("dynamodb:BatchGetItem", f"arn:aws:dynamodb:{REGION}:123456789012:table/orders"),
        ("ssm:GetParameter", f"arn:aws:ssm:{REGION}:123456789012:parameter/db/password"),
        ("ssm:GetParametersByPath", f"arn:aws:ssm:{REGION}:123456789012:parameter/db"),
        ("kms:Decrypt", f"arn:aws:kms:{REGION}:123456789012:key/abc"),
    ]:
        assert not allows(api, action, resource), action
    reachable = [a for a in sorted(data_read_actions() & expand_patterns(API_ACTIONS)) if allows(api, a, "*")]
    assert reachable == []


def test_a_preview_role_reads_its_own_stacks_exactly_as_preview_needs(roles, outputs):
    bucket = outputs["stateBucketArn"]
    api, shop = acting_as(roles, "acme-preview-api"), acting_as(roles, "acme-preview-shop-site")
    own, handoff = f"{bucket}/.pulumi/stacks/api/prod.json", f"{bucket}/.pulumi/stacks/iam-baseline-handoff/prod.api.json"
    # What `pulumi preview` does on the DIY backend: list the checkpoint's prefix, then get it; read meta.yaml,
    # the stack's tags file, and the handoff stack provider_for references.
    for key in (own, f"{own}.gz", f"{bucket}/.pulumi/stacks/api/prod.pulumi-tags", f"{bucket}/.pulumi/meta.yaml", handoff):
        assert allows(api, "s3:GetObject", key), key
    for prefix in (".pulumi/stacks/api/prod.json", ".pulumi/stacks/iam-baseline-handoff/prod.api.json"):
        assert allows(api, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    # No lock, no write, no history: preview takes none (pkg/backend/diy/backend.go `Preview`).
    for action, key in [
        ("s3:PutObject", own),
        ("s3:DeleteObject", own),
        ("s3:PutObject", f"{bucket}/.pulumi/locks/organization/api/prod/lock.json"),
        ("s3:GetObject", f"{bucket}/.pulumi/history/api/prod/prod-1.history.json"),
        ("s3:PutObject", handoff),
    ]:
        assert not allows(api, action, key), (action, key)
    for prefix in ("", ".pulumi/", ".pulumi/stacks/", ".pulumi/stacks/shop/"):
        assert not allows(api, "s3:ListBucket", bucket, {"s3:prefix": prefix}), prefix
    assert not allows(api, "s3:ListBucket", bucket)
    # Another service's state and handoff, and the baseline's own state: never.
    for key in (
        f"{bucket}/.pulumi/stacks/shop/prod.json",
        f"{bucket}/.pulumi/stacks/iam-baseline-handoff/prod.shop.json",
        f"{bucket}/.pulumi/stacks/iam-baseline/prod.json",
    ):
        assert not allows(api, "s3:GetObject", key), key
    assert allows(shop, "s3:GetObject", f"{bucket}/.pulumi/stacks/shop/prod.json")
    assert not allows(shop, "s3:GetObject", own)
    # The state key: decrypt through S3 only, nothing else.
    (key_arn,) = {
        r for s in roles["acme-preview-api"].policies[0]["Statement"] if s["Sid"] == "DecryptStateThroughS3" for r in s["Resource"]
    }
    assert allows(api, "kms:Decrypt", key_arn, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"})
    assert not allows(api, "kms:Decrypt", key_arn)
    assert not allows(api, "kms:GenerateDataKey", key_arn, {"kms:ViaService": f"s3.{REGION}.amazonaws.com"})
    assert not allows(api, "kms:DescribeKey", key_arn)


def test_a_preview_role_keeps_the_provisioning_roles_guards(roles):
    api = acting_as(roles, "acme-preview-api")
    sids = {s.get("Sid") for s in roles["acme-preview-api"].policies[0]["Statement"]}
    assert {"DenyAssumeRole", "DenyBaselineIam", "DenyLongLivedCredentials", "DenyBaselineState"} <= sids
    assert not allows(api, "sts:AssumeRole", roles["acme-svc-api"].arn)
    assert not allows(api, "iam:GetRole", roles["acme-svc-api"].arn)


def test_the_static_key_path_with_real_calls(prod, outputs):
    preview = outputs["provisioningRoles"]["api"]["previewRole"]
    with EmulatedAccount(prod) as account, account.enforced():
        sqs = account.as_role(preview, "sqs")
        assert not denied(sqs.list_queues)
        assert denied(sqs.create_queue, QueueName="not-from-a-pull-request")
        s3 = account.as_role(preview, "s3")
        bucket = outputs["stateBucketName"]
        assert denied(s3.put_object, Bucket=bucket, Key=".pulumi/stacks/api/prod.json", Body=b"{}")
        assert denied(s3.put_object, Bucket=bucket, Key=".pulumi/locks/organization/api/prod/lock.json", Body=b"{}")
        assert denied(s3.get_object, Bucket=bucket, Key=".pulumi/stacks/iam-baseline/prod.json")
        assert denied(s3.get_object, Bucket=bucket, Key=".pulumi/stacks/shop/prod.json")
        assert denied(s3.get_object, Bucket="someone-elses-bucket", Key="data.csv")
        sts = account.as_role(preview, "sts")
        provisioning = outputs["provisioningRoles"]["api"]
        assert denied(sts.assume_role, RoleArn=provisioning["arn"], RoleSessionName="pull-request", ExternalId=provisioning["externalId"])


def test_review_shows_the_preview_principals_with_nothing_wrong(prod):
    report = review(prod)
    keys = set(collect_principals(prod))
    assert {"preview/api", "preview/shop-site", "preview/shop-orders"} <= keys
    radius = report.blast_radius["credentials"]
    assert all(radius[f"preview/{u}"]["destructiveActions"] == 0 for u in ("api", "shop-site", "shop-orders"))
    assert any(row["principal"] == "preview/api" for row in report.quotas)
    assert [f for f in report.findings if "preview" in f.location] == []


def test_the_handoff_exports_the_preview_roles(outputs):
    api, shop = handoff_stack_outputs(outputs, "api"), handoff_stack_outputs(outputs, "shop")
    assert api["previewRole"] == {k: outputs["provisioningRoles"]["api"]["previewRole"][k] for k in ("arn", "externalId", "githubSubjects")}
    assert "previewRole" not in shop and set(shop["components"]["site"]["previewRole"]) == {"arn", "externalId", "githubSubjects"}
    handoff = service_handoff(outputs, "shop")
    assert handoff.variables["IAM_BASELINE_PREVIEW_ROLE_ARN_SITE"].endswith("/acme-preview-shop-site")
    assert "IAM_BASELINE_PREVIEW_EXTERNAL_ID_ORDERS" in handoff.secrets
    assert service_handoff(outputs, "api").variables["IAM_BASELINE_PREVIEW_ROLE_ARN"].endswith("/acme-preview-api")
