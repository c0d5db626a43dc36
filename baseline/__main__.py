"""Command line: `python -m baseline plan --stack NAME` renders the baseline offline."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from baseline.findings import ConfigError


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m baseline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what `pulumi up` would create, without AWS or the Pulumi CLI")
    plan.add_argument("--stack", required=True, help="stack name; its config is read from Pulumi.<stack>.yaml")
    plan.add_argument("--project-dir", type=Path, default=Path("."), help="folder holding Pulumi.<stack>.yaml (default: .)")
    plan.add_argument("--json", action="store_true", help="print the outputs and every document as JSON")
    args = parser.parse_args(argv)

    # Imported here so `--help` answers without loading Pulumi and the catalogue.
    from baseline.offline import load_stack_config, run_offline
    from baseline.plan import format_plan, plan_data
    from baseline.program import run_stack

    try:
        config, secret_keys = load_stack_config(args.project_dir, args.stack)
        rendering = run_offline(run_stack, args.stack, config, secret_keys)
    except (ConfigError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    for warning in rendering.warnings:
        print(warning, file=sys.stderr)
    data = plan_data(rendering)
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if args.json else format_plan(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
