"""What a principal's policies let it do, evaluated against the action catalogue.

A simplified but sound reading of IAM's evaluation for review purposes: an action is reachable when
an Allow statement grants it on resources that can name one of its resource types (per the
catalogue), no unconditional Deny covers all of them, and (for a principal with a permissions
boundary) the boundary allows it on an overlapping resource.
Conditional statements are kept and marked; they are never assumed to be false.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import action_can_target, get_actions_matching, get_all_actions, get_resource_arn_patterns, globs_overlap
from baseline.design.policies import SELF_SIMULATION_SID, SIMULATE_PRINCIPAL_ACTION, as_list, iter_statements


@dataclass(frozen=True)
class Reach:
    """What one Allow statement effectively grants: actions on resources, maybe under conditions."""

    actions: frozenset[str]
    resources: tuple[str, ...]
    conditional: bool


def statement_actions(statement: dict[str, Any]) -> frozenset[str]:
    """Return the catalogue actions a statement's Action element reaches; for `NotAction`, every catalogue
    action it does not name (actions added to the catalogue later are reached too)."""
    if "NotAction" in statement:
        return _all_but(tuple(sorted(as_list(statement["NotAction"]))))
    return frozenset(a for p in as_list(statement.get("Action", [])) for a in get_actions_matching(p))


@functools.cache
def _all_but(patterns: tuple[str, ...]) -> frozenset[str]:
    excluded = {a for p in patterns for a in get_actions_matching(p)}
    return frozenset(a for a in get_all_actions() if a not in excluded)


def _covers(deny: str, resource: str) -> bool:
    """Return whether every ARN matching `resource` also matches `deny` (sound, not complete)."""
    if deny == "*" or deny == resource:
        return True
    stem = deny[:-1]
    return deny.endswith("*") and "*" not in stem and "?" not in stem and resource.startswith(stem)


def effective_grants(policies: Iterable[dict[str, Any]], boundary: dict[str, Any] | None = None) -> list[Reach]:
    """Return the Allow grants of a principal's policies after Deny statements and its boundary.

    A Deny with `NotResource` (the IAM confinement: every IAM write denied outside the service's own
    path) leaves its actions granted on the exempted ARNs the Allow's resources overlap, so they are
    counted against those ARNs rather than dropped (or kept on `*`)."""
    statements = [s for doc in policies for s in iter_statements(doc)]
    denies = [s for s in statements if s["Effect"] == "Deny" and "Condition" not in s]
    grants = []
    for stmt in statements:
        if stmt["Effect"] != "Allow" or is_self_simulation(stmt):
            continue
        resources = tuple(as_list(stmt.get("Resource", ["*"])))
        # An action none of whose resource types these ARNs can name is not granted at all.
        pieces = [(frozenset(a for a in statement_actions(stmt) if action_can_target(a, resources)), resources)]
        for deny in denies:
            pieces = [piece for actions, on in pieces for piece in _after_deny(actions, on, deny)]
        grants += [Reach(actions, on, "Condition" in stmt) for actions, on in pieces if actions]
    if boundary is None:
        return grants
    return _within_boundary(grants, effective_grants([boundary]))


def is_self_simulation(statement: dict[str, Any]) -> bool:
    """Return whether an Allow is a provisioning role's `AllowSimulatingItself`: iam:SimulatePrincipalPolicy on one
    role ARN, its own (`DenySimulatingOthers` denies every other). It reads the role's own decisions and reaches
    no resource, so it is not counted as reach; tests/proofs/test_self_simulation.py proves it adds none."""
    resources = as_list(statement.get("Resource", []))
    return (
        statement.get("Sid") == SELF_SIMULATION_SID
        and as_list(statement.get("Action", [])) == [SIMULATE_PRINCIPAL_ACTION]
        and len(resources) == 1
        and ":role/" in resources[0]
        and not any(c in resources[0] for c in "*?")
        and "Condition" not in statement
    )


def _after_deny(actions: frozenset[str], resources: tuple[str, ...], deny: dict[str, Any]) -> list[tuple[frozenset[str], tuple[str, ...]]]:
    """Return what an unconditional Deny leaves of `actions` on `resources`: the actions it does not
    name, unchanged, and the ones it names on the resources it leaves open (possibly none)."""
    denied = actions & statement_actions(deny)
    if not denied:
        return [(actions, resources)]
    if "NotResource" in deny:
        open_ = _exempted(resources, as_list(deny["NotResource"]))
    else:
        deny_resources = as_list(deny.get("Resource", ["*"]))
        open_ = () if all(any(_covers(d, r) for d in deny_resources) for r in resources) else resources
    if open_ == resources:
        return [(actions, resources)]
    kept = [(actions - denied, resources)]
    if open_:
        kept.append((frozenset(a for a in denied if _names_in_segments(a, open_)), open_))
    return kept


def _names_in_segments(action: str, resources: tuple[str, ...]) -> bool:
    """Return whether one of the ARN patterns can name a resource of the action, comparing the ARNs
    segment by segment: the catalogue's placeholders (partition, region, account) never hold a colon,
    so `arn:*:iam::*:delegation-request/*` cannot meet `arn:aws:iam::1:role/<path>/*`, which a plain
    glob overlap would allow (the account's `*` running on into `:role/...`)."""
    if "*" in resources:
        return True
    return any(_segments_overlap(r, p) for r in resources for p in get_resource_arn_patterns(action))


def _segments_overlap(a: str, b: str) -> bool:
    left, right = a.split(":", 5), b.split(":", 5)
    if len(left) != 6 or len(right) != 6:
        return globs_overlap(a, b)
    return all(globs_overlap(x, y) for x, y in zip(left, right, strict=True))


def _exempted(resources: tuple[str, ...], not_resources: list[str]) -> tuple[str, ...]:
    """Return the parts of `resources` a `NotResource` Deny exempts: an exempted pattern inside a granted
    one (`role/<path>/*` inside `*`) stands for itself; any other overlap keeps the granted pattern (sound)."""
    found: dict[str, None] = {}
    for granted in resources:
        for exempt in not_resources:
            if globs_overlap(granted, exempt):
                found[exempt if _covers(granted, exempt) else granted] = None
    return tuple(found)


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
