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
    state_roles: dict[str, aws.iam.Role]

    def __init__(
        self,
        name: str,
        blueprint: Blueprint,
        external_ids: dict[str, pulumi.Output[str]],  # by role name; empty without the CI user
        kms_key_arn: pulumi.Output[str] | None,
        trusted_principals: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("iam-baseline:index:ServiceRoles", name, None, opts)
        bp = blueprint
        trust_opts = pulumi.ResourceOptions(parent=self, depends_on=trusted_principals or [])
        self.roles = {}
        self.state_roles: dict[str, aws.iam.Role] = {}
        for plan in bp.services:
            service = plan.service.name
            role = aws.iam.Role(
                f"{name}-{service}",
                name=plan.role_name,
                path=bp.iam_path,
                description=f"Deploys service {service}; delete actions {'allowed' if plan.service.allow_delete else 'denied'}",
                max_session_duration=bp.config.ci.max_session_duration,
                assume_role_policy=trust_policy_input(bp, plan.subjects, external_ids.get(plan.role_name)),
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
            if plan.state_role_name is not None:
                self.state_roles[service] = self._state_role(
                    name, bp, plan, external_ids.get(plan.state_role_name), kms_key_arn, trust_opts
                )
        self.register_outputs({})

    def _state_role(
        self,
        name: str,
        bp: Blueprint,
        plan: ServiceRolePlan,
        external_id: pulumi.Output[str] | None,
        kms_key_arn: pulumi.Output[str] | None,
        trust_opts: pulumi.ResourceOptions,
    ) -> aws.iam.Role:
        """Register a service's own state role: its Pulumi project's keys in the bucket, nothing else."""
        service = plan.service.name
        role = aws.iam.Role(
            f"{name}-{service}-state",
            name=plan.state_role_name,
            path=bp.iam_path,
            description=f"Reads and writes the Pulumi state of project {plan.service.pulumi_project} only",
            max_session_duration=bp.config.ci.max_session_duration,
            assume_role_policy=trust_policy_input(bp, plan.subjects, external_id),
            tags={"iam-baseline:service": service},
            opts=trust_opts,
        )
        aws.iam.RolePolicy(
            f"{name}-{service}-state-policy",
            role=role.name,
            name="pulumi-state",
            policy=_policy_input(bp, plan, kms_key_arn, bp.project_state_policy),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return role


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
