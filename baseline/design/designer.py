"""Design the baseline: config and account in, a checked Blueprint out, or every problem at once.

Built before any resource is registered, so every config or quota problem surfaces first.
"""

from __future__ import annotations

import dataclasses

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.design import github_subjects as github
from baseline.design import naming, quotas
from baseline.design.blueprint import Blueprint, ServiceRolePlan, provisioning_plans
from baseline.design.config import BaselineConfig, ServiceConfig
from baseline.design.escalation import IamConfinement, changes_iam
from baseline.design.findings import ConfigError, Finding, config_error
from baseline.design.grants import expand_patterns, resolve_grant
from baseline.design.policies import (
    ci_group_policy,
    policy_json,
)
from baseline.design.quota_checks import check_quotas
from baseline.design.resource_overlaps import ScopedGrant, overlapping_grants


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
