"""ServiceRoles: one provisioning role per service, each trusted only by the CI principal.

Two resources per service (the role and its inline policy), so a thousand services stay cheap
to plan; external IDs come from the caller, derived from one seed rather than one resource each.
A service that manages IAM gets a third: the permissions boundary for the roles it creates.
"""

from __future__ import annotations

import functools

import pulumi
import pulumi_aws as aws

from baseline.design.blueprint import Blueprint, ServiceRolePlan
from baseline.stack.pulumi_inputs import document_input, trust_policy_input


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
            role = self._role_with_policy(
                f"{name}-{service}",
                plan.role_name,
                f"Deploys service {service}; delete actions {'allowed' if plan.service.allow_delete else 'denied'}",
                trust_policy_input(bp, plan.subjects, external_ids.get(plan.role_name)),
                ("provisioning", document_input(functools.partial(bp.service_policy, plan), kms_key_arn)),
                bp,
                service,
                trust_opts,
            )
            if plan.boundary_name is not None:
                # Roles the service creates must carry this; it lives under the baseline's path,
                # where the service itself may not change it.
                aws.iam.Policy(
                    f"{name}-{service}-boundary",
                    name=plan.boundary_name,
                    path=bp.iam_path,
                    description=f"Permissions boundary for the roles and users service {service} creates",
                    policy=document_input(functools.partial(bp.service_boundary, plan), kms_key_arn),
                    opts=pulumi.ResourceOptions(parent=self),
                )
            self.roles[service] = role
            if plan.state_role_name is not None:
                self.state_roles[service] = self._state_role(
                    name, bp, plan, external_ids.get(plan.state_role_name), kms_key_arn, trust_opts
                )
        self.register_outputs({})

    def _role_with_policy(
        self,
        resource_name: str,
        role_name: str,
        description: str,
        trust: pulumi.Input[str],
        policy: tuple[str, pulumi.Input[str]],
        bp: Blueprint,
        service: str,
        trust_opts: pulumi.ResourceOptions,
    ) -> aws.iam.Role:
        """Register one baseline role of a service and its inline policy."""
        role = aws.iam.Role(
            resource_name,
            name=role_name,
            path=bp.iam_path,
            description=description,
            max_session_duration=bp.config.ci.max_session_duration,
            assume_role_policy=trust,
            tags={"iam-baseline:service": service},
            opts=trust_opts,
        )
        aws.iam.RolePolicy(
            f"{resource_name}-policy", role=role.name, name=policy[0], policy=policy[1], opts=pulumi.ResourceOptions(parent=self)
        )
        return role

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
        role = self._role_with_policy(
            f"{name}-{service}-state",
            plan.state_role_name or "",
            f"Reads and writes the Pulumi state of project {plan.service.pulumi_project} only",
            trust_policy_input(bp, plan.subjects, external_id),
            ("pulumi-state", document_input(functools.partial(bp.project_state_policy, plan), kms_key_arn)),
            bp,
            service,
            trust_opts,
        )
        return role
