"""A grant split into managed policies, proved with the policy simulator on the rendered documents: the
role still does every action of its grant, still deletes nothing in prod, and cannot edit the managed
policies that hold its grant (they live under the baseline's path, which DenyBaselineIam covers)."""

import pytest

from baseline.aws.catalog import get_destructive_actions_for_service, is_destructive
from tests.emulated_account import unwrap
from tests.helpers import LARGE_GRANT_SERVICES, large_grant, render, role_documents
from tests.policy_simulator import allows, principal

ACCOUNT = "123456789012"
# A platform service granted whole services in prod: compacted without its deletes, 415 patterns, over the inline limit.
PLATFORM = [f"{service}:*" for service in (*LARGE_GRANT_SERVICES, "iam")]


def split_role(rendering, name):
    """Return the role's ARN, its documents (inline first, then attached) and the simulator's node for it."""
    role = unwrap(rendering.outputs)["provisioningRoles"][name]
    _, documents = role_documents(rendering)[f"iam-baseline-svc-{name}"]
    grant_policies = sorted(p.inputs["name"] for p in rendering.of_type("aws:iam/policy:Policy") if "-grant-" in p.inputs["name"])
    return {"arn": role["arn"], "documents": documents, "node": principal(role["arn"], documents), "grant_policies": grant_policies}


@pytest.fixture(scope="module")
def dev():
    return split_role(render({"services": {"big": {"actions": large_grant()}}}, stack="dev"), "big")


@pytest.fixture(scope="module")
def prod():
    return split_role(render({"services": {"big": {"actions": large_grant()}}}, stack="prod"), "big")


@pytest.fixture(scope="module")
def platform():
    return split_role(render({"services": {"platform": {"actions": PLATFORM}}}, stack="prod"), "platform")


def test_in_dev_the_role_does_every_action_of_its_420_action_grant_and_only_through_its_attachments(dev):
    assert len(dev["documents"]) == 4, "its inline policy and three grant policies"
    refused = [a for a in large_grant() if not allows(dev["node"], a, "*")]
    assert refused == [], f"the split role lost {refused[:5]}"
    inline_only = principal(dev["arn"], dev["documents"][:1])
    assert not any(allows(inline_only, a, "*") for a in large_grant()[::20]), "the grant lives in the managed policies"


def test_in_prod_the_split_role_deletes_nothing_its_services_offer(prod):
    assert len(prod["documents"]) >= 3, "still split in prod"
    destructive = sorted({a for s in LARGE_GRANT_SERVICES for a in get_destructive_actions_for_service(s)})
    leaked = [a for a in destructive if allows(prod["node"], a, "*")]
    assert leaked == [], f"a prod role may delete: {leaked[:5]}"
    kept = [a for a in large_grant() if not is_destructive(a)]
    assert all(allows(prod["node"], a, "*") for a in kept), "every non-destructive action of the grant is still allowed"


def test_a_role_granted_iam_cannot_edit_or_detach_the_policies_that_hold_its_grant(platform):
    assert len(platform["grant_policies"]) >= 2, "the platform grant is split in prod"
    node = platform["node"]
    for name in platform["grant_policies"]:
        arn = f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/{name}"
        for action in ("iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicyVersion", "iam:DeletePolicy"):
            assert not allows(node, action, arn), f"{platform['arn']} may {action} on its own grant {arn}"
    for action in ("iam:DetachRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:DeleteRolePolicy"):
        assert not allows(node, action, platform["arn"]), f"{platform['arn']} may {action} on itself"
    own = f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline-services/platform/app"
    assert allows(node, "iam:CreatePolicyVersion", own), "the same action is granted in its own path: the Deny is what holds"
