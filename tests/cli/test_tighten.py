"""`tighten` against shipped CloudTrail fixtures (one plain, one gzipped delivery file)."""

import json

from baseline.cli.tighten import cloudtrail_files, event_action, read_records, tightened, usage_of
from baseline.design.grants import expand_patterns
from baseline.review.principals import collect_principals
from tests.helpers import PROJECT_DIR, render_shipped, run_cli

FIXTURES = PROJECT_DIR / "tests" / "fixtures" / "cloudtrail"
ETL_ROLE = "arn:aws:iam::123456789012:role/acme-iac/acme-iac-svc-etl-processor"
USED = {
    "sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:SetQueueAttributes", "sqs:ListQueueTags", "s3:CreateBucket",
    "s3:PutBucketPublicAccessBlock", "s3:GetBucketVersioning", "s3:GetBucketTagging", "glue:GetJob", "glue:UpdateJob",
}  # fmt: skip


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


def test_event_names_map_to_catalogue_actions():
    assert event_action({"eventSource": "lambda.amazonaws.com", "eventName": "CreateFunction20150331"}) == "lambda:CreateFunction"
    assert event_action({"eventSource": "lambda.amazonaws.com", "eventName": "UpdateFunctionCode20150331v2"}) == "lambda:UpdateFunctionCode"
    assert event_action({"eventSource": "monitoring.amazonaws.com", "eventName": "PutMetricAlarm"}) == "cloudwatch:PutMetricAlarm"
    assert event_action({"eventSource": "sqs.amazonaws.com", "eventName": "NoSuchCall"}) is None


def test_the_reduced_list_keeps_every_action_seen_and_reports_the_rest():
    role = collect_principals(render_shipped("prod"))["service/etl-processor"]
    report = tightened("etl-processor", role.reachable, usage_of(read_records(cloudtrail_files(FIXTURES)), ETL_ROLE))
    assert expand_patterns(report["actions"]) == USED
    assert set(report["grantedUnused"]) == role.reachable - USED
    assert len(report["grantedUnused"]) > 100 and report["deniedCalls"] == ["sqs:DeleteQueue"]
    in_prod = tightened("etl-processor", role.reachable, usage_of(read_records(cloudtrail_files(FIXTURES)), ETL_ROLE), deletes_denied=True)
    assert in_prod["deniedCalls"] == [] and in_prod["deniedDeletes"] == ["sqs:DeleteQueue"], "a delete denied on purpose is not missing"


def test_tighten_command_json():
    result = run_cli("tighten", "--service", "etl-processor", "--cloudtrail", str(FIXTURES), "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report["used"]) == USED and report["events"] == 13
    assert report["deniedDeletes"] == ["sqs:DeleteQueue"] and report["deniedCalls"] == [], "prod denies deletes on purpose"
    missing = run_cli("tighten", "--service", "nope", "--cloudtrail", str(FIXTURES))
    assert missing.returncode == 2 and "'nope' has no provisioning role" in missing.stderr
