"""Turning blueprint documents into Pulumi inputs: plain strings when every value is known now,
Outputs only where a secret or a not-yet-created resource takes part."""

from __future__ import annotations

import functools

import pulumi

from baseline.blueprint import Blueprint
from baseline.policies import render


def trust_policy_input(bp: Blueprint, subjects: tuple[str, ...], external_id: pulumi.Output[str] | None) -> pulumi.Input[str]:
    """Return a role's trust policy JSON; secret when it carries an external ID."""
    if external_id is None:
        return render(bp.trust_policy(subjects, None))
    return external_id.apply(functools.partial(_render_trust, bp, subjects))


def _render_trust(bp: Blueprint, subjects: tuple[str, ...], external_id: str) -> str:
    return render(bp.trust_policy(subjects, external_id))
