"""Oracle 1: the rendered baseline created inside moto with IAM enforcement on.

moto evaluates identity policies (actions, resources for S3/SQS/IAM roles, explicit Deny) and role
trusts with `sts:ExternalId` StringEquals, from real boto3 calls. Its gaps (FACTS.md, "Oracles")
decide what is proved elsewhere, by the policy simulator in tests/policy_simulator.py:
- a missing ExternalId is accepted by moto: proved refused by the simulator;
- permissions boundaries and bucket policies are ignored: the sts-only boundary and the TLS-only
  bucket policy are proved by the simulator, and the bucket policy is not loaded here (moto would
  refuse every object call with it);
- moto reads a Deny statement with NotResource as an Allow and evaluates only StringEquals, so the
  escalation guard (NotResource, iam:PermissionsBoundary) is proved by the simulator alone
  (tests/test_escalation_guard.py);
- moto checks a call that creates an SQS queue against `*`, not the new queue's ARN, so
  resource-scoped SQS grants are exercised on queues that already exist;
- moto names a user's key by its path-less ARN, so trusts naming the CI user under the baseline's
  path would never match: the applier rewrites that one principal to moto's form. That the path
  form matches the real user is shown by the simulator, which models the user with its path.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any, Self

import boto3
from botocore.exceptions import ClientError
from moto import mock_aws, settings
from moto.core.authorization import ActionAuthenticatorMixin

from baseline.offline.engine import Rendering, reveal
from tests.helpers import all_roles

ADMIN = {"aws_access_key_id": "admin-setup", "aws_secret_access_key": "admin-setup"}


unwrap = reveal


def denied(call, *args: Any, **kwargs: Any) -> bool:
    """Return whether a boto3 call was refused for lack of permission (other errors propagate)."""
    try:
        call(*args, **kwargs)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        status = error.response["ResponseMetadata"]["HTTPStatusCode"]
        if code in ("AccessDenied", "AccessDeniedException", "403") or status == 403:
            return True
        raise
    return False


class EmulatedAccount:
    """One moto account holding a rendered baseline; hands out clients acting as its principals."""

    def __init__(self, rendering: Rendering) -> None:
        self.rendering = rendering
        self.region = rendering.ctx.region
        self.outputs = unwrap(rendering.outputs)
        self._mock = mock_aws()
        self._previous_count = settings.INITIAL_NO_AUTH_ACTION_COUNT

    def __enter__(self) -> Self:
        self._mock.start()
        settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")
        self._deploy()
        return self

    def __exit__(self, *exc: object) -> None:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = self._previous_count
        self._mock.stop()

    def admin(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region, **ADMIN)

    def _deploy(self) -> None:
        iam, s3 = self.admin("iam"), self.admin("s3")
        ci_arn = self.outputs["ciUser"]["arn"]
        moto_ci_arn = f"arn:aws:iam::{self.rendering.ctx.account_id}:user/{self.outputs['ciUser']['name']}"
        # Order as the engine would: policies before users, users before roles that trust them.
        kinds = (
            "policy:Policy",
            "user:User",
            "group:Group",
            "groupPolicy:GroupPolicy",
            "groupMembership:GroupMembership",
            "role:Role",
            "rolePolicy:RolePolicy",
        )
        by_type = {t: self.rendering.of_type(f"aws:iam/{t}") for t in kinds}
        by_type["aws:s3/bucket:Bucket"] = self.rendering.of_type("aws:s3/bucket:Bucket")
        for r in by_type["policy:Policy"]:
            iam.create_policy(PolicyName=r.inputs["name"], Path=r.inputs["path"], PolicyDocument=r.inputs["policy"])
        for r in by_type["user:User"]:
            iam.create_user(UserName=r.inputs["name"], Path=r.inputs["path"], PermissionsBoundary=r.inputs["permissionsBoundary"])
            key = iam.create_access_key(UserName=r.inputs["name"])["AccessKey"]
            self.ci_key = {"aws_access_key_id": key["AccessKeyId"], "aws_secret_access_key": key["SecretAccessKey"]}
        for r in by_type["group:Group"]:
            iam.create_group(GroupName=r.inputs["name"], Path=r.inputs["path"])
        for r in by_type["groupPolicy:GroupPolicy"]:
            iam.put_group_policy(GroupName=r.inputs["group"], PolicyName=r.inputs["name"], PolicyDocument=r.inputs["policy"])
        for r in by_type["groupMembership:GroupMembership"]:
            for user in r.inputs["users"]:
                iam.add_user_to_group(GroupName=r.inputs["group"], UserName=user)
        for r in by_type["role:Role"]:
            trust = r.inputs["assumeRolePolicy"].replace(json.dumps(ci_arn), json.dumps(moto_ci_arn))
            iam.create_role(
                RoleName=r.inputs["name"],
                Path=r.inputs["path"],
                AssumeRolePolicyDocument=trust,
                MaxSessionDuration=int(r.inputs["maxSessionDuration"]),
            )
        for r in by_type["rolePolicy:RolePolicy"]:
            iam.put_role_policy(RoleName=r.inputs["role"], PolicyName=r.inputs["name"], PolicyDocument=r.inputs["policy"])
        for r in by_type["aws:s3/bucket:Bucket"]:
            s3.create_bucket(Bucket=r.inputs["bucket"], CreateBucketConfiguration={"LocationConstraint": self.region})
        s3.create_bucket(Bucket="someone-elses-bucket", CreateBucketConfiguration={"LocationConstraint": self.region})

    @contextlib.contextmanager
    def enforced(self) -> Iterator[None]:
        """Check every request against IAM while inside the block."""
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        ActionAuthenticatorMixin.request_count = 0
        try:
            yield
        finally:
            settings.INITIAL_NO_AUTH_ACTION_COUNT = float("inf")

    def all_roles(self) -> dict[str, dict[str, Any]]:
        """Return every exported role (see tests.helpers.all_roles) with its ARN and external ID."""
        return all_roles(self.outputs)

    def as_ci(self, service: str) -> Any:
        return boto3.client(service, region_name=self.region, **self.ci_key)

    def role_credentials(self, role_arn: str, external_id: str | None) -> dict[str, str]:
        kwargs = {"RoleArn": role_arn, "RoleSessionName": "access-matrix"}
        if external_id is not None:
            kwargs["ExternalId"] = external_id
        creds = self.as_ci("sts").assume_role(**kwargs)["Credentials"]
        return {
            "aws_access_key_id": creds["AccessKeyId"],
            "aws_secret_access_key": creds["SecretAccessKey"],
            "aws_session_token": creds["SessionToken"],
        }

    def as_role(self, role: dict[str, Any], service: str) -> Any:
        return boto3.client(service, region_name=self.region, **self.role_credentials(role["arn"], role["externalId"]))
