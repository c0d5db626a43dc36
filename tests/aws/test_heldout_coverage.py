"""Issue 15: on realistic programs the permission table was not written from (`tests/fixtures/heldout/`),
discover's proposal holds at least 98% of what the AWS provider calls to create, read, update, tag, untag
and (in dev) delete every resource and data source, at most 20% of what it proposes is never called, it
proposes no data-plane action, and nothing crashes. The oracle is each program's `expected.yaml`, written
from the provider's code; `python bench/discover_coverage.py` prints the same measurement in full."""

import pytest

from tests.heldout_measure import Totals, format_report, heldout_programs, is_data_plane, load_expected, measure


@pytest.fixture(scope="module")
def totals() -> Totals:
    return measure()


def test_there_are_seven_held_out_programs_each_with_its_oracle():
    programs = heldout_programs()
    assert len(programs) >= 7, [p.name for p in programs]
    for program in programs:
        by_type = load_expected(program)
        assert by_type, f"{program.name}: empty oracle"
        assert not {a for actions in by_type.values() for a in actions if is_data_plane(a)}, (
            f"{program.name}: the oracle lists data-plane actions"
        )


def test_discover_runs_every_held_out_program_without_crashing(totals):
    assert totals.crashed == {}, totals.crashed
    assert all(not p.unmapped for p in totals.programs), {p.name: p.unmapped for p in totals.programs if p.unmapped}


def test_the_proposal_covers_at_least_98_percent_of_what_the_provider_calls(totals):
    assert totals.coverage >= 0.98, format_report(totals)


def test_at_most_20_percent_of_the_proposal_is_never_called(totals):
    assert totals.noise <= 0.20, format_report(totals)


def test_no_data_plane_action_is_proposed(totals):
    assert totals.data_plane == {}, totals.data_plane


def test_the_data_plane_check_flags_what_a_deployer_never_needs():
    assert all(
        map(
            is_data_plane,
            ["s3:GetObject", "sqs:SendMessage", "sns:Publish", "lambda:InvokeFunction", "dynamodb:PutItem", "iam:CreateAccessKey"],
        )
    )
    assert not any(
        map(
            is_data_plane,
            ["s3:ListBucket", "ec2:DescribeImages", "sqs:SetQueueAttributes", "lambda:AddPermission", "logs:PutRetentionPolicy"],
        )
    )
