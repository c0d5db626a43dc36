"""`explain`: each AccessDenied of a failed `pulumi up` attributed to the statement that denied it and the
config line to change, against the offline render (decoded messages through botocore's Stubber only)."""

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from botocore.stub import Stubber

from baseline.cli.main import main
from baseline.tighten import explain as explain_module
from baseline.tighten.explain import denials_in
from tests.helpers import PROJECT_DIR, run_cli

ETL = "arn:aws:sts::123456789012:assumed-role/acme-iac-svc-etl-processor/ci-etl-processor"
API = "arn:aws:sts::123456789012:assumed-role/acme-iac-svc-public-api/ci-public-api"


def pulumi_error(principal, action, resource, reason):
    return (f" +  aws:x:Y thing creating (1s) error: sdk-v2/provider2.go:520: creating: operation error: https response error StatusCode: 403, "
            f"RequestID: 1, api error AccessDenied: User: {principal} is not authorized to perform: {action} on resource: {resource} {reason}")  # fmt: skip


def explain(tmp_path, *lines, stack="prod", extra=()):
    log = tmp_path / "up.log"
    log.write_text("Updating (stack):\n" + "\n".join(lines) + "\n")
    result = run_cli("explain", "--stack", stack, "--log", str(log), "--json", *extra)
    return result, (json.loads(result.stdout)["denials"] if result.stdout else [])


def test_a_missing_grant_names_the_action_and_the_services_actions(tmp_path):
    line = pulumi_error(ETL, "SNS:CreateTopic", "arn:aws:sns:eu-west-1:123456789012:etl-alerts",
                        "because no identity-based policy allows the SNS:CreateTopic action")  # fmt: skip
    result, denials = explain(tmp_path, line, "Diagnostics:", "  error: " + line.split("error: ", 1)[1])
    assert result.returncode == 0, result.stderr
    assert len(denials) == 1, "Pulumi repeats the error in its summary: one denial"
    [denial] = denials
    assert denial["action"] == "sns:CreateTopic" and denial["resource"] == "arn:aws:sns:eu-west-1:123456789012:etl-alerts"
    assert denial["role"] == "acme-iac-svc-etl-processor" and denial["service"] == "etl-processor"
    assert denial["fix"] == "services.etl-processor.actions: add sns:CreateTopic" and denial["explained"]


def test_a_resource_outside_the_grant_names_the_services_resources(tmp_path):
    line = pulumi_error(
        ETL,
        "sqs:CreateQueue",
        "arn:aws:sqs:eu-west-1:123456789012:jobs",
        "because no identity-based policy allows the sqs:CreateQueue action",
    )
    _, [denial] = explain(tmp_path, line)
    assert denial["fix"] == "services.etl-processor.resources: add arn:aws:sqs:eu-west-1:123456789012:jobs"


def test_a_prod_delete_names_deny_destructive_and_the_delete_window(tmp_path):
    line = pulumi_error(
        ETL, "sqs:DeleteQueue", "arn:aws:sqs:eu-west-1:123456789012:etl-old", "with an explicit deny in an identity-based policy"
    )
    result, [denial] = explain(tmp_path, line)
    assert result.returncode == 0, result.stderr
    assert denial["statement"] == "DenyDestructive" and "by design, prod denies deletes" in denial["deniedBy"]
    assert denial["fix"].startswith("services.etl-processor.deleteWindow: {until: '<a UTC instant, at most 24h ahead>', reason:")


def test_a_delete_window_that_ended_is_named(tmp_path):
    project = tmp_path / "baseline"
    project.mkdir()
    (project / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    config = (PROJECT_DIR / "Pulumi.prod.yaml").read_text()
    ended = (datetime.now(UTC) - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = f"      deleteWindow: {{until: '{ended}', reason: 'drop the old queue'}}\n"
    (project / "Pulumi.prod.yaml").write_text(config.replace("    etl-processor:\n", "    etl-processor:\n" + window))
    line = pulumi_error(
        ETL, "sqs:DeleteQueue", "arn:aws:sqs:eu-west-1:123456789012:etl-old", "with an explicit deny in an identity-based policy"
    )
    result, [denial] = explain(tmp_path, line, extra=("--project-dir", str(project)))
    assert result.returncode == 0, result.stderr
    assert denial["statement"] == "DenyDestructive" and f"the delete window ended at {ended}" in denial["deniedBy"]
    assert denial["fix"].startswith("services.etl-processor.deleteWindow:") and "has passed" in denial["fix"]


def test_a_baseline_guard_is_named_by_its_sid(tmp_path):
    line = pulumi_error(
        ETL, "s3:PutObject", '"arn:aws:s3:::acme-iac-state-123456789012-eu-west-1/x"', "with an explicit deny in an identity-based policy"
    )
    _, [denial] = explain(tmp_path, line)
    assert denial["statement"] == "DenyStateBucket" and denial["fix"].startswith("by design:")


@pytest.fixture(scope="module")
def creator_project(tmp_path_factory):
    """A dev baseline with one service that creates roles (so they carry its boundary)."""
    project = tmp_path_factory.mktemp("creator")
    (project / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    actions = ["iam:CreateRole", "iam:GetRole*", "iam:PassRole", "iam:TagRole", "lambda:*", "logs:*", "sqs:*"]
    config = {"config": {"aws:region": "eu-west-1", "iam-baseline:environment": "dev", "iam-baseline:namePrefix": "acme-iac",
                         "iam-baseline:services": {"worker-lambda": {"actions": actions, "resources": ["*"]}}}}  # fmt: skip
    (project / "Pulumi.dev.yaml").write_text(json.dumps(config))
    return project


def test_a_boundary_denial_names_the_service_that_created_the_role(tmp_path, creator_project):
    handler = "arn:aws:sts::123456789012:assumed-role/worker-handler/awslambda_1"
    implicit = pulumi_error(handler, "dynamodb:PutItem", "arn:aws:dynamodb:eu-west-1:123456789012:table/jobs",
                            "because no permissions boundary allows the dynamodb:PutItem action")  # fmt: skip
    explicit = pulumi_error(handler, "sts:AssumeRole", "arn:aws:iam::123456789012:role/admin",
                            "with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/acme-iac/boundary")  # fmt: skip
    result, denials = explain(tmp_path, implicit, explicit, stack="dev", extra=("--project-dir", str(creator_project)))
    assert result.returncode == 0, result.stderr
    assert [d["service"] for d in denials] == ["worker-lambda", "worker-lambda"]
    assert "permissions boundary" in denials[0]["deniedBy"] and denials[0]["fix"] == "services.worker-lambda.actions: add dynamodb:PutItem"
    assert denials[1]["statement"] == "DenyAssumeRole" and denials[1]["fix"].startswith("by design:")


def test_a_role_of_no_service_is_not_attributed_and_exits_1(tmp_path):
    stranger = "arn:aws:sts::123456789012:assumed-role/someone-else/x"
    result, [denial] = explain(
        tmp_path,
        pulumi_error(
            stranger,
            "sqs:CreateQueue",
            "arn:aws:sqs:eu-west-1:123456789012:q",
            "because no identity-based policy allows the sqs:CreateQueue action",
        ),
    )
    assert result.returncode == 1 and not denial["explained"] and "--service" in denial["fix"]


def test_a_corrupt_log_exits_2_naming_it(tmp_path):
    log = tmp_path / "up.log"
    log.write_bytes(b"\x1f\x8b\x08\x00\xff\xfe binary")
    result = run_cli("explain", "--stack", "prod", "--log", str(log))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [f"--log {log}: not a text log (not UTF-8); give the output `pulumi up` printed"]
    empty = tmp_path / "clean.log"
    empty.write_text("Updating (prod):\nResources: 3 unchanged\n")
    nothing = run_cli("explain", "--stack", "prod", "--log", str(empty))
    assert nothing.returncode == 2 and str(empty) in nothing.stderr and "no AccessDenied" in nothing.stderr


def test_the_message_variants_are_read():
    text = "\n".join([
        "api error UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure message: AbCdEf0123456789_-xyzXYZ",
        f"User: {API} is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:eu-west-1:123456789012:instance/*",
        f"User: {ETL} is not authorized to perform: iam:CreatePolicyVersion on resource: policy arn:aws:iam::123456789012:policy/p "
        "with an explicit deny in a permissions boundary: arn:aws:iam::123456789012:policy/b.",
    ])  # fmt: skip
    encoded, plain, boundary = denials_in(text, "log")
    assert encoded.encoded == "AbCdEf0123456789_-xyzXYZ" and encoded.action == ""
    assert plain.action == "ec2:RunInstances" and plain.policy_type is None and plain.explicit is None
    assert (boundary.policy_type, boundary.explicit, boundary.policy_arn) == ("boundary", True, "arn:aws:iam::123456789012:policy/b")
    assert boundary.resource == "arn:aws:iam::123456789012:policy/p"


def decoded(principal, action, resource, explicit=False, statements=()):
    return json.dumps({
        "allowed": False, "explicitDeny": explicit,
        "matchedStatements": {"items": [{"statementId": s, "effect": "DENY"} for s in statements]},
        "failures": {"items": []},
        "context": {"principal": {"id": "AROAEXAMPLE:ci", "arn": principal}, "action": action, "resource": resource,
                    "conditions": {"items": [{"key": "ec2:InstanceType", "values": {"items": [{"value": "t3.micro"}]}}]}},
    })  # fmt: skip


def test_a_decoded_message_is_explained(monkeypatch, capsys, tmp_path):
    client = boto3.client("sts", region_name="eu-west-1")
    stubber = Stubber(client)
    run_instances = decoded(API, "ec2:RunInstances", "arn:aws:ec2:eu-west-1:123456789012:instance/*")
    delete = decoded(ETL, "sqs:DeleteQueue", "arn:aws:sqs:eu-west-1:123456789012:etl-old", explicit=True, statements=("DenyDestructive",))
    stubber.add_response("decode_authorization_message", {"DecodedMessage": delete}, {"EncodedMessage": "EncodedOnTheCommandLine"})
    stubber.add_response(
        "decode_authorization_message", {"DecodedMessage": run_instances}, {"EncodedMessage": "EncodedFromTheLog_0123456789"}
    )
    stubber.activate()  # --message is decoded first (a bad one stops everything), then the log's
    monkeypatch.setattr(explain_module, "sts_client", lambda region: client)
    log = tmp_path / "up.log"
    log.write_text("error: api error UnauthorizedOperation: You are not authorized to perform this operation. "
                   "Encoded authorization failure message: EncodedFromTheLog_0123456789\n")  # fmt: skip
    code = main(["explain", "--stack", "prod", "--log", str(log), "--message", "EncodedOnTheCommandLine", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    first, second = json.loads(out)["denials"]
    assert first["action"] == "ec2:RunInstances" and first["fix"] == "services.public-api.actions: add ec2:RunInstances"
    assert second["source"] == "--message" and second["statement"] == "DenyDestructive" and "deleteWindow" in second["fix"]
    stubber.assert_no_pending_responses()
