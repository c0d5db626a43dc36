"""Rolling the baseline out to many accounts: `pulumi up` (or preview) per account stack, each with its
own credentials, one progress line per stack, no new stack started after the first failure, a summary,
and `verify` on each stack that went up.

Credentials per stack come from its config, `iam-baseline:rollout`: a named `profile`, or a `roleArn` to
assume (an OrganizationAccountAccessRole-style role) with the operator's own credentials. Each step is
run by a `Runner`; `AutomationRunner` drives the Pulumi Automation API, tests use a fake one.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from baseline.cli.common import UsageError


@dataclass(frozen=True)
class Target:
    """One account stack and how to get its credentials."""

    stack: str
    profile: str | None = None
    role_arn: str | None = None


@dataclass
class Result:
    """What happened to one stack."""

    stack: str
    status: str  # "updated", "previewed", "failed", "not started"
    changes: dict[str, int] = field(default_factory=dict)
    verify: str = "-"
    error: str = ""


class Runner(Protocol):
    def up(self, stack: str, env: Mapping[str, str], preview: bool) -> dict[str, int]: ...
    def outputs(self, stack: str, env: Mapping[str, str]) -> dict[str, Any]: ...


def credentials_env(target: Target, assume: Callable[[str, str], dict[str, str]]) -> dict[str, str]:
    """Return the environment that gives a stack its own credentials: its profile, or an assumed role's session."""
    if target.role_arn:
        return assume(target.role_arn, f"iam-baseline-rollout-{target.stack}"[:64])
    if target.profile:
        return {"AWS_PROFILE": target.profile}
    return {}


def rollout(
    targets: list[Target],
    runner: Runner,
    assume: Callable[[str, str], dict[str, str]],
    verifier: Callable[[str, dict[str, Any], Mapping[str, str]], int],
    *,
    parallel: int = 1,
    dry_run: bool = False,
    echo: Callable[[str], None] = print,
) -> list[Result]:
    """Run every stack (at most `parallel` at once); after a failure no new stack starts. Return the results in order."""
    failed = threading.Event()
    lock = threading.Lock()

    def one(target: Target) -> Result:
        if failed.is_set():
            return Result(target.stack, "not started", error="an earlier stack failed")
        with lock:
            echo(f"[{target.stack}] {'preview' if dry_run else 'up'} ...")
        try:
            env = credentials_env(target, assume)
            changes = runner.up(target.stack, env, preview=dry_run)
            result = Result(target.stack, "previewed" if dry_run else "updated", changes)
            if not dry_run:
                findings = verifier(target.stack, runner.outputs(target.stack, env), env)
                result.verify = "clean" if findings == 0 else f"{findings} finding(s)"
        except Exception as error:  # a stack's failure is reported, and stops the rollout
            failed.set()
            result = Result(target.stack, "failed", error=str(error).splitlines()[0] if str(error) else type(error).__name__)
        with lock:
            echo(f"[{target.stack}] {result.status}{' (' + result.error + ')' if result.error else ''}")
        return result

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        return list(pool.map(one, targets))


def format_summary(results: list[Result]) -> str:
    """Return the summary table: per stack its status, its changes and what verify found."""
    rows = [("stack", "status", "changes", "verify")]
    for r in results:
        changes = ", ".join(f"{op} {n}" for op, n in sorted(r.changes.items()) if n) or "-"
        rows.append((r.stack, r.status, changes, r.verify))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows) + "\n"


class AutomationRunner:
    """Runs each stack with the Pulumi Automation API (needs the Pulumi CLI), in the project folder."""

    def __init__(self, work_dir: str) -> None:
        self.work_dir = work_dir

    def _stack(self, stack: str, env: Mapping[str, str]) -> Any:
        import pulumi.automation as auto

        options = auto.LocalWorkspaceOptions(env_vars=dict(env))
        return auto.select_stack(stack_name=stack, work_dir=self.work_dir, opts=options)

    def up(self, stack: str, env: Mapping[str, str], preview: bool) -> dict[str, int]:
        workspace_stack = self._stack(stack, env)
        if preview:
            return dict(workspace_stack.preview(on_output=None).change_summary)
        return dict(workspace_stack.up(on_output=None).summary.resource_changes or {})

    def outputs(self, stack: str, env: Mapping[str, str]) -> dict[str, Any]:
        return {name: value.value for name, value in self._stack(stack, env).outputs().items()}


def assume_with_sts(role_arn: str, session_name: str) -> dict[str, str]:
    """Return environment credentials for a one-hour session of `role_arn`, from the operator's credentials."""
    import boto3

    credentials = boto3.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name, DurationSeconds=3600)["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": credentials["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": credentials["SecretAccessKey"],
        "AWS_SESSION_TOKEN": credentials["SessionToken"],
    }


def add_arguments(roll: argparse.ArgumentParser) -> None:
    """Declare rollout's arguments on its subcommand parser."""
    roll.add_argument("--stacks", required=True, help="comma-separated stacks, in order, e.g. dev,staging,prod")
    roll.add_argument("--parallel", type=int, default=1, help="stacks at once (default 1); no new stack starts after a failure")
    roll.add_argument("--dry-run", action="store_true", help="preview instead of up, and verify nothing")
    roll.add_argument("--project-dir", type=Path, default=Path("."), help="the iam-baseline project (default: .)")


def run(args: argparse.Namespace) -> int:
    """Roll out every stack of --stacks, then print the summary; exit 1 unless each went up (or previewed) clean."""
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
