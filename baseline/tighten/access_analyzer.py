"""IAM Access Analyzer's policy generation: the actions a role used over a window, from a CloudTrail trail.

`StartPolicyGeneration` for the role (the trail in all regions, read through an access role that may read
it), then `GetGeneratedPolicy` polled until the job leaves IN_PROGRESS. AWS's limits (IAM User Guide,
"IAM Access Analyzer policy generation"): a window of at most 90 days, one generation at a time per
account, 50 a day. Everything takes the client as an argument (tests use botocore's Stubber).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from baseline.aws.catalog import get_actions_matching
from baseline.aws.clients import one_line, standard_client
from baseline.design.policies import as_list, iter_statements

MAX_DAYS = 90
POLL_SECONDS = 10.0
MAX_WAIT_SECONDS = 3600.0
ERROR_HINTS = {
    "ConflictException": "Access Analyzer runs one policy generation at a time per account and one is running; wait, or cancel it",
    "ServiceQuotaExceededException": "Access Analyzer allows 50 policy generations a day per account; try tomorrow",
}


class GenerationError(Exception):
    """The generation could not run or did not succeed; the message is one line."""


def analyzer_client(default_region: str) -> Any:
    """Return an Access Analyzer client from the standard AWS chain, or raise GenerationError without credentials."""
    return standard_client("accessanalyzer", default_region, GenerationError, "tighten --access-analyzer")


def generated_actions(
    client: Any,
    role_arn: str,
    trail_arn: str,
    access_role_arn: str,
    start: datetime,
    end: datetime,
    progress: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], None] | None = None,
    poll_seconds: float | None = None,
    max_wait_seconds: float = MAX_WAIT_SECONDS,
) -> frozenset[str]:
    """Run one policy generation for `role_arn` over [start, end] and return the catalogue actions it found
    (polled every `poll_seconds`, POLL_SECONDS by default)."""
    wait = sleep or time.sleep
    poll_seconds = POLL_SECONDS if poll_seconds is None else poll_seconds
    if not timedelta(0) < end - start <= timedelta(days=MAX_DAYS):
        raise GenerationError(f"tighten --access-analyzer: the window must be more than 0 and at most {MAX_DAYS} days")
    job = _call(
        client.start_policy_generation,
        policyGenerationDetails={"principalArn": role_arn},
        cloudTrailDetails={
            "trails": [{"cloudTrailArn": trail_arn, "allRegions": True}],
            "accessRole": access_role_arn,
            "startTime": start,
            "endTime": end,
        },
    )["jobId"]
    progress(f"access analyzer: policy generation {job} started for {role_arn} ({start:%Y-%m-%d} to {end:%Y-%m-%d})")
    waited = 0.0
    while True:
        answer = _call(client.get_generated_policy, jobId=job)
        details = answer["jobDetails"]
        status = details["status"]
        progress(f"access analyzer: {status}")
        if status == "SUCCEEDED":
            return actions_of(answer.get("generatedPolicyResult", {}))
        if status in ("FAILED", "CANCELED"):
            error = details.get("jobError") or {}
            why = f": {error.get('code')}: {one_line(error.get('message', ''))}" if error else ""
            raise GenerationError(f"tighten --access-analyzer: policy generation {job} {status}{why}")
        if waited >= max_wait_seconds:
            raise GenerationError(f"tighten --access-analyzer: policy generation {job} still {status} after {max_wait_seconds:g} s")
        wait(poll_seconds)
        waited += poll_seconds


def actions_of(result: dict[str, Any]) -> frozenset[str]:
    """Return the catalogue actions the generated policies allow."""
    found: set[str] = set()
    for generated in result.get("generatedPolicies", []):
        try:
            document = json.loads(generated["policy"])
        except (KeyError, ValueError):
            raise GenerationError("tighten --access-analyzer: a generated policy is not JSON") from None
        for stmt in iter_statements(document):
            if stmt.get("Effect") == "Allow":
                found.update(a for p in as_list(stmt.get("Action", [])) for a in get_actions_matching(p))
    return frozenset(found)


def _call(method: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    import botocore.exceptions

    try:
        return method(**kwargs)
    except botocore.exceptions.ClientError as error:
        code = error.response.get("Error", {}).get("Code", "")
        hint = ERROR_HINTS.get(code) or one_line(error.response.get("Error", {}).get("Message", "") or str(error))
        raise GenerationError(f"tighten --access-analyzer: {code}: {hint}") from None
    except botocore.exceptions.BotoCoreError as error:
        raise GenerationError(f"tighten --access-analyzer: {one_line(error)}") from None
