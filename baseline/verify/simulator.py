"""Effective permissions through IAM's policy simulator: what the baseline promises, asked of the live account.

The CI user assumes only baseline roles; prod roles delete nothing (also at a delete window's end); no role
reaches the state bucket or the baseline's state, nor edits its own grant. moto has no simulator: callers
are tested with botocore's Stubber.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baseline.design.findings import Finding
from baseline.design.policies import as_list, iter_statements
from baseline.verify.account import ExpectedAccount


@dataclass(frozen=True)
class Probe:
    """One question for IAM's policy simulator: may this principal do these actions on this resource?"""

    principal: str  # key in ExpectedAccount.principals
    arn: str
    actions: tuple[str, ...]
    resource: str
    allowed: bool  # what the baseline promises
    why: str
    context: tuple[tuple[str, str], ...] = ()  # (context key, value), e.g. aws:CurrentTime


SIMULATOR_BATCH = 50  # actions per SimulatePrincipalPolicy call
# What would change a managed policy holding part of a role's grant.
GRANT_POLICY_EDITS = ("iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion")
# Actions no CI key may ever call, whatever is attached to it by mistake.
CI_FORBIDDEN = ("iam:AttachUserPolicy", "iam:CreateAccessKey", "s3:GetObject", "ec2:RunInstances", "sts:GetFederationToken")


def simulator_probes(expected: ExpectedAccount, baseline_checkpoint_key: str, now: datetime) -> list[Probe]:
    """Return what to ask IAM's simulator: the CI user assumes only baseline roles; prod roles delete
    nothing (also at a delete window's end); no role reaches the state bucket or the baseline's state."""
    from baseline.aws.catalog import get_actions_matching

    probes: list[Probe] = []
    roles = [p for p in expected.principals.values() if p.kind == "role"]
    some_arn = next(iter(expected.principals.values())).arn
    partition, account = some_arn.split(":")[1], some_arn.split(":")[4]
    bucket_arn = f"arn:{partition}:s3:::{expected.bucket_name}"
    at = (("aws:CurrentTime", now.strftime("%Y-%m-%dT%H:%M:%SZ")),)
    for user in (p for p in expected.principals.values() if p.kind == "user"):
        probes += [Probe(user.key, user.arn, ("sts:AssumeRole",), r.arn, True, "the CI key assumes the baseline's roles") for r in roles]
        outsider = f"arn:{partition}:iam::{account}:role/not-in-the-baseline"
        probes.append(Probe(user.key, user.arn, ("sts:AssumeRole",), outsider, False, "the CI key assumes only the baseline's roles"))
        probes.append(Probe(user.key, user.arn, CI_FORBIDDEN, "*", False, "the CI key does nothing but assume roles"))
    for role in roles:
        statements = {s.get("Sid"): s for doc in role.policies.values() for s in iter_statements(doc)}
        if (deny := statements.get("DenyDestructive")) is not None:
            actions = tuple(sorted({a for pattern in as_list(deny["Action"]) for a in get_actions_matching(pattern)}))
            window_end = deny.get("Condition", {}).get("DateGreaterThanEquals", {}).get("aws:CurrentTime")
            when = (("aws:CurrentTime", window_end),) if window_end else at
            probes += [Probe(role.key, role.arn, actions[i : i + SIMULATOR_BATCH], "*", False, "a prod role deletes nothing", when)
                       for i in range(0, len(actions), SIMULATOR_BATCH)]  # fmt: skip
        probes.append(Probe(role.key, role.arn, ("s3:GetObject", "s3:PutObject"), f"{bucket_arn}/{baseline_checkpoint_key}", False,
                            "no role reads or writes the baseline's own state", at))  # fmt: skip
        if role.key.startswith("service/"):
            probes.append(
                Probe(role.key, role.arn, ("s3:ListBucket",), bucket_arn, False, "no provisioning role reaches the state bucket", at)
            )
            probes.append(Probe(role.key, role.arn, ("iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DetachRolePolicy"), role.arn,
                                False, "no provisioning role changes the baseline's IAM", at))  # fmt: skip
            probes += [Probe(role.key, role.arn, GRANT_POLICY_EDITS, arn, False, "no provisioning role changes its own grant", at)
                       for arn in sorted(role.attached)]  # fmt: skip
    return probes


def simulate(iam: Any, probes: list[Probe]) -> list[Finding]:
    """Return a finding for every probe whose answer from IAM's policy simulator breaks the promise."""
    findings = []
    for probe in probes:
        context = [{"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "date" if k == "aws:CurrentTime" else "string"}
                   for k, v in probe.context]  # fmt: skip
        kwargs: dict[str, Any] = {"PolicySourceArn": probe.arn, "ActionNames": list(probe.actions), "ResourceArns": [probe.resource]}
        if context:
            kwargs["ContextEntries"] = context
        for page in iam.get_paginator("simulate_principal_policy").paginate(**kwargs):
            for result in page["EvaluationResults"]:
                allowed = result["EvalDecision"] == "allowed"
                if allowed != probe.allowed:
                    verdict = "may" if allowed else "may not"
                    findings.append(
                        Finding(
                            "drift-effective",
                            probe.principal,
                            f"IAM's simulator: it {verdict} {result['EvalActionName']} on {probe.resource} ({probe.why})",
                        )
                    )
    return findings
