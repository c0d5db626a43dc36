"""Stack config parsed once into frozen dataclasses; every problem reported in one error."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from baseline.aws.catalog import get_arn_template, globs_overlap
from baseline.design import quotas
from baseline.design.config_model import (
    DEFAULT_MAX_KEY_AGE_DAYS,
    PROD_ENVIRONMENT,
    PROD_ENVIRONMENTS,
    BaselineConfig,
    CiConfig,
    ComponentConfig,
    RolloutConfig,
    ServiceConfig,
    ServiceGithubConfig,
    StateBucketConfig,
    is_prod_environment,
)
from baseline.design.config_reader import Reader, allowed_account_ids, decode_pulumi_config, string_list
from baseline.design.config_services import WindowRules, parse_services
from baseline.design.delete_windows import DEFAULT_MAX_DELETE_WINDOW_HOURS
from baseline.design.findings import ConfigError, Finding, config_error
from baseline.design.github_subjects import admits_pull_requests
from baseline.design.manifests import INSTALLED, ManifestSource
from baseline.design.naming import BASELINE_PROJECT, SERVICE_ROLE_INFIX, handoff_project, preview_role_name
from baseline.design.reference import child_keys

# The model, the reader and the services parser live in their own modules; importers keep this one.
__all__ = [
    "DEFAULT_MAX_KEY_AGE_DAYS",
    "PROD_ENVIRONMENT",
    "PROD_ENVIRONMENTS",
    "BaselineConfig",
    "CiConfig",
    "ComponentConfig",
    "RolloutConfig",
    "ServiceConfig",
    "ServiceGithubConfig",
    "StateBucketConfig",
    "account_pin_findings",
    "allowed_account_ids",
    "decode_pulumi_config",
    "is_prod_environment",
    "organization_boundary_pattern",
    "parse_config",
]

# Compared case-insensitively. Any other value is refused: an unknown environment fails closed, never as dev.
KNOWN_ENVIRONMENTS = (*PROD_ENVIRONMENTS, "dev", "development", "test", "qa", "stage", "staging", "sandbox", "preview")
# A stack named like production (`prod-eu`, `eu-prd-1`, `production`) is never non-prod, whatever `environment` says.
PROD_LIKE_STACK = re.compile(r"(?<![a-z])(prod|prd|production)(?![a-z])")
DEFAULT_NAME_PREFIX = "iam-baseline"
DEFAULT_NONCURRENT_VERSION_DAYS = 90

# The allowed keys at each level come from the documented reference, so no key is accepted undocumented.
TOP_LEVEL_KEYS = child_keys("")
STATE_BUCKET_KEYS = child_keys("stateBucket")
CI_KEYS = child_keys("ci")
CI_GITHUB_KEYS = child_keys("ci.github")
CI_MODES = ("user", "github", "both")
SESSION_NAME_PATTERN = re.compile(r"[\w+=,.@*?-]{1,64}", re.ASCII)
OIDC_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com", re.ASCII)

STATE_ISOLATION_MODES = ("shared", "per-service")
DEFAULT_STATE_ISOLATION = "per-service"
ACCOUNT_ID = re.compile(r"[0-9]{12}")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)


def _parse_environment(top: Reader, stack: str) -> str:
    """Return the stack's environment, failing closed: an unknown value is refused (never treated as dev),
    and a stack named like production must be prod."""
    given = top.string("environment", None)
    environment = stack if given is None else given
    allowed = ", ".join(KNOWN_ENVIRONMENTS)
    if environment.strip().lower() not in KNOWN_ENVIRONMENTS:
        source = f"{environment!r}" if given is not None else f"the stack name {environment!r} (the default)"
        top.error(
            "environment",
            f"{source} is not a known environment; allowed: {allowed} (case-insensitive). "
            "Set iam-baseline:environment to one of them; prod or production for production",
        )
        return PROD_ENVIRONMENT  # fail closed while the error is reported
    if PROD_LIKE_STACK.search(stack.lower()) and not is_prod_environment(environment):
        top.error(
            "environment",
            f"stack {stack!r} is named like production, so its environment must be prod or production (got {environment!r})",
        )
        return PROD_ENVIRONMENT
    return environment


def parse_config(
    raw: Mapping[str, Any],
    stack: str,
    now: datetime | None = None,
    project: str = BASELINE_PROJECT,
    allowed_account_ids: tuple[str, ...] = (),
    manifests: ManifestSource = INSTALLED,
) -> BaselineConfig:
    """Return the validated config for a stack, or raise ConfigError listing every problem.

    `raw` maps each key of the `iam-baseline:` namespace (without the prefix) to its decoded value;
    `now` (default: the current time) is what delete windows are checked against; `project` is the
    baseline's own Pulumi project name; `allowed_account_ids` is the AWS provider's `aws:allowedAccountIds`;
    `manifests` is where `uses` finds component manifests (default: installed entry points).
    """
    now = now or datetime.now(UTC)
    findings: list[Finding] = []
    top = Reader(raw, "", TOP_LEVEL_KEYS, findings)
    environment = _parse_environment(top, stack)
    prod = is_prod_environment(environment)
    allow_delete = top.boolean("allowDelete", not prod)
    name_prefix = top.string("namePrefix", DEFAULT_NAME_PREFIX) or DEFAULT_NAME_PREFIX
    problem = quotas.iam_name_problem(name_prefix, quotas.ROLE_NAME_MAX - len(SERVICE_ROLE_INFIX) - 1)
    if problem:
        top.error("namePrefix", problem)

    sb = Reader(top.raw.get("stateBucket"), "stateBucket", STATE_BUCKET_KEYS, findings)
    bucket_name = sb.string("name", None)
    if bucket_name is not None and (problem := quotas.bucket_name_problem(bucket_name)):
        sb.error("stateBucket.name", f"invalid S3 bucket name {bucket_name!r}; allowed: {problem}")
    state_bucket = StateBucketConfig(
        name=bucket_name,
        kms=sb.boolean("kms", False),
        noncurrent_version_days=sb.integer("noncurrentVersionDays", DEFAULT_NONCURRENT_VERSION_DAYS, 1, 36_500),
        force_destroy=sb.boolean("forceDestroy", False),
    )

    ci = _parse_ci(top.raw.get("ci"), findings)
    isolation = top.string("stateIsolation", DEFAULT_STATE_ISOLATION) or DEFAULT_STATE_ISOLATION
    if isolation not in STATE_ISOLATION_MODES:
        top.error("stateIsolation", f"must be one of {', '.join(STATE_ISOLATION_MODES)} (got {isolation!r})")
        isolation = DEFAULT_STATE_ISOLATION
    window_rules = WindowRules(now, top.integer("maxDeleteWindowHours", DEFAULT_MAX_DELETE_WINDOW_HOURS, 1, 168))
    managed_per_role = top.integer(
        "managedPoliciesPerRole",
        quotas.MANAGED_POLICIES_PER_ROLE,
        1,
        quotas.MANAGED_POLICIES_PER_ROLE_MAX,
        " (IAM's managed policies per role: 10 by default, at most 20 once AWS raises the account's quota)",
    )
    services = parse_services(top.raw.get("services"), name_prefix, allow_delete, findings, window_rules, isolation, manifests)
    preview_roles = top.boolean("previewRoles", False)
    if preview_roles:
        findings += _check_preview_names(services, name_prefix)
    rollout = _parse_rollout(top.raw.get("rollout"), findings)
    pinned = _pinned_accounts(top, allowed_account_ids)
    organization_boundary = _parse_organization_boundary(top, name_prefix, pinned)
    findings += _check_ci_modes(ci, services, prod)
    findings += _check_isolation(ci, services, isolation, (project, handoff_project(project)))
    if findings:
        raise ConfigError(findings)
    return BaselineConfig(
        stack,
        environment,
        allow_delete,
        name_prefix,
        state_bucket,
        ci,
        services,
        isolation,
        window_rules.max_hours,
        project,
        rollout,
        pinned,
        managed_per_role,
        preview_roles=preview_roles,
        organization_boundary=organization_boundary,
    )


def _parse_ci(raw: Any, findings: list[Finding]) -> CiConfig:
    reader = Reader(raw, "ci", CI_KEYS, findings)
    user_name = reader.string("userName", None)
    if user_name is not None and (problem := quotas.iam_name_problem(user_name, quotas.USER_NAME_MAX)):
        reader.error("ci.userName", f"invalid IAM user name {user_name!r}; allowed: {problem}")
    mode = reader.string("mode", "user") or "user"
    if mode not in CI_MODES:
        reader.error("ci.mode", f"must be one of {', '.join(CI_MODES)} (got {mode!r})")
        mode = "user"
    github = Reader(reader.raw.get("github"), "ci.github", CI_GITHUB_KEYS, findings)
    provider_arn = github.string("providerArn", None)
    if provider_arn is not None and not OIDC_PROVIDER_ARN.fullmatch(provider_arn):
        github.error(
            "ci.github.providerArn",
            "must be the ARN of an existing provider: arn:aws:iam::ACCOUNT:oidc-provider/token.actions.githubusercontent.com",
        )
    session_name = reader.string("requireSessionName", None)
    if session_name is not None and not SESSION_NAME_PATTERN.fullmatch(session_name):
        reader.error("ci.requireSessionName", "must be 1-64 characters of letters, digits, + = , . @ _ - and the wildcards * ?")
    return CiConfig(
        user_name=user_name,
        create_access_key=reader.boolean("createAccessKey", False),
        max_session_duration=reader.integer(
            "maxSessionDuration",
            quotas.MAX_SESSION_DURATION_MIN,
            quotas.MAX_SESSION_DURATION_MIN,
            quotas.MAX_SESSION_DURATION_MAX,
            " seconds (IAM's MaxSessionDuration range; a caller may still ask AssumeRole for as little as 900)",
        ),
        mode=mode,
        github_provider_arn=provider_arn,
        allowed_source_cidrs=_parse_cidrs(reader.raw.get("allowedSourceCidrs"), findings),
        require_session_name=session_name,
        max_key_age_days=reader.integer("maxKeyAgeDays", DEFAULT_MAX_KEY_AGE_DAYS, 1, 3_650, " days"),
    )


def _pinned_accounts(top: Reader, allowed_account_ids: tuple[str, ...]) -> tuple[str, ...]:
    """Return the accounts the stack may deploy to (iam-baseline:accountId and aws:allowedAccountIds)."""
    account = top.string("accountId", None)
    if account is not None and not ACCOUNT_ID.fullmatch(account):
        top.error("accountId", f"must be a 12-digit AWS account ID (got {account!r})")
        account = None
    return tuple(sorted({*allowed_account_ids, *([account] if account else [])}))


def account_pin_findings(config: BaselineConfig, account_id: str) -> list[Finding]:
    """Return why the program must not deploy with credentials for `account_id`: a prod stack that pins no
    account, or an account the stack is not pinned to. Checked by the program before it registers anything."""
    if config.pinned_accounts and account_id not in config.pinned_accounts:
        detail = f"the credentials are for account {account_id}; this stack is pinned to {', '.join(config.pinned_accounts)}"
        return [config_error("accountId", detail)]
    if config.is_prod and not config.pinned_accounts:
        detail = ("a prod stack must pin its account (iam-baseline:accountId, or aws:allowedAccountIds) so that "
                  "`pulumi up` with another account's credentials stops before changing anything")  # fmt: skip
        return [config_error("accountId", detail)]
    return []


def organization_boundary_pattern() -> re.Pattern[str]:
    """Return the shape of `organizationBoundary`: the catalogue's ARN format of an IAM policy, its account
    either 12 digits or `aws` (an AWS managed policy), its name and path IAM's characters, no wildcard."""
    fills = {"Partition": "(aws(?:-[a-z]+)*)", "Account": "([0-9]{12}|aws)", "PolicyNameWithPath": r"((?:[\w+=,.@-]+/)*[\w+=,.@-]{1,128})"}
    pieces = re.split(r"\$\{(\w+)\}", get_arn_template("iam", "policy"))
    return re.compile("".join(fills[p] if i % 2 else re.escape(p) for i, p in enumerate(pieces)), re.ASCII)


def _parse_organization_boundary(top: Reader, name_prefix: str, pinned: tuple[str, ...]) -> str | None:
    """Return the organisation's boundary ARN, refused unless it names one managed policy a principal of this
    account can carry, outside every path a service may write to."""
    arn = top.string("organizationBoundary", None)
    if arn is None:
        return None
    example = "arn:aws:iam::123456789012:policy/PATH/NAME or arn:aws:iam::aws:policy/NAME"
    shape = organization_boundary_pattern().fullmatch(arn)
    if shape is None or len(arn) > quotas.PATH_MAX + quotas.POLICY_NAME_MAX:
        top.error("organizationBoundary", f"must be the ARN of one managed policy, {example}, without wildcards (got {arn!r})")
        return None
    account, name_with_path = shape.group(2), shape.group(3)
    if account != "aws" and pinned and account not in pinned:
        top.error(
            "organizationBoundary", f"names a policy of account {account}; a boundary must be in this stack's account ({', '.join(pinned)})"
        )
    if name_with_path.startswith(f"{name_prefix}-services/"):
        top.error(
            "organizationBoundary",
            f"names a policy under /{name_prefix}-services/, where services that manage IAM create policies: a service could rewrite it",
        )
    return arn


def _parse_rollout(raw: Any, findings: list[Finding]) -> RolloutConfig:
    reader = Reader(raw, "rollout", child_keys("rollout"), findings)
    profile, role_arn = reader.string("profile", None), reader.string("roleArn", None)
    if role_arn is not None and not ROLE_ARN.fullmatch(role_arn):
        reader.error(
            "rollout.roleArn", f"must be a role ARN such as arn:aws:iam::123456789012:role/OrganizationAccountAccessRole (got {role_arn!r})"
        )
    if profile is not None and (not profile.strip() or any(c.isspace() for c in profile)):
        reader.error("rollout.profile", f"must be a profile name without spaces (got {profile!r})")
    if profile and role_arn:
        reader.error("rollout", "give profile or roleArn, not both")
    return RolloutConfig(profile, role_arn)


def _parse_cidrs(raw: Any, findings: list[Finding]) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = string_list(raw, "ci.allowedSourceCidrs", findings, "CIDR ranges such as '203.0.113.0/24'")
    cidrs = []
    for index, value in enumerate(items or []):
        try:
            cidrs.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError:
            findings.append(
                config_error(f"ci.allowedSourceCidrs[{index}]", f"{value!r} is not an IPv4 or IPv6 CIDR range such as '203.0.113.0/24'")
            )
    return tuple(sorted(set(cidrs)))


def _check_ci_modes(ci: CiConfig, services: tuple[ServiceConfig, ...], prod: bool) -> list[Finding]:
    """Return the findings of settings that contradict ci.mode or a prod stack."""
    found = []
    if not ci.uses_user:
        for key, value in (("ci.userName", ci.user_name), ("ci.createAccessKey", ci.create_access_key)):
            if value:
                found.append(config_error(key, "applies to the static-key CI user; ci.mode github has none (use user or both)"))
    if ci.github_provider_arn and not ci.uses_github:
        found.append(config_error("ci.github.providerArn", "needs ci.mode github or both"))
    for svc in services:
        key = f"services.{svc.name}.github"
        if svc.github and not ci.uses_github:
            found.append(config_error(key, "needs ci.mode github or both"))
        if svc.github is None and ci.mode == "github":
            found.append(config_error(key, "is required with ci.mode github: {repository: ORG/REPO, branches: [...], environments: [...]}"))
        if svc.github and prod and admits_pull_requests(svc.github.subjects):
            found.append(
                config_error(key, "a prod stack refuses pull-request subjects: name branches or environments, and no pullRequests")
            )
    return found


def _check_preview_names(services: tuple[ServiceConfig, ...], name_prefix: str) -> list[Finding]:
    """Return an error for each service or component whose preview role `<prefix>-preview-<unit>` would be
    longer than IAM allows (the infix is longer than `-svc-` and `-state-`)."""
    found = []
    for svc in services:
        units = [(f"services.{svc.name}", svc.name)] if svc.has_own_role else []
        units += [(f"services.{svc.name}.components.{c.name}", svc.component_unit(c).name) for c in svc.components]
        for key, unit in units:
            role = preview_role_name(name_prefix, unit)
            if len(role) > quotas.ROLE_NAME_MAX:
                found.append(
                    config_error(
                        key,
                        f"with previewRoles its preview role {role} would be {len(role)} characters, over IAM's {quotas.ROLE_NAME_MAX}; "
                        "shorten the name (or namePrefix)",
                    )
                )
    return found


def _check_isolation(ci: CiConfig, services: tuple[ServiceConfig, ...], isolation: str, reserved: tuple[str, ...]) -> list[Finding]:
    """Return the findings of state and subject settings that would let one credential reach two services."""
    found = []
    projects: dict[str, str] = {}
    for svc in services:
        key = f"services.{svc.name}.pulumiProject"
        if svc.pulumi_project.lower() in reserved:
            found.append(
                config_error(
                    key,
                    f"{svc.pulumi_project!r} is the baseline's own project ({', '.join(reserved)} are reserved); name the service's Pulumi project",
                )
            )
        elif svc.pulumi_project.lower() in projects:
            other = projects[svc.pulumi_project.lower()]
            found.append(config_error(key, f"{svc.pulumi_project!r} is also service {other!r}'s project: each service needs its own state"))
        projects[svc.pulumi_project.lower()] = svc.name
    # Subjects name one literal repository (`repo:ORG/REPO:...`), so only subjects of the same one can overlap.
    owners: dict[str, dict[str, str]] = {}
    for svc in services:
        for subject in svc.github.subjects if svc.github else ():
            same_repository = owners.setdefault(subject.split(":", 2)[1], {})
            clash = next((o for s, o in same_repository.items() if o != svc.name and globs_overlap(s, subject)), None)
            if clash:
                found.append(
                    config_error(
                        f"services.{svc.name}.github",
                        f"subject {subject!r} is also accepted by service {clash!r}: one workflow's token would reach both; "
                        "give each service its own repository, environments or branches",
                    )
                )
                break
            same_repository[subject] = svc.name
    if isolation == "shared" and ci.mode == "github" and not any(svc.github for svc in services):
        # IAM refuses a trust policy with no statements (MalformedPolicyDocument).
        found.append(
            config_error(
                "stateIsolation",
                "shared state with ci.mode github needs at least one service with github subjects: the state role would trust nobody",
            )
        )
    return found
