"""One stack's verification end to end: render what it should be, read what it is, compare."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from baseline.design.findings import Finding


def unreadable_account(error: Exception) -> str | None:
    """Return why the account could not be read (no or expired credentials, access denied, no network), or None
    for any other error (a bug, shown as such)."""
    import botocore.exceptions as errors

    if isinstance(error, errors.ProfileNotFound):
        return f"{error}: set AWS_PROFILE to a profile in ~/.aws/config"
    if isinstance(error, errors.NoCredentialsError | errors.PartialCredentialsError):
        return "no AWS credentials: set AWS_PROFILE or the AWS_* variables for an administrator of that account"
    if isinstance(error, errors.NoRegionError | errors.EndpointConnectionError | errors.ConnectTimeoutError):
        return f"AWS is not reachable: {error}"
    if isinstance(error, errors.ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        if code in (
            "AccessDenied",
            "AccessDeniedException",
            "ExpiredToken",
            "InvalidClientTokenId",
            "SignatureDoesNotMatch",
            "UnrecognizedClientException",
        ):
            return f"{code}: the credentials cannot read this account's IAM and S3 ({error.operation_name})"
    return None


def check_account(project_dir: Path, stack: str, outputs: dict[str, Any], iam: Any, s3: Any, simulator: bool) -> list[Finding]:
    """Return what `verify` finds for one stack, given its outputs and clients for its account."""
    from baseline.aws.arns import AccountContext
    from baseline.design.config import decode_pulumi_config, parse_config
    from baseline.design.naming import BASELINE_PROJECT
    from baseline.offline.engine import run_offline
    from baseline.offline.stack_files import load_stack_config
    from baseline.stack.program import run_stack
    from baseline.verify.account import expected_account, now_utc, verify
    from baseline.verify.simulator import simulate, simulator_probes

    config, secret_keys = load_stack_config(project_dir, stack)
    partition = outputs["stateBucketArn"].split(":")[1]
    dns_suffix = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    ctx = AccountContext(outputs["accountId"], outputs["region"], partition, dns_suffix)
    expected = expected_account(run_offline(run_stack, stack, config, secret_keys, ctx=ctx))
    now = now_utc()
    findings = verify(expected, iam, s3, now, parse_config(decode_pulumi_config(config), stack).ci.max_key_age_days)
    if simulator:
        findings += simulate(iam, simulator_probes(expected, f".pulumi/stacks/{BASELINE_PROJECT}/{stack}.json", now))
    return findings
