"""iam-baseline: least-privilege IAM for running Pulumi in CI, one stack per AWS account (offline plan and review, bootstrap, publish, handoff, discover, tighten, explain)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from types import ModuleType

from baseline.cli import (
    bootstrap,
    discover,
    explain,
    handoff,
    plan,
    preflight,
    publish,
    reference,
    review,
    rollout,
    tighten,
    verify,
)
from baseline.cli.common import UsageError
from baseline.design.findings import ConfigError
from baseline.offline.stack_files import StackFileError

__all__ = ["UsageError", "entry", "main"]

# Each command's module declares its arguments (`add_arguments(parser)`) and runs it (`run(args)`); in `--help` order.
COMMANDS: dict[str, tuple[ModuleType, str]] = {
    "plan": (plan, "show what `pulumi up` would create, without AWS or the Pulumi CLI"),
    "review": (review, "effective permissions, blast radius, quota budget and lint, offline"),
    "bootstrap": (bootstrap, "first `pulumi up` on a local backend, then move the stack into its new bucket"),
    "discover": (discover, "propose a service's actions from its Pulumi program or preview, offline"),
    "tighten": (tighten, "reduce a service's actions to those its role used, from CloudTrail or Access Analyzer"),
    "explain": (explain, "name what denied each AccessDenied of a failed `pulumi up`, and the config line to change"),
    "preflight": (preflight, "before `pulumi up`: may the service's role do all the change needs?"),
    "handoff": (handoff, "print exactly what one service's repository must hold, and how to set it"),
    "publish": (publish, "write each service's handoff stack (its values only) after the baseline's `pulumi up`"),
    "reference": (reference, "print docs/reference.md: every config key and stack output, from the code"),
    "verify": (verify, "check the live account against the baseline (extra policies, keys, principals, bucket)"),
    "rollout": (rollout, "pulumi up (or preview) several account stacks, each with its own credentials, then verify each"),
}


def build_parser() -> argparse.ArgumentParser:
    """Return the command line's parser: one subcommand per entry of COMMANDS."""
    parser = argparse.ArgumentParser(prog="iam-baseline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    for name, (module, help_text) in COMMANDS.items():
        module.add_arguments(commands.add_parser(name, help=help_text))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], int] = COMMANDS[args.command][0].run
    try:
        return run(args)
    except (ConfigError, FileNotFoundError, StackFileError, UsageError) as error:  # bad input: say so, exit 2, no traceback
        print(error, file=sys.stderr)
        return 2


def entry() -> int:
    """Run the command line as a process does (the console script and `python -m baseline`): then close
    the event loops Pulumi left, so the interpreter's exit prints nothing."""
    try:
        return main()
    finally:
        if "pulumi" in sys.modules:  # only commands that ran a program made a loop
            from baseline.offline.pulumi_private import close_event_loops

            close_event_loops()
