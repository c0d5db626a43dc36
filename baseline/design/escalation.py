"""Privilege-escalation guard for services whose role may change IAM.

A service that creates its own task or execution roles could otherwise escalate: create an admin role,
attach a policy to a role it can use, retrust a role, hand a powerful role to a compute service, or
give itself keys. When a service's grant reaches any IAM change (Write, Permissions management or Tagging), its role also gets:

- `ConfineIamToServicePath`: every IAM write, permissions change and tag change (PassRole included) is
  denied outside the service's own IAM path `/<prefix>-services/<service>/` (and AWS service-linked
  roles), so tag-based access control elsewhere in the account stays intact;
- `DenyIamGroups`: every change to any group, in its path too: groups take no permissions boundary and
  `iam:AddUserToGroup` is authorized against the group alone, so a group the service could write would
  make any existing user as powerful as the service wished;
- `RequireServiceBoundary`: every action that takes `iam:PermissionsBoundary` is denied unless the
  principal carries the service's boundary, so new roles and users must be created with it and only
  such principals can be given policies;
- `KeepBoundaries`: removing a boundary is always denied.

With `organizationBoundary` (an organisation that requires its own boundary on every principal, by SCP),
what the service creates must carry the organisation's boundary instead (`RequireOrganizationBoundary`,
the same statement compared against that ARN), and `AttachOnlyOwnPolicies` denies attaching any managed
policy but the service's own (under its path): no `AdministratorAccess`, no other team's or the
baseline's policies. A created role is then capped by the organisation's boundary and by what the service
gives it, not by the service's grant (docs/security.md, "An organisation's boundary").

The boundary (a managed policy under the baseline's path, so the service cannot edit it) is the
service role's own policy: whatever a created role is given, it keeps every protection of the role
that made it (no deletes in prod, the delete window's end, no role chaining, no state, no
long-lived credentials, nothing outside the path).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import (
    get_access_level,
    get_actions_for_service,
    get_actions_with_condition_key,
    get_resource_types,
    is_destructive,
)
from baseline.design.grants import compact_actions
from baseline.design.policies import statement

BOUNDARY_KEY = "iam:PermissionsBoundary"
POLICY_ARN_KEY = "iam:PolicyARN"
# Tagging counts: tags feed tag-based conditions (ABAC) elsewhere in the account.
CHANGE_LEVELS = ("Write", "Permissions management", "Tagging")


@dataclass(frozen=True)
class IamConfinement:
    """Where a service may manage IAM, and the boundary everything it creates must carry."""

    service_path_arns: tuple[str, ...]
    boundary_arn: str
    # With an organisation's boundary: the managed policies the service may attach (its own path's), else ().
    attachable_policy_arns: tuple[str, ...] = ()

    @property
    def organization(self) -> bool:
        """Return whether created principals carry the organisation's boundary rather than the service's."""
        return bool(self.attachable_policy_arns)


@functools.cache
def iam_change_actions() -> frozenset[str]:
    """Return the IAM actions the catalogue files under Write, Permissions management or Tagging."""
    return frozenset(a for a in get_actions_for_service("iam") if get_access_level(a) in CHANGE_LEVELS)


@functools.cache
def iam_group_change_actions() -> tuple[str, ...]:
    """Return the IAM changes that act on groups alone (create, membership, policies), sorted."""
    return tuple(sorted(a for a in iam_change_actions() if get_resource_types(a) == ("group",)))


def changes_iam(actions: Iterable[str]) -> bool:
    """Return whether any of the actions changes IAM."""
    return not iam_change_actions().isdisjoint(actions)


def boundary_conditioned_actions() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return (actions allowed only on principals with our boundary, actions that remove boundaries)."""
    keyed = [a for a in get_actions_with_condition_key("iam", BOUNDARY_KEY) if a in iam_change_actions()]
    removals = tuple(a for a in keyed if "PermissionsBoundary" in a and is_destructive(a))
    return tuple(a for a in keyed if a not in removals), removals


def policy_attaching_actions() -> tuple[str, ...]:
    """Return the IAM changes that attach a managed policy: those with the `iam:PolicyARN` key, detaching aside."""
    return tuple(a for a in get_actions_with_condition_key("iam", POLICY_ARN_KEY) if a.split(":", 1)[1].startswith("Attach"))


def confinement_statements(guard: IamConfinement) -> list[dict[str, Any]]:
    """Return the Deny statements that keep a service's IAM changes inside its own path and boundary."""
    conditioned, removals = boundary_conditioned_actions()
    require = "RequireOrganizationBoundary" if guard.organization else "RequireServiceBoundary"
    statements = [
        {"Sid": "ConfineIamToServicePath", "Effect": "Deny", "Action": list(compact_actions(iam_change_actions())), "NotResource": sorted(guard.service_path_arns)},
        statement("DenyIamGroups", "Deny", iam_group_change_actions(), ["*"]),
        statement(require, "Deny", conditioned, ["*"], Condition={"StringNotEquals": {BOUNDARY_KEY: guard.boundary_arn}}),
        statement("KeepBoundaries", "Deny", removals, ["*"]),
    ]  # fmt: skip
    if guard.organization:
        condition = {"ArnNotLike": {POLICY_ARN_KEY: sorted(guard.attachable_policy_arns)}}
        statements.append(statement("AttachOnlyOwnPolicies", "Deny", policy_attaching_actions(), ["*"], Condition=condition))
    return statements
