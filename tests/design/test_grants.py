"""Grant compaction: patterns reach exactly the intended actions, never a destructive one in prod."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baseline.aws.catalog import get_actions_for_service, get_destructive_actions_for_service, is_destructive
from baseline.design.grants import compact_actions, expand_patterns, resolve_grant

SERVICES = ["sqs", "ec2", "s3", "iam", "rds", "ecs", "dynamodb", "glue", "kms", "lambda", "route53", "elasticloadbalancing", "logs"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_wildcard_without_deletes_reaches_every_safe_action_and_no_destructive_one(service):
    grant = resolve_grant([f"{service}:*"], allow_delete=False)
    everything = set(get_actions_for_service(service))
    destructive = set(get_destructive_actions_for_service(service))
    reached = expand_patterns(grant.allow)
    assert reached == everything - destructive, (
        f"{service}:* in prod reaches {sorted(reached & destructive)[:5]} / misses {sorted(everything - destructive - reached)[:5]}"
    )
    assert expand_patterns(grant.deny_destructive) == destructive


@pytest.mark.parametrize("service", SERVICES)
def test_compaction_stays_far_below_the_literal_list(service):
    grant = resolve_grant([f"{service}:*"], allow_delete=False)
    assert len(grant.reachable) < 50 or len(grant.allow) <= len(grant.reachable) / 2, (
        f"{service}: {len(grant.allow)} patterns for {len(grant.reachable)} actions"
    )


def test_allowing_deletes_keeps_the_configured_patterns():
    grant = resolve_grant(["sqs:*", "s3:getobject"], allow_delete=True)
    assert grant.allow == ("s3:GetObject", "sqs:*")
    assert grant.deny_destructive == ()
    assert "sqs:DeleteQueue" in grant.reachable


def test_literal_actions_stay_literal():
    # sqs:SendMessage is the only sqs:Send* action today; a wildcard would also reach tomorrow's.
    assert compact_actions(["s3:GetObject", "sqs:SendMessage"]) == ("s3:GetObject", "sqs:SendMessage")


def test_a_wildcard_subsumes_its_literals():
    actions = set(expand_patterns(["s3:DeleteBucket*"]))
    assert compact_actions(actions) == ("s3:DeleteBucket*",)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), service=st.sampled_from(SERVICES))
def test_compaction_of_any_subset_reaches_exactly_that_subset(data, service):
    actions = get_actions_for_service(service)
    subset = data.draw(st.sets(st.sampled_from(actions), min_size=1, max_size=len(actions)))
    assert expand_patterns(compact_actions(subset)) == subset


@settings(max_examples=40, deadline=None)
@given(data=st.data(), service=st.sampled_from(SERVICES))
def test_no_generated_prod_grant_reaches_a_destructive_action(data, service):
    actions = get_actions_for_service(service)
    patterns = data.draw(
        st.lists(
            st.sampled_from([f"{service}:*", *actions, *{f"{a.split(':')[0]}:{a.split(':')[1][:3]}*" for a in actions}]),
            min_size=1,
            max_size=8,
        )
    )
    grant = resolve_grant(patterns, allow_delete=False)
    assert not [a for a in expand_patterns(grant.allow) if is_destructive(a)]
