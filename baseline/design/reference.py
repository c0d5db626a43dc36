"""The configuration keys and stack outputs, documented once: the parser takes its allowed keys from
here, and `docs/reference.md` is generated from it (a test fails when that file is stale)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KeyDoc:
    """One config key (dotted, `<name>` for a map's entries) or output, with its default and what it allows."""

    key: str
    default: str
    allowed: str


CONFIG_KEYS: tuple[KeyDoc, ...] = (
    KeyDoc(
        "environment",
        "the stack name",
        "compared case-insensitively: `prod` or `production` is prod (deletes off by default, no pull-request subjects); `dev`, `development`, `test`, `qa`, `stage`, `staging`, `sandbox`, `preview` are not. Any other value is refused (it fails closed, never as non-prod), and a stack whose name contains `prod`, `prd` or `production` as a word (`prod-eu`, `eu-prd-1`) must be prod",
    ),
    KeyDoc(
        "accountId",
        "none; required in prod unless `aws:allowedAccountIds` is set",
        "the 12-digit AWS account this stack deploys to: `pulumi up` with credentials for another account stops before anything is registered, and `plan` shows it",
    ),
    KeyDoc("allowDelete", "`false` when `environment` is `prod`, else `true`", "boolean"),
    KeyDoc("maxDeleteWindowHours", "`24`", "1 to 168: how far ahead a `deleteWindow` may end"),
    KeyDoc(
        "managedPoliciesPerRole",
        "`10`",
        "1 to 20: the account's quota of managed policies per role (IAM's default 10; raise it with AWS first). A grant over a role's 10,240-character inline limit is split into managed policies `<role>-grant-1..N` of at most 6,144 characters, attached to the role; more than this many is refused",
    ),
    KeyDoc(
        "stateIsolation",
        "`per-service`",
        "`per-service`: each service gets `<prefix>-state-<service>`, limited to its own Pulumi project's keys; `shared`: one state role `<prefix>-state` for every service's state (opt-in; `review` warns)",
    ),
    KeyDoc(
        "previewRoles",
        "`false`",
        "boolean; `true`: one read-only role `<prefix>-preview-<unit>` (≤ 64) per provisioning role, for `pulumi preview` on pull requests: the List and Read actions of the unit's grant minus data reads (objects, secrets, items, messages, parameters), its own project's stacks read-only, trusted by the repository's `pull_request` subject (in prod too: the only role a pull request may reach) and, with the CI user, its own external ID (docs/security.md, \"Preview roles\")",
    ),
    KeyDoc("namePrefix", "`iam-baseline`", "IAM name characters, ≤ 58; names the IAM path `/<prefix>/`, the roles and the default bucket"),
    KeyDoc(
        "organizationBoundary",
        "none",
        "the ARN of an existing managed policy, `arn:aws:iam::ACCOUNT:policy/PATH/NAME` (this stack's account) or `arn:aws:iam::aws:policy/NAME`, that the organisation requires on every principal (an SCP refusing `iam:CreateRole` without it): every role and user the baseline creates carries it instead of the baseline's own boundaries, and the roles and users a service that manages IAM creates must carry it (docs/security.md, \"An organisation's boundary\")",
    ),
    KeyDoc("rollout", "`{}`", "how `iam-baseline rollout` gets this account's credentials: the `rollout.*` keys below, at most one"),
    KeyDoc("rollout.profile", "none", "a named AWS profile (in `~/.aws/config`) for this account"),
    KeyDoc(
        "rollout.roleArn",
        "none",
        "a role to assume in this account with the operator's credentials (`arn:aws:iam::ACCOUNT:role/OrganizationAccountAccessRole`)",
    ),
    KeyDoc("stateBucket", "`{}`", "map of the `stateBucket.*` keys below"),
    KeyDoc("stateBucket.name", "`<prefix lowercased>-state-<account>-<region>`", "an S3 bucket name"),
    KeyDoc("stateBucket.kms", "`false`", "`true`: SSE-KMS with a dedicated key and a bucket key; `false`: SSE-S3"),
    KeyDoc("stateBucket.noncurrentVersionDays", "`90`", "1 to 36,500"),
    KeyDoc("stateBucket.forceDestroy", "`false`", "boolean (the bucket stays `protect`ed either way)"),
    KeyDoc("ci", "`{}`", "map of the `ci.*` keys below"),
    KeyDoc("ci.userName", "`<prefix>-ci`", "IAM user name, ≤ 64"),
    KeyDoc("ci.createAccessKey", "`false`", "boolean; the secret is a secret output"),
    KeyDoc(
        "ci.mode",
        "`user`",
        "`user`: static-key CI user; `github`: GitHub Actions OIDC only, no user and no key; `both`: during a migration",
    ),
    KeyDoc("ci.github", "`{}`", "map of `ci.github.*`"),
    KeyDoc(
        "ci.github.providerArn",
        "created by the baseline",
        "ARN of the account's existing GitHub OIDC provider (`arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com`)",
    ),
    KeyDoc(
        "ci.allowedSourceCidrs",
        "none",
        "list of IPv4/IPv6 CIDRs, for self-hosted runners: every trust statement and the CI group's policy require `aws:SourceIp` in them",
    ),
    KeyDoc(
        "ci.requireSessionName",
        "none",
        "`sts:RoleSessionName` pattern (IAM wildcards `*` `?`) every trust requires, so CloudTrail says why a role was assumed (e.g. `ci-*`)",
    ),
    KeyDoc("ci.maxKeyAgeDays", "`90`", "1 to 3,650: `verify` reports a CI access key older than this many days"),
    KeyDoc(
        "ci.maxSessionDuration",
        "`3600`",
        "3,600 to 43,200 seconds: every role's `MaxSessionDuration`. IAM does not accept less than 3,600 here; a caller may still request sessions down to 900 s with `DurationSeconds`.",
    ),
    KeyDoc(
        "services",
        "`{}` (no provisioning roles)",
        "map of service name (IAM name characters; `<prefix>-svc-<name>` ≤ 64) to the keys below",
    ),
    KeyDoc(
        "services.<name>.actions",
        "required unless `uses` or `components` is given",
        "non-empty list of `service:Action` patterns (`*`, `?` allowed in the action part); never `*` alone, never a pattern reaching `sts:AssumeRole*` or `sts:AssumeRoot`; `iam:` write actions bring the escalation guard",
    ),
    KeyDoc(
        "services.<name>.uses",
        "none",
        "non-empty list of component manifest names (entry points of the group `iam_baseline.permissions` that installed component libraries publish); their actions (deletes dropped where not allowed) join `actions`",
    ),
    KeyDoc(
        "services.<name>.resources",
        '`["*"]`; with `uses` only, the manifests\' resources (placeholders filled)',
        "non-empty list of `*` or ARNs",
    ),
    KeyDoc(
        "services.<name>.placeholders",
        "`{}`",
        "map of name to value filling `{name}` in the resources of the manifests the service (or its components) uses; `{service}` and `{component}` are filled by the baseline. Values have no spaces, braces or wildcards, and must not make one role's resources overlap another's (e.g. `shop` beside `shop-site`): refused",
    ),
    KeyDoc(
        "services.<name>.components",
        "none",
        "map of component name to the keys below: one provisioning role `<prefix>-svc-<service>-<component>` (≤ 64) per component, with the service's trusts, state role and handoff stack; the service keeps a role of its own only when it has `actions` or `uses`",
    ),
    KeyDoc("services.<name>.components.<component>.uses", "none", "as `services.<name>.uses`, for this component's role"),
    KeyDoc(
        "services.<name>.components.<component>.actions",
        "required unless `uses` is given",
        "as `services.<name>.actions`; the service's own grant may not already cover the whole component",
    ),
    KeyDoc(
        "services.<name>.components.<component>.resources",
        '`["*"]`; with `uses` only, the manifests\' resources',
        "as `services.<name>.resources`",
    ),
    KeyDoc("services.<name>.components.<component>.allowDelete", "the service's `allowDelete`", "boolean"),
    KeyDoc("services.<name>.components.<component>.deleteWindow", "none", "as `services.<name>.deleteWindow`, for this component's role"),
    KeyDoc("services.<name>.allowDelete", "the stack's `allowDelete`", "boolean"),
    KeyDoc(
        "services.<name>.github",
        "none (required with `ci.mode: github`)",
        "map of the four keys below; only with `ci.mode` `github` or `both`",
    ),
    KeyDoc(
        "services.<name>.github.repository",
        "required",
        "`ORG/REPO`, or `ORG@OWNER_ID/REPO@REPO_ID` to also accept GitHub's immutable subject claims (repositories created after 2026-07-15 send only those). Never a wildcard.",
    ),
    KeyDoc(
        "services.<name>.github.branches",
        "`[]`",
        "branch names or patterns (`main`, `release/*`): subjects `repo:ORG/REPO:ref:refs/heads/BRANCH`",
    ),
    KeyDoc("services.<name>.github.environments", "`[]`", "GitHub environment names: subjects `repo:ORG/REPO:environment:NAME`"),
    KeyDoc(
        "services.<name>.github.pullRequests",
        "`false`",
        "also accept `repo:ORG/REPO:pull_request`. Refused in prod, as is a repository with no branches or environments (it would accept any ref, pull requests included).",
    ),
    KeyDoc(
        "services.<name>.deleteWindow",
        "none",
        "`{until: 'YYYY-MM-DDTHH:MM:SSZ', reason: '...'}`: grant the role its destructive actions until that instant, enforced by IAM (`aws:CurrentTime`); refused when it ends in the past, more than `maxDeleteWindowHours` ahead, without a reason, or where deletes are already allowed",
    ),
    KeyDoc(
        "services.<name>.deleteWindow.until",
        "required",
        "a UTC instant `YYYY-MM-DDTHH:MM:SSZ`, in the future and at most `maxDeleteWindowHours` ahead",
    ),
    KeyDoc("services.<name>.deleteWindow.reason", "required", "why deletes are needed; shown in plan, review and the outputs"),
    KeyDoc(
        "services.<name>.pulumiProject",
        "the service name",
        "the service's Pulumi project name (letters, digits, `-_.`), whose state keys its own state role may use; unique across services; not `iam-baseline` or `iam-baseline-handoff`; names its handoff stack",
    ),
    KeyDoc("services.<name>.externalId", "derived from the stack's seed (docs/security.md)", "2 to 1,224 of `[\\w+=,.@:/-]`; unique"),
)

OUTPUTS: tuple[KeyDoc, ...] = (
    KeyDoc("accountId", "", "string"),
    KeyDoc("baselineVersion", "", "string, this package's version, so consumers can check compatibility"),
    KeyDoc("stateBucketName", "", "string"),
    KeyDoc("stateBucketArn", "", "string"),
    KeyDoc("backendUrl", "", "`s3://<bucket>?region=<region>`"),
    KeyDoc("region", "", "the region the baseline (and its state bucket) lives in; `provider_for` uses it by default"),
    KeyDoc(
        "awsConfig",
        "",
        "modes `user` and `both`: **the operator's**, never a service repository's: a ready `~/.aws/config` (secret) with a `ci` source profile and one profile per role (`<prefix>-<service>`, `<prefix>-<service>-state`, and `<prefix>-state` with shared state) carrying its ARN, external ID, session name and duration",
    ),
    KeyDoc(
        "stateRole",
        "",
        "only with `stateIsolation: shared`: `{arn, externalId, githubSubjects}` (secret, because it holds the external ID)",
    ),
    KeyDoc(
        "ciUser",
        "",
        "modes `user` and `both`: `{name, arn}`, plus `accessKeyId` and `secretAccessKey` (secret) with `ci.createAccessKey`",
    ),
    KeyDoc(
        "provisioningRoles",
        "",
        "`{<service>: {arn, externalId, allowDelete, githubSubjects, handoffStack, handoffPassphrase, components, ...}}` (secret); `arn`, `externalId` and `allowDelete` only when the service has a role of its own",
    ),
    KeyDoc(
        "provisioningRoles.<service>.components",
        "",
        "with `services.<name>.components`: `{<component>: {arn, externalId, allowDelete, githubSubjects, ...}}`, one role per component",
    ),
    KeyDoc(
        "provisioningRoles.<service>.previewRole",
        "",
        "with `previewRoles`: `{arn, externalId, githubSubjects}` of the service's preview role; a component's is `provisioningRoles.<service>.components.<component>.previewRole`",
    ),
    KeyDoc("deleteWindows", "", "when any is open: `{<service>: {until, reason}}`, and `<service>/<component>` for a component's window"),
    KeyDoc("oidcProviderArn", "", "modes `github` and `both`: the GitHub OIDC provider the roles trust"),
)


def child_keys(parent: str) -> tuple[str, ...]:
    """Return the keys directly under `parent` (`""` for the top level, `services.<name>` for a service), sorted."""
    prefix = f"{parent}." if parent else ""
    return tuple(sorted({d.key[len(prefix) :] for d in CONFIG_KEYS if d.key.startswith(prefix) and "." not in d.key[len(prefix) :]}))


def _table(headers: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join("---" for _ in headers) + " |"]
    return lines + ["| " + " | ".join(cells) + " |" for cells in rows]


def reference_markdown() -> str:
    """Return docs/reference.md: every config key with its default and what it allows, then every output."""
    lines = [
        "# Configuration and outputs reference",
        "",
        "Generated from `baseline/design/reference.py` by `iam-baseline reference > docs/reference.md`; a test",
        "fails when this file is stale. Keys live in the `iam-baseline:` namespace; `aws:region` selects the",
        "region as usual.",
        "",
        "## Configuration",
        "",
        *_table(("Key", "Default", "Allowed"), [(f"`{d.key}`", d.default, d.allowed) for d in CONFIG_KEYS]),
        "",
        "## Stack outputs",
        "",
        "The operator's: they hold every role's external ID and the CI key. Each service repository gets",
        "only its own values, from `iam-baseline handoff` and its handoff stack (see docs/security.md).",
        "",
        *_table(("Output", "Shape"), [(f"`{d.key}`", d.allowed) for d in OUTPUTS]),
        "",
        "In `provisioningRoles.<service>` and `stateRole`: `arn` is the role's ARN; `externalId` is present",
        "when the CI user exists (modes `user`, `both`); `allowDelete` says whether the role may delete;",
        "`githubSubjects`, the exact `sub` patterns a role accepts, when it trusts GitHub; `handoffStack` is",
        "the service's handoff stack (`organization/iam-baseline-handoff/<stack>.<pulumiProject>`) and",
        "`handoffPassphrase` its passphrase (also the service's own stack passphrase). A service that",
        "manages IAM also gets `iamPath` and `permissionsBoundaryArn`; with per-service state, each service",
        "gets `stateRole` (`{arn, externalId, githubSubjects}`) and `backendUrl`. Pulumi marks a whole",
        "output secret when any part of it is.",
    ]
    return "\n".join(lines) + "\n"
