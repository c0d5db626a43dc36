"""Temporary delete windows and per-service state isolation."""

import json
from datetime import UTC, datetime

import pytest

from baseline.aws.catalog import get_actions_for_service, is_destructive
from baseline.design.config import parse_config
from baseline.design.findings import ConfigError
from baseline.review.review import review
from tests.emulated_account import EmulatedAccount, denied, unwrap
from tests.helpers import one, render, role_documents
from tests.policy_simulator import allows, principal

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
WINDOW = {"until": "2026-11-26T18:00:00Z", "reason": "retire the v1 queues"}
SQS_DESTRUCTIVE = {a for a in get_actions_for_service("sqs") if is_destructive(a)}


def problems(raw, stack="prod"):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, stack, now=NOW)
    return {f.location: f.detail for f in caught.value.findings}


# -- delete windows -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("window", "complaint"),
    [
        ({"until": "2026-11-26T11:00:00Z", "reason": "x"}, "already passed"),
        ({"until": "2026-11-28T12:00:00Z", "reason": "x"}, "more than maxDeleteWindowHours (24)"),
        ({"until": "2026-11-26T18:00:00", "reason": "x"}, "UTC instant"),
        ({"until": "tomorrow", "reason": "x"}, "UTC instant"),
    ],
)
def test_windows_in_the_past_too_far_ahead_or_without_a_zone_are_refused(window, complaint):
    found = problems({"services": {"q": {"actions": ["sqs:*"], "deleteWindow": window}}})
    assert complaint in found["services.q.deleteWindow.until"]


def test_a_window_needs_a_reason_and_denied_deletes():
    assert (
        "is required"
        in problems({"services": {"q": {"actions": ["sqs:*"], "deleteWindow": {"until": WINDOW["until"]}}}})[
            "services.q.deleteWindow.reason"
        ]
    )
    found = problems({"services": {"q": {"actions": ["sqs:*"], "deleteWindow": WINDOW}}}, stack="dev")
    assert "already allowed" in found["services.q.deleteWindow"]


def test_the_maximum_window_is_configurable():
    cfg = parse_config(
        {
            "maxDeleteWindowHours": 72,
            "services": {"q": {"actions": ["sqs:*"], "deleteWindow": {**WINDOW, "until": "2026-11-28T12:00:00Z"}}},
        },
        "prod",
        now=NOW,
    )
    assert cfg.services[0].delete_window.until_text == "2026-11-28T12:00:00Z"


@pytest.fixture(scope="module")
def windowed(monkeypatch_module):
    import baseline.design.config as config_module

    class FrozenDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return NOW

    monkeypatch_module.setattr(config_module, "datetime", FrozenDatetime)
    return render({"services": {"q": {"actions": ["sqs:*"], "deleteWindow": WINDOW}, "other": {"actions": ["sqs:*"]}}}, stack="prod")


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def test_iam_itself_opens_and_closes_the_window(windowed):
    out = unwrap(windowed.outputs)
    (policy,) = role_documents(windowed)["iam-baseline-svc-q"][1]
    role = principal(out["provisioningRoles"]["q"]["arn"], [policy])
    queue = "arn:aws:sqs:us-east-1:123456789012:jobs"
    for when, expected in [
        ("2026-11-26T13:00:00Z", True),
        ("2026-11-26T17:59:59Z", True),
        ("2026-11-26T18:00:00Z", False),
        ("2026-11-27T09:00:00Z", False),
    ]:
        assert allows(role, "sqs:DeleteQueue", queue, {"aws:CurrentTime": when}) is expected, f"DeleteQueue at {when}"
        assert allows(role, "sqs:SendMessage", queue, {"aws:CurrentTime": when}), "the window must not touch the normal grant"
    other = principal(out["provisioningRoles"]["other"]["arn"], role_documents(windowed)["iam-baseline-svc-other"][1])
    assert not allows(other, "sqs:DeleteQueue", queue, {"aws:CurrentTime": "2026-11-26T13:00:00Z"}), "a window leaked to another service"


def test_the_window_grants_exactly_the_destructive_actions_of_the_configured_grant(windowed):
    (policy,) = role_documents(windowed)["iam-baseline-svc-q"][1]
    window = {s["Sid"]: s for s in policy["Statement"]}["DeleteWindow"]
    from baseline.design.grants import expand_patterns

    assert expand_patterns(window["Action"]) == SQS_DESTRUCTIVE
    assert window["Condition"] == {"DateLessThan": {"aws:CurrentTime": "2026-11-26T18:00:00Z"}}


def test_open_windows_are_shown_in_the_outputs_and_the_review(windowed):
    assert unwrap(windowed.outputs)["deleteWindows"] == {"q": WINDOW}
    report = review(windowed)
    assert report.delete_windows == {"q": WINDOW}
    codes = {(f["code"], f["location"]) for f in report.to_json()["findings"]}
    assert ("delete-window", "role/iam-baseline-svc-q") in codes
    assert report.summary["error"] == 0


# -- per-service state isolation ----------------------------------------------------------------


@pytest.fixture(scope="module")
def isolated():
    services = {"api": {"actions": ["sqs:*"], "pulumiProject": "public-api"}, "etl": {"actions": ["s3:*"]}}
    return render({"stateIsolation": "per-service", "services": services}, stack="prod", region="eu-west-1")


def test_each_service_gets_its_own_state_role_and_outputs(isolated):
    out = unwrap(isolated.outputs)
    for service in ("api", "etl"):
        role = out["provisioningRoles"][service]
        assert role["stateRole"]["arn"] == f"arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-state-{service}"
        assert role["backendUrl"] == out["backendUrl"]
        assert role["stateRole"]["externalId"] != role["externalId"]
    assert "stateRole" not in out, "per-service state has no shared state role"
    group_policy = json.loads(one(isolated, "aws:iam/groupPolicy:GroupPolicy").inputs["policy"])
    assert out["provisioningRoles"]["api"]["stateRole"]["arn"] in group_policy["Statement"][0]["Resource"]
    assert "[profile iam-baseline-api-state]" in out["awsConfig"]


def test_a_service_state_role_reaches_only_its_own_project(isolated):
    out = unwrap(isolated.outputs)
    bucket = out["stateBucketArn"]
    (policy,) = role_documents(isolated)["iam-baseline-state-api"][1]
    api = principal(out["provisioningRoles"]["api"]["stateRole"]["arn"], [policy])
    own = [
        "stacks/public-api/prod.json",
        "locks/organization/public-api/prod/1.json",
        "history/public-api/prod/x.json",
        "backups/public-api/prod/y.json",
    ]
    for key in own:
        for action in ("s3:GetObject", "s3:PutObject", "s3:DeleteObject"):
            assert allows(api, action, f"{bucket}/.pulumi/{key}"), f"api cannot {action} its own {key}"
    foreign = [
        "stacks/etl/prod.json",
        "locks/organization/etl/prod/1.json",
        "history/etl/prod/x.json",
        "backups/etl/prod/y.json",
        "stacks/public-api-evil/prod.json",
    ]
    for key in foreign:
        assert not allows(api, "s3:GetObject", f"{bucket}/.pulumi/{key}"), f"api can read {key}"
    for action in ("s3:GetObject", "s3:PutObject"):
        assert not allows(api, action, f"{bucket}/.pulumi/stacks/iam-baseline/prod.json"), f"api may {action} the baseline's checkpoint"
    handoff = f"{bucket}/.pulumi/stacks/iam-baseline-handoff/prod.public-api.json"
    assert allows(api, "s3:GetObject", handoff), "StackReference to its own handoff stack is blocked"
    assert not allows(api, "s3:PutObject", handoff), "a service may rewrite its own handoff"
    assert not allows(api, "s3:GetObject", f"{bucket}/.pulumi/stacks/iam-baseline-handoff/prod.etl.json"), "api reads etl's handoff"
    assert allows(api, "s3:GetObject", handoff + ".gz"), "a gzipped checkpoint is the same stack"
    lookalike = f"{bucket}/.pulumi/stacks/iam-baseline-handoff/prod.public-api.jsonx.json"
    assert not allows(api, "s3:GetObject", lookalike), "project public-api.jsonx's handoff is not public-api's"
    assert allows(api, "s3:GetObject", f"{bucket}/.pulumi/meta.yaml")
    assert allows(api, "s3:ListBucket", bucket, {"s3:prefix": ".pulumi/stacks/public-api/"})
    assert not allows(api, "s3:ListBucket", bucket, {"s3:prefix": ".pulumi/stacks/etl/"})
    assert not allows(api, "s3:ListBucket", bucket, {"s3:prefix": ""})


def test_the_shared_state_role_no_longer_trusts_service_tokens():
    github = {"repository": "acme/api", "branches": ["main"]}
    rendering = render(
        {"stateIsolation": "per-service", "ci": {"mode": "github"}, "services": {"api": {"actions": ["sqs:*"], "github": github}}},
        stack="prod",
    )
    trusts = {name: trust for name, (trust, _) in role_documents(rendering).items()}
    assert "iam-baseline-state" not in trusts, "no shared state role (IAM would refuse its empty trust)"
    assert trusts["iam-baseline-state-api"]["Statement"][0]["Principal"] == {"Federated": unwrap(rendering.outputs)["oidcProviderArn"]}


def test_state_isolation_in_the_emulator(isolated):
    with EmulatedAccount(isolated) as account, account.enforced():
        out = account.outputs
        bucket = out["stateBucketName"]
        api = account.as_role(out["provisioningRoles"]["api"]["stateRole"], "s3")
        api.put_object(Bucket=bucket, Key=".pulumi/stacks/public-api/prod.json", Body=b"{}")
        assert api.get_object(Bucket=bucket, Key=".pulumi/stacks/public-api/prod.json")["Body"].read() == b"{}"
        etl = account.as_role(out["provisioningRoles"]["etl"]["stateRole"], "s3")
        etl.put_object(Bucket=bucket, Key=".pulumi/stacks/etl/prod.json", Body=b"{}")
        assert denied(api.get_object, Bucket=bucket, Key=".pulumi/stacks/etl/prod.json")
        assert denied(etl.put_object, Bucket=bucket, Key=".pulumi/stacks/public-api/prod.json", Body=b"x")
        assert denied(api.put_object, Bucket=bucket, Key=".pulumi/stacks/iam-baseline/prod.json", Body=b"x")


def test_isolation_config_is_checked():
    found = problems({"stateIsolation": "per-project", "services": {"a": {"actions": ["sqs:*"], "pulumiProject": "bad project"}}})
    assert "shared, per-service" in found["stateIsolation"]
    assert "Pulumi project name" in found["services.a.pulumiProject"]
    long_name = "s" * 46  # fits <prefix>-svc-<name> (64) but not <prefix>-state-<name>
    assert f"services.{long_name}" in problems({"stateIsolation": "per-service", "services": {long_name: {"actions": ["sqs:*"]}}})
