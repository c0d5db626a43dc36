"""`iam-baseline explain`: parse its arguments and print; the work is in `baseline.tighten.explain`.

Reads the AccessDenied errors of a failed `pulumi up` (a log file) and/or an encoded authorization
message, and names for each the denied action, the resource, the role and its service, the statement
that denied it and the config line to change.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from baseline.cli.common import UsageError


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Declare explain's arguments on its subcommand parser."""
    command.add_argument("--stack", required=True, help="the baseline stack the roles belong to, e.g. prod")
    command.add_argument("--service", help="the service whose program created the denied role, when it is not a provisioning role")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    command.add_argument("--log", type=Path, metavar="FILE", help="the output of the failed `pulumi up`")
    command.add_argument(
        "--message", metavar="ENCODED", help="an encoded authorization failure message (decoded with sts:DecodeAuthorizationMessage)"
    )
    command.add_argument("--json", action="store_true", help="print the explanations as JSON")


def run(args: argparse.Namespace, sts: Any = None, now: datetime | None = None) -> int:
    """Run `explain`: 0 when every denial is explained, 1 when some is not; `sts` is a client (tests: Stubber)."""
    from baseline.tighten.explain import Denial, ExplainInputError, decode, explain, read_log, resolve_encoded, sts_client
    from baseline.tighten.roles import load_baseline

    if args.log is None and args.message is None:
        raise UsageError("explain: give --log FILE, --message ENCODED, or both")
    now = now or datetime.now(UTC)
    try:
        denials: list[Any] = read_log(args.log) if args.log is not None else []
    except ExplainInputError as error:
        raise UsageError(str(error)) from None
    baseline = load_baseline(args.project_dir, args.stack, now=now, drop_expired_windows=True)
    for warning in baseline.rendering.warnings:
        print(warning, file=sys.stderr)
    if args.service is not None and baseline.service_role(args.service) is None:
        raise UsageError(f"--service: {args.service!r} has no provisioning role in stack {args.stack!r}")
    clients: list[Any] = [sts] if sts is not None else []

    def client() -> Any:
        if not clients:
            clients.append(sts_client(baseline.rendering.ctx.region))
        return clients[0]

    try:
        if args.message is not None:
            denials.append(decode(client(), args.message.strip(), "--message"))
    except ExplainInputError as error:
        raise UsageError(str(error)) from None
    principals = baseline.principals
    results = [
        item if not isinstance(item, Denial) else explain(item, baseline, now, args.service, principals)
        for item in resolve_encoded(denials, client)
    ]
    _print(results, args.json, args.stack)
    return 0 if all(r.explained for r in results) else 1


def _print(results: list[Any], as_json: bool, stack: str) -> None:
    from baseline.tighten.explain import format_explanations

    out = sys.stdout.write

    if as_json:
        out(
            json.dumps(
                {"stack": stack, "denials": [r.to_json() for r in results], "explained": all(r.explained for r in results)}, indent=2
            )
            + "\n"
        )
    else:
        out(format_explanations(results))
