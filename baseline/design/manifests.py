"""Permission manifests that shared component libraries ship, so a service names the components it
uses (`services.<name>.uses`) rather than IAM actions.

A library publishes one manifest per component through the entry point group `iam_baseline.permissions`
(Python packaging's plugin convention): the entry point's name is what `uses` lists, and it points to a
mapping (or a function returning one), usually loaded from a JSON file `iam-baseline discover
--manifests` wrote from the library's example program. Its shape:

    {"manifestVersion": 1, "component": "acme:components:QueueWorker",
     "actions": [...],          # create, read, update, tag and untag
     "deleteActions": [...],    # what destroying (or replacing) it calls; dropped where deletes are denied
     "resources": ["arn:aws:sqs:*:*:{service}-*"],   # optional, default ["*"]; placeholders below
     "passesRoles": false}      # true: the component hands roles to AWS services (iam:PassRole)

Placeholders `{service}` and `{component}` are filled with the service's (and component's) name, any
other `{name}` from `services.<name>.placeholders`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Protocol

from baseline.aws.catalog import ACTION_SHAPE, get_actions_matching

ENTRY_POINT_GROUP = "iam_baseline.permissions"
MANIFEST_VERSION = 1
MANIFEST_KEYS = ("actions", "component", "deleteActions", "generatedBy", "manifestVersion", "passesRoles", "resources")
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
PASS_ROLE = "iam:PassRole"


@dataclass(frozen=True)
class Manifest:
    """One component's permissions, as its library publishes them."""

    name: str  # the entry point name services list in `uses`
    component: str  # the component's Pulumi type token
    actions: tuple[str, ...]
    delete_actions: tuple[str, ...]
    resources: tuple[str, ...]  # with placeholders; () means every resource
    passes_roles: bool

    @property
    def grant(self) -> tuple[str, ...]:
        """Return every action the manifest asks for (deletes included; prod drops them later)."""
        return tuple(sorted({*self.actions, *self.delete_actions, *([PASS_ROLE] if self.passes_roles else [])}))

    def to_json(self) -> dict[str, Any]:
        """Return the manifest as a library ships it (sorted, so a regenerated file diffs cleanly)."""
        return {
            "manifestVersion": MANIFEST_VERSION,
            "component": self.component,
            "actions": sorted(self.actions),
            "deleteActions": sorted(self.delete_actions),
            "resources": list(self.resources) or ["*"],
            "passesRoles": self.passes_roles,
            "generatedBy": "iam-baseline discover --manifests",
        }


class ManifestSource(Protocol):
    """Where manifests come from: the installed entry points, or a mapping in tests."""

    def available(self) -> tuple[str, ...]: ...

    def load(self, name: str) -> Any: ...


class InstalledManifests:
    """The manifests of every installed distribution declaring the `iam_baseline.permissions` group."""

    def available(self) -> tuple[str, ...]:
        return tuple(sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)}))

    def load(self, name: str) -> Any:
        found = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
        if not found:
            raise KeyError(name)
        return _manifest_value(found[0].load())


@dataclass(frozen=True)
class GivenManifests:
    """Manifests given as data (tests, or a caller that loaded them itself)."""

    manifests: Mapping[str, Any]

    def available(self) -> tuple[str, ...]:
        return tuple(sorted(self.manifests))

    def load(self, name: str) -> Any:
        return _manifest_value(self.manifests[name])


def _manifest_value(value: Any) -> Any:
    """Return what an entry point names: a mapping, or what the function it names returns."""
    return value() if callable(value) else value


def parse_manifest(name: str, raw: Any) -> Manifest | list[str]:
    """Return the manifest, or the list of what is wrong with it (each problem a phrase)."""
    if not isinstance(raw, Mapping):
        return [f"is not a mapping (got {type(raw).__name__})"]
    problems = [f"unknown key {k!r} (allowed: {', '.join(MANIFEST_KEYS)})" for k in sorted(set(raw) - set(MANIFEST_KEYS), key=str)]
    if raw.get("manifestVersion") != MANIFEST_VERSION:
        problems.append(f"manifestVersion must be {MANIFEST_VERSION} (got {raw.get('manifestVersion')!r})")
    lists: dict[str, list[str]] = {}
    for key in ("actions", "deleteActions", "resources"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            problems.append(f"{key} must be a list of strings (got {value!r})")
            value = []
        lists[key] = value
    if not lists["actions"]:
        problems.append("actions must not be empty")
    for action in lists["actions"] + lists["deleteActions"]:
        if action == "*" or not ACTION_SHAPE.fullmatch(action):
            problems.append(f"{action!r} is not a service:Action name")
        elif not get_actions_matching(action):
            problems.append(f"action {action!r} is not in the IAM action catalogue")
        elif any(a.startswith(("sts:AssumeRole", "sts:AssumeRoot")) for a in get_actions_matching(action)):
            problems.append(f"action {action!r} reaches sts:AssumeRole* or sts:AssumeRoot: provisioning roles never assume roles")
    passes_roles = raw.get("passesRoles", False)
    if not isinstance(passes_roles, bool):
        problems.append(f"passesRoles must be true or false (got {passes_roles!r})")
    component = raw.get("component", "")
    if not isinstance(component, str) or not component:
        problems.append("component must name the component's Pulumi type")
    if problems:
        return problems
    resources = tuple(lists["resources"]) if lists["resources"] != ["*"] else ()
    return Manifest(name, str(component), tuple(lists["actions"]), tuple(lists["deleteActions"]), resources, bool(passes_roles))


def fill_placeholders(pattern: str, values: Mapping[str, str]) -> tuple[str, list[str]]:
    """Return the pattern with `{name}` placeholders filled from `values`, and the names left unfilled."""
    missing = [m for m in PLACEHOLDER.findall(pattern) if m not in values]
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), pattern), missing


INSTALLED = InstalledManifests()
