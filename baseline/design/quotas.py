"""IAM, STS and S3 limits this baseline checks itself against.

Sources: botocore's IAM/STS service models (name and external-ID patterns), the AWS page
"IAM and AWS STS quotas" (sizes, counts, durations) and the S3 page "General purpose bucket
naming rules". Sizes are counted by IAM without whitespace.
"""

from __future__ import annotations

import re

# IAM names (CreateRole/CreateUser RoleName/UserName: 1-64; policy names: 1-128).
NAME_PATTERN = re.compile(r"[\w+=,.@-]+", re.ASCII)
ROLE_NAME_MAX = 64
USER_NAME_MAX = 64
POLICY_NAME_MAX = 128
PATH_MAX = 512

# Policy sizes, counted without whitespace.
MANAGED_POLICY_MAX_CHARS = 6_144
ROLE_INLINE_AGGREGATE_MAX_CHARS = 10_240
USER_INLINE_AGGREGATE_MAX_CHARS = 2_048
GROUP_INLINE_AGGREGATE_MAX_CHARS = 5_120
TRUST_POLICY_MAX_CHARS = 2_048  # default; AWS raises it to 4,096 on request

ROLES_PER_ACCOUNT = 1_000  # default, raisable
# Managed policies attached to one role: 10 by default, raisable on request to at most 20.
MANAGED_POLICIES_PER_ROLE = 10
MANAGED_POLICIES_PER_ROLE_MAX = 20

# Role MaxSessionDuration; AssumeRole's DurationSeconds may ask for less (down to 900).
MAX_SESSION_DURATION_MIN = 3_600
MAX_SESSION_DURATION_MAX = 43_200
ASSUME_ROLE_DURATION_MIN = 900

# sts:ExternalId (AssumeRole ExternalId parameter).
EXTERNAL_ID_PATTERN = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
EXTERNAL_ID_MIN = 2
EXTERNAL_ID_MAX = 1_224

# S3 general purpose bucket names.
BUCKET_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
BUCKET_NAME_FORBIDDEN_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
BUCKET_NAME_FORBIDDEN_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
BUCKET_NAME_IP_LIKE = re.compile(r"[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+")


def bucket_name_problem(name: str) -> str | None:
    """Return why `name` is not a valid S3 bucket name, or None when it is."""
    if not BUCKET_NAME_PATTERN.fullmatch(name):
        return "3-63 characters of lowercase letters, digits, '.' and '-', starting and ending with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "no '..', '.-' or '-.'"
    if BUCKET_NAME_IP_LIKE.fullmatch(name):
        return "not formatted like an IP address"
    if name.startswith(BUCKET_NAME_FORBIDDEN_PREFIXES):
        return f"not starting with {', '.join(BUCKET_NAME_FORBIDDEN_PREFIXES)}"
    if name.endswith(BUCKET_NAME_FORBIDDEN_SUFFIXES):
        return f"not ending with {', '.join(BUCKET_NAME_FORBIDDEN_SUFFIXES)}"
    return None


def iam_name_problem(name: str, max_len: int) -> str | None:
    """Return why `name` is not a valid IAM user/role/policy name, or None when it is."""
    if not 1 <= len(name) <= max_len:
        return f"1-{max_len} characters (got {len(name)})"
    if not NAME_PATTERN.fullmatch(name):
        return r"only letters, digits and + = , . @ _ - (IAM pattern [\w+=,.@-]+)"
    return None


def policy_size(document_json: str) -> int:
    """Return the size IAM counts for a policy: its characters without whitespace."""
    return len("".join(document_json.split()))
