"""The baseline program: config in, resources registered, stack outputs returned.

Order matters for safety: config is parsed and the whole blueprint (every policy at its final
size) is checked before the first resource is registered, so bad input creates nothing.
"""

from __future__ import annotations

import functools
from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_random as random

from baseline import __version__
from baseline.aws.arns import AccountContext
from baseline.design import naming
from baseline.design.blueprint import Blueprint, ServiceRolePlan, role_names
from baseline.design.config import BaselineConfig, account_pin_findings, allowed_account_ids, decode_pulumi_config, parse_config
from baseline.design.designer import design_baseline
from baseline.design.external_ids import SEED_LENGTH, derive_external_id, derive_handoff_passphrase
from baseline.design.findings import ConfigError
from baseline.offline.pulumi_private import all_config
from baseline.stack import collector
from baseline.stack.args import ci_principal_args, github_oidc_args, service_roles_args, state_backend_args
from baseline.stack.aws_config import RoleProfile, aws_config_text
from baseline.stack.ci_principal import CiPrincipal
from baseline.stack.oidc_provider import GithubOidc
from baseline.stack.service_roles import ServiceRoles
from baseline.stack.state_backend import StateBackend


def read_stack_config(stack: str) -> BaselineConfig:
    """Return the running stack's parsed `iam-baseline:` config (all keys, so unknown ones are caught)."""
    values = all_config()
    return parse_config(decode_pulumi_config(values), stack, project=pulumi.get_project(), allowed_account_ids=allowed_account_ids(values))


def read_account_context() -> AccountContext:
    """Return the account, region and partition the AWS provider is configured for."""
    identity = aws.get_caller_identity()
    partition = aws.get_partition()
    return AccountContext(
        account_id=identity.account_id,
        region=aws.get_region().region,
        partition=partition.partition,
        dns_suffix=partition.dns_suffix,
    )


def build_baseline(config: BaselineConfig, ctx: AccountContext) -> dict[str, Any]:
    """Register the baseline's resources and return its stack outputs by name."""
    if pin_problems := account_pin_findings(config, ctx.account_id):
        raise ConfigError(pin_problems)  # before anything is registered: the wrong account, or prod unpinned
    bp = design_baseline(config, ctx)  # raises ConfigError before anything is registered
    collector.freeze_survivors()  # the design lives until the end: no collector pass need walk it again
    for warning in bp.warnings:
        pulumi.log.warn(warning.line())
    ci_config = config.ci
    # Secret once here: every value derived from it by apply (external IDs, passphrases) stays secret.
    seed: pulumi.Output[str] = pulumi.Output.secret(random.RandomPassword("external-id-seed", length=SEED_LENGTH, special=False).result)
    external_ids = _external_ids(bp, seed) if ci_config.uses_user else {}
    ci = CiPrincipal("ci", ci_principal_args(bp)) if ci_config.uses_user else None
    oidc = GithubOidc("github", github_oidc_args(bp)) if ci_config.uses_github else None
    trusted: list[pulumi.Resource] = [r for r in (ci.user if ci else None, oidc.provider if oidc else None) if r is not None]
    state = StateBackend("state", state_backend_args(bp), external_ids.get(bp.state_role_name or ""), trusted_principals=trusted)
    services = ServiceRoles(
        "services",
        service_roles_args(bp),
        external_ids,
        state.kms_key.arn if state.kms_key else None,
        trusted_principals=trusted,
    )
    outputs: dict[str, Any] = {
        "accountId": ctx.account_id,
        "baselineVersion": __version__,
        "stateBucketName": state.bucket.bucket,
        "stateBucketArn": state.bucket.arn,
        "backendUrl": bp.backend_url,
        "region": ctx.region,
        "provisioningRoles": {
            p.service.name: {
                **(_provisioning_output(p, services, external_ids) if p.has_role else {}),
                "handoffStack": p.handoff_stack,
                "handoffPassphrase": seed.apply(functools.partial(_passphrase_for, p.service.pulumi_project)),
                **(
                    {"components": {c.component: _provisioning_output(c, services, external_ids) for c in p.components}}
                    if p.components
                    else {}
                ),
                **(
                    {
                        "stateRole": _role_output(services.roles[p.state_role_name], external_ids.get(p.state_role_name), p.subjects),
                        "backendUrl": bp.backend_url,
                    }
                    if p.state_role_name
                    else {}
                ),
            }
            for p in bp.services
        },
    }
    if state.role is not None:
        outputs["stateRole"] = _role_output(state.role, external_ids.get(bp.state_role_name or ""), bp.state_subjects)
    windows = {_window_key(p): {"until": w.until_text, "reason": w.reason} for p in bp.role_plans if (w := p.service.delete_window)}
    if windows:
        outputs["deleteWindows"] = windows
    if ci is not None:
        service_arns = {p.service.name: services.roles[p.role_name].arn for p in bp.role_plans}
        state_arns = {p.service.name: services.roles[p.state_role_name].arn for p in bp.services if p.state_role_name}
        preview_arns = {p.preview_role_name: services.roles[p.preview_role_name].arn for p in bp.role_plans if p.preview_role_name}
        outputs["awsConfig"] = _aws_config(bp, state.role.arn if state.role else None, service_arns, state_arns, external_ids, preview_arns)
        outputs["ciUser"] = {"name": ci.user.name, "arn": ci.user.arn}
        if ci.access_key is not None:
            outputs["ciUser"]["accessKeyId"] = ci.access_key.id
            # Marked secret here too, not only by the provider's schema, so no runtime can leak it.
            outputs["ciUser"]["secretAccessKey"] = pulumi.Output.secret(cast(Any, ci.access_key.secret))
    if oidc is not None:
        outputs["oidcProviderArn"] = oidc.arn
    return outputs


def _aws_config(
    bp: Blueprint,
    state_arn: pulumi.Output[str] | None,
    service_arns: dict[str, pulumi.Output[str]],
    state_arns: dict[str, pulumi.Output[str]],
    external_ids: dict[str, pulumi.Output[str]],
    preview_arns: dict[str, pulumi.Output[str]] | None = None,  # previewRoles: by role name
) -> pulumi.Output[str]:
    """Return the secret ~/.aws/config text with a profile per role, chained from the `ci` profile."""
    labels = {bp.state_role_name: ("state", state_arn)} if bp.state_role_name and state_arn is not None else {}
    labels.update({p.role_name: (p.service.name, service_arns[p.service.name]) for p in bp.role_plans})
    labels.update({p.state_role_name: (f"{p.service.name}-state", state_arns[p.service.name]) for p in bp.services if p.state_role_name})
    unit_of = len(bp.config.name_prefix + naming.PREVIEW_ROLE_INFIX)  # `<prefix>-preview-<unit>`: profile `<prefix>-<unit>-preview`
    labels.update({name: (f"{name[unit_of:]}-preview", arn) for name, arn in (preview_arns or {}).items()})
    ordered = list(labels)  # the shared state role first, when there is one

    def text(values: list[str]) -> str:
        arn_of, id_of = values[: len(ordered)], values[len(ordered) :]
        profiles = [
            RoleProfile(f"{bp.config.name_prefix}-{labels[r][0]}", arn_of[i], id_of[i], labels[r][0]) for i, r in enumerate(ordered)
        ]
        ci = bp.config.ci
        login = profiles[0].profile if bp.state_role_name else None
        return aws_config_text(bp.bucket_name, bp.ctx.region, profiles, ci.max_session_duration, ci.require_session_name, login)

    values = [labels[r][1] for r in ordered] + [external_ids[r] for r in ordered]
    return pulumi.Output.secret(pulumi.Output.all(*values).apply(text))


def _provisioning_output(plan: ServiceRolePlan, services: ServiceRoles, external_ids: dict[str, pulumi.Output[str]]) -> dict[str, Any]:
    """Return a provisioning role's output entry (a service's own role, or one component's)."""
    return {
        **_role_output(services.roles[plan.role_name], external_ids.get(plan.role_name), plan.subjects),
        "allowDelete": plan.service.allow_delete,
        **({"iamPath": plan.iam_path, "permissionsBoundaryArn": plan.confinement.boundary_arn} if plan.confinement else {}),
        **({"previewRole": _preview_output(plan, services, external_ids)} if plan.preview_role_name else {}),
    }


def _preview_output(plan: ServiceRolePlan, services: ServiceRoles, external_ids: dict[str, pulumi.Output[str]]) -> dict[str, Any]:
    """Return a preview role's output entry: its ARN, its own external ID and its pull-request subjects."""
    name = plan.preview_role_name or ""
    return _role_output(services.roles[name], external_ids.get(name), plan.preview_subjects)


def _window_key(plan: ServiceRolePlan) -> str:
    """Return a delete window's key in the `deleteWindows` output: `<service>`, or `<service>/<component>`."""
    return f"{plan.owner}/{plan.component}" if plan.component else plan.owner


def _role_output(role: aws.iam.Role, external_id: pulumi.Output[str] | None, subjects: tuple[str, ...]) -> dict[str, Any]:
    """Return what a consumer needs to assume a role: its ARN and how it is trusted."""
    out: dict[str, Any] = {"arn": role.arn}
    if external_id is not None:
        out["externalId"] = external_id
    if subjects:
        out["githubSubjects"] = list(subjects)
    return out


def _external_ids(bp: Blueprint, seed: pulumi.Output[str]) -> dict[str, pulumi.Output[str]]:
    """Return each role's external ID as a secret, keyed by role name.

    One random seed for the stack, generated once and kept in state, so IDs stay stable.
    """
    configured = {p.role_name: p.service.external_id for p in bp.services if p.service.external_id}
    ids: dict[str, pulumi.Output[str]] = {}
    for role in role_names(bp):
        if role in configured:
            ids[role] = pulumi.Output.secret(configured[role])
        else:
            ids[role] = seed.apply(functools.partial(_derive_for_role, role))
    return ids


def _derive_for_role(role: str, seed: str) -> str:
    return derive_external_id(seed, role)


def _passphrase_for(service_project: str, seed: str) -> str:
    return derive_handoff_passphrase(seed, service_project)


def run_stack() -> None:
    """Run the baseline for the current stack and export its outputs: the body of `__main__.py`."""
    collector.collect_rarely()
    config = read_stack_config(pulumi.get_stack())
    for name, value in build_baseline(config, read_account_context()).items():
        pulumi.export(name, value)
