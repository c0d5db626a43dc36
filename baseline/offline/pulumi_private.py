"""Every private Pulumi API this project uses, in one module, so a Pulumi release can break only here.

pulumi is pinned to one minor version in pyproject.toml for the same reason. The APIs:
- `pulumi.runtime.sync_await._sync_await`: run a coroutine to completion from synchronous code.
- `pulumi.runtime.stack.run_pulumi_func`: run a program body the way the engine's language host does.
- `pulumi.runtime.settings.ROOT`, `SETTINGS.rpc_manager`, `SETTINGS.outputs`, `get_root_resource`:
  reset the runtime between offline runs, and read the stack's exports.
- `pulumi.runtime.rpc._special_sig_key`, `_special_secret_sig`, `deserialize_properties`: recognise
  secret values in what a mock engine receives.
- `pulumi.runtime.config.get_config_env`, `CONFIG`: every config key of the stack (the public
  `pulumi.Config` only answers for keys one asks for, so unknown keys could not be reported).
- `pulumi.runtime.mocks.MockMonitor`: the mock engine monitor, subclassed to record registrations.
- `pulumi._types._PULUMI_NAME`: the Pulumi name `@pulumi.getter` gives a provider class's property
  (`certificateAuthority`), read by discover to answer every output a resource type declares.
- `pulumi.runtime.settings.SETTINGS.monitor_features`: discover drops the resource-reference feature, so a
  resource given as another's input reaches the mocks as its ID (`pass_resources_as_ids`).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from pulumi import _types
from pulumi.runtime import config as _config
from pulumi.runtime import rpc as _rpc
from pulumi.runtime import settings as _settings
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.stack import run_pulumi_func as _run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

T = TypeVar("T")

__all__ = [
    "MockMonitor",
    "all_config",
    "clear_pending_work",
    "close_event_loops",
    "deserialize_properties",
    "exported_outputs",
    "forget_stack_resource",
    "is_secret",
    "pass_resources_as_ids",
    "pulumi_property_name",
    "run_program",
    "sync_await",
]


def sync_await(coroutine: Coroutine[Any, Any, T]) -> T:
    """Return the coroutine's result, run to completion on Pulumi's event loop."""
    result: T = _sync_await(coroutine)
    return result


def run_program(body: Callable[[], None]) -> None:
    """Run a program body as the engine's language host does, waiting for every registration."""
    _sync_await(_run_pulumi_func(body))


def forget_stack_resource() -> None:
    """Forget the previous run's stack resource, so the next run makes its own (before set_mocks)."""
    _settings.ROOT.set(None)


def clear_pending_work() -> None:
    """Drop the previous run's pending RPCs and outputs (after set_mocks, before the program runs)."""
    _settings.SETTINGS.rpc_manager.clear()
    _settings.SETTINGS.outputs.clear()


def exported_outputs() -> dict[str, Any]:
    """Return the stack's exports so far, by name (Outputs unresolved)."""
    root = _settings.get_root_resource()
    return dict(getattr(root, "outputs", {}) if root is not None else {})


def is_secret(value: Any) -> bool:
    """Return whether a deserialized property value is Pulumi's secret envelope."""
    return isinstance(value, dict) and value.get(_rpc._special_sig_key) == _rpc._special_secret_sig


def deserialize_properties(struct: Any) -> dict[str, Any]:
    """Return a registration's properties as plain values (secrets left in their envelope)."""
    properties: dict[str, Any] = _rpc.deserialize_properties(struct)
    return properties


def close_event_loops() -> None:
    """Close every event loop Pulumi made before the interpreter exits.

    Pulumi's mock monitor runs each registration in an executor thread, and `_sync_await` gives each
    of those threads a loop of its own that nothing closes. Left to the garbage collector, a loop's
    finaliser can run after its self-pipe is gone and print an "Invalid file descriptor" traceback on
    an otherwise clean exit (about 6 runs in 20).
    """
    for loop in [o for o in gc.get_objects() if isinstance(o, asyncio.BaseEventLoop)]:
        if not loop.is_closed() and not loop.is_running():
            loop.close()


def all_config() -> dict[str, Any]:
    """Return every config value of the running stack, by full key (`namespace:key`)."""
    return {**_config.get_config_env(), **_config.CONFIG.get()}


def pulumi_property_name(getter: Callable[..., Any]) -> str | None:
    """Return the Pulumi name of a provider class's `@pulumi.getter` property (`certificateAuthority`), or None."""
    name = getattr(getter, _types._PULUMI_NAME, None)
    return name if isinstance(name, str) else None


def pass_resources_as_ids() -> None:
    """Have a resource given as another's input (`role=role`, `function=fn`) reach the mocks as its ID, as the
    engine hands it to the AWS provider. As a resource reference, the mock monitor would rebuild it in its own
    thread with a read whose task lands on that thread's event loop, and the program would never finish."""
    from pulumi.runtime.proto import resource_pb2

    _settings.SETTINGS.monitor_features.discard(resource_pb2.RESOURCE_MONITOR_FEATURE_RESOURCE_REFERENCES)
