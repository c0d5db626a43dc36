"""Propose a service's `actions` from its Pulumi program, run offline under mocks.

Every AWS resource type the program declares (`aws:sqs/queue:Queue`) is mapped to an IAM service
prefix and resource type from the catalogue; the proposal is the catalogue actions that act on that
resource type or name it (`CreateQueue`, `GetQueueAttributes`, `TagQueue`, ...), split into those that
create, read, update and tag it and those that delete it. Where a Pulumi module and an IAM prefix
are spelled differently, the small table below says so; everything else comes from the catalogue.
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


@dataclass
class TypeNeeds:
    """What one resource type needs: its IAM prefix and the actions to manage and to delete it."""

    token: str
    prefix: str
    manage: set[str] = field(default_factory=set)
    delete: set[str] = field(default_factory=set)


def iam_prefix(token: str) -> str | None:
    """Return the IAM service prefix of a pulumi-aws type token, or None when the catalogue has none."""
    match = TYPE_TOKEN.match(token)
    if not match:
        return None
    module, _, resource = match.groups()
    prefix = RESOURCE_PREFIXES.get((module, resource)) or MODULE_PREFIXES.get(module, module)
    return prefix if prefix in get_service_prefixes() else None


def actions_for_type(token: str) -> TypeNeeds | None:
    """Return the actions a resource type needs, from the catalogue."""
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
        if is_destructive(action):
            needs.delete.add(action)
        elif action_words[0] in CONTROL_VERBS:
            needs.manage.add(action)
    return needs


@dataclass
class Proposal:
    """The proposed config for one service, with what each resource type contributed."""

    service: str
    types: dict[str, TypeNeeds]
    unmapped: list[str]
    pass_roles: list[str]

    @property
    def prefixes(self) -> list[str]:
        return sorted({n.prefix for n in self.types.values()})

    @property
    def actions(self) -> tuple[str, ...]:
        manage = {a for n in self.types.values() for a in n.manage | n.delete}
        if self.pass_roles:
            manage.add("iam:PassRole")
        return compact_actions(manage)

    def yaml_snippet(self, namespace: str = "iam-baseline") -> str:
        body = {f"{namespace}:services": {self.service: {"actions": list(self.actions), "resources": ["*"]}}}
        return yaml.safe_dump({"config": body}, sort_keys=False)


def propose(service: str, registrations: list[Any]) -> Proposal:
    """Return the proposal for the registrations of one offline program run."""
    types: dict[str, TypeNeeds] = {}
    unmapped: set[str] = set()
    pass_roles: set[str] = set()
    for registration in registrations:
        token = registration.typ
        if not registration.custom or not token.startswith("aws:"):
            continue
        if token not in types:
            needs = actions_for_type(token)
            if needs is None:
                unmapped.add(token)
                continue
            types[token] = needs
        pass_roles |= {
            v
            for k, v in registration.inputs.items()
            if re.search(r"role(arn)?$", k, re.IGNORECASE) and isinstance(v, str) and ":role/" in v
        }
    return Proposal(service, dict(sorted(types.items())), sorted(unmapped), sorted(pass_roles))


def format_proposal(proposal: Proposal) -> str:
    """Return the report: per resource type what it needs, then the YAML to paste."""
    lines = [f"# {proposal.service}: {len(proposal.types)} AWS resource types, services {', '.join(proposal.prefixes) or 'none'}"]
    for needs in proposal.types.values():
        lines.append(
            f"{needs.token}: manage {', '.join(compact_actions(needs.manage)) or '-'}; delete {', '.join(compact_actions(needs.delete)) or '-'}"
        )
    if proposal.pass_roles:
        lines.append(f"iam:PassRole for {', '.join(proposal.pass_roles)}")
    for token in proposal.unmapped:
        lines.append(f"{token}: no IAM service found; add it to MODULE_PREFIXES in baseline/discover.py")
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
    import functools
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
    return propose(name, rendering.registrations)


def _run_program(service_dir: Path) -> None:
    import runpy

    runpy.run_path(str(service_dir / "__main__.py"))
