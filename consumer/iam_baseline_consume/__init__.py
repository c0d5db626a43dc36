"""For service programs: deploy as the service's provisioning role, read from its own handoff stack.

Needs only pulumi and pulumi-aws; install it in a service repository with
`pip install "iam-baseline-consume @ git+<baseline repo>@<tag>#subdirectory=consumer"`.
"""

from iam_baseline_consume.consume import (
    HANDOFF_STACK_ENV,
    ServiceNotInBaseline,
    assume_role_args,
    check_handoff,
    created_role_settings,
    handoff_reference,
    iam_placement,
    provider_for,
    resolve_handoff_stack,
    select_role,
)

__version__ = "0.2.0"

__all__ = [
    "HANDOFF_STACK_ENV",
    "ServiceNotInBaseline",
    "assume_role_args",
    "check_handoff",
    "created_role_settings",
    "handoff_reference",
    "iam_placement",
    "provider_for",
    "resolve_handoff_stack",
    "select_role",
]
