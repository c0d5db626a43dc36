"""What each pulumi-aws resource type and data source calls, per lifecycle step, as IAM actions.

The rows live in `permissions/<area>.yaml`, one file per AWS service area, written from the AWS
provider's own code (`internal/service/<service>/<resource>.go` of terraform-provider-aws, which
pulumi-aws bridges): the calls each resource's create, read, update and delete functions make, the
tagging calls, the calls made only when an input is set, and the inputs that hand a role to AWS. Every
action is checked against the IAM catalogue by the tests.

Every other resource type and function of pulumi-aws has a generated row in `permissions/generated.json`
(`tools/permissions/generate.py`, from the same provider code): hand rows take precedence; a generated
row says `proved = False` and carries its provenance. Rows the generator could not ground (no Terraform
counterpart in the provider snapshot, calls it could not resolve) are never answered here; the coverage
report (`baseline.aws.coverage`) lists them. A row whose calls include actions the pinned IAM catalogue does
not know yet (a service newer than it) answers only through `get_uncatalogued`, so no caller mistakes it
for a complete grant. The generated file is read lazily, on the first lookup a hand
row does not answer. One question per function, named for its answer.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TABLE_DIR = Path(__file__).resolve().parent / "permissions"
GENERATED_TABLE = TABLE_DIR / "generated.json"
LIFECYCLE_SETS = ("create", "read", "update", "tag", "untag", "delete")


@dataclass(frozen=True)
class ResourcePermissions:
    """The IAM actions one resource type's lifecycle calls."""

    token: str
    create: frozenset[str]
    read: frozenset[str]
    update: frozenset[str]
    tag: frozenset[str]
    untag: frozenset[str]
    delete: frozenset[str]
    optional: dict[str, frozenset[str]]  # Pulumi input name -> calls made only when it is set
    pass_role_inputs: tuple[str, ...]  # inputs that hand an IAM role to AWS (iam:PassRole)
    replaced_on_update: bool  # ordinary updates replace it, so they need its delete
    proved: bool = True  # hand-written and reviewed; False: generated from the provider's code, not yet proved
    provenance: Mapping[str, Any] = field(default_factory=dict)  # where the row comes from (source, commit, file, functions)
    no_aws_call: bool = False  # its lifecycle makes no AWS call at all (generated rows decide this from the code)
    no_iam_action: str = ""  # why no IAM action authorises its calls (a bearer-token service), when that is so

    def deploys(self, inputs_set: frozenset[str] = frozenset(), tagged: bool = True) -> frozenset[str]:
        """Return what creating, reading, updating and tagging it (and removing tags) calls, given its set inputs; an
        untagged resource (`tagged` False) is never tagged or untagged, though its reads still list its tags."""
        optional = (self.optional[i] for i in self.optional if i in inputs_set)
        tagging = self.tag | self.untag if tagged else frozenset()
        return self.create | self.read | self.update | tagging | frozenset().union(*optional)

    def deletes(self, inputs_set: frozenset[str] = frozenset()) -> frozenset[str]:
        """Return what destroying it calls beyond what deploying it does."""
        return self.delete - self.deploys(inputs_set)


@dataclass(frozen=True)
class DataSourcePermissions:
    """The IAM actions one data source (a pulumi-aws function) calls."""

    token: str
    read: frozenset[str]
    proved: bool = True
    provenance: Mapping[str, Any] = field(default_factory=dict)
    no_aws_call: bool = False
    no_iam_action: str = ""  # why no IAM action authorises its calls (a bearer-token service), when that is so


def _resource_row(token: str, row: Mapping[str, Any], proved: bool, provenance: Mapping[str, Any]) -> ResourcePermissions:
    sets = {name: frozenset(row.get(name) or ()) for name in LIFECYCLE_SETS}
    return ResourcePermissions(
        token,
        create=sets["create"],
        read=sets["read"],
        update=sets["update"],
        tag=sets["tag"],
        untag=sets["untag"],
        delete=sets["delete"],
        optional={key: frozenset(actions) for key, actions in (row.get("optional") or {}).items()},
        pass_role_inputs=tuple(row.get("passRole") or ()),
        replaced_on_update=bool(row.get("replacedOnUpdate")),
        proved=proved,
        provenance=provenance,
        no_aws_call=bool(row.get("noAwsCall")),
        no_iam_action=str(row.get("noIamAction") or ""),
    )


@functools.cache
def _table() -> tuple[dict[str, ResourcePermissions], dict[str, DataSourcePermissions]]:
    resources: dict[str, ResourcePermissions] = {}
    data_sources: dict[str, DataSourcePermissions] = {}
    for path in sorted(TABLE_DIR.glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        for token, row in (document.get("resources") or {}).items():
            provenance = {
                "source": "hand",
                "file": f"permissions/{path.name}",
                "terraform": row.get("terraform"),
                "providerFile": row.get("file"),
            }
            resources[token] = _resource_row(token, row, True, provenance)
        for token, row in (document.get("data_sources") or {}).items():
            provenance = {"source": "hand", "file": f"permissions/{path.name}"}
            data_sources[token] = DataSourcePermissions(token, frozenset(row.get("read") or ()), True, provenance)
    return resources, data_sources


@functools.cache
def get_generated_table() -> Mapping[str, Any]:
    """Return the generated table as stored (`resources` and `functions`: token -> row); empty without the file."""
    if not GENERATED_TABLE.is_file():
        return {"generator": {}, "resources": {}, "functions": {}}
    document: dict[str, Any] = json.loads(GENERATED_TABLE.read_text())
    return document


def is_grounded(row: Mapping[str, Any]) -> bool:
    """Return whether a generated row states facts: it has a Terraform counterpart and its calls were resolved
    (or it provably makes none). A row without (`source: none`, or a `reason` without `noAwsCall`) answers nothing."""
    if row.get("provenance", {}).get("source") == "none":
        return False
    return bool(row.get("noAwsCall")) or not row.get("reason")


def get_unanswered_reason(token: str) -> str:
    """Return why a type's or function's generated row answers nothing (its `reason`), or "" when it answers."""
    table = get_generated_table()
    row = table["resources"].get(token) or table["functions"].get(token) or {}
    return "" if is_grounded(row) else str(row.get("reason") or "")


@functools.cache
def _generated_resource(token: str) -> ResourcePermissions | None:
    row = get_generated_table()["resources"].get(token)
    if row is None or not is_grounded(row):
        return None
    return _resource_row(token, row, bool(row.get("proved")), row.get("provenance") or {})


@functools.cache
def _generated_data_source(token: str) -> DataSourcePermissions | None:
    row = get_generated_table()["functions"].get(token)
    if row is None or not is_grounded(row):
        return None
    return DataSourcePermissions(
        token,
        frozenset(row.get("read") or ()),
        bool(row.get("proved")),
        row.get("provenance") or {},
        bool(row.get("noAwsCall")),
        str(row.get("noIamAction") or ""),
    )


@dataclass(frozen=True)
class Uncatalogued:
    """A generated row the IAM catalogue cannot complete: the actions it can name (`known`, never a complete grant)
    and the ones the provider calls that the pinned catalogue predates (`actions`), read from the provider's code."""

    token: str
    known: ResourcePermissions | DataSourcePermissions
    actions: tuple[str, ...]


@functools.cache
def get_uncatalogued(token: str) -> Uncatalogued | None:
    """Return a type's or function's row when the provider calls actions the catalogue does not know yet, else None.
    Such a row answers nothing through `get_resource_permissions`: its grant would be incomplete."""
    kind = "resources" if token.rsplit(":", 1)[-1][:1].isupper() else "functions"
    row = get_generated_table()[kind].get(token)
    if row is None or not row.get("uncatalogued"):
        return None
    provenance = row.get("provenance") or {}
    if kind == "resources":
        known: ResourcePermissions | DataSourcePermissions = _resource_row(token, row, False, provenance)
    else:
        known = DataSourcePermissions(token, frozenset(row.get("read") or ()), False, provenance)
    return Uncatalogued(token, known, tuple(sorted(row["uncatalogued"])))


def get_resource_permissions(token: str) -> ResourcePermissions | None:
    """Return a resource type's row (`aws:sqs/queue:Queue`): the hand row, else the generated one (`proved` False),
    or None when neither states facts."""
    return _table()[0].get(token) or _generated_resource(token)


def get_data_source_permissions(token: str) -> DataSourcePermissions | None:
    """Return a data source's row (`aws:ec2/getAmi:getAmi`): the hand row, else the generated one, or None."""
    return _table()[1].get(token) or _generated_data_source(token)


def get_data_source_actions(token: str) -> frozenset[str] | None:
    """Return what a data source (`aws:ec2/getAmi:getAmi`) reads, or None when the table has no row."""
    row = get_data_source_permissions(token)
    return None if row is None else row.read


def get_tabled_resource_types() -> tuple[str, ...]:
    """Return every resource type token the hand-written table covers, sorted (generated rows: `get_generated_table`)."""
    return tuple(sorted(_table()[0]))


def get_tabled_data_sources() -> tuple[str, ...]:
    """Return every data source token the hand-written table covers, sorted."""
    return tuple(sorted(_table()[1]))
