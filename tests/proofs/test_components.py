"""Component manifests and per-component roles, attacked in moto with IAM enforcement.

The Acme example library (examples/components) ships two manifests generated from its code. A service
declared only as `uses: [...]` deploys both components with its one role; a service split into
components gets one role per component, and a leaked session of one component's role cannot create
or change the other's resources. In prod, neither can delete.

The deploy recipes below make the calls the AWS provider makes to create each component's resources
(the create, read and tag rows of baseline/aws/permissions/s3.yaml and sqs.yaml, which cite the
provider's code), as the role under test.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.emulated_account import EmulatedAccount, denied
from tests.helpers import render

SERVICES = {
    # One role for the whole service, its grant named only by the components it uses. The queue
    # manifest is unscoped (moto checks CreateQueue against `*`), so this role's resources are `*`.
    "catalog": {"uses": ["acme.static-site", "acme.queue-worker"], "placeholders": {"sitePrefix": "catalog"}},
    # The site manifest alone: its resources, `arn:aws:s3:::{sitePrefix}-*`, scope the role.
    "docs": {"uses": ["acme.static-site"], "placeholders": {"sitePrefix": "docs"}},
    # One role per component.
    "storefront": {
        "placeholders": {"sitePrefix": "storefront"},
        "components": {"site": {"uses": ["acme.static-site"]}, "orders": {"uses": ["acme.queue-worker"]}},
    },
}


def deploy_static_site(session: boto3.Session, prefix: str) -> str:
    """Create a StaticSite's resources as the provider does (bucket, then its three settings), reading each back."""
    s3 = session.client("s3")
    bucket = f"{prefix}-files-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": session.region_name})
    # The provider then waits with HeadBucket, which AWS authorizes as s3:ListBucket; moto checks an
    # `s3:HeadBucket` action IAM does not have, so the wait is left out here.
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "component", "Value": "static-site"}]})
    s3.get_bucket_tagging(Bucket=bucket)
    s3.get_bucket_acl(Bucket=bucket)
    s3.put_public_access_block(
        Bucket=bucket,
        PublicAccessBlockConfiguration=dict.fromkeys(
            ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
        ),
    )
    s3.get_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.get_bucket_ownership_controls(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.get_bucket_versioning(Bucket=bucket)
    return bucket


def deploy_queue_worker(session: boto3.Session, prefix: str) -> str:
    """Create a QueueWorker's queues as the provider does (CreateQueue with attributes and tags, then reads)."""
    sqs = session.client("sqs")
    suffix = uuid.uuid4().hex[:7]
    dead = sqs.create_queue(QueueName=f"{prefix}-dead-letters-{suffix}", Attributes={"MessageRetentionPeriod": "1209600"})["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["All"])["Attributes"]["QueueArn"]
    sqs.list_queue_tags(QueueUrl=dead)
    redrive = json.dumps({"deadLetterTargetArn": dead_arn, "maxReceiveCount": 5})
    jobs = sqs.create_queue(
        QueueName=f"{prefix}-jobs-{suffix}",
        Attributes={"VisibilityTimeout": "60", "RedrivePolicy": redrive},
        tags={"component": "queue-worker"},
    )["QueueUrl"]
    sqs.get_queue_attributes(QueueUrl=jobs, AttributeNames=["All"])
    sqs.list_queue_tags(QueueUrl=jobs)
    return jobs


def _session(account: EmulatedAccount, role: dict[str, Any]) -> boto3.Session:
    return boto3.Session(**account.role_credentials(role["arn"], role.get("externalId")), region_name=account.region)


@pytest.fixture(scope="module", params=["dev", "prod"])
def account(request):
    rendering = render(
        {"environment": request.param, "ci": {"createAccessKey": True}, "services": SERVICES}, stack=request.param, region="eu-west-1"
    )
    with EmulatedAccount(rendering) as emulated:
        yield emulated


def _roles(account: EmulatedAccount) -> dict[str, dict[str, Any]]:
    return account.all_roles()


def test_a_split_service_has_one_role_per_component_and_none_of_its_own(account):
    roles = _roles(account)
    assert {"storefront/site", "storefront/orders", "catalog"} <= set(roles)
    assert "storefront" not in roles
    names = {r["arn"].rsplit("/", 1)[1] for r in roles.values()}
    assert {"iam-baseline-svc-storefront-site", "iam-baseline-svc-storefront-orders", "iam-baseline-svc-catalog"} <= names


def test_a_service_declared_only_by_the_components_it_uses_deploys_them(account):
    with account.enforced():
        session = _session(account, _roles(account)["catalog"])
        bucket = deploy_static_site(session, "catalog")
        deploy_queue_worker(session, "catalog")
    assert account.admin("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert account.admin("sqs").list_queues(QueueNamePrefix="catalog-jobs-")["QueueUrls"]


def test_a_manifests_resources_scope_the_role_to_the_services_names(account):
    with account.enforced():
        docs = _session(account, _roles(account)["docs"])
        deploy_static_site(docs, "docs")
        s3 = docs.client("s3")
        assert denied(s3.create_bucket, Bucket="storefront-files-x", CreateBucketConfiguration={"LocationConstraint": account.region})
        assert denied(s3.put_bucket_versioning, Bucket="someone-elses-bucket", VersioningConfiguration={"Status": "Suspended"})


def test_each_component_role_deploys_its_component_and_cannot_touch_the_other(account):
    roles = _roles(account)
    with account.enforced():
        site = _session(account, roles["storefront/site"])
        orders = _session(account, roles["storefront/orders"])
        bucket = deploy_static_site(site, "storefront")
        queue = deploy_queue_worker(orders, "orders")
        # The site's role: no queue may be created, and the orders queue cannot be changed, tagged or read.
        assert denied(site.client("sqs").create_queue, QueueName="orders-jobs-evil")
        assert denied(site.client("sqs").set_queue_attributes, QueueUrl=queue, Attributes={"VisibilityTimeout": "0"})
        assert denied(site.client("sqs").tag_queue, QueueUrl=queue, Tags={"owner": "site"})
        assert denied(site.client("sqs").get_queue_attributes, QueueUrl=queue, AttributeNames=["All"])
        # The orders role: no bucket may be created, and the site's bucket cannot be changed.
        assert denied(
            orders.client("s3").create_bucket, Bucket="storefront-evil", CreateBucketConfiguration={"LocationConstraint": account.region}
        )
        assert denied(orders.client("s3").put_bucket_versioning, Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
        assert denied(orders.client("s3").delete_public_access_block, Bucket=bucket)
        assert denied(orders.client("s3").put_bucket_tagging, Bucket=bucket, Tagging={"TagSet": []})
    assert account.admin("s3").get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_component_roles_delete_only_outside_prod(account):
    roles = _roles(account)
    prod = account.rendering.stack == "prod"
    with account.enforced():
        site = _session(account, roles["storefront/site"])
        orders = _session(account, roles["storefront/orders"])
        bucket = deploy_static_site(site, "storefront")
        queue = deploy_queue_worker(orders, "orders")
        assert denied(site.client("s3").delete_bucket, Bucket=bucket) is prod
        assert denied(orders.client("sqs").delete_queue, QueueUrl=queue) is prod


def test_a_component_role_cannot_assume_its_sibling(account):
    roles = _roles(account)
    with account.enforced():
        site = _session(account, roles["storefront/site"])
        try:
            site.client("sts").assume_role(RoleArn=roles["storefront/orders"]["arn"], RoleSessionName="hop")
        except ClientError as error:
            assert error.response["Error"]["Code"] == "AccessDenied"
        else:
            pytest.fail("the site component's session assumed the orders component's role")
