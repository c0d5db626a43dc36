"""The minting chain, closed: a prod service granted `iam:*` cannot turn its one-hour session into
permanent credentials, nor into a role that deletes, chains or reaches the state.

The chain tried: create a user in its own path with its boundary, give it a key or a password, and
use that user to delete in prod (also after a delete window closed) or to assume other roles. Each
link is refused; a role it creates keeps every protection of the service role. The simulator decides
the boundary and condition parts (moto ignores both); the unconditional Denies are also shown in moto.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from baseline.aws.catalog import CREDENTIAL_MINTING_ACTIONS, get_actions_matching
from baseline.review.review import review
from tests.emulated_account import EmulatedAccount, denied, unwrap
from tests.helpers import render, role_documents
from tests.policy_simulator import allows, principal

ACCOUNT = "123456789012"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
PLATFORM = {"actions": ["iam:*", "ec2:*", "s3:*"]}
NOW = datetime.now(UTC)


def platform(stack: str, **extra):
    rendering = render({"services": {"platform": {**PLATFORM, **extra}, "other": {"actions": ["sqs:*"]}}}, stack=stack, region="eu-west-1")
    out = unwrap(rendering.outputs)
    role = out["provisioningRoles"]["platform"]
    docs = role_documents(rendering)
    boundary = next(r for r in rendering.of_type("aws:iam/policy:Policy") if r.inputs["name"] == "iam-baseline-boundary-platform")
    return {
        "rendering": rendering,
        "out": out,
        "role": role,
        "node": principal(role["arn"], docs["iam-baseline-svc-platform"][1]),
        "boundary": json.loads(boundary.inputs["policy"]),
    }


@pytest.fixture(scope="module")
def prod():
    return platform("prod")


def own(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:{kind}/iam-baseline-services/platform/{name}"


def test_the_minting_actions_are_real_catalogue_actions():
    for action in CREDENTIAL_MINTING_ACTIONS:
        assert get_actions_matching(action) == (action,), f"{action} is not in the IAM catalogue"


@pytest.mark.parametrize("action", CREDENTIAL_MINTING_ACTIONS)
def test_a_service_role_mints_no_credential_even_in_its_own_path_with_its_boundary(prod, action):
    with_boundary = {"iam:PermissionsBoundary": prod["role"]["permissionsBoundaryArn"]}
    for resource in (own("user", "minted"), f"arn:aws:iam::{ACCOUNT}:user/alice", "*"):
        assert not allows(prod["node"], action, resource, with_boundary), f"the service role may {action} on {resource}"


def test_it_still_creates_roles_in_its_own_path_with_its_boundary(prod):
    with_boundary = {"iam:PermissionsBoundary": prod["role"]["permissionsBoundaryArn"]}
    assert allows(prod["node"], "iam:CreateRole", own("role", "app-task"), with_boundary), "the guard must not break the service"
    assert allows(prod["node"], "iam:AttachRolePolicy", own("role", "app-task"), with_boundary)


def test_a_created_role_with_anything_attached_cannot_delete_chain_mint_or_reach_state_in_prod(prod):
    created = principal(own("role", "app-task"), [ADMIN], prod["boundary"])
    assert allows(created, "ec2:RunInstances", "*") and allows(created, "s3:PutObject", "arn:aws:s3:::app-data/x"), "positive control"
    state = prod["out"]["provisioningRoles"]["other"]["stateRole"]["arn"]
    for action, resource in [
        ("ec2:TerminateInstances", "*"),
        ("s3:DeleteBucket", "arn:aws:s3:::app-data"),
        ("s3:DeleteObject", "arn:aws:s3:::app-data/x"),
        ("iam:DeleteRole", own("role", "app-task")),
        ("sts:AssumeRole", state),
        ("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/TrustsTheAccountRoot"),
        ("iam:CreateUser", own("user", "backdoor")),
        ("iam:CreateAccessKey", own("user", "backdoor")),
        ("iam:CreateLoginProfile", own("user", "backdoor")),
        ("s3:GetObject", f"{prod['out']['stateBucketArn']}/.pulumi/stacks/iam-baseline/prod.json"),
        ("iam:PutRolePolicy", f"arn:aws:iam::{ACCOUNT}:role/Admin"),
        ("sqs:SendMessage", "*"),  # outside the service's grant
    ]:
        assert not allows(created, action, resource), f"a role created by a prod service may {action} on {resource}"


def test_a_created_role_deletes_only_while_the_delete_window_is_open():
    until = (NOW + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = platform("prod", deleteWindow={"until": until, "reason": "retire the old cluster"})
    created = principal(own("role", "app-task"), [ADMIN], window["boundary"])
    before = {"aws:CurrentTime": (NOW + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    after = {"aws:CurrentTime": (NOW + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    assert allows(created, "ec2:TerminateInstances", "*", before)
    assert not allows(created, "ec2:TerminateInstances", "*", after), "a created role keeps deleting after the window closed"
    assert not allows(window["node"], "ec2:TerminateInstances", "*", after)


def test_review_counts_what_created_roles_could_do():
    prod_review = review(platform("prod")["rendering"])
    created = prod_review.to_json()["principals"]["service/platform"]["createdPrincipals"]
    assert created["boundary"] == "iam-baseline-boundary-platform"
    assert created["actionCount"] > 0 and created["destructiveActions"] == [], "prod: created roles must not delete"
    assert "created-principal-destructive" not in {f["code"] for f in prod_review.to_json()["findings"]}
    dev_review = review(platform("dev")["rendering"])
    assert dev_review.to_json()["principals"]["service/platform"]["createdPrincipals"]["destructiveActions"], "dev keeps its deletes"
    assert "createdPrincipals" not in prod_review.to_json()["principals"]["service/other"], (
        "only services that manage IAM create principals"
    )


def test_in_the_emulator_a_service_role_cannot_create_users_or_keys(prod):
    with EmulatedAccount(prod["rendering"]) as account:
        account.admin("iam").create_user(UserName="existing", Path="/iam-baseline-services/platform/")
        with account.enforced():
            iam = account.as_role(account.outputs["provisioningRoles"]["platform"], "iam")
            assert denied(iam.create_user, UserName="minted", Path="/iam-baseline-services/platform/")
            assert denied(iam.create_access_key, UserName="existing")
            assert denied(iam.create_login_profile, UserName="existing", Password="Correct-Horse-42!")
            iam.list_roles()  # positive control: the grant itself works
