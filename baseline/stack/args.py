"""What each component consumes: narrow, typed and frozen, so a component can be built alone in a test.

The program (`program.py`) translates the blueprint into these; no component sees the blueprint.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from baseline.design import naming
from baseline.design.blueprint import Blueprint, ServiceRolePlan, provisioning_plans
from baseline.design.policies import Document, state_bucket_policy

# Builds a document once a pending value is known: a role's external ID (for a trust), the state
# key's ARN (for a policy), or None where there is none.
DocumentBuilder = Callable[[str | None], Document | None]


@dataclass(frozen=True)
class GrantPolicyArgs:
    """A managed policy holding part of a role's grant (what its inline policy cannot), attached to the role."""

    resource_name: str
    name: str
    path: str
    description: str
    policy: Document


@dataclass(frozen=True)
class RoleArgs:
    """One baseline role with its one inline policy (and, for a grant over the inline limit, its grant policies)."""

    resource_name: str
    name: str
    path: str
    description: str
    max_session_duration: int
    trust: DocumentBuilder  # given the role's external ID
    policy_name: str
    policy: DocumentBuilder  # given the state key's ARN
    service: str | None = None  # tagged on the role
    grant_policies: tuple[GrantPolicyArgs, ...] = ()
    permissions_boundary: str | None = None  # the organisation's boundary (organizationBoundary), else none


@dataclass(frozen=True)
class BoundaryArgs:
    """A managed policy that principals a service creates must carry."""

    resource_name: str
    name: str
    path: str
    description: str
    policy: DocumentBuilder  # given the state key's ARN


@dataclass(frozen=True)
class ServiceRolesArgs:
    """Every service's roles (provisioning and state) and boundaries."""

    roles: tuple[RoleArgs, ...]
    boundaries: tuple[BoundaryArgs, ...]


@dataclass(frozen=True)
class StateBackendArgs:
    """The state bucket, its optional key, and the shared state role (stateIsolation shared)."""

    bucket_name: str
    kms: bool
    kms_alias: str
    noncurrent_version_days: int
    force_destroy: bool
    bucket_policy: Document
    shared_state_role: RoleArgs | None


@dataclass(frozen=True)
class CiPrincipalArgs:
    """The CI user, its group and boundary."""

    path: str
    user_name: str
    group_name: str
    boundary_name: str
    boundary_policy: Document
    group_policy: Document
    create_access_key: bool
    # The organisation's boundary, carried instead of the CI boundary (then not created); None: the CI boundary.
    organization_boundary: str | None = None


@dataclass(frozen=True)
class GithubOidcArgs:
    """The account's GitHub Actions OIDC provider: an existing one's ARN, or None to create it."""

    existing_provider_arn: str | None


def ci_principal_args(bp: Blueprint) -> CiPrincipalArgs:
    """Return the CI principal's arguments from the blueprint."""
    return CiPrincipalArgs(
        path=bp.iam_path,
        user_name=bp.ci_user_name,
        group_name=bp.ci_group_name,
        boundary_name=bp.ci_boundary_policy_name,
        boundary_policy=bp.ci_boundary_policy(),
        group_policy=bp.ci_group_policy(),
        create_access_key=bp.config.ci.create_access_key,
        organization_boundary=bp.config.organization_boundary,
    )


def github_oidc_args(bp: Blueprint) -> GithubOidcArgs:
    """Return the OIDC provider's arguments from the blueprint."""
    return GithubOidcArgs(existing_provider_arn=bp.config.ci.github_provider_arn)


def state_backend_args(bp: Blueprint) -> StateBackendArgs:
    """Return the state backend's arguments from the blueprint."""
    cfg = bp.config.state_bucket
    shared = None
    if bp.state_role_name is not None:
        shared = RoleArgs(
            resource_name="state-role",
            name=bp.state_role_name,
            path=bp.iam_path,
            description="Reads and writes every service's Pulumi state (stateIsolation shared); never the baseline's",
            max_session_duration=bp.config.ci.max_session_duration,
            trust=functools.partial(bp.trust_policy, bp.state_subjects),
            policy_name="pulumi-state",
            policy=bp.state_policy,
            permissions_boundary=bp.config.organization_boundary,
        )
    return StateBackendArgs(
        bucket_name=bp.bucket_name,
        kms=cfg.kms,
        kms_alias=bp.kms_alias_name,
        noncurrent_version_days=cfg.noncurrent_version_days,
        force_destroy=cfg.force_destroy,
        bucket_policy=state_bucket_policy(bp.bucket_arn, bp.objects_arn, bp.created_principal_arns),
        shared_state_role=shared,
    )


def service_roles_args(bp: Blueprint) -> ServiceRolesArgs:
    """Return every service's roles and boundaries from the blueprint: its state role, then each of its
    provisioning roles (its own, then its components') with the boundary of what that role creates."""
    roles: list[RoleArgs] = []
    boundaries: list[BoundaryArgs] = []
    session = bp.config.ci.max_session_duration
    for plan in bp.services:
        service = plan.owner
        if plan.state_role_name is not None:
            description = f"Reads and writes the Pulumi state of project {plan.service.pulumi_project} only"
            roles.append(
                RoleArgs(f"services-{service}-state", plan.state_role_name, bp.iam_path, description, session,
                         functools.partial(bp.trust_policy, plan.subjects), "pulumi-state",
                         functools.partial(bp.project_state_policy, plan), service, permissions_boundary=bp.config.organization_boundary)
            )  # fmt: skip
        for role in provisioning_plans((plan,)):
            resource_name = f"components-{role.service.name}" if role.component else f"services-{service}"
            whose = f"component {role.component} of service {service}" if role.component else f"service {service}"
            deletes = "allowed" if role.service.allow_delete else "denied"
            roles.append(
                RoleArgs(resource_name, role.role_name, bp.iam_path, f"Deploys {whose}; delete actions {deletes}", session,
                         functools.partial(bp.trust_policy, role.subjects), "provisioning", functools.partial(bp.service_policy, role),
                         service, grant_policy_args(bp, role, resource_name, whose), bp.config.organization_boundary)
            )  # fmt: skip
            if role.preview_role_name is not None:
                roles.append(
                    RoleArgs(
                        f"previews-{role.service.name}",
                        role.preview_role_name,
                        bp.iam_path,
                        f"Previews {whose} on pull requests: reads without data, its own state read-only; no writes",
                        session,
                        functools.partial(bp.trust_policy, role.preview_subjects),
                        "preview",
                        functools.partial(bp.preview_policy, role),
                        service,
                        permissions_boundary=bp.config.organization_boundary,
                    )
                )
            if role.boundary_name is not None:
                description = f"Permissions boundary for the roles and users {whose} creates"
                boundaries.append(
                    BoundaryArgs(f"{resource_name}-boundary", role.boundary_name, bp.iam_path, description,
                                 functools.partial(bp.service_boundary, role))
                )  # fmt: skip
    return ServiceRolesArgs(tuple(roles), tuple(boundaries))


def grant_policy_args(bp: Blueprint, role: ServiceRolePlan, resource_name: str, whose: str) -> tuple[GrantPolicyArgs, ...]:
    """Return the managed policies holding the part of a provisioning role's grant its inline policy cannot.

    Each keeps its index's name, path and description for good (IAM replaces a policy when they change),
    so a grant that grows or shrinks only updates documents, adds policies at the end or drops the last.
    """
    return tuple(
        GrantPolicyArgs(f"{resource_name}-grant-{index}", naming.grant_policy_name(role.role_name, index), bp.iam_path,
                        f"Part {index} of the grant of {whose} (beyond its inline policy)", document)
        for index, document in enumerate(bp.grant_policies(role), start=1)
    )  # fmt: skip
