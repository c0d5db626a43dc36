"""IAM's quotas checked against a Blueprint at worst-case sizes: every document, and the role count."""

from __future__ import annotations

from baseline.aws.catalog import get_actions_matching, is_destructive
from baseline.design import quotas
from baseline.design.blueprint import EXTERNAL_ID_PLACEHOLDER, KMS_KEY_ID_PLACEHOLDER, Blueprint, ServiceRolePlan, role_names
from baseline.design.config import ServiceConfig
from baseline.design.findings import Finding
from baseline.design.policies import (
    Document,
    policy_json,
)

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
