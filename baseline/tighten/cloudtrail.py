"""What a role did, from the JSON files CloudTrail delivers to S3 (`{"Records": [...]}`, gzipped or not).

Calls made by sessions of the role are kept (matched on the session issuer's ARN, or on its name and
IAM path when the stack's account is a stand-in), and each `eventSource`/`eventName` is mapped to an IAM
action. Calls refused with AccessDenied are kept apart from the calls that succeeded.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baseline.aws.catalog import get_actions_matching

# eventSource host -> IAM prefix, only where they differ.
EVENT_SOURCE_PREFIXES = {"monitoring": "cloudwatch", "email": "ses", "elasticmapreduce": "elasticmapreduce", "streams.dynamodb": "dynamodb"}
# Lambda's event names carry the API version: CreateFunction20150331, UpdateFunctionCode20150331v2.
API_VERSION_SUFFIX = re.compile(r"^(.*?)(\d{8}(?:v\d+)?)$")
DENIED_CODES = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation")


@dataclass(frozen=True)
class RoleRef:
    """The role whose sessions to keep: by its full ARN, or by name and path (`by_name`) when the
    rendered ARN holds a stand-in account that no real trail can show."""

    arn: str
    name: str
    path: str
    by_name: bool = False


@dataclass
class Usage:
    """What one role did in the logs."""

    used: set[str]
    denied: set[str]
    unmapped: set[str]
    events: int
    first: datetime | None = None
    last: datetime | None = None

    @property
    def days(self) -> float:
        """Return how many days the role's calls span (first to last eventTime); 0 without calls."""
        if self.first is None or self.last is None:
            return 0.0
        return (self.last - self.first).total_seconds() / 86400


def cloudtrail_files(folder: Path) -> list[Path]:
    """Return the CloudTrail delivery files under `folder` (*.json, *.json.gz), or raise when there are none."""
    if not folder.is_dir():
        raise FileNotFoundError(f"--cloudtrail {folder}: no such folder")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".json", ".gz"))
    if not files:
        raise FileNotFoundError(f"--cloudtrail {folder}: no CloudTrail files (*.json, *.json.gz) under it")
    return files


def read_records(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Yield every record of the CloudTrail files, in file order; a file that is not a delivery raises
    ValueError naming it."""
    for path in files:
        try:
            if path.suffix == ".gz":
                text = gzip.decompress(path.read_bytes()).decode()
            elif path.suffix == ".json":
                text = path.read_text()
            else:
                continue
            records = json.loads(text).get("Records", [])
        except (OSError, ValueError, AttributeError) as error:
            raise ValueError(
                f"{path}: not a CloudTrail delivery file ({str(error).splitlines()[0] if str(error) else type(error).__name__})"
            ) from None
        yield from records


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


def role_name_and_path(arn: str) -> tuple[str, str]:
    """Return (name, path) of an IAM role ARN: `arn:aws:iam::1:role/a/b/n` -> (`n`, `/a/b/`)."""
    resource = arn.split(":", 5)[-1].removeprefix("role")
    *folders, name = resource.split("/")
    path = "/".join(folders) + "/"
    return name, path if path.startswith("/") else "/" + path


def is_session_of(record: dict[str, Any], role: RoleRef | str) -> bool:
    """Return whether the call was made with a session of that role (an ARN string matches by ARN)."""
    identity = record.get("userIdentity") or {}
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    if identity.get("type") != "AssumedRole":
        return False
    ref = role if isinstance(role, RoleRef) else RoleRef(role, *role_name_and_path(role))
    if not ref.by_name:
        return bool(issuer.get("arn") == ref.arn)
    arn = str(issuer.get("arn", ""))
    return bool(issuer.get("userName") == ref.name and arn and role_name_and_path(arn) == (ref.name, ref.path))


def event_time(record: dict[str, Any]) -> datetime | None:
    """Return the record's eventTime as an aware datetime, or None when it has none."""
    value = record.get("eventTime")
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


def usage_of(records: Iterable[dict[str, Any]], role: RoleRef | str) -> Usage:
    """Return what the role's sessions called, were refused, and what could not be mapped."""
    usage = Usage(set(), set(), set(), 0)
    for record in records:
        if not is_session_of(record, role):
            continue
        usage.events += 1
        when = event_time(record)
        if when is not None:
            usage.first = when if usage.first is None else min(usage.first, when)
            usage.last = when if usage.last is None else max(usage.last, when)
        action = event_action(record)
        if action is None:
            usage.unmapped.add(f"{record.get('eventSource')}:{record.get('eventName')}")
        elif record.get("errorCode") in DENIED_CODES:
            usage.denied.add(action)
        else:
            usage.used.add(action)
    return usage
