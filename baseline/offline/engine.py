"""Run the baseline program offline under mocks and collect what `pulumi up` would register."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi

from baseline.aws.arns import AccountContext
from baseline.offline.fake_aws import DEFAULT_REGION, OFFLINE_ACCOUNT_ID, BaselineMocks, RecordingMonitor, Registration, offline_context
from baseline.offline.pulumi_private import clear_pending_work, exported_outputs, forget_stack_resource, run_program, sync_await
from baseline.offline.stack_files import PROJECT


@dataclass(frozen=True)
class Secret:
    """A stack output value Pulumi would store encrypted."""

    value: Any


@dataclass
class Rendering:
    """What one offline run registered and exported."""

    stack: str
    ctx: AccountContext
    registrations: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    stack_references: list[str] = field(default_factory=list)  # the other stacks the program read
    invokes: list[str] = field(default_factory=list)  # the data sources the program called
    account_pinned: bool = False  # the stand-in account is the one the config pins
    default_tags: Any = None  # the stack config's `aws:defaultTags` (tags the default AWS provider gives every resource)

    def of_type(self, typ: str) -> list[Registration]:
        """Return the registrations of one resource type, in registration order."""
        return [r for r in self.registrations if r.typ == typ]

    def user_policies(self) -> dict[str, dict[str, str]]:
        """Return, per user name, its inline policies and those of its groups, by label, as JSON."""
        by_group = self.grouped("aws:iam/groupPolicy:GroupPolicy", "group")
        found: dict[str, dict[str, str]] = {}
        for policy in self.of_type("aws:iam/userPolicy:UserPolicy"):
            found.setdefault(policy.inputs["user"], {})[policy.inputs["name"]] = policy.inputs["policy"]
        for membership in self.of_type("aws:iam/groupMembership:GroupMembership"):
            group = membership.inputs["group"]
            for user in membership.inputs["users"]:
                for policy in by_group.get(group, []):
                    found.setdefault(user, {})[f"group-{group}-{policy.inputs['name']}"] = policy.inputs["policy"]
        return found

    def grouped(self, typ: str, owner_input: str) -> dict[str, list[Registration]]:
        """Return one type's registrations grouped by an input naming their owner (e.g. a policy's `role`)."""
        groups: dict[str, list[Registration]] = {}
        for registration in self.of_type(typ):
            groups.setdefault(registration.inputs[owner_input], []).append(registration)
        return groups


def reveal(value: Any) -> Any:
    """Return outputs with secrets unwrapped, as a consumer holding the secrets key sees them."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


def pinned_account(config: Mapping[str, str], project: str) -> str | None:
    """Return the account a stack's config pins: `<project>:accountId`, else the first of `aws:allowedAccountIds`."""
    account = (config.get(f"{project}:accountId") or "").strip('"')
    if account.isascii() and account.isdigit():
        return account
    with contextlib.suppress(ValueError, TypeError, IndexError):
        allowed = json.loads(config.get("aws:allowedAccountIds") or "[]")
        return str(allowed[0]) if allowed else None
    return None


def run_offline(
    program: Callable[[], None],
    stack: str,
    config: Mapping[str, str],
    secret_keys: list[str] | None = None,
    ctx: AccountContext | None = None,
    stack_outputs: dict[str, dict[str, Any]] | None = None,
    project: str = PROJECT,
    any_stack_outputs: dict[str, Any] | None = None,
    mocks_class: type[BaselineMocks] = BaselineMocks,
) -> Rendering:
    """Run a Pulumi program under mocks with the given config; return its registrations and outputs.

    The stand-in account is the one the config pins (`<project>:accountId`, else `aws:allowedAccountIds`),
    so that `plan` shows the account a stack may deploy to and the program's own account check passes.
    `mocks_class` answers the program's resources and data sources (discover's answers every declared output).
    """
    pinned = pinned_account(config, project)
    ctx = ctx or offline_context(config.get("aws:region", DEFAULT_REGION), pinned or OFFLINE_ACCOUNT_ID)
    mocks = mocks_class(ctx, stack_outputs, any_stack_outputs)
    rendering = Rendering(stack, ctx, mocks.registrations, stack_references=mocks.stack_references, invokes=mocks.invokes)
    rendering.account_pinned = pinned is not None
    rendering.default_tags = config.get("aws:defaultTags")
    forget_stack_resource()  # a fresh stack resource per run
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=False, monitor=RecordingMonitor(mocks), logger=_warning_collector(rendering.warnings)
    )
    pulumi.runtime.set_all_config(dict(config), list(secret_keys or []))
    clear_pending_work()

    def body() -> None:
        program()
        rendering.outputs = sync_await(_resolve(exported_outputs()))

    thresholds = gc.get_threshold()
    try:
        run_program(body)
    finally:  # the program may have tuned the collector for one registration run (baseline/stack/collector.py)
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    return rendering


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


def _warning_collector(sink: list[str]) -> logging.Logger:
    """Return a logger that gathers the program's `pulumi.log.warn` messages into `sink`."""
    logger = logging.getLogger(f"iam-baseline.offline.engine.{id(sink)}")
    logger.propagate = False
    logger.handlers = [_ListHandler(sink)]
    return logger


async def _resolve(value: Any) -> Any:
    """Return a structure of Outputs as plain values, with secret leaves wrapped in Secret."""
    if isinstance(value, pulumi.Output):
        inner = await _resolve(await value.future())
        return Secret(inner) if await value.is_secret() else inner
    if isinstance(value, dict):
        resolved = await asyncio.gather(*(_resolve(v) for v in value.values()))
        return dict(zip(value, resolved, strict=True))
    if isinstance(value, list | tuple):
        return list(await asyncio.gather(*(_resolve(v) for v in value)))
    return value
