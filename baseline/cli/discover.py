"""Propose a service's `actions` from its Pulumi program, run offline under mocks.

Every AWS resource type the program declares (`aws:sqs/queue:Queue`) and every data source it calls
is looked up in the permission table (`baseline/aws/permissions/`, written from the AWS provider's
code): what creating, reading, updating and tagging it calls (with the calls its set inputs add), and
what deleting it calls. A type the table lacks falls back to matching catalogue actions by name, with a
warning that the row is unverified; that fallback never proposes data-plane, export or credential actions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from baseline.aws.catalog import (
    get_access_level,
    get_actions_for_service,
    get_resource_types,
    get_service_prefixes,
    is_destructive,
    split_camel_words,
)
from baseline.aws.permissions import get_data_source_actions, get_resource_permissions
from baseline.design.grants import compact_actions
from baseline.design.manifests import Manifest

# Pulumi module -> IAM service prefix, only where they differ (pulumi-aws module names).
MODULE_PREFIXES = {
    "alb": "elasticloadbalancing",
    "lb": "elasticloadbalancing",
    "elb": "elasticloadbalancing",
    "appautoscaling": "application-autoscaling",
    "cognito": "cognito-idp",
    "efs": "elasticfilesystem",
    "sfn": "states",
    "opensearch": "es",
    "msk": "kafka",
    "ebs": "ec2",
    "vpc": "ec2",
    "apigatewayv2": "apigateway",
    "cfg": "config",
    "sesv2": "ses",
}
# Resources whose module holds several IAM services (pulumi-aws `cloudwatch`).
RESOURCE_PREFIXES = {
    ("cloudwatch", "LogGroup"): "logs",
    ("cloudwatch", "LogStream"): "logs",
    ("cloudwatch", "LogSubscriptionFilter"): "logs",
    ("cloudwatch", "LogMetricFilter"): "logs",
    ("cloudwatch", "EventRule"): "events",
    ("cloudwatch", "EventTarget"): "events",
    ("cloudwatch", "EventBus"): "events",
}
NEEDED_LEVELS = ("List", "Read", "Write", "Tagging", "Permissions management")
# Control-plane verbs: what creating, reading, updating and tagging a resource calls. Data-plane
# verbs (SendMessage, GetObject's Put/Get pairs aside, Invoke, Publish) are left for runtime roles.
CONTROL_VERBS = (
    "Add", "Associate", "Attach", "Authorize", "Create", "Describe", "Detach", "Disable", "Disassociate", "Enable",
    "Get", "List", "Modify", "Put", "Register", "Revoke", "Set", "Tag", "Untag", "Update",
)  # fmt: skip
TYPE_TOKEN = re.compile(r"^aws:([a-z0-9]+)/([A-Za-z0-9]+):([A-Za-z0-9]+)$")


# CamelCase words of actions a deployer never needs, dropped from the name-matching fallback: data
# plane (items, messages, objects' contents, events, images, metric data, secret values), exports,
# passwords and credentials, marketplace listings, and account-wide defaults.
FALLBACK_EXCLUDED_WORDS = frozenset(
    ("Item", "Items", "Message", "Messages", "Events", "Image", "Data", "Value", "Export", "Password", "Credential",
     "Credentials", "Listing", "Default", "Purge", "Invoke", "Publish", "Send", "Receive")
)  # fmt: skip


@dataclass
class TypeNeeds:
    """What one resource type (or data source) needs: its IAM prefix, the actions to deploy and to delete it."""

    token: str
    prefix: str
    manage: set[str] = field(default_factory=set)
    delete: set[str] = field(default_factory=set)
    verified: bool = False  # True when the row comes from the permission table
    replaced_on_update: bool = False


def iam_prefix(token: str) -> str | None:
    """Return the IAM service prefix of a pulumi-aws type token, or None when the catalogue has none."""
    match = TYPE_TOKEN.match(token)
    if not match:
        return None
    module, _, resource = match.groups()
    prefix = RESOURCE_PREFIXES.get((module, resource)) or MODULE_PREFIXES.get(module, module)
    return prefix if prefix in get_service_prefixes() else None


def actions_for_type(token: str) -> TypeNeeds | None:
    """Return the actions a resource type needs by matching catalogue names (the fallback for untabled types)."""
    prefix = iam_prefix(token)
    if prefix is None:
        return None
    resource = TYPE_TOKEN.match(token).group(3)  # type: ignore[union-attr]
    words = split_camel_words(resource)  # `BucketVersioning` -> Bucket, Versioning
    wanted_type = resource.lower()
    needs = TypeNeeds(token, prefix)
    for action in get_actions_for_service(prefix):
        name = action.split(":", 1)[1]
        types = {t.replace("-", "").replace(" ", "").lower() for t in get_resource_types(action)}
        action_words = split_camel_words(name)
        names_it = words[0] in action_words or words[0] + "s" in action_words  # CreateQueue, ListQueues, PutBucketVersioning
        if not (wanted_type in types or names_it) or get_access_level(action) not in NEEDED_LEVELS:
            continue
        if FALLBACK_EXCLUDED_WORDS.intersection(action_words):
            continue
        if is_destructive(action):
            needs.delete.add(action)
        elif action_words[0] in CONTROL_VERBS:
            needs.manage.add(action)
    return needs


@dataclass
class Proposal:
    """The proposed config for one service, with what each resource type and data source contributed."""

    service: str
    types: dict[str, TypeNeeds]
    unmapped: list[str]
    pass_roles: list[str]
    data_sources: dict[str, TypeNeeds] = field(default_factory=dict)

    @property
    def prefixes(self) -> list[str]:
        return sorted({n.prefix for n in [*self.types.values(), *self.data_sources.values()] if n.manage or n.delete})

    @property
    def unverified(self) -> list[str]:
        """Return the resource types proposed by name matching, to review by hand."""
        return sorted(t for t, n in self.types.items() if not n.verified)

    @property
    def replaced(self) -> list[str]:
        """Return the types that ordinary updates replace: a prod role without deletes fails on them."""
        return sorted(t for t, n in self.types.items() if n.replaced_on_update)

    @property
    def actions(self) -> tuple[str, ...]:
        needed = {a for n in [*self.types.values(), *self.data_sources.values()] for a in n.manage | n.delete}
        if self.pass_roles:
            needed.add("iam:PassRole")
        return compact_actions(needed)

    def yaml_snippet(self, namespace: str = "iam-baseline") -> str:
        body = {f"{namespace}:services": {self.service: {"actions": list(self.actions), "resources": ["*"]}}}
        return yaml.safe_dump({"config": body}, sort_keys=False)

    def to_json(self) -> dict[str, Any]:
        """Return, per resource type and data source, what it needs to deploy and to delete, and the actions."""

        def sets(needs: TypeNeeds) -> dict[str, Any]:
            return {"prefix": needs.prefix, "deploy": sorted(needs.manage), "delete": sorted(needs.delete), "verified": needs.verified}

        return {
            "service": self.service,
            "resourceTypes": {t: {**sets(n), "replacedOnUpdate": n.replaced_on_update} for t, n in self.types.items()},
            "dataSources": {t: sets(n) for t, n in self.data_sources.items()},
            "passRole": self.pass_roles,
            "unmapped": self.unmapped,
            "actions": list(self.actions),
        }


def _set_inputs(inputs: dict[str, Any]) -> frozenset[str]:
    return frozenset(k for k, v in inputs.items() if v not in (None, "", [], {}))


def _needs_from_table(token: str, inputs_set: frozenset[str]) -> TypeNeeds | None:
    row = get_resource_permissions(token)
    if row is None:
        return None
    deploys = row.deploys(inputs_set)
    # skipDestroy: the provider's Delete only forgets the resource, calling nothing (e.g. task_definition.go).
    deletes = frozenset() if "skipDestroy" in inputs_set else row.deletes(inputs_set)
    prefix = next(iter(sorted(deploys | deletes)), token).split(":", 1)[0]
    # skipDestroy keeps the old one on replacement, so a routine update then needs no delete.
    replaced = row.replaced_on_update and "skipDestroy" not in inputs_set
    return TypeNeeds(token, prefix, set(deploys), set(deletes), verified=True, replaced_on_update=replaced)


def propose(service: str, registrations: list[Any], invokes: list[str] | None = None) -> Proposal:
    """Return the proposal for the registrations (and data source calls) of one offline program run."""
    types: dict[str, TypeNeeds] = {}
    unmapped: set[str] = set()
    pass_roles: set[str] = set()
    for registration in registrations:
        token = registration.typ
        if not registration.custom or not token.startswith("aws:"):
            continue
        inputs_set = _set_inputs(registration.inputs)
        needs = _needs_from_table(token, inputs_set) or actions_for_type(token)
        if needs is None:
            unmapped.add(token)
            continue
        if token in types:  # another resource of the type may set other inputs
            types[token].manage |= needs.manage
            types[token].delete = (types[token].delete | needs.delete) - types[token].manage
        else:
            types[token] = needs
        row = get_resource_permissions(token)
        role_inputs = row.pass_role_inputs if row else tuple(k for k in registration.inputs if re.search(r"role(arn)?$", k, re.IGNORECASE))
        pass_roles |= {str(registration.inputs[k]) for k in role_inputs if k in inputs_set}
    data_sources: dict[str, TypeNeeds] = {}
    for token in sorted(set(invokes or ())):
        reads = get_data_source_actions(token)
        if reads is None:
            unmapped.add(token)
        else:
            prefix = next(iter(sorted(reads)), token).split(":", 1)[0]
            data_sources[token] = TypeNeeds(token, prefix, set(reads), verified=True)
    return Proposal(service, dict(sorted(types.items())), sorted(unmapped), sorted(pass_roles), data_sources)


def format_proposal(proposal: Proposal) -> str:
    """Return the report: per resource type what it needs, warnings, then the YAML to paste."""
    lines = [
        f"# {proposal.service}: {len(proposal.types)} AWS resource types, {len(proposal.data_sources)} data sources, "
        f"services {', '.join(proposal.prefixes) or 'none'}"
    ]
    for needs in [*proposal.types.values(), *proposal.data_sources.values()]:
        lines.append(
            f"{needs.token}: deploy {', '.join(compact_actions(needs.manage)) or '-'}; delete {', '.join(compact_actions(needs.delete)) or '-'}"
        )
    if proposal.pass_roles:
        lines.append(f"iam:PassRole for {', '.join(proposal.pass_roles)}")
    for token in proposal.unverified:
        lines.append(f"warning: {token} is not in the permission table; its actions were matched by name: unverified, review by hand")
    for token in proposal.unmapped:
        lines.append(f"warning: {token}: no IAM service found and no table row; add a row in baseline/aws/permissions/")
    for token in proposal.replaced:
        lines.append(
            f"warning: {token} is replaced on ordinary updates, which needs its delete: in prod set skip_destroy=True "
            "(or retain_on_delete) on it, or updates fail at the delete step"
        )
    lines += [
        "",
        "# Paste into Pulumi.<stack>.yaml (deletes are dropped automatically where allowDelete is false):",
        proposal.yaml_snippet(),
    ]
    return "\n".join(lines)


def read_project(path: Path, stack: str) -> tuple[str, dict[str, str]]:
    """Return a service project's name and its stack config, as Pulumi passes config."""
    import json

    project = yaml.safe_load((path / "Pulumi.yaml").read_text())["name"]
    config_file = path / f"Pulumi.{stack}.yaml"
    raw = (yaml.safe_load(config_file.read_text()) or {}).get("config", {}) if config_file.is_file() else {}
    return project, {(k if ":" in k else f"{project}:{k}"): (v if isinstance(v, str) else json.dumps(v)) for k, v in raw.items()}


def discover(service_dir: Path, stack: str, baseline_outputs: dict[str, Any], service: str | None = None) -> Proposal:
    """Run a service program offline (its StackReferences answered by its handoff stack's values) and
    return the proposal. A service not yet in the baseline gets a stand-in role so the program runs."""
    name, rendering = run_service_program(service_dir, stack, baseline_outputs, service)
    return propose(name, rendering.registrations, rendering.invokes)


def component_manifests(registrations: list[Any]) -> dict[str, Manifest]:
    """Return, per component type (a ComponentResource's token), the manifest of the AWS resources
    declared beneath it: what a role deploying only that component needs."""
    by_urn = {r.urn: r for r in registrations}

    def owner(registration: Any) -> str | None:
        parent = by_urn.get(registration.parent)
        while parent is not None:
            if not parent.custom and parent.typ != "pulumi:pulumi:Stack":
                return str(parent.typ)
            parent = by_urn.get(parent.parent)
        return None

    grouped: dict[str, list[Any]] = {}
    for registration in registrations:
        if registration.custom and registration.typ.startswith("aws:") and (component := owner(registration)):
            grouped.setdefault(component, []).append(registration)
    manifests = {}
    for component, members in sorted(grouped.items()):
        proposal = propose(component, members)
        if proposal.unverified or proposal.unmapped:
            unchecked = ", ".join([*proposal.unverified, *proposal.unmapped])
            raise ValueError(f"component {component}: {unchecked} not in the permission table; a manifest holds checked rows only")
        deploy = {a for n in proposal.types.values() for a in n.manage}
        delete = {a for n in proposal.types.values() for a in n.delete} - deploy
        manifests[component] = Manifest("", component, tuple(sorted(deploy)), tuple(sorted(delete)), (), bool(proposal.pass_roles))
    return manifests


def manifest_file_name(component: str) -> str:
    """Return a component's manifest file name: its type's last part in kebab case (`queue-worker.json`)."""
    last = component.rsplit(":", 1)[-1]
    return "-".join(w.lower() for w in split_camel_words(last)) + ".json"


def write_manifests(manifests: dict[str, Manifest], out_dir: Path, check: bool = False) -> list[str]:
    """Write each manifest to `out_dir` (keeping the `resources` a library set by hand), or with `check`
    compare instead; return the problems (files that differ or are missing)."""
    import json

    problems = []
    if not check:
        out_dir.mkdir(parents=True, exist_ok=True)
    for component, manifest in manifests.items():
        path = out_dir / manifest_file_name(component)
        existing = json.loads(path.read_text()) if path.is_file() else None
        wanted = manifest.to_json()
        if existing is not None:
            wanted["resources"] = existing.get("resources", ["*"])
        if check:
            if existing != wanted:
                problems.append(f"{path}: {'missing' if existing is None else 'differs from what ' + component + ' deploys'}")
        else:
            path.write_text(json.dumps(wanted, indent=2) + "\n")
    return problems


def run_service_program(service_dir: Path, stack: str, baseline_outputs: dict[str, Any], service: str | None = None) -> tuple[str, Any]:
    """Run a service program offline and return the service's name and the rendering."""
    import functools

    service_dir = service_dir.resolve()  # the program runs from its own folder
    import os
    import sys

    from baseline.design.handoff import handoff_stack_outputs
    from baseline.offline.engine import run_offline
    from iam_baseline_consume import HANDOFF_STACK_ENV, handoff_reference

    project, config = read_project(service_dir, stack)
    name = service or config.get(f"{project}:service") or project
    outputs = dict(baseline_outputs)
    roles = dict(outputs.get("provisioningRoles", {}))
    if name not in roles:
        stand_in = f"arn:aws:iam::{outputs.get('accountId', '123456789012')}:role/discover-{name}"
        state = {"arn": f"{stand_in}-state", "externalId": "discover-stand-in"}
        handoff = f"organization/discover-stand-in/{stack}.{name}"
        roles[name] = {"arn": stand_in, "externalId": "discover-stand-in", "allowDelete": True, "stateRole": state, "handoffStack": handoff}
    outputs["provisioningRoles"] = roles
    handoff_reference.cache_clear()
    cwd, path, environ = os.getcwd(), list(sys.path), dict(os.environ)
    os.environ[HANDOFF_STACK_ENV] = roles[name]["handoffStack"]  # as the repository's variable would
    os.chdir(service_dir)
    sys.path.insert(0, str(service_dir))
    try:
        rendering = run_offline(
            functools.partial(_run_program, service_dir),
            stack,
            config,
            project=project,
            any_stack_outputs=handoff_stack_outputs(outputs, name),
        )
    finally:
        os.chdir(cwd)
        sys.path[:] = path
        os.environ.clear()
        os.environ.update(environ)
    return name, rendering


def _run_program(service_dir: Path) -> None:
    import runpy

    runpy.run_path(str(service_dir / "__main__.py"))
