"""A grant over the inline limit under mocks: its managed policies and attachments, and the edges that keep
a role from ever being without its grant while it moves between its inline policy and them."""

import json

import pytest

from baseline.design.policies import iter_statements
from tests.helpers import large_grant, one, render

POLICY = "aws:iam/policy:Policy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@pytest.fixture(scope="module")
def split():
    return render({"services": {"big": {"actions": large_grant()}, "small": {"actions": ["sqs:SendMessage"]}}}, stack="dev")


@pytest.fixture(scope="module")
def inline():
    return render({"services": {"big": {"actions": ["sqs:*"]}, "small": {"actions": ["sqs:SendMessage"]}}}, stack="dev")


def grant_policies(rendering):
    """Return the grant policies in index order (registration order varies between runs)."""
    return sorted((p for p in rendering.of_type(POLICY) if "-grant-" in p.name), key=lambda p: int(p.name.rsplit("-", 1)[1]))


def test_each_grant_policy_lives_under_the_baseline_path_named_from_its_role_and_is_attached_to_it(split):
    policies, attachments = grant_policies(split), split.of_type(ATTACHMENT)
    assert [p.name for p in policies] == ["services-big-grant-1", "services-big-grant-2", "services-big-grant-3"]
    assert [p.inputs["name"] for p in policies] == [f"iam-baseline-svc-big-grant-{i}" for i in (1, 2, 3)]
    assert {p.inputs["path"] for p in policies} == {"/iam-baseline/"}, "under the path DenyBaselineIam covers"
    assert sorted(a.name for a in attachments) == [f"{p.name}-attachment" for p in policies]
    for policy in policies:
        (attachment,) = [a for a in attachments if a.name == f"{policy.name}-attachment"]
        assert attachment.inputs == {
            "role": "iam-baseline-svc-big",
            "policyArn": f"arn:aws:iam::123456789012:policy/iam-baseline/{policy.inputs['name']}",
        }
        assert policy.urn in attachment.dependencies, f"{attachment.urn} must come after its policy"
        assert all(s["Effect"] == "Allow" for s in iter_statements(json.loads(policy.inputs["policy"])))


def test_the_inline_policy_depends_on_every_attachment_so_the_grant_is_attached_before_it_leaves(split):
    role_policy = one(split, ROLE_POLICY, "services-big-policy")
    attachments = split.of_type(ATTACHMENT)
    assert {a.urn for a in attachments} <= set(role_policy.dependencies), f"{role_policy.urn} must wait for the grant's attachments"
    order = [r.urn for r in split.registrations]
    assert all(order.index(a.urn) < order.index(role_policy.urn) for a in attachments), "attachments are registered first"
    assert "ServiceGrant" not in {s["Sid"] for s in iter_statements(json.loads(role_policy.inputs["policy"]))}


def test_a_grant_that_fits_registers_no_managed_policy_and_the_same_inline_policy(split, inline):
    assert grant_policies(inline) == [] and inline.of_type(ATTACHMENT) == []
    small = [one(r, ROLE_POLICY, "services-small-policy") for r in (split, inline)]
    assert small[0].inputs == small[1].inputs and small[0].dependencies == small[1].dependencies
    assert [d.rsplit("::", 1)[1] for d in small[0].dependencies] == ["services-small"]


def test_switching_between_inline_and_split_updates_the_same_inline_policy_in_place(split, inline):
    # Same URN and name: Pulumi updates it (after the attachments), never replaces or deletes it.
    before, after = one(inline, ROLE_POLICY, "services-big-policy"), one(split, ROLE_POLICY, "services-big-policy")
    assert before.urn == after.urn and before.inputs["name"] == after.inputs["name"] == "provisioning"
    assert before.inputs["role"] == after.inputs["role"]


def test_a_grant_that_grows_keeps_each_policys_name_path_and_description_so_none_is_replaced(split):
    # IAM cannot rename a policy or change its path or description: Pulumi would replace it, and a policy
    # with a fixed name is deleted before its replacement exists. Growing only updates documents and adds policies.
    grown = render({"services": {"big": {"actions": large_grant(600)}}}, stack="dev")
    fixed = ("name", "path", "description")
    before = {p.urn: tuple(p.inputs[k] for k in fixed) for p in grant_policies(split)}
    after = {p.urn: tuple(p.inputs[k] for k in fixed) for p in grant_policies(grown)}
    assert len(after) == 4 and all(after[urn] == kept for urn, kept in before.items())
