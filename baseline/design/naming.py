"""Every name and path the baseline makes: IAM names and paths, the bucket and its key alias, and the
Pulumi state keys and stacks. One module, so a name is decided once and derived everywhere else."""

from __future__ import annotations

import re

BASELINE_PROJECT = "iam-baseline"  # Pulumi.yaml's name: the baseline's own stacks in the state bucket
PULUMI_BACKEND_PREFIX = ".pulumi/"  # the DIY backend's key prefix (pulumi/pulumi pkg/backend/diy)
SERVICE_ROLE_INFIX = "-svc-"
STATE_ROLE_INFIX = "-state-"
PREVIEW_ROLE_INFIX = "-preview-"
# A DIY checkpoint's key endings after `<stack>.json`'s stem: plain, gzipped, and their backups.
CHECKPOINT_ENDINGS = ("", ".bak", ".gz", ".gz.bak")
# Pulumi project (and DIY stack) names: letters, digits, '-', '_', '.'.
PROJECT_NAME_PATTERN = re.compile(r"[A-Za-z0-9_.-]{1,100}")
# KMS alias names: `alias/` then letters, digits, '/', '_' and '-' (a bucket name may also hold dots).
_NOT_IN_ALIAS = re.compile(r"[^A-Za-z0-9/_-]")


def iam_path(prefix: str) -> str:
    """Return the IAM path of everything the baseline creates: `/<prefix>/`."""
    return f"/{prefix}/"


def service_iam_path(prefix: str, service: str) -> str:
    """Return the IAM path a service that manages IAM must keep what it creates in."""
    return f"/{prefix}-services/{service}/"


def service_role_name(prefix: str, service: str) -> str:
    """Return the provisioning role name of a service."""
    return f"{prefix}{SERVICE_ROLE_INFIX}{service}"


def component_unit_name(service: str, component: str) -> str:
    """Return the name a component's role, IAM path and boundary are derived from: `<service>-<component>`."""
    return f"{service}-{component}"


def preview_role_name(prefix: str, unit: str) -> str:
    """Return the read-only role `pulumi preview` runs as on pull requests (previewRoles): `<prefix>-preview-<unit>`,
    the unit being a service or `<service>-<component>`."""
    return f"{prefix}{PREVIEW_ROLE_INFIX}{unit}"


def service_state_role_name(prefix: str, service: str) -> str:
    """Return a service's own state role name (stateIsolation per-service)."""
    return f"{prefix}{STATE_ROLE_INFIX}{service}"


def shared_state_role_name(prefix: str) -> str:
    """Return the one state role's name (stateIsolation shared)."""
    return f"{prefix}-state"


def service_boundary_name(prefix: str, service: str) -> str:
    """Return the managed policy every principal a service creates must carry."""
    return f"{prefix}-boundary-{service}"


def grant_policy_name(role_name: str, index: int) -> str:
    """Return the name of the managed policy holding part `index` (from 1) of a role's grant: `<role>-grant-<index>`
    (at most 73 characters, as a role name has at most 64; distinct for distinct roles, as the index is digits only)."""
    return f"{role_name}-grant-{index}"


def ci_user_name(prefix: str) -> str:
    """Return the CI user's default name."""
    return f"{prefix}-ci"


def ci_group_name(prefix: str) -> str:
    """Return the CI group's name (the user gets its one permission through it)."""
    return f"{prefix}-ci"


def ci_boundary_policy_name(prefix: str) -> str:
    """Return the CI user's permissions boundary name."""
    return f"{prefix}-ci-boundary"


def default_bucket_name(prefix: str, account_id: str, region: str) -> str:
    """Return the state bucket's default name, unique per prefix, account and region."""
    return f"{prefix.lower()}-state-{account_id}-{region}"


def kms_alias_name(bucket_name: str) -> str:
    """Return the state key's alias, derived from the bucket name so that KMS always accepts it."""
    return "alias/" + _NOT_IN_ALIAS.sub("-", bucket_name)


def handoff_project(baseline_project: str) -> str:
    """Return the Pulumi project that holds the services' handoff stacks (one small stack per service)."""
    return f"{baseline_project}-handoff"


def handoff_stack_name(baseline_project: str, baseline_stack: str, service_project: str) -> str:
    """Return the fully qualified DIY stack that holds one service's values from one baseline stack."""
    return f"organization/{handoff_project(baseline_project)}/{baseline_stack}.{service_project}"


def stack_key_prefix(qualified_stack: str) -> str:
    """Return the state-bucket key of a DIY stack's checkpoint, without its ending (`.json`, `.json.gz`, `.bak`)."""
    project, _, stack = qualified_stack.removeprefix("organization/").partition("/")
    return f"{PULUMI_BACKEND_PREFIX}stacks/{project}/{stack}.json"


def project_stacks_prefix(project: str) -> str:
    """Return the DIY backend's key prefix of one Pulumi project's stack checkpoints (and their tags files)."""
    return f"{PULUMI_BACKEND_PREFIX}stacks/{project}/"


def project_key_prefixes(project: str) -> tuple[str, ...]:
    """Return the DIY backend's key prefixes of one Pulumi project: stacks, history, backups, locks."""
    areas = tuple(f"{PULUMI_BACKEND_PREFIX}{area}/{project}/" for area in ("stacks", "history", "backups"))
    return (*areas, f"{PULUMI_BACKEND_PREFIX}locks/organization/{project}/")
