"""Lint rules for rendered policy documents, each finding a value with a severity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import action_can_target, get_actions_matching
from baseline.design.policies import iter_statements
from baseline.review.effective import as_list

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, order=True)
class ReviewFinding:
    """One problem in the rendered baseline: where, which rule, how bad, and the detail."""

    severity_rank: int
    location: str
    code: str
    detail: str

    @property
    def severity(self) -> str:
        return SEVERITIES[self.severity_rank]

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "location": self.location, "detail": self.detail}


def finding(severity: str, location: str, code: str, detail: str) -> ReviewFinding:
    """Return a finding; severity is one of SEVERITIES."""
    return ReviewFinding(SEVERITIES.index(severity), location, code, detail)


def lint_document(location: str, document: dict[str, Any]) -> list[ReviewFinding]:
    """Return the findings of every statement of one policy document."""
    findings = []
    for index, stmt in enumerate(iter_statements(document)):
        where = f"{location} statement {stmt.get('Sid') or index}"
        patterns = as_list(stmt.get("Action", []))
        resources = as_list(stmt.get("Resource", ["*"]))
        for pattern in patterns:
            if pattern != "*" and not get_actions_matching(pattern):
                findings.append(finding("error", where, "unknown-action", f"{pattern!r} matches no action in the IAM action catalogue"))
        if stmt["Effect"] != "Allow":
            continue
        if "*" in patterns or "*:*" in patterns:
            findings.append(finding("error", where, "wildcard-action", "grants every action ('*'): an admin key by another name"))
        reached = {a for p in patterns for a in get_actions_matching(p)}
        if "iam:PassRole" in reached and "*" in resources:
            findings.append(
                finding("error", where, "passrole-on-star", "iam:PassRole on '*' lets the holder hand any role to a compute service")
            )
        for pattern in sorted(p for p in patterns if p.endswith(":*")):
            findings.append(finding("info", where, "service-wildcard", f"{pattern} grants the whole service"))
        if "*" not in resources:
            dead = sorted(a for a in reached if not action_can_target(a, tuple(resources)))
            if dead:
                examples = ", ".join(dead[:5]) + (" …" if len(dead) > 5 else "")
                findings.append(
                    finding("warning", where, "resource-mismatch", f"{len(dead)} action(s) can never match {resources}: {examples}")
                )
    return findings
