"""iam-baseline: least-privilege IAM for running Pulumi in CI, one stack per AWS account (offline plan and review, bootstrap, publish, handoff, discover, tighten, explain)."""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.design.findings import ConfigError
from baseline.offline.stack_files import StackFileError

if TYPE_CHECKING:
    from baseline.offline.engine import Rendering


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = argparse.ArgumentParser(prog="iam-baseline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    plan = commands.add_parser("plan", help="show what `pulumi up` would create, without AWS or the Pulumi CLI")
    plan.add_argument("--stack", required=True, help="stack name; its config is read from Pulumi.<stack>.yaml")
    plan.add_argument("--project-dir", type=Path, default=Path("."), help="folder holding Pulumi.<stack>.yaml (default: .)")
    plan.add_argument("--json", action="store_true", help="print the outputs and every document as JSON")
    review = commands.add_parser("review", help="effective permissions, blast radius, quota budget and lint, offline")
    review.add_argument("--stack", required=True, help="stack name; its config is read from Pulumi.<stack>.yaml")
    review.add_argument("--against", metavar="STACK", help="also show what --stack can do that STACK cannot, and vice versa")
    review.add_argument("--project-dir", type=Path, default=Path("."), help="folder holding the stack files (default: .)")
    review.add_argument("--json", action="store_true", help="print the review as JSON")
    review.add_argument("--out", type=Path, metavar="DIR", help="write every policy document to DIR/<principal>/ for diffing")
    review.add_argument("--live", action="store_true", help="also ask IAM Access Analyzer about every policy (AWS credentials needed)")
    boot = commands.add_parser("bootstrap", help="first `pulumi up` on a local backend, then move the stack into its new bucket")
    boot.add_argument("--stack", required=True, help="the baseline stack to stand up, e.g. prod")
    boot.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    boot.add_argument("--local-dir", type=Path, default=Path(".pulumi-bootstrap"), help="local backend folder for the first run")
    boot.add_argument("--secrets-provider", help="e.g. awskms://alias/iam-baseline?region=eu-west-1 (default: passphrase)")
    boot.add_argument("--dry-run", action="store_true", help="print every step and its CLI command; change nothing")
    from baseline.cli import discover

    discover.add_arguments(commands.add_parser("discover", help="propose a service's actions from its Pulumi program or preview, offline"))
    from baseline.cli import explain, tighten

    tighten.add_arguments(
        commands.add_parser("tighten", help="reduce a service's actions to those its role used, from CloudTrail or Access Analyzer")
    )
    explain.add_arguments(
        commands.add_parser("explain", help="name what denied each AccessDenied of a failed `pulumi up`, and the config line to change")
    )
    from baseline.cli import preflight

    preflight.add_arguments(commands.add_parser("preflight", help="before `pulumi up`: may the service's role do all the change needs?"))
    hand = commands.add_parser("handoff", help="print exactly what one service's repository must hold, and how to set it")
    _outputs_source(hand)
    hand.add_argument("--service", required=True, help="the service whose values to print")
    hand.add_argument("--json", action="store_true", help='print {"service", "secrets", "variables"} as JSON')
    hand.add_argument(
        "--secret", metavar="NAME", help="print only this secret's value, for `| gh secret set NAME` (never on a command line)"
    )
    pub = commands.add_parser("publish", help="write each service's handoff stack (its values only) after the baseline's `pulumi up`")
    _outputs_source(pub)
    pub.add_argument("--service", action="append", help="publish only this service (repeatable; default: every service)")
    pub.add_argument("--dry-run", action="store_true", help="name the stacks that would be written; change nothing")
    pub.add_argument(
        "--prune", action="store_true", help="also name the handoff stacks of services no longer in the config; remove them with --yes"
    )
    pub.add_argument("--yes", action="store_true", help="with --prune: remove the stacks it names")
    commands.add_parser("reference", help="print docs/reference.md: every config key and stack output, from the code")
    ver = commands.add_parser("verify", help="check the live account against the baseline (extra policies, keys, principals, bucket)")
    _outputs_source(ver)
    ver.add_argument("--json", action="store_true", help="print the findings as JSON")
    ver.add_argument("--no-simulator", action="store_true", help="skip the effective-permission checks through IAM's policy simulator")
    roll = commands.add_parser(
        "rollout", help="pulumi up (or preview) several account stacks, each with its own credentials, then verify each"
    )
    roll.add_argument("--stacks", required=True, help="comma-separated stacks, in order, e.g. dev,staging,prod")
    roll.add_argument("--parallel", type=int, default=1, help="stacks at once (default 1); no new stack starts after a failure")
    roll.add_argument("--dry-run", action="store_true", help="preview instead of up, and verify nothing")
    roll.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    args = parser.parse_args(argv)
    commands_by_name = {
        "reference": _reference,
        "verify": _verify,
        "rollout": _rollout,
        "plan": _plan,
        "review": _review,
        "bootstrap": _bootstrap,
        "discover": _discover,
        "tighten": _tighten,
        "explain": _explain,
        "preflight": _preflight,
        "handoff": _handoff,
        "publish": _publish,
    }
    try:
        return commands_by_name[args.command](args)
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


class UsageError(ValueError):
    """Input the command cannot use; the message says what to give instead."""


def _outputs_source(command: argparse.ArgumentParser) -> None:
    command.add_argument("--stack", required=True, help="the baseline stack, e.g. prod")
    command.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--outputs", type=Path, metavar="FILE", help="the JSON `pulumi stack output --json --show-secrets` printed")
    source.add_argument("--offline", action="store_true", help="use the offline stand-ins that `plan` shows (no AWS, no CLI)")


def _baseline_outputs(args: argparse.Namespace) -> dict[str, Any]:
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

        return dict(reveal(_render(args.project_dir, args.stack).outputs))
    if shutil.which("pulumi") is None:
        raise UsageError(
            "reading the deployed stack needs the Pulumi CLI; pass --outputs FILE (pulumi stack output --json --show-secrets) or --offline"
        )
    import pulumi.automation as auto

    deployed = auto.select_stack(stack_name=args.stack, work_dir=str(args.project_dir)).outputs()
    return {name: value.value for name, value in deployed.items()}


def _verify(args: argparse.Namespace) -> int:
    from baseline.cli import verify

    return verify.run(args, _baseline_outputs(args))


def _rollout(args: argparse.Namespace) -> int:
    from baseline.cli.rollout import AutomationRunner, Target, assume_with_sts, format_summary, rollout
    from baseline.design.config import decode_pulumi_config, parse_config
    from baseline.offline.stack_files import load_stack_config

    stacks = [s.strip() for s in args.stacks.split(",") if s.strip()]
    if not stacks or args.parallel < 1:
        raise UsageError("--stacks: give one or more stack names, comma-separated (e.g. dev,staging,prod); --parallel at least 1")
    targets = []
    for stack in stacks:  # every stack's config is checked before any stack is touched
        rollout_config = parse_config(decode_pulumi_config(load_stack_config(args.project_dir, stack)[0]), stack).rollout
        targets.append(Target(stack, rollout_config.profile, rollout_config.role_arn))
    if shutil.which("pulumi") is None:
        raise UsageError("rollout needs the Pulumi CLI and credentials for each account (rollout.profile or rollout.roleArn)")

    def verifier(stack: str, outputs: dict[str, Any], env: Any) -> int:
        import boto3

        session = boto3.Session(
            profile_name=env.get("AWS_PROFILE"), aws_access_key_id=env.get("AWS_ACCESS_KEY_ID"),
            aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY"), aws_session_token=env.get("AWS_SESSION_TOKEN"),
            region_name=outputs["region"],
        )  # fmt: skip
        from baseline.verify.check import check_account

        return len(check_account(args.project_dir, stack, outputs, session.client("iam"), session.client("s3"), simulator=True))

    results = rollout(
        targets, AutomationRunner(str(args.project_dir)), assume_with_sts, verifier, parallel=args.parallel, dry_run=args.dry_run
    )
    sys.stdout.write(format_summary(results))
    return 0 if all(r.status in ("updated", "previewed") and r.verify in ("-", "clean") for r in results) else 1


def _reference(args: argparse.Namespace) -> int:
    from baseline.design.reference import reference_markdown

    sys.stdout.write(reference_markdown())
    return 0


def _handoff(args: argparse.Namespace) -> int:
    from baseline.design.handoff import UnknownService, format_handoff, service_handoff

    try:
        handoff = service_handoff(_outputs_with_secrets(args), args.service)
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


def _outputs_with_secrets(args: argparse.Namespace) -> dict[str, Any]:
    """Return the baseline's outputs, refusing outputs saved without their secrets (`[secret]` in their place)."""
    from baseline.design.handoff import masked_paths

    outputs = _baseline_outputs(args)
    if masked := masked_paths(outputs):
        raise UsageError(
            f"--outputs {args.outputs}: {len(masked)} secret(s) were saved masked as [secret] (e.g. {masked[0]}); save them with "
            f"`pulumi stack output --json --show-secrets > {args.outputs}`"
        )
    return outputs


def _publish(args: argparse.Namespace) -> int:
    from baseline.cli.publish import AutomationPublisher, prune_handoffs, publish_handoffs
    from baseline.design.handoff import UnknownService

    if args.yes and not args.prune:
        raise UsageError("--yes confirms --prune's removals; give --prune too")
    outputs = _outputs_with_secrets(args)
    if (args.prune or not args.dry_run) and shutil.which("pulumi") is None:
        raise UsageError(
            "publish needs the Pulumi CLI and credentials that may write the state bucket (--prune lists the bucket's stacks too); "
            "--dry-run without --prune names the stacks"
        )
    try:
        publish_handoffs(outputs, AutomationPublisher(), args.service, dry_run=args.dry_run)
        if args.prune:
            prune_handoffs(outputs, AutomationPublisher(), confirmed=args.yes and not args.dry_run)
    except UnknownService as error:
        raise UsageError(f"--service: {error}") from None
    return 0


def _discover(args: argparse.Namespace) -> int:
    from baseline.cli import discover

    return discover.run(args)


def _tighten(args: argparse.Namespace) -> int:
    from baseline.cli import tighten

    return tighten.run(args)


def _explain(args: argparse.Namespace) -> int:
    from baseline.cli import explain

    return explain.run(args)


def _preflight(args: argparse.Namespace) -> int:
    from baseline.cli import preflight

    return preflight.run(args)


def _bootstrap(args: argparse.Namespace) -> int:
    from baseline.cli.bootstrap import AutomationRunner, BootstrapError, run_bootstrap

    try:
        runner = AutomationRunner(args.project_dir)
        run_bootstrap(args.stack, runner, local_dir=args.local_dir, secrets_provider=args.secrets_provider, dry_run=args.dry_run)
    except BootstrapError as error:
        print(f"bootstrap stopped: {error}", file=sys.stderr)
        return 1
    return 0


def _render(project_dir: Path, stack: str) -> Rendering:
    from baseline.offline.engine import run_offline
    from baseline.offline.stack_files import load_stack_config
    from baseline.stack.program import run_stack

    config, secret_keys = load_stack_config(project_dir, stack)
    rendering = run_offline(run_stack, stack, config, secret_keys)
    for warning in rendering.warnings:
        print(warning, file=sys.stderr)
    return rendering


def _stack_config(project_dir: Path, stack: str) -> Any:
    """Return a stack's parsed config, so review knows its environment and the manifests its roles use."""
    from baseline.offline.stack_files import load_stack_config
    from baseline.review.review import stack_config

    return stack_config(load_stack_config(project_dir, stack)[0], stack)


def _review(args: argparse.Namespace) -> int:
    from baseline.review.report import format_comparison, format_review, write_documents
    from baseline.review.review import compare, review

    if args.out and args.out.exists() and not args.out.is_dir():
        raise UsageError(f"--out {args.out}: exists and is not a folder; name a folder to write the documents into")

    rendering = _render(args.project_dir, args.stack)
    report = review(rendering, _stack_config(args.project_dir, args.stack))
    live = _live_review(rendering, report.principals) if args.live else None  # before printing: exit 2 prints one line only
    other = review(_render(args.project_dir, args.against), _stack_config(args.project_dir, args.against)) if args.against else None
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


def _live_review(rendering: Rendering, principals: dict[str, Any]) -> Any:
    from baseline.review.access_analyzer import LiveCheckError, access_analyzer_client, live_review

    try:
        return live_review(access_analyzer_client(rendering.ctx.region), rendering, principals)
    except LiveCheckError as error:  # no credentials, access denied, throttled: one line, exit 2
        raise UsageError(str(error)) from None


def _plan(args: argparse.Namespace) -> int:
    from baseline.cli.plan import format_plan, plan_data

    rendering = _render(args.project_dir, args.stack)
    data = plan_data(rendering)
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if args.json else format_plan(data))
    return 0
