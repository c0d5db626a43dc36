"""One baseline role and its inline policy (and any managed policies holding its grant), registered from a RoleArgs."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.design.policies import policy_json
from baseline.stack.args import GrantPolicyArgs, RoleArgs
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
        # The organisation's boundary (organizationBoundary) when it requires one; None (no input at all) otherwise, as before.
        permissions_boundary=args.permissions_boundary,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=trusted_principals),
    )
    attachments = [grant_attachment(grant, role, parent) for grant in args.grant_policies]
    # After the grant's attachments: a role moving its grant out of its inline policy gets it attached
    # before the inline copy goes. Pulumi deletes what is no longer declared last, so moving it back in
    # puts the inline copy first and detaches after (docs/security.md, "Grants over the inline limit").
    aws.iam.RolePolicy(
        f"{args.resource_name}-policy",
        role=role.name,
        name=args.policy_name,
        policy=document_input(args.policy, kms_key_arn),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=attachments),
    )
    return role


def grant_attachment(grant: GrantPolicyArgs, role: aws.iam.Role, parent: pulumi.Resource) -> aws.iam.RolePolicyAttachment:
    """Register one managed policy holding part of the role's grant (under the baseline's path, where no
    service may change it) and its attachment to the role."""
    policy = aws.iam.Policy(
        grant.resource_name,
        name=grant.name,
        path=grant.path,
        description=grant.description,
        policy=policy_json(grant.policy),
        opts=pulumi.ResourceOptions(parent=parent),
    )
    return aws.iam.RolePolicyAttachment(
        f"{grant.resource_name}-attachment", role=role.name, policy_arn=policy.arn, opts=pulumi.ResourceOptions(parent=parent)
    )
