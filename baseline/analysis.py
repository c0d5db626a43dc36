"""What a policy document lets its holder do, evaluated against the action catalogue."""

from __future__ import annotations

from typing import Any

from baseline.catalog import get_actions_matching
from baseline.policies import iter_statements


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def statement_actions(statement: dict[str, Any]) -> frozenset[str]:
    """Return the catalogue actions a statement's Action element reaches."""
    return frozenset(a for p in _as_list(statement.get("Action", [])) for a in get_actions_matching(p))


def allowed_actions(document: dict[str, Any]) -> frozenset[str]:
    """Return the actions some Allow statement grants and no unconditional Deny on every resource refuses."""
    allowed: set[str] = set()
    denied: set[str] = set()
    for stmt in iter_statements(document):
        if stmt["Effect"] == "Allow":
            allowed |= statement_actions(stmt)
        elif "*" in _as_list(stmt.get("Resource", [])) and "Condition" not in stmt:
            denied |= statement_actions(stmt)
    return frozenset(allowed - denied)


def granted_actions(document: dict[str, Any]) -> frozenset[str]:
    """Return the actions the Allow statements reach, before any Deny."""
    return frozenset(a for s in iter_statements(document) if s["Effect"] == "Allow" for a in statement_actions(s))
