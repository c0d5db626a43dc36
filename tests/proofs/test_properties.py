"""Invariants that hold for every generated config, not just the shipped ones (hypothesis).

Pure checks run on the blueprint (milliseconds per case); the checks that need the external IDs run
the full Pulumi program under mocks and ask the policy simulator, on fewer cases.
"""

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baseline.aws.catalog import get_actions_for_service, is_destructive
from baseline.design import quotas
from baseline.design.blueprint import KMS_KEY_ID_PLACEHOLDER
from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.policies import ci_trust_policy, iter_statements, policy_json
from baseline.review.effective import granted_actions
from tests.emulated_account import unwrap
from tests.helpers import CTX, all_roles, role_documents
from tests.helpers import render as render_program
from tests.policy_simulator import principal, trust_admits

SERVICES = ("sqs", "s3", "dynamodb", "ec2", "iam", "lambda", "ecs", "rds", "logs", "sns", "kms")
PATTERNS = st.one_of(
    st.sampled_from([f"{s}:*" for s in SERVICES]),
    st.sampled_from([f"{s}:{verb}*" for s in SERVICES for verb in ("Describe", "Get", "List", "Create", "Put", "Delete", "Update")]).filter(
        lambda p: any(a.lower().startswith(p[:-1].lower()) for a in get_actions_for_service(p.split(":")[0]))
    ),
    st.sampled_from([a for s in SERVICES for a in get_actions_for_service(s)]),
)
RESOURCES = st.one_of(
    st.just(["*"]),
    st.lists(
        st.sampled_from(
            ["arn:aws:s3:::data-*", "arn:aws:sqs:eu-west-1:111122223333:jobs-*", "arn:aws:dynamodb:eu-west-1:111122223333:table/app-*"]
        ),
        min_size=1,
        max_size=3,
        unique=True,
    ),
)
SERVICE = st.fixed_dictionaries(
    {"actions": st.lists(PATTERNS, min_size=1, max_size=6, unique=True), "resources": RESOURCES},
    optional={"allowDelete": st.booleans()},
)
CONFIGS = st.fixed_dictionaries(
    {"services": st.dictionaries(st.from_regex(r"[a-z][a-z0-9-]{0,19}", fullmatch=True), SERVICE, min_size=1, max_size=5)},
    optional={"stateBucket": st.fixed_dictionaries({"kms": st.booleans()}), "environment": st.sampled_from(["dev", "prod", "staging"])},
)
STACKS = st.sampled_from(["dev", "prod"])


def design(raw, stack):
    """Return the blueprint, or None when the generated config is over a quota (a clear refusal)."""
    try:
        return design_baseline(parse_config(raw, stack), CTX)
    except ConfigError as error:
        # Refusals allowed here: a quota, or a non-prod environment on the stack named prod (it fails closed).
        assert all("over IAM's limit" in f.detail or "named like production" in f.detail for f in error.findings), str(error)
        return None


def shuffled(value, rng):
    if isinstance(value, dict):
        items = list(value.items())
        rng.shuffle(items)
        return {k: shuffled(v, rng) for k, v in items}
    if isinstance(value, list):
        items = [shuffled(v, rng) for v in value]
        rng.shuffle(items)
        return items
    return value


def documents(bp):
    key = bp.kms_key_arn(KMS_KEY_ID_PLACEHOLDER)
    docs = {"ci": bp.ci_group_policy(), "boundary": bp.ci_boundary_policy()}
    if bp.state_role_name:
        docs["state"] = bp.state_policy(key)
    docs.update({p.role_name: bp.service_policy(p, key) for p in bp.services})
    docs.update({p.state_role_name: bp.project_state_policy(p, key) for p in bp.services if p.state_role_name})
    return docs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=CONFIGS, stack=STACKS)
def test_the_ci_key_reaches_nothing_but_assume_role_on_baseline_roles(raw, stack):
    bp = design(raw, stack)
    if bp is None:
        return
    for name in ("ci", "boundary"):
        doc = documents(bp)[name]
        assert granted_actions(doc) == {"sts:AssumeRole"}, f"{name} grants {sorted(granted_actions(doc))[:5]}"
        for stmt in iter_statements(doc):
            assert set(stmt["Resource"]) <= {
                bp.state_role_arn,
                bp.role_path_arn,
                *(a for p in bp.services for a in (p.role_arn, p.state_role_arn)),
            }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=CONFIGS, stack=STACKS)
def test_roles_without_deletes_are_granted_no_destructive_action(raw, stack):
    bp = design(raw, stack)
    if bp is None:
        return
    for plan in bp.services:
        if plan.service.allow_delete:
            continue
        doc = bp.service_policy(plan, None)
        reached = sorted(a for a in granted_actions(doc) if is_destructive(a))
        assert not reached, f"{plan.role_name} ({stack}) is granted {reached[:5]}"
    if stack == "prod" and "allowDelete" not in json.dumps(raw) and raw.get("environment", "prod") == "prod":
        assert all(not p.service.allow_delete for p in bp.services)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=CONFIGS, stack=STACKS, seed=st.integers(0, 2**32 - 1))
def test_every_document_is_within_quota_and_renders_identically_in_any_key_order(raw, stack, seed):
    bp = design(raw, stack)
    if bp is None:
        return
    again = design(shuffled(raw, random.Random(seed)), stack)
    first, second = documents(bp), documents(again)
    assert {k: policy_json(v) for k, v in first.items()} == {k: policy_json(v) for k, v in second.items()}
    limits = {"ci": quotas.USER_INLINE_AGGREGATE_MAX_CHARS, "boundary": quotas.MANAGED_POLICY_MAX_CHARS}
    for name, doc in first.items():
        assert quotas.policy_size(policy_json(doc)) <= limits.get(name, quotas.ROLE_INLINE_AGGREGATE_MAX_CHARS), name
    assert quotas.policy_size(policy_json(ci_trust_policy(bp.ci_user_arn, "x" * 40))) <= quotas.TRUST_POLICY_MAX_CHARS


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=CONFIGS, stack=STACKS)
def test_every_role_requires_its_own_external_id(raw, stack):
    if design(raw, stack) is None:
        return
    rendering = render_program(raw, stack=stack, region="eu-west-1")
    outputs = unwrap(rendering.outputs)
    roles = all_roles(outputs)
    ids = [r["externalId"] for r in roles.values()]
    assert len(set(ids)) == len(ids), "two roles share an external ID"
    ci = principal(outputs["ciUser"]["arn"], [])
    trusts = {name: trust for name, (trust, _) in role_documents(rendering).items()}
    for name, role in roles.items():
        trust = trusts[role["arn"].rsplit("/", 1)[1]]
        assert trust_admits(trust, ci, role["arn"], {"sts:ExternalId": role["externalId"]}), name
        assert not trust_admits(trust, ci, role["arn"], {}), f"{name} admits a caller without an external ID"
