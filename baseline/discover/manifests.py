"""Component manifests: per ComponentResource type, the actions of the AWS resources declared beneath it,
written as the permission manifests a component library ships (`discover --manifests`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baseline.aws.catalog import split_camel_words
from baseline.design.manifests import Manifest
from baseline.discover.proposal import propose


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
