"""Issue 21: for resource types drawn at random across the pinned pulumi-aws (`tests/fixtures/random_types/`),
discover proposes at least 90% of what the AWS provider calls for one resource with its required inputs, at most
25% of its proposal is never called, and no type goes without a proposal. The oracle rows were written from the
provider's code; `python bench/discover_coverage.py --set random` prints the same measurement in full."""

import pytest

from baseline.aws.catalog import get_actions_for_service
from tests.random_types_measure import LIFECYCLE_SETS, Totals, format_report, load_oracle, measure, required_inputs, sample_tokens


@pytest.fixture(scope="module")
def totals() -> Totals:
    return measure()


def test_the_oracle_covers_exactly_the_seeded_sample_of_the_pinned_provider():
    assert list(load_oracle()) == sample_tokens()


def test_every_oracle_action_is_one_the_catalogue_knows_unless_marked_uncatalogued():
    for token, row in load_oracle().items():
        assert set(row) >= {*LIFECYCLE_SETS, "evidence"}, token
        known = [a for s in LIFECYCLE_SETS if s != "uncatalogued" for a in row[s] or ()]
        assert all(a in get_actions_for_service(a.split(":", 1)[0]) for a in known), token
        assert not any(a in get_actions_for_service(a.split(":", 1)[0]) for a in row["uncatalogued"] or ()), token


def test_required_inputs_name_pulumi_properties_and_hand_role_arns():
    inputs = required_inputs("aws:bedrock/agentFlow:AgentFlow")
    assert inputs["executionRoleArn"].startswith("arn:aws:iam::")
    assert inputs["tags"] == {"team": "x"}
    assert set(required_inputs("aws:glacier/vaultLock:VaultLock")) == {"completeLock", "policy", "vaultName"}


def test_every_sampled_type_gets_a_proposal(totals):
    assert totals.without_proposal == [], format_report(totals)


def test_the_proposal_holds_at_least_90_percent_of_what_the_provider_calls(totals):
    assert totals.recall >= 0.90, format_report(totals)


def test_at_most_25_percent_of_the_proposal_is_never_called(totals):
    assert totals.excess <= 0.25, format_report(totals)
