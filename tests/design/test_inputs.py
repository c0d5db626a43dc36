"""Inputs that used to slip through or crash, each refused with a message naming its key (or read as meant)."""

from __future__ import annotations

import re

import pytest

from baseline.design.config import decode_pulumi_config, parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from tests.helpers import CTX, render

# KMS CreateAlias: `alias/` then [a-zA-Z0-9/_-], at most 256 characters, never under alias/aws/.
KMS_ALIAS = re.compile(r"alias/(?!aws/)[A-Za-z0-9/_-]{1,250}")


def problems(raw, stack="dev"):
    with pytest.raises(ConfigError) as caught:
        design_baseline(parse_config(raw, stack), CTX)
    return {f.location: f.detail for f in caught.value.findings}


def svc(**extra):
    return {"actions": ["sqs:*"], **extra}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_grant_of_every_action_is_an_error_in_every_environment(stack):
    assert "every action" in problems({"services": {"api": {"actions": ["sqs:*", "*"]}}}, stack)["services.api.actions[1]"]


@pytest.mark.parametrize("pattern", ["sts:*", "sts:Assume*", "sts:AssumeRole", "sts:AssumeRoleWith*"])
def test_granting_role_assumption_is_an_error(pattern):
    assert "no role chaining" in problems({"services": {"api": {"actions": [pattern]}}})["services.api.actions[0]"]


def test_sts_actions_that_do_not_assume_roles_are_fine_and_iam_star_gets_the_guard():
    bp = design_baseline(parse_config({"services": {"api": {"actions": ["sts:GetCallerIdentity", "iam:*"]}}}, "prod"), CTX)
    assert bp.services[0].confinement is not None, "iam:* is only accepted because the escalation guard applies"


@pytest.mark.parametrize("environment", ["prod", "Prod", "PROD", "production", "Production", " prod "])
def test_every_spelling_of_production_is_prod(environment):
    cfg = parse_config({"environment": environment, "services": {"api": svc()}}, "any")
    assert cfg.is_prod and not cfg.allow_delete and not cfg.services[0].allow_delete
    github = {"repository": "acme/api", "branches": ["main"], "pullRequests": True}
    found = problems({"environment": environment, "ci": {"mode": "github"}, "services": {"api": svc(github=github)}}, "any")
    assert "pull-request" in found["services.api.github"]


@pytest.mark.parametrize("environment", ["prd", "prod-eu", "123", "eu-prd-1", "produktion", "pr0d", "dev-ish", ""])
def test_an_unknown_environment_fails_closed_naming_the_allowed_values(environment):
    """A typo must never turn production into dev (deletes allowed, pull requests trusted): it is refused."""
    detail = problems({"environment": environment, "services": {"api": svc()}}, "eu-main")["environment"]
    assert repr(environment) in detail and "allowed: prod, production, dev" in detail


@pytest.mark.parametrize("stack", ["prod-eu", "eu-prd-1", "production", "team_prod", "prod2"])
def test_a_stack_named_like_production_is_never_non_prod(stack):
    for environment in ("dev", "staging", "sandbox"):
        assert "named like production" in problems({"environment": environment, "services": {"api": svc()}}, stack)["environment"]
    cfg = parse_config({"environment": "prod", "accountId": "123456789012", "services": {"api": svc()}}, stack)
    assert cfg.is_prod and not cfg.services[0].allow_delete


def test_an_unknown_stack_name_needs_an_explicit_environment():
    detail = problems({"services": {"api": svc()}}, "eu-main")["environment"]
    assert "the stack name 'eu-main'" in detail and "iam-baseline:environment" in detail
    assert parse_config({"environment": "staging"}, "eu-main").allow_delete is True
    assert parse_config({}, "staging").allow_delete is True


def test_a_non_string_environment_is_refused():
    assert "must be a string" in problems({"environment": 123})["environment"]


@pytest.mark.parametrize("stack", ["product-dev", "preprod", "prodigy"])
def test_stack_names_that_merely_contain_the_letters_are_not_forced_to_prod(stack):
    assert parse_config({"environment": "dev"}, stack).allow_delete is True


@pytest.mark.parametrize("value", ["³⁶⁰⁰", "٣٦٠٠", "1e3", "-5", "3 600"])
def test_numbers_in_other_scripts_are_refused_without_crashing(value):
    found = problems({"ci": {"maxSessionDuration": value}, "maxDeleteWindowHours": value, "stateBucket": {"noncurrentVersionDays": value}})
    assert {"ci.maxSessionDuration", "maxDeleteWindowHours", "stateBucket.noncurrentVersionDays"} <= set(found)
    assert "whole number" in found["ci.maxSessionDuration"]


def test_plain_digit_strings_still_parse():
    assert parse_config({"ci": {"maxSessionDuration": " 7200 "}}, "dev").ci.max_session_duration == 7200


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ({"services": {"api\n": svc()}}, "services.api\n"),
        ({"namePrefix": "acme\n"}, "namePrefix"),
        ({"ci": {"userName": "ci\n"}}, "ci.userName"),
        ({"services": {"api": svc(externalId="secret-id\n")}}, "services.api.externalId"),
        ({"services": {"api": svc(pulumiProject="api\n")}}, "services.api.pulumiProject"),
        ({"services": {"api": {"actions": ["sqs:SendMessage\n"]}}}, "services.api.actions[0]"),
        ({"services": {"api": svc(resources=["arn:aws:sqs:eu-west-1:111122223333:q\n"])}}, "services.api.resources[0]"),
        ({"ci": {"requireSessionName": "ci-*\n"}}, "ci.requireSessionName"),
        ({"stateBucket": {"name": "acme-state\n"}}, "stateBucket.name"),
        (
            {"ci": {"mode": "github"}, "services": {"api": svc(github={"repository": "acme/api\n", "branches": ["main"]})}},
            "services.api.github.repository",
        ),
        (
            {"ci": {"mode": "github"}, "services": {"api": svc(github={"repository": "acme/api", "branches": ["main\n"]})}},
            "services.api.github.branches",
        ),
    ],
)
def test_a_trailing_newline_is_never_part_of_a_valid_name(raw, key):
    assert key in problems(raw), f"{key} accepted a trailing newline"


def test_a_numeric_name_prefix_from_pulumi_config_is_a_name():
    decoded = decode_pulumi_config({"iam-baseline:namePrefix": "123", "iam-baseline:services": '{"api": {"actions": ["sqs:*"]}}'})
    assert decoded == {"namePrefix": "123", "services": {"api": {"actions": ["sqs:*"]}}}
    assert design_baseline(parse_config(decoded, "dev"), CTX).services[0].role_name == "123-svc-api"
    assert (
        render({"namePrefix": "123", "allowDelete": "false", "maxDeleteWindowHours": "12"})
        .outputs["stateBucketName"]
        .startswith("123-state-")
    )


def test_the_role_quota_counts_every_role():
    per_service = design_baseline(parse_config({"services": {f"s{i}": svc() for i in range(501)}}, "dev"), CTX)
    assert [w.location for w in per_service.warnings] == ["services"] and "1002 roles" in per_service.warnings[0].detail
    shared = design_baseline(parse_config({"stateIsolation": "shared", "services": {f"s{i}": svc() for i in range(501)}}, "dev"), CTX)
    assert shared.warnings == (), "501 service roles and one shared state role fit the default quota"


def test_an_empty_trust_is_refused_naming_the_key_to_set():
    found = problems({"stateIsolation": "shared", "ci": {"mode": "github"}})
    assert "trust nobody" in found["stateIsolation"]
    isolated = design_baseline(parse_config({"ci": {"mode": "github"}}, "dev"), CTX)
    assert isolated.state_role_name is None, "per-service state creates no shared state role to trust nobody"


@pytest.mark.parametrize("bucket", ["acme.state.bucket", "a.b-c", "acme-iac-state-111122223333-eu-west-1"])
def test_the_kms_alias_is_always_one_kms_accepts(bucket):
    bp = design_baseline(parse_config({"stateBucket": {"name": bucket, "kms": True}}, "dev"), CTX)
    assert KMS_ALIAS.fullmatch(bp.kms_alias_name), bp.kms_alias_name
    rendering = render({"stateBucket": {"name": bucket, "kms": True}})
    (alias,) = rendering.of_type("aws:kms/alias:Alias")
    assert alias.inputs["name"] == bp.kms_alias_name


@pytest.mark.parametrize("project", ["iam-baseline", "IAM-Baseline", "iam-baseline-handoff"])
def test_a_service_may_not_name_the_baselines_own_project(project):
    assert "reserved" in problems({"services": {"api": svc(pulumiProject=project)}})["services.api.pulumiProject"]


def test_two_services_may_not_share_a_project():
    found = problems({"services": {"api": svc(pulumiProject="shop"), "web": svc(pulumiProject="Shop")}})
    assert "each service needs its own state" in found["services.web.pulumiProject"]


def test_two_services_may_not_accept_the_same_github_subject():
    same = {"repository": "acme/mono", "branches": ["main"]}
    found = problems({"ci": {"mode": "github"}, "services": {"api": svc(github=same), "web": svc(github={**same, "branches": ["*"]})}})
    assert "reach both" in found["services.web.github"]
    split = {
        "api": svc(github={"repository": "acme/mono", "environments": ["api"]}),
        "web": svc(github={"repository": "acme/mono", "environments": ["web"]}),
    }
    assert len(parse_config({"ci": {"mode": "github"}, "services": split}, "dev").services) == 2, (
        "one repository, one environment per service"
    )


def test_bad_isolation_input_registers_nothing(monkeypatch):
    from baseline.offline.fake_aws import BaselineMocks

    registered = []
    original = BaselineMocks.new_resource
    monkeypatch.setattr(BaselineMocks, "new_resource", lambda self, args: registered.append(args.typ) or original(self, args))
    with pytest.raises(ConfigError, match="reserved"):
        render({"services": {"api": svc(pulumiProject="iam-baseline")}})
    assert registered == []


def test_the_key_age_verify_reports_is_a_bounded_whole_number():
    assert parse_config({"ci": {"maxKeyAgeDays": "30"}}, "dev").ci.max_key_age_days == 30
    assert parse_config({}, "dev").ci.max_key_age_days == 90
    assert "1 to 3650" in problems({"ci": {"maxKeyAgeDays": 0}})["ci.maxKeyAgeDays"]


def test_a_prod_stack_must_pin_its_account_and_other_accounts_are_refused_before_registration(monkeypatch):
    from baseline.design.config import account_pin_findings, allowed_account_ids
    from baseline.offline.fake_aws import BaselineMocks

    unpinned = parse_config({"services": {"api": svc()}}, "prod")
    (finding,) = account_pin_findings(unpinned, "111122223333")
    assert finding.location == "accountId" and "must pin its account" in finding.detail
    assert account_pin_findings(parse_config({}, "dev"), "111122223333") == [], "dev may stay unpinned"
    pinned = parse_config({"accountId": "444455556666"}, "prod")
    assert "pinned to 444455556666" in account_pin_findings(pinned, "111122223333")[0].detail
    assert account_pin_findings(pinned, "444455556666") == []
    by_provider = parse_config({}, "prod", allowed_account_ids=allowed_account_ids({"aws:allowedAccountIds": '["777788889999"]'}))
    assert by_provider.pinned_accounts == ("777788889999",) and account_pin_findings(by_provider, "777788889999") == []
    assert "12-digit" in problems({"accountId": "12345"})["accountId"]
    registered = []
    original = BaselineMocks.new_resource
    monkeypatch.setattr(BaselineMocks, "new_resource", lambda self, args: registered.append(args.typ) or original(self, args))
    with pytest.raises(ConfigError, match="must pin its account"):
        render({"services": {"api": svc()}}, stack="prod", pin=False)
    from baseline.offline.engine import run_offline
    from baseline.offline.fake_aws import offline_context
    from baseline.stack.program import run_stack
    from tests.helpers import encode

    with pytest.raises(ConfigError, match="pinned to 444455556666"):  # credentials for another account
        run_offline(run_stack, "dev", encode({"accountId": "444455556666"}), ctx=offline_context("us-east-1", "111122223333"))
    assert registered == [], "nothing is registered with the wrong credentials"


def test_plan_shows_the_pinned_account():
    from tests.helpers import run_cli

    prod = run_cli("plan", "--stack", "prod")
    assert prod.returncode == 0 and "account 123456789012 (pinned: pulumi up refuses other accounts)" in prod.stdout
    assert "(not pinned)" in run_cli("plan", "--stack", "dev").stdout
