"""Mocks that answer every output a resource type declares, and every field a data source returns, with
a plausible value, so that real programs computing with them (`api.execution_arn.apply(lambda a: a + "*/*")`,
`cluster.certificate_authority.data`, `"/".join(...)` over ARNs) run offline.

What a type declares is read from the installed provider's Python classes (a resource class's
`@pulumi.getter` properties returning `pulumi.Output[...]`, a data source's `Get...Result` class, and the
nested output types they name), once per type. Values follow the field's name and type: ARNs in the
catalogue's format for the resource type where it has one, IDs, names, URLs, hostnames, zone IDs,
base64 data, numbers, booleans, enum members, one-element lists, nested objects, and a map's keys where the
provider's docs show them; assets and archives (uploaded code) stay unset. Inputs pass through, scalars in the
declared type (`"true"` for a bool is True, as the provider reads it).
Every value is a hash of the type, the resource's name and the field: the same program gets the same values.
"""

from __future__ import annotations

import base64
import collections.abc
import enum
import functools
import importlib
import keyword
import re
import types
import typing
from typing import Any

import pulumi

from baseline.aws.arns import AccountContext, format_arn
from baseline.aws.catalog import get_actions_for_service, get_arn_template, get_resource_types, split_camel_words
from baseline.discover.proposal import iam_prefix
from baseline.offline.fake_aws import BaselineMocks, UnknownInvoke, fake_value
from baseline.offline.pulumi_private import pulumi_property_name

# A field's shape: ("str",), ("int",), ("float",), ("bool",), ("any",), ("list", shape), ("map", shape[, keys]),
# ("enum", a member's value), ("asset",) (an asset or archive: left None), ("object", ((pulumi_name, shape), ...)).
Shape = tuple[Any, ...]
Fields = tuple[tuple[str, Shape], ...]
_ANY: Shape = ("any",)
_MAX_DEPTH = 6  # nested output types deeper than this (or recursive ones) get an empty object
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")
_DOC_KEY = re.compile(r"`\w+\[\"([^\"`]+)\"\]")  # a map's key in a getter's docstring: `uris["GRAPHQL"] = ...`
_SKIPPED = ("pulumi:", "aws:index/provider:")
_ID_PREFIXES = {"group": "sg", "image": "ami", "instance": "i", "volume": "vol", "snapshot": "snap", "table": "rtb", "gateway": "igw"}


def python_module(token: str) -> Any | None:
    """Return the Python module of a provider type token (`aws:sqs/queue:Queue` -> pulumi_aws.sqs), or None."""
    package, middle, _ = token.split(":", 2)
    module = middle.split("/", 1)[0]
    if module != "index":
        package = f"{package}.{module}_" if keyword.iskeyword(module) else f"{package}.{module}"
    try:
        return importlib.import_module(f"pulumi_{package}")
    except ImportError:
        return None


def _shape(annotation: Any, namespace: dict[str, Any], depth: int) -> Shape:
    """Return the shape of a type hint as pulumi-aws writes them (`pulumi.Output[Optional['outputs.X']]`)."""
    if isinstance(annotation, typing.ForwardRef | str):
        text = annotation.__forward_arg__ if isinstance(annotation, typing.ForwardRef) else annotation
        try:
            annotation = eval(text, namespace)  # a name from the provider's own module, e.g. 'outputs.ClusterCertificateAuthority'
        except Exception:  # an unresolvable hint is just an unknown shape
            return _ANY
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is pulumi.Output:
        return _shape(args[0], namespace, depth)
    if origin is typing.Union or origin is types.UnionType:
        kinds = [a for a in args if a is not type(None)]
        return _shape(kinds[0], namespace, depth) if kinds else _ANY
    if origin in (list, tuple, collections.abc.Sequence):
        return ("list", _shape(args[0], namespace, depth) if args else _ANY)
    if origin in (dict, collections.abc.Mapping):
        return ("map", _shape(args[1], namespace, depth) if len(args) == 2 else _ANY)
    simple = {bool: ("bool",), int: ("int",), float: ("float",), str: ("str",)}
    if isinstance(annotation, type) and annotation in simple:
        return simple[annotation]
    if isinstance(annotation, type) and issubclass(annotation, pulumi.Asset | pulumi.Archive):
        return ("asset",)  # code a program uploads: nothing it computes with, and no plausible stand-in
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):  # `Metric`: one of its members' values
        members = list(annotation)
        return ("enum", members[0].value) if members else _ANY
    if isinstance(annotation, type):
        return ("object", _class_fields(annotation, depth + 1)) if depth < _MAX_DEPTH else ("object", ())
    return _ANY


@functools.cache
def _class_fields(cls: type, depth: int = 0) -> Fields:
    """Return every `@pulumi.getter` property a provider class declares, by Pulumi name, with its shape."""
    namespace = vars(importlib.import_module(cls.__module__))
    fields = []
    for attribute in vars(cls).values():
        getter = attribute.fget if isinstance(attribute, property) else None
        name = pulumi_property_name(getter) if getter is not None else None
        if name is None or name in ("id", "urn"):
            continue
        shape = _shape(getter.__annotations__.get("return"), namespace, depth)
        if shape[0] == "map":  # the keys the provider's docs show it answering (`uris["GRAPHQL"]`), which programs index
            shape = (*shape, tuple(dict.fromkeys(_DOC_KEY.findall(getter.__doc__ or ""))))
        fields.append((name, shape))
    return tuple(fields)


@functools.cache
def resource_fields(token: str) -> Fields | None:
    """Return the outputs a resource type declares (`aws:eks/cluster:Cluster`), or None for an unknown type."""
    module = python_module(token) if token.count(":") == 2 and not token.startswith(_SKIPPED) else None
    cls = getattr(module, token.rsplit(":", 1)[1], None) if module else None
    return _class_fields(cls) if isinstance(cls, type) and issubclass(cls, pulumi.CustomResource) else None  # type: ignore[arg-type]


@functools.cache
def invoke_fields(token: str) -> Fields | None:
    """Return the fields a data source returns (`aws:ec2/getAmi:getAmi` -> GetAmiResult), or None for an unknown one."""
    module = python_module(token) if token.count(":") == 2 and not token.startswith("pulumi:") else None
    function = token.rsplit(":", 1)[1]
    cls = getattr(module, function[:1].upper() + function[1:] + "Result", None) if module else None
    return _class_fields(cls) if isinstance(cls, type) else None


@functools.cache
def _arn_template(token: str) -> tuple[str, str] | None:
    """Return the IAM prefix and catalogue resource type whose ARN format a resource type has, if one matches."""
    prefix = iam_prefix(token)
    if prefix is None:
        return None
    wanted = token.rsplit(":", 1)[1].lower()
    names = {t for action in get_actions_for_service(prefix) for t in get_resource_types(action)}
    matches = sorted(t for t in names if re.sub(r"[^a-z0-9]", "", t.lower()) == wanted)
    return (prefix, matches[0]) if matches else None


def _words(field: str) -> list[str]:
    """Return a field name's words, lower case and singular (`publicAccessCidrs` -> public, access, cidr)."""
    words = [w.lower() for w in split_camel_words(field)] or [field.lower()]
    return [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words]


def _conform(value: Any, shape: Shape) -> Any:
    """Return a scalar in the scalar type a field declares (None when it cannot be read as one), and a lone
    scalar where a list is declared as a one-element list; anything else unchanged."""
    kind = shape[0]
    if kind == "list" and isinstance(value, str | int | float | bool):
        return [_conform(value, shape[1])]
    if kind not in ("str", "bool", "int", "float") or not isinstance(value, str | int | float | bool):
        return value
    if kind == "str":
        return str(value).lower() if isinstance(value, bool) else str(value)
    if kind == "bool":
        return value.strip().lower() in ("true", "1") if isinstance(value, str) else bool(value)
    try:
        number = float(value)
    except ValueError:
        return None
    return float(number) if kind == "float" else int(number) if number.is_integer() else None


class Plausible:
    """Plausible values for one resource (or one data source call): its account, type, name and ID."""

    def __init__(self, ctx: AccountContext, token: str, name: str, resource_id: str) -> None:
        self.ctx, self.token, self.name, self.resource_id = ctx, token, name, resource_id
        self.service = iam_prefix(token) or token.split(":")[1].split("/")[0].lower()

    def fill(self, fields: Fields, known: dict[str, Any]) -> dict[str, Any]:
        """Return `known` with every declared field it lacks (or holds as None) given a plausible value, and
        the scalars it holds in the declared type, as the provider converts them (`most_recent="true"`)."""
        filled = dict(known)
        for name, shape in fields:
            if filled.get(name) is not None:
                filled[name] = _conform(filled[name], shape)
            if filled.get(name) is None:
                filled[name] = self.value(name, shape, 0)
        return filled

    def value(self, field: str, shape: Shape, depth: int) -> Any:
        kind = shape[0]
        if kind == "list":
            return [self.value(field, shape[1], depth + 1)]
        if kind == "map":
            return {key: self.value(field, shape[1], depth + 1) for key in (shape[2] if len(shape) > 2 else ())}
        if kind == "object":
            return {name: self.value(name, inner, depth + 1) for name, inner in shape[1]}
        if kind == "asset":
            return None
        if kind == "enum":
            return shape[1]
        if kind == "bool":
            return False
        if kind in ("int", "float"):
            number = 443 if "port" in field.lower() else 1
            return number if kind == "int" else float(number)
        return self.string(field, top=depth == 0)

    def _hash(self, field: str, length: int) -> str:
        return fake_value(f"{self.token}:{field}", self.name, length)

    def _host(self, field: str) -> str:
        return f"{self.name.lower()}-{self._hash(field, 8)}.{self.service}.{self.ctx.region}.{self.ctx.dns_suffix}"

    def arn(self) -> str:
        """Return the resource's ARN: the catalogue's format for its type where it has one, else a well-formed stand-in."""
        found = _arn_template(self.token)
        if found:
            prefix, resource_type = found
            keys = set(_PLACEHOLDER.findall(get_arn_template(prefix, resource_type))) - {"Partition", "Region", "Account"}
            return format_arn(self.ctx, prefix, resource_type, **{k: self.resource_id if k.endswith("Id") else self.name for k in keys})
        kind = "-".join(_words(self.token.rsplit(":", 1)[1]))
        return f"arn:{self.ctx.partition}:{self.service}:{self.ctx.region}:{self.ctx.account_id}:{kind}/{self.name}"

    def string(self, field: str, top: bool) -> str:
        words, ctx = _words(field), self.ctx
        last = words[-1]
        if field == "arn" and top:
            return self.arn()
        if field == "executionArn":  # API Gateway: what `aws:lambda/permission` source ARNs are built from
            return f"arn:{ctx.partition}:execute-api:{ctx.region}:{ctx.account_id}:{self.resource_id}"
        if last == "arn":
            kind = "-".join(words[:-1]) or "resource"
            if kind == "role":
                return f"arn:{ctx.partition}:iam::{ctx.account_id}:role/{self.name}-{self._hash(field, 6)}"
            return f"arn:{ctx.partition}:{self.service}:{ctx.region}:{ctx.account_id}:{kind}/{self.name}-{self._hash(field, 6)}"
        if field == "id":
            return self.resource_id
        if field == "name" and top:
            return self.name
        if last in ("url", "uri") or (field == "endpoint" and self.service == "eks"):
            return f"https://{self._host(field)}/"
        if words[-2:] == ["zone", "id"]:
            return "Z" + self._hash(field, 13).upper()
        if last in ("endpoint", "hostname", "host", "domain") or words[-2:] in (["dns", "name"], ["domain", "name"], ["host", "name"]):
            return self._host(field)
        if last == "id":
            kind = _ID_PREFIXES.get(words[-2], words[-2]) if len(words) > 1 else "id"
            return f"{kind}-{self._hash(field, 17)}"
        if last in ("data", "certificate", "pem", "body") or "base64" in words:
            return base64.b64encode(f"offline {self.token} {self.name} {field}".encode()).decode()
        if last in ("policy", "json", "document"):
            return '{"Version":"2012-10-17","Statement":[]}'
        if "cidr" in words:
            return "2001:db8::/56" if "ipv6" in words else "10.0.0.0/16"
        if last in ("ip", "address") or "ip" in words:
            return "10.0.0.10"
        if last in ("date", "time", "timestamp") or field.endswith("At"):
            return "2024-01-01T00:00:00Z"
        if last == "region":
            return ctx.region
        if last in ("account", "owner") or words[-2:] == ["account", "id"]:
            return ctx.account_id
        if last == "version":
            return "1"
        if last == "name":
            return f"{self.name}-{'-'.join(words[:-1])}"
        return f"{self.name}-{'-'.join(words)}"


class PlausibleMocks(BaselineMocks):
    """The baseline's mocks (its stand-ins come first), answering every other declared output and data source field."""

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:
        given = dict(args.args)
        try:
            answer = super().call(args)
        except UnknownInvoke:
            answer = None
        fields = invoke_fields(args.token)
        if fields is None:
            if answer is None:
                raise UnknownInvoke(args.token) from None
            return answer
        function = args.token.rsplit(":", 1)[1]
        name = str(given.get("name") or function.removeprefix("get").lower())
        known = {**{k: v for k, v in given.items() if v is not None}, **(answer or {})}
        return Plausible(self.ctx, args.token, name, str(given.get("id") or f"{name}-id")).fill(fields, known)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        # `Resource.get(name, id)`: the mock monitor's read passes the ID and no `custom`. Like a data source, it
        # reads what exists, so it is listed with the data sources, and its outputs are answered too.
        read = args.custom is None and bool(args.resource_id) and not args.typ.startswith(_SKIPPED)  # not a StackReference
        if read:
            self.invokes.append(args.typ)
        resource_id, state = super().new_resource(args)
        fields = resource_fields(args.typ) if args.custom or read else None
        if fields is None:
            return resource_id, state
        resource_id = str(args.resource_id) if read else resource_id or f"{args.name}-id"
        state.setdefault("tagsAll", state.get("tags") or {})
        if args.typ == "aws:apigateway/stage:Stage" and isinstance(state.get("restApi"), str):  # what a stage's clients are built from
            api, stage = state["restApi"], state.get("stageName", "stage")
            state["executionArn"] = f"arn:{self.ctx.partition}:execute-api:{self.ctx.region}:{self.ctx.account_id}:{api}/{stage}"
            state["invokeUrl"] = f"https://{api}.execute-api.{self.ctx.region}.{self.ctx.dns_suffix}/{stage}"
        return resource_id, Plausible(self.ctx, args.typ, str(state.get("name") or args.name), resource_id).fill(fields, state)
