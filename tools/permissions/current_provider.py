"""Reviewed rows read from the CURRENT terraform-provider-aws code, for popular types newer than the snapshot.

Each row was written by reading the resource's file in hashicorp/terraform-provider-aws (the commit is the one the
file was read at): the AWS SDK calls its Create/Read/Update/Delete make, mapped to IAM actions and checked against
the catalogue by the tests. `generate.py` (through `second_source.fill`) puts them in place of `source: none` rows;
they take precedence over CloudFormation and botocore rows.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SOURCE = "hashicorp/terraform-provider-aws"


def _exclusive(kind: str, entity: str, file: str, commit: str, functions: list[str], ops: tuple[str, str, str]) -> dict[str, Any]:
    """Row of an `aws_iam_<entity>_<kind>_exclusive` resource: Create and Update call syncAttachments (list what is
    attached, add what is missing, remove what is not wanted); Read lists; Delete is a no-op (the entity keeps them)."""
    listing, add, remove = (f"iam:{op}" for op in ops)
    return {
        "terraform": f"aws_iam_{entity}_{kind}_exclusive",
        "file": file,
        "create": sorted({listing, add, remove}),
        "read": [listing],
        "update": sorted({listing, add, remove}),
        "tag": [],
        "untag": [],
        "delete": [],
        "optional": {},
        "passRole": [],
        "replacedOnUpdate": False,
        "provenance": {
            "source": SOURCE,
            "commit": commit,
            "file": file,
            "functions": functions,
            "readWith": "read_file (current provider code; the type is newer than the snapshot)",
        },
    }


_IAM = "internal/service/iam"
# fmt: off
CURRENT_PROVIDER_ROWS: dict[str, dict[str, Any]] = {
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": _exclusive(
        "policy_attachments", "role", f"{_IAM}/role_policy_attachments_exclusive.go", "feaafa423b63f3d3875aa4554aca3d749529b93a",
        ["Create", "Read", "Update", "syncAttachments", "findRolePolicyAttachmentsByName", "role_policy_attachment.go:attachPolicyToRole", "role_policy_attachment.go:detachPolicyFromRole"],
        ("ListAttachedRolePolicies", "AttachRolePolicy", "DetachRolePolicy")),
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": _exclusive(
        "policy_attachments", "group", f"{_IAM}/group_policy_attachments_exclusive.go", "37f3a914e3c4a01d007df02dcdf4ea220cd334bb",
        ["Read", "Update", "syncAttachments", "findGroupPolicyAttachmentsByName", "group_policy_attachment.go:attachPolicyToGroup", "group_policy_attachment.go:detachPolicyFromGroup"],
        ("ListAttachedGroupPolicies", "AttachGroupPolicy", "DetachGroupPolicy")),
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": _exclusive(
        "policy_attachments", "user", f"{_IAM}/user_policy_attachments_exclusive.go", "0ac6a8e1d84d7dc48f49354deca23f694d2a6431",
        ["syncAttachments", "findUserPolicyAttachmentsByName", "user_policy_attachment.go:attachPolicyToUser", "user_policy_attachment.go:detachPolicyFromUser"],
        ("ListAttachedUserPolicies", "AttachUserPolicy", "DetachUserPolicy")),
    "aws:iam/rolePoliciesExclusive:RolePoliciesExclusive": _exclusive(
        "policies", "role", f"{_IAM}/role_policies_exclusive.go", "02568cd96c755798f5e9f9adca199da877b7912e",
        ["Create", "Read", "Update", "syncAttachments", "findRolePoliciesByName"],
        ("ListRolePolicies", "PutRolePolicy", "DeleteRolePolicy")),
    "aws:iam/groupPoliciesExclusive:GroupPoliciesExclusive": _exclusive(
        "policies", "group", f"{_IAM}/group_policies_exclusive.go", "1fe37d4d969a3e8c1ef38743b59eb34b70123ab2",
        ["syncAttachments", "findGroupPoliciesByName"],
        ("ListGroupPolicies", "PutGroupPolicy", "DeleteGroupPolicy")),
    "aws:iam/userPoliciesExclusive:UserPoliciesExclusive": _exclusive(
        "policies", "user", f"{_IAM}/user_policies_exclusive.go", "fa82fcc3578940bf2e2dd1a130c01ecfbda00a36",
        ["syncAttachments", "findUserPoliciesByName"],
        ("ListUserPolicies", "PutUserPolicy", "DeleteUserPolicy")),
}
# fmt: on

# More rows, one JSON file per reviewer's batch (`{token: row}`, the row shaped as above, provenance included).
ROWS_DIR = Path(__file__).resolve().parent / "current_provider"
for _path in sorted(ROWS_DIR.glob("*.json")):
    for _token, _row in json.loads(_path.read_text()).items():
        if _token in CURRENT_PROVIDER_ROWS:
            raise ValueError(f"{_path.name}: {_token} has a row already")
        if ("not in the IAM catalogue" in (_row.get("notes") or "") or _row.get("uncatalogued")) and "reason" not in _row:
            # A row missing the calls the catalogue cannot name yet would tell discover the type needs less than it does:
            # it answers only through `uncatalogued` (the actions the provider calls that the catalogue predates), which
            # discover reports beside what the catalogue can name.
            _row["reason"] = "the IAM catalogue lacks actions this type calls (see notes): the row would be incomplete"
        CURRENT_PROVIDER_ROWS[_token] = _row
