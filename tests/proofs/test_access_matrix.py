"""The access matrix, proved with real boto3 calls against moto with IAM enforcement on.

Each test acts as one principal of a rendered baseline (the shipped stacks, and a config built to
exercise services moto enforces: S3, SQS, DynamoDB, IAM, STS). What moto cannot decide is proved in
tests/test_policy_simulation.py; see tests/emulated_account.py for the split.
"""

import uuid

import pytest

from tests.emulated_account import EmulatedAccount, denied
from tests.helpers import render

MATRIX_SERVICES = {
    "worker": {"actions": ["sqs:*", "dynamodb:*", "s3:*"]},
    "platform": {"actions": ["iam:*", "s3:*"]},
}
TABLE = {
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "BillingMode": "PAY_PER_REQUEST",
}


@pytest.fixture(scope="module", params=["dev", "prod"])
def matrix(request):
    with EmulatedAccount(render({"services": MATRIX_SERVICES}, stack=request.param, region="eu-west-1")) as account:
        account.stack = request.param
        yield account


def test_ci_key_assumes_every_role_with_that_roles_external_id(matrix):
    with matrix.enforced():
        for name, role in matrix.all_roles().items():
            identity = matrix.as_role(role, "sts").get_caller_identity()
            assert role["arn"].rsplit("/", 1)[1] in identity["Arn"], f"CI key could not act as {name}"


def test_ci_key_is_refused_with_a_wrong_or_another_roles_external_id(matrix):
    roles = matrix.all_roles()
    with matrix.enforced():
        for name, role in roles.items():
            assert denied(matrix.role_credentials, role["arn"], "not-the-external-id"), f"{name} accepted a wrong external ID"
            for other, other_role in roles.items():
                if other != name:
                    assert denied(matrix.role_credentials, role["arn"], other_role["externalId"]), f"{name} accepted {other}'s external ID"


def test_ci_key_can_do_nothing_but_assume_roles(matrix):
    bucket = matrix.outputs["stateBucketName"]
    with matrix.enforced():
        assert denied(matrix.as_ci("s3").list_buckets)
        assert denied(matrix.as_ci("s3").list_objects_v2, Bucket=bucket)
        assert denied(matrix.as_ci("s3").get_object, Bucket=bucket, Key=".pulumi/meta.yaml")
        assert denied(matrix.as_ci("iam").list_users)
        assert denied(matrix.as_ci("sqs").list_queues)
        assert denied(matrix.as_ci("dynamodb").list_tables)
        assert denied(matrix.as_ci("sts").assume_role, RoleArn="arn:aws:iam::123456789012:role/not-a-baseline-role", RoleSessionName="x1")


def test_state_role_reads_and_writes_only_pulumi_state(matrix):
    bucket = matrix.outputs["stateBucketName"]
    key = ".pulumi/stacks/worker/dev.json"
    worker_state = matrix.outputs["provisioningRoles"]["worker"]["stateRole"]
    with matrix.enforced():
        s3 = matrix.as_role(worker_state, "s3")
        s3.put_object(Bucket=bucket, Key=key, Body=b"{}")
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"{}"
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=".pulumi/stacks/worker/")["Contents"]] == [key]
        s3.delete_object(Bucket=bucket, Key=key)
        assert denied(s3.put_object, Bucket=bucket, Key="outside-backend-prefix.json", Body=b"{}")
        assert denied(s3.put_object, Bucket=bucket, Key=".pulumi/stacks/iam-baseline/dev.json", Body=b"{}")
        assert denied(s3.list_objects_v2, Bucket="someone-elses-bucket")
        assert denied(s3.put_object, Bucket="someone-elses-bucket", Key=".pulumi/x", Body=b"{}")
        state = matrix.as_role(worker_state, "iam")
        assert denied(state.list_roles)
        sts = matrix.as_role(worker_state, "sts")
        worker = matrix.outputs["provisioningRoles"]["worker"]
        assert denied(sts.assume_role, RoleArn=worker["arn"], RoleSessionName="chain", ExternalId=worker["externalId"])


def test_provisioning_role_does_its_services_work_and_nothing_else(matrix):
    worker = matrix.outputs["provisioningRoles"]["worker"]
    name = f"w-{uuid.uuid4().hex[:8]}"
    with matrix.enforced():
        sqs = matrix.as_role(worker, "sqs")
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        sqs.send_message(QueueUrl=url, MessageBody="hello")
        matrix.as_role(worker, "dynamodb").create_table(TableName=name, **TABLE)
        s3 = matrix.as_role(worker, "s3")
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": matrix.region})
        s3.put_object(Bucket=name, Key="k", Body=b"v")
        assert denied(matrix.as_role(worker, "iam").list_roles), "worker was never granted IAM"
        assert denied(
            matrix.as_role(worker, "sts").assume_role,
            RoleArn=worker["stateRole"]["arn"],
            RoleSessionName="chain",
            ExternalId=worker["stateRole"]["externalId"],
        )


def test_deletes_are_denied_in_prod_and_allowed_in_dev(matrix):
    worker = matrix.outputs["provisioningRoles"]["worker"]
    assert worker["allowDelete"] is (matrix.stack == "dev")
    name = f"d-{uuid.uuid4().hex[:8]}"
    with matrix.enforced():
        sqs, dynamodb, s3 = (matrix.as_role(worker, s) for s in ("sqs", "dynamodb", "s3"))
        url = sqs.create_queue(QueueName=name)["QueueUrl"]
        dynamodb.create_table(TableName=name, **TABLE)
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": matrix.region})
        s3.put_object(Bucket=name, Key="k", Body=b"v")
        results = {
            "sqs:DeleteQueue": denied(sqs.delete_queue, QueueUrl=url),
            "dynamodb:DeleteTable": denied(dynamodb.delete_table, TableName=name),
            "s3:DeleteObject": denied(s3.delete_object, Bucket=name, Key="k"),
        }
        results["s3:DeleteBucket"] = denied(s3.delete_bucket, Bucket=name)
    expected = matrix.stack == "prod"
    assert results == dict.fromkeys(results, expected), f"{matrix.stack}: denied? {results}"


def test_no_provisioning_role_touches_the_state_bucket(matrix):
    bucket = matrix.outputs["stateBucketName"]
    with matrix.enforced():
        for name, role in matrix.outputs["provisioningRoles"].items():
            s3 = matrix.as_role(role, "s3")
            assert denied(s3.list_objects_v2, Bucket=bucket), f"{name} listed the state bucket"
            assert denied(s3.get_object, Bucket=bucket, Key=".pulumi/meta.yaml"), f"{name} read state"
            assert denied(s3.put_object, Bucket=bucket, Key=".pulumi/meta.yaml", Body=b"x"), f"{name} wrote state"
            assert denied(s3.put_bucket_policy, Bucket=bucket, Policy="{}"), f"{name} changed the bucket policy"


def test_an_iam_granted_role_cannot_change_the_baselines_roles(matrix):
    platform = matrix.outputs["provisioningRoles"]["platform"]
    trust = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
    admin = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    with matrix.enforced():
        iam = matrix.as_role(platform, "iam")
        # Creating its own roles (own path, with its boundary) is proved in test_escalation_guard.py:
        # moto cannot evaluate the NotResource and iam:PermissionsBoundary conditions involved.
        for name, role in matrix.all_roles().items():
            role_name = role["arn"].rsplit("/", 1)[1]
            assert denied(iam.put_role_policy, RoleName=role_name, PolicyName="escalate", PolicyDocument=admin), f"platform widened {name}"
            assert denied(iam.update_assume_role_policy, RoleName=role_name, PolicyDocument=trust), f"platform retrusted {name}"
            assert denied(
                iam.delete_role_policy, RoleName=role_name, PolicyName="pulumi-state" if name.endswith("state") else "provisioning"
            )
