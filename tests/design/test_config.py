"""Bad input fails with a message naming the key and what is allowed; good input gets defaults."""

from datetime import UTC, datetime

import pytest

from baseline.design.config import decode_pulumi_config, parse_config
from baseline.design.findings import ConfigError
from baseline.offline.stack_files import load_stack_config

GOOD_SERVICE = {"actions": ["sqs:SendMessage"]}


def problems(raw, stack="dev"):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, stack)
    return {f.location: f.detail for f in caught.value.findings}, str(caught.value)


def test_prod_denies_deletes_by_default_and_other_environments_allow_them():
    assert parse_config({}, "prod").allow_delete is False
    assert parse_config({}, "dev").allow_delete is True
    assert parse_config({"environment": "prod"}, "eu-main").allow_delete is False


def test_a_service_may_override_the_environment_default():
    cfg = parse_config({"services": {"a": {"actions": ["sqs:*"], "allowDelete": True}, "b": {"actions": ["sqs:*"]}}}, "prod")
    assert {s.name: s.allow_delete for s in cfg.services} == {"a": True, "b": False}


def test_defaults():
    cfg = parse_config({"services": {"api": GOOD_SERVICE}}, "dev")
    assert cfg.name_prefix == "iam-baseline"
    assert cfg.environment == "dev"
    assert cfg.state_bucket.noncurrent_version_days == 90
    assert cfg.state_bucket.kms is False and cfg.state_bucket.force_destroy is False
    assert cfg.ci.create_access_key is False and cfg.ci.max_session_duration == 3600
    assert cfg.services[0].resources == ("*",)


def test_booleans_and_numbers_arrive_as_strings_from_the_cli():
    cfg = parse_config({"allowDelete": "false", "ci": {"maxSessionDuration": "7200", "createAccessKey": "true"}}, "dev")
    assert cfg.allow_delete is False and cfg.ci.max_session_duration == 7200 and cfg.ci.create_access_key is True


def test_unknown_keys_are_named_at_every_level_with_the_allowed_ones():
    found, _ = problems({"servces": {}, "ci": {"user": "x"}, "services": {"api": {"actions": ["sqs:*"], "resource": ["*"]}}})
    assert "unknown key" in found["servces"] and "services" in found["servces"]
    assert "userName" in found["ci.user"]
    assert "resources" in found["services.api.resource"]


def test_malformed_action_names_the_index_and_the_form():
    found, _ = problems({"services": {"api": {"actions": ["sqs:SendMessage", "SendMessage"]}}})
    assert "service:Action" in found["services.api.actions[1]"]


def test_unknown_action_suggests_the_closest():
    found, _ = problems({"services": {"api": {"actions": ["sqs:SendMesage"]}}})
    assert "sqs:SendMessage" in found["services.api.actions[0]"]


@pytest.mark.parametrize("name", ["has space", "x" * 60, "bad/slash", ""])
def test_invalid_service_names_are_refused(name):
    found, _ = problems({"services": {name: GOOD_SERVICE}})
    assert f"services.{name}" in found and "allowed" in found[f"services.{name}"]


def test_service_names_that_clash_case_insensitively_are_refused():
    found, _ = problems({"services": {"Api": GOOD_SERVICE, "api": GOOD_SERVICE}})
    assert any("case-insensitive" in m for m in found.values())


@pytest.mark.parametrize("external_id", ["x", "has space", "x" * 1225, "ünï"])
def test_invalid_external_ids_are_refused(external_id):
    found, _ = problems({"services": {"api": {**GOOD_SERVICE, "externalId": external_id}}})
    assert "2-1224 characters" in found["services.api.externalId"]


def test_two_roles_may_not_share_an_external_id():
    found, _ = problems({"services": {"a": {**GOOD_SERVICE, "externalId": "same-id"}, "b": {**GOOD_SERVICE, "externalId": "same-id"}}})
    assert "services.b.externalId" in found and "own" in found["services.b.externalId"]


@pytest.mark.parametrize("seconds", [899, 900, 3599, 43201, "an hour"])
def test_session_durations_outside_iams_range_are_refused(seconds):
    found, _ = problems({"ci": {"maxSessionDuration": seconds}})
    assert "3600 to 43200" in found["ci.maxSessionDuration"]


def test_invalid_bucket_and_user_names_are_refused():
    found, _ = problems({"stateBucket": {"name": "Has_Upper"}, "ci": {"userName": "a" * 65}})
    assert "lowercase" in found["stateBucket.name"]
    assert "1-64" in found["ci.userName"]


def test_wrong_types_are_refused():
    found, _ = problems(
        {"stateBucket": {"kms": "yes", "noncurrentVersionDays": 0}, "services": {"api": {"actions": "sqs:*", "resources": []}}}
    )
    assert "true or false" in found["stateBucket.kms"]
    assert "1 to 36500" in found["stateBucket.noncurrentVersionDays"]
    assert "non-empty list" in found["services.api.actions"]
    assert "non-empty list" in found["services.api.resources"]


def test_resources_must_be_arns_of_known_services():
    found, _ = problems({"services": {"api": {**GOOD_SERVICE, "resources": ["my-queue", "arn:aws:nosuchsvc:us-east-1:123456789012:x"]}}})
    assert "not '*' or an ARN" in found["services.api.resources[0]"]
    assert "does not know" in found["services.api.resources[1]"]


def test_every_problem_is_reported_in_one_error():
    _, message = problems({"namePrefix": "bad prefix", "ci": {"maxSessionDuration": 1}, "services": {"api": {"actions": ["nope"]}}})
    assert message.count("error: iam-baseline:") == 3
    assert "iam-baseline:namePrefix" in message and "iam-baseline:ci.maxSessionDuration" in message


# Found by tests/design/test_config_fuzz.py (issue #20): each used to crash or be accepted.


def test_a_number_too_long_for_int_is_refused_not_a_crash():
    found, _ = problems({"ci": {"maxSessionDuration": "9" * 5000}, "maxDeleteWindowHours": "0" * 20 + "24"})
    assert "3600 to 43200" in found["ci.maxSessionDuration"]
    assert "1 to 168" in found["maxDeleteWindowHours"]


@pytest.mark.parametrize("until", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+01:00"])
def test_a_delete_window_instant_outside_the_calendar_is_refused_not_a_crash(until):
    window = {"until": until, "reason": "drop the old table"}
    found, _ = problems({"services": {"api": {**GOOD_SERVICE, "deleteWindow": window}}}, "prod")
    assert "UTC instant" in found["services.api.deleteWindow.until"]


def test_keys_that_are_not_strings_are_named_not_a_crash():
    # YAML reads `1: x` as an integer key; sorting it among string keys used to raise TypeError.
    window = {"until": "2026-01-01T00:00:00Z", "reason": "x", 2: "y"}
    found, _ = problems({1: "x", "services": {"api": {**GOOD_SERVICE, 3: "z", "deleteWindow": window}}}, "prod")
    assert {"1", "services.api.3", "services.api.deleteWindow.2"} <= set(found)


def test_long_github_subjects_are_compared_without_exhausting_the_stack():
    # Two services of one repository with 255-character branch globs: the overlap check used to recurse once per character.
    def svc(branch):
        return {**GOOD_SERVICE, "github": {"repository": "o" * 39 + "/" + "r" * 100, "branches": [branch]}}

    services = {"a": svc("*" * 255), "b": svc("a" * 254 + "b")}
    found, _ = problems({"ci": {"mode": "github"}, "services": services})
    assert "also accepted by service 'a'" in found["services.b.github"]
    assert parse_config({"ci": {"mode": "github"}, "services": {"a": svc("x" * 255), "b": svc("y" * 255)}}, "dev")


@pytest.mark.parametrize("action", ["sts:AssumeRoot", "sts:AssumeRoo*", "sts:*Root"])
def test_assume_root_is_refused_like_assume_role(action):
    found, _ = problems({"services": {"api": {"actions": [action]}}}, "prod")
    assert "sts:AssumeRoot" in found["services.api.actions[0]"] and "no role chaining" in found["services.api.actions[0]"]


@pytest.mark.parametrize(
    "resource", ["arn:aws:s3:::data ", " arn:aws:s3:::data", "arn:aws:s3:::data\n", "arn:aws:s3:::data\u200b", "arn:aws:s3:::da\u00a0ta"]
)
def test_resources_with_surrounding_spaces_or_invisible_characters_are_refused(resource):
    found, _ = problems({"services": {"api": {**GOOD_SERVICE, "resources": ["*", resource]}}})
    assert "invisible characters" in found["services.api.resources[1]"]
    assert parse_config({"services": {"api": {**GOOD_SERVICE, "resources": ["arn:aws:s3:::data/my file.txt"]}}}, "dev")


def test_an_unquoted_yaml_timestamp_in_a_stack_file_reaches_the_parser_as_text(tmp_path):
    # YAML reads it as a datetime, which json.dumps refused (TypeError) while the stack file was read.
    (tmp_path / "Pulumi.yaml").write_text("name: iam-baseline\n")
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  iam-baseline:services:\n    api:\n      actions: [sqs:SendMessage]\n"
        "      deleteWindow: {until: 2026-01-01T12:00:00Z, reason: drop a table}\n"
    )
    values, _ = load_stack_config(tmp_path, "prod")
    raw = decode_pulumi_config(values)
    config = parse_config(raw, "prod", now=datetime(2026, 1, 1, 6, tzinfo=UTC))
    assert config.services[0].delete_window is not None
