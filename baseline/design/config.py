"""Stack config parsed once into frozen dataclasses; every problem reported in one error."""

from __future__ import annotations

import contextlib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from baseline.aws.catalog import (
    ACTION_SHAPE,
    get_actions_matching,
    get_arn_template,
    get_closest_actions,
    get_service_prefixes,
    globs_overlap,
)
from baseline.design import quotas
from baseline.design.delete_windows import (
    DEFAULT_MAX_DELETE_WINDOW_HOURS,
    DeleteWindow,
    parse_delete_window,
)
from baseline.design.findings import CONFIG_NAMESPACE, ConfigError, Finding, config_error
from baseline.design.github_subjects import REF_PATTERN, GithubRepository, admits_pull_requests, parse_repository
from baseline.design.github_subjects import subjects as github_subjects
from baseline.design.grants import expand_patterns
from baseline.design.manifests import INSTALLED, PLACEHOLDER, Manifest, ManifestSource, fill_placeholders, parse_manifest
from baseline.design.naming import (
    BASELINE_PROJECT,
    PROJECT_NAME_PATTERN,
    SERVICE_ROLE_INFIX,
    STATE_ROLE_INFIX,
    component_unit_name,
    handoff_project,
    preview_role_name,
    service_role_name,
)
from baseline.design.reference import child_keys

PROD_ENVIRONMENT = "prod"
# Compared case-insensitively. Any other value is refused: an unknown environment fails closed, never as dev.
PROD_ENVIRONMENTS = ("prod", "production")
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
SERVICE_KEYS = child_keys("services.<name>")
SERVICE_GITHUB_KEYS = child_keys("services.<name>.github")
COMPONENT_KEYS = child_keys("services.<name>.components.<component>")
# Placeholders the baseline fills itself in manifest resources; others come from `placeholders`.
BUILTIN_PLACEHOLDERS = ("component", "service")
SESSION_NAME_PATTERN = re.compile(r"[\w+=,.@*?-]{1,64}", re.ASCII)
OIDC_PROVIDER_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent\.com", re.ASCII)

# AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity; and AssumeRoot, root sessions in member accounts.
ASSUME_ROLE_PREFIXES = ("sts:AssumeRole", "sts:AssumeRoot")

STATE_ISOLATION_MODES = ("shared", "per-service")
DEFAULT_STATE_ISOLATION = "per-service"
DEFAULT_MAX_KEY_AGE_DAYS = 90
_ARN_SHAPE = re.compile(r"arn:(\*|aws[a-z-]*):([a-z0-9*-]*):([a-z0-9*-]*):(\d{12}|\*|):(.+)", re.ASCII)
# At most 15 digits: every range here is far smaller, and int() refuses strings over 4,300 digits.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,15}")
ACCOUNT_ID = re.compile(r"[0-9]{12}")
ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)


@dataclass(frozen=True)
class StateBucketConfig:
    name: str | None
    kms: bool
    noncurrent_version_days: int
    force_destroy: bool


@dataclass(frozen=True)
class CiConfig:
    user_name: str | None
    create_access_key: bool
    max_session_duration: int
    mode: str = "user"
    github_provider_arn: str | None = None
    allowed_source_cidrs: tuple[str, ...] = ()
    require_session_name: str | None = None
    max_key_age_days: int = DEFAULT_MAX_KEY_AGE_DAYS

    @property
    def uses_user(self) -> bool:
        """Return whether the static-key CI user exists."""
        return self.mode in ("user", "both")

    @property
    def uses_github(self) -> bool:
        """Return whether roles trust GitHub Actions' OIDC tokens."""
        return self.mode in ("github", "both")


@dataclass(frozen=True)
class ServiceGithubConfig:
    repository: GithubRepository
    branches: tuple[str, ...]
    environments: tuple[str, ...]
    pull_requests: bool

    @property
    def subjects(self) -> tuple[str, ...]:
        """Return the token subjects this service's role accepts."""
        return github_subjects(self.repository, self.branches, self.environments, self.pull_requests)


@dataclass(frozen=True)
class ComponentConfig:
    """One component of a service, deployed through its own provisioning role."""

    name: str
    actions: tuple[str, ...]  # its own `actions` and those of the manifests it `uses`, merged
    resources: tuple[str, ...]
    allow_delete: bool
    delete_window: DeleteWindow | None = None
    uses: tuple[str, ...] = ()
    filled_resources: bool = False  # resources are its manifests' patterns with placeholders filled in


@dataclass(frozen=True)
class ServiceConfig:
    name: str
    actions: tuple[str, ...]  # its own `actions` and those of the manifests it `uses`; () with components only
    resources: tuple[str, ...]
    allow_delete: bool
    external_id: str | None
    github: ServiceGithubConfig | None = None
    delete_window: DeleteWindow | None = None
    pulumi_project: str = ""
    uses: tuple[str, ...] = ()
    components: tuple[ComponentConfig, ...] = ()
    filled_resources: bool = False  # resources are its manifests' patterns with placeholders filled in

    @property
    def has_own_role(self) -> bool:
        """Return whether the service has a provisioning role of its own (not only its components')."""
        return bool(self.actions)

    def component_unit(self, component: ComponentConfig) -> ServiceConfig:
        """Return a component as the unit a provisioning role is built for: the service's trusts, state
        and handoff stack, with the component's grant. Its name `<service>-<component>` names the role."""
        return ServiceConfig(
            name=component_unit_name(self.name, component.name),
            actions=component.actions,
            resources=component.resources,
            allow_delete=component.allow_delete,
            external_id=None,
            github=self.github,
            delete_window=component.delete_window,
            pulumi_project=self.pulumi_project,
            uses=component.uses,
            filled_resources=component.filled_resources,
        )


@dataclass(frozen=True)
class RolloutConfig:
    """How `rollout` gets this account's credentials: a named profile or a role to assume (or neither)."""

    profile: str | None = None
    role_arn: str | None = None


@dataclass(frozen=True)
class BaselineConfig:
    stack: str
    environment: str
    allow_delete: bool
    name_prefix: str
    state_bucket: StateBucketConfig
    ci: CiConfig
    services: tuple[ServiceConfig, ...]
    state_isolation: str = "per-service"
    max_delete_window_hours: int = DEFAULT_MAX_DELETE_WINDOW_HOURS
    project: str = BASELINE_PROJECT  # the baseline's own Pulumi project, whose state no role may touch
    rollout: RolloutConfig = RolloutConfig()
    pinned_accounts: tuple[str, ...] = ()  # iam-baseline:accountId and aws:allowedAccountIds
    managed_policies_per_role: int = quotas.MANAGED_POLICIES_PER_ROLE  # the account's quota, for grants split out of a role
    preview_roles: bool = False  # a read-only `<prefix>-preview-<unit>` role per provisioning role, for pull requests
    # The boundary the organisation requires on every principal (its ARN); None: the baseline's own boundaries.
    organization_boundary: str | None = None

    @property
    def is_prod(self) -> bool:
        """Return whether this stack is production (`prod` or `production`, any case)."""
        return is_prod_environment(self.environment)


def is_prod_environment(environment: str) -> bool:
    """Return whether an `environment` value names production, compared case-insensitively."""
    return environment.strip().lower() in PROD_ENVIRONMENTS


def _parse_environment(top: _Reader, stack: str) -> str:
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


class _Reader:
    """Typed access to one level of raw config that records findings instead of raising."""

    def __init__(self, raw: Any, key: str, allowed: tuple[str, ...], findings: list[Finding]):
        self.key, self.findings = key, findings
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            self.error(key, f"must be a map with keys {', '.join(allowed)} (got {type(raw).__name__})")
            raw = {}
        self.raw = raw
        for unknown in sorted(set(raw) - set(allowed), key=str):  # YAML may give keys of mixed types
            self.error(self.sub(str(unknown)), f"unknown key; allowed keys here: {', '.join(allowed)}")

    def sub(self, name: str) -> str:
        return f"{self.key}.{name}" if self.key else name

    def error(self, key: str, message: str) -> None:
        self.findings.append(config_error(key, message))

    def boolean(self, name: str, default: bool) -> bool:
        value = self.raw.get(name, default)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            self.error(self.sub(name), f"must be true or false (got {value!r})")
            return default
        return value

    def integer(self, name: str, default: int, low: int, high: int, hint: str = "") -> int:
        value = self.raw.get(name, default)
        # Only ASCII digits: str.isdigit() also accepts '³' or '٣', which int() then refuses.
        if isinstance(value, str) and _WHOLE_NUMBER.fullmatch(value.strip()):
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.error(self.sub(name), f"must be a whole number from {low} to {high}{hint} (got {value!r})")
            return default
        return int(value)

    def string(self, name: str, default: str | None) -> str | None:
        value = self.raw.get(name, default)
        if value is not None and not isinstance(value, str):
            self.error(self.sub(name), f"must be a string (got {value!r})")
            return default
        return value


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
    top = _Reader(raw, "", TOP_LEVEL_KEYS, findings)
    environment = _parse_environment(top, stack)
    prod = is_prod_environment(environment)
    allow_delete = top.boolean("allowDelete", not prod)
    name_prefix = top.string("namePrefix", DEFAULT_NAME_PREFIX) or DEFAULT_NAME_PREFIX
    problem = quotas.iam_name_problem(name_prefix, quotas.ROLE_NAME_MAX - len(SERVICE_ROLE_INFIX) - 1)
    if problem:
        top.error("namePrefix", problem)

    sb = _Reader(top.raw.get("stateBucket"), "stateBucket", STATE_BUCKET_KEYS, findings)
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
    services = _parse_services(top.raw.get("services"), name_prefix, allow_delete, findings, window_rules, isolation, manifests)
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


@dataclass(frozen=True)
class WindowRules:
    now: datetime
    max_hours: int


def _parse_ci(raw: Any, findings: list[Finding]) -> CiConfig:
    reader = _Reader(raw, "ci", CI_KEYS, findings)
    user_name = reader.string("userName", None)
    if user_name is not None and (problem := quotas.iam_name_problem(user_name, quotas.USER_NAME_MAX)):
        reader.error("ci.userName", f"invalid IAM user name {user_name!r}; allowed: {problem}")
    mode = reader.string("mode", "user") or "user"
    if mode not in CI_MODES:
        reader.error("ci.mode", f"must be one of {', '.join(CI_MODES)} (got {mode!r})")
        mode = "user"
    github = _Reader(reader.raw.get("github"), "ci.github", CI_GITHUB_KEYS, findings)
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


def _pinned_accounts(top: _Reader, allowed_account_ids: tuple[str, ...]) -> tuple[str, ...]:
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


def _parse_organization_boundary(top: _Reader, name_prefix: str, pinned: tuple[str, ...]) -> str | None:
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
    reader = _Reader(raw, "rollout", child_keys("rollout"), findings)
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
    items = _string_list(raw, "ci.allowedSourceCidrs", findings, "CIDR ranges such as '203.0.113.0/24'")
    cidrs = []
    for index, value in enumerate(items or []):
        try:
            cidrs.append(str(ipaddress.ip_network(value, strict=False)))
        except ValueError:
            findings.append(
                config_error(f"ci.allowedSourceCidrs[{index}]", f"{value!r} is not an IPv4 or IPv6 CIDR range such as '203.0.113.0/24'")
            )
    return tuple(sorted(set(cidrs)))


def _parse_github(raw: Any, key: str, findings: list[Finding]) -> ServiceGithubConfig | None:
    if raw is None:
        return None
    reader = _Reader(raw, key, SERVICE_GITHUB_KEYS, findings)
    repository = parse_repository(str(reader.raw.get("repository", "")))
    if isinstance(repository, str):
        reader.error(f"{key}.repository", f"{repository} (got {reader.raw.get('repository')!r})")
        return None
    refs = {}
    for name in ("branches", "environments"):
        values = reader.raw.get(name, [])
        if not isinstance(values, list) or not all(isinstance(v, str) and REF_PATTERN.fullmatch(v) for v in values):
            reader.error(f"{key}.{name}", f"must be a list of names (letters, digits, . _ / -, wildcards * ?) (got {values!r})")
            values = []
        refs[name] = tuple(sorted(set(values)))
    return ServiceGithubConfig(repository, refs["branches"], refs["environments"], reader.boolean("pullRequests", False))


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


def _parse_services(
    raw: Any,
    name_prefix: str,
    default_allow_delete: bool,
    findings: list[Finding],
    windows: WindowRules,
    isolation: str,
    manifests: ManifestSource = INSTALLED,
) -> tuple[ServiceConfig, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, Mapping):
        findings.append(config_error("services", "must be a map of service name to {actions, resources, ...}"))
        return ()
    # Role names are <prefix>-svc-<service>, and <prefix>-state-<service> with per-service state roles.
    max_name = quotas.ROLE_NAME_MAX - len(name_prefix) - len(STATE_ROLE_INFIX if isolation == "per-service" else SERVICE_ROLE_INFIX)
    seen_lower: dict[str, str] = {}
    external_ids: dict[str, str] = {}
    services = []
    loader = _ManifestLoader(manifests, findings)
    for name in sorted(raw, key=str):
        key = f"services.{name}"
        if problem := quotas.iam_name_problem(str(name), max_name):
            findings.append(
                config_error(key, f"invalid service name (it becomes role {service_role_name(name_prefix, str(name))}); allowed: {problem}")
            )
        if str(name).lower() in seen_lower:
            findings.append(
                config_error(key, f"clashes with service {seen_lower[str(name).lower()]!r}: IAM role names are case-insensitive")
            )
        seen_lower[str(name).lower()] = str(name)
        reader = _Reader(raw[name], key, SERVICE_KEYS, findings)
        placeholders = _parse_placeholders(reader.raw.get("placeholders"), f"{key}.placeholders", findings)
        allow_delete = reader.boolean("allowDelete", default_allow_delete)
        has_components = reader.raw.get("components") is not None
        grant = _parse_grant(
            reader,
            key,
            windows,
            allow_delete,
            loader,
            {**placeholders, "service": str(name)},
            f"{key}.placeholders",
            optional=has_components,
        )
        external_id = reader.string("externalId", None)
        if external_id is not None:
            if not quotas.EXTERNAL_ID_PATTERN.fullmatch(external_id):
                reader.error(
                    f"{key}.externalId",
                    f"must be {quotas.EXTERNAL_ID_MIN}-{quotas.EXTERNAL_ID_MAX} characters of letters, digits and + = , . @ : / _ -",
                )
            elif external_id in external_ids:
                reader.error(f"{key}.externalId", f"is the same as {external_ids[external_id]}; every role needs its own")
            external_ids[external_id] = f"{key}.externalId"
        github = _parse_github(reader.raw.get("github"), f"{key}.github", findings)
        project = reader.string("pulumiProject", str(name)) or str(name)
        if not PROJECT_NAME_PATTERN.fullmatch(project):
            reader.error(f"{key}.pulumiProject", f"must be a Pulumi project name: letters, digits, - _ . (got {project!r})")
        components = _parse_components(
            reader.raw.get("components"), key, name_prefix, str(name), allow_delete, windows, loader, placeholders, findings
        )
        service = ServiceConfig(
            str(name),
            grant.actions,
            grant.resources,
            allow_delete,
            external_id,
            github,
            grant.window,
            project,
            grant.uses,
            components,
            grant.filled_resources,
        )
        findings += _component_overlaps(service)
        services.append(service)
    # A component's role <prefix>-svc-<service>-<component> must not be another service's role.
    units = {s.name.lower(): f"services.{s.name}" for s in services}
    for svc in services:
        for component in svc.components:
            unit = svc.component_unit(component).name
            if unit.lower() in units:
                findings.append(
                    config_error(
                        f"services.{svc.name}.components.{component.name}",
                        f"its role {service_role_name(name_prefix, unit)} is also {units[unit.lower()]}'s role; rename one",
                    )
                )
            units[unit.lower()] = f"services.{svc.name}.components.{component.name}"
    return tuple(services)


@dataclass(frozen=True)
class _Grant:
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    window: DeleteWindow | None
    uses: tuple[str, ...]
    filled_resources: bool = False


class _ManifestLoader:
    """Loads each manifest a service names once, recording a finding for an unknown or invalid one."""

    def __init__(self, source: ManifestSource, findings: list[Finding]) -> None:
        self.source, self.findings = source, findings
        self.loaded: dict[str, Manifest | list[str] | None] = {}

    def get(self, name: str, key: str) -> Manifest | None:
        if name not in self.loaded:
            try:
                self.loaded[name] = parse_manifest(name, self.source.load(name))
            except KeyError:
                self.loaded[name] = None
            except Exception as error:  # a library's entry point that fails to import
                self.loaded[name] = [f"its entry point failed to load ({type(error).__name__}: {error})"]
        found = self.loaded[name]
        if found is None:
            installed = ", ".join(self.source.available()) or "none"
            self.findings.append(
                config_error(
                    key,
                    f"{name!r} is not an installed component manifest (entry point group iam_baseline.permissions); installed: {installed}",
                )
            )
            return None
        if isinstance(found, list):
            self.findings.append(config_error(key, f"manifest {name!r} is invalid: {'; '.join(found)}"))
            return None
        return found


def _parse_grant(
    reader: _Reader,
    key: str,
    windows: WindowRules,
    allow_delete: bool,
    loader: _ManifestLoader,
    placeholders: Mapping[str, str],
    placeholders_key: str,
    optional: bool = False,
) -> _Grant:
    """Return a role's grant from `actions`, `uses` and `resources` (a service's or a component's)."""
    findings = reader.findings
    raw_actions, raw_uses = reader.raw.get("actions"), reader.raw.get("uses")
    own = _parse_actions(raw_actions, f"{key}.actions", findings) if raw_actions is not None else ()
    actions = set(own)
    uses: tuple[str, ...] = ()
    manifests: list[Manifest] = []
    if raw_uses is not None:
        uses = tuple(
            _string_list(raw_uses, f"{key}.uses", findings, "component manifest names (entry points of iam_baseline.permissions)") or ()
        )
        for index, name in enumerate(uses):
            if (manifest := loader.get(name, f"{key}.uses[{index}]")) is not None:
                manifests.append(manifest)
                actions |= set(manifest.grant)
    if raw_actions is None and raw_uses is None and not optional:
        reader.error(f"{key}.actions", "required: give actions, uses (component manifests), or both")
    resources: tuple[str, ...]
    filled_resources = False
    if "resources" in reader.raw:
        resources = _parse_resources(reader.raw["resources"], f"{key}.resources", findings)
    elif raw_actions is None and manifests and all(m.resources for m in manifests):
        filled = []
        for index, manifest in enumerate(manifests):
            for pattern in manifest.resources:
                arn, missing = fill_placeholders(pattern, placeholders)
                if missing:
                    findings.append(
                        config_error(
                            f"{key}.uses[{index}]",
                            f"manifest {manifest.name!r} needs placeholder(s) {', '.join(missing)} in {pattern!r}: "
                            f"set them in {placeholders_key}",
                        )
                    )
                filled.append(arn)
        resources = _parse_resources(sorted(set(filled)), f"{key}.uses", findings) if filled else ("*",)
        filled_resources = bool(filled)
    else:
        resources = ("*",)
    window, problems = parse_delete_window(
        reader.raw.get("deleteWindow"), f"{key}.deleteWindow", windows.now, windows.max_hours, allow_delete
    )
    findings += problems
    if window is not None and not actions:
        reader.error(f"{key}.deleteWindow", "applies to a role's own grant; this service has only components: set it on a component")
    # Without manifests, `actions` keeps the order given, so later findings can name `actions[i]`.
    return _Grant(tuple(sorted(actions)) if uses else own, resources, window, uses, filled_resources)


def _parse_placeholders(raw: Any, key: str, findings: list[Finding]) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        findings.append(config_error(key, f"must be a map of placeholder name to value (got {raw!r})"))
        return {}
    values = {}
    for name, value in raw.items():
        if not PLACEHOLDER.fullmatch(f"{{{name}}}") or name in BUILTIN_PLACEHOLDERS:
            findings.append(
                config_error(
                    f"{key}.{name}",
                    f"must be a name of letters, digits and _ other than {', '.join(BUILTIN_PLACEHOLDERS)} (filled by the baseline)",
                )
            )
        elif not isinstance(value, str) or not value or any(c.isspace() or c in "{}*?" for c in value):
            # A wildcard would widen the manifest's pattern (`{sitePrefix}-*` with `*` names every bucket).
            findings.append(
                config_error(f"{key}.{name}", f"must be a non-empty string without spaces, braces or wildcards * ? (got {value!r})")
            )
        else:
            values[str(name)] = value
    return values


def _parse_components(
    raw: Any,
    service_key: str,
    name_prefix: str,
    service: str,
    service_allow_delete: bool,
    windows: WindowRules,
    loader: _ManifestLoader,
    placeholders: Mapping[str, str],
    findings: list[Finding],
) -> tuple[ComponentConfig, ...]:
    if raw is None:
        return ()
    key = f"{service_key}.components"
    if not isinstance(raw, Mapping) or not raw:
        findings.append(
            config_error(key, "must be a non-empty map of component name to {uses | actions, resources, allowDelete, deleteWindow}")
        )
        return ()
    components = []
    max_name = quotas.ROLE_NAME_MAX - len(service_role_name(name_prefix, service)) - 1
    for name in sorted(raw, key=str):
        component_key = f"{key}.{name}"
        if problem := quotas.iam_name_problem(str(name), max_name):
            findings.append(
                config_error(
                    component_key,
                    f"invalid component name (it becomes role {service_role_name(name_prefix, component_unit_name(service, str(name)))}); allowed: {problem}",
                )
            )
        reader = _Reader(raw[name], component_key, COMPONENT_KEYS, findings)
        allow_delete = reader.boolean("allowDelete", service_allow_delete)
        values = {**placeholders, "service": service, "component": str(name)}
        grant = _parse_grant(reader, component_key, windows, allow_delete, loader, values, f"{service_key}.placeholders")
        components.append(
            ComponentConfig(str(name), grant.actions, grant.resources, allow_delete, grant.window, grant.uses, grant.filled_resources)
        )
    return tuple(components)


def _component_overlaps(service: ServiceConfig) -> list[Finding]:
    """Return an error for each component whose whole grant the service's own role already holds: the
    split would then isolate nothing."""
    if not service.has_own_role or not service.components:
        return []
    own = expand_patterns(service.actions)
    found = []
    for component in service.components:
        wanted = expand_patterns(component.actions)
        covered_resources = "*" in service.resources or set(component.resources) <= set(service.resources)
        if wanted and wanted <= own and covered_resources:
            found.append(
                config_error(
                    f"services.{service.name}.components.{component.name}",
                    f"the service's own role (services.{service.name}.actions/uses) already grants everything this component does, "
                    "so a leaked service session reaches it anyway: drop the service-level grant or narrow it",
                )
            )
    return found


def _string_list(raw: Any, key: str, findings: list[Finding], what: str) -> list[str] | None:
    if isinstance(raw, str) or not isinstance(raw, list) or not raw or not all(isinstance(x, str) for x in raw):
        findings.append(config_error(key, f"must be a non-empty list of {what} (got {raw!r})"))
        return None
    items: list[str] = raw
    return items


def _parse_actions(raw: Any, key: str, findings: list[Finding]) -> tuple[str, ...]:
    items = _string_list(raw, key, findings, "IAM actions such as 'sqs:SendMessage' or 'ec2:Describe*'")
    if items is None:
        return ()
    for index, action in enumerate(items):
        if action == "*":
            findings.append(config_error(f"{key}[{index}]", "'*' grants every action in AWS: name the services this service deploys"))
        elif not ACTION_SHAPE.fullmatch(action):
            findings.append(
                config_error(f"{key}[{index}]", f"{action!r} is not of the form service:Action (wildcards * and ? allowed in Action)")
            )
        elif not get_actions_matching(action):
            closest = get_closest_actions(action)
            hint = f"; closest: {', '.join(closest)}" if closest else ""
            findings.append(config_error(f"{key}[{index}]", f"{action!r} matches no action in the IAM action catalogue{hint}"))
        elif assumes := [a for a in get_actions_matching(action) if a.startswith(ASSUME_ROLE_PREFIXES)]:
            findings.append(
                config_error(
                    f"{key}[{index}]",
                    f"{action!r} reaches {', '.join(assumes)}: provisioning roles may never assume other roles or root (no role chaining); "
                    "grant the sts actions the service needs by name",
                )
            )
    return tuple(items)


def _parse_resources(raw: Any, key: str, findings: list[Finding]) -> tuple[str, ...]:
    items = _string_list(raw, key, findings, "ARNs or '*'")
    if items is None:
        return ()
    services = set(get_service_prefixes())
    for index, arn in enumerate(items):
        match = _ARN_SHAPE.fullmatch(arn)
        if arn == "*":
            continue
        if arn != arn.strip() or not arn.isprintable():
            # IAM compares resources exactly: a padded ARN is not the one a reviewer reads.
            findings.append(
                config_error(f"{key}[{index}]", f"{arn!r} has surrounding spaces or invisible characters; give '*' or the ARN exactly")
            )
        elif not match:
            findings.append(config_error(f"{key}[{index}]", f"{arn!r} is not '*' or an ARN arn:partition:service:region:account:resource"))
        elif match.group(2) not in services and "*" not in match.group(2):
            findings.append(
                config_error(f"{key}[{index}]", f"{arn!r} names service {match.group(2)!r}, which the IAM catalogue does not know")
            )
    return tuple(items)


def decode_pulumi_config(values: Mapping[str, Any], namespace: str = CONFIG_NAMESPACE) -> dict[str, Any]:
    """Return this project's keys (prefix removed), with Pulumi's JSON-string values decoded."""
    decoded: dict[str, Any] = {}
    for full_key, value in values.items():
        ns, _, key = full_key.partition(":")
        if ns != namespace or not key:
            continue
        # Maps and lists arrive as JSON text; scalars stay strings (namePrefix "123" is a name), and
        # the typed readers parse booleans and numbers themselves.
        if isinstance(value, str) and value.lstrip().startswith(("{", "[")):
            with contextlib.suppress(ValueError):  # else a plain string value
                value = json.loads(value)
        decoded[key] = value
    return decoded


def allowed_account_ids(values: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the AWS provider's `aws:allowedAccountIds` from Pulumi config (a JSON list), as strings."""
    raw = values.get("aws:allowedAccountIds")
    if raw is None:
        return ()
    with contextlib.suppress(ValueError, TypeError):
        raw = json.loads(raw) if isinstance(raw, str) else raw
    return tuple(str(a) for a in raw) if isinstance(raw, list) else (str(raw),)
