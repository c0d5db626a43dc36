"""Lint rules for rendered policy documents; each finding states its code, and the code its severity."""

from __future__ import annotations

from typing import Any

from baseline.aws.catalog import action_can_target, get_actions_matching
from baseline.design.findings import Finding
from baseline.design.policies import as_list, iter_statements


def lint_document(location: str, document: dict[str, Any]) -> list[Finding]:
    """Return the findings of every statement of one policy document."""
    findings = []
    for index, stmt in enumerate(iter_statements(document)):
        where = f"{location} statement {stmt.get('Sid') or index}"
        patterns = as_list(stmt.get("Action", []))
        resources = as_list(stmt.get("Resource", ["*"]))
        for pattern in [*patterns, *as_list(stmt.get("NotAction", []))]:
            if pattern != "*" and not get_actions_matching(pattern):
                findings.append(Finding("unknown-action", where, f"{pattern!r} matches no action in the IAM action catalogue"))
        if stmt["Effect"] != "Allow":
            continue
        if "*" in patterns or "*:*" in patterns:
            findings.append(Finding("wildcard-action", where, "grants every action ('*'): an admin key by another name"))
        reached = {a for p in patterns for a in get_actions_matching(p)}
        if "iam:PassRole" in reached and "*" in resources:
            findings.append(Finding("passrole-on-star", where, "iam:PassRole on '*' lets the holder hand any role to a compute service"))
        for pattern in sorted(p for p in patterns if p.endswith(":*")):
            findings.append(Finding("service-wildcard", where, f"{pattern} grants the whole service"))
        if "*" not in resources:
            dead = sorted(a for a in reached if not action_can_target(a, tuple(resources)))
            if dead:
                examples = ", ".join(dead[:5]) + (" …" if len(dead) > 5 else "")
                findings.append(Finding("resource-mismatch", where, f"{len(dead)} action(s) can never match {resources}: {examples}"))
    return findings
