"""Preview roles (`previewRoles: true`): the read-only role `pulumi preview` runs as on a pull request.

One per provisioning role, named `<prefix>-preview-<unit>` (the unit being the service, or
`<service>-<component>`). What it may do is derived, never listed by hand:

- the List and Read actions (the catalogue's access levels) that the unit's grant reaches, on the
  unit's resources, compacted like any grant;
- minus data reads: cloudsplaining's data-exfiltration list (the maintained classification review
  uses too), plus HAND_DATA_READS below, each with its reason (every entry is tested to exist in
  the catalogue);
- never a write, a tag or a permissions change (those access levels are simply not kept), and every
  off-limits guard of the provisioning roles that still applies (no role chaining, no baseline IAM, no
  long-lived credentials); the walls around the state bucket and its key are narrowed to reading only.

State: `pulumi preview` on the DIY (S3) backend takes no lock and writes nothing. In pulumi/pulumi's
pkg/backend/diy/backend.go, `diyBackend.Preview` calls `b.apply` with `DryRun: true` and, unlike
`Update`, `Refresh`, `Destroy` and `Import`, never `b.Lock` (lock.go); `apply` creates a snapshot
manager (the checkpoint writer) only when `kind != apitype.PreviewUpdate && !opts.DryRun`, and calls
`addToHistory` and `backupStack` only when `!opts.DryRun`. What it reads: `.pulumi/meta.yaml`
(`ensurePulumiMeta`, meta.go), the stack's checkpoint through `stackPath` (a listing with the prefix
`.pulumi/stacks/<project>/<stack>.json`, then `Exists` and `ReadAll`, state.go `stackExists`,
`getCheckpoint`), the stack's tags file `.pulumi/stacks/<project>/<stack>.pulumi-tags`
(stack_tags.go `loadStackTags`), and, for `provider_for`'s StackReference, the service's handoff
stack the same way. So the role may list those prefixes and get those objects (decrypting through
S3 with the state key when the bucket uses SSE-KMS), and nothing else: no PutObject, no DeleteObject,
no history, backups or locks.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from baseline.aws.catalog import action_can_target, get_access_level
from baseline.aws.cloudsplaining_lists import cloudsplaining_lists
from baseline.design.github_subjects import GithubRepository, subjects
from baseline.design.grants import compact_actions, expand_patterns
from baseline.design.policies import (
    STATE_BUCKET_ACTIONS,
    BaselineState,
    Document,
    OffLimits,
    baseline_state_statements,
    document,
    off_limits_statements,
    statement,
)

# The catalogue's access levels a preview role keeps: describing and listing resources.
PREVIEW_ACCESS_LEVELS = ("List", "Read")
STATE_READ_ACTIONS = ("s3:GetObject",)
STATE_KEY_READ_ACTIONS = ("kms:Decrypt",)

# Data reads cloudsplaining's list (s3:GetObject, secretsmanager:GetSecretValue, ssm:GetParameter,
# ssm:GetParameters, ssm:GetParametersByPath) lacks, by pattern, with why each returns data rather than
# a description of a resource. Each must match catalogue actions (tested).
HAND_DATA_READS: dict[str, str] = {
    "s3:GetObject*": "objects and their versions, and everything read off them (ACLs, tags, attributes, torrents, replication copies)",
    "secretsmanager:BatchGetSecretValue": "returns the values of many secrets at once; the catalogue files it under List",
    "ssm:GetParameterHistory": "returns every past value of a parameter, SecureString ones decrypted with WithDecryption",
    "s3:GetDataAccess": "S3 Access Grants: returns credentials that read the granted objects",
    "dynamodb:BatchGetItem": "returns items",
    "dynamodb:ConditionCheckItem": "answers whether an item's attributes hold a value: items read one question at a time",
    "dynamodb:GetItem": "returns an item",
    "dynamodb:GetRecords": "returns a stream's records: items as they changed",
    "dynamodb:PartiQLSelect": "returns items",
    "dynamodb:Query": "returns items",
    "dynamodb:ReadDataForReplication": "returns a table's items, for global-table replication",
    "dynamodb:Scan": "returns every item of a table",
    "kinesis:GetRecords": "returns a stream's records",
    "kinesis:SubscribeToShard": "streams a shard's records",
    "sqs:ReceiveMessage": "returns messages (and hides them from their consumers for the visibility timeout)",
    "logs:FilterLogEvents": "returns log events: whatever the service logged",
    "logs:GetLogEvents": "returns log events: whatever the service logged",
    "logs:GetLogRecord": "returns a log event's fields",
    "logs:GetQueryResults": "returns the log events a Logs Insights query found",
    "logs:StartLiveTail": "streams log events as they arrive",
    "ecr:BatchGetImage": "returns image manifests: the service's built code and what it embeds, layer by layer",
    "ecr:GetDownloadUrlForLayer": "returns a URL downloading an image layer",
    "ssm:GetAccessToken": "returns credentials for just-in-time node access",
    "ssm:GetCommandInvocation": "returns a Run Command's output on an instance",
    # Filed under Write, so never kept anyway; named so the promise does not rest on that filing.
    "kms:Decrypt": "returns plaintext: any secret encrypted under a key the grant reaches",
}


def pull_request_subjects(repository: GithubRepository) -> tuple[str, ...]:
    """Return the only subjects a preview role accepts: `repo:ORG/REPO:pull_request` (and its immutable form)."""
    return subjects(repository, (), (), pull_requests=True)


@functools.cache
def data_read_actions() -> frozenset[str]:
    """Return every catalogue action that reads data: cloudsplaining's list and HAND_DATA_READS."""
    exfiltration, _ = cloudsplaining_lists()
    return frozenset(exfiltration) | expand_patterns(HAND_DATA_READS)


def preview_actions(patterns: Iterable[str], resources: Iterable[str] = ("*",)) -> tuple[str, ...]:
    """Return, compacted, the List and Read actions `patterns` reach, minus data reads, and minus those that
    can never match `resources` (scoped resources: an action on other resource types would be dead text)."""
    return _preview_actions(tuple(sorted(set(patterns))), tuple(sorted(set(resources))))


@functools.lru_cache(maxsize=1024)
def _preview_actions(patterns: tuple[str, ...], resources: tuple[str, ...]) -> tuple[str, ...]:
    reads = data_read_actions()
    kept = {a for a in expand_patterns(patterns) if get_access_level(a) in PREVIEW_ACCESS_LEVELS and a not in reads}
    if "*" not in resources:
        kept = {a for a in kept if action_can_target(a, resources)}
    return compact_actions(kept)


@dataclass(frozen=True)
class PreviewState:
    """What a preview role may read in the state bucket: its project's stacks, the backend's meta.yaml and
    its handoff stack (listing only those prefixes), and the state key through S3 when there is one."""

    bucket_arn: str
    objects_arn: str  # every object of the bucket: the walls are around all of it
    list_prefixes: tuple[str, ...]
    object_arns: tuple[str, ...]
    kms_key_arn: str | None
    s3_endpoint: str


# The provisioning roles' walls around the state bucket and its key; a preview role gets read-only versions.
_STATE_WALLS = ("DenyStateBucket", "DenyStateKey")


def preview_state_statements(state: PreviewState) -> list[dict[str, Any]]:
    """Return the preview role's state access: list and get its own stacks, decrypt them through S3."""
    statements = [
        statement(
            "ListOwnStacks",
            "Allow",
            STATE_BUCKET_ACTIONS,
            [state.bucket_arn],
            Condition={"StringLike": {"s3:prefix": sorted(state.list_prefixes)}},
        ),
        statement("ReadOwnStacks", "Allow", STATE_READ_ACTIONS, state.object_arns),
    ]
    if state.kms_key_arn is not None:
        via_s3 = {"StringEquals": {"kms:ViaService": state.s3_endpoint}}
        statements.append(statement("DecryptStateThroughS3", "Allow", STATE_KEY_READ_ACTIONS, [state.kms_key_arn], Condition=via_s3))
    return statements


def preview_guards(state: PreviewState, guard: OffLimits, baseline: BaselineState) -> list[dict[str, Any]]:
    """Return the preview role's Deny statements: the provisioning roles' off-limits, with the state bucket
    and key walled off except for reading (and listing only its own prefixes), and the baseline's own state."""
    walls: list[dict[str, Any]] = [
        {
            "Sid": "OnlyReadStateBucket",
            "Effect": "Deny",
            "NotAction": sorted({*STATE_BUCKET_ACTIONS, *STATE_READ_ACTIONS}),
            "Resource": sorted({state.bucket_arn, state.objects_arn}),
        },
        # A grant reaching s3:ListBucket on `*` would otherwise list every stack's keys.
        statement(
            "ListOnlyOwnStacks",
            "Deny",
            STATE_BUCKET_ACTIONS,
            [state.bucket_arn],
            Condition={"StringNotLike": {"s3:prefix": sorted(state.list_prefixes)}},
        ),
        # IAM already reads a missing key as not like any prefix; said outright, for every evaluator.
        statement("ListOnlyWithAPrefix", "Deny", STATE_BUCKET_ACTIONS, [state.bucket_arn], Condition={"Null": {"s3:prefix": "true"}}),
    ]
    if state.kms_key_arn is not None:
        walls.append(
            {"Sid": "OnlyDecryptWithStateKey", "Effect": "Deny", "NotAction": list(STATE_KEY_READ_ACTIONS), "Resource": [state.kms_key_arn]}
        )
    kept = [s for s in off_limits_statements(guard) if s["Sid"] not in _STATE_WALLS]
    return [*walls, *baseline_state_statements(baseline), *kept]


def preview_role_policy(
    actions: tuple[str, ...], resources: Iterable[str], state: PreviewState, guard: OffLimits, baseline: BaselineState
) -> Document:
    """Return a preview role's whole policy: its reads (none when the grant has no List or Read action), its
    state access, then its guards."""
    reads = [statement("PreviewReads", "Allow", actions, resources)] if actions else []
    return document(*reads, *preview_state_statements(state), *preview_guards(state, guard, baseline))
