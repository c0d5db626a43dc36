"""The change to check, as steps: from a `pulumi preview --json` (each step's op, resource and ARN), or from
a Python program run offline as discover runs it (every resource a create, every data source call a read)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from baseline.discover.preview import preview_steps
from baseline.discover.proposal import IAM_PRINCIPAL_TYPES, principal_problems
from iam_baseline_consume.preflight import CREATING_OPS, Step

# The call that creates each kind of IAM principal discover checks.
CREATING_ACTIONS = {
    "role": "iam:CreateRole",
    "policy": "iam:CreatePolicy",
    "instance profile": "iam:CreateInstanceProfile",
    "user": "iam:CreateUser",
    "group": "iam:CreateGroup",
}


def _aws(registration: Any) -> bool:
    return bool(registration.custom) and str(registration.typ).startswith("aws:")


def steps_from_preview(path: Path) -> tuple[list[Step], list[Any]]:
    """Return the preview's AWS resource steps, and the resources its creating steps register (for principal checks)."""
    steps, created = [], []
    for found in preview_steps(path):
        registration = found.registration
        if not _aws(registration):
            continue
        steps.append(Step(found.op, registration.urn, registration.typ, registration.inputs, found.arn, found.diffs))
        if found.op in CREATING_OPS:
            created.append(registration)
    return steps, created


def steps_from_program(registrations: Sequence[Any], invokes: Iterable[str]) -> list[Step]:
    """Return a program run's steps: every AWS resource it declares is created; every data source it calls is read."""
    steps = [Step("create", r.urn, r.typ, r.inputs) for r in registrations if _aws(r)]
    return steps + [Step("read", f"invoke::{token}", token) for token in sorted(set(invokes))]


def iam_principal_problems(service: str, registrations: Sequence[Any], placement: dict[str, str] | None) -> list[dict[str, str]]:
    """Return, per IAM principal the change creates that the role would refuse, the call that fails and discover's fix."""
    found = []
    for registration in registrations:
        kind = IAM_PRINCIPAL_TYPES.get(registration.typ)
        if kind is None:
            continue
        for problem in principal_problems(service, [registration], placement):
            fix = problem.rsplit("; ", 1)[-1]
            found.append({"action": CREATING_ACTIONS[kind], "type": registration.typ, "urn": registration.urn, "step": "create",
                          "problem": problem, "fix": fix})  # fmt: skip
    return found
