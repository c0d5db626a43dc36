"""The whole baseline as plain data: names, ARNs and grants, checked against IAM's quotas.

Built before any resource is registered, so every config or quota problem surfaces first. Values
only AWS or Pulumi know later (generated external IDs, the KMS key's ID) are stood in for by
placeholders of their exact length, so the size checks here are the sizes AWS will see.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.aws.catalog import get_actions_matching, is_destructive
from baseline.design import github_subjects as github
from baseline.design import naming, preview, quotas
from baseline.design.config import BaselineConfig, ServiceConfig
from baseline.design.escalation import IamConfinement, changes_iam, confinement_statements
from baseline.design.external_ids import GENERATED_EXTERNAL_ID_LENGTH
from baseline.design.findings import ConfigError, Finding, config_error
from baseline.design.grant_split import GrantLayout, layout_grant
from baseline.design.grants import ServiceGrant, destructive_patterns, expand_patterns, resolve_grant
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
    policy_json,
    project_state_policy,
    role_trust_policy,
    service_role_allows,
    service_role_guards,
    state_role_policy,
)
from baseline.design.resource_overlaps import ScopedGrant, overlapping_grants

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


def _service_plan(
    config: BaselineConfig, svc: ServiceConfig, baseline_path: str, ctx: AccountContext, owner: str = "", component: str = ""
) -> ServiceRolePlan:
    """Return a service's plan (with its components'), or, given `owner` and `component`, the plan of one
    component, built from its unit (`ServiceConfig.component_unit`): the same role, without a state role."""
    prefix, own_state_role = config.name_prefix, config.state_isolation == "per-service" and not component
    role_name = naming.service_role_name(prefix, svc.name)
    grant = resolve_grant(svc.actions, svc.allow_delete)
    service_path = naming.service_iam_path(prefix, svc.name)
    confinement = boundary_name = None
    if changes_iam(expand_patterns(svc.actions)):
        paths = (*arns.iam_path_arns(ctx, service_path, instance_profiles=True), arns.service_linked_role_arns(ctx))
        if config.organization_boundary is None:
            boundary_name = naming.service_boundary_name(prefix, svc.name)
            confinement = IamConfinement(tuple(sorted(paths)), arns.policy_arn(ctx, baseline_path, boundary_name))
        else:  # what it creates carries the organisation's boundary; it may attach only its own policies
            own_policies = (arns.policy_arn(ctx, service_path, "*"),)
            confinement = IamConfinement(tuple(sorted(paths)), config.organization_boundary, own_policies)
    state_name = naming.service_state_role_name(prefix, svc.name) if own_state_role else None
    state_arn = arns.role_arn(ctx, baseline_path, state_name) if state_name else None
    handoff = naming.handoff_stack_name(config.project, config.stack, svc.pulumi_project)
    components = tuple(_service_plan(config, svc.component_unit(c), baseline_path, ctx, svc.name, c.name) for c in svc.components)
    preview_name = naming.preview_role_name(prefix, svc.name) if config.preview_roles and svc.has_own_role else None
    return ServiceRolePlan(
        svc,
        role_name,
        arns.role_arn(ctx, baseline_path, role_name),
        grant,
        service_path,
        confinement,
        boundary_name,
        state_name,
        state_arn,
        handoff,
        svc.has_own_role,
        owner or svc.name,
        component,
        components,
        preview_role_name=preview_name,
        preview_role_arn=arns.role_arn(ctx, baseline_path, preview_name) if preview_name else None,
    )


def design_baseline(config: BaselineConfig, ctx: AccountContext) -> Blueprint:
    """Return the blueprint of the baseline, or raise ConfigError listing every quota breach."""
    findings: list[Finding] = []
    prefix = config.name_prefix
    iam_path = naming.iam_path(prefix)
    bucket_name = config.state_bucket.name or naming.default_bucket_name(prefix, ctx.account_id, ctx.region)
    if config.state_bucket.name is None and (problem := quotas.bucket_name_problem(bucket_name)):
        findings.append(
            config_error(
                "stateBucket.name", f"the default name {bucket_name!r} derived from namePrefix is invalid ({problem}); set stateBucket.name"
            )
        )
    ci_user_name = config.ci.user_name or naming.ci_user_name(prefix)
    state_role_name = naming.shared_state_role_name(prefix) if config.state_isolation == "shared" else None
    services = tuple(_service_plan(config, svc, iam_path, ctx) for svc in config.services)
    state_role_arn = arns.role_arn(ctx, iam_path, state_role_name) if state_role_name else None
    provisioning_arns = [p.role_arn for p in provisioning_plans(services)]
    role_arns = [a for a in [state_role_arn, *provisioning_arns, *(s.state_role_arn for s in services)] if a]
    role_arns += [p.preview_role_arn for p in provisioning_plans(services) if p.preview_role_arn]
    role_path_arn = arns.role_arn(ctx, iam_path, "*")
    only_in = role_path_arn if config.organization_boundary is not None else None
    exact = ci_group_policy(role_arns, config.ci.allowed_source_cidrs, only_in)
    ci_assume = tuple(role_arns) if quotas.policy_size(policy_json(exact)) <= quotas.GROUP_INLINE_AGGREGATE_MAX_CHARS else (role_path_arn,)
    provider_arn = None
    if config.ci.uses_github:
        provider_arn = config.ci.github_provider_arn or arns.format_arn(ctx, "iam", "oidc-provider", OidcProviderName=github.ISSUER_HOST)
    blueprint = Blueprint(
        config=config,
        ctx=ctx,
        iam_path=iam_path,
        bucket_name=bucket_name,
        bucket_arn=arns.bucket_arn(ctx, bucket_name),
        objects_arn=arns.object_arn(ctx, bucket_name, "*"),
        backend_objects_arn=arns.object_arn(ctx, bucket_name, naming.PULUMI_BACKEND_PREFIX + "*"),
        ci_user_name=ci_user_name,
        ci_user_arn=arns.user_arn(ctx, iam_path, ci_user_name),
        ci_group_name=naming.ci_group_name(prefix),
        github_provider_arn=provider_arn,
        ci_boundary_policy_name=naming.ci_boundary_policy_name(prefix),
        role_path_arn=role_path_arn,
        ci_assume_resources=ci_assume,
        state_role_name=state_role_name,
        state_role_arn=state_role_arn,
        services=services,
        baseline_iam_arns=tuple(arns.iam_path_arns(ctx, iam_path)),
    )
    blueprint = dataclasses.replace(blueprint, grant_layouts={p.role_name: blueprint.grant_layout(p) for p in blueprint.role_plans})
    findings += check_quotas(blueprint)
    findings += organization_boundary_findings(config, ctx)
    findings += overlapping_grants(ScopedGrant(p.config_key, p.service.resources, p.service.filled_resources) for p in blueprint.role_plans)
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise ConfigError(errors)
    return dataclasses.replace(
        blueprint,
        warnings=tuple(sorted([f for f in findings if f not in errors], key=lambda f: (f.location, f.detail))),
    )


def organization_boundary_findings(config: BaselineConfig, ctx: AccountContext) -> list[Finding]:
    """Return an error when the organisation's boundary is not a policy this account's principals can carry:
    another partition, or another account's customer managed policy."""
    if config.organization_boundary is None:
        return []
    _, partition, _, _, account, _ = config.organization_boundary.split(":", 5)
    if partition != ctx.partition or account not in ("aws", ctx.account_id):
        detail = (f"names a policy of partition {partition}, account {account}; a boundary must be an AWS managed policy or one of "
                  f"this account's ({ctx.partition}, {ctx.account_id})")  # fmt: skip
        return [config_error("organizationBoundary", detail)]
    return []


def role_names(bp: Blueprint) -> list[str]:
    """Return every role the baseline creates: the shared state role, then each service's roles."""
    names = [bp.state_role_name] if bp.state_role_name else []
    for plan in bp.services:
        names += [plan.role_name] if plan.has_role else []
        names += [plan.state_role_name] if plan.state_role_name else []
        names += [component.role_name for component in plan.components]
        names += [p.preview_role_name for p in provisioning_plans((plan,)) if p.preview_role_name]
    return names


# How to shrink a document: a trust lists principals and conditions, a permission policy actions.
_SHRINK_HINTS = {
    True: "fewer source CIDRs, GitHub branches or environments, or a shorter external ID (AWS can raise the trust quota to 4,096)",
    False: "narrow it or use wildcards such as 'ec2:Describe*'",
}


def check_quotas(bp: Blueprint) -> list[Finding]:
    """Return a finding for every document or count over its IAM quota, at worst-case sizes."""
    findings: list[Finding] = []
    key_arn = bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)

    def over(key: str, what: str, document: Document, limit: int) -> None:
        if not document["Statement"]:  # IAM refuses it (MalformedPolicyDocument)
            findings.append(Finding("empty-policy", key, f"{what} would have no statement; IAM refuses an empty policy"))
        size = quotas.policy_size(policy_json(document))
        if size > limit:
            findings.append(
                Finding(
                    "quota",
                    key,
                    f"{what} would be {size} characters, over IAM's limit of {limit}; {_SHRINK_HINTS[limit == quotas.TRUST_POLICY_MAX_CHARS]}",
                )
            )

    if bp.state_role_name is not None:
        over(
            "ci",
            "the state role's trust policy",
            bp.trust_policy(bp.state_subjects, EXTERNAL_ID_PLACEHOLDER),
            quotas.TRUST_POLICY_MAX_CHARS,
        )
        over("stateBucket", "the state role's policy", bp.state_policy(key_arn), quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS)
    if bp.config.ci.uses_user:
        over("ci", "the CI group's policy", bp.ci_group_policy(), quotas.GROUP_INLINE_AGGREGATE_MAX_CHARS)
        if bp.config.organization_boundary is None:  # else the user carries the organisation's
            over("ci", "the CI user's permissions boundary", bp.ci_boundary_policy(), quotas.MANAGED_POLICY_MAX_CHARS)
    for plan in bp.role_plans:
        key = plan.config_key
        trust = bp.trust_policy(plan.subjects, plan.service.external_id or EXTERNAL_ID_PLACEHOLDER)
        over(key, "the role's trust policy", trust, quotas.TRUST_POLICY_MAX_CHARS)
        grant_key = f"{key}.uses" if plan.service.uses else f"{key}.actions"
        if (layout := bp.grant_layout(plan)).split:
            findings += _split_grant_findings(bp, plan, grant_key, key_arn)
        elif layout.inline_size > quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS:  # sized at these very key_arn stand-ins
            over(grant_key, "the role's policy", bp.service_policy(plan, key_arn), quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS)
        if (boundary := bp.service_boundary(plan, key_arn)) is not None:
            over(grant_key, "the permissions boundary for roles it creates", boundary, quotas.MANAGED_POLICY_MAX_CHARS)
        if plan.preview_role_name is not None:
            preview_trust = bp.trust_policy(plan.preview_subjects, EXTERNAL_ID_PLACEHOLDER)
            over(key, "its preview role's trust policy", preview_trust, quotas.TRUST_POLICY_MAX_CHARS)
            over(key, "its preview role's policy", bp.preview_policy(plan, key_arn), quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS)
        if not plan.service.allow_delete and not plan.service.uses:  # a manifest's deletes are dropped by design
            findings += _dropped_destructive(plan.service, key)
    for plan in bp.services:
        if plan.state_role_name is not None:
            over(
                f"services.{plan.service.name}",
                "its state role's policy",
                bp.project_state_policy(plan, key_arn),
                quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS,
            )
    role_count = len(role_names(bp))
    if role_count > quotas.ROLES_PER_ACCOUNT:
        findings.append(Finding("role-quota", "services", role_quota_detail(role_count)))
    return findings


def _split_grant_findings(bp: Blueprint, plan: ServiceRolePlan, grant_key: str, key_arn: str | None) -> list[Finding]:
    """Return why a role whose grant is over the inline limit cannot have it split into managed policies
    (none when it can): its guards alone over the inline limit, one action over a managed policy's, or
    more managed policies than the account's quota per role."""
    inline_limit, managed_limit = quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS, quotas.MANAGED_POLICY_MAX_CHARS
    whole = quotas.policy_size(policy_json(bp.unsplit_service_policy(plan, key_arn)))
    why = f"the role's policy would be {whole} characters, over IAM's inline limit of {inline_limit}"
    inline = bp.grant_layout(plan).inline_size
    if inline > inline_limit:
        return [Finding("quota", grant_key, f"{why}, and its guards alone {inline}; {_SHRINK_HINTS[False]}")]
    policies = bp.grant_policies(plan)
    sizes = [quotas.policy_size(policy_json(doc)) for doc in policies]
    if max(sizes) > managed_limit:
        return [
            Finding(
                "quota",
                grant_key,
                f"{why}, and it cannot be split into managed policies: one action on its {len(plan.service.resources)} resources is "
                f"{max(sizes)} characters, over IAM's managed-policy limit of {managed_limit}; fewer or shorter resources",
            )
        ]
    allowed = bp.config.managed_policies_per_role
    if len(policies) > allowed:
        raise_it = (
            f"raise iam-baseline:managedPoliciesPerRole (up to {quotas.MANAGED_POLICIES_PER_ROLE_MAX}, once AWS has raised the account's quota), or "
            if allowed < quotas.MANAGED_POLICIES_PER_ROLE_MAX
            else ""
        )
        return [
            Finding(
                "quota",
                grant_key,
                f"{why}; split into managed policies of at most {managed_limit} characters it needs {len(policies)}, over the quota of "
                f"{allowed} managed policies per role (iam-baseline:managedPoliciesPerRole); {raise_it}{_SHRINK_HINTS[False]}",
            )
        ]
    return []


def role_quota_detail(role_count: int) -> str:
    """Return what the role-quota finding says (design time and review alike)."""
    # Raisable, and shared with roles we cannot see, so a warning rather than a refusal.
    return f"{role_count} roles exceed the account's default quota of {quotas.ROLES_PER_ACCOUNT}; ask AWS to raise it first"


def _dropped_destructive(service: ServiceConfig, key: str) -> list[Finding]:
    """Return a warning for each action named outright that is dropped because deletes are denied."""
    return [
        Finding(
            "destructive-dropped",
            f"{key}.actions[{index}]",
            f"{pattern!r} is destructive and is not granted because deletes are not allowed here (allowDelete: false)",
        )
        for index, pattern in enumerate(service.actions)
        if "*" not in pattern and "?" not in pattern and all(is_destructive(a) for a in get_actions_matching(pattern))
    ]
