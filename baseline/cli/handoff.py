"""`iam-baseline handoff`: print exactly what one service's repository must hold, and how to set it;
the values come from `baseline.design.handoff`."""

from __future__ import annotations

import argparse
import json
import shlex
import sys

from baseline.cli.common import UsageError, add_outputs_source, outputs_with_secrets


def add_arguments(hand: argparse.ArgumentParser) -> None:
    """Declare handoff's arguments on its subcommand parser."""
    add_outputs_source(hand)
    hand.add_argument("--service", required=True, help="the service whose values to print")
    hand.add_argument("--json", action="store_true", help='print {"service", "secrets", "variables"} as JSON')
    hand.add_argument(
        "--secret", metavar="NAME", help="print only this secret's value, for `| gh secret set NAME` (never on a command line)"
    )


def run(args: argparse.Namespace) -> int:
    """Print one service's handoff: as text with the command that printed it, as JSON, or one secret's value."""
    from baseline.design.handoff import UnknownService, format_handoff, service_handoff

    try:
        handoff = service_handoff(outputs_with_secrets(args), args.service)
    except UnknownService as error:
        raise UsageError(f"--service: {error}") from None
    if args.secret is not None:
        if args.secret not in handoff.secrets:
            raise UsageError(f"--secret {args.secret}: not one of {args.service}'s secrets ({', '.join(sorted(handoff.secrets))})")
        sys.stdout.write(handoff.secrets[args.secret])  # no newline: piped into `gh secret set`
        return 0
    if args.json:
        print(json.dumps(handoff.to_json(), indent=2))
        return 0
    source = f"--outputs {shlex.quote(str(args.outputs))}" if args.outputs else "--offline" if args.offline else ""
    project = f" --project-dir {shlex.quote(str(args.project_dir))}" if str(args.project_dir) != "." else ""
    command = f"iam-baseline handoff --stack {shlex.quote(args.stack)} --service {shlex.quote(args.service)}{project} {source}".rstrip()
    print(format_handoff(handoff, command, stand_in=bool(args.offline)), end="")
    return 0
