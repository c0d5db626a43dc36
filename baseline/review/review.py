"""The least-privilege review: who can act as each principal, what it can reach, its blast radius,
its quota budget and lint findings, all computed from one offline render of the program."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from baseline.aws import arns
from baseline.aws.catalog import get_access_level, get_all_actions, globs_overlap, is_destructive
from baseline.design import quotas
from baseline.design.policies import iter_statements, mask_external_ids
from baseline.offline.engine import Rendering, reveal
from baseline.review.effective import Reach, as_list, effective_grants, reachable_actions
from baseline.review.lint import ReviewFinding, finding, lint_document

# What a principal a service creates may be given at worst: its boundary is then all that holds it.
ANYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
ACCESS_LEVELS = ("List", "Read", "Write", "Permissions management", "Tagging")
CONSOLE_SWITCH_ROLE_MAX = 64  # path + role name, for the console's switch-role link


@dataclass
class Principal:
    """One user or role of the baseline with its documents and what they reach."""

    key: str
    kind: str
    name: str
    arn: str
    path: str
    policies: dict[str, dict[str, Any]]
    boundary: tuple[str, dict[str, Any]] | None = None
    trust: dict[str, Any] | None = None
    max_session: int | None = None
    allow_delete: bool | None = None
    state_prefix: str = ""
    # The boundary every principal this role creates must carry (services that manage IAM).
    created_boundary: tuple[str, dict[str, Any]] | None = None

    @functools.cached_property
    def created(self) -> Principal | None:
        """Return the most a principal this role creates could do: anything attached, within the boundary."""
        if self.created_boundary is None:
            return None
        return Principal(
            key=f"{self.key}/created", kind="role", name=f"(created by {self.name})", arn="", path="",
            policies={"anything-attached": ANYTHING}, boundary=self.created_boundary, allow_delete=self.allow_delete,
        )  # fmt: skip

    @functools.cached_property
    def grants(self) -> list[Reach]:
        """Return what its policies grant after Deny statements and its boundary (computed on first use)."""
        return effective_grants(self.policies.values(), self.boundary[1] if self.boundary else None)

    @functools.cached_property
    def reachable(self) -> frozenset[str]:
        return reachable_actions(self.grants)

    def _destructive_resources(self) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for grant in self.grants:
            for action in grant.actions:
                if is_destructive(action):
                    found[action] += grant.resources
        return found

    @property
    def destructive(self) -> list[str]:
        """Return the destructive actions it reaches, except deleting Pulumi's own state objects."""
        return sorted(a for a, res in self._destructive_resources().items() if not self._only_state(res))

    @property
    def state_housekeeping(self) -> list[str]:
        """Return destructive actions confined to the versioned state prefix (lock release)."""
        return sorted(a for a, res in self._destructive_resources().items() if self._only_state(res))

    def _only_state(self, resources: list[str]) -> bool:
        return bool(self.state_prefix) and all(r.startswith(self.state_prefix) for r in resources)

    def documents(self) -> dict[str, dict[str, Any]]:
        """Return every document of the principal by file name: trust, boundary, inline policies."""
        docs = {}
        if self.trust is not None:
            docs["trust-policy"] = mask_external_ids(self.trust)
        if self.boundary is not None:
            docs[f"boundary-{self.boundary[0]}"] = self.boundary[1]
        docs.update({f"policy-{name}": doc for name, doc in self.policies.items()})
        return docs


def collect_principals(rendering: Rendering) -> dict[str, Principal]:
    """Return the baseline's principals keyed `ci-user`, `state-role` or `service/<name>`."""
    ctx, outputs = rendering.ctx, reveal(rendering.outputs)
    keys = {outputs["stateRole"]["arn"]: ("state-role", None)} if "stateRole" in outputs else {}
    keys.update({r["arn"]: (f"service/{name}", r["allowDelete"]) for name, r in outputs.get("provisioningRoles", {}).items()})
    keys.update(
        {
            r["stateRole"]["arn"]: (f"service-state/{name}", None)
            for name, r in outputs.get("provisioningRoles", {}).items()
            if "stateRole" in r
        }
    )
    managed = {arns.policy_arn(ctx, p.inputs.get("path", "/"), p.inputs["name"]): p for p in rendering.of_type("aws:iam/policy:Policy")}
    user_policies = rendering.user_policies()
    role_policies = rendering.grouped("aws:iam/rolePolicy:RolePolicy", "role")
    principals: dict[str, Principal] = {}
    for user in rendering.of_type("aws:iam/user:User"):
        name, path = user.inputs["name"], user.inputs.get("path", "/")
        boundary = managed.get(user.inputs.get("permissionsBoundary", ""))
        principals["ci-user"] = Principal(
            key="ci-user", kind="user", name=name, path=path, arn=arns.user_arn(ctx, path, name),
            policies={label: json.loads(policy) for label, policy in user_policies.get(name, {}).items()},
            boundary=(boundary.inputs["name"], json.loads(boundary.inputs["policy"])) if boundary else None,
        )  # fmt: skip
    for role in rendering.of_type("aws:iam/role:Role"):
        name, path = role.inputs["name"], role.inputs.get("path", "/")
        arn = arns.role_arn(ctx, path, name)
        key, allow_delete = keys.get(arn, (f"role/{name}", None))
        created = managed.get(outputs.get("provisioningRoles", {}).get(key.removeprefix("service/"), {}).get("permissionsBoundaryArn", ""))
        principals[key] = Principal(
            key=key, kind="role", name=name, path=path, arn=arn,
            policies={p.inputs["name"]: json.loads(p.inputs["policy"]) for p in role_policies.get(name, [])},
            trust=json.loads(role.inputs["assumeRolePolicy"]),
            max_session=int(role.inputs.get("maxSessionDuration", quotas.MAX_SESSION_DURATION_MIN)),
            allow_delete=allow_delete,
            created_boundary=(created.inputs["name"], json.loads(created.inputs["policy"])) if created else None,
        )  # fmt: skip
    for principal in principals.values():
        principal.state_prefix = f"{outputs['stateBucketArn']}/.pulumi/"
    return principals


def trusted_by(role: Principal) -> list[dict[str, Any]]:
    """Return who may assume a role and under which conditions (external IDs masked)."""
    out = []
    for stmt in iter_statements(mask_external_ids(role.trust or {"Statement": []})):
        if stmt["Effect"] == "Allow":
            principal = stmt.get("Principal", {})
            who = principal if isinstance(principal, str) else sorted(a for v in principal.values() for a in as_list(v))
            out.append({"principals": who, "actions": as_list(stmt["Action"]), "conditions": stmt.get("Condition", {})})
    return out


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


def quota_budget(principals: dict[str, Principal]) -> tuple[list[dict[str, Any]], list[ReviewFinding]]:
    """Return every document's size against its IAM limit, and a finding for each breach."""
    rows, findings = [], []

    def check(principal: Principal, what: str, size: int, limit: int) -> None:
        rows.append({"principal": principal.key, "document": what, "size": size, "limit": limit})
        if size > limit:
            findings.append(
                finding("error", f"{principal.kind}/{principal.name}", "quota", f"{what} is {size} characters; IAM's limit is {limit}")
            )

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
        if p.trust is not None:
            check(p, "trust policy", size(p.trust), quotas.TRUST_POLICY_MAX_CHARS)
        limit = quotas.ROLE_NAME_MAX if p.kind == "role" else quotas.USER_NAME_MAX
        check(p, "name length", len(p.name), limit)
        if p.kind == "role" and len(p.path) + len(p.name) > CONSOLE_SWITCH_ROLE_MAX:
            findings.append(
                finding(
                    "info",
                    f"role/{p.name}",
                    "switch-role",
                    "path + name exceed 64 characters; the console's switch-role link will not work",
                )
            )
    roles = sum(1 for p in principals.values() if p.kind == "role")
    rows.append({"principal": "account", "document": "roles", "size": roles, "limit": quotas.ROLES_PER_ACCOUNT})
    if roles > quotas.ROLES_PER_ACCOUNT:
        findings.append(
            finding("error", "account", "quota", f"{roles} roles exceed the default account quota of {quotas.ROLES_PER_ACCOUNT}")
        )
    return rows, findings


def delete_findings(principals: dict[str, Principal], windows: dict[str, dict[str, str]]) -> list[ReviewFinding]:
    """Return a finding for each principal that can delete: an error where deletes were denied, unless
    only through an open delete window (conditional on aws:CurrentTime)."""
    findings = []
    for p in principals.values():
        if p.created is not None:
            findings += _created_findings(p)
        unconditional = _unconditional_destructive(p)
        if p.key == "ci-user" and p.destructive:
            findings.append(finding("error", f"user/{p.name}", "destructive-reachable", "the CI key itself can delete"))
        elif p.allow_delete is False and unconditional:
            findings.append(
                finding(
                    "error",
                    f"role/{p.name}",
                    "destructive-reachable",
                    f"allowDelete is false but {len(unconditional)} destructive actions are reachable, e.g. {unconditional[:3]}",
                )
            )
        elif p.allow_delete is False and p.destructive:
            window = windows.get(p.key.split("/", 1)[1], {})
            detail = f"delete window open until {window.get('until', '?')}: {window.get('reason', '')} ({len(p.destructive)} destructive actions, denied again after)"
            findings.append(finding("info", f"role/{p.name}", "delete-window", detail))
    return findings


def _unconditional_destructive(p: Principal) -> list[str]:
    return [a for a in p.destructive if any(a in g.actions and not g.conditional for g in p.grants)]


def _created_findings(p: Principal) -> list[ReviewFinding]:
    """Return an error when a principal the role may create could delete where the role may not."""
    created = p.created
    assert created is not None
    destructive = _unconditional_destructive(created)
    if p.allow_delete is False and destructive:
        return [
            finding(
                "error",
                f"role/{p.name}",
                "created-principal-destructive",
                f"roles it creates could delete although allowDelete is false: {len(destructive)} actions, e.g. {destructive[:3]}",
            )
        ]
    return []


def isolation_findings(outputs: dict[str, Any]) -> list[ReviewFinding]:
    """Return a warning when every service shares one state role (one credential reads every state)."""
    if "stateRole" not in outputs or not outputs.get("provisioningRoles"):
        return []
    return [
        finding(
            "warning",
            "stateIsolation",
            "state-shared",
            "stateIsolation is shared: every service's CI can read and overwrite every other service's state; "
            "use per-service (the default)",
        )
    ]


def review(rendering: Rendering) -> dict[str, Any]:
    """Return the whole review of one rendered stack as plain data."""
    principals = collect_principals(rendering)
    rows, findings = quota_budget(principals)
    outputs = reveal(rendering.outputs)
    windows = outputs.get("deleteWindows", {})
    findings += delete_findings(principals, windows) + isolation_findings(outputs)
    for p in principals.values():
        for name, doc in p.documents().items():
            findings += lint_document(f"{p.kind}/{p.name} {name}", doc)
    findings.sort()
    return {
        "stack": rendering.stack,
        "account": {"id": rendering.ctx.account_id, "region": rendering.ctx.region, "partition": rendering.ctx.partition},
        "principals": {key: _principal_summary(p) for key, p in principals.items()},
        "blastRadius": blast_radius(principals),
        "deleteWindows": windows,
        "quotas": rows,
        "findings": [f.as_dict() for f in findings],
        "summary": {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")},
        "_principals": principals,
    }


def _principal_summary(p: Principal) -> dict[str, Any]:
    created = p.created
    extra = {}
    if created is not None:
        extra["createdPrincipals"] = {
            "boundary": p.created_boundary[0] if p.created_boundary else "",
            "actionCount": len(created.reachable),
            "destructiveActions": created.destructive,
        }
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


def compare(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    """Return, per principal, the actions one stack's principal reaches that the other's does not."""
    a, b = left["_principals"], right["_principals"]
    out = {}
    for key in sorted(set(a) | set(b)):
        ra = a[key].reachable if key in a else frozenset()
        rb = b[key].reachable if key in b else frozenset()
        out[key] = {f"only{left['stack'].title()}": sorted(ra - rb), f"only{right['stack'].title()}": sorted(rb - ra)}
    return {"left": left["stack"], "right": right["stack"], "principals": out}
