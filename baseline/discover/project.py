"""A Pulumi project as discover reads it: Pulumi.yaml (runtime, virtualenv, `main`, project config,
`stackConfigDir`) and the stack's config file, and whether discover can run its program."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PYTHON_RUNTIMES = ("python",)
PREVIEW_HINT = "run `pulumi preview --json > preview.json` in it, then pass --preview preview.json"


class DiscoverError(ValueError):
    """A program discover cannot run or read; the message is one line saying what to do."""


@dataclass(frozen=True)
class Project:
    """A Pulumi project's Pulumi.yaml: its name, language runtime, the virtualenv it names (if any), its program
    (`main`: a folder holding __main__.py, or a file; the project's folder by default), its project-level config
    defaults and the folder of its stack files (`stackConfigDir`)."""

    name: str
    runtime: str
    virtualenv: Path | None
    main: Path | None = None
    config: dict[str, str] = field(default_factory=dict)
    config_dir: Path | None = None


def _config_value(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _project_config(document: dict[str, Any], project: str) -> dict[str, str]:
    """Return Pulumi.yaml's project-level config, which every stack gets unless its stack file sets the key:
    `key: value`, or `key: {type: ..., default: value}` (`value:` too); a key without a namespace is the project's."""
    config = {}
    for key, spec in (document.get("config") or {}).items() if isinstance(document.get("config"), dict) else ():
        if isinstance(spec, dict):
            if "value" not in spec and "default" not in spec:
                continue  # a declared key without a default: the stack file must set it
            spec = spec.get("value", spec.get("default"))
        config[key if ":" in key else f"{project}:{key}"] = _config_value(spec)
    return config


def read_pulumi_yaml(path: Path) -> Project:
    """Return the project's name, runtime and virtualenv (`runtime: {name: python, options: {virtualenv: venv}}`),
    program, config defaults and stack file folder."""
    try:
        document = yaml.safe_load((path / "Pulumi.yaml").read_text()) or {}
    except yaml.YAMLError as error:
        raise DiscoverError(f"{path / 'Pulumi.yaml'}: not YAML ({str(error).splitlines()[0]})") from None
    if not isinstance(document, dict):
        raise DiscoverError(f"{path / 'Pulumi.yaml'}: not a Pulumi project file (no name: and runtime: keys)")
    runtime = document.get("runtime", "python")
    options = (runtime.get("options") or {}) if isinstance(runtime, dict) else {}
    name = str(runtime.get("name", "python") if isinstance(runtime, dict) else runtime)
    venv = options.get("virtualenv")
    if venv is None and options.get("toolchain") in ("uv", "poetry") and (path / ".venv").is_dir():
        venv = ".venv"  # uv's default, and poetry's in-project one
    project = str(document.get("name", path.name))
    main, config_dir = document.get("main"), document.get("stackConfigDir")
    return Project(
        project,
        name,
        (path / venv).resolve() if venv else None,
        (path / str(main)).resolve() if main else None,
        _project_config(document, project),
        (path / str(config_dir)).resolve() if config_dir else None,
    )


def stack_file(path: Path, stack: str, project: Project | None = None) -> Path:
    """Return the project's stack file, `Pulumi.<stack>.yaml` (in its `stackConfigDir` when Pulumi.yaml names one);
    `project`: its Pulumi.yaml, when the caller has read it already."""
    return ((project or read_pulumi_yaml(path)).config_dir or path) / f"Pulumi.{stack}.yaml"


def read_project(path: Path, stack: str, project: Project | None = None) -> tuple[str, dict[str, str]]:
    """Return a service project's name and its config, as Pulumi passes it: Pulumi.yaml's project-level
    defaults, overridden by the stack file's values."""
    project = project or read_pulumi_yaml(path)
    config_file = stack_file(path, stack, project)
    try:
        document = (yaml.safe_load(config_file.read_text()) or {}) if config_file.is_file() else {}
    except yaml.YAMLError as error:
        raise DiscoverError(f"{config_file}: not YAML ({str(error).splitlines()[0]})") from None
    raw = (document.get("config") or {}) if isinstance(document, dict) else {}
    stack_config = {(k if ":" in k else f"{project.name}:{k}"): _config_value(v) for k, v in raw.items()}
    return project.name, {**project.config, **stack_config}


def program_path(path: Path, project: Project | None = None) -> Path:
    """Return the program's entry point: __main__.py in the project's folder, or in the folder (or the file)
    Pulumi.yaml's `main` names."""
    main = (project or read_pulumi_yaml(path)).main or path.resolve()
    return main / "__main__.py" if main.is_dir() or not main.suffix else main


def site_packages(venv: Path) -> list[Path]:
    """Return a virtualenv's site-packages folders, this Python's version first."""
    mine = f"python{sys.version_info.major}.{sys.version_info.minor}"
    found = sorted(venv.glob("lib/python3*/site-packages"), key=lambda p: p.parent.name != mine) + list(venv.glob("Lib/site-packages"))
    return [p for p in found if p.is_dir()]


def check_runnable(path: Path) -> Project:
    """Return the project when discover can run its program; otherwise say what to do instead."""
    project = read_pulumi_yaml(path)
    if project.runtime not in PYTHON_RUNTIMES:
        raise DiscoverError(f"{path}: a {project.runtime} program; discover runs Python programs only: {PREVIEW_HINT}")
    entry = program_path(path, project)
    if not entry.is_file():
        named = f" (the `main: {os.path.relpath(project.main, path.resolve())}` of its Pulumi.yaml)" if project.main else ""
        raise DiscoverError(f"{path}: no program at {entry}{named}; give the folder holding the program's Pulumi.yaml and __main__.py")
    return project
