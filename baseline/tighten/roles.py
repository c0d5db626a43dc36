"""A service's provisioning role as the offline render of the baseline shows it, with the config it comes from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baseline.design.config import BaselineConfig
from baseline.design.grants import expand_patterns
from baseline.offline.engine import Rendering, reveal
from baseline.review.principals import Principal, collect_principals

SERVICES_KEY = "iam-baseline:services"


@dataclass(frozen=True)
class ServiceRole:
    """One provisioning role (`service` or `service/component`) and where its grant is configured."""

    service: str
    config_key: str  # `services.api`, or `services.api.components.site`
    principal: Principal
    configured: frozenset[str]  # every catalogue action the config's patterns reach, before prod's denies
    allow_delete: bool
    expired_window: str | None = None  # the config's deleteWindow.until when it has passed

    @property
    def base_service(self) -> str:
        return self.service.split("/", 1)[0]


@dataclass
class Baseline:
    """The baseline rendered offline for one stack, with its parsed config."""

    stack: str
    rendering: Rendering
    config: BaselineConfig
    expired_windows: dict[str, str] = field(default_factory=dict)  # config key -> the until that passed

    @property
    def principals(self) -> dict[str, Principal]:
        return collect_principals(self.rendering)

    @property
    def outputs(self) -> dict[str, Any]:
        return dict(reveal(self.rendering.outputs))

    @property
    def stand_in_account(self) -> bool:
        """Return whether the rendered ARNs hold a stand-in account: the stack pins none."""
        return not self.config.pinned_accounts

    @property
    def account(self) -> str:
        return self.rendering.ctx.account_id

    def service_role(self, service: str, principals: dict[str, Principal] | None = None) -> ServiceRole | None:
        """Return the role of `service` (or `service/component`), or None when the stack has none."""
        principal = (principals or self.principals).get(f"service/{service}")
        if principal is None:
            return None
        name, _, component = service.partition("/")
        unit = next((s for s in self.config.services if s.name == name), None)
        if unit is None:
            return None
        key = f"services.{name}"
        actions, allow_delete = unit.actions, unit.allow_delete
        if component:
            part = next((c for c in unit.components if c.name == component), None)
            if part is None:
                return None
            key, actions, allow_delete = f"{key}.components.{component}", part.actions, part.allow_delete
        return ServiceRole(service, key, principal, expand_patterns(actions), allow_delete, self.expired_windows.get(key))

    def role_named(self, name: str, principals: dict[str, Principal] | None = None) -> ServiceRole | None:
        """Return the provisioning role whose IAM name is `name`, or None."""
        found = principals or self.principals
        for key, principal in found.items():
            if key.startswith("service/") and principal.name == name:
                return self.service_role(key.removeprefix("service/"), found)
        return None


def load_baseline(project_dir: Path, stack: str, now: datetime | None = None, drop_expired_windows: bool = False) -> Baseline:
    """Render the stack offline. With `drop_expired_windows`, a deleteWindow whose `until` has passed is
    left out of the render (as IAM does once the instant passes) and remembered, instead of refusing the
    config: `explain` must still read a stack whose window ended."""
    from baseline.offline.engine import run_offline
    from baseline.offline.stack_files import load_stack_config
    from baseline.review.review import stack_config
    from baseline.stack.program import run_stack

    values, secret_keys = load_stack_config(project_dir, stack)
    expired: dict[str, str] = {}
    if drop_expired_windows:
        values, expired = _without_expired_windows(values, now or datetime.now(UTC))
    rendering = run_offline(run_stack, stack, values, secret_keys)
    return Baseline(stack, rendering, stack_config(values, stack), expired)


def _without_expired_windows(values: dict[str, str], now: datetime) -> tuple[dict[str, str], dict[str, str]]:
    try:
        services = json.loads(values.get(SERVICES_KEY, "{}"))
    except ValueError:
        return values, {}
    if not isinstance(services, dict):
        return values, {}
    expired: dict[str, str] = {}

    def strip(entry: Any, key: str) -> None:
        if not isinstance(entry, dict):
            return
        window = entry.get("deleteWindow")
        until = _instant(window.get("until")) if isinstance(window, dict) else None
        if until is not None and until <= now:
            expired[key] = str(window["until"])  # type: ignore[index]
            del entry["deleteWindow"]
        for component, part in (entry.get("components") or {}).items() if isinstance(entry.get("components"), dict) else ():
            strip(part, f"{key}.components.{component}")

    for name, entry in services.items():
        strip(entry, f"services.{name}")
    if not expired:
        return values, {}
    return {**values, SERVICES_KEY: json.dumps(services)}, expired


def _instant(value: Any) -> datetime | None:
    try:
        instant = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return instant.astimezone(UTC) if instant.tzinfo else None
