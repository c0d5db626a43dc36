"""The review's figures, computed from small configs whose answers are known by hand."""

import json

import pytest
import yaml

from baseline.aws.catalog import get_access_level, get_actions_for_service, get_all_actions, is_destructive
from baseline.review.lint import lint_document
from baseline.review.principals import Principal
from baseline.review.report import format_review, write_documents
from baseline.review.review import compare, quota_budget, review
from tests.helpers import render, run_cli

SQS = set(get_actions_for_service("sqs"))
SQS_SAFE = {a for a in SQS if not is_destructive(a)}


@pytest.fixture(scope="module")
def prod_sqs():
    return review(render({"stateIsolation": "shared", "services": {"queue": {"actions": ["sqs:*"]}}}, stack="prod"))


@pytest.fixture(scope="module")
def dev_sqs():
    return review(render({"stateIsolation": "shared", "services": {"queue": {"actions": ["sqs:*"]}}}, stack="dev"))


def test_sqs_wildcard_in_prod_reaches_the_catalogues_sqs_actions_minus_destructive(prod_sqs):
    role = prod_sqs.principals["service/queue"]
    assert role.reachable == SQS_SAFE
    summary = prod_sqs.to_json()["principals"]["service/queue"]
    assert summary["actionCount"] == len(SQS_SAFE) and summary["destructiveActions"] == []
    expected = {
        level: sum(1 for a in SQS_SAFE if get_access_level(a) == level)
        for level in ("List", "Read", "Write", "Permissions management", "Tagging")
    }
    assert summary["accessLevels"] == {"sqs": expected}


def test_the_same_config_in_dev_reaches_every_sqs_action(dev_sqs):
    assert dev_sqs.principals["service/queue"].reachable == SQS
    assert set(dev_sqs.to_json()["principals"]["service/queue"]["destructiveActions"]) == SQS - SQS_SAFE


def test_comparison_shows_exactly_the_destructive_actions_dev_adds(prod_sqs, dev_sqs):
    diff = compare(prod_sqs, dev_sqs)["principals"]["service/queue"]
    assert diff == {"onlyProd": [], "onlyDev": sorted(SQS - SQS_SAFE)}
    assert compare(prod_sqs, dev_sqs)["principals"]["ci-user"] == {"onlyProd": [], "onlyDev": []}


def test_ci_key_blast_radius_is_assume_role_on_the_baseline_roles_and_through_them(prod_sqs):
    ci = prod_sqs.blast_radius["credentials"]["ci-user"]
    principals = prod_sqs.principals
    assert prod_sqs.principals["ci-user"].reachable == {"sts:AssumeRole"}
    assert ci["direct"] == {"actions": 1, "assumeRoleOn": sorted([principals["state-role"].arn, principals["service/queue"].arn])}
    assert ci["viaRoles"] == {"service/queue": len(SQS_SAFE), "state-role": len(principals["state-role"].reachable)}
    union = {"sts:AssumeRole"} | SQS_SAFE | principals["state-role"].reachable
    assert ci["totalActions"] == len(union)
    assert ci["percentOfAdmin"] == round(100 * len(union) / len(get_all_actions()), 2)
    assert prod_sqs.blast_radius["adminActions"] == len(get_all_actions())


def test_prod_has_no_destructive_action_beyond_state_lock_housekeeping(prod_sqs):
    ci = prod_sqs.blast_radius["credentials"]["ci-user"]
    assert ci["destructiveActions"] == 0
    assert ci["stateHousekeeping"] == ["s3:DeleteObject"]
    assert prod_sqs.to_json()["principals"]["state-role"]["stateHousekeeping"] == ["s3:DeleteObject"]


def test_state_role_reaches_exactly_the_backend_actions(prod_sqs):
    assert prod_sqs.principals["state-role"].reachable == {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"}


def test_trusts_are_reported_with_their_conditions_and_session_length(prod_sqs):
    state = prod_sqs.to_json()["principals"]["state-role"]
    assert state["maxSessionDuration"] == 3600
    (trust,) = state["assumedBy"]
    assert trust["principals"] == [prod_sqs.principals["ci-user"].arn]
    assert trust["conditions"] == {"StringEquals": {"sts:ExternalId": "[secret]"}}


def test_resource_scoped_grants_count_only_actions_those_arns_can_name():
    report = review(
        render(
            {"services": {"q": {"actions": ["sqs:SendMessage", "s3:GetObject"], "resources": ["arn:aws:sqs:us-east-1:123456789012:jobs"]}}}
        )
    )
    assert report.principals["service/q"].reachable == {"sqs:SendMessage"}
    (mismatch,) = [f for f in report.to_json()["findings"] if f["code"] == "resource-mismatch"]
    assert mismatch["severity"] == "warning" and "1 action(s)" in mismatch["detail"] and "s3:GetObject" in mismatch["detail"]


def test_lint_flags_wildcards_passrole_and_unknown_actions():
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "All", "Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Sid": "Pass", "Effect": "Allow", "Action": ["iam:PassRole"], "Resource": ["*"]},
            {"Sid": "Typo", "Effect": "Allow", "Action": ["sqs:SendMesage", "sqs:*"], "Resource": ["*"]},
        ],
    }
    found = {(f.code, f.severity) for f in lint_document("role/x policy", doc)}
    assert found == {("wildcard-action", "error"), ("passrole-on-star", "error"), ("unknown-action", "error"), ("service-wildcard", "info")}


def test_quota_budget_fails_a_document_over_its_limit():
    big = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": [f"s3:Get{i:05d}" for i in range(1200)], "Resource": "*"}]}
    role = Principal(
        key="service/big",
        kind="role",
        name="r",
        arn="arn:aws:iam::1:role/r",
        path="/",
        policies={"p": big},
        trust={"Version": "2012-10-17", "Statement": []},
    )
    rows, findings = quota_budget({"service/big": role})
    (inline,) = [r for r in rows if r["document"] == "inline policies (aggregate)"]
    assert inline["size"] > inline["limit"] == 10240
    assert [(f.code, f.severity) for f in findings] == [("quota", "error")]


def test_shipped_prod_review_passes_and_writes_every_document(tmp_path):
    result = run_cli("review", "--stack", "prod", "--out", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "## Blast radius" in result.stdout and "## Quota budget" in result.stdout and "## Lint" in result.stdout
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    assert "ci-user/boundary-acme-iac-ci-boundary.json" in files and "service-state-public-api/trust-policy.json" in files
    assert len(files) == 10, files  # CI user 2; two services x (provisioning, state) x (trust, policy)
    assert "[secret]" in (tmp_path / "service-state-public-api" / "trust-policy.json").read_text()


def test_review_json_and_against(tmp_path):
    result = run_cli("review", "--stack", "prod", "--against", "dev", "--json")
    data = json.loads(result.stdout)
    assert data["comparison"]["principals"]["service/public-api"]["onlyProd"] == []
    assert "ec2:DeleteSecurityGroup" in data["comparison"]["principals"]["service/public-api"]["onlyDev"]
    assert data["blastRadius"]["credentials"]["ci-user"]["destructiveActions"] == 0


def test_review_exits_non_zero_on_lint_errors(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    (tmp_path / "Pulumi.risky.yaml").write_text(
        yaml.safe_dump(
            {"config": {"iam-baseline:environment": "dev", "iam-baseline:services": {"deployer": {"actions": ["ecs:*", "iam:PassRole"]}}}}
        )
    )
    result = run_cli("review", "--stack", "risky", "--project-dir", str(tmp_path))
    assert result.returncode == 1, result.stdout + result.stderr
    assert "passrole-on-star" in result.stdout


def test_text_report_and_json_form_agree(prod_sqs, tmp_path):
    text = format_review(prod_sqs)
    assert f"{len(SQS_SAFE)}" in text
    assert json.loads(json.dumps(prod_sqs.to_json()))["summary"] == prod_sqs.summary
    assert len(write_documents(prod_sqs, tmp_path)) == 6


def test_shared_state_is_a_warning_and_per_service_state_is_not(prod_sqs):
    # sqs:* on '*' also reaches sqs:AddPermission on every team's queue (tests/review/test_dangerous_grants.py).
    assert [f["code"] for f in prod_sqs.to_json()["findings"] if f["severity"] == "warning"] == ["resource-exposure", "state-shared"]
    isolated = review(render({"services": {"queue": {"actions": ["sqs:*"]}}}, stack="prod"))
    assert "state-shared" not in {f["code"] for f in isolated.to_json()["findings"]}
    assert "state-role" not in isolated.to_json()["principals"] and "service-state/queue" in isolated.to_json()["principals"]


def test_more_roles_than_the_quota_is_a_warning_in_review_as_at_design_time():
    roles = {
        f"service/s{i}": Principal(key=f"service/s{i}", kind="role", name=f"r{i}", arn=f"arn:aws:iam::1:role/r{i}", path="/", policies={})
        for i in range(1001)
    }
    _, findings = quota_budget(roles)
    (quota,) = [f for f in findings if f.code == "role-quota"]
    assert quota.severity == "warning" and "1001 roles" in quota.detail, "review must not fail a config pulumi up accepts"
