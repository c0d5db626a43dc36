"""A queue worker: SQS feeding a Lambda function, with its execution role and log group."""

import json

import pulumi
import pulumi_aws as aws

from iam_baseline_consume import iam_placement, provider_for

config = pulumi.Config()
service = config.get("service") or "worker-lambda"
handoff_stack = config.get("handoffStack")
deploy = pulumi.ResourceOptions(provider=provider_for(service, stack=handoff_stack))

role = aws.iam.Role(
    "handler",
    name="worker-handler",
    **iam_placement(service, stack=handoff_stack),  # the only path and boundary the escalation guard accepts
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }
    ),
    opts=deploy,
)
logs = aws.cloudwatch.LogGroup("handler-logs", name="/aws/lambda/worker-handler", retention_in_days=14, opts=deploy)
jobs = aws.sqs.Queue("jobs", name="worker-jobs", visibility_timeout_seconds=120, opts=deploy)
handler = aws.lambda_.Function(
    "handler",
    name="worker-handler",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    timeout=60,
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context):\n    return len(event.get('Records', []))\n")}),
    opts=deploy,
)
aws.lambda_.EventSourceMapping("jobs-to-handler", event_source_arn=jobs.arn, function_name=handler.name, batch_size=10, opts=deploy)
pulumi.export("queueUrl", jobs.url)
