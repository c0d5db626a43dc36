"""`organizationBoundary`: only the ARN of one managed policy a principal of this account can carry, refused
otherwise, naming the key, before anything is registered."""

import pytest

from baseline.design.config import organization_boundary_pattern, parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.reference import child_keys
from tests.helpers import CTX, render

ORG = f"arn:aws:iam::{CTX.account_id}:policy/org/OrgBoundary"


def problems(raw, stack="dev"):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, stack)
    return {f.location: f.detail for f in caught.value.findings}


def test_the_key_is_documented_and_absent_by_default():
    assert "organizationBoundary" in child_keys("")
    assert parse_config({}, "dev").organization_boundary is None


@pytest.mark.parametrize("arn", [ORG, "arn:aws:iam::aws:policy/PowerUserAccess", f"arn:aws:iam::{CTX.account_id}:policy/Boundary_v2.1"])
def test_a_managed_policy_arn_is_accepted(arn):
    assert parse_config({"organizationBoundary": arn}, "dev").organization_boundary == arn


@pytest.mark.parametrize(
    "arn",
    [
        "OrgBoundary",
        f"arn:aws:iam::{CTX.account_id}:policy/org/*",
        f"arn:aws:iam::{CTX.account_id}:policy/Org?",
        f"arn:aws:iam::{CTX.account_id}:role/OrgBoundary",
        f"arn:aws:iam::{CTX.account_id}:policy/",
        f"arn:aws:iam::{CTX.account_id}:policy/org//OrgBoundary",
        "arn:aws:iam::12345:policy/OrgBoundary",
        f"arn:aws:iam:eu-west-1:{CTX.account_id}:policy/OrgBoundary",
        f" {ORG}",
        f"{ORG}\n",
        f"arn:aws:s3:::{CTX.account_id}/policy/OrgBoundary",
    ],
)
def test_anything_else_is_refused_naming_the_key(arn):
    found = problems({"organizationBoundary": arn})
    assert set(found) == {"organizationBoundary"} and "managed policy" in found["organizationBoundary"]


def test_a_non_string_is_refused():
    assert set(problems({"organizationBoundary": ["a"]})) == {"organizationBoundary"}


def test_the_pattern_is_the_catalogues_policy_arn_format():
    assert organization_boundary_pattern().pattern.startswith("arn:(aws(?:-[a-z]+)*):iam::([0-9]{12}|aws):policy/")


def test_a_policy_a_service_could_rewrite_is_refused():
    """Services that manage IAM create and version policies under /<prefix>-services/: such a boundary they could rewrite."""
    found = problems({"organizationBoundary": f"arn:aws:iam::{CTX.account_id}:policy/iam-baseline-services/platform/b"})
    assert "could rewrite it" in found["organizationBoundary"]


def test_another_accounts_policy_is_refused_against_the_pin_and_the_credentials():
    found = problems({"organizationBoundary": "arn:aws:iam::999999999999:policy/B", "accountId": CTX.account_id})
    assert "this stack's account" in found["organizationBoundary"]
    config = parse_config({"organizationBoundary": "arn:aws:iam::999999999999:policy/B"}, "dev")  # no pin: known at design time
    with pytest.raises(ConfigError) as caught:
        design_baseline(config, CTX)
    assert [f.location for f in caught.value.findings] == ["organizationBoundary"]
    other_partition = parse_config({"organizationBoundary": f"arn:aws-cn:iam::{CTX.account_id}:policy/B"}, "dev")
    with pytest.raises(ConfigError):
        design_baseline(other_partition, CTX)
    design_baseline(parse_config({"organizationBoundary": "arn:aws:iam::aws:policy/PowerUserAccess"}, "dev"), CTX)


def test_a_refused_boundary_registers_nothing(monkeypatch):
    from baseline.offline.fake_aws import BaselineMocks

    registered = []
    original = BaselineMocks.new_resource
    monkeypatch.setattr(BaselineMocks, "new_resource", lambda self, args: registered.append(args.typ) or original(self, args))
    with pytest.raises(ConfigError) as caught:
        render({"organizationBoundary": "arn:aws:iam::999999999999:policy/B", "services": {"api": {"actions": ["sqs:*"]}}})
    assert "organizationBoundary" in str(caught.value)
    assert registered == []
