"""The `services` section: each service's and component's grant from actions, manifests and resources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from baseline.aws.catalog import ACTION_SHAPE, get_actions_matching, get_closest_actions, get_service_prefixes
from baseline.design import quotas
from baseline.design.config_model import ComponentConfig, ServiceConfig, ServiceGithubConfig
from baseline.design.config_reader import Reader, string_list
from baseline.design.delete_windows import DeleteWindow, parse_delete_window
from baseline.design.findings import Finding, config_error
from baseline.design.github_subjects import REF_PATTERN, parse_repository
from baseline.design.grants import expand_patterns
from baseline.design.manifests import INSTALLED, PLACEHOLDER, Manifest, ManifestSource, fill_placeholders, parse_manifest
from baseline.design.naming import PROJECT_NAME_PATTERN, SERVICE_ROLE_INFIX, STATE_ROLE_INFIX, component_unit_name, service_role_name
from baseline.design.reference import child_keys

SERVICE_KEYS = child_keys("services.<name>")
SERVICE_GITHUB_KEYS = child_keys("services.<name>.github")
COMPONENT_KEYS = child_keys("services.<name>.components.<component>")
# Placeholders the baseline fills itself in manifest resources; others come from `placeholders`.
BUILTIN_PLACEHOLDERS = ("component", "service")

# AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity; and AssumeRoot, root sessions in member accounts.
ASSUME_ROLE_PREFIXES = ("sts:AssumeRole", "sts:AssumeRoot")
_ARN_SHAPE = re.compile(r"arn:(\*|aws[a-z-]*):([a-z0-9*-]*):([a-z0-9*-]*):(\d{12}|\*|):(.+)", re.ASCII)


@dataclass(frozen=True)
class WindowRules:
    """What every delete window is checked against: the time of parsing and the stack's longest window."""

    now: datetime
    max_hours: int


def parse_services(
    raw: Any,
    name_prefix: str,
    default_allow_delete: bool,
    findings: list[Finding],
    windows: WindowRules,
    isolation: str,
    manifests: ManifestSource = INSTALLED,
) -> tuple[ServiceConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        findings.append(config_error("services", "must be a map of service name to {actions, resources, ...}"))
        return ()
    # Role names are <prefix>-svc-<service>, and <prefix>-state-<service> with per-service state roles.
    max_name = quotas.ROLE_NAME_MAX - len(name_prefix) - len(STATE_ROLE_INFIX if isolation == "per-service" else SERVICE_ROLE_INFIX)
    seen_lower: dict[str, str] = {}
    external_ids: dict[str, str] = {}
    services = []
    loader = _ManifestLoader(manifests, findings)
    for name in sorted(raw, key=str):
        key = f"services.{name}"
        if problem := quotas.iam_name_problem(str(name), max_name):
            findings.append(
                config_error(key, f"invalid service name (it becomes role {service_role_name(name_prefix, str(name))}); allowed: {problem}")
            )
        if str(name).lower() in seen_lower:
            findings.append(
                config_error(key, f"clashes with service {seen_lower[str(name).lower()]!r}: IAM role names are case-insensitive")
            )
        seen_lower[str(name).lower()] = str(name)
        reader = Reader(raw[name], key, SERVICE_KEYS, findings)
        placeholders = _parse_placeholders(reader.raw.get("placeholders"), f"{key}.placeholders", findings)
        allow_delete = reader.boolean("allowDelete", default_allow_delete)
        has_components = reader.raw.get("components") is not None
        grant = _parse_grant(
            reader,
            key,
            windows,
            allow_delete,
            loader,
            {**placeholders, "service": str(name)},
            f"{key}.placeholders",
            optional=has_components,
        )
        external_id = reader.string("externalId", None)
        if external_id is not None:
            if not quotas.EXTERNAL_ID_PATTERN.fullmatch(external_id):
                reader.error(
                    f"{key}.externalId",
                    f"must be {quotas.EXTERNAL_ID_MIN}-{quotas.EXTERNAL_ID_MAX} characters of letters, digits and + = , . @ : / _ -",
                )
            elif external_id in external_ids:
                reader.error(f"{key}.externalId", f"is the same as {external_ids[external_id]}; every role needs its own")
            external_ids[external_id] = f"{key}.externalId"
        github = _parse_github(reader.raw.get("github"), f"{key}.github", findings)
        project = reader.string("pulumiProject", str(name)) or str(name)
        if not PROJECT_NAME_PATTERN.fullmatch(project):
            reader.error(f"{key}.pulumiProject", f"must be a Pulumi project name: letters, digits, - _ . (got {project!r})")
        components = _parse_components(
            reader.raw.get("components"), key, name_prefix, str(name), allow_delete, windows, loader, placeholders, findings
        )
        service = ServiceConfig(
            str(name),
            grant.actions,
            grant.resources,
            allow_delete,
            external_id,
            github,
            grant.window,
            project,
            grant.uses,
            components,
            grant.filled_resources,
        )
        findings += _component_overlaps(service)
        services.append(service)
    # A component's role <prefix>-svc-<service>-<component> must not be another service's role.
    units = {s.name.lower(): f"services.{s.name}" for s in services}
    for svc in services:
        for component in svc.components:
            unit = svc.component_unit(component).name
            if unit.lower() in units:
                findings.append(
                    config_error(
                        f"services.{svc.name}.components.{component.name}",
                        f"its role {service_role_name(name_prefix, unit)} is also {units[unit.lower()]}'s role; rename one",
                    )
                )
            units[unit.lower()] = f"services.{svc.name}.components.{component.name}"
    return tuple(services)


@dataclass(frozen=True)
class _Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    window: DeleteWindow | None
    uses: tuple[str, ...]
    filled_resources: bool = False


class _ManifestLoader:
    """Loads each manifest a service names once, recording a finding for an unknown or invalid one."""

    def __init__(self, source: ManifestSource, findings: list[Finding]) -> None:
        self.source, self.findings = source, findings
        self.loaded: dict[str, Manifest | list[str] | None] = {}

    def get(self, name: str, key: str) -> Manifest | None:
        if name not in self.loaded:
            try:
                self.loaded[name] = parse_manifest(name, self.source.load(name))
            except KeyError:
                self.loaded[name] = None
            except Exception as error:  # a library's entry point that fails to import
                self.loaded[name] = [f"its entry point failed to load ({type(error).__name__}: {error})"]
        found = self.loaded[name]
        if found is None:
            installed = ", ".join(self.source.available()) or "none"
            self.findings.append(
                config_error(
                    key,
                    f"{name!r} is not an installed component manifest (entry point group iam_baseline.permissions); installed: {installed}",
                )
            )
            return None
        if isinstance(found, list):
            self.findings.append(config_error(key, f"manifest {name!r} is invalid: {'; '.join(found)}"))
            return None
        return found


def _parse_grant(
    reader: Reader,
    key: str,
    windows: WindowRules,
    allow_delete: bool,
    loader: _ManifestLoader,
    placeholders: Mapping[str, str],
    placeholders_key: str,
    optional: bool = False,
) -> _Grant:
    """Return a role's grant from `actions`, `uses` and `resources` (a service's or a component's)."""
    findings = reader.findings
    raw_actions, raw_uses = reader.raw.get("actions"), reader.raw.get("uses")
    own = _parse_actions(raw_actions, f"{key}.actions", findings) if raw_actions is not None else ()
    actions = set(own)
    uses: tuple[str, ...] = ()
    manifests: list[Manifest] = []
    if raw_uses is not None:
        uses = tuple(
            string_list(raw_uses, f"{key}.uses", findings, "component manifest names (entry points of iam_baseline.permissions)") or ()
        )
        for index, name in enumerate(uses):
            if (manifest := loader.get(name, f"{key}.uses[{index}]")) is not None:
                manifests.append(manifest)
                actions |= set(manifest.grant)
    if raw_actions is None and raw_uses is None and not optional:
        reader.error(f"{key}.actions", "required: give actions, uses (component manifests), or both")
    resources: tuple[str, ...]
    filled_resources = False
    if "resources" in reader.raw:
        resources = _parse_resources(reader.raw["resources"], f"{key}.resources", findings)
    elif raw_actions is None and manifests and all(m.resources for m in manifests):
        filled = []
        for index, manifest in enumerate(manifests):
            for pattern in manifest.resources:
                arn, missing = fill_placeholders(pattern, placeholders)
                if missing:
                    findings.append(
                        config_error(
                            f"{key}.uses[{index}]",
                            f"manifest {manifest.name!r} needs placeholder(s) {', '.join(missing)} in {pattern!r}: "
                            f"set them in {placeholders_key}",
                        )
                    )
                filled.append(arn)
        resources = _parse_resources(sorted(set(filled)), f"{key}.uses", findings) if filled else ("*",)
        filled_resources = bool(filled)
    else:
        resources = ("*",)
    window, problems = parse_delete_window(
        reader.raw.get("deleteWindow"), f"{key}.deleteWindow", windows.now, windows.max_hours, allow_delete
    )
    findings += problems
    if window is not None and not actions:
        reader.error(f"{key}.deleteWindow", "applies to a role's own grant; this service has only components: set it on a component")
    # Without manifests, `actions` keeps the order given, so later findings can name `actions[i]`.
    return _Grant(tuple(sorted(actions)) if uses else own, resources, window, uses, filled_resources)


def _parse_placeholders(raw: Any, key: str, findings: list[Finding]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        findings.append(config_error(key, f"must be a map of placeholder name to value (got {raw!r})"))
        return {}
    values = {}
    for name, value in raw.items():
        if not PLACEHOLDER.fullmatch(f"{{{name}}}") or name in BUILTIN_PLACEHOLDERS:
            findings.append(
                config_error(
                    f"{key}.{name}",
                    f"must be a name of letters, digits and _ other than {', '.join(BUILTIN_PLACEHOLDERS)} (filled by the baseline)",
                )
            )
        elif not isinstance(value, str) or not value or any(c.isspace() or c in "{}*?" for c in value):
            # A wildcard would widen the manifest's pattern (`{sitePrefix}-*` with `*` names every bucket).
            findings.append(
                config_error(f"{key}.{name}", f"must be a non-empty string without spaces, braces or wildcards * ? (got {value!r})")
            )
        else:
            values[str(name)] = value
    return values


def _parse_components(
    raw: Any,
    service_key: str,
    name_prefix: str,
    service: str,
    service_allow_delete: bool,
    windows: WindowRules,
    loader: _ManifestLoader,
    placeholders: Mapping[str, str],
    findings: list[Finding],
) -> tuple[ComponentConfig, ...]:
    if raw is None:
        return ()
    key = f"{service_key}.components"
    if not isinstance(raw, Mapping) or not raw:
        findings.append(
            config_error(key, "must be a non-empty map of component name to {uses | actions, resources, allowDelete, deleteWindow}")
        )
        return ()
    components = []
    max_name = quotas.ROLE_NAME_MAX - len(service_role_name(name_prefix, service)) - 1
    for name in sorted(raw, key=str):
        component_key = f"{key}.{name}"
        if problem := quotas.iam_name_problem(str(name), max_name):
            findings.append(
                config_error(
                    component_key,
                    f"invalid component name (it becomes role {service_role_name(name_prefix, component_unit_name(service, str(name)))}); allowed: {problem}",
                )
            )
        reader = Reader(raw[name], component_key, COMPONENT_KEYS, findings)
        allow_delete = reader.boolean("allowDelete", service_allow_delete)
        values = {**placeholders, "service": service, "component": str(name)}
        grant = _parse_grant(reader, component_key, windows, allow_delete, loader, values, f"{service_key}.placeholders")
        components.append(
            ComponentConfig(str(name), grant.actions, grant.resources, allow_delete, grant.window, grant.uses, grant.filled_resources)
        )
    return tuple(components)


def _component_overlaps(service: ServiceConfig) -> list[Finding]:
    """Return an error for each component whose whole grant the service's own role already holds: the
    split would then isolate nothing."""
    if not service.has_own_role or not service.components:
        return []
    own = expand_patterns(service.actions)
    found = []
    for component in service.components:
        wanted = expand_patterns(component.actions)
        covered_resources = "*" in service.resources or set(component.resources) <= set(service.resources)
        if wanted and wanted <= own and covered_resources:
            found.append(
                config_error(
                    f"services.{service.name}.components.{component.name}",
                    f"the service's own role (services.{service.name}.actions/uses) already grants everything this component does, "
                    "so a leaked service session reaches it anyway: drop the service-level grant or narrow it",
                )
            )
    return found


def _parse_actions(raw: Any, key: str, findings: list[Finding]) -> tuple[str, ...]:
    items = string_list(raw, key, findings, "IAM actions such as 'sqs:SendMessage' or 'ec2:Describe*'")
    if items is None:
        return ()
    for index, action in enumerate(items):
        if action == "*":
            findings.append(config_error(f"{key}[{index}]", "'*' grants every action in AWS: name the services this service deploys"))
        elif not ACTION_SHAPE.fullmatch(action):
            findings.append(
                config_error(f"{key}[{index}]", f"{action!r} is not of the form service:Action (wildcards * and ? allowed in Action)")
            )
        elif not get_actions_matching(action):
            closest = get_closest_actions(action)
            hint = f"; closest: {', '.join(closest)}" if closest else ""
            findings.append(config_error(f"{key}[{index}]", f"{action!r} matches no action in the IAM action catalogue{hint}"))
        elif assumes := [a for a in get_actions_matching(action) if a.startswith(ASSUME_ROLE_PREFIXES)]:
            findings.append(
                config_error(
                    f"{key}[{index}]",
                    f"{action!r} reaches {', '.join(assumes)}: provisioning roles may never assume other roles or root (no role chaining); "
                    "grant the sts actions the service needs by name",
                )
            )
    return tuple(items)


def _parse_resources(raw: Any, key: str, findings: list[Finding]) -> tuple[str, ...]:
    items = string_list(raw, key, findings, "ARNs or '*'")
    if items is None:
        return ()
    services = set(get_service_prefixes())
    for index, arn in enumerate(items):
        match = _ARN_SHAPE.fullmatch(arn)
        if arn == "*":
            continue
        if arn != arn.strip() or not arn.isprintable():
            # IAM compares resources exactly: a padded ARN is not the one a reviewer reads.
            findings.append(
                config_error(f"{key}[{index}]", f"{arn!r} has surrounding spaces or invisible characters; give '*' or the ARN exactly")
            )
        elif not match:
            findings.append(config_error(f"{key}[{index}]", f"{arn!r} is not '*' or an ARN arn:partition:service:region:account:resource"))
        elif match.group(2) not in services and "*" not in match.group(2):
            findings.append(
                config_error(f"{key}[{index}]", f"{arn!r} names service {match.group(2)!r}, which the IAM catalogue does not know")
            )
    return tuple(items)


def _parse_github(raw: Any, key: str, findings: list[Finding]) -> ServiceGithubConfig | None:
    if raw is None:
        return None
    reader = Reader(raw, key, SERVICE_GITHUB_KEYS, findings)
    repository = parse_repository(str(reader.raw.get("repository", "")))
    if isinstance(repository, str):
        reader.error(f"{key}.repository", f"{repository} (got {reader.raw.get('repository')!r})")
        return None
    refs = {}
    for name in ("branches", "environments"):
        values = reader.raw.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and REF_PATTERN.fullmatch(v) for v in values):
            reader.error(f"{key}.{name}", f"must be a list of names (letters, digits, . _ / -, wildcards * ?) (got {values!r})")
            values = []
        refs[name] = tuple(sorted(set(values)))
    return ServiceGithubConfig(repository, refs["branches"], refs["environments"], reader.boolean("pullRequests", False))
