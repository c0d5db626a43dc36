"""`iam_placement`: a service program creates its roles in its own IAM path with its own boundary, read from
its handoff stack, and a service that may not create roles is told so before `pulumi up`."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from iam_baseline_consume import ServiceNotInBaseline, created_role_settings, handoff_reference, iam_placement

STACK = "organization/iam-baseline-handoff/dev.platform"
ROLE = {
    "arn": "arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-svc-platform",
    "externalId": "x" * 40,
    "iamPath": "/iam-baseline-services/platform/",
    "permissionsBoundaryArn": "arn:aws:iam::123456789012:policy/iam-baseline/iam-baseline-boundary-platform",
}


class HandoffMocks(pulumi.runtime.Mocks):
    def __init__(self, role):
        self.role, self.registered = role, {}

    def new_resource(self, args):
        if args.typ == "pulumi:pulumi:StackReference":
            outputs = {"service": "platform", "role": self.role, "region": "eu-west-1", "accountId": "123456789012"}
            return args.name, {"name": args.name, "outputs": outputs, "secretOutputNames": ["role"]}
        self.registered[args.name] = args.inputs
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args):
        return {}


def run(role, program):
    mocks = HandoffMocks(role)
    handoff_reference.cache_clear()  # one StackReference per handoff stack and run; each test is a new run
    pulumi.runtime.set_mocks(mocks, project="platform", stack="dev", preview=False)
    pulumi.runtime.test(program)()
    return mocks.registered


def test_created_roles_get_the_service_path_and_boundary():
    def program():
        aws.iam.Role("task", assume_role_policy="{}", **iam_placement("platform", stack=STACK))

    registered = run(ROLE, program)
    assert registered["task"]["path"] == ROLE["iamPath"]
    assert registered["task"]["permissionsBoundary"] == ROLE["permissionsBoundaryArn"], "path and boundary are not secret"


def test_a_service_that_may_not_create_roles_is_told_how_to_fix_it():
    role = {k: v for k, v in ROLE.items() if k not in ("iamPath", "permissionsBoundaryArn")}
    with pytest.raises(ServiceNotInBaseline, match=r"may not create IAM roles.*iam:CreateRole"):
        created_role_settings(role, "queues")


def test_another_services_handoff_is_refused():
    def program():
        aws.iam.Role("task", assume_role_policy="{}", **iam_placement("billing", stack=STACK))

    with pytest.raises(Exception, match=r"holds service .platform., not .billing."):
        run(ROLE, program)
