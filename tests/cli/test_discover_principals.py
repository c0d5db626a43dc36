"""discover warns when a program creates IAM principals the service's role would refuse (issue 22, item 6):
a role outside the service's IAM path or without its boundary, a user or a group; iam_placement fixes it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from baseline.discover.proposal import format_proposal, principal_problems
from baseline.discover.runner import discover
from baseline.offline.engine import reveal
from tests.helpers import PROJECT_DIR, render

PROGRAM = PROJECT_DIR / "tests" / "fixtures" / "programs" / "lambda-role"
PLACEMENT = {
    "iamPath": "/iam-baseline-services/platform/",
    "permissionsBoundaryArn": "arn:aws:iam::123456789012:policy/iam-baseline/iam-baseline-boundary-platform",
}


@pytest.fixture(scope="module")
def baseline_outputs():
    services = {"platform": {"actions": ["iam:*", "lambda:*"]}, "queues": {"actions": ["sqs:*"]}}
    return reveal(render({"environment": "dev", "services": services}, stack="dev").outputs)


def role(name, **inputs):
    return SimpleNamespace(typ="aws:iam/role:Role", name=name, inputs=inputs, custom=True)


def test_a_role_created_the_obvious_way_is_named_with_its_fix():
    problems = principal_problems("platform", [role("handler", assumeRolePolicy="{}")], PLACEMENT)
    assert len(problems) == 2
    assert "outside platform's IAM path '/iam-baseline-services/platform/'" in problems[0] and "iam_placement('platform')" in problems[0]
    assert "without platform's permissions boundary" in problems[1]


def test_a_placed_role_and_a_service_not_in_the_baseline_raise_nothing():
    placed = role("handler", path=PLACEMENT["iamPath"], permissionsBoundary=PLACEMENT["permissionsBoundaryArn"])
    assert principal_problems("platform", [placed], PLACEMENT) == []
    assert principal_problems("new-service", [role("handler")], None) == [], "its path and boundary are still to come"


def test_users_groups_and_services_without_iam_writes_are_refused():
    user = SimpleNamespace(typ="aws:iam/user:User", name="bot", inputs={}, custom=True)
    group = SimpleNamespace(typ="aws:iam/group:Group", name="ops", inputs={}, custom=True)
    found = principal_problems("platform", [user, group], PLACEMENT)
    assert "no service may create an IAM user" in found[0] and "no service may create an IAM group" in found[1]
    assert "grant reaches no IAM write" in principal_problems("queues", [role("handler")], {})[0]


def test_discover_warns_about_the_unplaced_role_and_not_the_placed_one(baseline_outputs, tmp_path):
    unplaced = discover(PROGRAM, "dev", baseline_outputs, "platform")
    assert any("aws:iam/role:Role 'handler'" in p and "iam_placement" in p for p in unplaced.principal_problems)
    assert "warning: aws:iam/role:Role 'handler'" in format_proposal(unplaced)
    assert "iam:PassRole" in unplaced.actions or unplaced.pass_roles, "the function hands its role to Lambda"
    (tmp_path / "Pulumi.yaml").write_text((PROGRAM / "Pulumi.yaml").read_text())
    (tmp_path / "__main__.py").write_text((PROGRAM / "__main__.py").read_text())
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  lambda-role:placed: 'true'\n")
    assert discover(tmp_path, "dev", baseline_outputs, "platform").principal_problems == []
