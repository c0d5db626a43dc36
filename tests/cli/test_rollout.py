"""`rollout`: many account stacks, each with its own credentials; no new stack after a failure; a
summary; verify on each stack that went up. Run with a fake runner, as bootstrap's steps are."""

import pytest

from baseline.cli.rollout import Target, credentials_env, format_summary, rollout
from baseline.design.config import parse_config
from baseline.design.findings import ConfigError
from tests.helpers import run_cli


class FakeRunner:
    def __init__(self, failing=()):
        self.failing, self.calls = set(failing), []

    def up(self, stack, env, preview):
        self.calls.append((stack, dict(env), preview))
        if stack in self.failing:
            raise RuntimeError(f"update of {stack} failed: AccessDenied\nmore detail")
        return {"create": 3, "same": 10}

    def outputs(self, stack, env):
        return {"stack": stack}


def assume(role_arn, session):
    return {"AWS_ACCESS_KEY_ID": f"key-for-{role_arn.split(':')[4]}", "AWS_SESSION_TOKEN": session}


TARGETS = [
    Target("dev", profile="acme-dev"),
    Target("staging", role_arn="arn:aws:iam::222222222222:role/OrganizationAccountAccessRole"),
    Target("prod", role_arn="arn:aws:iam::333333333333:role/OrganizationAccountAccessRole"),
]


def test_each_stack_runs_with_its_own_credentials_and_is_verified():
    runner, verified, lines = FakeRunner(), [], []
    results = rollout(TARGETS, runner, assume, lambda stack, outputs, env: verified.append((stack, env)) or 0, echo=lines.append)
    assert [(r.stack, r.status, r.verify) for r in results] == [
        ("dev", "updated", "clean"),
        ("staging", "updated", "clean"),
        ("prod", "updated", "clean"),
    ]
    assert [c[1] for c in runner.calls] == [
        {"AWS_PROFILE": "acme-dev"},
        {"AWS_ACCESS_KEY_ID": "key-for-222222222222", "AWS_SESSION_TOKEN": "iam-baseline-rollout-staging"},
        {"AWS_ACCESS_KEY_ID": "key-for-333333333333", "AWS_SESSION_TOKEN": "iam-baseline-rollout-prod"},
    ]
    assert [s for s, _ in verified] == ["dev", "staging", "prod"] and verified[2][1] == runner.calls[2][1], (
        "verify uses the stack's own credentials"
    )
    assert lines == ["[dev] up ...", "[dev] updated", "[staging] up ...", "[staging] updated", "[prod] up ...", "[prod] updated"]


def test_no_new_stack_starts_after_the_first_failure():
    runner = FakeRunner(failing={"staging"})
    results = rollout(TARGETS, runner, assume, lambda *_: 0, echo=lambda _: None)
    assert [(r.stack, r.status) for r in results] == [("dev", "updated"), ("staging", "failed"), ("prod", "not started")]
    assert [c[0] for c in runner.calls] == ["dev", "staging"]
    assert results[1].error == "update of staging failed: AccessDenied", "one line per failure"
    summary = format_summary(results)
    assert "staging  failed" in summary and "prod     not started" in summary


def test_a_dry_run_previews_and_verifies_nothing():
    runner, verified = FakeRunner(), []
    results = rollout(TARGETS, runner, assume, lambda *a: verified.append(a) or 0, dry_run=True, parallel=2, echo=lambda _: None)
    assert {r.status for r in results} == {"previewed"} and all(c[2] for c in runner.calls) and verified == []


def test_findings_from_verify_are_in_the_summary():
    results = rollout(TARGETS[:1], FakeRunner(), assume, lambda *_: 2, echo=lambda _: None)
    assert results[0].verify == "2 finding(s)" and "2 finding(s)" in format_summary(results)


def test_credentials_come_from_a_profile_a_role_or_the_environment():
    assert credentials_env(Target("x"), assume) == {}
    assert credentials_env(Target("x", profile="p"), assume) == {"AWS_PROFILE": "p"}
    assert credentials_env(Target("x", role_arn="arn:aws:iam::111111111111:role/R"), assume)["AWS_ACCESS_KEY_ID"] == "key-for-111111111111"


@pytest.mark.parametrize(
    ("rollout_config", "key"),
    [
        ({"roleArn": "not-an-arn"}, "rollout.roleArn"),
        ({"profile": "has space"}, "rollout.profile"),
        ({"profile": "p", "roleArn": "arn:aws:iam::111111111111:role/R"}, "rollout"),
        ({"region": "eu-west-1"}, "rollout.region"),
    ],
)
def test_bad_rollout_config_names_the_key(rollout_config, key):
    with pytest.raises(ConfigError) as caught:
        parse_config({"rollout": rollout_config}, "dev")
    assert key in {f.location for f in caught.value.findings}


def test_the_command_checks_every_stack_first_and_needs_the_pulumi_cli():
    missing = run_cli("rollout", "--stacks", "dev,nope")
    assert missing.returncode == 2 and "no stack config file" in missing.stderr and "Traceback" not in missing.stderr
    no_cli = run_cli("rollout", "--stacks", "dev,prod")
    assert no_cli.returncode == 2 and "needs the Pulumi CLI" in no_cli.stderr
    assert run_cli("rollout", "--stacks", " , ").returncode == 2
