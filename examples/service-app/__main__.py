"""A service deploying an SQS queue and an S3 bucket under its iam-baseline provisioning role."""

import json

import pulumi
import pulumi_aws as aws

from iam_baseline_consume import provider_for

config = pulumi.Config()
service = config.get("service") or "etl-processor"
provider = provider_for(
    service,
    stack=config.get("handoffStack"),  # else $IAM_BASELINE_HANDOFF_STACK, a variable `handoff` gives the repository
    web_identity_token_file=config.get("webIdentityTokenFile"),  # set by the OIDC workflow
    preview=config.get_bool("preview") or False,  # set by the pull-request job: the read-only preview role
)
deploy = pulumi.ResourceOptions(provider=provider)

# Names fit the role's resource ARNs in the baseline (arn:aws:sqs:...:etl-*, arn:aws:s3:::acme-etl-*).
dead_letters = aws.sqs.Queue("dead-letters", name="etl-jobs-dlq", message_retention_seconds=1_209_600, opts=deploy)
jobs = aws.sqs.Queue(
    "jobs",
    name="etl-jobs",
    redrive_policy=dead_letters.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})),
    opts=deploy,
)
bucket = aws.s3.Bucket("landing", bucket_prefix="acme-etl-landing-", opts=deploy)
aws.s3.BucketPublicAccessBlock(
    "landing-private",
    bucket=bucket.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
    opts=deploy,
)

pulumi.export("queueUrl", jobs.url)
pulumi.export("bucketName", bucket.bucket)
