"""`organizationBoundary`, proved with the policy simulator: every principal the baseline creates carries the
organisation's boundary; a service that manages IAM creates principals only with it, only in its path, and
attaches only its own policies; the CI user stays capped at sts:AssumeRole on the baseline's roles without its
own boundary; the state bucket refuses whatever services create; and without the key nothing changes.

The organisation's boundary document is not known here: every proof holds whatever it allows (principals are
modelled without it, the worst case of a boundary that allows everything).
"""

import json

import pytest

from baseline.design.escalation import boundary_conditioned_actions, policy_attaching_actions
from baseline.design.reference import child_keys
from tests.emulated_account import unwrap
from tests.helpers import render, role_documents
from tests.policy_simulator import allows, principal

ACCOUNT = "123456789012"
ORG = f"arn:aws:iam::{ACCOUNT}:policy/org/OrgBoundary"
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
OWN_PATH = f"arn:aws:iam::{ACCOUNT}:role/iam-baseline-services/platform/"
OWN_ROLE = OWN_PATH + "app-task"
OWN_USER = f"arn:aws:iam::{ACCOUNT}:user/iam-baseline-services/platform/app"
OWN_POLICY = f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline-services/platform/app-task-policy"
OTHER_ROLE = f"arn:aws:iam::{ACCOUNT}:role/Admin"
GITHUB = {"repository": "acme/platform", "branches": ["main"]}
SERVICES = {
    "platform": {"actions": ["iam:*", "lambda:*", "ec2:*", "s3:*"], "github": GITHUB},
    "queues": {"actions": ["sqs:*"], "github": {"repository": "acme/queues", "branches": ["main"]}},
    "shop": {
        "github": {"repository": "acme/shop", "branches": ["main"]},
        "components": {"site": {"actions": ["s3:*"]}, "roles": {"actions": ["iam:CreateRole", "iam:AttachRolePolicy", "iam:PassRole"]}},
    },
}
PREVIEWS = {"previewRoles": True} if "previewRoles" in child_keys("") else {}  # the read-only preview roles, where they exist
CONFIGS = {
    "prod, both modes, per-service state, KMS": ({"ci": {"mode": "both"}, "stateBucket": {"kms": True}, **PREVIEWS}, "prod"),
    "dev, both modes, shared state": ({"stateIsolation": "shared", "ci": {"mode": "both"}}, "dev"),
}


def rendered(extra, stack, boundary=ORG):
    raw = {**extra, "services": SERVICES} | ({"organizationBoundary": boundary} if boundary else {})
    return render(raw, stack=stack)


@pytest.fixture(scope="module", params=sorted(CONFIGS))
def pair(request):
    extra, stack = CONFIGS[request.param]
    return rendered(extra, stack), rendered(extra, stack, boundary=None)


@pytest.fixture(scope="module")
def org():
    rendering = rendered(*CONFIGS["prod, both modes, per-service state, KMS"])
    out = unwrap(rendering.outputs)
    documents = role_documents(rendering)
    (policy,) = documents["iam-baseline-svc-platform"][1]
    (group_policy,) = [json.loads(g.inputs["policy"]) for g in rendering.of_type("aws:iam/groupPolicy:GroupPolicy")]
    (bucket_policy,) = [json.loads(b.inputs["policy"]) for b in rendering.of_type("aws:s3/bucketPolicy:BucketPolicy")]
    return {
        "rendering": rendering,
        "out": out,
        "documents": documents,
        "node": principal(out["provisioningRoles"]["platform"]["arn"], [policy]),
        "group_policy": group_policy,
        "bucket_policy": bucket_policy,
    }


def boundary_inputs(rendering):
    return {
        (r.typ, r.inputs["name"]): r.inputs.get("permissionsBoundary")
        for r in rendering.registrations
        if r.typ in ("aws:iam/role:Role", "aws:iam/user:User")
    }


def test_every_role_and_user_the_baseline_creates_carries_the_organisations_boundary(pair):
    with_org, _ = pair
    carried = boundary_inputs(with_org)
    assert any(typ == "aws:iam/user:User" for typ, _ in carried) or "stateRole" not in unwrap(with_org.outputs)
    assert len(carried) >= 6 and set(carried.values()) == {ORG}, carried
    if PREVIEWS and "prod" in with_org.stack:
        assert any("-preview-" in name for _, name in carried), "the preview roles are rendered and carry it too"
    policies = [p.inputs["name"] for p in with_org.of_type("aws:iam/policy:Policy")]
    assert not [name for name in policies if "boundary" in name], "no boundary of the baseline's own is created: nothing could carry it"


def test_services_that_manage_iam_hand_the_organisations_boundary_to_their_program(org):
    roles = org["out"]["provisioningRoles"]
    assert roles["platform"]["permissionsBoundaryArn"] == ORG
    assert roles["shop"]["components"]["roles"]["permissionsBoundaryArn"] == ORG
    assert "permissionsBoundaryArn" not in roles["queues"]


def test_without_the_key_only_the_expected_documents_change(pair):
    """The same config without organizationBoundary: roles carry no boundary and the CI user its own sts-only one,
    as before; with it, only boundaries, the CI group's and the bucket's policies and IAM-managing roles' guards differ."""
    with_org, without = pair
    assert set(boundary_inputs(without).values()) <= {None, f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/iam-baseline-ci-boundary"}
    before = {(r.typ, r.name): r.inputs for r in without.registrations}
    after = {(r.typ, r.name): r.inputs for r in with_org.registrations}
    dropped = {name for typ, name in set(before) - set(after)}
    assert set(after) <= set(before) and all(name.endswith("boundary") for name in dropped), dropped
    changed = {key for key in after if after[key] != before[key]}
    guarded = {
        name for name, (_, docs) in role_documents(with_org).items() if any("RequireOrganizationBoundary" in json.dumps(d) for d in docs)
    }
    for typ, name in changed:
        inputs = {k: v for k, v in after[(typ, name)].items() if k != "permissionsBoundary"}
        old = {k: v for k, v in before[(typ, name)].items() if k != "permissionsBoundary"}
        expected_change = typ in ("aws:iam/groupPolicy:GroupPolicy", "aws:s3/bucketPolicy:BucketPolicy") or (
            typ == "aws:iam/rolePolicy:RolePolicy" and after[(typ, name)]["role"] in guarded
        )
        assert inputs == old or expected_change, f"{typ} {name} changed"


@pytest.mark.parametrize("action", ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"])
def test_new_roles_carry_only_the_organisations_boundary(org, action):
    context = {"iam:PolicyARN": OWN_POLICY}
    assert allows(org["node"], action, OWN_ROLE, {"iam:PermissionsBoundary": ORG, **context}), f"{action} with the org's boundary"
    assert not allows(org["node"], action, OWN_ROLE, context), f"{action} without a boundary"
    for other in (ADMIN_POLICY, f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/iam-baseline-boundary-platform"):
        assert not allows(org["node"], action, OWN_ROLE, {"iam:PermissionsBoundary": other, **context}), f"{action} with {other}"


def test_every_action_taking_a_boundary_requires_the_organisations():
    conditioned, _ = boundary_conditioned_actions()
    rendering = rendered({"ci": {"mode": "both"}}, "dev")
    (policy,) = role_documents(rendering)["iam-baseline-svc-platform"][1]
    (require,) = [s for s in policy["Statement"] if s["Sid"] == "RequireOrganizationBoundary"]
    assert require["Action"] == sorted(conditioned) and require["Condition"] == {"StringNotEquals": {"iam:PermissionsBoundary": ORG}}
    assert not [s for s in policy["Statement"] if s["Sid"] == "RequireServiceBoundary"]


def test_roles_and_users_only_in_the_service_path(org):
    assert not allows(org["node"], "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/escalated", {"iam:PermissionsBoundary": ORG})
    assert not allows(org["node"], "iam:CreateRole", f"arn:aws:iam::{ACCOUNT}:role/iam-baseline/x", {"iam:PermissionsBoundary": ORG})
    assert not allows(org["node"], "iam:CreateUser", OWN_USER, {"iam:PermissionsBoundary": ORG}), "users mint credentials"
    assert not allows(org["node"], "iam:CreateGroup", f"arn:aws:iam::{ACCOUNT}:group/iam-baseline-services/platform/ops")


@pytest.mark.parametrize(
    "policy",
    [
        ADMIN_POLICY,
        "arn:aws:iam::aws:policy/IAMFullAccess",
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        f"arn:aws:iam::{ACCOUNT}:policy/AdminPolicy",
        f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline/iam-baseline-svc-queues-grant-1",
        f"arn:aws:iam::{ACCOUNT}:policy/iam-baseline-services/queues/other-teams",
        ORG,
    ],
)
@pytest.mark.parametrize("action", ["iam:AttachRolePolicy", "iam:AttachUserPolicy"])
def test_only_the_services_own_policies_can_be_attached(org, action, policy):
    target = OWN_ROLE if "Role" in action else OWN_USER
    context = {"iam:PermissionsBoundary": ORG}
    assert not allows(org["node"], action, target, {**context, "iam:PolicyARN": policy}), f"{action} of {policy}"
    if action == "iam:AttachRolePolicy":
        assert allows(org["node"], action, target, {**context, "iam:PolicyARN": OWN_POLICY}), "its own policy"


def test_the_attach_guard_lists_come_from_the_catalogue():
    assert set(policy_attaching_actions()) == {"iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy"}


def test_boundaries_cannot_be_removed_or_swapped(org):
    for action, resource in (("iam:DeleteRolePermissionsBoundary", OWN_ROLE), ("iam:DeleteUserPermissionsBoundary", OWN_USER)):
        assert not allows(org["node"], action, resource, {"iam:PermissionsBoundary": ORG})
    assert not allows(org["node"], "iam:PutRolePermissionsBoundary", OWN_ROLE, {"iam:PermissionsBoundary": ADMIN_POLICY})
    assert not allows(org["node"], "iam:CreatePolicyVersion", ORG), "the organisation's boundary itself is outside the path"


def test_only_roles_in_its_path_can_be_passed(org):
    assert allows(org["node"], "iam:PassRole", OWN_ROLE)
    assert not allows(org["node"], "iam:PassRole", OTHER_ROLE)
    assert not allows(org["node"], "iam:PassRole", org["out"]["provisioningRoles"]["queues"]["arn"])


def test_the_ci_user_with_admin_attached_by_mistake_still_only_assumes_baseline_roles(org):
    """Its own sts-only boundary gives way to the organisation's; the group policy's Deny statements keep the cap."""
    user = principal(org["out"]["ciUser"]["arn"], [org["group_policy"], ADMIN])
    roles = [r["arn"] for r in org["out"]["provisioningRoles"].values() if "arn" in r]
    assert roles and all(allows(user, "sts:AssumeRole", arn) for arn in roles)
    for action, resource in [
        ("sts:AssumeRole", OTHER_ROLE),
        ("sts:AssumeRole", "arn:aws:iam::210987654321:role/iam-baseline/anything"),
        ("sts:GetFederationToken", "*"),
        ("sts:AssumeRoleWithWebIdentity", roles[0]),
        ("s3:GetObject", f"{org['out']['stateBucketArn']}/.pulumi/stacks/iam-baseline/prod.json"),
        ("iam:CreateAccessKey", org["out"]["ciUser"]["arn"]),
        ("iam:AttachUserPolicy", org["out"]["ciUser"]["arn"]),
        ("ec2:RunInstances", "*"),
    ]:
        assert not allows(user, action, resource), f"the CI user with AdministratorAccess may {action} on {resource}"


def test_the_state_bucket_refuses_whatever_a_service_creates(org):
    """A created role carries the organisation's boundary, not the service's DenyStateBucket: the bucket refuses it."""
    state = f"{org['out']['stateBucketArn']}/.pulumi/stacks/iam-baseline/prod.json"
    for arn in (OWN_ROLE, OWN_USER, f"arn:aws:iam::{ACCOUNT}:role/iam-baseline-services/shop-roles/deep/x"):
        created = principal(arn, [ADMIN])
        for action, resource in (("s3:GetObject", state), ("s3:PutObject", state), ("s3:ListBucket", org["out"]["stateBucketArn"])):
            assert not allows(created, action, resource, resource_policy=org["bucket_policy"]), f"{arn} may {action}"
    state_role = org["out"]["provisioningRoles"]["platform"]["stateRole"]["arn"]
    _, (state_policy,) = org["documents"][state_role.rsplit("/", 1)[1]]
    own_key = f"{org['out']['stateBucketArn']}/.pulumi/stacks/platform/prod.json"
    assert allows(principal(state_role, [state_policy]), "s3:GetObject", own_key, resource_policy=org["bucket_policy"])
