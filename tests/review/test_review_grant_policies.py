"""Review sees a role whose grant is split into managed policies whole: what it reaches, every document,
and in the quota budget one row per grant policy plus their count against managedPoliciesPerRole."""

import pytest

from baseline.aws.catalog import get_actions_matching
from baseline.cli.plan import format_plan, plan_data
from baseline.design.config import parse_config
from baseline.review.report import format_review
from baseline.review.review import quota_budget, review
from tests.helpers import LARGE_GRANT_SERVICES, large_grant, render

RAW = {"managedPoliciesPerRole": 12, "services": {"big": {"actions": large_grant()}}}


@pytest.fixture(scope="module")
def rendering():
    return render(RAW, stack="dev")


@pytest.fixture(scope="module")
def report(rendering):
    return review(rendering, parse_config(RAW, "dev"))


def test_the_split_role_reaches_its_whole_grant(report):
    role = report.principals["service/big"]
    granted = {a for p in large_grant() for a in get_actions_matching(p)}
    assert set(large_grant()) <= role.reachable and {a for a in role.reachable if a.split(":")[0] in LARGE_GRANT_SERVICES} == granted
    assert sorted(role.documents()) == [
        "managed-iam-baseline-svc-big-grant-1",
        "managed-iam-baseline-svc-big-grant-2",
        "managed-iam-baseline-svc-big-grant-3",
        "policy-provisioning",
        "trust-policy",
    ]


def test_the_quota_budget_has_a_row_per_grant_policy_and_their_count_against_the_configured_quota(report):
    rows = [(q["document"], q["size"], q["limit"]) for q in report.quotas if q["principal"] == "service/big"]
    grant_rows = [r for r in rows if r[0].startswith("managed policy iam-baseline-svc-big-grant-")]
    assert [r[0][-1] for r in grant_rows] == ["1", "2", "3"]
    assert all(0 < size <= limit == 6144 for _, size, limit in grant_rows)
    assert ("attached managed policies", 3, 12) in rows
    (inline,) = [r for r in rows if r[0] == "inline policies (aggregate)"]
    assert inline[1] <= inline[2] == 10240
    assert not [f for f in report.findings if f.code == "quota"]
    assert "managed policy iam-baseline-svc-big-grant-3" in format_review(report)


def test_more_attached_policies_than_the_quota_is_a_finding(report):
    _, findings = quota_budget(report.principals, managed_per_role=2)
    (finding,) = [f for f in findings if f.code == "quota"]
    assert finding.location == "role/iam-baseline-svc-big" and "attached managed policies is 3" in finding.detail


def test_a_role_that_fits_inline_gets_no_extra_rows():
    small = review(render({"services": {"api": {"actions": ["sqs:*"]}}}, stack="dev"))
    assert not [q for q in small.quotas if q["document"].startswith("attached") or "-grant-" in q["document"]]


def test_the_offline_plan_shows_the_grant_policies_with_their_limit(rendering):
    role = plan_data(rendering)["principals"]["role/iam-baseline-svc-big"]
    assert sorted(role["managedPolicies"]) == [f"iam-baseline-svc-big-grant-{i}" for i in (1, 2, 3)]
    assert all(p["limit"] == 6144 and p["size"] <= 6144 for p in role["managedPolicies"].values())
    assert "attached managed policy iam-baseline-svc-big-grant-2 (part of its grant)" in format_plan(plan_data(rendering))
