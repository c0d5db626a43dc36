"""The baseline's principals, read back from one offline render: each user or role with its documents,
and what its policies and boundary let it reach."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from baseline.aws import arns
from baseline.aws.catalog import is_destructive
from baseline.design import quotas
from baseline.design.policies import as_list, iter_statements, mask_external_ids
from baseline.offline.engine import Rendering, reveal
from baseline.review.effective import Reach, effective_grants, reachable_actions

# What a principal a service creates may be given at worst: its boundary is then all that holds it.
ANYTHING = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


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
    # A user's groups and their inline policies, by group then policy name.
    group_policies: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    # The managed policies the baseline attaches (a grant over the inline limit), by ARN.
    attached: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The ARN of the boundary it carries, and of the boundary what it creates must carry (either may be one
    # whose document is not the baseline's, an organisation's boundary, which review cannot see offline).
    boundary_arn: str | None = None
    created_boundary_arn: str | None = None

    @property
    def external_boundary(self) -> str | None:
        """Return the ARN of the boundary it carries when the baseline did not write it (organizationBoundary)."""
        return self.boundary_arn if self.boundary is None else None

    @property
    def created_external_boundary(self) -> str | None:
        """Return the ARN of the boundary what it creates must carry when the baseline did not write it."""
        return self.created_boundary_arn if self.created_boundary is None else None

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
        return effective_grants(self.permission_policies(), self.boundary[1] if self.boundary else None)

    def permission_policies(self) -> list[dict[str, Any]]:
        """Return every identity policy of the principal: its inline policies, then the managed ones attached."""
        return [*self.policies.values(), *self.attached.values()]

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
        """Return every document of the principal by file name: trust, boundary, inline policies, attached ones."""
        docs = {}
        if self.trust is not None:
            docs["trust-policy"] = mask_external_ids(self.trust)
        if self.boundary is not None:
            docs[f"boundary-{self.boundary[0]}"] = self.boundary[1]
        docs.update({f"policy-{name}": doc for name, doc in self.policies.items()})
        docs.update({f"managed-{name}": doc for name, doc in self.attached_by_name().items()})
        return docs

    def attached_by_name(self) -> dict[str, dict[str, Any]]:
        """Return the managed policies the baseline attaches, by policy name, in name order."""
        return {arn.rsplit("/", 1)[1]: self.attached[arn] for arn in sorted(self.attached, key=_attachment_order)}


def collect_principals(rendering: Rendering) -> dict[str, Principal]:
    """Return the baseline's principals keyed `ci-user`, `state-role`, `service/<name>` or `preview/<unit>`."""
    ctx, outputs = rendering.ctx, reveal(rendering.outputs)
    keys = {outputs["stateRole"]["arn"]: ("state-role", None)} if "stateRole" in outputs else {}
    # Provisioning roles: `service/<name>`, and `service/<name>/<component>` for a service's components.
    provisioning = dict(provisioning_entries(outputs))
    keys.update({entry["arn"]: (key, entry["allowDelete"]) for key, entry in provisioning.items()})
    keys.update(
        {
            r["stateRole"]["arn"]: (f"service-state/{name}", None)
            for name, r in outputs.get("provisioningRoles", {}).items()
            if "stateRole" in r
        }
    )
    # previewRoles: `preview/<unit>`, the unit being the service or `<service>-<component>`; none may delete.
    keys.update({role["arn"]: (key, False) for key, role in preview_entries(outputs)})
    managed = {arns.policy_arn(ctx, p.inputs.get("path", "/"), p.inputs["name"]): p for p in rendering.of_type("aws:iam/policy:Policy")}
    user_policies = rendering.user_policies()
    role_policies = rendering.grouped("aws:iam/rolePolicy:RolePolicy", "role")
    attachments = rendering.grouped("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "role")
    principals: dict[str, Principal] = {}
    group_policies = rendering.grouped("aws:iam/groupPolicy:GroupPolicy", "group")
    for user in rendering.of_type("aws:iam/user:User"):
        name, path = user.inputs["name"], user.inputs.get("path", "/")
        boundary_arn = user.inputs.get("permissionsBoundary") or None
        boundary = managed.get(boundary_arn or "")
        groups = [m.inputs["group"] for m in rendering.of_type("aws:iam/groupMembership:GroupMembership") if name in m.inputs["users"]]
        principals["ci-user"] = Principal(
            key="ci-user", kind="user", name=name, path=path, arn=arns.user_arn(ctx, path, name),
            policies={label: json.loads(policy) for label, policy in user_policies.get(name, {}).items()},
            boundary=(boundary.inputs["name"], json.loads(boundary.inputs["policy"])) if boundary else None,
            group_policies={g: {p.inputs["name"]: json.loads(p.inputs["policy"]) for p in group_policies.get(g, [])} for g in groups},
            boundary_arn=boundary_arn,
        )  # fmt: skip
    for role in rendering.of_type("aws:iam/role:Role"):
        name, path = role.inputs["name"], role.inputs.get("path", "/")
        arn = arns.role_arn(ctx, path, name)
        key, allow_delete = keys.get(arn, (f"role/{name}", None))
        created_arn = provisioning.get(key, {}).get("permissionsBoundaryArn") or None
        created = managed.get(created_arn or "")
        boundary_arn = role.inputs.get("permissionsBoundary") or None
        boundary = managed.get(boundary_arn or "")
        principals[key] = Principal(
            key=key, kind="role", name=name, path=path, arn=arn,
            policies={p.inputs["name"]: json.loads(p.inputs["policy"]) for p in role_policies.get(name, [])},
            trust=json.loads(role.inputs["assumeRolePolicy"]),
            max_session=int(role.inputs.get("maxSessionDuration", quotas.MAX_SESSION_DURATION_MIN)),
            allow_delete=allow_delete,
            created_boundary=(created.inputs["name"], json.loads(created.inputs["policy"])) if created else None,
            attached={a.inputs["policyArn"]: json.loads(managed[a.inputs["policyArn"]].inputs["policy"]) for a in attachments.get(name, [])},
            boundary=(boundary.inputs["name"], json.loads(boundary.inputs["policy"])) if boundary else None,
            boundary_arn=boundary_arn, created_boundary_arn=created_arn,
        )  # fmt: skip
    for principal in principals.values():
        principal.state_prefix = f"{outputs['stateBucketArn']}/.pulumi/"
    return principals


def _attachment_order(arn: str) -> tuple[str, int]:
    """Return a sort key putting `<role>-grant-2` before `<role>-grant-10`."""
    stem, _, index = arn.rpartition("-")
    return (stem, int(index)) if index.isdigit() else (arn, 0)


def provisioning_entries(outputs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return each provisioning role's output entry with its principal key (`service/<name>[/<component>]`)."""
    found = []
    for name, entry in outputs.get("provisioningRoles", {}).items():
        if "arn" in entry:
            found.append((f"service/{name}", entry))
        found += [(f"service/{name}/{component}", role) for component, role in entry.get("components", {}).items()]
    return found


def preview_entries(outputs: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Return each preview role's output entry with its principal key (`preview/<service>`, `preview/<service>-<component>`)."""
    found = []
    for name, entry in outputs.get("provisioningRoles", {}).items():
        if "previewRole" in entry:
            found.append((f"preview/{name}", entry["previewRole"]))
        found += [(f"preview/{name}-{c}", role["previewRole"]) for c, role in entry.get("components", {}).items() if "previewRole" in role]
    return found


def trusted_by(role: Principal) -> list[dict[str, Any]]:
    """Return who may assume a role and under which conditions (external IDs masked)."""
    out = []
    for stmt in iter_statements(mask_external_ids(role.trust or {"Statement": []})):
        if stmt["Effect"] == "Allow":
            principal = stmt.get("Principal", {})
            who = principal if isinstance(principal, str) else sorted(a for v in principal.values() for a in as_list(v))
            out.append({"principals": who, "actions": as_list(stmt["Action"]), "conditions": stmt.get("Condition", {})})
    return out
