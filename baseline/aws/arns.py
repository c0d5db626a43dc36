"""ARNs derived from the catalogue's ARN formats, never typed by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

from baseline.aws.catalog import get_arn_template

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")


@dataclass(frozen=True)
class AccountContext:
    """Where the baseline is deployed: what every ARN and service endpoint is derived from."""

    account_id: str
    region: str
    partition: str
    dns_suffix: str


def format_arn(ctx: AccountContext, service: str, resource_type: str, **parts: str) -> str:
    """Return the ARN of a catalogue resource type with its `${Name}` placeholders filled in."""
    values = {"Partition": ctx.partition, "Account": ctx.account_id, "Region": ctx.region, **parts}

    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key not in values:
            raise KeyError(f"ARN format for {service}/{resource_type} needs ${{{key}}}")
        return values[key]

    return _PLACEHOLDER.sub(fill, get_arn_template(service, resource_type))


def _path_prefix(path: str) -> str:
    return path.lstrip("/")


def role_arn(ctx: AccountContext, path: str, name: str) -> str:
    """Return the ARN of an IAM role under `path`."""
    return format_arn(ctx, "iam", "role", RoleNameWithPath=_path_prefix(path) + name)


def user_arn(ctx: AccountContext, path: str, name: str) -> str:
    """Return the ARN of an IAM user under `path`."""
    return format_arn(ctx, "iam", "user", UserNameWithPath=_path_prefix(path) + name)


def policy_arn(ctx: AccountContext, path: str, name: str) -> str:
    """Return the ARN of a customer managed policy under `path`."""
    return format_arn(ctx, "iam", "policy", PolicyNameWithPath=_path_prefix(path) + name)


def iam_path_arns(ctx: AccountContext, path: str, instance_profiles: bool = False) -> list[str]:
    """Return ARN patterns covering every role, user, group and policy (and instance profile) under an IAM path."""
    wildcard = _path_prefix(path) + "*"
    patterns = [
        format_arn(ctx, "iam", "role", RoleNameWithPath=wildcard),
        format_arn(ctx, "iam", "user", UserNameWithPath=wildcard),
        format_arn(ctx, "iam", "group", GroupNameWithPath=wildcard),
        format_arn(ctx, "iam", "policy", PolicyNameWithPath=wildcard),
    ]
    if instance_profiles:
        patterns.append(format_arn(ctx, "iam", "instance-profile", InstanceProfileNameWithPath=wildcard))
    return sorted(patterns)


def service_linked_role_arns(ctx: AccountContext) -> str:
    """Return the ARN pattern of AWS service-linked roles (created by AWS services on first use)."""
    return format_arn(ctx, "iam", "role", RoleNameWithPath="aws-service-role/*")


def bucket_arn(ctx: AccountContext, bucket: str) -> str:
    """Return the ARN of an S3 bucket."""
    return format_arn(ctx, "s3", "bucket", BucketName=bucket)


def object_arn(ctx: AccountContext, bucket: str, key: str) -> str:
    """Return the ARN (or ARN pattern, with `*`) of objects in an S3 bucket."""
    return format_arn(ctx, "s3", "object", BucketName=bucket, ObjectName=key)


def kms_key_arn(ctx: AccountContext, key_id: str) -> str:
    """Return the ARN of a KMS key."""
    return format_arn(ctx, "kms", "key", KeyId=key_id)
