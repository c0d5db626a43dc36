"""Publishing each service's handoff stack: a small stack in the state bucket holding only its values.

A service program reads its roles through a StackReference to its handoff stack, never through the
baseline's own stack (which holds every external ID and the CI key). Each handoff stack is encrypted
with the service's own passphrase (derived from the baseline's seed), and only that service's state
role may read its key in the bucket. `publish` runs after every `pulumi up` of the baseline.
"""

from __future__ import annotations

import argparse
import shutil
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

from baseline.cli.common import UsageError, add_outputs_source, outputs_with_secrets
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

    def list_stacks(self, backend_url: str, project: str) -> list[str]: ...

    def remove(self, stack: str, backend_url: str) -> None: ...


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


def stale_handoff_stacks(outputs: Mapping[str, Any], existing: Iterable[str]) -> list[str]:
    """Return the handoff stacks of this baseline stack that no current service publishes (removed services).

    Only stacks of the same baseline stack count: the short name is `<baseline stack>.<service project>`, so
    pruning dev never touches prod's handoffs in a shared bucket.
    """
    current = {entry["handoffStack"] for entry in (outputs.get("provisioningRoles") or {}).values()}
    if not current:
        return []
    baseline_stack = next(iter(current)).rsplit("/", 1)[1].split(".", 1)[0]
    project = next(iter(current)).split("/")[1]
    return sorted(
        s for s in existing if s.split("/")[1:2] == [project] and s.rsplit("/", 1)[1].startswith(baseline_stack + ".") and s not in current
    )


def prune_handoffs(
    outputs: Mapping[str, Any], publisher: Publisher, *, confirmed: bool = False, echo: Callable[[str], None] = print
) -> list[str]:
    """Remove (only when `confirmed`; else name) the handoff stacks of services no longer in the config; return them."""
    current = [entry["handoffStack"] for entry in (outputs.get("provisioningRoles") or {}).values()]
    if not current:
        return []
    stale = stale_handoff_stacks(outputs, publisher.list_stacks(outputs["backendUrl"], current[0].split("/")[1]))
    for stack in stale:
        echo(f"{'removing' if confirmed else 'would remove'} {stack} (its service is no longer in the config)")
        if confirmed:
            publisher.remove(stack, outputs["backendUrl"])
    if stale and not confirmed:
        echo("dry run: nothing removed; run again with --prune --yes to remove these")
    return stale


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

    def _workspace(self, backend_url: str, project: str) -> Any:
        import pulumi.automation as auto

        settings = auto.ProjectSettings(name=project, runtime="python")
        return auto.LocalWorkspace(project_settings=settings, env_vars={**self.env, "PULUMI_BACKEND_URL": backend_url})

    def list_stacks(self, backend_url: str, project: str) -> list[str]:
        return [f"organization/{project}/{s.name.rsplit('/', 1)[-1]}" for s in self._workspace(backend_url, project).list_stacks()]

    def remove(self, stack: str, backend_url: str) -> None:
        self._workspace(backend_url, stack.split("/")[1]).remove_stack(stack)


def add_arguments(pub: argparse.ArgumentParser) -> None:
    """Declare publish's arguments on its subcommand parser."""
    add_outputs_source(pub)
    pub.add_argument("--service", action="append", help="publish only this service (repeatable; default: every service)")
    pub.add_argument("--dry-run", action="store_true", help="name the stacks that would be written; change nothing")
    pub.add_argument(
        "--prune", action="store_true", help="also name the handoff stacks of services no longer in the config; remove them with --yes"
    )
    pub.add_argument("--yes", action="store_true", help="with --prune: remove the stacks it names")


def run(args: argparse.Namespace) -> int:
    """Publish (or name, with --dry-run) each service's handoff stack; with --prune, name or remove stale ones."""
    from baseline.design.handoff import UnknownService

    if args.yes and not args.prune:
        raise UsageError("--yes confirms --prune's removals; give --prune too")
    outputs = outputs_with_secrets(args)
    if (args.prune or not args.dry_run) and shutil.which("pulumi") is None:
        raise UsageError(
            "publish needs the Pulumi CLI and credentials that may write the state bucket (--prune lists the bucket's stacks too); "
            "--dry-run without --prune names the stacks"
        )
    try:
        publish_handoffs(outputs, AutomationPublisher(), args.service, dry_run=args.dry_run)
        if args.prune:
            prune_handoffs(outputs, AutomationPublisher(), confirmed=args.yes and not args.dry_run)
    except UnknownService as error:
        raise UsageError(f"--service: {error}") from None
    return 0
