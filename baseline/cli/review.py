"""`iam-baseline review`: parse its arguments and print; the work is in `baseline.review`.

Effective permissions, blast radius, quota budget and lint of a stack rendered offline; optionally
compared with another stack, checked live by IAM Access Analyzer, or written out document by document.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.cli.common import UsageError, render

if TYPE_CHECKING:
    from baseline.offline.engine import Rendering


def add_arguments(review: argparse.ArgumentParser) -> None:
    """Declare review's arguments on its subcommand parser."""
    review.add_argument("--stack", required=True, help="stack name; its config is read from Pulumi.<stack>.yaml")
    review.add_argument("--against", metavar="STACK", help="also show what --stack can do that STACK cannot, and vice versa")
    review.add_argument("--project-dir", type=Path, default=Path("."), help="folder holding the stack files (default: .)")
    review.add_argument("--json", action="store_true", help="print the review as JSON")
    review.add_argument("--out", type=Path, metavar="DIR", help="write every policy document to DIR/<principal>/ for diffing")
    review.add_argument("--live", action="store_true", help="also ask IAM Access Analyzer about every policy (AWS credentials needed)")


def run(args: argparse.Namespace) -> int:
    """Review the stack (and --against, --live, --out); exit 1 when the review found an error."""
    from baseline.review.report import format_comparison, format_review, write_documents
    from baseline.review.review import compare, review

    if args.out and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder; name a folder to write the documents into")

    rendering = render(args.project_dir, args.stack)
    report = review(rendering, _stack_config(args.project_dir, args.stack))
    live = _live_review(rendering, report.principals) if args.live else None  # before printing: exit 2 prints one line only
    other = review(render(args.project_dir, args.against), _stack_config(args.project_dir, args.against)) if args.against else None
    comparison = compare(report, other) if other else None
    if args.json:
        print(json.dumps({**report.to_json(), **({"comparison": comparison} if comparison else {}),
                          **({"live": live.to_json()} if live else {})}, indent=2, sort_keys=True))  # fmt: skip
    else:
        sys.stdout.write(format_review(report) + (("\n" + format_comparison(comparison)) if comparison else ""))
        sys.stdout.write(("\n" + live.format()) if live else "")
    if args.out:
        paths = write_documents(report, args.out)
        print(f"wrote {len(paths)} policy documents under {args.out}", file=sys.stderr)
    return 1 if report.summary["error"] or (live and live.failed) else 0


def _stack_config(project_dir: Path, stack: str) -> Any:
    """Return a stack's parsed config, so review knows its environment and the manifests its roles use."""
    from baseline.offline.stack_files import load_stack_config
    from baseline.review.review import stack_config

    return stack_config(load_stack_config(project_dir, stack)[0], stack)


def _live_review(rendering: Rendering, principals: dict[str, Any]) -> Any:
    from baseline.review.access_analyzer import LiveCheckError, access_analyzer_client, live_review

    try:
        return live_review(access_analyzer_client(rendering.ctx.region), rendering, principals)
    except LiveCheckError as error:  # no credentials, access denied, throttled: one line, exit 2
        raise UsageError(str(error)) from None
