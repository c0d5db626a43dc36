"""What each pulumi-aws resource type and data source calls, per lifecycle step, as IAM actions.

The rows live in `permissions/<area>.yaml`, one file per AWS service area, written from the AWS
provider's own code (`internal/service/<service>/<resource>.go` of terraform-provider-aws, which
pulumi-aws bridges): the calls each resource's create, read, update and delete functions make, the
tagging calls, the calls made only when an input is set, and the inputs that hand a role to AWS. Every
action is checked against the IAM catalogue by the tests. One question per function, named for its answer.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TABLE_DIR = Path(__file__).resolve().parent / "permissions"
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

    def deploys(self, inputs_set: frozenset[str] = frozenset()) -> frozenset[str]:
        """Return what creating, reading, updating and tagging it (and removing tags) calls, given its set inputs."""
        optional = (self.optional[i] for i in self.optional if i in inputs_set)
        return self.create | self.read | self.update | self.tag | self.untag | frozenset().union(*optional)

    def deletes(self, inputs_set: frozenset[str] = frozenset()) -> frozenset[str]:
        """Return what destroying it calls beyond what deploying it does."""
        return self.delete - self.deploys(inputs_set)


@functools.cache
def _table() -> tuple[dict[str, ResourcePermissions], dict[str, frozenset[str]]]:
    resources: dict[str, ResourcePermissions] = {}
    data_sources: dict[str, frozenset[str]] = {}
    for path in sorted(TABLE_DIR.glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(path.read_text()) or {}
        for token, row in (document.get("resources") or {}).items():
            sets = {name: frozenset(row.get(name) or ()) for name in LIFECYCLE_SETS}
            resources[token] = ResourcePermissions(
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
            )
        for token, row in (document.get("data_sources") or {}).items():
            data_sources[token] = frozenset(row.get("read") or ())
    return resources, data_sources


def get_resource_permissions(token: str) -> ResourcePermissions | None:
    """Return a resource type's row (`aws:sqs/queue:Queue`), or None when the table has none."""
    return _table()[0].get(token)


def get_data_source_actions(token: str) -> frozenset[str] | None:
    """Return what a data source (`aws:ec2/getAmi:getAmi`) reads, or None when the table has no row."""
    return _table()[1].get(token)


def get_tabled_resource_types() -> tuple[str, ...]:
    """Return every resource type token the table covers, sorted."""
    return tuple(sorted(_table()[0]))


def get_tabled_data_sources() -> tuple[str, ...]:
    """Return every data source token the table covers, sorted."""
    return tuple(sorted(_table()[1]))
