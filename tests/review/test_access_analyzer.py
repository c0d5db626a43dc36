"""`review --live`: IAM Access Analyzer on every rendered policy, tested with botocore's Stubber only (the
client is built with fake credentials; nothing here reaches AWS)."""

import json

import boto3
import pytest
from botocore.stub import Stubber

from baseline.aws.catalog import CREDENTIAL_MINTING_ACTIONS
from baseline.cli.main import main
from baseline.review import access_analyzer
from baseline.review.access_analyzer import BATCH, OUTSIDE_ROLE, Pacer, documents, live_review, promises
from baseline.review.principals import collect_principals

REGION = "eu-west-1"
PASS = {"result": "PASS", "message": "The policy document does not grant access to perform the listed actions or resources."}


@pytest.fixture(autouse=True)
def fake_aws(monkeypatch, tmp_path):
    """Fake credentials and region; no shared files, profile or instance metadata to fall back on."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                 "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(access_analyzer, "CALLS_PER_SECOND", 0.0)


@pytest.fixture(scope="module")
def dev(shipped_rendering):
    rendering = shipped_rendering("dev")
    return rendering, collect_principals(rendering)


def clean(method, params):
    return {"findings": []} if method == "validate_policy" else PASS


class Recorder:
    """Answers like Access Analyzer would (through `answer`) and records every call, in order."""

    def __init__(self, answer):
        self.answer, self.calls = answer, []
        self.meta = type("Meta", (), {"region_name": REGION})

    def validate_policy(self, **params):
        return self._call("validate_policy", params)

    def check_access_not_granted(self, **params):
        return self._call("check_access_not_granted", params)

    def _call(self, method, params):
        self.calls.append((method, params))
        return self.answer(method, params)


def stubbed_client(dev, answer=clean):
    """Return a real accessanalyzer client under Stubber, expecting exactly the calls `review --live`
    makes for the dev stack (each checked against botocore's model), answered by `answer`."""
    recorder = Recorder(answer)
    live_review(recorder, *dev, rate=0)
    client = boto3.client("accessanalyzer", region_name=REGION)
    stubber = Stubber(client)
    for method, params in recorder.calls:
        stubber.add_response(method, answer(method, params), params)
    stubber.activate()
    return client, stubber


def run_review(monkeypatch, capsys, client, *extra):
    monkeypatch.setattr(access_analyzer, "access_analyzer_client", lambda default_region: client)
    code = main(["review", "--stack", "dev", "--live", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def policy_of(dev, key, name):
    return json.dumps(dev[1][key].policies[name], sort_keys=True)


# -- what is asked ------------------------------------------------------------------------------------


def test_each_document_is_validated_as_what_it_is(dev):
    docs = {(d.principal, d.name): d for d in documents(dev[1], dev[0])}
    trusts = [d for d in docs.values() if d.name == "trust-policy"]
    assert trusts and all(d.policy_type == "RESOURCE_POLICY" and d.resource_type == "AWS::IAM::AssumeRolePolicyDocument" for d in trusts)
    assert all("[secret]" in json.dumps(d.policy) for d in trusts if "sts:ExternalId" in json.dumps(d.policy)), "external IDs stay here"
    bucket = [d for d in docs.values() if d.name == "bucket-policy"]
    assert len(bucket) == 1 and bucket[0].policy_type == "RESOURCE_POLICY" and bucket[0].resource_type == "AWS::S3::Bucket"
    ci = [d for (where, _), d in docs.items() if where.startswith("user/")]
    assert {d.name.split("-", 1)[0] for d in ci} == {"boundary", "policy"}
    assert all(d.policy_type == "IDENTITY_POLICY" and d.resource_type is None for d in ci)


def test_the_promises_ask_about_credentials_other_services_outside_roles_and_passrole(dev):
    rendering, principals = dev
    asked = {(p.name, p.principal, p.document): p for p in promises(principals, rendering.ctx)}
    ci = principals["ci-user"]
    for name in ci.documents():
        minting = asked["ci-no-credential-minting", f"user/{ci.name}", name]
        assert set(CREDENTIAL_MINTING_ACTIONS) | {"iam:PassRole"} == set(minting.actions)
        others = asked["ci-only-sts-assume-role", f"user/{ci.name}", name].actions
        assert {"iam:*", "s3:*", "kms:*", "sts:GetFederationToken"} <= set(others) and "sts:AssumeRole" not in others
        assert {"ecs:*", "glue:*"} <= set(others), "every service a provisioning role reaches"
        outside = asked["ci-assumes-only-baseline-roles", f"user/{ci.name}", name]
        assert outside.actions == ("sts:AssumeRole",) and all(r.endswith(f":role/{OUTSIDE_ROLE}") for r in outside.resources)
    roles = {p.arn for p in principals.values() if p.kind == "role"}
    passrole = [p for p in asked.values() if p.name == "no-passrole-beyond-service-path"]
    assert {p.principal for p in passrole} == {f"role/{p.name}" for k, p in principals.items() if k.startswith("service/")}
    for p in passrole:
        assert p.actions == ("iam:PassRole",) and roles < set(p.resources) and "*" not in p.resources


def test_every_request_fits_the_api_and_identical_ones_are_sent_once(dev):
    recorder = Recorder(clean)
    report = live_review(recorder, *dev, rate=0)
    keys = [json.dumps(params, sort_keys=True) for _, params in recorder.calls]
    assert len(keys) == len(set(keys)) == report.calls
    for method, params in recorder.calls:
        if method == "check_access_not_granted":
            (access,) = params["access"]
            assert 0 < len(access.get("actions", [])) <= BATCH and len(access.get("resources", [])) <= BATCH


def test_calls_are_paced():
    now, slept = [0.0], []
    pace = Pacer(4, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    for _ in range(3):
        pace()
    assert slept == [0.25, 0.25] and pace.calls == 3


# -- through the command line ---------------------------------------------------------------------------


def test_a_clean_run_exits_0(dev, monkeypatch, capsys):
    client, stubber = stubbed_client(dev)
    code, out, err = run_review(monkeypatch, capsys, client)
    assert code == 0, out + err
    stubber.assert_no_pending_responses()
    assert "## Live checks: IAM Access Analyzer (eu-west-1" in out and "0 fail, 0 error, 0 security warning" in out


def test_a_security_warning_exits_1_and_names_the_principal(dev, monkeypatch, capsys):
    target = policy_of(dev, "service/public-api", "provisioning")

    def answer(method, params):
        if method == "validate_policy" and params["policyDocument"] == target:
            finding = {"findingType": "SECURITY_WARNING", "issueCode": "PASS_ROLE_WITH_STAR_IN_RESOURCE",
                       "findingDetails": "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive.",
                       "learnMoreLink": "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html",
                       "locations": []}  # fmt: skip
            return {"findings": [finding]}
        return clean(method, params)

    client, _ = stubbed_client(dev, answer)
    code, out, _ = run_review(monkeypatch, capsys, client)
    role = dev[1]["service/public-api"].name
    assert code == 1
    (line,) = [line for line in out.splitlines() if line.startswith("SECURITY_WARNING")]
    assert f"role/{role} policy-provisioning" in line and "PASS_ROLE_WITH_STAR_IN_RESOURCE" in line


def test_warnings_and_suggestions_are_reported_but_pass(dev, monkeypatch, capsys):
    def answer(method, params):
        if method == "validate_policy" and params.get("validatePolicyResourceType") == "AWS::S3::Bucket":
            finding = {"findingType": "SUGGESTION", "issueCode": "EMPTY_ARRAY_CONDITION", "findingDetails": "x",
                       "learnMoreLink": "https://example.invalid", "locations": []}  # fmt: skip
            return {"findings": [finding]}
        return clean(method, params)

    client, _ = stubbed_client(dev, answer)
    code, out, _ = run_review(monkeypatch, capsys, client)
    assert code == 0 and "SUGGESTION" in out and "bucket/" in out and "1 suggestion" in out


def test_a_broken_promise_exits_1_and_names_it(dev, monkeypatch, capsys):
    ci = dev[1]["ci-user"]
    group = next(iter(ci.policies))
    target = policy_of(dev, "ci-user", group)

    def answer(method, params):  # Access Analyzer finds that the CI group's policy may mint keys
        asked = params.get("access", [{}])[0].get("actions", [])
        if method == "check_access_not_granted" and params["policyDocument"] == target and "iam:CreateAccessKey" in asked:
            return {"result": "FAIL", "message": "The policy document grants access to perform one or more of the listed actions.",
                    "reasons": [{"description": "One or more of the listed actions in the statement.", "statementIndex": 1}]}  # fmt: skip
        return clean(method, params)

    client, _ = stubbed_client(dev, answer)
    code, out, err = run_review(monkeypatch, capsys, client)
    assert code == 1, err
    (line,) = [line for line in out.splitlines() if line.startswith("FAIL")]
    assert "ci-no-credential-minting" in line and f"user/{ci.name} policy-{group}" in line and "iam:CreateAccessKey" in line
    assert "1 fail" in out


def test_json_carries_the_live_checks(dev, monkeypatch, capsys):
    client, _ = stubbed_client(dev)
    code, out, _ = run_review(monkeypatch, capsys, client, "--json")
    live = json.loads(out)["live"]
    assert code == 0 and live["failed"] is False and live["findings"] == [] and "ci-no-credential-minting" in live["promisesChecked"]


def test_missing_credentials_exit_2_with_one_line(monkeypatch, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code = main(["review", "--stack", "dev", "--live"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1 and "no AWS credentials" in err


def test_access_denied_exits_2_with_one_line(monkeypatch, capsys):
    client = boto3.client("accessanalyzer", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_client_error(
        "validate_policy", "AccessDeniedException", "User is not authorized to perform: access-analyzer:ValidatePolicy", 403
    )
    stubber.activate()
    code, out, err = run_review(monkeypatch, capsys, client)
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "could not check: AccessDeniedException" in err and "Traceback" not in err
