"""A data API's storage: a DynamoDB table and an encrypted SNS topic for its change events."""

import pulumi
import pulumi_aws as aws

from iam_baseline_consume import provider_for

config = pulumi.Config()
service = config.get("service") or "data-api"
deploy = pulumi.ResourceOptions(provider=provider_for(service, stack=config.get("handoffStack")))

key = aws.kms.Key("events", description="Encrypts data-api's change events", enable_key_rotation=True, opts=deploy)
table = aws.dynamodb.Table(
    "orders",
    name="data-api-orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="pk",
    range_key="sk",
    attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S"), aws.dynamodb.TableAttributeArgs(name="sk", type="S")],
    point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
    opts=deploy,
)
topic = aws.sns.Topic("order-events", name="data-api-order-events", kms_master_key_id=key.id, opts=deploy)
pulumi.export("tableName", table.name)
pulumi.export("topicArn", topic.arn)
