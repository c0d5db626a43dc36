"""Pulumi mocks that stand in for AWS offline: fake account facts, derived ARNs, and a record of
every registration (inputs, protect flag, dependencies) for the plan command and the tests."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
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


class UnknownInvoke(NotImplementedError):
    """The program called a data source that has no offline stand-in."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token

    def __str__(self) -> str:
        known = ", ".join(sorted(OFFLINE_ANSWERS))
        return f"data source {self.token}, which has no offline stand-in (these have: {known})"


def _arn(ctx: AccountContext, service: str, resource: str, region: bool = True) -> str:
    return f"arn:{ctx.partition}:{service}:{ctx.region if region else ''}:{ctx.account_id}:{resource}"


def _policy_document(ctx: AccountContext, args: dict[str, Any]) -> dict[str, Any]:
    """Return get_policy_document's answer: its statements rendered as IAM JSON, keys as IAM spells them."""
    statements = []
    for stmt in args.get("statements") or []:
        out: dict[str, Any] = {"Effect": stmt.get("effect", "Allow")}
        for key, iam_key in (
            ("sid", "Sid"),
            ("actions", "Action"),
            ("notActions", "NotAction"),
            ("resources", "Resource"),
            ("notResources", "NotResource"),
        ):
            if stmt.get(key):
                out[iam_key] = stmt[key]
        for key, iam_key in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if stmt.get(key):
                out[iam_key] = {p["type"]: p["identifiers"] for p in stmt[key]}
        for condition in stmt.get("conditions") or []:
            out.setdefault("Condition", {}).setdefault(condition["test"], {})[condition["variable"]] = condition["values"]
        statements.append(out)
    document = json.dumps({"Version": args.get("version", "2012-10-17"), "Statement": statements}, indent=2)
    return {
        "json": document,
        "minifiedJson": json.dumps(json.loads(document), separators=(",", ":")),
        "id": fake_value("doc", document, 10),
    }


# Stand-ins for the data sources service programs commonly call; the values are shaped like AWS's.
OFFLINE_ANSWERS: dict[str, Callable[[AccountContext, dict[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda ctx, _: {
        "accountId": ctx.account_id, "arn": f"arn:{ctx.partition}:iam::{ctx.account_id}:user/admin", "userId": "AIDAOFFLINE", "id": ctx.account_id,
    },
    "aws:index/getRegion:getRegion": lambda ctx, _: {
        "region": ctx.region, "name": ctx.region, "id": ctx.region, "endpoint": f"ec2.{ctx.region}.{ctx.dns_suffix}", "description": ctx.region,
    },
    "aws:index/getPartition:getPartition": lambda ctx, _: {
        "partition": ctx.partition, "dnsSuffix": ctx.dns_suffix, "id": ctx.partition, "reverseDnsPrefix": "com.amazonaws",
    },
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda ctx, _: {
        "names": [f"{ctx.region}{z}" for z in "abc"], "zoneIds": [f"offline-az{n}" for n in (1, 2, 3)], "id": ctx.region, "groupNames": [ctx.region],
    },
    "aws:index/getServicePrincipal:getServicePrincipal": lambda ctx, a: {
        "name": f"{a.get('serviceName', 'service')}.{ctx.dns_suffix}", "id": a.get("serviceName", "service"), "suffix": ctx.dns_suffix, "region": ctx.region,
    },
    "aws:ec2/getVpc:getVpc": lambda ctx, a: {
        "id": "vpc-0offline", "arn": _arn(ctx, "ec2", "vpc/vpc-0offline"), "cidrBlock": "10.0.0.0/16", "default": bool(a.get("default", True)),
        "mainRouteTableId": "rtb-0offline", "ownerId": ctx.account_id, "state": "available", "tags": {},
    },
    "aws:ec2/getSubnets:getSubnets": lambda ctx, _: {"ids": ["subnet-0offline1", "subnet-0offline2"], "id": ctx.region},
    "aws:ec2/getSubnet:getSubnet": lambda ctx, a: {
        "id": a.get("id") or "subnet-0offline1", "arn": _arn(ctx, "ec2", "subnet/subnet-0offline1"), "vpcId": "vpc-0offline",
        "availabilityZone": f"{ctx.region}a", "cidrBlock": "10.0.1.0/24", "tags": {},
    },
    "aws:ec2/getAmi:getAmi": lambda ctx, _: {
        "id": "ami-0offline", "imageId": "ami-0offline", "arn": _arn(ctx, "ec2", "image/ami-0offline", region=True), "architecture": "x86_64",
        "name": "offline-stand-in", "rootDeviceName": "/dev/xvda", "ownerId": "137112412989",
    },
    "aws:ec2/getSecurityGroup:getSecurityGroup": lambda ctx, a: {
        "id": a.get("id") or "sg-0offline", "arn": _arn(ctx, "ec2", "security-group/sg-0offline"), "vpcId": "vpc-0offline",
        "name": a.get("name") or "default", "description": "offline stand-in", "tags": {},
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:route53/getZone:getZone": lambda ctx, a: {
        "id": "Z0OFFLINE", "zoneId": "Z0OFFLINE", "name": a.get("name") or "example.com", "arn": f"arn:{ctx.partition}:route53:::hostedzone/Z0OFFLINE",
        "nameServers": ["ns-1.awsdns-01.org"], "privateZone": bool(a.get("privateZone", False)),
    },
    "aws:acm/getCertificate:getCertificate": lambda ctx, a: {
        "id": "offline", "arn": _arn(ctx, "acm", "certificate/00000000-0000-0000-0000-000000000000"), "domain": a.get("domain") or "example.com",
        "status": "ISSUED",
    },
}  # fmt: skip


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
        self.invokes: list[str] = []  # the data sources the program called, in order

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:  # a dict; the base class's tuple form is optional
        self.invokes.append(args.token)
        answer = OFFLINE_ANSWERS.get(args.token)
        if answer is None:
            raise UnknownInvoke(args.token)
        return answer(self.ctx, dict(args.args))

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
        elif args.typ == "aws:acm/certificate:Certificate":
            # What ACM answers for DNS validation, so the usual `cert.domain_validation_options[0]` idiom runs.
            domains = [args.inputs.get("domainName", "example.com"), *args.inputs.get("subjectAlternativeNames", [])]
            state["domainValidationOptions"] = [
                {"domainName": d, "resourceRecordName": f"_{fake_value('acm', d, 32)}.{d}.", "resourceRecordType": "CNAME",
                 "resourceRecordValue": f"_{fake_value('acm-value', d, 32)}.acm-validations.aws."}
                for d in domains
            ]  # fmt: skip
        elif args.typ == "aws:kms/key:Key":
            state["keyId"] = resource_id = str(uuid.UUID(fake_value("kms", args.name, 32)))
            state["arn"] = arns.kms_key_arn(ctx, state["keyId"])
        elif args.typ == "random:index/randomPassword:RandomPassword":
            state["result"] = fake_value("random", args.name, int(args.inputs.get("length", 16)))
        elif args.typ == "aws:iam/accessKey:AccessKey":
            resource_id = "AKIA" + fake_value("akid", args.name, 16).upper()
            state["secret"] = fake_value("secret", args.name, 40)
        if args.custom and args.typ.startswith("aws:") and "name" not in state:
            # What Pulumi's auto-naming would give, so inputs built from it (an instance profile's name) are known.
            state["name"] = f"{args.name}-{fake_value('name', args.name, 7)}"
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
