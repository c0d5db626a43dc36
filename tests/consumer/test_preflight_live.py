"""`python -m iam_baseline_consume.preflight`: the live preflight a service's CI runs before `pulumi up`, asking
IAM's policy simulator as a session of its own role (botocore's Stubber stands in for IAM)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import boto3
import pytest
from botocore.stub import Stubber

from baseline.preflight.rows import actions_file, rows_for
from iam_baseline_consume import preflight

ROLE = "arn:aws:iam::123456789012:role/acme-iac/acme-iac-svc-api"
QUEUE = "aws:sqs/queue:Queue"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
JOBS = "arn:aws:sqs:eu-west-1:123456789012:api-jobs"
OLD = "arn:aws:sqs:eu-west-1:123456789012:api-old"


def step(op, name, arn=None):
    urn = f"urn:pulumi:prod::service-app::{QUEUE}::{name}"
    state = {"type": QUEUE, "urn": urn, "custom": True, "inputs": {"name": f"api-{name}"}, **({"outputs": {"arn": arn}} if arn else {})}
    return {"op": op, "urn": urn, ("oldState" if op == "delete" else "newState"): state}


@pytest.fixture
def files(tmp_path):
    rows, _ = rows_for([QUEUE])
    (tmp_path / "actions.json").write_text(json.dumps(actions_file("api", "services.api", rows)))
    return tmp_path


def write_preview(folder, *steps):
    path = folder / "preview.json"
    path.write_text(json.dumps({"steps": [{"op": "same", "urn": "urn:pulumi:prod::service-app::pulumi:pulumi:Stack::x",
                                           "newState": {"type": "pulumi:pulumi:Stack"}}, *steps]}))  # fmt: skip
    return path


def iam_stub():
    client = boto3.client("iam", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    return client, Stubber(client)


def expect(stub, actions, resource, decisions, marker=None, truncated=False, page_marker=None):
    params = {"PolicySourceArn": ROLE, "ActionNames": actions, "ResourceArns": [resource],
              "ContextEntries": [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": ["2026-03-01T12:00:00Z"], "ContextKeyType": "date"}]}  # fmt: skip
    if page_marker:
        params["Marker"] = page_marker
    results = [{"EvalActionName": a, "EvalResourceName": resource, "EvalDecision": d} for a, d in decisions.items()]
    answer = {"EvaluationResults": results, "IsTruncated": truncated, **({"Marker": marker} if marker else {})}
    stub.add_response("simulate_principal_policy", answer, params)


def run(files, preview, iam, capsys, *extra):
    code = preflight.main(["--preview", str(preview), "--actions", str(files / "actions.json"), "--role-arn", ROLE,
                           "--region", "eu-west-1", "--json", *extra], iam=iam, now=NOW)  # fmt: skip
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def test_a_change_the_role_may_make_exits_0(files, capsys):
    iam, stub = iam_stub()
    create = ["sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:TagQueue"]
    expect(stub, create, JOBS, dict.fromkeys(create, "allowed"))
    with stub:
        code, report, err = run(files, write_preview(files, step("create", "jobs")), iam, capsys)
    stub.assert_no_pending_responses()
    assert code == 0, err
    assert report == {"missing": [], "deniedByDesign": [], "unverifiable": [], "principalProblems": []}


def test_a_denied_action_exits_1_naming_it_and_pages_are_followed(files, capsys):
    iam, stub = iam_stub()
    create = ["sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:ListQueueTags", "sqs:TagQueue"]
    expect(stub, create, JOBS, {"sqs:CreateQueue": "implicitDeny", "sqs:GetQueueAttributes": "allowed"}, marker="m1", truncated=True)
    expect(stub, create, JOBS, {"sqs:ListQueueTags": "allowed", "sqs:TagQueue": "allowed"}, page_marker="m1")
    delete = ["sqs:DeleteQueue", "sqs:GetQueueAttributes"]
    expect(stub, delete, OLD, {"sqs:DeleteQueue": "explicitDeny", "sqs:GetQueueAttributes": "allowed"})
    with stub:
        code, report, _ = run(files, write_preview(files, step("create", "jobs"), step("delete", "old", arn=OLD)), iam, capsys)
    stub.assert_no_pending_responses()
    assert code == 1
    [missing] = report["missing"]
    assert (missing["action"], missing["resource"], missing["step"]) == ("sqs:CreateQueue", JOBS, "create")
    assert missing["fix"].startswith("services.api.actions: add sqs:CreateQueue")
    [denied] = report["deniedByDesign"]
    assert (denied["action"], denied["resource"]) == ("sqs:DeleteQueue", OLD) and denied["fix"].startswith("services.api.deleteWindow:")


def test_without_credentials_it_exits_2_with_one_line(files, capsys, monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI", preflight.EXTERNAL_ID_ENV):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    code, report, err = run(files, write_preview(files, step("create", "jobs")), None, capsys)
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and "no AWS credentials" in err


def test_a_session_that_is_not_the_role_is_refused_and_says_so(files, capsys):
    iam, stub = iam_stub()
    stub.add_client_error("simulate_principal_policy", "AccessDenied", "User: x is not authorized to perform: iam:SimulatePrincipalPolicy")
    with stub:
        code, _, err = run(files, write_preview(files, step("create", "jobs")), iam, capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "only a session of that role may simulate it" in err


def test_a_type_the_actions_file_lacks_exits_2_naming_it(files, capsys):
    other = {"op": "create", "urn": "urn:pulumi:prod::x::aws:sns/topic:Topic::t",
             "newState": {"type": "aws:sns/topic:Topic", "inputs": {"name": "t"}}}  # fmt: skip
    code, _, err = run(files, write_preview(files, other), object(), capsys)
    assert code == 2 and "no row for aws:sns/topic:Topic" in err and "--emit-actions" in err


def test_a_corrupt_preview_or_actions_file_exits_2_naming_it(files, capsys):
    broken = files / "preview.json"
    broken.write_text("not json")
    code, _, err = run(files, broken, object(), capsys)
    assert code == 2 and str(broken) in err and len(err.strip().splitlines()) == 1
    (files / "actions.json").write_text("{}")
    code, _, err = run(files, write_preview(files, step("create", "jobs")), object(), capsys)
    assert code == 2 and "--actions" in err


def test_the_module_imports_neither_the_baseline_nor_policy_sentry():
    import ast
    from pathlib import Path

    tree = ast.parse(Path(preflight.__file__).read_text())
    imported = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert {m.split(".")[0] for m in imported} <= {"__future__", "argparse", "json", "os", "re", "sys", "collections", "dataclasses",
                                                   "datetime", "pathlib", "typing", "boto3", "botocore"}  # fmt: skip
