"""The live account against the baseline: what `pulumi refresh` cannot see.

The expected state is the program rendered offline for the stack's account and region (every
principal with its trust, inline and attached policies, boundary, path and session length, and the
bucket's hardening). The live state is read with the operator's AWS credentials (boto3 clients passed
in). Every difference is a finding: something missing or changed, something attached to a baseline
principal that the baseline did not attach, extra or stale access keys, principals in the baseline's
path it did not create, roles a guarded service created without its boundary, and a weakened state bucket.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

from baseline.design import naming
from baseline.design.config import DEFAULT_MAX_KEY_AGE_DAYS
from baseline.design.findings import Finding
from baseline.design.github_subjects import AUDIENCE, ISSUER_HOST, ISSUER_URL
from baseline.design.policies import iter_statements, mask_external_ids
from baseline.offline.engine import Rendering, reveal
from baseline.review.principals import Principal, collect_principals

NOT_FOUND = ("NoSuchEntity", "NoSuchBucket", "NoSuchPublicAccessBlockConfiguration", "NoSuchBucketPolicy",
             "ServerSideEncryptionConfigurationNotFoundError", "OwnershipControlsNotFoundError", "NoSuchLifecycleConfiguration")  # fmt: skip


@dataclass(frozen=True)
class ExpectedAccount:
    """What the baseline should have made in the account."""

    principals: dict[str, Principal]
    iam_path: str
    services_path_prefix: str  # where services that manage IAM keep what they create
    bucket_name: str
    bucket_policy: dict[str, Any]
    kms: bool
    oidc_provider_arn: str | None = None  # modes github and both
    # organizationBoundary: the boundary every principal, the baseline's and those services create, must carry.
    organization_boundary: str | None = None


def _document(value: Any) -> dict[str, Any]:
    """Return a policy document as IAM returns it (a dict, or URL-encoded JSON text)."""
    if isinstance(value, dict):
        return value
    result: dict[str, Any] = json.loads(unquote(value))
    return result


def _normalised(document: dict[str, Any]) -> str:
    """Return a document in a form where equal policies compare equal (lists as sets, external IDs masked)."""

    def canonical(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: canonical(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            items = [canonical(v) for v in value]
            return sorted(items, key=lambda v: json.dumps(v, sort_keys=True)) if items and isinstance(items[0], str | dict) else items
        return value

    statements = [canonical({k: ([v] if k in ("Action", "Resource", "NotResource") and isinstance(v, str) else v) for k, v in s.items()})
                  for s in iter_statements(mask_external_ids(document))]  # fmt: skip
    return json.dumps(sorted(statements, key=lambda s: json.dumps(s, sort_keys=True)), sort_keys=True)


def _missing(call: Any, **kwargs: Any) -> Any:
    """Return the call's answer, or None when AWS says the thing does not exist."""
    try:
        return call(**kwargs)
    except Exception as error:  # botocore's ClientError, without importing botocore here
        code = getattr(error, "response", {}).get("Error", {}).get("Code")
        if code in NOT_FOUND:
            return None
        raise


def verify_principals(
    expected: ExpectedAccount, iam: Any, now: datetime, max_key_age_days: int = DEFAULT_MAX_KEY_AGE_DAYS
) -> list[Finding]:
    """Return a finding for every difference between the expected principals and the live ones."""
    findings: list[Finding] = []
    for p in expected.principals.values():
        where = f"{p.kind}/{p.name}"
        if p.kind == "role":
            findings += _verify_role(p, where, iam)
        else:
            findings += _verify_user(p, where, iam, now, max_key_age_days)
    expected_names = {(p.kind, p.name) for p in expected.principals.values()}
    for role in _paged(iam, "list_roles", "Roles", PathPrefix=expected.iam_path):
        if ("role", role["RoleName"]) not in expected_names:
            findings.append(
                Finding(
                    "drift-unmanaged", f"role/{role['RoleName']}", f"is in the baseline's path {expected.iam_path} but not in the baseline"
                )
            )
    for user in _paged(iam, "list_users", "Users", PathPrefix=expected.iam_path):
        if ("user", user["UserName"]) not in expected_names:
            findings.append(
                Finding(
                    "drift-unmanaged", f"user/{user['UserName']}", f"is in the baseline's path {expected.iam_path} but not in the baseline"
                )
            )
    for role in _paged(iam, "list_roles", "Roles", PathPrefix=expected.services_path_prefix):
        live = iam.get_role(RoleName=role["RoleName"])["Role"]
        if "PermissionsBoundary" not in live:
            findings.append(Finding("drift-unbounded", f"role/{role['RoleName']}", "a service created it without its permissions boundary"))
        elif expected.organization_boundary and (carried := _boundary_of(live)) != expected.organization_boundary:
            detail = f"a service created it with boundary {carried}, not the organisation's {expected.organization_boundary}"
            findings.append(Finding("drift-unbounded", f"role/{role['RoleName']}", detail))
    return findings


def _boundary_of(live: dict[str, Any]) -> str | None:
    """Return the ARN of the permissions boundary a live role or user carries, or None."""
    arn = live.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
    return str(arn) if arn is not None else None


def _boundary_drift(p: Principal, where: str, live: dict[str, Any]) -> list[Finding]:
    """Return a finding when a principal no longer carries the boundary the baseline gave it, or carries another."""
    if p.boundary_arn is None:
        return []
    name = p.boundary[0] if p.boundary else p.boundary_arn
    if not live.get("PermissionsBoundary"):
        return [Finding("drift-changed", where, f"its permissions boundary {name} is gone")]
    carried = _boundary_of(live)
    if carried is not None and carried != p.boundary_arn:
        return [Finding("drift-changed", where, f"its permissions boundary is {carried}, expected {p.boundary_arn}")]
    return []


def _paged(iam: Any, operation: str, key: str, **kwargs: Any) -> Iterable[dict[str, Any]]:
    for page in iam.get_paginator(operation).paginate(**kwargs):
        yield from page[key]


def _verify_role(p: Principal, where: str, iam: Any) -> list[Finding]:
    answer = _missing(iam.get_role, RoleName=p.name)
    if answer is None:
        return [Finding("drift-missing", where, "does not exist")]
    live = answer["Role"]
    found = []
    if live.get("Path") != p.path:
        found.append(Finding("drift-changed", where, f"path is {live.get('Path')}, expected {p.path}"))
    found += _boundary_drift(p, where, live)
    if p.max_session is not None and live.get("MaxSessionDuration") != p.max_session:
        found.append(Finding("drift-changed", where, f"max session is {live.get('MaxSessionDuration')} s, expected {p.max_session} s"))
    if p.trust is not None and _normalised(_document(live["AssumeRolePolicyDocument"])) != _normalised(p.trust):
        found.append(Finding("drift-changed", where, "its trust policy differs from the baseline's"))
    found += _inline_policies(where, p.policies, iam.list_role_policies(RoleName=p.name)["PolicyNames"],
                              lambda name: iam.get_role_policy(RoleName=p.name, PolicyName=name)["PolicyDocument"])  # fmt: skip
    attached = {a["PolicyArn"] for a in iam.list_attached_role_policies(RoleName=p.name)["AttachedPolicies"]}
    found += [Finding("drift-attached", where, f"managed policy {arn} is attached") for arn in sorted(attached - set(p.attached))]
    return found + _grant_policies(where, p.attached, attached, iam)


def _grant_policies(where: str, expected: dict[str, dict[str, Any]], attached: set[str], iam: Any) -> list[Finding]:
    """Return a finding for each managed policy holding part of the role's grant that is detached or changed."""
    found = []
    for arn, document in sorted(expected.items()):
        if arn not in attached:
            found.append(Finding("drift-missing", where, f"managed policy {arn} (part of its grant) is not attached"))
            continue
        version = iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
        live = iam.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
        if _normalised(_document(live)) != _normalised(document):
            found.append(Finding("drift-changed", where, f"managed policy {arn} (part of its grant) differs from the baseline's"))
    return found


def _inline_policies(where: str, expected: dict[str, dict[str, Any]], live_names: list[str], read: Any) -> list[Finding]:
    found = []
    for name in sorted(set(live_names) - set(expected)):
        found.append(Finding("drift-attached", where, f"inline policy {name} is not the baseline's"))
    for name, document in sorted(expected.items()):
        if name not in live_names:
            found.append(Finding("drift-missing", where, f"inline policy {name} is missing"))
        elif _normalised(_document(read(name))) != _normalised(document):
            found.append(Finding("drift-changed", where, f"inline policy {name} differs from the baseline's"))
    return found


def _verify_user(p: Principal, where: str, iam: Any, now: datetime, max_key_age_days: int) -> list[Finding]:
    answer = _missing(iam.get_user, UserName=p.name)
    if answer is None:
        return [Finding("drift-missing", where, "does not exist")]
    live = answer["User"]
    found = []
    found += _boundary_drift(p, where, live)
    found += [Finding("drift-attached", where, f"managed policy {a['PolicyArn']} is attached")
              for a in iam.list_attached_user_policies(UserName=p.name)["AttachedPolicies"]]  # fmt: skip
    found += [
        Finding("drift-attached", where, f"inline policy {name} is on the user")
        for name in iam.list_user_policies(UserName=p.name)["PolicyNames"]
    ]
    groups = {g["GroupName"] for g in iam.list_groups_for_user(UserName=p.name)["Groups"]}
    for name in sorted(groups - set(p.group_policies)):
        found.append(Finding("drift-attached", where, f"is also in group {name}"))
    for group, own in sorted(p.group_policies.items()):
        if group not in groups:
            found.append(Finding("drift-missing", where, f"is not in its group {group}"))
            continue
        found += [Finding("drift-attached", f"group/{group}", f"managed policy {a['PolicyArn']} is attached")
                  for a in iam.list_attached_group_policies(GroupName=group)["AttachedPolicies"]]  # fmt: skip
        found += _inline_policies(f"group/{group}", own, iam.list_group_policies(GroupName=group)["PolicyNames"],
                                  lambda name, g=group: iam.get_group_policy(GroupName=g, PolicyName=name)["PolicyDocument"])  # fmt: skip
    found += _verify_keys(where, iam.list_access_keys(UserName=p.name)["AccessKeyMetadata"], iam, now, max_key_age_days)
    return found


def _verify_keys(where: str, keys: list[dict[str, Any]], iam: Any, now: datetime, max_age_days: int) -> list[Finding]:
    found = []
    active = [k for k in keys if k.get("Status") == "Active"]
    if len(keys) > 1:
        found.append(Finding("drift-access-key", where, f"has {len(keys)} access keys; the baseline manages one at most"))
    for key in active:
        created = key["CreateDate"]
        if now - created > timedelta(days=max_age_days):
            found.append(
                Finding(
                    "drift-access-key",
                    where,
                    f"key {key['AccessKeyId']} is {(now - created).days} days old (ci.maxKeyAgeDays {max_age_days})",
                )
            )
        used = iam.get_access_key_last_used(AccessKeyId=key["AccessKeyId"])["AccessKeyLastUsed"].get("LastUsedDate")
        if used is None and now - created > timedelta(days=7):
            found.append(Finding("drift-access-key", where, f"key {key['AccessKeyId']} has never been used in {(now - created).days} days"))
    return found


def verify_bucket(expected: ExpectedAccount, s3: Any) -> list[Finding]:
    """Return a finding for each piece of the state bucket's hardening that is gone or changed."""
    bucket, where = expected.bucket_name, f"bucket/{expected.bucket_name}"
    if _missing(s3.head_bucket, Bucket=bucket) is None:
        return [Finding("drift-missing", where, "the state bucket does not exist")]
    found = []
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        found.append(Finding("drift-bucket", where, "versioning is not enabled"))
    blocks = (_missing(s3.get_public_access_block, Bucket=bucket) or {}).get("PublicAccessBlockConfiguration", {})
    off = sorted(k for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets") if not blocks.get(k))
    if off:
        found.append(Finding("drift-bucket", where, f"public access blocks off: {', '.join(off)}"))
    encryption = _missing(s3.get_bucket_encryption, Bucket=bucket)
    rules = encryption["ServerSideEncryptionConfiguration"]["Rules"] if encryption else []
    algorithms = {r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules if "ApplyServerSideEncryptionByDefault" in r}
    if ("aws:kms" if expected.kms else "AES256") not in algorithms:
        found.append(
            Finding(
                "drift-bucket",
                where,
                f"default encryption is {sorted(algorithms) or 'off'}, expected {'SSE-KMS' if expected.kms else 'SSE-S3'}",
            )
        )
    policy = _missing(s3.get_bucket_policy, Bucket=bucket)
    live_statements = {json.dumps(s, sort_keys=True) for s in iter_statements(json.loads(policy["Policy"]))} if policy else set()
    for statement in iter_statements(expected.bucket_policy):
        if json.dumps(statement, sort_keys=True) not in live_statements:
            found.append(Finding("drift-bucket", where, f"bucket policy statement {statement.get('Sid')} is missing or changed"))
    ownership = _missing(s3.get_bucket_ownership_controls, Bucket=bucket)
    owned = [r.get("ObjectOwnership") for r in ownership["OwnershipControls"]["Rules"]] if ownership else []
    if owned != ["BucketOwnerEnforced"]:
        found.append(Finding("drift-bucket", where, f"object ownership is {owned or 'unset'}, expected BucketOwnerEnforced"))
    lifecycle = _missing(s3.get_bucket_lifecycle_configuration, Bucket=bucket)
    if not lifecycle or not any(r.get("Status") == "Enabled" and "NoncurrentVersionExpiration" in r for r in lifecycle.get("Rules", [])):
        found.append(Finding("drift-bucket", where, "no enabled lifecycle rule expiring noncurrent state versions"))
    return found


def now_utc() -> datetime:
    """Return the current instant (a seam for tests)."""
    return datetime.now(UTC)


def expected_account(rendering: Rendering) -> ExpectedAccount:
    """Return what the rendered baseline should have made in the account."""
    principals = collect_principals(rendering)
    outputs = reveal(rendering.outputs)
    iam_path = next(iter(principals.values())).path if principals else "/"
    (bucket_policy,) = rendering.of_type("aws:s3/bucketPolicy:BucketPolicy")
    return ExpectedAccount(
        principals=principals,
        iam_path=iam_path,
        services_path_prefix=naming.service_iam_path(iam_path.strip("/"), "").removesuffix("/"),
        bucket_name=outputs["stateBucketName"],
        bucket_policy=json.loads(bucket_policy.inputs["policy"]),
        kms=bool(rendering.of_type("aws:kms/key:Key")),
        oidc_provider_arn=outputs.get("oidcProviderArn"),
        organization_boundary=next((p.external_boundary for p in principals.values() if p.external_boundary), None),
    )


def verify_oidc_provider(expected: ExpectedAccount, iam: Any) -> list[Finding]:
    """Return a finding when the GitHub OIDC provider the roles trust is gone or no longer GitHub's."""
    if expected.oidc_provider_arn is None:
        return []
    where = f"oidc-provider/{ISSUER_HOST}"
    live = _missing(iam.get_open_id_connect_provider, OpenIDConnectProviderArn=expected.oidc_provider_arn)
    if live is None:
        return [Finding("drift-missing", where, "the GitHub OIDC provider the roles trust does not exist")]
    found = []
    if live.get("Url", "").removeprefix("https://") != ISSUER_HOST:
        found.append(Finding("drift-changed", where, f"its URL is {live.get('Url')}, expected {ISSUER_URL}"))
    if AUDIENCE not in live.get("ClientIDList", []):
        found.append(Finding("drift-changed", where, f"its audiences {live.get('ClientIDList', [])} lack {AUDIENCE}"))
    return found


def verify(expected: ExpectedAccount, iam: Any, s3: Any, now: datetime, max_key_age_days: int = DEFAULT_MAX_KEY_AGE_DAYS) -> list[Finding]:
    """Return every finding: principals, then the OIDC provider, then the bucket."""
    return verify_principals(expected, iam, now, max_key_age_days) + verify_oidc_provider(expected, iam) + verify_bucket(expected, s3)
