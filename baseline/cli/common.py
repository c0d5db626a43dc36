"""What several commands share: the usage error, the baseline-outputs arguments and reading them, and the
offline rendering of a stack."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from baseline.offline.engine import Rendering


class UsageError(ValueError):
    """Input the command cannot use; the message says what to give instead."""


def add_outputs_source(command: argparse.ArgumentParser) -> None:
    """Declare where the baseline's outputs come from: --stack and --project-dir, then --outputs FILE or --offline."""
    command.add_argument("--stack", required=True, help="the baseline stack, e.g. prod")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--outputs", type=Path, metavar="FILE", help="the JSON `pulumi stack output --json --show-secrets` printed")
    source.add_argument("--offline", action="store_true", help="use the offline stand-ins that `plan` shows (no AWS, no CLI)")


def baseline_outputs(args: argparse.Namespace) -> dict[str, Any]:
    """Return the baseline stack's outputs, secrets in the clear: from FILE, offline, or the deployed stack."""
    if args.outputs:
        try:
            outputs = json.loads(args.outputs.read_text())
        except FileNotFoundError:
            raise UsageError(f"--outputs {args.outputs}: no such file") from None
        except ValueError as error:
            raise UsageError(
                f"--outputs {args.outputs}: not the JSON `pulumi stack output --json --show-secrets` prints ({error})"
            ) from None
        if not isinstance(outputs, dict) or "provisioningRoles" not in outputs:
            raise UsageError(f"--outputs {args.outputs}: no provisioningRoles; is it the iam-baseline stack's output?")
        return outputs
    if args.offline:
        from baseline.offline.engine import reveal

        return dict(reveal(render(args.project_dir, args.stack).outputs))
    if shutil.which("pulumi") is None:
        raise UsageError(
            "reading the deployed stack needs the Pulumi CLI; pass --outputs FILE (pulumi stack output --json --show-secrets) or --offline"
        )
    import pulumi.automation as auto

    deployed = auto.select_stack(stack_name=args.stack, work_dir=str(args.project_dir)).outputs()
    return {name: value.value for name, value in deployed.items()}


def outputs_with_secrets(args: argparse.Namespace) -> dict[str, Any]:
    """Return the baseline's outputs, refusing outputs saved without their secrets (`[secret]` in their place)."""
    from baseline.design.handoff import masked_paths

    outputs = baseline_outputs(args)
    if masked := masked_paths(outputs):
        raise UsageError(
            f"--outputs {args.outputs}: {len(masked)} secret(s) were saved masked as [secret] (e.g. {masked[0]}); save them with "
            f"`pulumi stack output --json --show-secrets > {args.outputs}`"
        )
    return outputs


def render(project_dir: Path, stack: str) -> Rendering:
    """Run the baseline's program offline for one stack, printing its warnings to stderr."""
    from baseline.offline.engine import run_offline
    from baseline.offline.stack_files import load_stack_config
    from baseline.stack.program import run_stack

    config, secret_keys = load_stack_config(project_dir, stack)
    rendering = run_offline(run_stack, stack, config, secret_keys)
    for warning in rendering.warnings:
        print(warning, file=sys.stderr)
    return rendering
