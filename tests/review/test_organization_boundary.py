"""`review` with `organizationBoundary`: it says which principals carry a boundary it cannot see, that what a
service creates is capped by that boundary rather than the service's grant, and still reads the CI user's cap."""

import pytest

from baseline.cli.plan import format_plan, plan_data
from baseline.review.report import format_review
from baseline.review.review import review
from tests.helpers import render

ORG = "arn:aws:iam::123456789012:policy/org/OrgBoundary"
SERVICES = {"platform": {"actions": ["iam:CreateRole", "iam:PassRole", "lambda:*"]}, "api": {"actions": ["sqs:*"]}}


@pytest.fixture(scope="module")
def report():
    return review(render({"organizationBoundary": ORG, "services": SERVICES}, stack="prod"))


def test_review_names_every_principal_carrying_the_boundary_it_cannot_see(report):
    (info,) = [f for f in report.findings if f.code == "external-boundary"]
    assert info.severity == "info" and info.location == "organizationBoundary" and ORG in info.detail
    carriers = sorted(f"{p.kind}/{p.name}" for p in report.principals.values())
    assert len(carriers) == 5 and all(name in info.detail for name in carriers)
    summary = report.to_json()["principals"]
    assert all(p["externalBoundary"] == ORG for p in summary.values())


def test_a_service_that_manages_iam_is_warned_its_created_roles_are_capped_by_the_organisation(report):
    (warning,) = [f for f in report.findings if f.code == "created-external-boundary"]
    assert warning.severity == "warning" and warning.location == "role/iam-baseline-svc-platform" and ORG in warning.detail
    assert report.to_json()["principals"]["service/platform"]["createdPrincipals"] == {"boundary": ORG, "external": True}
    assert "createdPrincipals" not in report.to_json()["principals"]["service/api"]
    assert not [f for f in report.findings if f.code == "created-principal-destructive"]


def test_the_ci_user_is_still_read_as_capped_at_assume_role(report):
    ci = report.principals["ci-user"]
    assert ci.reachable == frozenset({"sts:AssumeRole"}) and ci.boundary is None and ci.external_boundary == ORG


def test_the_text_report_and_the_plan_show_the_boundary(report):
    text = format_review(report)
    assert f"also capped by boundary {ORG}" in text and f"roles it may create: capped by boundary {ORG}" in text
    plan = format_plan(plan_data(render({"organizationBoundary": ORG, "services": SERVICES}, stack="prod")))
    assert plan.count(f"permissions boundary: {ORG}") == 5


def test_without_the_key_review_says_nothing_of_it():
    plain = review(render({"services": SERVICES}, stack="prod"))
    assert not [f for f in plain.findings if f.code in ("external-boundary", "created-external-boundary")]
    assert not [p for p in plain.to_json()["principals"].values() if "externalBoundary" in p]
    assert plain.to_json()["principals"]["service/platform"]["createdPrincipals"]["boundary"] == "iam-baseline-boundary-platform"
