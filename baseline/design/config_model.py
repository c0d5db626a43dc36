"""The validated stack config as frozen dataclasses: what every other module reads, never raw YAML."""

from __future__ import annotations

from dataclasses import dataclass

from baseline.design import quotas
from baseline.design.delete_windows import DEFAULT_MAX_DELETE_WINDOW_HOURS, DeleteWindow
from baseline.design.github_subjects import GithubRepository
from baseline.design.github_subjects import subjects as github_subjects
from baseline.design.naming import BASELINE_PROJECT, component_unit_name

PROD_ENVIRONMENT = "prod"
# Compared case-insensitively. Any other value is refused: an unknown environment fails closed, never as dev.
PROD_ENVIRONMENTS = ("prod", "production")
DEFAULT_MAX_KEY_AGE_DAYS = 90


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
