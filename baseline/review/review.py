"""The least-privilege review: who can act as each principal, what it can reach, its blast radius,
its quota budget and findings, all computed from one offline render of the program."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import get_access_level, get_all_actions, globs_overlap
from baseline.design import quotas
from baseline.design.config import BaselineConfig, allowed_account_ids, decode_pulumi_config, is_prod_environment, parse_config
from baseline.design.findings import SEVERITIES, Finding, severity_rank
from baseline.design.manifests import INSTALLED, ManifestSource
from baseline.design.quota_checks import role_quota_detail
from baseline.offline.engine import Rendering, reveal
from baseline.review.dangerous import grant_findings, manifest_findings
from baseline.review.lint import lint_document
from baseline.review.principals import Principal, collect_principals, trusted_by

ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
CONSOLE_SWITCH_ROLE_MAX = 64  # path + role name, for the console's switch-role link


def _grants_assume(caller: Principal, role_arn: str) -> bool:
    return any("sts:AssumeRole" in g.actions and any(globs_overlap(r, role_arn) for r in g.resources) for g in caller.grants)


def assumable_roles(principals: dict[str, Principal]) -> dict[str, list[Principal]]:
    """Return, per principal key, the roles it can assume (one pass over the trusts, not all pairs)."""
    trusting: dict[str, list[Principal]] = defaultdict(list)
    for role in principals.values():
        if role.kind == "role":
            for trust in trusted_by(role):
                if "sts:AssumeRole" in trust["actions"]:
                    for who in trust["principals"]:
                        trusting[who].append(role)
    return {
        caller.key: [r for r in trusting.get(caller.arn, []) if r is not caller and _grants_assume(caller, r.arn)]
        for caller in principals.values()
    }


def access_levels(actions: frozenset[str]) -> dict[str, dict[str, int]]:
    """Return action counts per service and access level."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ACCESS_LEVELS, 0))
    for action in actions:
        counts[action.split(":", 1)[0]][get_access_level(action)] += 1
    return {service: counts[service] for service in sorted(counts)}


def blast_radius(principals: dict[str, Principal]) -> dict[str, Any]:
    """Return, per credential, what it reaches directly and through each role it can assume."""
    admin = len(get_all_actions())
    credentials = {}
    assumable = assumable_roles(principals)
    for caller in principals.values():
        via = {p.key: p for p in assumable[caller.key]}
        total = caller.reachable.union(*(p.reachable for p in via.values()))
        destructive = set(caller.destructive).union(*(p.destructive for p in via.values()))
        housekeeping = set(caller.state_housekeeping).union(*(p.state_housekeeping for p in via.values()))
        credentials[caller.key] = {
            "direct": {"actions": len(caller.reachable), "assumeRoleOn": sorted(r for g in caller.grants if "sts:AssumeRole" in g.actions for r in g.resources)},
            "viaRoles": {k: len(p.reachable) for k, p in sorted(via.items())},
            "totalActions": len(total),
            "destructiveActions": len(destructive),
            "stateHousekeeping": sorted(housekeeping),
            "percentOfAdmin": round(100 * len(total) / admin, 2),
        }  # fmt: skip
    return {"adminActions": admin, "credentials": credentials}


def quota_budget(
    principals: dict[str, Principal], managed_per_role: int = quotas.MANAGED_POLICIES_PER_ROLE
) -> tuple[list[dict[str, Any]], list[Finding]]:
    """Return every document's size against its IAM limit, and a finding for each breach; a role with
    managed grant policies also gets their count against `managed_per_role` (managedPoliciesPerRole)."""
    rows, findings = [], []

    def check(principal: Principal, what: str, size: int, limit: int, unit: str = " characters") -> None:
        rows.append({"principal": principal.key, "document": what, "size": size, "limit": limit})
        if size > limit:
            findings.append(Finding("quota", f"{principal.kind}/{principal.name}", f"{what} is {size}{unit}; IAM's limit is {limit}"))

    def size(doc: dict[str, Any]) -> int:
        return quotas.policy_size(json.dumps(doc, separators=(",", ":")))

    for p in principals.values():
        own = [d for label, d in p.policies.items() if not label.startswith("group-")]
        groups = [d for label, d in p.policies.items() if label.startswith("group-")]
        inline_limit = quotas.USER_INLINE_AGGREGATE_MAX_CHARS if p.kind == "user" else quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS
        if own or p.kind == "role":
            check(p, "inline policies (aggregate)", sum(size(d) for d in own), inline_limit)
        if groups:
            check(p, "group inline policies (aggregate)", sum(size(d) for d in groups), quotas.GROUP_INLINE_AGGREGATE_MAX_CHARS)
        if p.boundary:
            check(p, f"managed policy {p.boundary[0]}", size(p.boundary[1]), quotas.MANAGED_POLICY_MAX_CHARS)
        for name, doc in p.attached_by_name().items():
            check(p, f"managed policy {name}", size(doc), quotas.MANAGED_POLICY_MAX_CHARS)
        if p.attached:
            check(p, "attached managed policies", len(p.attached), managed_per_role, " (managedPoliciesPerRole)")
        if p.trust is not None:
            check(p, "trust policy", size(p.trust), quotas.TRUST_POLICY_MAX_CHARS)
        limit = quotas.ROLE_NAME_MAX if p.kind == "role" else quotas.USER_NAME_MAX
        check(p, "name length", len(p.name), limit)
        if p.kind == "role" and len(p.path) + len(p.name) > CONSOLE_SWITCH_ROLE_MAX:
            findings.append(
                Finding(
                    "switch-role",
                    f"role/{p.name}",
                    "path + name exceed 64 characters; the console's switch-role link will not work",
                )
            )
    roles = sum(1 for p in principals.values() if p.kind == "role")
    rows.append({"principal": "account", "document": "roles", "size": roles, "limit": quotas.ROLES_PER_ACCOUNT})
    if roles > quotas.ROLES_PER_ACCOUNT:
        findings.append(Finding("role-quota", "services", role_quota_detail(roles)))
    return rows, findings


def delete_findings(principals: dict[str, Principal], windows: dict[str, dict[str, str]]) -> list[Finding]:
    """Return a finding for each principal that can delete: an error where deletes were denied, unless
    only through an open delete window (conditional on aws:CurrentTime)."""
    findings = []
    for p in principals.values():
        if p.created is not None:
            findings += _created_findings(p)
        unconditional = _unconditional_destructive(p)
        if p.key == "ci-user" and p.destructive:
            findings.append(Finding("destructive-reachable", f"user/{p.name}", "the CI key itself can delete"))
        elif p.allow_delete is False and unconditional:
            findings.append(
                Finding(
                    "destructive-reachable",
                    f"role/{p.name}",
                    f"allowDelete is false but {len(unconditional)} destructive actions are reachable, e.g. {unconditional[:3]}",
                )
            )
        elif p.allow_delete is False and p.destructive:
            window = windows.get(p.key.split("/", 1)[1], {})
            detail = f"delete window open until {window.get('until', '?')}: {window.get('reason', '')} ({len(p.destructive)} destructive actions, denied again after)"
            findings.append(Finding("delete-window", f"role/{p.name}", detail))
    return findings


def _unconditional_destructive(p: Principal) -> list[str]:
    return [a for a in p.destructive if any(a in g.actions and not g.conditional for g in p.grants)]


def _created_findings(p: Principal) -> list[Finding]:
    """Return an error when a principal the role may create could delete where the role may not."""
    created = p.created
    assert created is not None
    destructive = _unconditional_destructive(created)
    if p.allow_delete is False and destructive:
        return [
            Finding(
                "created-principal-destructive",
                f"role/{p.name}",
                f"roles it creates could delete although allowDelete is false: {len(destructive)} actions, e.g. {destructive[:3]}",
            )
        ]
    return []


def external_boundary_findings(principals: dict[str, Principal]) -> list[Finding]:
    """Return what review cannot see: an info naming the principals that carry a boundary the baseline did not
    write (the organisation's), and a warning per service whose created roles carry it instead of its own."""
    carriers: dict[str, list[str]] = defaultdict(list)
    for p in principals.values():
        if p.external_boundary:
            carriers[p.external_boundary].append(f"{p.kind}/{p.name}")
    findings = [
        Finding("external-boundary", "organizationBoundary", f"{len(names)} principal(s) carry {arn}, whose document review cannot see "
                f"offline: what they can do is also capped by it (the grants shown are their own policies'): {', '.join(sorted(names))}")
        for arn, names in sorted(carriers.items())
    ]  # fmt: skip
    for p in principals.values():
        if p.created_external_boundary:
            detail = (f"roles and users it creates carry {p.created_external_boundary}, not a boundary of the service's grant: they are "
                      "capped by that boundary and by what the service gives them (inline policies, managed policies in its own path); "
                      "deletes, role chaining and the baseline's IAM are no longer denied to them (the state bucket still refuses them)")  # fmt: skip
            findings.append(Finding("created-external-boundary", f"role/{p.name}", detail))
    return findings


def isolation_findings(outputs: dict[str, Any]) -> list[Finding]:
    """Return a warning when every service shares one state role (one credential reads every state)."""
    if "stateRole" not in outputs or not outputs.get("provisioningRoles"):
        return []
    return [
        Finding(
            "state-shared",
            "stateIsolation",
            "stateIsolation is shared: every service's CI can read and overwrite every other service's state; "
            "use per-service (the default)",
        )
    ]


@dataclass
class ReviewReport:
    """The whole review of one rendered stack: principals, blast radius, quota budget and findings."""

    stack: str
    account: dict[str, str]
    principals: dict[str, Principal]
    blast_radius: dict[str, Any]
    delete_windows: dict[str, dict[str, str]]
    quotas: list[dict[str, Any]]
    findings: list[Finding]

    @property
    def summary(self) -> dict[str, int]:
        """Return how many findings there are of each severity."""
        return {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (what `review --json` prints)."""
        return {
            "stack": self.stack,
            "account": self.account,
            "principals": {key: _principal_summary(p) for key, p in self.principals.items()},
            "blastRadius": self.blast_radius,
            "deleteWindows": self.delete_windows,
            "quotas": self.quotas,
            "findings": [f.to_json() for f in self.findings],
            "summary": self.summary,
        }


def stack_config(values: Mapping[str, str], stack: str, manifests: ManifestSource = INSTALLED) -> BaselineConfig:
    """Return a stack's parsed config from its Pulumi config values (what `load_stack_config` reads)."""
    return parse_config(decode_pulumi_config(values), stack, allowed_account_ids=allowed_account_ids(values), manifests=manifests)


def review(rendering: Rendering, config: BaselineConfig | None = None, manifests: ManifestSource = INSTALLED) -> ReviewReport:
    """Return the whole review of one rendered stack. With its `config` (`stack_config`), the review knows
    the stack's environment and the component manifests its roles use; without it, the environment is
    the stack's name (the config's default) and manifests are not reviewed."""
    principals = collect_principals(rendering)
    rows, findings = quota_budget(principals, config.managed_policies_per_role if config is not None else quotas.MANAGED_POLICIES_PER_ROLE)
    outputs = reveal(rendering.outputs)
    windows = outputs.get("deleteWindows", {})
    findings += delete_findings(principals, windows) + isolation_findings(outputs) + external_boundary_findings(principals)
    prod = config.is_prod if config is not None else is_prod_environment(rendering.stack)
    findings += grant_findings(principals, rendering.ctx, prod)
    if config is not None:
        findings += manifest_findings(config, manifests)
    for p in principals.values():
        for name, doc in p.documents().items():
            findings += lint_document(f"{p.kind}/{p.name} {name}", doc)
    return ReviewReport(
        stack=rendering.stack,
        account={"id": rendering.ctx.account_id, "region": rendering.ctx.region, "partition": rendering.ctx.partition},
        principals=principals,
        blast_radius=blast_radius(principals),
        delete_windows=windows,
        quotas=rows,
        findings=sorted(findings, key=severity_rank),
    )


def _principal_summary(p: Principal) -> dict[str, Any]:
    created = p.created
    extra: dict[str, Any] = {}
    if created is not None:
        extra["createdPrincipals"] = {
            "boundary": p.created_boundary[0] if p.created_boundary else "",
            "actionCount": len(created.reachable),
            "destructiveActions": created.destructive,
        }
    elif p.created_external_boundary:  # the organisation's: what created roles may do is not known offline
        extra["createdPrincipals"] = {"boundary": p.created_external_boundary, "external": True}
    if p.external_boundary:
        extra["externalBoundary"] = p.external_boundary
    return {
        **extra,
        "kind": p.kind,
        "name": p.name,
        "arn": p.arn,
        "assumedBy": trusted_by(p) if p.trust is not None else [],
        "maxSessionDuration": p.max_session,
        "actionCount": len(p.reachable),
        "destructiveActions": p.destructive,
        "stateHousekeeping": p.state_housekeeping,
        "accessLevels": access_levels(p.reachable),
        "resources": sorted({r for g in p.grants for r in g.resources}),
        "conditionalGrants": sum(1 for g in p.grants if g.conditional),
    }


def compare(left: ReviewReport, right: ReviewReport) -> dict[str, Any]:
    """Return, per principal, the actions one stack's principal reaches that the other's does not."""
    a, b = left.principals, right.principals
    out = {}
    for key in sorted(set(a) | set(b)):
        ra = a[key].reachable if key in a else frozenset()
        rb = b[key].reachable if key in b else frozenset()
        out[key] = {f"only{left.stack.title()}": sorted(ra - rb), f"only{right.stack.title()}": sorted(rb - ra)}
    return {"left": left.stack, "right": right.stack, "principals": out}
