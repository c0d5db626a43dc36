"""`iam-baseline plan`, the offline plan: per principal, its trust and permission policies, then the stack outputs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from baseline.cli.common import render
from baseline.design import quotas
from baseline.design.policies import MASK, mask_external_ids, policy_json

if TYPE_CHECKING:
    from baseline.offline.engine import Rendering

BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BUCKET_POLICY_MAX_CHARS = 20_480  # S3 bucket policy size limit


def add_arguments(plan: argparse.ArgumentParser) -> None:
    """Declare plan's arguments on its subcommand parser."""
    plan.add_argument("--stack", required=True, help="stack name; its config is read from Pulumi.<stack>.yaml")
    plan.add_argument("--project-dir", type=Path, default=Path("."), help="folder holding Pulumi.<stack>.yaml (default: .)")
    plan.add_argument("--json", action="store_true", help="print the outputs and every document as JSON")


def run(args: argparse.Namespace) -> int:
    """Render the stack offline and print its plan, as text or JSON."""
    data = plan_data(render(args.project_dir, args.stack))
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n" if args.json else format_plan(data))
    return 0


def mask_secrets(value: Any) -> Any:
    """Return outputs with every secret replaced by a mask, ready to print."""
    from baseline.offline.engine import Secret  # here, not above: parsing the command line never imports Pulumi

    if isinstance(value, Secret):
        return MASK
    if isinstance(value, dict):
        return {k: mask_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    return value


def _policy(policy_json: str, limit: int, mask: bool = False) -> dict[str, Any]:
    document = json.loads(policy_json)
    return {
        "size": quotas.policy_size(policy_json),
        "limit": limit,
        "document": mask_external_ids(document) if mask else document,
    }


def _inline_limit(kind: str, label: str) -> int:
    if kind == "role":
        return quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS
    return quotas.GROUP_INLINE_AGGREGATE_MAX_CHARS if label.startswith("group-") else quotas.USER_INLINE_AGGREGATE_MAX_CHARS


def plan_data(rendering: Rendering) -> dict[str, Any]:
    """Return the plan as data: every principal with its policies, the bucket policy, the outputs."""
    from baseline.review.principals import collect_principals

    principals: dict[str, Any] = {}
    ctx = rendering.ctx
    for p in collect_principals(rendering).values():
        entry: dict[str, Any] = {"path": p.path}
        if p.kind == "user":
            entry["permissionsBoundary"] = (
                {p.boundary[0]: _policy(policy_json(p.boundary[1]), quotas.MANAGED_POLICY_MAX_CHARS)} if p.boundary else {}
            )
        else:
            entry["maxSessionDuration"] = p.max_session
            entry["trustPolicy"] = _policy(policy_json(p.trust or {}), quotas.TRUST_POLICY_MAX_CHARS, mask=True)
        if p.external_boundary:  # organizationBoundary: an existing policy, not the baseline's
            entry["externalBoundary"] = p.external_boundary
        entry["policies"] = {label: _policy(policy_json(doc), _inline_limit(p.kind, label)) for label, doc in p.policies.items()}
        if p.attached:
            entry["managedPolicies"] = {
                name: _policy(policy_json(doc), quotas.MANAGED_POLICY_MAX_CHARS) for name, doc in p.attached_by_name().items()
            }
        principals[f"{p.kind}/{p.name}"] = entry
    bucket_policies = [_policy(p.inputs["policy"], BUCKET_POLICY_MAX_CHARS) for p in rendering.of_type(BUCKET_POLICY)]
    buckets = {b.inputs["bucket"]: {"policies": bucket_policies} for b in rendering.of_type(BUCKET)}
    return {
        "stack": rendering.stack,
        "account": {"id": ctx.account_id, "region": ctx.region, "partition": ctx.partition, "pinned": rendering.account_pinned},
        "resourceCount": sum(r.custom for r in rendering.registrations),
        "principals": principals,
        "buckets": buckets,
        "outputs": mask_secrets(rendering.outputs),
    }


def _policy_lines(title: str, policy: dict[str, Any]) -> list[str]:
    return [f"{title} ({policy['size']}/{policy['limit']} characters):", json.dumps(policy["document"], indent=2, sort_keys=True)]


def format_plan(data: dict[str, Any]) -> str:
    """Return the plan as text for a terminal or a pull request."""
    acct = data["account"]
    lines = [
        f"# iam-baseline plan for stack {data['stack']!r}",
        f"# offline stand-ins: account {acct['id']}{' (pinned: pulumi up refuses other accounts)' if acct.get('pinned') else ' (not pinned)'}, region {acct['region']}, partition {acct['partition']}; nothing contacted AWS",
        f"# {data['resourceCount']} resources would be created; secrets are shown as {MASK}",
    ]
    # Registration order varies between runs; print the CI user first, then roles by name.
    for key, principal in sorted(data["principals"].items(), key=lambda item: (not item[0].startswith("user/"), item[0])):
        kind, name = key.split("/", 1)
        lines += ["", f"## {'CI user' if kind == 'user' else 'Role'} {name}", f"path: {principal['path']}"]
        if kind == "role":
            lines.append(f"max session: {principal['maxSessionDuration']} s")
            lines += _policy_lines("trust policy", principal["trustPolicy"])
        for boundary_name, policy in principal.get("permissionsBoundary", {}).items():
            lines += _policy_lines(f"permissions boundary {boundary_name} (managed policy)", policy)
        if boundary_arn := principal.get("externalBoundary"):
            lines.append(f"permissions boundary: {boundary_arn} (organizationBoundary, an existing policy the baseline does not write)")
        for policy_name, policy in principal["policies"].items():
            lines += _policy_lines(f"inline policy {policy_name}", policy)
        for policy_name, policy in principal.get("managedPolicies", {}).items():
            lines += _policy_lines(f"attached managed policy {policy_name} (part of its grant)", policy)
    for bucket_name, bucket in data["buckets"].items():
        lines += ["", f"## State bucket {bucket_name}"]
        for policy in bucket["policies"]:
            lines += _policy_lines("bucket policy", policy)
    lines += ["", "## Outputs", json.dumps(data["outputs"], indent=2, sort_keys=True)]
    return "\n".join(lines) + "\n"
