"""The access matrix for the shipped Pulumi.dev.yaml and Pulumi.prod.yaml, in moto with IAM enforcement.

A module of its own so that its emulated accounts never overlap the generated ones in
tests/test_access_matrix.py (moto keeps one global state per process).
"""

import uuid

import pytest

from tests.emulated_account import EmulatedAccount, denied
from tests.helpers import render_shipped


@pytest.fixture(scope="module", params=["dev", "prod"])
def shipped(request):
    with EmulatedAccount(render_shipped(request.param)) as account:
        account.stack = request.param
        sqs = account.admin("sqs")
        account.queue_urls = {name: sqs.create_queue(QueueName=f"{name}-queue")["QueueUrl"] for name in ("etl", "billing")}
        yield account


def test_shipped_etl_role_is_held_to_its_resource_arns(shipped):
    etl = shipped.outputs["provisioningRoles"]["etl-processor"]
    suffix = uuid.uuid4().hex[:8]
    with shipped.enforced():
        s3, sqs = shipped.as_role(etl, "s3"), shipped.as_role(etl, "sqs")
        s3.create_bucket(Bucket=f"acme-etl-{suffix}", CreateBucketConfiguration={"LocationConstraint": shipped.region})
        s3.put_bucket_tagging(Bucket=f"acme-etl-{suffix}", Tagging={"TagSet": [{"Key": "team", "Value": "etl"}]})
        assert denied(s3.create_bucket, Bucket=f"not-etl-{suffix}", CreateBucketConfiguration={"LocationConstraint": shipped.region})
        # It manages its buckets, never their data: no object call was granted.
        assert denied(s3.put_object, Bucket=f"acme-etl-{suffix}", Key="in/x.csv", Body=b"a,b")
        # moto checks a queue that does not exist yet against "*", so the queues are made up front.
        assert denied(sqs.set_queue_attributes, QueueUrl=shipped.queue_urls["billing"], Attributes={"DelaySeconds": "5"})
        sqs.set_queue_attributes(QueueUrl=shipped.queue_urls["etl"], Attributes={"DelaySeconds": "5"})
        assert denied(sqs.send_message, QueueUrl=shipped.queue_urls["etl"], MessageBody="go"), "no data-plane call"
        assert denied(shipped.as_role(etl, "dynamodb").list_tables), "etl-processor was never granted DynamoDB"
        assert denied(s3.delete_bucket, Bucket=f"acme-etl-{suffix}") is (shipped.stack == "prod")


def test_shipped_roles_cannot_assume_each_other(shipped):
    roles = shipped.all_roles()
    with shipped.enforced():
        for name, role in shipped.outputs["provisioningRoles"].items():
            sts = shipped.as_role(role, "sts")
            for other, target in roles.items():
                if other != name:
                    assert denied(sts.assume_role, RoleArn=target["arn"], RoleSessionName="chain", ExternalId=target["externalId"]), (
                        f"{name} assumed {other}"
                    )
