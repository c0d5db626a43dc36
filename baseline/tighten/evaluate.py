"""One request (action, resource, instant, known condition keys) decided against a role's rendered
documents, statement by statement, as IAM does: an explicit Deny wins, else an Allow is needed.

Conditions on `aws:CurrentTime` are evaluated at the given instant; other condition keys are evaluated
when the request's context names them (a decoded authorization message does) and are otherwise
unknown: a statement that depends on them is a possible match, never assumed either way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baseline.aws.catalog import action_matches, globs_overlap
from baseline.design.policies import as_list, iter_statements

CURRENT_TIME = "aws:currenttime"


@dataclass(frozen=True)
class Decision:
    """What the documents decide: `explicit-deny` (by `statement`), `allow` (by `statement`), or
    `no-allow`. `certain` is False when the deciding statement (or a possible Deny) hangs on a condition
    that could not be evaluated. `action_allowed` says whether some Allow names the action on any
    resource: a `no-allow` with it is a resource the grant does not cover, without it a missing action."""

    kind: str
    statement: str | None = None
    certain: bool = True
    action_allowed: bool = False
    possible_deny: str | None = None  # a Deny that applies if its unknown condition holds

    @property
    def allowed(self) -> bool:
        return self.kind == "allow"


def evaluate(
    documents: Iterable[dict[str, Any]],
    action: str,
    resource: str | None,
    now: datetime,
    context: Mapping[str, list[str]] | None = None,
) -> Decision:
    """Return the decision of `documents` (one principal's policies, or one boundary) on the request."""
    keys = {k.lower(): v for k, v in (context or {}).items()}
    statements = [s for doc in documents for s in iter_statements(doc)]
    denies: list[str] = []
    maybe_denies: list[str] = []
    allows: list[str] = []
    maybe_allows: list[str] = []
    for index, stmt in enumerate(statements):
        sid = str(stmt.get("Sid") or f"statement {index + 1}")
        matched = _matches(stmt, action, resource, now, keys)
        if matched is False:
            continue
        deny = stmt.get("Effect") == "Deny"
        if matched:
            (denies if deny else allows).append(sid)
        else:
            (maybe_denies if deny else maybe_allows).append(sid)
    named = any(_names_action(s, action) for s in statements if s.get("Effect") == "Allow")
    possible = maybe_denies[0] if maybe_denies else None
    if denies:
        return Decision("explicit-deny", denies[0], True, named)
    if allows:
        return Decision("allow", allows[0], not maybe_denies, named, possible)
    if maybe_allows:
        return Decision("allow", maybe_allows[0], False, named, possible)
    if maybe_denies:
        return Decision("explicit-deny", maybe_denies[0], False, named, possible)
    return Decision("no-allow", None, True, named)


def _names_action(stmt: dict[str, Any], action: str) -> bool:
    if "NotAction" in stmt:
        return not any(action_matches(p, action) for p in as_list(stmt["NotAction"]))
    return any(action_matches(p, action) for p in as_list(stmt.get("Action", [])))


def _matches(stmt: dict[str, Any], action: str, resource: str | None, now: datetime, keys: Mapping[str, list[str]]) -> bool | None:
    if not _names_action(stmt, action):
        return False
    on = _resource_matches(stmt, resource)
    if on is False:
        return False
    met = _conditions_met(stmt.get("Condition") or {}, now, keys)
    if met is False:
        return False
    return None if on is None or met is None else True


def _resource_matches(stmt: dict[str, Any], resource: str | None) -> bool | None:
    negated = "NotResource" in stmt
    patterns = as_list(stmt["NotResource"] if negated else stmt.get("Resource", ["*"]))
    if resource is None or resource == "*":  # unknown: only `*` is sure to hold it
        if "*" in patterns:
            return not negated
        return None
    hit = any(globs_overlap(p, resource) for p in patterns)
    return not hit if negated else hit


def _conditions_met(conditions: Mapping[str, Any], now: datetime, keys: Mapping[str, list[str]]) -> bool | None:
    results = []
    for operator, entries in conditions.items():
        for key, expected in entries.items():
            results.append(
                _condition(operator, key.lower(), as_list(expected) if not isinstance(expected, bool) else [str(expected)], now, keys)
            )
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _condition(operator: str, key: str, expected: list[str], now: datetime, keys: Mapping[str, list[str]]) -> bool | None:
    op = operator.removesuffix("IfExists")
    if key == CURRENT_TIME and op.startswith("Date"):
        return _date(op, now, expected)
    if op == "Null":
        if key not in keys:
            return None
        return (str(expected[0]).lower() == "true") == (not keys[key])
    if key not in keys:  # not in the request context we know: unknown, whether or not IfExists
        return None
    actual = [str(v) for v in keys[key]]
    if op in ("StringEquals", "ArnEquals"):
        return any(a in expected for a in actual)
    if op == "StringEqualsIgnoreCase":
        return any(a.lower() in {e.lower() for e in expected} for a in actual)
    if op in ("StringNotEquals", "ArnNotEquals"):
        return all(a not in expected for a in actual)
    if op in ("StringLike", "ArnLike"):
        return any(globs_overlap(e, a) for a in actual for e in expected)
    if op in ("StringNotLike", "ArnNotLike"):
        return not any(globs_overlap(e, a) for a in actual for e in expected)
    if op == "Bool":
        return any(a.lower() == str(e).lower() for a in actual for e in expected)
    return None


def _date(op: str, now: datetime, expected: list[str]) -> bool | None:
    try:
        instants = [datetime.fromisoformat(e.replace("Z", "+00:00")) for e in expected]
    except ValueError:
        return None
    compare = {
        "DateLessThan": lambda t: now < t,
        "DateLessThanEquals": lambda t: now <= t,
        "DateGreaterThan": lambda t: now > t,
        "DateGreaterThanEquals": lambda t: now >= t,
        "DateEquals": lambda t: now == t,
        "DateNotEquals": lambda t: now != t,
    }.get(op)
    return None if compare is None else any(compare(t) for t in instants)
