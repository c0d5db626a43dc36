"""CiPrincipal: the IAM user CI authenticates as, able to do one thing, sts:AssumeRole, through its group."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.design.blueprint import Blueprint
from baseline.design.policies import policy_json


class CiPrincipal(pulumi.ComponentResource):
    """The CI user, its sts-only permissions boundary, its group and policy, and (opt-in) its access key."""

    user: aws.iam.User
    access_key: aws.iam.AccessKey | None

    def __init__(self, name: str, blueprint: Blueprint, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iam-baseline:index:CiPrincipal", name, None, opts)
        bp = blueprint
        child = pulumi.ResourceOptions(parent=self)
        boundary = aws.iam.Policy(
            f"{name}-boundary",
            name=bp.ci_boundary_policy_name,
            path=bp.iam_path,
            description="Caps the CI user at sts:AssumeRole on the baseline's roles, whatever else is attached",
            policy=policy_json(bp.ci_boundary_policy()),
            opts=child,
        )
        self.user = aws.iam.User(
            f"{name}-user",
            name=bp.ci_user_name,
            path=bp.iam_path,
            permissions_boundary=boundary.arn,
            opts=child,
        )
        # CIS AWS Foundations 1.15: users receive permissions only through groups.
        group = aws.iam.Group(f"{name}-group", name=bp.ci_group_name, path=bp.iam_path, opts=child)
        aws.iam.GroupPolicy(
            f"{name}-group-policy",
            group=group.name,
            name="assume-baseline-roles",
            policy=policy_json(bp.ci_group_policy()),
            opts=child,
        )
        aws.iam.GroupMembership(f"{name}-membership", group=group.name, users=[self.user.name], opts=child)
        self.access_key = None
        if bp.config.ci.create_access_key:
            self.access_key = aws.iam.AccessKey(f"{name}-access-key", user=self.user.name, opts=child)
        self.register_outputs({"userArn": self.user.arn})
