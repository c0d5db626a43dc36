"""`iam-baseline verify`: print what `baseline.verify` finds in the live account; exit 0 clean, 1 on drift,
2 when the account could not be read."""

from __future__ import annotations

import argparse
import json
import sys

from baseline.cli.common import UsageError, add_outputs_source, baseline_outputs
from baseline.design.findings import Finding


def add_arguments(ver: argparse.ArgumentParser) -> None:
    """Declare verify's arguments on its subcommand parser."""
    add_outputs_source(ver)
    ver.add_argument("--json", action="store_true", help="print the findings as JSON")
    ver.add_argument("--no-simulator", action="store_true", help="skip the effective-permission checks through IAM's policy simulator")


def run(args: argparse.Namespace) -> int:
    """Verify the stack whose outputs --stack (--outputs, --offline) names against the live account."""
    return verify_account(args, baseline_outputs(args))


def format_verification(findings: list[Finding], stack: str) -> str:
    """Return the report: one line per finding, grouped by what it is about, and the verdict."""
    if not findings:
        return f"# iam-baseline verify {stack}: the account matches the baseline\n"
    lines = [f"# iam-baseline verify {stack}: {len(findings)} difference(s) from the baseline"]
    for where in sorted({f.location for f in findings}):
        lines.append(f"{where}:")
        lines += [f"  {f.code}: {f.detail}" for f in findings if f.location == where]
    return "\n".join(lines) + "\n"


def verify_account(args: argparse.Namespace, outputs: dict[str, object]) -> int:
    """Verify one stack against the account of the operator's credentials and print the findings."""
    import boto3

    from baseline.verify.check import check_account, unreadable_account

    region = str(outputs["region"])
    try:
        findings = check_account(args.project_dir, args.stack, dict(outputs), boto3.client("iam", region_name=region),
                                 boto3.client("s3", region_name=region), simulator=not args.no_simulator)  # fmt: skip
    except Exception as error:  # exit 1 means drift: an account that could not be read is exit 2
        if (reason := unreadable_account(error)) is None:
            raise
        raise UsageError(f"verify could not check the account ({reason}); nothing was compared") from None
    simulator = "skipped (--no-simulator)" if args.no_simulator else "ran"
    if args.json:
        print(json.dumps({"stack": args.stack, "simulator": simulator, "findings": [f.to_json() for f in findings]}, indent=2))
    else:
        sys.stdout.write(
            format_verification(findings, args.stack) + f"# effective permissions through IAM's policy simulator: {simulator}\n"
        )
    return 1 if findings else 0
