"""Pulumi mocks that stand in for AWS offline: fake account facts, derived ARNs, and a record of
every registration (inputs, protect flag, dependencies) for the plan command and the tests."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any

import pulumi

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.offline.pulumi_private import MockMonitor, deserialize_properties, is_secret

OFFLINE_ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"


def offline_context(region: str = DEFAULT_REGION, account_id: str = OFFLINE_ACCOUNT_ID) -> AccountContext:
    """Return a stand-in account in the partition that owns `region`."""
    if region.startswith("cn-"):
        return AccountContext(account_id, region, "aws-cn", "amazonaws.com.cn")
    if region.startswith("us-gov-"):
        return AccountContext(account_id, region, "aws-us-gov", "amazonaws.com")
    return AccountContext(account_id, region, "aws", "amazonaws.com")


@dataclass
class Registration:
    """One resource as the engine would have received it."""

    typ: str
    name: str
    urn: str
    inputs: dict[str, Any]
    custom: bool
    protect: bool = False
    dependencies: list[str] = field(default_factory=list)
    parent: str = ""
    secret_inputs: list[str] = field(default_factory=list)
    provider: str = ""


def _unwrap_secret(value: Any) -> Any:
    return value["value"] if is_secret(value) else value


def fake_value(kind: str, name: str, length: int) -> str:
    """Return the stand-in a fake resource gets for a generated value (an ID, a secret, a random string)."""
    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:length]


class BaselineMocks(pulumi.runtime.Mocks):
    """Answers the AWS invokes and fills in the attributes AWS computes (ARNs, IDs, secrets)."""

    def __init__(
        self, ctx: AccountContext, stack_outputs: dict[str, dict[str, Any]] | None = None, any_stack_outputs: dict[str, Any] | None = None
    ) -> None:
        self.ctx = ctx
        self.registrations: list[Registration] = []
        # Outputs of other stacks, by stack name, for the StackReferences a program makes.
        self.stack_outputs = stack_outputs or {}
        self.any_stack_outputs = any_stack_outputs  # for a StackReference to any other stack
        self.stack_references: list[str] = []  # the stacks the program read, in order

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:  # a dict; the base class's tuple form is optional
        ctx = self.ctx
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ctx.account_id,
                "arn": f"arn:{ctx.partition}:iam::{ctx.account_id}:user/admin",
                "userId": "AIDAOFFLINE",
                "id": ctx.account_id,
            }
        if args.token == "aws:index/getRegion:getRegion":
            return {
                "region": ctx.region,
                "name": ctx.region,
                "id": ctx.region,
                "endpoint": f"ec2.{ctx.region}.{ctx.dns_suffix}",
                "description": ctx.region,
            }
        if args.token == "aws:index/getPartition:getPartition":
            return {"partition": ctx.partition, "dnsSuffix": ctx.dns_suffix, "id": ctx.partition, "reverseDnsPrefix": "com.amazonaws"}
        raise NotImplementedError(f"no offline answer for invoke {args.token}")

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        ctx, name = self.ctx, args.inputs.get("name", args.name)
        resource_id = f"{args.name}-id"
        if args.typ == "pulumi:pulumi:StackReference":
            self.stack_references.append(args.inputs["name"])
            outputs = self.stack_outputs.get(args.inputs["name"], self.any_stack_outputs)
            if outputs is None:
                raise ValueError(f"no outputs mocked for stack {args.inputs['name']!r}")
            return args.inputs["name"], {"name": args.inputs["name"], "outputs": outputs, "secretOutputNames": sorted(outputs)}
        if args.typ == "aws:iam/role:Role":
            state["arn"] = arns.role_arn(ctx, args.inputs.get("path", "/"), name)
            resource_id = name
        elif args.typ == "aws:iam/user:User":
            state["arn"] = arns.user_arn(ctx, args.inputs.get("path", "/"), name)
            resource_id = name
        elif args.typ == "aws:iam/policy:Policy":
            state["arn"] = arns.policy_arn(ctx, args.inputs.get("path", "/"), name)
            resource_id = state["arn"]
        elif args.typ == "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
            host = args.inputs["url"].removeprefix("https://")
            state["arn"] = resource_id = arns.format_arn(ctx, "iam", "oidc-provider", OidcProviderName=host)
        elif args.typ == "aws:s3/bucket:Bucket":
            bucket = args.inputs.get("bucket") or args.inputs.get("bucketPrefix", "bucket-") + fake_value("bucket", args.name, 12)
            state["bucket"] = resource_id = bucket
            state["arn"] = arns.bucket_arn(ctx, bucket)
        elif args.typ == "aws:kms/key:Key":
            state["keyId"] = resource_id = str(uuid.UUID(fake_value("kms", args.name, 32)))
            state["arn"] = arns.kms_key_arn(ctx, state["keyId"])
        elif args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = fake_value("random", args.name, int(args.inputs.get("length", 16)))
        elif args.typ == "aws:iam/accessKey:AccessKey":
            resource_id = "AKIA" + fake_value("akid", args.name, 16).upper()
            state["secret"] = fake_value("secret", args.name, 40)
        return resource_id, state


class RecordingMonitor(MockMonitor):
    """A mock monitor that also records what the engine is told beyond the inputs."""

    def __init__(self, mocks: BaselineMocks) -> None:
        super().__init__(mocks)
        self.baseline_mocks = mocks

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type != "pulumi:pulumi:Stack":
            raw = deserialize_properties(request.object)
            inputs = {k: _unwrap_secret(v) for k, v in raw.items()}
            secret_keys = sorted(k for k, v in raw.items() if is_secret(v))
            self.baseline_mocks.registrations.append(
                Registration(
                    typ=request.type,
                    name=request.name,
                    urn=response.urn,
                    inputs=inputs,
                    secret_inputs=secret_keys,
                    custom=request.custom,
                    protect=bool(request.protect),
                    dependencies=list(request.dependencies),
                    parent=request.parent,
                    provider=request.provider,
                )
            )
        return response
