"""`iam-baseline preflight`: parse its arguments and print; the work is in `baseline.preflight`.

Checks, before `pulumi up`, every action a change needs (from a `pulumi preview --json`, or from running
the service's Python program offline) against the service's provisioning role as the baseline config
renders it, and names each missing action, each action denied by design and each IAM principal the
role would refuse, with the config line (or program change) that fixes it.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from baseline.cli.common import UsageError

DEFAULT_TIMEOUT = 60.0


def add_arguments(command: argparse.ArgumentParser) -> None:
    """Declare preflight's arguments on its subcommand parser."""
    command.add_argument("--stack", required=True, help="the baseline stack the service deploys into, e.g. prod")
    command.add_argument("--service", required=True, help="the service whose provisioning role deploys the change")
    command.add_argument("--component", help="the component whose role deploys it (a service split into components)")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    command.add_argument("--program", type=Path, metavar="DIR", help="the service's Python program: every resource counts as a create")
    command.add_argument("--preview", type=Path, metavar="FILE", help="what `pulumi preview --json` printed for the change")
    command.add_argument("--json", action="store_true", help="print {missing, deniedByDesign, unverifiable, principalProblems}")
    command.add_argument(
        "--emit-actions", type=Path, metavar="FILE",
        help="also write the actions file the service repository's live preflight reads (python -m iam_baseline_consume.preflight)",
    )  # fmt: skip
    command.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"with --program: stop it after SECONDS (default: {DEFAULT_TIMEOUT:g})",
    )


def run(args: argparse.Namespace, now: datetime | None = None) -> int:
    """Run `preflight`: 0 when every action is allowed, 1 when some is missing or denied (or a principal refused)."""
    from baseline.preflight.run import DiscoverError, PreflightInputError, find_role, preview_change, program_run, run_preflight
    from baseline.tighten.roles import load_baseline

    if (args.program is None) == (args.preview is None):
        raise UsageError("preflight: give exactly one of --program DIR (a Python program) and --preview FILE (`pulumi preview --json`)")
    if args.program is not None and not (args.program / "Pulumi.yaml").is_file():
        raise UsageError(f"--program {args.program}: no Pulumi.yaml; give the service's Pulumi project folder")
    now = now or datetime.now(UTC)
    try:
        steps, created = preview_change(args.preview) if args.preview is not None else ([], [])
        baseline = load_baseline(args.project_dir, args.stack, now=now, drop_expired_windows=True)
        for warning in baseline.rendering.warnings:
            print(warning, file=sys.stderr)
        role = find_role(baseline, args.service, args.component)
        if args.program is not None:
            steps, created, program_warnings = program_run(args.program, args.stack, baseline, args.service, args.timeout)
            for warning in program_warnings:
                print(warning, file=sys.stderr)
        result = run_preflight(baseline, role, steps, created, now, args.component)
    except (PreflightInputError, DiscoverError) as error:
        raise UsageError(str(error)) from None
    for warning in result.warnings:
        print(warning, file=sys.stderr)
    if args.emit_actions is not None:
        args.emit_actions.write_text(json.dumps(result.actions_file(), indent=2, sort_keys=True) + "\n")
        print(f"wrote {args.emit_actions} ({len(result.rows)} types) for the service's live preflight", file=sys.stderr)
    sys.stdout.write(json.dumps(result.report.to_json(), indent=2) + "\n" if args.json else result.report.format())
    return 1 if result.report.failed else 0
