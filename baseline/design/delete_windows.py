"""Temporary delete windows in prod: destructive actions granted until an instant IAM enforces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from baseline.design.findings import Finding, config_error
from baseline.design.reference import child_keys

DEFAULT_MAX_DELETE_WINDOW_HOURS = 24
DELETE_WINDOW_KEYS = child_keys("services.<name>.deleteWindow")


@dataclass(frozen=True)
class DeleteWindow:
    """Destructive actions granted until an instant that IAM itself enforces (aws:CurrentTime)."""

    until: datetime
    reason: str

    @property
    def until_text(self) -> str:
        """Return the instant as IAM's condition operators expect it: `YYYY-MM-DDTHH:MM:SSZ`."""
        return self.until.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_delete_window(raw: Any, key: str, now: datetime, max_hours: int, allow_delete: bool) -> tuple[DeleteWindow | None, list[Finding]]:
    """Return the window (or None) and the findings that refuse it."""
    if raw is None:
        return None, []
    if not isinstance(raw, dict):
        return None, [config_error(key, "must be a map {until: 'YYYY-MM-DDTHH:MM:SSZ', reason: '...'}")]
    found = [
        config_error(f"{key}.{k}", f"unknown key; allowed keys here: {', '.join(DELETE_WINDOW_KEYS)}")
        for k in sorted(set(raw) - set(DELETE_WINDOW_KEYS), key=str)
    ]
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        found.append(config_error(f"{key}.reason", "is required: say why deletes are needed (it is shown in plan, review and the outputs)"))
    until = _parse_instant(raw.get("until"))
    if until is None:
        found.append(config_error(f"{key}.until", f"must be a UTC instant such as '2026-12-01T18:00:00Z' (got {raw.get('until')!r})"))
    elif until <= now:
        found.append(config_error(f"{key}.until", f"{raw['until']} has already passed (now {now:%Y-%m-%dT%H:%M:%SZ}); remove the window"))
    elif until > now + timedelta(hours=max_hours):
        found.append(config_error(f"{key}.until", f"{raw['until']} is more than maxDeleteWindowHours ({max_hours}) ahead"))
    if allow_delete:
        found.append(
            config_error(
                key, "deletes are already allowed for this service (allowDelete: true); a window applies only where they are denied"
            )
        )
    if found or until is None:
        return None, found
    return DeleteWindow(until, str(reason).strip()), []


def _parse_instant(value: Any) -> datetime | None:
    if not isinstance(value, str | datetime):
        return None
    try:
        instant = value if isinstance(value, datetime) else datetime.fromisoformat(value)
        # astimezone overflows for instants whose UTC time falls outside years 1-9999.
        return instant.astimezone(UTC) if instant.tzinfo is not None else None
    except (ValueError, OverflowError):
        return None
