"""Proposals from `pulumi preview --json`, so programs in any language (TypeScript, Go, .NET, YAML, Java) get one.

Each step's resource type and the inputs it sets feed the same proposal logic as a Python program run:
a resource the program declares (`create`, `update`, `same`, `replace`, `create-replacement`, `import`)
needs its whole lifecycle; a resource the preview only deletes (`delete`, `delete-replaced`, `discard`)
needs its delete calls; a resource the program reads (`read`, `refresh`, `Resource.get`) needs its reads.
The provider's and the stack's own steps are ignored. Data source calls (invokes) never appear in a
preview, so a preview's proposal lacks their reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from baseline.discover.project import DiscoverError
from baseline.discover.proposal import Proposal, delete_needs, propose, read_needs, sets_default_tags
from baseline.offline.fake_aws import Registration

DECLARING_OPS = frozenset(("create", "update", "same", "replace", "create-replacement", "import", "import-replacement"))
DELETING_OPS = frozenset(("delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"))
READING_OPS = frozenset(("read", "refresh", "read-replacement", "read-discard"))
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # what a preview shows for a value known only after the deploy


def _type_of(step: dict[str, Any], state: dict[str, Any]) -> str:
    """Return a step's resource type: its state's, else the last part of its URN's type (`parent$type`)."""
    if isinstance(state.get("type"), str):
        return str(state["type"])
    parts = str(step.get("urn", "")).split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def _known(value: Any) -> Any:
    if value == UNKNOWN:
        return "(known after deploy)"
    if isinstance(value, dict):
        return {k: _known(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_known(v) for v in value]
    return value


@dataclass(frozen=True)
class PreviewStep:
    """One step of a preview as preflight reads it: its op, the resource (type, URN, known inputs), the ARN
    its state already holds (outputs of a resource that exists), and the inputs the step changes (`diffs`)."""

    op: str
    registration: Registration
    arn: str | None = None
    diffs: tuple[str, ...] | None = None


def _load_steps(path: Path) -> list[dict[str, Any]]:
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        raise DiscoverError(f"--preview {path}: no such file; write it with `pulumi preview --json > {path.name}`") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise DiscoverError(f"--preview {path}: not the JSON `pulumi preview --json` prints ({str(error).splitlines()[0]})") from None
    steps = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise DiscoverError(f"--preview {path}: no `steps` list; is it the output of `pulumi preview --json`?")
    return steps


def _read_step(path: Path, step: dict[str, Any]) -> tuple[str, Registration] | None:
    """Return a step's op and its resource; None for the provider's and the stack's own steps."""
    op = str(step.get("op", ""))
    new, old = step.get("newState") or {}, step.get("oldState") or {}
    if not isinstance(new, dict) or not isinstance(old, dict):
        raise DiscoverError(f"--preview {path}: a step's newState or oldState is not an object; is it `pulumi preview --json`'s output?")
    state = new if op not in DELETING_OPS and new else old
    typ = _type_of(step, state)
    if not typ or typ.startswith(("pulumi:providers:", "pulumi:pulumi:Stack")):
        return None
    # A preview also lists the defaults the provider fills in (`forceDestroy: false`): an input set to false asks for nothing.
    inputs = {k: v for k, v in (state.get("inputs") or {}).items() if v is not False}
    custom = bool(state.get("custom", typ.count(":") == 2 and not typ.startswith("pulumi:")))
    registration = Registration(typ, str(step.get("urn", "")).rsplit("::", 1)[-1], str(step.get("urn", "")), _known(inputs), custom,
                                parent=str(state.get("parent", "")))  # fmt: skip
    return op, registration


def preview_steps(path: Path) -> list[PreviewStep]:
    """Return every resource step of a preview, in order, with its op (preflight checks each against the role)."""
    found = []
    for step in _load_steps(path):
        read = _read_step(path, step)
        if read is None:
            continue
        op, registration = read
        arn = None
        for state in (step.get("newState") or {}, step.get("oldState") or {}):
            outputs = state.get("outputs") if isinstance(state.get("outputs"), dict) else {}
            value = outputs.get("arn") if outputs else None
            if isinstance(value, str) and value.startswith("arn:") and arn is None:
                arn = value
        diffs = step.get("diffs")
        changed = tuple(str(d) for d in diffs) if isinstance(diffs, list) else None
        found.append(PreviewStep(op, registration, arn, changed))
    return found


@dataclass
class PreviewResources:
    """The resources a preview declares, only deletes and only reads, and the default tags an AWS provider step of it
    gives every resource (the stack's `aws:defaultTags` reach the default provider's inputs)."""

    declared: list[Registration] = field(default_factory=list)
    deleted: list[Registration] = field(default_factory=list)
    read: list[Registration] = field(default_factory=list)
    default_tags: Any = None


def read_preview(path: Path) -> PreviewResources:
    """Return what a preview's steps declare, delete and read; a file that is not a preview is one line."""
    resources = PreviewResources()
    for step in _load_steps(path):
        new = step.get("newState") or {}
        found = _read_step(path, step)
        if found is None:  # the provider's and the stack's own steps: only an AWS provider's default tags count
            tags = (new.get("inputs") or {}).get("defaultTags") if _type_of(step, new) == "pulumi:providers:aws" else None
            resources.default_tags = tags if sets_default_tags(tags) else resources.default_tags
            continue
        op, registration = found
        if op in DELETING_OPS:
            resources.deleted.append(registration)
        elif op in READING_OPS:
            resources.read.append(registration)
        elif op in DECLARING_OPS or new:
            resources.declared.append(registration)
    return resources


def propose_from_preview(service: str, path: Path) -> Proposal:
    """Return the proposal for the steps of a `pulumi preview --json` file."""
    resources = read_preview(path)
    deleted, read = resources.deleted, resources.read
    proposal = propose(service, resources.declared, default_tags=resources.default_tags)
    unmapped = set(proposal.unmapped)
    for registration in deleted:
        if not registration.custom or not registration.typ.startswith("aws:") or registration.typ in proposal.types:
            continue
        needs = delete_needs(registration.typ, registration.inputs)
        if needs is None:
            unmapped.add(registration.typ)
        else:
            proposal.types[registration.typ] = needs
    for registration in read:
        if not registration.custom or not registration.typ.startswith("aws:"):
            continue
        needs = read_needs(registration.typ)
        if needs is None:
            unmapped.add(registration.typ)
        else:
            proposal.data_sources[registration.typ] = needs
    proposal.types = dict(sorted(proposal.types.items()))
    proposal.data_sources = dict(sorted(proposal.data_sources.items()))
    proposal.unmapped = sorted(unmapped)
    return proposal
