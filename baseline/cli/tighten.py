"""`iam-baseline tighten`: parse its arguments and print; the work is in `baseline.tighten`.

Reduces a service's `actions` to what its role used (CloudTrail files, and/or IAM Access Analyzer's
policy generation), keeping what discover's table says its program needs; refuses without enough evidence.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from baseline.cli.common import UsageError

DEFAULT_MIN_DAYS = 14  # baseline.tighten.evidence.DEFAULT_MIN_DAYS; a test keeps them equal


def add_arguments(tight: argparse.ArgumentParser) -> None:
    """Declare tighten's arguments on its subcommand parser."""
    tight.add_argument("--service", required=True, help="the service (or `<service>/<component>`) whose provisioning role to look for")
    tight.add_argument("--cloudtrail", type=Path, help="folder of CloudTrail log files (.json or .json.gz)")
    tight.add_argument("--stack", default="prod", help="the baseline stack the role belongs to (default: prod)")
    tight.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    tight.add_argument("--json", action="store_true", help="print the report as JSON")
    tight.add_argument(
        "--min-days", type=float, default=DEFAULT_MIN_DAYS, metavar="DAYS",
        help=f"propose nothing unless the evidence spans at least DAYS days (default: {DEFAULT_MIN_DAYS})",
    )  # fmt: skip
    tight.add_argument("--program", type=Path, metavar="DIR", help="the service's Pulumi program: keep what discover's table says it needs")
    tight.add_argument("--access-analyzer", action="store_true", help="also ask IAM Access Analyzer to generate a policy from a trail")
    tight.add_argument("--trail-arn", help="with --access-analyzer: the CloudTrail trail to read")
    tight.add_argument("--access-role-arn", help="with --access-analyzer: the role Access Analyzer reads the trail with")
    tight.add_argument(
        "--days", type=int, default=90, help="with --access-analyzer: the window, in days up to now (at most 90; default 90)"
    )


def run(args: argparse.Namespace, analyzer: Any = None, sleep: Callable[[float], None] | None = None) -> int:
    """Run `tighten`; `analyzer` is an Access Analyzer client and `sleep` the wait between polls (tests pass a
    client under Stubber and no wait)."""
    from baseline.tighten.access_analyzer import MAX_DAYS
    from baseline.tighten.cloudtrail import Usage, cloudtrail_files, read_records, usage_of
    from baseline.tighten.evidence import NotEnoughEvidence, check_evidence, format_tightened, tightened

    if args.cloudtrail is None and not args.access_analyzer:
        raise UsageError("tighten: give --cloudtrail DIR, --access-analyzer, or both")
    if args.access_analyzer and not (args.trail_arn and args.access_role_arn):
        raise UsageError("--access-analyzer: needs --trail-arn ARN and --access-role-arn ARN")
    if args.access_analyzer and not 0 < args.days <= MAX_DAYS:
        raise UsageError(f"--days {args.days}: Access Analyzer reads at most {MAX_DAYS} days; give 1 to {MAX_DAYS}")
    if args.program is not None and not (args.program / "Pulumi.yaml").is_file():
        raise UsageError(f"--program {args.program}: no Pulumi.yaml; give the service's Pulumi project folder")
    files = cloudtrail_files(args.cloudtrail) if args.cloudtrail is not None else None
    baseline, role, ref = _role(args)
    try:
        usage = usage_of(read_records(files), ref) if files is not None else None
        if usage is not None and not args.access_analyzer:
            check_evidence(args.service, usage, args.min_days)
        elif args.access_analyzer and args.days < args.min_days:
            raise NotEnoughEvidence(
                f"tighten {args.service}: --days {args.days} is fewer than --min-days {args.min_days:g}; nothing started"
            )
        generated = _generated(args, role.principal.arn, analyzer, baseline.rendering.ctx.region, sleep) if args.access_analyzer else None
        if args.access_analyzer:
            check_evidence(args.service, usage, args.min_days, generated, float(args.days))
    except (NotEnoughEvidence, ValueError) as error:
        raise UsageError(str(error)) from None
    table = _table(args, baseline) if args.program is not None else None
    report = tightened(
        args.service, role.principal.reachable, usage or Usage(set(), set(), set(), 0), deletes_denied=role.principal.allow_delete is False,
        configured=role.configured, table=table, generated=generated or (), role=ref, stack=args.stack,
    )  # fmt: skip
    for warning in baseline.rendering.warnings:
        print(warning, file=sys.stderr)
    print(json.dumps(report, indent=2) if args.json else format_tightened(report))
    return 0


def _role(args: argparse.Namespace) -> tuple[Any, Any, Any]:
    from baseline.tighten.cloudtrail import RoleRef
    from baseline.tighten.roles import load_baseline

    baseline = load_baseline(args.project_dir, args.stack)  # its warnings are printed with the report only
    role = baseline.service_role(args.service)
    if role is None:
        raise UsageError(f"--service: {args.service!r} has no provisioning role in stack {args.stack!r}")
    p = role.principal
    return baseline, role, RoleRef(p.arn, p.name, p.path, by_name=baseline.stand_in_account)


def _generated(args: argparse.Namespace, role_arn: str, client: Any, region: str, sleep: Callable[[float], None] | None) -> frozenset[str]:
    from baseline.tighten.access_analyzer import GenerationError, analyzer_client, generated_actions

    end = datetime.now(UTC).replace(microsecond=0)
    try:
        return generated_actions(
            client or analyzer_client(region), role_arn, args.trail_arn, args.access_role_arn, end - timedelta(days=args.days), end,
            progress=lambda line: print(line, file=sys.stderr), sleep=sleep,
        )  # fmt: skip
    except GenerationError as error:
        raise UsageError(str(error)) from None


def _table(args: argparse.Namespace, baseline: Any) -> frozenset[str]:
    from baseline.tighten.evidence import program_needs

    try:
        return program_needs(args.program, args.stack, baseline.outputs, args.service.split("/", 1)[0])
    except ValueError as error:
        raise UsageError(f"--program {args.program}: {error}") from None
