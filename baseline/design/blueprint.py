"""The whole baseline as plain data: names, ARNs and every document each principal will carry.

`designer.design_baseline` builds it before any resource is registered, and `quota_checks` sizes it
against IAM's quotas. Values only AWS or Pulumi know later (generated external IDs, the KMS key's ID)
are stood in for by placeholders of their exact length, so the sizes checked are the sizes AWS will see.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.design import naming, preview
from baseline.design.config import BaselineConfig, ServiceConfig
from baseline.design.escalation import IamConfinement, confinement_statements
from baseline.design.external_ids import GENERATED_EXTERNAL_ID_LENGTH
from baseline.design.findings import Finding
from baseline.design.grant_split import GrantLayout, layout_grant
from baseline.design.grants import ServiceGrant, destructive_patterns, resolve_grant
from baseline.design.policies import (
    BaselineState,
    DeleteWindowGrant,
    Document,
    OffLimits,
    ProjectState,
    TrustConditions,
    ci_boundary_policy,
    ci_group_policy,
    created_principal_boundary,
    document,
    project_state_policy,
    role_trust_policy,
    service_role_allows,
    service_role_guards,
    state_role_policy,
)

KMS_KEY_ID_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
EXTERNAL_ID_PLACEHOLDER = "x" * GENERATED_EXTERNAL_ID_LENGTH


@dataclass(frozen=True)
class ServiceRolePlan:
    """One provisioning role: its config, name, ARN and resolved grant."""

    service: ServiceConfig
    role_name: str
    role_arn: str
    grant: ServiceGrant
    iam_path: str = ""
    confinement: IamConfinement | None = None
    boundary_name: str | None = None
    state_role_name: str | None = None  # per-service state isolation only
    state_role_arn: str | None = None
    handoff_stack: str = ""  # the small stack holding only this service's values
    has_role: bool = True  # False for a service split into components with no grant of its own
    owner: str = ""  # the configured service's name (a component's `service` is the unit `<service>-<component>`)
    component: str = ""  # set on a component's plan: the component's name
    components: tuple[ServiceRolePlan, ...] = ()  # a service's per-component roles
    preview_role_name: str | None = None  # previewRoles: the read-only role pull requests preview with
    preview_role_arn: str | None = None

    @property
    def config_key(self) -> str:
        """Return the config key the role comes from: `services.<name>` or `services.<name>.components.<component>`."""
        return f"services.{self.owner}.components.{self.component}" if self.component else f"services.{self.owner}"

    @property
    def handoff_key_prefix(self) -> str:
        """Return the state-bucket key prefix of the service's handoff stack (`.json`, `.json.gz`, `.bak`)."""
        return naming.stack_key_prefix(self.handoff_stack)

    @property
    def subjects(self) -> tuple[str, ...]:
        """Return the GitHub token subjects this role accepts (none without GitHub config)."""
        return self.service.github.subjects if self.service.github else ()

    @property
    def preview_subjects(self) -> tuple[str, ...]:
        """Return the subjects its preview role accepts: the repository's pull requests, and nothing else."""
        github = self.service.github
        return preview.pull_request_subjects(github.repository) if github and self.preview_role_name else ()


@dataclass(frozen=True)
class Blueprint:
    """Everything the Pulumi layer registers, decided in advance."""

    config: BaselineConfig
    ctx: AccountContext
    iam_path: str
    bucket_name: str
    bucket_arn: str
    objects_arn: str
    backend_objects_arn: str
    ci_user_name: str
    ci_user_arn: str
    ci_group_name: str
    github_provider_arn: str | None
    ci_boundary_policy_name: str
    role_path_arn: str
    ci_assume_resources: tuple[str, ...]
    state_role_name: str | None  # the shared state role, with stateIsolation shared only
    state_role_arn: str | None
    services: tuple[ServiceRolePlan, ...]
    baseline_iam_arns: tuple[str, ...] = ()
    warnings: tuple[Finding, ...] = ()
    # Where each provisioning role's grant lives, by role name, decided once by design_baseline.
    grant_layouts: Mapping[str, GrantLayout] = field(default_factory=dict, compare=False)

    @property
    def role_plans(self) -> tuple[ServiceRolePlan, ...]:
        """Return every provisioning role: each service's own (when it has one), then its components'."""
        return provisioning_plans(self.services)

    @property
    def s3_endpoint(self) -> str:
        """Return the S3 endpoint name used in `kms:ViaService` conditions."""
        return f"s3.{self.ctx.region}.{self.ctx.dns_suffix}"

    @property
    def backend_url(self) -> str:
        """Return the `pulumi login` URL of the state bucket."""
        return f"s3://{self.bucket_name}?region={self.ctx.region}"

    def kms_key_arn(self, key_id: str) -> str | None:
        """Return the state key's ARN for a key ID, or None when the bucket uses SSE-S3."""
        return arns.kms_key_arn(self.ctx, key_id) if self.config.state_bucket.kms else None

    def off_limits(self, kms_key_arn: str | None) -> OffLimits:
        """Return what every provisioning role is denied."""
        return OffLimits(
            state_bucket_arns=(self.bucket_arn, self.objects_arn),
            state_kms_key_arn=kms_key_arn,
            baseline_iam_arns=self.baseline_iam_arns,
        )

    @property
    def kms_alias_name(self) -> str:
        """Return the state key's alias, derived from the bucket name so that KMS always accepts it."""
        return naming.kms_alias_name(self.bucket_name)

    @functools.cached_property
    def baseline_state(self) -> BaselineState:
        """Return the baseline's own keys in the bucket (its project's stacks, history, backups, locks)
        and those of the handoff stacks."""

        def keys(project: str) -> tuple[str, ...]:
            return tuple(arns.object_arn(self.ctx, self.bucket_name, prefix + "*") for prefix in naming.project_key_prefixes(project))

        return BaselineState(keys(self.config.project), keys(naming.handoff_project(self.config.project)))

    def state_policy(self, kms_key_arn: str | None) -> Document:
        """Return the shared state role's permission policy."""
        return state_role_policy(self.bucket_arn, self.backend_objects_arn, kms_key_arn, self.s3_endpoint, self.baseline_state)

    def _service_statements(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Return a provisioning role's grant statements (those that may move out) and its guards, in policy order."""
        extra = confinement_statements(plan.confinement) if plan.confinement else []
        window = plan.service.delete_window
        grant = DeleteWindowGrant(destructive_patterns(tuple(sorted(plan.service.actions))), window.until_text) if window else None
        allows = service_role_allows(plan.grant, plan.service.resources, grant)
        guard = dataclasses.replace(self.off_limits(kms_key_arn), simulating_self=plan.role_arn)  # preflight --live
        return allows, service_role_guards(plan.grant, guard, extra, grant)

    def grant_layout(self, plan: ServiceRolePlan) -> GrantLayout:
        """Return where a provisioning role's grant lives: inline, or partly in managed policies.

        Decided at worst-case sizes (the state key's ARN stood in for at its exact length), so the
        number of managed policies is known before any ARN is.
        """
        if plan.role_name in self.grant_layouts:
            return self.grant_layouts[plan.role_name]
        return layout_grant(*self._service_statements(plan, self.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)))

    def service_policy(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> Document:
        """Return a provisioning role's inline permission policy: its guards, and its grant unless that is
        split into managed policies (`grant_policies`)."""
        allows, guards = self._service_statements(plan, kms_key_arn)
        return document(*allows[self.grant_layout(plan).moved :], *guards)

    def grant_policies(self, plan: ServiceRolePlan) -> tuple[Document, ...]:
        """Return the managed policies holding the part of a role's grant its inline policy cannot (none when it fits)."""
        return self.grant_layout(plan).policies

    def unsplit_service_policy(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> Document:
        """Return a provisioning role's whole policy as one document, as it would be with no split."""
        allows, guards = self._service_statements(plan, kms_key_arn)
        return document(*allows, *guards)

    def project_state(self, plan: ServiceRolePlan) -> ProjectState:
        """Return the state-bucket keys of a service's Pulumi project (the DIY backend's layout), and
        the keys it may only read: the backend's meta.yaml and its own handoff stack."""
        prefixes = naming.project_key_prefixes(plan.service.pulumi_project)
        # Exact keys, not `<stack>.json*`: a project named `api.jsonx` must not fall under `api`'s pattern.
        handoff_keys = tuple(plan.handoff_key_prefix + ending for ending in naming.CHECKPOINT_ENDINGS)
        return ProjectState(
            own_object_arns=tuple(arns.object_arn(self.ctx, self.bucket_name, p + "*") for p in prefixes),
            list_prefixes=(*tuple(p + "*" for p in prefixes), plan.handoff_key_prefix),
            read_only_object_arns=tuple(
                arns.object_arn(self.ctx, self.bucket_name, key) for key in (f"{naming.PULUMI_BACKEND_PREFIX}meta.yaml", *handoff_keys)
            ),
        )

    def preview_state(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> preview.PreviewState:
        """Return what a preview role reads in the state bucket: its project's stacks (not their history,
        backups or locks: `pulumi preview` neither locks nor writes), meta.yaml and its handoff stack."""
        stacks = naming.project_stacks_prefix(plan.service.pulumi_project) + "*"
        read_only = self.project_state(plan).read_only_object_arns  # meta.yaml and the handoff stack's keys
        return preview.PreviewState(
            bucket_arn=self.bucket_arn,
            objects_arn=self.objects_arn,
            list_prefixes=(stacks, plan.handoff_key_prefix),
            object_arns=(arns.object_arn(self.ctx, self.bucket_name, stacks), *read_only),
            kms_key_arn=kms_key_arn,
            s3_endpoint=self.s3_endpoint,
        )

    def preview_policy(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> Document:
        """Return a preview role's policy (docs/security.md, "Preview roles"): reads of its unit's grant
        without data, its own state read-only, and the provisioning roles' guards that still apply."""
        return preview.preview_role_policy(
            preview.preview_actions(plan.service.actions, plan.service.resources),
            plan.service.resources,
            self.preview_state(plan, kms_key_arn),
            self.off_limits(kms_key_arn),
            self.baseline_state,
        )

    def project_state_policy(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> Document:
        """Return a per-service state role's permission policy."""
        return project_state_policy(self.bucket_arn, self.project_state(plan), kms_key_arn, self.s3_endpoint, self.baseline_state)

    def service_boundary(self, plan: ServiceRolePlan, kms_key_arn: str | None) -> Document | None:
        """Return the permissions boundary for principals the service creates, if it manages IAM: the
        role's protections, so a created role keeps every one of them."""
        if plan.confinement is None or plan.confinement.organization:  # it creates under the organisation's boundary
            return None
        configured = resolve_grant(plan.service.actions, allow_delete=True).allow
        window = plan.service.delete_window
        return created_principal_boundary(
            configured,
            plan.service.resources,
            self.off_limits(kms_key_arn),
            plan.grant.deny_destructive,
            window.until_text if window else None,
            confinement_statements(plan.confinement),
        )

    @property
    def state_subjects(self) -> tuple[str, ...]:
        """Return the GitHub subjects the shared state role accepts: every service's, unless each has its own."""
        if self.config.state_isolation == "per-service":
            return ()
        return tuple(sorted({s for plan in self.services for s in plan.subjects}))

    def trust_policy(self, subjects: tuple[str, ...], external_id: str | None) -> Document:
        """Return a role's trust for the configured CI mode."""
        ci = self.config.ci
        return role_trust_policy(
            self.ci_user_arn if ci.uses_user else None,
            external_id,
            self.github_provider_arn,
            subjects,
            TrustConditions(ci.allowed_source_cidrs, ci.require_session_name),
        )

    def ci_group_policy(self) -> Document:
        """Return the CI group's inline policy: assume the baseline's roles (and, when the user carries the
        organisation's boundary rather than its own, nothing else)."""
        return ci_group_policy(self.ci_assume_resources, self.config.ci.allowed_source_cidrs, self.ci_only_assume_in)

    @property
    def ci_only_assume_in(self) -> str | None:
        """Return the role path the CI group's own Deny statements confine the user to (organisation's boundary only)."""
        return self.role_path_arn if self.config.organization_boundary is not None else None

    @property
    def created_principal_arns(self) -> tuple[str, ...]:
        """Return the ARN patterns of every role and user services create, which the state bucket refuses when they
        carry the organisation's boundary (no longer the service's, which denied them the bucket); else ()."""
        if self.config.organization_boundary is None:
            return ()
        wildcard = naming.service_iam_path(self.config.name_prefix, "").strip("/") + "/*"  # every service's path
        return (arns.format_arn(self.ctx, "iam", "role", RoleNameWithPath=wildcard),
                arns.format_arn(self.ctx, "iam", "user", UserNameWithPath=wildcard))  # fmt: skip

    def ci_boundary_policy(self) -> Document:
        """Return the CI user's permissions boundary."""
        return ci_boundary_policy(self.role_path_arn)


def provisioning_plans(services: tuple[ServiceRolePlan, ...]) -> tuple[ServiceRolePlan, ...]:
    """Return every provisioning role of these services: each one's own (when it has one), then its components'."""
    return tuple(p for plan in services for p in ((plan,) if plan.has_role else ()) + plan.components)


def role_names(bp: Blueprint) -> list[str]:
    """Return every role the baseline creates: the shared state role, then each service's roles."""
    names = [bp.state_role_name] if bp.state_role_name else []
    for plan in bp.services:
        names += [plan.role_name] if plan.has_role else []
        names += [plan.state_role_name] if plan.state_role_name else []
        names += [component.role_name for component in plan.components]
        names += [p.preview_role_name for p in provisioning_plans((plan,)) if p.preview_role_name]
    return names
