"""`verify` in moto: the baseline deployed exactly as rendered verifies clean; each way someone tampers
with it at 2 a.m. is reported by name, and nothing else is.

moto keeps no permissions boundary on users (FACTS.md), so the IAM client here remembers the CI user's
boundary as IAM would and drops it when a tampering deletes it; every other answer is moto's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from typing import Any

import boto3
import pytest
from moto import mock_aws

from baseline.cli.verify import format_verification
from baseline.offline.engine import reveal
from baseline.verify.account import expected_account, now_utc, verify
from tests.helpers import large_grant, render, run_cli

REGION = "eu-west-1"
ADMIN_DOC = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
)
SERVICES = {"api": {"actions": ["sqs:*"]}, "platform": {"actions": ["iam:CreateRole", "iam:PutRolePolicy", "iam:GetRole", "lambda:*"]}}


class BoundaryKeepingIam:
    """moto's IAM client, plus the user permissions boundaries moto does not keep."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.user_boundaries: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def get_user(self, **kwargs: Any) -> Any:
        answer = self.client.get_user(**kwargs)
        boundary = self.user_boundaries.get(kwargs["UserName"])
        if boundary:
            answer["User"]["PermissionsBoundary"] = {"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": boundary}
        return answer


def deploy(rendering: Any, iam: BoundaryKeepingIam, s3: Any) -> None:
    """Create the rendered baseline in moto exactly as `pulumi up` would."""
    of = rendering.of_type
    for r in of("aws:iam/policy:Policy"):
        iam.create_policy(PolicyName=r.inputs["name"], Path=r.inputs["path"], PolicyDocument=r.inputs["policy"])
    for r in of("aws:iam/user:User"):
        iam.create_user(UserName=r.inputs["name"], Path=r.inputs["path"])
        iam.user_boundaries[r.inputs["name"]] = r.inputs["permissionsBoundary"]
    for r in of("aws:iam/group:Group"):
        iam.create_group(GroupName=r.inputs["name"], Path=r.inputs["path"])
    for r in of("aws:iam/groupPolicy:GroupPolicy"):
        iam.put_group_policy(GroupName=r.inputs["group"], PolicyName=r.inputs["name"], PolicyDocument=r.inputs["policy"])
    for r in of("aws:iam/groupMembership:GroupMembership"):
        for user in r.inputs["users"]:
            iam.add_user_to_group(GroupName=r.inputs["group"], UserName=user)
    for r in of("aws:iam/accessKey:AccessKey"):
        iam.create_access_key(UserName=r.inputs["user"])
    for r in of("aws:iam/openIdConnectProvider:OpenIdConnectProvider"):
        iam.create_open_id_connect_provider(Url=r.inputs["url"], ClientIDList=r.inputs["clientIdLists"])
    for r in of("aws:iam/role:Role"):
        iam.create_role(RoleName=r.inputs["name"], Path=r.inputs["path"], AssumeRolePolicyDocument=r.inputs["assumeRolePolicy"],
                        MaxSessionDuration=int(r.inputs["maxSessionDuration"]))  # fmt: skip
    for r in of("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        iam.attach_role_policy(RoleName=r.inputs["role"], PolicyArn=r.inputs["policyArn"])
    for r in of("aws:iam/rolePolicy:RolePolicy"):
        iam.put_role_policy(RoleName=r.inputs["role"], PolicyName=r.inputs["name"], PolicyDocument=r.inputs["policy"])
    bucket = reveal(rendering.outputs)["stateBucketName"]
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    blocks = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration=dict.fromkeys(blocks, True))
    s3.put_bucket_encryption(
        Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}
    )
    (policy,) = of("aws:s3/bucketPolicy:BucketPolicy")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy.inputs["policy"])
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_lifecycle_configuration(
        Bucket=bucket,
        LifecycleConfiguration={
            "Rules": [
                {"ID": "expire", "Status": "Enabled", "Filter": {"Prefix": ""}, "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}
            ]
        },
    )


@pytest.fixture(scope="module")
def rendering():
    return render({"ci": {"createAccessKey": True}, "services": SERVICES}, stack="prod", region=REGION)


@pytest.fixture
def account(rendering):
    with mock_aws():
        iam = BoundaryKeepingIam(boto3.client("iam", region_name=REGION))
        s3 = boto3.client("s3", region_name=REGION)
        deploy(rendering, iam, s3)
        expected = expected_account(rendering)
        yield iam, s3, expected, (lambda now=None: verify(expected, iam, s3, now or now_utc()))


@pytest.fixture(scope="module")
def split_rendering():
    return render({"services": {**SERVICES, "big": {"actions": large_grant()}}}, stack="prod", region=REGION)


@pytest.fixture
def split_account(split_rendering):
    with mock_aws():
        iam = BoundaryKeepingIam(boto3.client("iam", region_name=REGION))
        s3 = boto3.client("s3", region_name=REGION)
        deploy(split_rendering, iam, s3)
        expected = expected_account(split_rendering)
        yield iam, (lambda: verify(expected, iam, s3, now_utc()))


def found(findings):
    return sorted((f.code, f.location) for f in findings)


def test_the_deployed_baseline_verifies_clean(account):
    *_, check = account
    findings = check()
    assert findings == [], format_verification(findings, "prod")


def test_an_admin_policy_attached_to_the_ci_user_is_reported(account):
    iam, *_, check = account
    admin = iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=ADMIN_DOC)["Policy"]["Arn"]
    iam.attach_user_policy(UserName="iam-baseline-ci", PolicyArn=admin)
    assert found(check()) == [("drift-attached", "user/iam-baseline-ci")]


def test_an_inline_policy_added_to_a_role_is_reported(account):
    iam, _, _, check = account
    iam.put_role_policy(RoleName="iam-baseline-svc-api", PolicyName="unblock-deploy", PolicyDocument=ADMIN_DOC)
    (finding,) = check()
    assert (finding.code, finding.location) == ("drift-attached", "role/iam-baseline-svc-api") and "unblock-deploy" in finding.detail


def test_a_changed_role_policy_is_reported(account):
    iam, _, _, check = account
    iam.put_role_policy(RoleName="iam-baseline-svc-api", PolicyName="provisioning", PolicyDocument=ADMIN_DOC)
    assert found(check()) == [("drift-changed", "role/iam-baseline-svc-api")]


def test_a_second_access_key_is_reported(account):
    iam, _, _, check = account
    iam.create_access_key(UserName="iam-baseline-ci")
    findings = check()
    assert found(findings) == [("drift-access-key", "user/iam-baseline-ci")] and "2 access keys" in findings[0].detail


def test_an_old_and_unused_key_is_reported(account):
    *_, check = account
    findings = check(now_utc() + timedelta(days=100))
    assert {f.code for f in findings} == {"drift-access-key"}
    assert any("days old" in f.detail for f in findings) and any("never been used" in f.detail for f in findings)


def test_a_removed_boundary_is_reported(account):
    iam, *_, check = account
    iam.user_boundaries.clear()  # as DeleteUserPermissionsBoundary would
    (finding,) = check()
    assert finding.code == "drift-changed" and "iam-baseline-ci-boundary is gone" in finding.detail


def test_a_public_access_block_turned_off_is_reported(account):
    _, s3, expected, check = account
    s3.delete_public_access_block(Bucket=expected.bucket_name)
    findings = check()
    assert found(findings) == [("drift-bucket", f"bucket/{expected.bucket_name}")] and "BlockPublicAcls" in findings[0].detail


def test_a_removed_bucket_policy_is_reported_statement_by_statement(account):
    _, s3, expected, check = account
    s3.delete_bucket_policy(Bucket=expected.bucket_name)
    findings = check()
    assert set(found(findings)) == {("drift-bucket", f"bucket/{expected.bucket_name}")}
    missing = sorted(f.detail.split()[3] for f in findings)
    assert missing == ["DenyInsecureTransport", "DenyThroughAccessPoints", "DenyThroughAccessPointsOfAnyAccount"]


def test_a_bucket_policy_that_lets_access_points_through_is_reported(account):
    _, s3, expected, check = account
    kept = [s for s in expected.bucket_policy["Statement"] if s["Sid"] == "DenyInsecureTransport"]
    s3.put_bucket_policy(Bucket=expected.bucket_name, Policy=json.dumps({"Version": "2012-10-17", "Statement": kept}))
    details = [f.detail for f in check()]
    assert len(details) == 2 and all("DenyThroughAccessPoints" in d for d in details), details


def test_an_extra_role_in_the_baseline_path_is_reported(account):
    iam, _, expected, check = account
    iam.create_role(RoleName="break-glass", Path=expected.iam_path, AssumeRolePolicyDocument=TRUST)
    assert found(check()) == [("drift-unmanaged", "role/break-glass")]


def test_a_role_a_service_created_without_its_boundary_is_reported(account):
    iam, _, _, check = account
    iam.create_role(RoleName="task", Path="/iam-baseline-services/platform/", AssumeRolePolicyDocument=TRUST)
    assert found(check()) == [("drift-unbounded", "role/task")]
    boundary = "arn:aws:iam::123456789012:policy/iam-baseline/iam-baseline-boundary-platform"
    iam.create_role(
        RoleName="bounded-task", Path="/iam-baseline-services/platform/", AssumeRolePolicyDocument=TRUST, PermissionsBoundary=boundary
    )
    assert found(check()) == [("drift-unbounded", "role/task")], "a role created with its boundary is fine"


def test_a_deleted_role_is_reported(account):
    iam, _, _, check = account
    iam.delete_role_policy(RoleName="iam-baseline-state-api", PolicyName="pulumi-state")
    iam.delete_role(RoleName="iam-baseline-state-api")
    assert found(check()) == [("drift-missing", "role/iam-baseline-state-api")]


def test_verify_without_outputs_or_cli_is_a_usage_error():
    result = run_cli("verify", "--stack", "prod")
    assert result.returncode == 2 and "Traceback" not in result.stderr and "--outputs FILE" in result.stderr


def test_a_retrusted_role_is_reported(account):
    iam, *_, check = account
    iam.update_assume_role_policy(RoleName="iam-baseline-svc-api", PolicyDocument=TRUST)
    assert found(check()) == [("drift-changed", "role/iam-baseline-svc-api")]


def test_the_command_reports_json_and_exits_1_on_a_difference(rendering, tmp_path, capsys, monkeypatch):
    """The command end to end, in-process under moto: outputs from a file, the stack file from the
    project folder, exit 0 when clean and 1 with JSON findings after a tampering."""
    from baseline.cli.main import main

    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    config = {
        "aws:region": REGION,
        "iam-baseline:accountId": "123456789012",
        "iam-baseline:ci": {"createAccessKey": True},
        "iam-baseline:services": SERVICES,
    }
    (tmp_path / "Pulumi.prod.yaml").write_text(json.dumps({"config": config}))
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(reveal(rendering.outputs)))
    # moto has no policy simulator; that part is tested with botocore's Stubber below.
    args = ["verify", "--stack", "prod", "--project-dir", str(tmp_path), "--outputs", str(outputs), "--json", "--no-simulator"]
    with mock_aws():
        iam = BoundaryKeepingIam(boto3.client("iam", region_name=REGION))
        deploy(rendering, iam, boto3.client("s3", region_name=REGION))
        real_client = boto3.client

        def client(service, **kwargs):  # the command's own clients, with moto's missing user boundary kept
            return iam if service == "iam" else real_client(service, **kwargs)

        monkeypatch.setattr(boto3, "client", client)
        assert main(args) == 0, capsys.readouterr()
        clean = json.loads(capsys.readouterr().out)
        assert clean["findings"] == [] and clean["simulator"] == "skipped (--no-simulator)"
        iam.put_role_policy(RoleName="iam-baseline-svc-api", PolicyName="unblock-deploy", PolicyDocument=ADMIN_DOC)
        assert main(args) == 1
        report = json.loads(capsys.readouterr().out)
        assert [(f["code"], f["location"], f["severity"]) for f in report["findings"]] == [
            ("drift-attached", "role/iam-baseline-svc-api", "error")
        ]


# -- the effective-permission part, through IAM's policy simulator (botocore's Stubber) ------------


def simulator_answers(probes, override=None):
    """Return the simulator's recorded answer to each probe: what the baseline promises, unless overridden."""
    override = override or {}
    answers = []
    for probe in probes:
        results = []
        for action in probe.actions:
            allowed = override.get((probe.principal, action, probe.resource), probe.allowed)
            results.append(
                {"EvalActionName": action, "EvalResourceName": probe.resource, "EvalDecision": "allowed" if allowed else "implicitDeny"}
            )
        answers.append({"EvaluationResults": results, "IsTruncated": False})
    return answers


def stubbed(probes, answers):
    from botocore.stub import Stubber

    client = boto3.client("iam", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(client)
    for probe, answer in zip(probes, answers, strict=True):
        expected = {"PolicySourceArn": probe.arn, "ActionNames": list(probe.actions), "ResourceArns": [probe.resource]}
        if probe.context:
            expected["ContextEntries"] = [
                {"ContextKeyName": k, "ContextKeyValues": [v], "ContextKeyType": "date" if k == "aws:CurrentTime" else "string"}
                for k, v in probe.context
            ]
        stubber.add_response("simulate_principal_policy", answer, expected)
    stubber.activate()
    return client, stubber


@pytest.fixture(scope="module")
def probes(rendering):
    from baseline.verify.simulator import simulator_probes

    return simulator_probes(expected_account(rendering), ".pulumi/stacks/iam-baseline/prod.json", now_utc())


def test_the_simulator_is_asked_what_the_promise_says(probes):
    by_why = {}
    for probe in probes:
        by_why.setdefault(probe.why, []).append(probe)
    ci = by_why["the CI key assumes the baseline's roles"]
    assert {p.resource.rsplit("/", 1)[1] for p in ci} == {
        "iam-baseline-svc-api",
        "iam-baseline-svc-platform",
        "iam-baseline-state-api",
        "iam-baseline-state-platform",
    }
    deletes = [a for p in by_why["a prod role deletes nothing"] for a in p.actions]
    assert (
        "sqs:DeleteQueue" in deletes
        and "lambda:DeleteFunction" in deletes
        and all(p.context[0][0] == "aws:CurrentTime" for p in by_why["a prod role deletes nothing"])
    )
    assert all(len(p.actions) <= 50 for p in probes), "batched"
    assert {p.principal for p in by_why["no role reads or writes the baseline's own state"]} >= {"service/api", "service-state/api"}


def test_a_clean_simulation_finds_nothing_and_a_contradiction_is_named(probes):
    from baseline.verify.simulator import simulate

    client, stubber = stubbed(probes, simulator_answers(probes))
    assert simulate(client, probes) == []
    stubber.assert_no_pending_responses()
    leak = ("service/api", "sqs:DeleteQueue", "*")
    client, _ = stubbed(probes, simulator_answers(probes, {leak: True}))
    (finding,) = simulate(client, probes)
    assert (finding.code, finding.location) == ("drift-effective", "service/api") and "may sqs:DeleteQueue" in finding.detail
    blocked = ("ci-user", "sts:AssumeRole", next(p.resource for p in probes if p.principal == "ci-user" and p.allowed))
    client, _ = stubbed(probes, simulator_answers(probes, {blocked: False}))
    (finding,) = simulate(client, probes)
    assert finding.location == "ci-user" and "may not sts:AssumeRole" in finding.detail


def test_a_github_oidc_provider_stripped_of_its_audience_is_reported():
    github = {"api": {"actions": ["sqs:*"], "github": {"repository": "acme/api", "branches": ["main"]}}}
    rendering = render({"ci": {"mode": "github"}, "services": github}, stack="prod", region=REGION)
    with mock_aws():
        iam = BoundaryKeepingIam(boto3.client("iam", region_name=REGION))
        s3 = boto3.client("s3", region_name=REGION)
        deploy(rendering, iam, s3)
        expected = expected_account(rendering)
        assert verify(expected, iam, s3, now_utc()) == []
        # moto has no RemoveClientIDFromOpenIDConnectProvider: recreate the provider with another audience.
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=expected.oidc_provider_arn)
        iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com", ClientIDList=["sigstore"])
        assert found(verify(expected, iam, s3, now_utc())) == [("drift-changed", "oidc-provider/token.actions.githubusercontent.com")]
        iam.delete_open_id_connect_provider(OpenIDConnectProviderArn=expected.oidc_provider_arn)
        assert found(verify(expected, iam, s3, now_utc())) == [("drift-missing", "oidc-provider/token.actions.githubusercontent.com")]


def test_verify_without_credentials_could_not_check_and_says_so(rendering, tmp_path):
    """Exit 1 means drift; an account that could not be read exits 2 with one line, never a traceback."""
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\nruntime: python\n")
    config = {"aws:region": REGION, "iam-baseline:accountId": "123456789012", "iam-baseline:services": SERVICES}
    (tmp_path / "Pulumi.prod.yaml").write_text(json.dumps({"config": config}))
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(reveal(rendering.outputs)))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environment.update(
        AWS_CONFIG_FILE=str(tmp_path / "none"), AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"), AWS_EC2_METADATA_DISABLED="true"
    )
    args = ["verify", "--stack", "prod", "--project-dir", str(tmp_path), "--outputs", str(outputs)]
    result = subprocess.run([sys.executable, "-m", "baseline", *args], capture_output=True, text=True, env=environment, timeout=120)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "could not check the account (no AWS credentials" in result.stderr and result.stdout == ""


def test_a_role_whose_grant_is_split_into_attached_policies_verifies_clean(split_account):
    iam, check = split_account
    attached = iam.list_attached_role_policies(RoleName="iam-baseline-svc-big")["AttachedPolicies"]
    assert sorted(a["PolicyName"] for a in attached) == ["iam-baseline-svc-big-grant-1", "iam-baseline-svc-big-grant-2"]
    findings = check()
    assert findings == [], format_verification(findings, "prod")


def test_a_grant_policy_detached_or_rewritten_and_a_policy_attached_beside_them_are_reported(split_account):
    iam, check = split_account
    grant = "arn:aws:iam::123456789012:policy/iam-baseline/iam-baseline-svc-big-grant-"
    iam.detach_role_policy(RoleName="iam-baseline-svc-big", PolicyArn=grant + "2")
    iam.create_policy_version(PolicyArn=grant + "1", PolicyDocument=ADMIN_DOC, SetAsDefault=True)
    admin = iam.create_policy(PolicyName="AdministratorAccess", PolicyDocument=ADMIN_DOC)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="iam-baseline-svc-big", PolicyArn=admin)
    details = sorted((f.code, f.detail) for f in check())
    assert details == [
        ("drift-attached", f"managed policy {admin} is attached"),
        ("drift-changed", f"managed policy {grant}1 (part of its grant) differs from the baseline's"),
        ("drift-missing", f"managed policy {grant}2 (part of its grant) is not attached"),
    ]


def test_the_simulator_is_asked_whether_a_split_role_can_change_its_own_grant(split_rendering):
    from baseline.verify.simulator import GRANT_POLICY_EDITS, simulator_probes

    probes = simulator_probes(expected_account(split_rendering), ".pulumi/stacks/iam-baseline/prod.json", now_utc())
    own = [p for p in probes if p.why == "no provisioning role changes its own grant"]
    assert {(p.principal, p.resource.rsplit("/", 1)[1]) for p in own} == {
        ("service/big", "iam-baseline-svc-big-grant-1"),
        ("service/big", "iam-baseline-svc-big-grant-2"),
    }
    assert all(p.actions == GRANT_POLICY_EDITS and not p.allowed for p in own)
