"""Publishing each service's handoff stack: a small stack in the state bucket holding only its values.

A service program reads its roles through a StackReference to its handoff stack, never through the
baseline's own stack (which holds every external ID and the CI key). Each handoff stack is encrypted
with the service's own passphrase (derived from the baseline's seed), and only that service's state
role may read its key in the bucket. `publish` runs after every `pulumi up` of the baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from baseline.design.handoff import SECRET_HANDOFF_OUTPUTS, handoff_stack_outputs, holds_external_id, service_entry

PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"


def handoff_program(values: Mapping[str, Any]) -> Callable[[], None]:
    """Return the inline Pulumi program that exports a service's handoff values (external IDs secret)."""

    def program() -> None:
        import pulumi

        for name, value in sorted(values.items()):
            secret = name in SECRET_HANDOFF_OUTPUTS and holds_external_id(value)
            pulumi.export(name, pulumi.Output.secret(value) if secret else value)

    return program


class Publisher(Protocol):
    def publish(self, stack: str, backend_url: str, passphrase: str, program: Callable[[], None]) -> None: ...


def publish_handoffs(
    outputs: Mapping[str, Any],
    publisher: Publisher,
    services: Iterable[str] | None = None,
    *,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
) -> list[str]:
    """Publish (or with dry_run, only name) the handoff stack of each service; return the stack names."""
    names = sorted(services) if services else sorted(outputs.get("provisioningRoles") or {})
    published = []
    for service in names:
        entry = service_entry(outputs, service)
        stack = entry["handoffStack"]
        echo(f"{'would publish' if dry_run else 'publishing'} {stack} (service {service})")
        if not dry_run:
            values = handoff_stack_outputs(outputs, service)
            publisher.publish(stack, outputs["backendUrl"], entry["handoffPassphrase"], handoff_program(values))
        published.append(stack)
    return published


class AutomationPublisher:
    """Runs `pulumi up` of each inline handoff program with the Automation API (needs the Pulumi CLI)."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        self.env = dict(env or {})

    def publish(self, stack: str, backend_url: str, passphrase: str, program: Callable[[], None]) -> None:
        import pulumi.automation as auto

        project = stack.split("/")[1]
        env = {**self.env, "PULUMI_BACKEND_URL": backend_url, PASSPHRASE_ENV: passphrase}
        options = auto.LocalWorkspaceOptions(env_vars=env, secrets_provider="passphrase")
        workspace_stack = auto.create_or_select_stack(stack_name=stack, project_name=project, program=program, opts=options)
        workspace_stack.up(on_output=print)
