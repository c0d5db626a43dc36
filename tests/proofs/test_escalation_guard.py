"""The privilege-escalation guard, path by path, proved with the policy simulator.

Each test is one published IAM privilege-escalation method (Rhino Security Labs' catalogue and
its follow-ups) tried by a service granted `iam:*` with compute services to pass roles to. moto
cannot decide these (NotResource, iam:PermissionsBoundary), so the simulator does.
"""

import json

import pytest

from baseline.design.escalation import boundary_conditioned_actions, iam_change_actions
from tests.emulated_account import unwrap
from tests.helpers import render, role_documents
from tests.policy_simulator import allows, principal

ACCOUNT = "123456789012"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
OTHER_USER = f"arn:aws:iam::{ACCOUNT}:user/alice"
OTHER_GROUP = f"arn:aws:iam::{ACCOUNT}:group/Admins"
OTHER_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/AdminPolicy"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
OWN_ROLE = f"arn:aws:iam::{ACCOUNT}:role/iam-baseline-services/platform/app-task"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@pytest.fixture(scope="module")
def platform():
    services = {
        "platform": {
            "actions": ["iam:*", "ec2:*", "lambda:*", "glue:*", "cloudformation:*", "datapipeline:*", "s3:*"],
            "allowDelete": True,
        },
        "queues": {"actions": ["sqs:*"]},
    }
    rendering = render({"stateBucket": {"kms": True}, "services": services}, stack="dev")
    out = unwrap(rendering.outputs)
    role = out["provisioningRoles"]["platform"]
    (policy,) = role_documents(rendering)["iam-baseline-svc-platform"][1]
    boundaries = {r.inputs["name"]: json.loads(r.inputs["policy"]) for r in rendering.of_type("aws:iam/policy:Policy")}
    return {
        "out": out,
        "role": role,
        "node": principal(role["arn"], [policy]),
        "boundary": boundaries["iam-baseline-boundary-platform"],
        "boundaries": boundaries,
    }


def denied(p, action, resource, context=None):
    return not allows(p["node"], action, resource, context or {})


def test_only_services_that_manage_iam_get_a_boundary_and_the_outputs_name_it(platform):
    assert set(platform["boundaries"]) == {"iam-baseline-ci-boundary", "iam-baseline-boundary-platform"}
    assert platform["role"]["permissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/iam-baseline-boundary-platform"
    assert platform["role"]["iamPath"] == "/iam-baseline-services/platform/"
    assert "permissionsBoundaryArn" not in platform["out"]["provisioningRoles"]["queues"]


@pytest.mark.parametrize(
    ("method", "action", "resource"),
    [
        ("CreatePolicyVersion on another policy", "iam:CreatePolicyVersion", OTHER_POLICY),
        ("SetDefaultPolicyVersion on another policy", "iam:SetDefaultPolicyVersion", OTHER_POLICY),
        ("CreateAccessKey for another user", "iam:CreateAccessKey", OTHER_USER),
        ("CreateLoginProfile for another user", "iam:CreateLoginProfile", OTHER_USER),
        ("UpdateLoginProfile for another user", "iam:UpdateLoginProfile", OTHER_USER),
        ("AttachUserPolicy to another user", "iam:AttachUserPolicy", OTHER_USER),
        ("AttachGroupPolicy to another group", "iam:AttachGroupPolicy", OTHER_GROUP),
        ("AttachRolePolicy to another role", "iam:AttachRolePolicy", OTHER_ROLE),
        ("PutUserPolicy on another user", "iam:PutUserPolicy", OTHER_USER),
        ("PutGroupPolicy on another group", "iam:PutGroupPolicy", OTHER_GROUP),
        ("PutRolePolicy on another role", "iam:PutRolePolicy", OTHER_ROLE),
        ("AddUserToGroup into an admin group", "iam:AddUserToGroup", OTHER_GROUP),
        ("UpdateAssumeRolePolicy of another role", "iam:UpdateAssumeRolePolicy", OTHER_ROLE),
        ("PassRole of another role (to EC2, Lambda, Glue, CloudFormation, Data Pipeline)", "iam:PassRole", OTHER_ROLE),
        ("CreateRole outside its own path", "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/escalated"),
        ("CreateUser outside its own path", "iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/backdoor"),
        ("changing the baseline's CI user", "iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/iam-baseline/iam-baseline-ci"),
        ("AttachRolePolicy to itself", "iam:AttachRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/iam-baseline/iam-baseline-svc-platform"),
        ("PutRolePolicy on itself", "iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/iam-baseline/iam-baseline-svc-platform"),
        (
            "editing its own boundary",
            "iam:CreatePolicyVersion",
            f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/iam-baseline-boundary-platform",
        ),
        ("changing the account password policy", "iam:UpdateAccountPasswordPolicy", "*"),
    ],
)
def test_published_escalation_paths_are_closed(platform, method, action, resource):
    assert denied(platform, action, resource, {"iam:PermissionsBoundary": platform["role"]["permissionsBoundaryArn"]}), f"open: {method}"
    assert denied(platform, action, resource), f"open without a boundary in the request: {method}"


def test_assuming_a_retrusted_role_is_closed_too(platform):
    assert denied(platform, "sts:AssumeRole", OTHER_ROLE)


def test_new_roles_need_the_service_path_and_the_service_boundary(platform):
    boundary = platform["role"]["permissionsBoundaryArn"]
    assert allows(platform["node"], "iam:CreateRole", OWN_ROLE, {"iam:PermissionsBoundary": boundary}), (
        "the service cannot create its own roles"
    )
    assert denied(platform, "iam:CreateRole", OWN_ROLE), "a role without a boundary can be created"
    assert denied(platform, "iam:CreateRole", OWN_ROLE, {"iam:PermissionsBoundary": ADMIN_POLICY}), "another boundary is accepted"
    assert allows(platform["node"], "iam:AttachRolePolicy", OWN_ROLE, {"iam:PermissionsBoundary": boundary})
    assert allows(platform["node"], "iam:PassRole", OWN_ROLE), "the service cannot pass its own roles"
    assert allows(
        platform["node"],
        "iam:CreateServiceLinkedRole",
        f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
    )


def test_boundaries_cannot_be_removed_or_swapped(platform):
    boundary = platform["role"]["permissionsBoundaryArn"]
    for action in ("iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"):
        assert denied(platform, action, OWN_ROLE, {"iam:PermissionsBoundary": boundary})
    assert denied(platform, "iam:PutRolePermissionsBoundary", OWN_ROLE, {"iam:PermissionsBoundary": ADMIN_POLICY})


def test_a_created_role_with_admin_attached_is_still_capped_by_the_boundary(platform):
    out = platform["out"]
    created = principal(OWN_ROLE, [ADMIN], platform["boundary"])
    assert allows(created, "ec2:RunInstances", "*") and allows(created, "s3:GetObject", "arn:aws:s3:::app-data/x")
    assert allows(created, "s3:DeleteObject", "arn:aws:s3:::app-data/x"), "runtime roles keep the service's deletes"
    for action, resource in [
        ("s3:GetObject", f"{out['stateBucketArn']}/.pulumi/stacks/x.json"),
        ("sts:AssumeRole", out["provisioningRoles"]["platform"]["stateRole"]["arn"]),
        ("iam:CreateAccessKey", OTHER_USER),
        ("iam:PassRole", OTHER_ROLE),
        ("dynamodb:Scan", "*"),
        ("iam:DeleteRolePermissionsBoundary", OWN_ROLE),
    ]:
        assert not allows(created, action, resource, {}), f"a created admin role may {action} on {resource}"


def test_the_guards_action_lists_come_from_the_catalogue():
    conditioned, removals = boundary_conditioned_actions()
    assert {"iam:CreateRole", "iam:AttachRolePolicy", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy"} <= set(conditioned)
    assert set(removals) == {"iam:DeleteRolePermissionsBoundary", "iam:DeleteUserPermissionsBoundary"}
    assert {"iam:PassRole", "iam:CreateAccessKey", "iam:CreatePolicyVersion"} <= iam_change_actions()


OWN_GROUP = f"arn:aws:iam::{ACCOUNT}:group/iam-baseline-services/platform/ops"
GITHUB_PROVIDER = f"arn:aws:iam::{ACCOUNT}:oidc-provider/token.actions.githubusercontent.com"


@pytest.mark.parametrize(
    "action", ["iam:CreateGroup", "iam:PutGroupPolicy", "iam:AttachGroupPolicy", "iam:AddUserToGroup", "iam:UpdateGroup"]
)
@pytest.mark.parametrize("group", [OWN_GROUP, OTHER_GROUP])
def test_no_group_can_be_written_even_in_the_service_path(platform, action, group):
    """Groups take no boundary and AddUserToGroup is authorized on the group alone: a group the service could
    write, with AdministratorAccess attached, would make any existing user (a human without a boundary) an admin."""
    boundary = platform["role"]["permissionsBoundaryArn"]
    context = {"iam:PolicyARN": ADMIN_POLICY, "iam:PermissionsBoundary": boundary}
    assert denied(platform, action, group, context), f"the service may {action} on {group}"
    created = principal(OWN_ROLE, [ADMIN], platform["boundary"])
    assert not allows(created, action, group, context), f"a role the service created may {action} on {group}"


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("iam:TagRole", OTHER_ROLE),
        ("iam:UntagRole", OTHER_ROLE),
        ("iam:TagUser", OTHER_USER),
        ("iam:UntagUser", OTHER_USER),
        ("iam:TagPolicy", OTHER_POLICY),
        ("iam:TagOpenIDConnectProvider", GITHUB_PROVIDER),
        ("iam:UntagOpenIDConnectProvider", GITHUB_PROVIDER),
        ("iam:TagRole", f"arn:aws:iam::{ACCOUNT}:role/iam-baseline/iam-baseline-svc-queues"),
        ("iam:TagInstanceProfile", f"arn:aws:iam::{ACCOUNT}:instance-profile/web"),
    ],
)
def test_tags_outside_the_service_path_cannot_change(platform, action, resource):
    """Tags feed tag-based conditions elsewhere in the account (ABAC): only the service's own principals may be tagged."""
    assert denied(platform, action, resource, {"aws:TagKeys": "team"}), f"open: {action} on {resource}"
    created = principal(OWN_ROLE, [ADMIN], platform["boundary"])
    assert not allows(created, action, resource, {}), f"a role the service created may {action} on {resource}"


def test_the_service_still_tags_its_own_roles(platform):
    boundary = platform["role"]["permissionsBoundaryArn"]
    assert allows(platform["node"], "iam:TagRole", OWN_ROLE, {"iam:PermissionsBoundary": boundary})
    assert allows(platform["node"], "iam:UntagRole", OWN_ROLE, {"iam:PermissionsBoundary": boundary})


def test_a_service_granted_only_iam_tagging_is_confined_too():
    rendering = render({"services": {"tagger": {"actions": ["iam:TagRole", "iam:TagUser", "sqs:*"]}}}, stack="dev")
    out = unwrap(rendering.outputs)
    (policy,) = role_documents(rendering)["iam-baseline-svc-tagger"][1]
    node = principal(out["provisioningRoles"]["tagger"]["arn"], [policy])
    assert "permissionsBoundaryArn" in out["provisioningRoles"]["tagger"], "tagging IAM gets the escalation guard"
    assert not allows(node, "iam:TagRole", OTHER_ROLE, {})
    assert not allows(node, "iam:TagUser", OTHER_USER, {})
