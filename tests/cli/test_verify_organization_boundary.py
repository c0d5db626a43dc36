"""`verify` with `organizationBoundary`, in moto: every principal must carry the organisation's boundary, and
so must every role a service creates; one without it, or with another, is drift.

moto keeps role boundaries but not user boundaries: the CI user's is remembered by `BoundaryKeepingIam`.
"""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from baseline.verify.account import expected_account, now_utc, verify
from tests.cli.test_verify import REGION, TRUST, BoundaryKeepingIam, deploy
from tests.helpers import render

ORG_PATH, ORG_NAME = "/org/", "OrgBoundary"
ORG = f"arn:aws:iam::123456789012:policy/org/{ORG_NAME}"
SERVICES = {"api": {"actions": ["sqs:*"]}, "platform": {"actions": ["iam:CreateRole", "iam:PutRolePolicy", "iam:GetRole", "lambda:*"]}}
ALLOW_ALL = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})


@pytest.fixture(scope="module")
def rendering():
    return render({"organizationBoundary": ORG, "services": SERVICES}, stack="prod", region=REGION)


@pytest.fixture
def account(rendering):
    with mock_aws():
        iam = BoundaryKeepingIam(boto3.client("iam", region_name=REGION))
        s3 = boto3.client("s3", region_name=REGION)
        iam.create_policy(PolicyName=ORG_NAME, Path=ORG_PATH, PolicyDocument=ALLOW_ALL)  # the organisation's, not the baseline's
        deploy(rendering, iam, s3)
        for role in rendering.of_type("aws:iam/role:Role"):  # deploy() creates roles as before; pulumi up sets the boundary
            iam.put_role_permissions_boundary(RoleName=role.inputs["name"], PermissionsBoundary=role.inputs["permissionsBoundary"])
        expected = expected_account(rendering)
        yield iam, expected, (lambda: verify(expected, iam, s3, now_utc()))


def found(findings):
    return sorted((f.code, f.location, f.detail) for f in findings)


def test_the_deployed_baseline_verifies_clean_and_expects_the_boundary_everywhere(account):
    iam, expected, check = account
    assert check() == []
    assert expected.organization_boundary == ORG
    assert {p.boundary_arn for p in expected.principals.values()} == {ORG} and len(expected.principals) == 5
    assert iam.user_boundaries == {"iam-baseline-ci": ORG}


def test_a_role_without_the_boundary_is_drift(account):
    iam, _, check = account
    iam.delete_role_permissions_boundary(RoleName="iam-baseline-svc-api")
    assert found(check()) == [("drift-changed", "role/iam-baseline-svc-api", f"its permissions boundary {ORG} is gone")]


def test_a_role_or_the_user_with_another_boundary_is_drift(account):
    iam, _, check = account
    other = iam.create_policy(PolicyName="Wide", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    iam.put_role_permissions_boundary(RoleName="iam-baseline-state-api", PermissionsBoundary=other)
    iam.user_boundaries["iam-baseline-ci"] = other
    assert found(check()) == [
        ("drift-changed", "role/iam-baseline-state-api", f"its permissions boundary is {other}, expected {ORG}"),
        ("drift-changed", "user/iam-baseline-ci", f"its permissions boundary is {other}, expected {ORG}"),
    ]


def test_a_role_a_service_created_must_carry_the_organisations_boundary(account):
    iam, _, check = account
    path = "/iam-baseline-services/platform/"
    iam.create_role(RoleName="task", Path=path, AssumeRolePolicyDocument=TRUST, PermissionsBoundary=ORG)
    assert check() == []
    other = iam.create_policy(PolicyName="Wide", PolicyDocument=ALLOW_ALL)["Policy"]["Arn"]
    iam.create_role(RoleName="other", Path=path, AssumeRolePolicyDocument=TRUST, PermissionsBoundary=other)
    iam.create_role(RoleName="bare", Path=path, AssumeRolePolicyDocument=TRUST)
    assert [(code, where) for code, where, _ in found(check())] == [("drift-unbounded", "role/bare"), ("drift-unbounded", "role/other")]
