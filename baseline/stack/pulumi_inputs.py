"""Turning designed documents into Pulumi inputs: plain strings when every value is known now,
Outputs only where a secret or a not-yet-created resource takes part."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pulumi

from baseline.design.policies import Document, policy_json


def document_input(build: Callable[[str | None], Document | None], pending: pulumi.Output[str] | None) -> pulumi.Input[str]:
    """Return a document's JSON: now when `pending` is None, else once that value (a secret, an ARN) is known."""
    if pending is None:
        return _json_of(build, None)
    return pending.apply(functools.partial(_json_of, build))


def _json_of(build: Callable[[str | None], Document | None], value: str | None) -> str:
    document = build(value)
    assert document is not None, "a resource was registered for a document the blueprint does not have"
    return policy_json(document)
