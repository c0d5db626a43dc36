"""ServiceRoles: one provisioning role per service, each trusted only by the CI principal.

Two resources per service (the role and its inline policy), so a thousand services stay cheap
to plan; external IDs come from the caller, derived from one seed rather than one resource each.
A service that manages IAM gets a third: the permissions boundary for the roles it creates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from baseline.blueprint import Blueprint, ServiceRolePlan
from baseline.policies import Document, render
from baseline.pulumi_inputs import trust_policy_input


class ServiceRoles(pulumi.ComponentResource):
    """The provisioning roles of every configured service, keyed by service name."""

    roles: dict[str, aws.iam.Role]

    def __init__(
        self,
        name: str,
        blueprint: Blueprint,
        external_ids: dict[str, pulumi.Output[str]],  # by service; empty without the CI user
        kms_key_arn: pulumi.Output[str] | None,
        trusted_principals: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("iam-baseline:index:ServiceRoles", name, None, opts)
        bp = blueprint
        trust_opts = pulumi.ResourceOptions(parent=self, depends_on=trusted_principals or [])
        self.roles = {}
        for plan in bp.services:
            service = plan.service.name
            role = aws.iam.Role(
                f"{name}-{service}",
                name=plan.role_name,
                path=bp.iam_path,
                description=f"Deploys service {service}; delete actions {'allowed' if plan.service.allow_delete else 'denied'}",
                max_session_duration=bp.config.ci.max_session_duration,
                assume_role_policy=trust_policy_input(bp, plan.subjects, external_ids.get(service)),
                tags={"iam-baseline:service": service},
                opts=trust_opts,
            )
            aws.iam.RolePolicy(
                f"{name}-{service}-policy",
                role=role.name,
                name="provisioning",
                policy=_policy_input(bp, plan, kms_key_arn, bp.service_policy),
                opts=pulumi.ResourceOptions(parent=self),
            )
            if plan.boundary_name is not None:
                # Roles the service creates must carry this; it lives under the baseline's path,
                # where the service itself may not change it.
                aws.iam.Policy(
                    f"{name}-{service}-boundary",
                    name=plan.boundary_name,
                    path=bp.iam_path,
                    description=f"Permissions boundary for the roles and users service {service} creates",
                    policy=_policy_input(bp, plan, kms_key_arn, bp.service_boundary),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            self.roles[service] = role
        self.register_outputs({})


DocumentBuilder = Callable[[ServiceRolePlan, str | None], Document | None]


def _policy_input(
    bp: Blueprint, plan: ServiceRolePlan, kms_key_arn: pulumi.Output[str] | None, build: DocumentBuilder
) -> pulumi.Input[str]:
    # Without KMS the document is known now: a plain string spares an Output per role.
    if kms_key_arn is None:
        return _render(build, plan, None)
    return kms_key_arn.apply(functools.partial(_render, build, plan))


def _render(build: DocumentBuilder, plan: ServiceRolePlan, kms_key_arn: str | None) -> str:
    document = build(plan, kms_key_arn)
    assert document is not None
    return render(document)
