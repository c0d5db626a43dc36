"""Quota checks on the whole baseline, before anything is registered."""

import pytest

from baseline.aws.arns import AccountContext
from baseline.aws.catalog import get_actions_for_service
from baseline.design import quotas
from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.policies import iter_statements, policy_json
from tests.helpers import CTX


def test_a_policy_over_the_inline_quota_is_split_and_refused_only_beyond_the_managed_policies_per_role():
    # Every ec2 action written out literally, with deletes allowed so nothing compacts them: five managed policies.
    raw = {"services": {"huge": {"actions": list(get_actions_for_service("ec2")), "allowDelete": True}}}
    bp = design_baseline(parse_config(raw, "dev"), CTX)
    assert len(bp.grant_policies(bp.role_plans[0])) == 5
    with pytest.raises(ConfigError) as caught:
        design_baseline(parse_config({**raw, "managedPoliciesPerRole": 4}, "dev"), CTX)
    (finding,) = caught.value.findings
    assert finding.location == "services.huge.actions" and "10240" in finding.detail
    assert "needs 5" in finding.detail and "quota of 4" in finding.detail and "raise iam-baseline:managedPoliciesPerRole" in finding.detail


def test_the_longest_external_id_fits_a_trust_but_a_trust_over_its_quota_is_refused_naming_the_service():
    raw = {"services": {"api": {"actions": ["sqs:SendMessage"], "externalId": "x" * 1224}}}
    bp = design_baseline(parse_config(raw, "dev"), CTX)
    trust = policy_json(bp.trust_policy((), "x" * 1224))
    assert "x" * 1224 in trust and quotas.policy_size(trust) <= quotas.TRUST_POLICY_MAX_CHARS
    cidrs = [f"203.0.{i}.0/24" for i in range(60)]
    with pytest.raises(ConfigError) as caught:
        design_baseline(parse_config({**raw, "ci": {"allowedSourceCidrs": cidrs}}, "dev"), CTX)
    messages = {f.location: f.detail for f in caught.value.findings}
    assert "2048" in messages["services.api"] and "trust policy" in messages["services.api"]
    assert "wildcards" not in messages["services.api"], "action wildcards do not shrink a trust policy"


def test_ci_policy_lists_every_role_while_it_fits_then_falls_back_to_the_baseline_path():
    few = design_baseline(parse_config({"services": {f"s{i}": {"actions": ["sqs:SendMessage"]} for i in range(3)}}, "dev"), CTX)
    (stmt,) = iter_statements(few.ci_group_policy())
    assert stmt["Resource"] == sorted([s.role_arn for s in few.services] + [s.state_role_arn for s in few.services])
    assert few.state_role_arn is None, "per-service state (the default) has no shared state role"
    many = design_baseline(parse_config({"services": {f"s{i}": {"actions": ["sqs:SendMessage"]} for i in range(120)}}, "dev"), CTX)
    (stmt,) = iter_statements(many.ci_group_policy())
    assert stmt["Resource"] == ["arn:aws:iam::111122223333:role/iam-baseline/*"]


def test_more_roles_than_the_default_account_quota_is_a_warning():
    cfg = parse_config({"services": {f"s{i}": {"actions": ["sqs:SendMessage"]} for i in range(1000)}}, "dev")
    bp = design_baseline(cfg, CTX)
    assert [w.location for w in bp.warnings] == ["services"] and "1000" in bp.warnings[0].detail


def test_destructive_actions_named_outright_in_prod_are_reported_as_dropped():
    bp = design_baseline(parse_config({"services": {"api": {"actions": ["ec2:Describe*", "ec2:DeleteSecurityGroup"]}}}, "prod"), CTX)
    assert [w.location for w in bp.warnings] == ["services.api.actions[1]"]


def test_default_bucket_name_is_derived_from_prefix_account_and_region():
    bp = design_baseline(parse_config({"namePrefix": "Acme"}, "dev"), CTX)
    assert bp.bucket_name == "acme-state-111122223333-eu-west-1"
    assert bp.backend_url == "s3://acme-state-111122223333-eu-west-1?region=eu-west-1"


def test_a_prefix_that_cannot_make_a_bucket_name_asks_for_one():
    with pytest.raises(ConfigError) as caught:
        design_baseline(parse_config({"namePrefix": "under_score"}, "dev"), CTX)
    assert caught.value.findings[0].location == "stateBucket.name"


def test_arns_follow_the_partition():
    gov = AccountContext("111122223333", "us-gov-west-1", "aws-us-gov", "amazonaws.com")
    bp = design_baseline(parse_config({"stateIsolation": "shared"}, "dev"), gov)
    assert bp.state_role_arn == "arn:aws-us-gov:iam::111122223333:role/iam-baseline/iam-baseline-state"
    assert bp.bucket_arn.startswith("arn:aws-us-gov:s3:::")
