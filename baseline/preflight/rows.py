"""Per resource type, what preflight needs to know to turn a step into requests: the permission table's
lifecycle sets, the catalogue's ARN format of the type's own resource (and which input names it), the
actions that take no resource (`Resource: *`), the destructive ones, and the condition keys its inputs set.

The same rows are the actions file a service repository's live preflight reads
(`iam_baseline_consume.preflight`, which has neither the table nor the catalogue), so the offline check
and the live one turn a step into the same requests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from baseline.aws.catalog import get_actions_with_condition_key, get_arn_template, get_resource_types, is_destructive
from baseline.aws.permissions import LIFECYCLE_SETS, get_data_source_permissions, get_resource_permissions
from iam_baseline_consume.preflight import ACTIONS_FILE_VERSION

TYPE_TOKEN = re.compile(r"^aws:([a-z0-9]+)/([A-Za-z0-9]+):([A-Za-z0-9]+)$")
STANDARD_PLACEHOLDERS = frozenset(("Partition", "Region", "Account"))
BOUNDARY_KEY = "iam:PermissionsBoundary"
BOUNDARY_INPUT = "permissionsBoundary"


def _squash(name: str) -> str:
    return name.replace(" ", "").replace("-", "").replace("_", "").lower()


def _own_resource(token: str, create: Iterable[str]) -> tuple[str, str, bool] | None:
    """Return (prefix, catalogue resource type, whether it is the type's own) that the type's create calls act on:
    the one named like the type (`aws:sqs/queue:Queue` -> queue), else the only one (a bucket's settings -> bucket)."""
    match = TYPE_TOKEN.match(token)
    if match is None:
        return None
    found = sorted({(a.split(":", 1)[0], t) for a in create for t in get_resource_types(a)})
    exact = [(p, t) for p, t in found if _squash(t) == match.group(3).lower()]
    if exact:
        return exact[0][0], exact[0][1], True
    return (found[0][0], found[0][1], False) if len(found) == 1 else None


def _fill(template: str, resource_type: str, own: bool) -> dict[str, dict[str, Any]] | None:
    """Return which input fills each placeholder of an ARN format, or None when one cannot be named."""
    placeholders = [p for p in re.findall(r"\$\{([A-Za-z]+)\}", template) if p not in STANDARD_PLACEHOLDERS]
    if len(placeholders) != 1:
        return None
    placeholder = placeholders[0]
    with_path = placeholder.endswith("WithPath")
    stem = placeholder.removesuffix("WithPath")
    # `QueueName` -> queueName; the resource's word (`bucket` for a bucket's settings); its own `name`.
    candidates = [stem[0].lower() + stem[1:], _squash(resource_type)] + (["name"] if own else [])
    return {placeholder: {"candidates": candidates, "path": with_path}}


def resource_row(token: str) -> dict[str, Any] | None:
    """Return a resource type's row for preflight, or None when the permission table has none."""
    row = get_resource_permissions(token)
    if row is None:
        return None
    sets = {name: sorted(getattr(row, name)) for name in LIFECYCLE_SETS}
    every = {a for name in LIFECYCLE_SETS for a in getattr(row, name)} | {a for calls in row.optional.values() for a in calls}
    out: dict[str, Any] = {
        **sets,
        "optional": {key: sorted(calls) for key, calls in sorted(row.optional.items())},
        "passRole": list(row.pass_role_inputs),
        "destructive": sorted(a for a in every if is_destructive(a)),
        "requestWide": sorted(a for a in every if not get_resource_types(a)),
        "own": None,
        "context": {},
        "proved": row.proved,
    }
    own = _own_resource(token, row.create)
    if own is not None:
        prefix, resource_type, is_own = own
        template = get_arn_template(prefix, resource_type)
        out["own"] = {
            "template": template,
            "fill": _fill(template, resource_type, is_own) or {},
            "actions": sorted(a for a in every if a.startswith(f"{prefix}:") and resource_type in get_resource_types(a)),
        }
    if BOUNDARY_INPUT in row.optional:
        keyed = set(get_actions_with_condition_key("iam", BOUNDARY_KEY))
        out["context"] = {BOUNDARY_KEY: {"input": BOUNDARY_INPUT, "actions": sorted(a for a in every if a in keyed)}}
    return out


def data_source_row(token: str) -> dict[str, Any] | None:
    """Return a data source's row (its reads, as a `read` step), or None when the table has none."""
    source = get_data_source_permissions(token)
    if source is None:
        return None
    reads = sorted(source.read)
    return {"read": reads, "requestWide": [a for a in reads if not get_resource_types(a)], "dataSource": True, "proved": source.proved}


def rows_for(types: Iterable[str], data_sources: Iterable[str] = ()) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Return the rows of the resource types and data sources, and those the table has no row for."""
    rows: dict[str, dict[str, Any]] = {}
    unmapped = []
    lookups = [(t, resource_row) for t in sorted(set(types))] + [(t, data_source_row) for t in sorted(set(data_sources))]
    for token, lookup in lookups:
        found = lookup(token)
        if found is None:
            unmapped.append(token)
        else:
            rows[token] = found
    return rows, unmapped


def actions_file(service: str, config_key: str, rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Return the actions file the service's live preflight reads: its config key (for the fixes it names) and the rows."""
    return {"version": ACTIONS_FILE_VERSION, "service": service, "configKey": config_key, "types": dict(sorted(rows.items()))}
