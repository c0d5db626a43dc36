"""CiPrincipal: the IAM user CI authenticates as, able to do one thing, sts:AssumeRole, through its group."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.design.policies import policy_json
from baseline.stack.args import CiPrincipalArgs


class CiPrincipal(pulumi.ComponentResource):
    """The CI user, its sts-only permissions boundary, its group and policy, and (opt-in) its access key."""

    user: aws.iam.User
    access_key: aws.iam.AccessKey | None

    def __init__(self, name: str, args: CiPrincipalArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iam-baseline:index:CiPrincipal", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        boundary: pulumi.Input[str]
        if args.organization_boundary is None:
            boundary = aws.iam.Policy(
                f"{name}-boundary",
                name=args.boundary_name,
                path=args.path,
                description="Caps the CI user at sts:AssumeRole on the baseline's roles, whatever else is attached",
                policy=policy_json(args.boundary_policy),
                opts=child,
            ).arn
        else:  # a principal has one boundary: the organisation's; the group policy's own Deny statements cap the user
            boundary = args.organization_boundary
        self.user = aws.iam.User(f"{name}-user", name=args.user_name, path=args.path, permissions_boundary=boundary, opts=child)
        # CIS AWS Foundations 1.15: users receive permissions only through groups.
        group = aws.iam.Group(f"{name}-group", name=args.group_name, path=args.path, opts=child)
        aws.iam.GroupPolicy(
            f"{name}-group-policy",
            group=group.name,
            name="assume-baseline-roles",
            policy=policy_json(args.group_policy),
            opts=child,
        )
        aws.iam.GroupMembership(f"{name}-membership", group=group.name, users=[self.user.name], opts=child)
        self.access_key = None
        if args.create_access_key:
            self.access_key = aws.iam.AccessKey(f"{name}-access-key", user=self.user.name, opts=child)
        self.register_outputs({"userArn": self.user.arn})
