"""Reading a Pulumi project's stack files as the engine would pass their config, without Pulumi."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import yaml

# The project offline runs default to (design.naming.BASELINE_PROJECT says the same; a test keeps them equal).
PROJECT = "iam-baseline"

# Stands in for a `secure:` config value, which cannot be decrypted offline; valid as an external ID.
SECRET_PLACEHOLDER = "offline-plan-secret-placeholder"


class StackFileError(ValueError):
    """A project or stack file that cannot be used; the message names the file and what to do."""


def load_stack_config(project_dir: Path, stack: str, project: str = PROJECT) -> tuple[dict[str, str], list[str]]:
    """Return a stack file's config as Pulumi passes it (JSON strings) and its secret keys.

    The folder must hold the `project` Pulumi project: another project's stack files would otherwise
    plan a baseline from config meant for something else.
    """
    project_file = project_dir / "Pulumi.yaml"
    name = _read_yaml(project_file).get("name") if project_file.is_file() else None
    if name != project:
        found = f"holds project {name!r}" if project_file.is_file() else "has no Pulumi.yaml"
        raise StackFileError(f"{project_dir} {found}, not the {project} project; pass --project-dir of an {project} checkout")
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in project_dir.glob("Pulumi.*.yaml"))
        raise StackFileError(f"no stack config file {path}; stacks here: {', '.join(stacks) or 'none'}")
    document = _read_yaml(path)
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in (document.get("config") or {}).items():
        full_key = key if ":" in key else f"{PROJECT}:{key}"
        value, had_secret = _replace_secure(value)
        if had_secret:
            secret_keys.append(full_key)
        values[full_key] = value if isinstance(value, str) else json.dumps(value, default=_yaml_scalar)
    return values, secret_keys


def _read_yaml(path: Path) -> dict[str, Any]:
    """Return a YAML file's top-level map, or raise naming the file and the line that is wrong."""
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise StackFileError(f"{path}:{where} not valid YAML ({getattr(error, 'problem', None) or error})") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise StackFileError(f"{path}: must be a YAML map (with a `config:` key), not {type(document).__name__}")
    return document


def _yaml_scalar(value: Any) -> str:
    """Return as text a YAML value JSON has no type for: an unquoted `until: 2026-12-01T18:00:00Z` is a
    timestamp to YAML, and the config parser checks (and names the key of) whatever text it becomes."""
    return value.isoformat() if isinstance(value, date) else str(value)


def _replace_secure(value: Any) -> tuple[Any, bool]:
    if isinstance(value, dict) and set(value) == {"secure"}:
        return SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: _replace_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_replace_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False
