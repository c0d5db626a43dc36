"""Pure builders for every IAM document the baseline creates: plain data in, policy dict out.

Nothing here touches Pulumi. `render` turns a document into the byte-stable JSON that is sent to
AWS, so the same config never shows a diff in `pulumi preview`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import CREDENTIAL_MINTING_ACTIONS
from baseline.design import github_subjects as github
from baseline.design.grants import ServiceGrant

VERSION = "2012-10-17"

# The DIY backend's needs (pulumi/pulumi pkg/backend/diy): list the bucket; read, write and
# delete (lock release) objects. SSE-KMS adds data-key generation and decryption.
STATE_BUCKET_ACTIONS = ("s3:ListBucket",)
STATE_OBJECT_ACTIONS = ("s3:DeleteObject", "s3:GetObject", "s3:PutObject")
STATE_KMS_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
HANDOFF_WRITE_ACTIONS = ("s3:DeleteObject", "s3:PutObject")
ASSUME_ROLE_ACTION = "sts:AssumeRole"
ASSUME_ANY_ROLE_PATTERN = "sts:Assume*"
CURRENT_TIME = "aws:CurrentTime"
MASK = "[secret]"  # what plan and review print instead of a secret

Document = dict[str, Any]


def statement(sid: str, effect: str, actions: Iterable[str], resources: Iterable[str], **extra: Any) -> dict[str, Any]:
    """Return a statement with sorted, de-duplicated actions and resources (and any other IAM keys)."""
    stmt: dict[str, Any] = {
        "Sid": sid,
        "Effect": effect,
        "Action": sorted(set(actions)),
        "Resource": sorted(set(resources)),
    }
    stmt.update(extra)
    return stmt


def document(*statements: dict[str, Any]) -> Document:
    """Return a policy document of the given statements."""
    return {"Version": VERSION, "Statement": list(statements)}


def policy_json(document: Document) -> str:
    """Return the document as compact JSON with sorted keys: byte-identical for equal input."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


@dataclass(frozen=True)
class TrustConditions:
    """Conditions every way into a role must meet, on top of its principal's own."""

    source_cidrs: tuple[str, ...] = ()
    session_name: str | None = None


def _with_trust_conditions(conditions: dict[str, dict[str, Any]], guards: TrustConditions) -> dict[str, dict[str, Any]]:
    merged = {op: dict(keys) for op, keys in conditions.items()}
    if guards.source_cidrs:
        merged.setdefault("IpAddress", {})["aws:SourceIp"] = sorted(guards.source_cidrs)
    if guards.session_name:
        merged.setdefault("StringLike", {})["sts:RoleSessionName"] = guards.session_name
    return merged


def role_trust_policy(
    ci_principal_arn: str | None,
    external_id: str | None,
    github_provider_arn: str | None = None,
    subjects: Sequence[str] = (),
    guards: TrustConditions = TrustConditions(),
) -> Document:
    """Return a role's trust: the CI user with its external ID, and/or GitHub tokens for `subjects`.

    The user statement comes first: some emulators only match a principal in the first statement.
    """
    statements = []
    if ci_principal_arn is not None:
        statements.append(
            {
                "Sid": "CiPrincipalWithExternalId",
                "Effect": "Allow",
                "Principal": {"AWS": ci_principal_arn},
                "Action": ASSUME_ROLE_ACTION,
                "Condition": _with_trust_conditions({"StringEquals": {"sts:ExternalId": external_id}}, guards),
            }
        )
    if github_provider_arn is not None and subjects:
        sub_operator = "StringLike" if any("*" in s or "?" in s for s in subjects) else "StringEquals"
        conditions: dict[str, dict[str, Any]] = {"StringEquals": {github.AUD_KEY: github.AUDIENCE}}
        conditions.setdefault(sub_operator, {})[github.SUB_KEY] = sorted(subjects)
        statements.append(
            {
                "Sid": "GithubActionsOidc",
                "Effect": "Allow",
                "Principal": {"Federated": github_provider_arn},
                "Action": list(github.WEB_IDENTITY_ACTIONS),
                "Condition": _with_trust_conditions(conditions, guards),
            }
        )
    return document(*statements)


def ci_trust_policy(ci_principal_arn: str, external_id: str) -> Document:
    """Return a trust policy letting only the CI principal assume the role, with its external ID."""
    return role_trust_policy(ci_principal_arn, external_id)


# Requests through an access point are authorized against the access point's ARN, which no Deny naming the
# bucket covers; the bucket policy then sees the access point in these keys. Regional access points set both
# (the catalogue lists them on `accesspoint` and `accesspointobject`); a Multi-Region Access Point sets
# s3:DataAccessPointArn to its `arn:aws:s3::<account>:accesspoint/<alias>.mrap` (AWS's "DelegateAccessToMRAP"
# example); an Object Lambda access point reads through its supporting regional access point.
ACCESS_POINT_KEYS = ("s3:DataAccessPointArn", "s3:DataAccessPointAccount")


def state_bucket_policy(bucket_arn: str, objects_arn: str, created_principal_arns: Sequence[str] = ()) -> Document:
    """Return the bucket policy that refuses every request not made over TLS (Security Hub S3.5), and every
    request that arrives through an access point of any kind: state is reached by the bucket's name only.

    With `created_principal_arns` (the ARN patterns of what services create, under an organisation's
    boundary, which no longer denies them the bucket), every request of such a principal is refused too.
    """
    resources = sorted([bucket_arn, objects_arn])
    created = []
    if created_principal_arns:
        condition = {"ArnLike": {"aws:PrincipalArn": sorted(created_principal_arns)}}
        created.append({"Sid": "DenyServiceCreatedPrincipals", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": resources,
                        "Condition": condition})  # fmt: skip
    through_access_points = [
        {
            "Sid": "DenyThroughAccessPoints" if key.endswith("Arn") else "DenyThroughAccessPointsOfAnyAccount",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Null": {key: "false"}},
        }
        for key in ACCESS_POINT_KEYS
    ]
    return document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        *through_access_points,
        *created,
    )


def _state_key_statements(kms_key_arn: str | None, s3_endpoint: str) -> list[dict[str, Any]]:
    """Return the bucket key's use through S3 only, when the bucket has a KMS key."""
    if kms_key_arn is None:
        return []
    condition = {"StringEquals": {"kms:ViaService": s3_endpoint}}
    return [statement("UseStateKeyThroughS3", "Allow", STATE_KMS_ACTIONS, [kms_key_arn], Condition=condition)]


@dataclass(frozen=True)
class BaselineState:
    """The baseline's own keys in the state bucket: its checkpoint (CI key, every external ID) and the
    services' handoff stacks. No role the baseline creates may touch the first or write the second."""

    own_object_arns: tuple[str, ...]
    handoff_object_arns: tuple[str, ...]


def baseline_state_statements(baseline: BaselineState) -> list[dict[str, Any]]:
    """Return the Deny statements that keep a state role off the baseline's own state."""
    return [
        statement("DenyBaselineState", "Deny", ["s3:*"], baseline.own_object_arns),
        statement("DenyHandoffWrites", "Deny", HANDOFF_WRITE_ACTIONS, baseline.handoff_object_arns),
    ]


def state_role_policy(
    bucket_arn: str, backend_objects_arn: str, kms_key_arn: str | None, s3_endpoint: str, baseline: BaselineState
) -> Document:
    """Return the shared state role's permissions: Pulumi's DIY backend in one bucket prefix, but never
    the baseline's own stack, nothing else."""
    statements = [
        statement("ListStateBucket", "Allow", STATE_BUCKET_ACTIONS, [bucket_arn]),
        statement("ReadWriteStateObjects", "Allow", STATE_OBJECT_ACTIONS, [backend_objects_arn]),
    ]
    return document(*statements, *_state_key_statements(kms_key_arn, s3_endpoint), *baseline_state_statements(baseline))


@dataclass(frozen=True)
class ProjectState:
    """One Pulumi project's keys in the state bucket, and what else it may read there."""

    own_object_arns: tuple[str, ...]
    list_prefixes: tuple[str, ...]
    read_only_object_arns: tuple[str, ...]


def project_state_policy(
    bucket_arn: str, project: ProjectState, kms_key_arn: str | None, s3_endpoint: str, baseline: BaselineState
) -> Document:
    """Return a per-service state role's permissions: its own project's state, its handoff stack (read),
    and never the baseline's own state."""
    statements = [
        statement(
            "ListOwnProject",
            "Allow",
            STATE_BUCKET_ACTIONS,
            [bucket_arn],
            Condition={"StringLike": {"s3:prefix": sorted(project.list_prefixes)}},
        ),
        statement("ReadWriteOwnProject", "Allow", STATE_OBJECT_ACTIONS, project.own_object_arns),
        statement("ReadBackendAndHandoff", "Allow", ["s3:GetObject"], project.read_only_object_arns),
    ]
    return document(*statements, *_state_key_statements(kms_key_arn, s3_endpoint), *baseline_state_statements(baseline))


def ci_group_policy(role_arns: Sequence[str], source_cidrs: Sequence[str] = (), only_assume_in: str | None = None) -> Document:
    """Return the CI principal's only permission: assume the given roles (from the given networks).

    With `only_assume_in` (the baseline's role path, when the user carries an organisation's boundary
    instead of its own sts-only one), two Deny statements cap it as that boundary did: nothing but
    sts:AssumeRole, and that only on the baseline's roles, whatever else is attached to the user.
    """
    extra = {"Condition": {"IpAddress": {"aws:SourceIp": sorted(source_cidrs)}}} if source_cidrs else {}
    statements = [statement("AssumeBaselineRoles", "Allow", [ASSUME_ROLE_ACTION], role_arns, **extra)]
    if only_assume_in is not None:
        statements += [
            {"Sid": "DenyAllButAssumeRole", "Effect": "Deny", "NotAction": [ASSUME_ROLE_ACTION], "Resource": ["*"]},
            {"Sid": "DenyAssumingOtherRoles", "Effect": "Deny", "Action": [ASSUME_ROLE_ACTION], "NotResource": [only_assume_in]},
        ]
    return document(*statements)


def ci_boundary_policy(role_path_arn: str) -> Document:
    """Return the CI user's permissions boundary: at most sts:AssumeRole on the baseline's roles."""
    return document(statement("OnlyAssumeBaselineRoles", "Allow", [ASSUME_ROLE_ACTION], [role_path_arn]))


@dataclass(frozen=True)
class OffLimits:
    """What no provisioning role may touch, whatever its service is granted."""

    state_bucket_arns: tuple[str, ...]
    state_kms_key_arn: str | None
    baseline_iam_arns: tuple[str, ...]
    # A provisioning role's own ARN: it may ask IAM's policy simulator about itself (preflight --live), nothing else.
    simulating_self: str | None = None


def off_limits_statements(guard: OffLimits) -> list[dict[str, Any]]:
    """Return the Deny statements that wall a principal off from the baseline itself, from other roles
    (no chaining) and from credentials that would outlive its session.

    With `simulating_self` (a provisioning role's own ARN), `DenyBaselineIam` denies every action but
    iam:SimulatePrincipalPolicy on the baseline's IAM ARNs (`NotAction`, so IAM actions added later are
    denied too), `DenySimulatingOthers` denies simulating any principal but the role itself, and
    `AllowSimulatingItself` allows that one call: the role may read its own decisions, nothing more.
    """
    statements = [statement("DenyStateBucket", "Deny", ["s3:*"], guard.state_bucket_arns)]
    if guard.state_kms_key_arn is not None:
        statements.append(statement("DenyStateKey", "Deny", ["kms:*"], [guard.state_kms_key_arn]))
    statements.append(statement("DenyAssumeRole", "Deny", [ASSUME_ANY_ROLE_PATTERN], ["*"]))
    if guard.simulating_self is None:
        statements.append(statement("DenyBaselineIam", "Deny", ["iam:*"], guard.baseline_iam_arns))
    else:
        statements += self_simulation_statements(guard.baseline_iam_arns, guard.simulating_self)
    statements.append(statement("DenyLongLivedCredentials", "Deny", CREDENTIAL_MINTING_ACTIONS, ["*"]))
    return statements


SIMULATE_PRINCIPAL_ACTION = "iam:SimulatePrincipalPolicy"
SELF_SIMULATION_SID = "AllowSimulatingItself"


def self_simulation_statements(baseline_iam_arns: Sequence[str], own_arn: str) -> list[dict[str, Any]]:
    """Return the statements that keep the baseline's IAM off limits except simulating the role itself."""
    return [
        {"Sid": "DenyBaselineIam", "Effect": "Deny", "NotAction": [SIMULATE_PRINCIPAL_ACTION], "Resource": sorted(set(baseline_iam_arns))},
        {"Sid": "DenySimulatingOthers", "Effect": "Deny", "Action": [SIMULATE_PRINCIPAL_ACTION], "NotResource": [own_arn]},
        statement(SELF_SIMULATION_SID, "Allow", [SIMULATE_PRINCIPAL_ACTION], [own_arn]),
    ]


@dataclass(frozen=True)
class DeleteWindowGrant:
    """Destructive actions allowed until `until` (IAM's `YYYY-MM-DDTHH:MM:SSZ`), then denied again."""

    actions: tuple[str, ...]
    until: str


def service_role_policy(
    grant: ServiceGrant,
    resources: Sequence[str],
    guard: OffLimits,
    extra: Sequence[dict[str, Any]] = (),
    window: DeleteWindowGrant | None = None,
) -> Document:
    """Return a provisioning role's permissions: its grant, minus destructive actions and the baseline.

    With a delete window, the destructive actions are allowed while aws:CurrentTime is before its
    end and denied from then on, by IAM itself, whether or not anyone runs `pulumi up` again.
    """
    return document(*service_role_allows(grant, resources, window), *service_role_guards(grant, guard, extra, window))


def service_role_allows(grant: ServiceGrant, resources: Sequence[str], window: DeleteWindowGrant | None = None) -> list[dict[str, Any]]:
    """Return a provisioning role's Allow statements: its grant (`ServiceGrant`), then an open delete
    window's (`DeleteWindow`). The only statements that may leave its inline policy (`grant_split`)."""
    statements = [statement("ServiceGrant", "Allow", grant.allow, resources)]
    if window is not None and window.actions:
        statements.append(
            statement("DeleteWindow", "Allow", window.actions, resources, Condition={"DateLessThan": {CURRENT_TIME: window.until}})
        )
    return statements


def service_role_guards(
    grant: ServiceGrant, guard: OffLimits, extra: Sequence[dict[str, Any]] = (), window: DeleteWindowGrant | None = None
) -> list[dict[str, Any]]:
    """Return a provisioning role's guards: its destructive actions denied (from a delete window's end),
    the baseline's off-limits and any `extra` (IAM confinement). They always stay in its inline policy."""
    statements = []
    if grant.deny_destructive:
        after = {"Condition": {"DateGreaterThanEquals": {CURRENT_TIME: window.until}}} if window is not None else {}
        statements.append(statement("DenyDestructive", "Deny", grant.deny_destructive, ["*"], **after))
    return [*statements, *off_limits_statements(guard), *extra]


def created_principal_boundary(
    configured: Sequence[str],
    resources: Sequence[str],
    guard: OffLimits,
    deny_destructive: Sequence[str],
    window_until: str | None,
    extra: Sequence[dict[str, Any]] = (),
) -> Document:
    """Return the boundary of every principal a service creates: the protections of the service role.

    At most the service's configured grant, with its destructive actions denied exactly as the role's
    are (from the delete window's end, when one is open), and every Deny of the role. The allow is the
    configured patterns, not the role's expanded list, so the boundary fits a managed policy's quota.
    """
    statements = [statement("AtMostTheServiceGrant", "Allow", configured, resources)]
    if deny_destructive:
        after = {"Condition": {"DateGreaterThanEquals": {CURRENT_TIME: window_until}}} if window_until else {}
        statements.append(statement("DenyDestructive", "Deny", deny_destructive, ["*"], **after))
    return document(*statements, *off_limits_statements(guard), *extra)


def as_list(value: Any) -> list[str]:
    """Return an IAM element (a string or a list of strings) as a list."""
    return [value] if isinstance(value, str) else list(value)


def iter_statements(document: Document) -> list[dict[str, Any]]:
    """Return the document's statements as a list (IAM allows a single statement object)."""
    statements = document["Statement"]
    return statements if isinstance(statements, list) else [statements]


def mask_external_ids(document: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of a trust policy with its sts:ExternalId values masked."""
    masked: dict[str, Any] = json.loads(json.dumps(document))
    for stmt in iter_statements(masked):
        for operator in stmt.get("Condition", {}).values():
            if "sts:ExternalId" in operator:
                operator["sts:ExternalId"] = MASK
    return masked
