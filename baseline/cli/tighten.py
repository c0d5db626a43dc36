"""Shrink a service's grant to what its role actually used, from CloudTrail logs.

Reads the JSON files CloudTrail delivers to S3 (`{"Records": [...]}`, gzipped or not), keeps the
calls made by sessions of the service's provisioning role, and maps each `eventSource`/`eventName`
to an IAM action. The reduced list keeps every action seen; calls refused with AccessDenied are
reported as missing permissions rather than added.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from baseline.aws.catalog import get_actions_matching, is_destructive
from baseline.design.grants import compact_actions

# eventSource host -> IAM prefix, only where they differ.
EVENT_SOURCE_PREFIXES = {"monitoring": "cloudwatch", "email": "ses", "elasticmapreduce": "elasticmapreduce", "streams.dynamodb": "dynamodb"}
# Lambda's event names carry the API version: CreateFunction20150331, UpdateFunctionCode20150331v2.
API_VERSION_SUFFIX = re.compile(r"^(.*?)(\d{8}(?:v\d+)?)$")
DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation")


@dataclass
class Usage:
    """What one role did in the logs."""

    used: set[str]
    denied: set[str]
    unmapped: set[str]
    events: int


def cloudtrail_files(folder: Path) -> list[Path]:
    """Return the CloudTrail delivery files under `folder` (*.json, *.json.gz), or raise when there are none."""
    if not folder.is_dir():
        raise FileNotFoundError(f"--cloudtrail {folder}: no such folder")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".json", ".gz"))
    if not files:
        raise FileNotFoundError(f"--cloudtrail {folder}: no CloudTrail files (*.json, *.json.gz) under it")
    return files


def read_records(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Yield every record of the CloudTrail files, in file order."""
    for path in files:
        if path.suffix == ".gz":
            text = gzip.decompress(path.read_bytes()).decode()
        elif path.suffix == ".json":
            text = path.read_text()
        else:
            continue
        yield from json.loads(text).get("Records", [])


def event_action(record: dict[str, Any]) -> str | None:
    """Return the IAM action a CloudTrail record stands for, in catalogue spelling, or None."""
    host = record.get("eventSource", "").removesuffix(".amazonaws.com")
    prefix = EVENT_SOURCE_PREFIXES.get(host, host)
    name = record.get("eventName", "")
    for candidate in (name, (API_VERSION_SUFFIX.match(name) or [None, name])[1]):
        found = get_actions_matching(f"{prefix}:{candidate}") if prefix and candidate else ()
        if len(found) == 1:
            return found[0]
    return None


def is_session_of(record: dict[str, Any], role_arn: str) -> bool:
    """Return whether the call was made with a session of that role."""
    identity = record.get("userIdentity", {})
    issuer = identity.get("sessionContext", {}).get("sessionIssuer", {})
    return bool(identity.get("type") == "AssumedRole" and issuer.get("arn") == role_arn)


def usage_of(records: Iterable[dict[str, Any]], role_arn: str) -> Usage:
    """Return what the role's sessions called, were refused, and what could not be mapped."""
    usage = Usage(set(), set(), set(), 0)
    for record in records:
        if not is_session_of(record, role_arn):
            continue
        usage.events += 1
        action = event_action(record)
        if action is None:
            usage.unmapped.add(f"{record.get('eventSource')}:{record.get('eventName')}")
        elif record.get("errorCode") in DENIED_CODES:
            usage.denied.add(action)
        else:
            usage.used.add(action)
    return usage


def tightened(service: str, granted: frozenset[str], usage: Usage, deletes_denied: bool = False) -> dict[str, Any]:
    """Return the report: granted-but-unused actions and the reduced `actions` list.

    Where the role's deletes are denied on purpose (prod), refused destructive calls are reported
    apart: they are the guard working, not permissions missing from the grant.
    """
    by_design = {a for a in usage.denied if deletes_denied and is_destructive(a)}
    return {
        "service": service,
        "events": usage.events,
        "used": sorted(usage.used),
        "grantedUnused": sorted(granted - usage.used),
        "deniedCalls": sorted(usage.denied - by_design),
        "deniedDeletes": sorted(by_design),
        "unmappedEvents": sorted(usage.unmapped),
        "actions": list(compact_actions(usage.used)),
    }


def format_tightened(report: dict[str, Any]) -> str:
    """Return the report as text ending in the YAML to paste."""
    counts = f"{len(report['used'])} distinct actions used, {len(report['grantedUnused'])} granted but unused"
    lines = [f"# {report['service']}: {report['events']} calls by its role; {counts}"]
    if report["deniedCalls"]:
        lines.append(f"refused (missing from the grant): {', '.join(report['deniedCalls'])}")
    if report["deniedDeletes"]:
        lines.append(
            f"refused deletes (denied here on purpose; a deleteWindow allows them for a while): {', '.join(report['deniedDeletes'])}"
        )
    if report["unmappedEvents"]:
        lines.append(f"events with no IAM action in the catalogue: {', '.join(report['unmappedEvents'])}")
    unused = report["grantedUnused"]
    lines.append(f"granted but unused: {', '.join(unused[:20])}{' …' if len(unused) > 20 else ''}")
    snippet = {"config": {"iam-baseline:services": {report["service"]: {"actions": report["actions"]}}}}
    lines += [
        "",
        "# Reduced actions (every action seen is kept); merge into Pulumi.<stack>.yaml:",
        yaml.safe_dump(snippet, sort_keys=False),
    ]
    return "\n".join(lines)
