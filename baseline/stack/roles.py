"""One baseline role and its inline policy, registered from a RoleArgs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.stack.args import RoleArgs
from baseline.stack.pulumi_inputs import document_input


def role_with_policy(
    args: RoleArgs,
    external_id: pulumi.Output[str] | None,
    kms_key_arn: pulumi.Output[str] | None,
    parent: pulumi.Resource,
    trusted_principals: list[pulumi.Resource],
) -> aws.iam.Role:
    """Register the role (after the principals its trust names: IAM refuses unknown ones) and its policy."""
    role = aws.iam.Role(
        args.resource_name,
        name=args.name,
        path=args.path,
        description=args.description,
        max_session_duration=args.max_session_duration,
        assume_role_policy=document_input(args.trust, external_id),
        tags={"iam-baseline:service": args.service} if args.service else None,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=trusted_principals),
    )
    aws.iam.RolePolicy(
        f"{args.resource_name}-policy",
        role=role.name,
        name=args.policy_name,
        policy=document_input(args.policy, kms_key_arn),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return role
