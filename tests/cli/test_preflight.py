"""`preflight`: every action a change needs, checked before `pulumi up` against the service's role as the
baseline config renders it (inline and attached policies, prod's DenyDestructive, delete windows, guards)."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta

import pytest

from baseline.aws.permissions import get_resource_permissions
from baseline.cli.main import main
from tests.helpers import PROJECT_DIR, large_grant

UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
ACCOUNT = "123456789012"
QUEUE = "aws:sqs/queue:Queue"
LAMBDA_ROLE = PROJECT_DIR / "tests" / "fixtures" / "programs" / "lambda-role"


def baseline(tmp_path, services, stack="dev", name="baseline"):
    """Write a baseline project (Pulumi.yaml and Pulumi.<stack>.yaml) and return its folder."""
    project = tmp_path / name
    project.mkdir()
    (project / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    config = {"aws:region": "eu-west-1", "iam-baseline:namePrefix": "acme-iac", "iam-baseline:services": services}
    if stack == "prod":
        config["iam-baseline:accountId"] = ACCOUNT
    (project / f"Pulumi.{stack}.yaml").write_text(json.dumps({"config": config}))
    return project


def step(op, typ, name, inputs, arn=None, stack="dev"):
    urn = f"urn:pulumi:{stack}::service-app::{typ}::{name}"
    state = {"type": typ, "urn": urn, "custom": True, "inputs": inputs, **({"outputs": {"arn": arn}} if arn else {})}
    return {"op": op, "urn": urn, ("oldState" if op in ("delete", "delete-replaced") else "newState"): state}


def preview(tmp_path, *steps, name="preview.json"):
    stack = {
        "op": "same",
        "urn": "urn:pulumi:dev::service-app::pulumi:pulumi:Stack::service-app-dev",
        "newState": {"type": "pulumi:pulumi:Stack"},
    }
    provider = {
        "op": "create",
        "urn": "urn:pulumi:dev::service-app::pulumi:providers:aws::default",
        "newState": {"type": "pulumi:providers:aws"},
    }
    path = tmp_path / name
    path.write_text(json.dumps({"steps": [stack, provider, *steps], "changeSummary": {"create": len(steps)}}))
    return path


def preflight(capsys, project, *args, stack="dev", service="api"):
    code = main(["preflight", "--stack", stack, "--service", service, "--project-dir", str(project), "--json", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else None), err


def queue_actions():
    row = get_resource_permissions(QUEUE)
    return sorted(row.create | row.read | row.tag)


def test_a_full_grant_passes(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["*"]}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": "api-jobs", "messageRetentionSeconds": 1209600}))
    code, report, err = preflight(capsys, project, "--preview", str(change))
    assert code == 0, err
    assert report == {"missing": [], "deniedByDesign": [], "unverifiable": [], "principalProblems": []}


def test_a_grant_without_the_create_action_exits_1_naming_it(tmp_path, capsys):
    without = [a for a in queue_actions() if a != "sqs:CreateQueue"]
    project = baseline(tmp_path, {"api": {"actions": without, "resources": ["*"]}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": "api-jobs"}))
    code, report, _ = preflight(capsys, project, "--preview", str(change))
    assert code == 1
    [missing] = report["missing"]
    assert missing["action"] == "sqs:CreateQueue" and missing["type"] == QUEUE and missing["step"] == "create"
    assert missing["urn"].endswith("::aws:sqs/queue:Queue::jobs")
    assert missing["fix"] == "services.api.actions: add sqs:CreateQueue"
    assert missing["resource"] == "arn:aws:sqs:eu-west-1:" + missing["resource"].split(":")[4] + ":api-jobs", (
        "derived from the catalogue's ARN format"
    )


def test_a_resource_outside_the_grant_names_the_resources_line(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["arn:aws:sqs:eu-west-1:*:api-*"]}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": "other-jobs"}), step("create", QUEUE, "own", {"name": "api-own"}))
    code, report, _ = preflight(capsys, project, "--preview", str(change))
    assert code == 1
    assert {m["urn"].rsplit("::", 1)[1] for m in report["missing"]} == {"jobs"}, "api-own is inside the grant"
    assert all(m["fix"].startswith("services.api.resources: add arn:aws:sqs:eu-west-1:") for m in report["missing"])


def test_an_unknown_resource_under_a_scoped_grant_is_unverifiable_not_missing(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["arn:aws:sqs:eu-west-1:*:api-*"]}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": UNKNOWN}))
    code, report, _ = preflight(capsys, project, "--preview", str(change))
    assert code == 0 and report["missing"] == []
    assert {u["action"] for u in report["unverifiable"]} >= {"sqs:CreateQueue"}
    assert all(u["resource"] == "(known after deploy)" for u in report["unverifiable"])


def test_a_prod_delete_is_denied_by_design_naming_the_delete_window(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["*"]}}, stack="prod")
    arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:api-old"
    change = preview(tmp_path, step("delete", QUEUE, "old", {"name": "api-old"}, arn=arn))
    code, report, _ = preflight(capsys, project, "--preview", str(change), stack="prod")
    assert code == 1 and report["missing"] == []
    [denied] = [d for d in report["deniedByDesign"] if d["action"] == "sqs:DeleteQueue"]
    assert denied["resource"] == arn and denied["step"] == "delete" and "DenyDestructive" in denied["why"]
    assert denied["fix"].startswith("services.api.deleteWindow: {until: '<a UTC instant, at most 24h ahead>', reason:")


def test_an_open_delete_window_lets_the_prod_delete_through(tmp_path, capsys):
    until = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = {"until": until, "reason": "retire the old queue"}
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["*"], "deleteWindow": window}}, stack="prod")
    change = preview(tmp_path, step("delete", QUEUE, "old", {"name": "api-old"}, arn=f"arn:aws:sqs:eu-west-1:{ACCOUNT}:api-old"))
    code, report, err = preflight(capsys, project, "--preview", str(change), stack="prod")
    assert code == 0, (report, err)


def test_a_replacement_in_prod_needs_the_delete_too(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"], "resources": ["*"]}}, stack="prod")
    arn = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:api-jobs"
    change = preview(tmp_path, step("create-replacement", QUEUE, "jobs", {"name": "api-jobs", "fifoQueue": True}),
                     step("replace", QUEUE, "jobs", {"name": "api-jobs"}), step("delete-replaced", QUEUE, "jobs", {"name": "api-jobs"}, arn=arn))  # fmt: skip
    code, report, _ = preflight(capsys, project, "--preview", str(change), stack="prod")
    assert code == 1
    assert {(d["action"], d["step"]) for d in report["deniedByDesign"]} == {
        ("sqs:DeleteQueue", "replace"),
        ("sqs:DeleteQueue", "delete-replaced"),
    }


def test_a_split_grant_is_checked_against_the_managed_policies_that_hold_it(tmp_path, capsys):
    project = baseline(tmp_path, {"big": {"actions": sorted({*large_grant(), *queue_actions()})}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": "big-jobs"}))
    code, report, err = preflight(capsys, project, "--preview", str(change), service="big")
    assert code == 0, (report, err)


def test_a_corrupt_preview_exits_2_with_one_line_naming_it(tmp_path, capsys):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"]}})
    corrupt = tmp_path / "preview.json"
    corrupt.write_text('{"steps": [')
    code, report, err = preflight(capsys, project, "--preview", str(corrupt))
    assert code == 2 and report is None
    assert len(err.strip().splitlines()) == 1 and str(corrupt) in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--service", "nope"], "--service nope: stack dev has no such service (it has: api, worker)"),
        (["--service", "api", "--program", "."], "exactly one of --program DIR"),
        (["--service", "api"], "exactly one of --program DIR"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, capsys, args, says):
    project = baseline(tmp_path, {"api": {"actions": ["sqs:*"]}, "worker": {"actions": ["lambda:*"]}})
    change = preview(tmp_path, step("create", QUEUE, "jobs", {"name": "api-jobs"}))
    extra = ["--preview", str(change)] if "--program" in args or args[1] == "nope" else []
    code = main(["preflight", "--stack", "dev", "--project-dir", str(project), *args, *extra])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and says in err[-1]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    """A dev baseline whose `platform` service may create roles (in its path, with its boundary)."""
    return baseline(tmp_path_factory.mktemp("platform"), {"platform": {"actions": ["iam:*", "lambda:*"], "resources": ["*"]}})


def test_a_program_creating_a_role_without_the_boundary_exits_1_naming_create_role_and_the_fix(platform, capsys):
    code, report, err = preflight(capsys, platform, "--program", str(LAMBDA_ROLE), service="platform")
    assert code == 1, err
    problems = [p for p in report["principalProblems"] if p["action"] == "iam:CreateRole"]
    assert problems and all(p["type"] == "aws:iam/role:Role" for p in problems)
    assert any("iam_placement('platform')" in p["fix"] for p in problems)
    denied = {d["action"]: d for d in report["deniedByDesign"]}
    assert "iam:CreateRole" in denied and denied["iam:CreateRole"]["fix"].startswith("program: give the role")
    assert "iam:PassRole" in denied, "handing a role outside the service's path to Lambda is refused too"


def test_the_same_program_with_iam_placement_passes(platform, capsys, tmp_path):
    program = tmp_path / "placed"
    shutil.copytree(LAMBDA_ROLE, program)
    (program / "Pulumi.dev.yaml").write_text("config:\n  lambda-role:placed: 'true'\n")
    emitted = tmp_path / "preflight-actions.json"
    code, report, err = preflight(capsys, platform, "--program", str(program), "--emit-actions", str(emitted), service="platform")
    assert code == 0, (report, err)
    assert report["principalProblems"] == [] and report["missing"] == [] and report["deniedByDesign"] == []
    actions = json.loads(emitted.read_text())
    assert actions["service"] == "platform" and actions["configKey"] == "services.platform"
    assert {"aws:iam/role:Role", "aws:lambda/function:Function"} <= set(actions["types"])


def test_the_example_service_passes_in_prod_and_its_actions_file_is_current(capsys, tmp_path):
    """examples/service-app checks in the actions file its live preflight reads; regenerating it changes nothing."""
    emitted = tmp_path / "preflight-actions.json"
    args = ["--program", str(PROJECT_DIR / "examples" / "service-app"), "--emit-actions", str(emitted)]
    code, report, err = preflight(capsys, PROJECT_DIR, *args, stack="prod", service="etl-processor")
    assert code == 0, (report, err)
    checked_in = PROJECT_DIR / "examples" / "service-app" / ".iam-baseline" / "preflight-actions.json"
    assert emitted.read_text() == checked_in.read_text(), "regenerate it with the command in docs/commands.md (preflight)"
