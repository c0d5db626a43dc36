"""One preflight: the service's role found in the rendered baseline, the change read as steps, every step
checked, and the rows written as the actions file a service repository's live preflight reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from baseline.discover.project import DiscoverError
from baseline.discover.runner import Child, service_placement
from baseline.preflight.check import check
from baseline.preflight.rows import actions_file, rows_for
from baseline.preflight.steps import iam_principal_problems, steps_from_preview, steps_from_program
from baseline.tighten.roles import Baseline, ServiceRole
from iam_baseline_consume.preflight import Outcome, PreflightInputError, Report, Request, Step

__all__ = ["DiscoverError", "PreflightInputError", "PreflightRun", "find_role", "preview_change", "program_run", "run_preflight"]


@dataclass
class PreflightRun:
    """The report, the rows it was checked with (the actions file's), and what was left unchecked."""

    report: Report
    rows: dict[str, dict[str, Any]]
    unit: str
    config_key: str
    warnings: list[str] = field(default_factory=list)

    def actions_file(self) -> dict[str, Any]:
        return actions_file(self.unit, self.config_key, self.rows)


def find_role(baseline: Baseline, service: str, component: str | None) -> ServiceRole:
    """Return the provisioning role of `service` (or its `component`); an unknown one is one line naming the known ones."""
    services = {s.name: s for s in baseline.config.services}
    if service not in services:
        raise PreflightInputError(
            f"--service {service}: stack {baseline.stack} has no such service (it has: {', '.join(sorted(services)) or 'none'})"
        )
    components = [c.name for c in services[service].components]
    if component is not None and component not in components:
        raise PreflightInputError(
            f"--component {component}: service {service} has no such component (it has: {', '.join(components) or 'none'})"
        )
    role = baseline.service_role(f"{service}/{component}" if component else service)
    if role is None:
        raise PreflightInputError(
            f"--service {service}: it is split into components and has no role of its own; pass --component ({', '.join(components)})"
        )
    return role


def placement(outputs: dict[str, Any], service: str, component: str | None) -> dict[str, str] | None:
    """Return where the IAM principals the role creates must live (its IAM path and boundary), as discover reads it."""
    if component is None:
        return service_placement(outputs, service)
    entry = (outputs.get("provisioningRoles") or {}).get(service, {}).get("components", {}).get(component)
    return None if entry is None else service_placement({"provisioningRoles": {service: entry}}, service)


def program_run(program: Path, stack: str, baseline: Baseline, service: str, timeout: float) -> tuple[list[Step], list[Any], list[str]]:
    """Run the service's Python program offline as discover does (in a child, its handoff answered from the
    rendered baseline) and return its steps, its registrations and the program's warnings."""
    child = Child()
    try:
        ran = child.run(program, stack, baseline.outputs, service, timeout)
    finally:
        child.close()
    return steps_from_program(ran.registrations, ran.invokes), list(ran.registrations), list(ran.warnings)


def run_preflight(baseline: Baseline, role: ServiceRole, steps: Sequence[Step], created: Sequence[Any], now: datetime,
                  component: str | None = None) -> PreflightRun:  # fmt: skip
    """Return the preflight of the steps against the role; `created` are the resources the change creates (IAM principal checks)."""
    resource_types = {s.type for s in steps if not s.urn.startswith("invoke::")}
    data_sources = {s.type for s in steps if s.urn.startswith("invoke::")}
    rows, unmapped = rows_for(resource_types, data_sources)
    report = check(steps, rows, role, baseline, now)
    for token in unmapped:  # no row: nothing to evaluate, and nothing to claim either way
        step = next(s for s in steps if s.type == token)
        report.outcomes.append(Outcome("unverifiable", step, Request("(unknown)", None), f"{token} has no row in the permission table"))
    report.principal_problems = iam_principal_problems(
        role.base_service, created, placement(baseline.outputs, role.base_service, component)
    )
    unit = role.service.replace("/", "-")
    warnings = [
        f"note: {t}'s row was generated from the AWS provider's code and is not yet proved" for t, r in rows.items() if not r.get("proved")
    ]
    return PreflightRun(report, rows, unit, role.config_key, warnings)


def preview_change(path: Path) -> tuple[list[Step], list[Any]]:
    """Return a preview's steps and the resources it creates; a file that is not a preview is one line."""
    try:
        return steps_from_preview(path)
    except DiscoverError as error:
        raise PreflightInputError(str(error)) from None
