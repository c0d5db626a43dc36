"""`iam-baseline discover`: parse its arguments and print; the work is in `baseline.discover`.

Runs a service's Python program offline (in a child process with a time limit, in the program's own
virtualenv when its Pulumi.yaml names one) or reads a `pulumi preview --json` of a program in any
language, and prints the proposed actions, or writes a component library's manifests.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from baseline.cli.common import UsageError

DEFAULT_TIMEOUT = 60.0
BASELINE_PROGRAM = "baseline.stack.program:run_stack"  # run in discover's child, by name: the CLI itself never imports Pulumi


def add_arguments(disc: argparse.ArgumentParser) -> None:
    """Declare discover's arguments on its subcommand parser."""
    disc.add_argument("path", type=Path, help="the service's Pulumi project folder")
    disc.add_argument("--stack", required=True, help="the stack whose config both programs use (e.g. dev)")
    disc.add_argument("--service", help="service name in the baseline (default: the program's `service` config, else its project name)")
    disc.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    disc.add_argument("--json", action="store_true", help="print, per resource type and data source, what it needs, and the actions")
    disc.add_argument(
        "--manifests", type=Path, metavar="DIR",
        help="for a component library's example program: write one permission manifest per component type into DIR",
    )  # fmt: skip
    disc.add_argument("--check", action="store_true", help="with --manifests: compare instead of writing; exit 1 when any differs")
    disc.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
        help=f"stop a program that has not finished after SECONDS (default: {DEFAULT_TIMEOUT:g})",
    )  # fmt: skip
    disc.add_argument(
        "--preview", type=Path, metavar="FILE",
        help="read `pulumi preview --json` output instead of running the program (any language; invokes are not in previews)",
    )  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Run `discover`: from a preview, or by running the program (the baseline rendered offline beside it)."""
    from baseline.discover.project import DiscoverError

    if not (args.path / "Pulumi.yaml").is_file():
        raise UsageError(f"{args.path}: no Pulumi.yaml; give the service's Pulumi project folder")
    if args.check and args.manifests is None:
        raise UsageError("--check: compares manifests, so it needs --manifests DIR")
    if args.timeout <= 0:
        raise UsageError(f"--timeout {args.timeout:g}: give a number of seconds above 0")
    try:
        if args.preview is not None:
            return _from_preview(args)
        return _from_program(args)
    except DiscoverError as error:
        raise UsageError(str(error)) from None


def _from_preview(args: argparse.Namespace) -> int:
    from baseline.discover.preview import propose_from_preview
    from baseline.discover.project import read_project
    from baseline.discover.proposal import format_proposal

    if args.manifests is not None:
        raise UsageError("--manifests runs the component library's example program; it does not read --preview")
    project, config = read_project(args.path, args.stack)
    proposal = propose_from_preview(args.service or config.get(f"{project}:service") or project, args.preview)
    _print_proposal(proposal, args.json, format_proposal)
    return 0


def _from_program(args: argparse.Namespace) -> int:
    from baseline.discover.project import check_runnable
    from baseline.discover.runner import BaselineSource, Child

    check_runnable(args.path)  # before anything runs: a TypeScript program needs --preview
    if args.manifests is not None and args.manifests.exists() and not args.manifests.is_dir():
        raise UsageError(f"--manifests: {args.manifests} is not a folder")
    baseline = BaselineSource(BASELINE_PROGRAM, args.project_dir, args.stack)
    child = Child()  # renders the baseline and runs the program; this process never imports Pulumi
    try:
        program = child.run(args.path, args.stack, baseline, args.service, args.timeout, meanwhile=_load_tables)
    finally:
        child.close()
    for warning in program.baseline_warnings:
        print(warning, file=sys.stderr)
    if args.manifests is not None:
        return _write_manifests(args, program.registrations)
    from baseline.discover.proposal import format_proposal, propose

    _print_proposal(
        propose(program.service, program.registrations, program.invokes, program.placement, program.default_tags),
        args.json,
        format_proposal,
    )
    return 0


def _load_tables() -> None:
    """Load the IAM catalogue and the permission table the proposal reads, while the child runs the program."""
    from baseline.aws.catalog import get_service_prefixes
    from baseline.aws.permissions import get_tabled_resource_types

    get_service_prefixes()
    get_tabled_resource_types()


def _print_proposal(proposal: Any, as_json: bool, format_proposal: Callable[[Any], str]) -> None:
    print(json.dumps(proposal.to_json(), indent=2) if as_json else format_proposal(proposal))


def _write_manifests(args: argparse.Namespace, registrations: list[Any]) -> int:
    from baseline.discover.manifests import component_manifests, manifest_file_name, write_manifests

    try:
        manifests = component_manifests(registrations)
    except ValueError as error:
        raise UsageError(str(error)) from None
    if not manifests:
        raise UsageError(f"{args.path}: the program declares no AWS resources inside a ComponentResource")
    problems = write_manifests(manifests, args.manifests, check=args.check)
    for problem in problems:
        print(f"stale manifest: {problem}; regenerate with the same command without --check", file=sys.stderr)
    if not args.check:
        for component in manifests:
            print(f"{component}: {args.manifests / manifest_file_name(component)}")
    return 1 if problems else 0
