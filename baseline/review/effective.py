"""What a principal's policies let it do, evaluated against the action catalogue.

A simplified but sound reading of IAM's evaluation for review purposes: an action is reachable when
an Allow statement grants it on resources that can name one of its resource types (per the
catalogue), no unconditional Deny covers all of them, and (for a principal with a permissions
boundary) the boundary allows it on an overlapping resource.
Conditional statements are kept and marked; they are never assumed to be false.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import action_can_target, get_actions_matching, globs_overlap
from baseline.design.policies import as_list, iter_statements


@dataclass(frozen=True)
class Reach:
    """What one Allow statement effectively grants: actions on resources, maybe under conditions."""

    actions: frozenset[str]
    resources: tuple[str, ...]
    conditional: bool


def statement_actions(statement: dict[str, Any]) -> frozenset[str]:
    """Return the catalogue actions a statement's Action element reaches."""
    return frozenset(a for p in as_list(statement.get("Action", [])) for a in get_actions_matching(p))


def _covers(deny: str, resource: str) -> bool:
    """Return whether every ARN matching `resource` also matches `deny` (sound, not complete)."""
    if deny == "*" or deny == resource:
        return True
    stem = deny[:-1]
    return deny.endswith("*") and "*" not in stem and "?" not in stem and resource.startswith(stem)


def effective_grants(policies: Iterable[dict[str, Any]], boundary: dict[str, Any] | None = None) -> list[Reach]:
    """Return the Allow grants of a principal's policies after Deny statements and its boundary."""
    statements = [s for doc in policies for s in iter_statements(doc)]
    denies = [s for s in statements if s["Effect"] == "Deny" and "Condition" not in s]
    grants = []
    for stmt in statements:
        if stmt["Effect"] != "Allow":
            continue
        resources = tuple(as_list(stmt.get("Resource", ["*"])))
        # An action none of whose resource types these ARNs can name is not granted at all.
        actions = {a for a in statement_actions(stmt) if action_can_target(a, resources)}
        for deny in denies:
            deny_resources = as_list(deny.get("Resource", ["*"]))
            if all(any(_covers(d, r) for d in deny_resources) for r in resources):
                actions -= statement_actions(deny)
        if actions:
            grants.append(Reach(frozenset(actions), resources, "Condition" in stmt))
    if boundary is None:
        return grants
    return _within_boundary(grants, effective_grants([boundary]))


def _within_boundary(grants: list[Reach], limits: list[Reach]) -> list[Reach]:
    capped = []
    for grant in grants:
        for limit in limits:
            actions = grant.actions & limit.actions
            resources = tuple(r for r in grant.resources if any(globs_overlap(r, b) for b in limit.resources))
            if actions and resources:
                capped.append(Reach(actions, resources, grant.conditional or limit.conditional))
    return capped


def reachable_actions(grants: Iterable[Reach]) -> frozenset[str]:
    """Return every action some grant reaches."""
    return frozenset(a for g in grants for a in g.actions)


def allowed_actions(document: dict[str, Any]) -> frozenset[str]:
    """Return the actions one document reaches after its own Deny statements."""
    return reachable_actions(effective_grants([document]))


def granted_actions(document: dict[str, Any]) -> frozenset[str]:
    """Return the actions the Allow statements reach, before any Deny."""
    return frozenset(a for s in iter_statements(document) if s["Effect"] == "Allow" for a in statement_actions(s))
