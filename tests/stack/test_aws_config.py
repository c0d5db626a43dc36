"""The awsConfig output: a profile per role, chained from the `ci` profile, with external IDs."""

import configparser

from baseline.stack.aws_config import RoleProfile, aws_config_text, session_name_for
from tests.emulated_account import unwrap
from tests.helpers import render


def parse(text):
    parser = configparser.ConfigParser()
    parser.read_string(text)
    return parser


def test_session_names_satisfy_the_required_pattern():
    assert session_name_for(None, "api") == "ci-api"
    assert session_name_for("deploy-*", "api") == "deploy-api"
    assert session_name_for("pulumi-??-*", "api") == "pulumi-xx-api"
    assert session_name_for("fixed", "api") == "fixed"


def test_text_is_stable_and_names_the_login_command():
    profiles = [
        RoleProfile("p-state", "arn:s", "id-s", "state"),
        RoleProfile("p-b", "arn:b", "id-b", "b"),
        RoleProfile("p-a", "arn:a", "id-a", "a"),
    ]
    text = aws_config_text("bucket", "eu-west-1", profiles, 3600, None, "p-state")
    assert text == aws_config_text("bucket", "eu-west-1", profiles, 3600, None, "p-state")
    assert "pulumi login 's3://bucket?region=eu-west-1&awssdk=v2&profile=p-state'" in text
    assert parse(text).sections() == ["profile ci", "profile p-state", "profile p-a", "profile p-b"]


def test_the_output_has_a_profile_per_role_with_its_external_id():
    out = unwrap(
        render(
            {"namePrefix": "acme", "ci": {"requireSessionName": "ci-*"}, "services": {"api": {"actions": ["sqs:*"]}}}, stack="prod"
        ).outputs
    )
    config = parse(out["awsConfig"])
    state, api = config["profile acme-api-state"], config["profile acme-api"]
    own_state = out["provisioningRoles"]["api"]["stateRole"]
    assert state["role_arn"] == own_state["arn"] and state["external_id"] == own_state["externalId"]
    assert "profile acme-state" not in config, "per-service state (the default) has no shared state role"
    assert api["role_arn"] == out["provisioningRoles"]["api"]["arn"] and api["external_id"] == out["provisioningRoles"]["api"]["externalId"]
    assert api["source_profile"] == state["source_profile"] == "ci"
    assert api["role_session_name"] == "ci-api" and api["duration_seconds"] == "3600" and api["region"] == "us-east-1"


def test_no_aws_config_without_a_ci_user():
    out = render(
        {"ci": {"mode": "github"}, "services": {"api": {"actions": ["sqs:*"], "github": {"repository": "a/b", "branches": ["main"]}}}}
    ).outputs
    assert "awsConfig" not in out
