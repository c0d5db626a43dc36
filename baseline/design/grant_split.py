"""A provisioning role's grant too big for its inline policy, split into managed policies: pure and lossless.

IAM counts a role's inline policies together against 10,240 characters, but each managed policy
attached to it on its own against 6,144 (whitespace not counted either way), up to the account's
managed-policies-per-role quota. Only Allow statements ever move (the grant, then an open delete
window's); every Deny stays in the inline policy, so a guard never depends on an attachment.

The split is a function of the statements' content alone (actions sorted and grouped by service
prefix, packed in that order), so the same grant in any order gives byte-identical documents and
`pulumi preview` shows no diff.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from baseline.design import quotas
from baseline.design.policies import Document, as_list, document, policy_json


@dataclass(frozen=True)
class GrantLayout:
    """Where a provisioning role's Allow statements live: all inline, or the first `moved` of them split
    into managed policies attached to the role."""

    moved: int = 0  # how many Allow statements (ServiceGrant, then DeleteWindow) leave the inline policy
    policies: tuple[Document, ...] = ()  # their managed policies, in attachment order; empty when all is inline
    inline_size: int = 0  # the inline policy's size as IAM counts it, as decided

    @property
    def split(self) -> bool:
        """Return whether part of the grant lives in managed policies."""
        return bool(self.policies)


def _size(statements: Sequence[dict[str, Any]]) -> int:
    return quotas.policy_size(policy_json(document(*statements)))


def layout_grant(
    allows: Sequence[dict[str, Any]],
    guards: Sequence[dict[str, Any]],
    inline_limit: int = quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS,
    managed_limit: int = quotas.MANAGED_POLICY_MAX_CHARS,
) -> GrantLayout:
    """Return the layout of a role's policy: everything inline while it fits `inline_limit`; else as few
    of its Allow statements moved out, in order, as make the inline rest fit, split by `split_grant`.

    When nothing makes it fit, every Allow statement moves and the inline rest stays over the limit,
    for the quota check to refuse.
    """
    moved, inline_size = 0, _size([*allows, *guards])
    while moved < len(allows) and inline_size > inline_limit:
        moved += 1
        inline_size = _size([*allows[moved:], *guards])
    return GrantLayout(moved, split_grant(allows[:moved], managed_limit) if moved else (), inline_size)


def split_grant(statements: Sequence[dict[str, Any]], limit: int = quotas.MANAGED_POLICY_MAX_CHARS) -> tuple[Document, ...]:
    """Return managed-policy documents that together allow exactly what `statements` (Allow statements
    with `Sid`, `Action` and `Resource`) allow, each of at most `limit` characters where that is possible.

    Each statement's actions are grouped by service prefix in sorted order and the groups packed
    greedily, in that order, into one document after another; a group is split, between sorted
    actions, only when it alone does not fit an empty document. A part of a statement keeps its Sid,
    resources and condition. An action whose statement is over `limit` even alone gets a document of
    its own, over `limit`, for the caller to refuse.
    """
    documents: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    for template, actions in _pieces(statements, limit):
        candidate = _with(current, template, actions)
        if current and _size(candidate) > limit:
            documents.append(current)
            candidate = _with([], template, actions)
        current = candidate
    if current:
        documents.append(current)
    return tuple(document(*part) for part in documents)


def _pieces(statements: Sequence[dict[str, Any]], limit: int) -> Iterator[tuple[dict[str, Any], list[str]]]:
    """Yield (statement, actions) in packing order: per statement, one service prefix's actions at a
    time, or consecutive slices of them that fit an empty document when the whole prefix does not."""
    for template in statements:
        actions = sorted(set(as_list(template["Action"])))
        for _, group in groupby(actions, key=lambda a: a.split(":", 1)[0]):
            prefix_actions = list(group)
            if _size([_with_actions(template, prefix_actions)]) <= limit:
                yield template, prefix_actions
                continue
            piece: list[str] = []
            for action in prefix_actions:
                if piece and _size([_with_actions(template, [*piece, action])]) > limit:
                    yield template, piece
                    piece = []
                piece.append(action)
            yield template, piece


def _with(statements: list[dict[str, Any]], template: dict[str, Any], actions: list[str]) -> list[dict[str, Any]]:
    """Return `statements` with `actions` added to the part of `template` (same Sid), appended if absent."""
    for index, existing in enumerate(statements):
        if existing["Sid"] == template["Sid"]:
            merged = _with_actions(template, sorted({*existing["Action"], *actions}))
            return [*statements[:index], merged, *statements[index + 1 :]]
    return [*statements, _with_actions(template, actions)]


def _with_actions(template: dict[str, Any], actions: list[str]) -> dict[str, Any]:
    return {**template, "Action": list(actions)}
