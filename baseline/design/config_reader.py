"""Typed access to raw config, and the decoding of Pulumi's config values, recording findings instead of raising."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Any

from baseline.design.findings import CONFIG_NAMESPACE, Finding, config_error

# At most 15 digits: every range here is far smaller, and int() refuses strings over 4,300 digits.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,15}")


class Reader:
    """Typed access to one level of raw config that records findings instead of raising."""

    def __init__(self, raw: Any, key: str, allowed: tuple[str, ...], findings: list[Finding]):
        self.key, self.findings = key, findings
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            self.error(key, f"must be a map with keys {', '.join(allowed)} (got {type(raw).__name__})")
            raw = {}
        self.raw = raw
        for unknown in sorted(set(raw) - set(allowed), key=str):  # YAML may give keys of mixed types
            self.error(self.sub(str(unknown)), f"unknown key; allowed keys here: {', '.join(allowed)}")

    def sub(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, key: str, message: str) -> None:
        self.findings.append(config_error(key, message))

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.error(self.sub(name), f"must be true or false (got {value!r})")
            return default
        return value

    def integer(self, name: str, default: int, low: int, high: int, hint: str = "") -> int:
        value = self.raw.get(name, default)
        # Only ASCII digits: str.isdigit() also accepts '³' or '٣', which int() then refuses.
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(self.sub(name), f"must be a whole number from {low} to {high}{hint} (got {value!r})")
            return default
        return int(value)

    def string(self, name: str, default: str | None) -> str | None:
        value = self.raw.get(name, default)
        if value is not None and not isinstance(value, str):
            self.error(self.sub(name), f"must be a string (got {value!r})")
            return default
        return value


def string_list(raw: Any, key: str, findings: list[Finding], what: str) -> list[str] | None:
    """Return a non-empty list of strings, or None after recording why the value is not one."""
    if isinstance(raw, str) or not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        findings.append(config_error(key, f"must be a non-empty list of {what} (got {raw!r})"))
        return None
    items: list[str] = raw
    return items


def decode_pulumi_config(values: Mapping[str, Any], namespace: str = CONFIG_NAMESPACE) -> dict[str, Any]:
    """Return this project's keys (prefix removed), with Pulumi's JSON-string values decoded."""
    decoded: dict[str, Any] = {}
    for full_key, value in values.items():
        ns, _, key = full_key.partition(":")
        if ns != namespace or not key:
            continue
        # Maps and lists arrive as JSON text; scalars stay strings (namePrefix "123" is a name), and
        # the typed readers parse booleans and numbers themselves.
        if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):  # else a plain string value
                value = json.loads(value)
        decoded[key] = value
    return decoded


def allowed_account_ids(values: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the AWS provider's `aws:allowedAccountIds` from Pulumi config (a JSON list), as strings."""
    raw = values.get("aws:allowedAccountIds")
    if raw is None:
        return ()
    with contextlib.suppress(ValueError, TypeError):
        raw = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(str(a) for a in raw) if isinstance(raw, list) else (str(raw),)
