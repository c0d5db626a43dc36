"""StateBackend: the hardened S3 bucket (and optional KMS key) holding Pulumi's state, and the
state role that is the only principal allowed to read and write it."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.design.policies import policy_json
from baseline.stack.args import StateBackendArgs
from baseline.stack.roles import role_with_policy

ABORT_INCOMPLETE_UPLOAD_DAYS = 7


class StateBackend(pulumi.ComponentResource):
    """The state bucket, its key and the state role, as one unit."""

    bucket: aws.s3.Bucket
    kms_key: aws.kms.Key | None
    role: aws.iam.Role | None  # the shared state role, with stateIsolation shared only

    def __init__(
        self,
        name: str,
        args: StateBackendArgs,
        external_id: pulumi.Output[str] | None,
        trusted_principals: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("iam-baseline:index:StateBackend", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Losing the bucket or its key loses every stack's state: neither may be destroyed by Pulumi.
        keep = pulumi.ResourceOptions(parent=self, protect=True)

        self.kms_key = None
        key_arn: pulumi.Output[str] | None = None
        if args.kms:
            self.kms_key = aws.kms.Key(
                f"{name}-key",
                description=f"Encrypts the Pulumi state in s3://{args.bucket_name}",
                enable_key_rotation=True,
                deletion_window_in_days=30,
                opts=keep,
            )
            aws.kms.Alias(f"{name}-key-alias", name=args.kms_alias, target_key_id=self.kms_key.key_id, opts=child)
            key_arn = self.kms_key.arn

        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket=args.bucket_name, force_destroy=args.force_destroy, opts=keep)
        bucket_id = self.bucket.id
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership",
            bucket=bucket_id,
            rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
            opts=child,
        )
        public_access = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access",
            bucket=bucket_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=bucket_id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=child,
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=bucket_id,
            rules=[_encryption_rule(self.kms_key)],
            opts=child,
        )
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=bucket_id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id="expire-noncurrent-state-versions",
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    noncurrent_version_expiration=aws.s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                        noncurrent_days=args.noncurrent_version_days
                    ),
                    abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                        days_after_initiation=ABORT_INCOMPLETE_UPLOAD_DAYS
                    ),
                )
            ],
            opts=child,
        )
        aws.s3.BucketPolicy(
            f"{name}-tls-only",
            bucket=bucket_id,
            policy=policy_json(args.bucket_policy),
            # S3 rejects policy writes that race the public-access block.
            opts=pulumi.ResourceOptions(parent=self, depends_on=[public_access]),
        )

        self.role = None
        if args.shared_state_role is not None:
            self.role = role_with_policy(args.shared_state_role, external_id, key_arn, self, trusted_principals or [])
        self.register_outputs({"bucketArn": self.bucket.arn})


def _encryption_rule(key: aws.kms.Key | None) -> aws.s3.BucketServerSideEncryptionConfigurationRuleArgs:
    if key is None:
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(sse_algorithm="AES256")
        return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(apply_server_side_encryption_by_default=default)
    default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
        sse_algorithm="aws:kms", kms_master_key_id=key.arn
    )
    # A bucket key cuts KMS requests (and cost) by orders of magnitude for state reads and writes.
    return aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(apply_server_side_encryption_by_default=default, bucket_key_enabled=True)
