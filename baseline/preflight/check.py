"""Each action a change needs, decided against the service's provisioning role as the baseline config
renders it: every policy of the role (inline, and the managed policies holding a split grant), the open
delete windows at `now`, prod's DenyDestructive and every other Deny (off-limits, IAM confinement, the
boundary a created role must carry, read from the step's inputs).

Outcomes: allowed; `missing` (no Allow: the action, or the resource, to add to the config);
`denied-by-design` (an explicit Deny: a prod delete names the delete window that would allow it, a guard
names its fix); `unverifiable` (the answer hangs on what is known only after the deploy: a resource
whose ARN the step does not show while the grant is scoped to resources, or a condition key offline
evaluation does not know).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from baseline.aws.catalog import get_resource_arn_patterns, globs_overlap
from baseline.design.policies import as_list, iter_statements
from baseline.tighten.evaluate import Decision, evaluate
from baseline.tighten.explain import GUARDS
from baseline.tighten.roles import Baseline, ServiceRole
from iam_baseline_consume.preflight import Outcome, Report, Request, Step, Where, requests_by_step

# What `evaluate` is given for an action that acts on no resource type: IAM matches such a request only
# with `Resource: *`, never with an ARN pattern (a literal no pattern but `*` can match).
REQUEST_WIDE = "(all resources)"


def where_of(baseline: Baseline) -> Where:
    """Return where the baseline's resources live (its stand-in account when the stack pins none)."""
    ctx = baseline.rendering.ctx
    return Where(ctx.partition, ctx.account_id, ctx.region)


def role_documents(role: ServiceRole) -> list[dict[str, Any]]:
    """Return every policy of the role: its inline policies and the managed policies attached to it."""
    return role.principal.permission_policies()


def check(steps: Sequence[Step], rows: Mapping[str, Any], role: ServiceRole, baseline: Baseline, now: datetime) -> Report:
    """Return the report of every step's requests, evaluated against the role's documents at `now`."""
    documents = role_documents(role)
    report = Report()
    actions = {"service": role.base_service, "configKey": role.config_key, "types": rows}
    for step, requests in requests_by_step([s for s in steps if s.type in rows], actions, where_of(baseline)):
        for request in dict.fromkeys(requests):
            report.checked += 1
            resource = REQUEST_WIDE if request.resource == "*" else request.resource
            relevant = documents if request.resource is not None else _naming_its_type(documents, request.action)
            decision = evaluate(relevant, request.action, resource, now, {k: list(v) for k, v in request.context})
            outcome = _outcome(step, request, decision, role, baseline)
            if outcome is not None:
                report.outcomes.append(outcome)
    return report


def _naming_its_type(documents: Sequence[dict[str, Any]], action: str) -> list[dict[str, Any]]:
    """Return the documents without the statements whose resources can name no resource type of the action: for a
    resource whose ARN is not known yet, a Deny on the baseline's IAM ARNs cannot apply to a Lambda function, and an
    Allow on them cannot allow it (compared field by field; an overlap keeps the statement)."""

    types = get_resource_arn_patterns(action)

    def relevant(stmt: dict[str, Any]) -> bool:
        resources = as_list(stmt.get("Resource", ["*"]))
        if "NotResource" in stmt or "*" in resources or not types:
            return True
        return any(_segments_overlap(r, t) for r in resources for t in types)

    return [{**doc, "Statement": [s for s in iter_statements(doc) if relevant(s)]} for doc in documents]


def _segments_overlap(a: str, b: str) -> bool:
    """Return whether two ARN patterns can name one ARN, field by field: a catalogue placeholder (partition,
    region, account) never holds a colon, so `arn:*:lambda:...` cannot meet `arn:aws:iam::1:role/...`."""
    left, right = a.split(":", 5), b.split(":", 5)
    if len(left) != 6 or len(right) != 6:
        return globs_overlap(a, b)
    return all(globs_overlap(x, y) for x, y in zip(left, right, strict=True))


def _outcome(step: Step, request: Request, decision: Decision, role: ServiceRole, baseline: Baseline) -> Outcome | None:
    key = role.config_key
    if decision.kind == "allow":
        if decision.certain:
            return None
        if request.resource is None:
            deny = f", {decision.possible_deny} denies it" if decision.possible_deny else ""
            why = f"its ARN is known only after the deploy, and the answer depends on it ({decision.statement} allows it{deny} on some resources)"
        else:
            why = f"allowed ({decision.statement}), unless a condition offline evaluation cannot check holds ({decision.possible_deny or decision.statement})"
        return Outcome("unverifiable", step, request, why)
    if decision.kind == "explicit-deny" and decision.certain:
        return _denied(step, request, decision.statement or "", role, baseline)
    if decision.action_allowed and request.resource not in (None, "*"):
        return Outcome("missing", step, request, f"the role's grant allows {request.action}, but not on {request.resource}",
                       f"{key}.resources: add {request.resource}")  # fmt: skip
    return Outcome(
        "missing", step, request, f"no statement of the role's policies allows {request.action}", f"{key}.actions: add {request.action}"
    )


def _denied(step: Step, request: Request, sid: str, role: ServiceRole, baseline: Baseline) -> Outcome:
    if sid == "DenyDestructive":
        until = f"'<a UTC instant, at most {baseline.config.max_delete_window_hours}h ahead>'"
        fix = f"{role.config_key}.deleteWindow: {{until: {until}, reason: '<why>'}}"
        if role.expired_window:
            why = f"DenyDestructive: the delete window ended at {role.expired_window}"
            fix += " (the one in the config has passed)"
        else:
            why = f"DenyDestructive: by design, {baseline.config.environment} denies deletes"
        return Outcome("denied-by-design", step, request, why, fix)
    entry = baseline.outputs.get("provisioningRoles", {}).get(role.base_service, {})
    if "/" in role.service:  # a component's role has its own IAM path and boundary
        entry = entry.get("components", {}).get(role.service.split("/", 1)[1], entry)
    guard = GUARDS.get(sid, f"by design: statement {sid} of the rendered policy; see `iam-baseline plan`")
    fix = guard.format(path=entry.get("iamPath", f"/{baseline.config.name_prefix}-services/{role.base_service}/"),
                       boundary=entry.get("permissionsBoundaryArn", "<permissionsBoundaryArn>"))  # fmt: skip
    return Outcome("denied-by-design", step, request, f"{sid}: an explicit deny of the role's policy", fix)
