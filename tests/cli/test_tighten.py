"""`tighten` against shipped CloudTrail fixtures (one plain, one gzipped delivery file) and small trails
written per test: it never proposes a smaller grant without evidence, sorts refusals out against the
rendered grant, keeps what CloudTrail cannot show (discover's table), and reads Access Analyzer."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import ANY, Stubber

from baseline.cli import tighten as tighten_cli
from baseline.cli.main import main
from baseline.design.grants import expand_patterns
from baseline.review.principals import collect_principals
from baseline.tighten import access_analyzer, evidence
from baseline.tighten.access_analyzer import GenerationError, generated_actions
from baseline.tighten.cloudtrail import RoleRef, cloudtrail_files, event_action, read_records, usage_of
from baseline.tighten.evidence import tightened
from tests.helpers import PROJECT_DIR, render_shipped, run_cli

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "cloudtrail"
ETL_ROLE = "arn:aws:iam::123456789012:role/acme-iac/acme-iac-svc-etl-processor"
USED = {
    "sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:ListQueueTags", "s3:CreateBucket",
    "s3:PutBucketPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetBucketTagging", "glue:GetJob", "glue:UpdateJob",
}  # fmt: skip
START = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


def record(role_arn, source, name, when, error=None):
    """Return one CloudTrail record of a call by a session of `role_arn`."""
    role_name = role_arn.rsplit("/", 1)[-1]
    account = role_arn.split(":")[4]
    issuer = {"type": "Role", "arn": role_arn, "accountId": account, "userName": role_name}
    return {
        "eventVersion": "1.09",
        "userIdentity": {"type": "AssumedRole", "arn": f"arn:aws:sts::{account}:assumed-role/{role_name}/ci", "accountId": account,
                         "sessionContext": {"sessionIssuer": issuer}},
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"), "eventSource": f"{source}.amazonaws.com", "eventName": name,
        **({"errorCode": error, "errorMessage": "denied"} if error else {}),
    }  # fmt: skip


def write_trail(folder, records):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "trail.json").write_text(json.dumps({"Records": records}))
    return folder


def test_both_delivery_formats_are_read():
    records = list(read_records(cloudtrail_files(FIXTURES)))
    assert len(records) == 15
    assert {r["eventName"] for r in records} >= {"CreateQueue", "GetBucketVersioning"}  # one from each file


def test_only_the_roles_sessions_count_and_refusals_are_kept_apart():
    usage = usage_of(read_records(cloudtrail_files(FIXTURES)), ETL_ROLE)
    assert usage.events == 13
    assert usage.used == USED
    assert usage.denied == {"sqs:DeleteQueue"}
    assert usage.unmapped == {"example.amazonaws.com:DoSomethingNew"}
    assert "ecs:CreateCluster" not in usage.used, "another role's call was counted"
    assert usage.first == datetime(2026, 11, 20, 10, 1, tzinfo=UTC) and usage.days < 0.02


def test_event_names_map_to_catalogue_actions():
    assert event_action({"eventSource": "lambda.amazonaws.com", "eventName": "CreateFunction20150331"}) == "lambda:CreateFunction"
    assert event_action({"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionCode20150331v2"}) == "lambda:UpdateFunctionCode"
    assert event_action({"eventSource": "monitoring.amazonaws.com", "eventName": "PutMetricAlarm"}) == "cloudwatch:PutMetricAlarm"
    assert event_action({"eventSource": "sqs.amazonaws.com", "eventName": "NoSuchCall"}) is None


def test_the_reduced_list_keeps_every_action_seen_and_reports_the_rest():
    role = collect_principals(render_shipped("prod"))["service/etl-processor"]
    report = tightened("etl-processor", role.reachable, usage_of(read_records(cloudtrail_files(FIXTURES)), ETL_ROLE))
    assert {a["action"] for a in report["actions"]} == USED and all(a["why"] == ["logs"] for a in report["actions"])
    assert expand_patterns(report["reducedActions"]) == USED
    assert set(report["grantedUnused"]) == role.reachable - USED
    assert {"glue:CreateJob", "sqs:TagQueue"} <= set(report["grantedUnused"]) and report["deniedCalls"] == ["sqs:DeleteQueue"]
    in_prod = tightened("etl-processor", role.reachable, usage_of(read_records(cloudtrail_files(FIXTURES)), ETL_ROLE), deletes_denied=True)
    assert in_prod["deniedCalls"] == [] and in_prod["deniedDeletes"] == ["sqs:DeleteQueue"], "a delete denied on purpose is not missing"


def test_tighten_command_json():
    result = run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(FIXTURES), "--json", "--min-days", "0")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["used"]) == USED and report["events"] == 13
    assert report["deniedDeletes"] == ["sqs:DeleteQueue"] and report["deniedCalls"] == [], "prod denies deletes on purpose"
    assert report["role"] == {"arn": ETL_ROLE, "matchedBy": "arn"}, "prod pins its account: the full ARN is matched"
    missing = run_cli("tighten", "--service", "nope", "--cloudtrail", str(FIXTURES))
    assert missing.returncode == 2 and "'nope' has no provisioning role" in missing.stderr


# -- no shrinking without evidence ------------------------------------------------------------------------


def test_no_call_by_the_role_proposes_nothing_and_exits_2(tmp_path):
    other = "arn:aws:iam::123456789012:role/acme-iac/acme-iac-svc-public-api"
    trail = write_trail(tmp_path / "trail", [record(other, "ecs", "CreateCluster", START + timedelta(days=d)) for d in (0, 20)])
    result = run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(trail))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "tighten etl-processor: no call by its role in the CloudTrail files; nothing proposed (an empty list would remove the whole grant)"
    ]


def test_evidence_spanning_fewer_days_than_asked_exits_2(tmp_path):
    calls = [record(ETL_ROLE, "sqs", "CreateQueue", START), record(ETL_ROLE, "sqs", "GetQueueAttributes", START + timedelta(days=2))]
    trail = write_trail(tmp_path / "trail", calls)
    result = run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(trail), "--min-days", "14")
    assert result.returncode == 2 and result.stdout == "" and "actions" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "tighten etl-processor: the evidence covers 2.0 days, fewer than --min-days 14; nothing proposed (collect more logs, or lower --min-days knowingly)"
    ]
    enough = run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(trail), "--min-days", "2", "--json")
    assert enough.returncode == 0, enough.stderr


def test_a_stand_in_account_is_matched_by_name_and_path_and_says_so(tmp_path):
    real_account = "arn:aws:iam::444455556666:role/acme-iac/acme-iac-svc-etl-processor"  # dev pins no account
    elsewhere = "arn:aws:iam::444455556666:role/other-path/acme-iac-svc-etl-processor"  # same name, another path
    calls = [record(real_account, "sqs", "CreateQueue", START), record(real_account, "sqs", "GetQueueAttributes", START + timedelta(days=15)),
             record(elsewhere, "s3", "CreateBucket", START + timedelta(days=3))]  # fmt: skip
    trail = write_trail(tmp_path / "trail", calls)
    result = run_cli("tighten", "--stack", "dev", "--service", "etl-processor", "--cloudtrail", str(trail), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["role"]["matchedBy"] == "name-and-path" and report["used"] == ["sqs:CreateQueue", "sqs:GetQueueAttributes"]
    assert any("pins no accountId" in note and "/acme-iac/acme-iac-svc-etl-processor" in note for note in report["notes"])
    text = run_cli("tighten", "--stack", "dev", "--service", "etl-processor", "--cloudtrail", str(trail))
    assert "stack dev pins no accountId" in text.stdout and "matched by role name and path" in text.stdout
    assert (
        usage_of(calls, RoleRef(real_account.replace("444455556666", "123456789012"), "acme-iac-svc-etl-processor", "/acme-iac/")).events
        == 0
    ), "by ARN, another account's calls never match"


def test_a_refusal_the_grant_allows_is_not_missing(tmp_path):
    result = run_cli("tighten", "--stack", "dev", "--service", "etl-processor", "--cloudtrail", str(FIXTURES), "--min-days", "0", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["deniedCalls"] == [], "dev grants sqs:DeleteQueue on etl-*: it is not missing from the grant"
    assert report["refusedButGranted"] == ["sqs:DeleteQueue"] and report["deniedDeletes"] == []


def test_the_program_keeps_passrole_and_what_cloudtrail_cannot_show(tmp_path):
    project = tmp_path / "baseline"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    actions = [
        "iam:CreateRole",
        "iam:GetRole*",
        "iam:PassRole",
        "iam:TagRole",
        "iam:List*",
        "iam:DeleteRole",
        "lambda:*",
        "logs:*",
        "sqs:*",
    ]
    config = {"config": {"aws:region": "eu-west-1", "iam-baseline:environment": "dev", "iam-baseline:namePrefix": "acme-iac",
                         "iam-baseline:services": {"worker-lambda": {"actions": actions, "resources": ["*"]}}}}  # fmt: skip
    (project / "Pulumi.dev.yaml").write_text(json.dumps(config))
    role = "arn:aws:iam::123456789012:role/acme-iac/acme-iac-svc-worker-lambda"
    calls = [record(role, "lambda", "CreateFunction20150331", START), record(role, "iam", "CreateRole", START),
             record(role, "sqs", "CreateQueue", START + timedelta(days=15))]  # fmt: skip
    trail = write_trail(tmp_path / "trail", calls)
    args = ["tighten", "--stack", "dev", "--project-dir", str(project), "--service", "worker-lambda", "--cloudtrail", str(trail), "--json"]
    result = run_cli(*args, "--program", str(PROJECT_DIR / "examples" / "worker-lambda"))
    assert result.returncode == 0, result.stderr
    why = {a["action"]: a["why"] for a in json.loads(result.stdout)["actions"]}
    assert why["iam:PassRole"] == ["table"], "the function is handed its role: CloudTrail never records iam:PassRole"
    assert why["lambda:CreateFunction"] == ["logs", "table"] and why["lambda:ListVersionsByFunction"] == ["table"]
    assert "lambda:TagResource" not in why, "the program gives its function no tags: the provider never tags it"
    assert "iam:PassRole" in expand_patterns(json.loads(result.stdout)["reducedActions"])
    without = json.loads(run_cli(*args).stdout)
    assert "iam:PassRole" not in {a["action"] for a in without["actions"]} and "--program" in without["notes"][-1]


# -- Access Analyzer, under botocore's Stubber only ---------------------------------------------------------

GENERATED = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["sqs:CreateQueue", "s3:GetBucketTagging"], "Resource": "*"}],
}
TRAIL = "arn:aws:cloudtrail:eu-west-1:123456789012:trail/management"
READER = "arn:aws:iam::123456789012:role/service-role/AccessAnalyzerMonitorServiceRole"


def analyzer(status_after="SUCCEEDED", start_params=None):
    client = boto3.client("accessanalyzer", region_name="eu-west-1")
    stubber = Stubber(client)
    stubber.add_response(
        "start_policy_generation",
        {"jobId": "job-1"},
        start_params or {"policyGenerationDetails": {"principalArn": ETL_ROLE}, "cloudTrailDetails": ANY},
    )
    started = datetime(2026, 11, 20, tzinfo=UTC)
    stubber.add_response("get_generated_policy", {"jobDetails": {"jobId": "job-1", "status": "IN_PROGRESS", "startedOn": started},
                                                  "generatedPolicyResult": {"properties": {"principalArn": ETL_ROLE}}}, {"jobId": "job-1"})  # fmt: skip
    done = {"jobId": "job-1", "status": status_after, "startedOn": started, "completedOn": started}
    if status_after == "FAILED":
        done["jobError"] = {"code": "RESOURCE_NOT_FOUND_ERROR", "message": "The trail could not be found."}
    result = {
        "properties": {"principalArn": ETL_ROLE},
        "generatedPolicies": [{"policy": json.dumps(GENERATED)}] if status_after == "SUCCEEDED" else [],
    }
    stubber.add_response("get_generated_policy", {"jobDetails": done, "generatedPolicyResult": result}, {"jobId": "job-1"})
    stubber.activate()
    return client, stubber


def test_a_generation_is_started_as_the_model_says_and_polled_until_it_succeeds():
    end = datetime(2026, 11, 20, tzinfo=UTC)
    start = end - timedelta(days=90)
    details = {"trails": [{"cloudTrailArn": TRAIL, "allRegions": True}], "accessRole": READER, "startTime": start, "endTime": end}
    client, stubber = analyzer(start_params={"policyGenerationDetails": {"principalArn": ETL_ROLE}, "cloudTrailDetails": details})
    seen, waits = [], []
    actions = generated_actions(client, ETL_ROLE, TRAIL, READER, start, end, progress=seen.append, sleep=waits.append, poll_seconds=5)
    assert actions == {"sqs:CreateQueue", "s3:GetBucketTagging"} and waits == [5]
    assert [line.rsplit(": ", 1)[-1] for line in seen[1:]] == ["IN_PROGRESS", "SUCCEEDED"]
    stubber.assert_no_pending_responses()
    with pytest.raises(GenerationError, match="at most 90 days"):
        generated_actions(client, ETL_ROLE, TRAIL, READER, end - timedelta(days=91), end)


def _analyzer_cli(monkeypatch, capsys, client, *extra):
    monkeypatch.setattr(access_analyzer, "analyzer_client", lambda region: client)
    monkeypatch.setattr(access_analyzer, "POLL_SECONDS", 0)
    code = main(["tighten", "--service", "etl-processor", "--access-analyzer", "--trail-arn", TRAIL, "--access-role-arn", READER, *extra])
    return code, *capsys.readouterr()


def test_tighten_merges_access_analyzers_actions(monkeypatch, capsys):
    client, stubber = analyzer()
    code, out, err = _analyzer_cli(monkeypatch, capsys, client, "--json")
    assert code == 0, err
    assert {a["action"]: a["why"] for a in json.loads(out)["actions"]} == {
        "sqs:CreateQueue": ["access-analyzer"],
        "s3:GetBucketTagging": ["access-analyzer"],
    }
    assert "IN_PROGRESS" in err and "SUCCEEDED" in err, "progress is shown on stderr"
    stubber.assert_no_pending_responses()


def test_a_failed_generation_exits_2_with_one_line(monkeypatch, capsys):
    client, _ = analyzer("FAILED")
    code, out, err = _analyzer_cli(monkeypatch, capsys, client)
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == (
        "tighten --access-analyzer: policy generation job-1 FAILED: RESOURCE_NOT_FOUND_ERROR: The trail could not be found."
    )


def test_access_analyzer_without_credentials_exits_2_with_one_line(monkeypatch, capsys, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN",
                 "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code = main(["tighten", "--service", "etl-processor", "--access-analyzer", "--trail-arn", TRAIL, "--access-role-arn", READER])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1 and "no AWS credentials" in err


def test_the_cli_and_the_evidence_agree_on_the_default_threshold():
    assert tighten_cli.DEFAULT_MIN_DAYS == evidence.DEFAULT_MIN_DAYS
