"""For service programs: an AWS provider that deploys as the service's provisioning role.

    from iam_baseline_consume import provider_for
    aws_provider = provider_for("public-api")  # stack from IAM_BASELINE_HANDOFF_STACK
    aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(provider=aws_provider))
    queue_provider = provider_for("public-api", component="queue")  # a service split into components
    aws_provider = provider_for("public-api", preview=True)  # `pulumi preview` on a pull request: the read-only role

It reads the service's own handoff stack (`organization/iam-baseline-handoff/<stack>.<project>`,
published by `python -m baseline publish`), never the baseline's stack: the handoff holds only this
service's values, is encrypted with the service's own passphrase (PULUMI_CONFIG_PASSPHRASE, from
`handoff`), and only the service's state role may read it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

HANDOFF_STACK_ENV = "IAM_BASELINE_HANDOFF_STACK"


class ServiceNotInBaseline(KeyError):
    """The handoff stack is not this service's (or names no role)."""

    def __str__(self) -> str:
        return str(self.args[0])


def check_handoff(service_in_stack: str, service: str, stack: str) -> None:
    """Raise unless the handoff stack belongs to `service`: a program must never deploy as another's role."""
    if service_in_stack != service:
        raise ServiceNotInBaseline(
            f"handoff stack {stack!r} holds service {service_in_stack!r}, not {service!r}; "
            f"set {HANDOFF_STACK_ENV} to the value `python -m baseline handoff --service {service}` prints"
        )


def select_role(
    handoff_role: Mapping[str, Any] | None, components: Mapping[str, Any] | None, service: str, component: str | None
) -> Mapping[str, Any]:
    """Return the role to deploy as: the service's own, or one of its components' (`component=`)."""
    components = components or {}
    if component is not None:
        if component not in components:
            raise ServiceNotInBaseline(
                f"service {service!r} has no component {component!r} in the baseline (it has: {', '.join(sorted(components)) or 'none'})"
            )
        role: Mapping[str, Any] = components[component]
        return role
    if not handoff_role:
        raise ServiceNotInBaseline(
            f"service {service!r} is split into components ({', '.join(sorted(components))}) and has no role of its own: "
            "pass component= to provider_for, one provider per component"
        )
    return handoff_role


def select_preview_role(role: Mapping[str, Any], preview_role: Mapping[str, Any] | None, unit: str) -> Mapping[str, Any]:
    """Return the preview role of a unit (`previewRole` of the service, or of its component's entry)."""
    if not preview_role:
        raise ServiceNotInBaseline(
            f"{unit!r} has no preview role in the baseline: set iam-baseline:previewRoles true in the baseline's stack "
            "and publish its handoff stacks again"
        )
    return preview_role


def assume_role_args(role: Mapping[str, Any], service: str, session_name: str, duration: str) -> list[dict[str, str]]:
    """Return the provider's assume-role settings for a static-key CI principal."""
    if "externalId" not in role:
        raise ValueError(
            f"the role of {service!r} has no external ID: the baseline trusts GitHub OIDC only (ci.mode github); "
            "pass web_identity_token_file to provider_for"
        )
    return [{"roleArn": role["arn"], "externalId": role["externalId"], "sessionName": session_name, "duration": duration}]


@functools.cache
def handoff_reference(stack: str) -> pulumi.StackReference:
    """Return the one StackReference per handoff stack (Pulumi refuses two with the same name)."""
    return pulumi.StackReference(f"iam-baseline-{stack.replace('/', '-')}", stack_name=stack)


def resolve_handoff_stack(stack: str | None) -> str:
    """Return the handoff stack to read: the argument, else $IAM_BASELINE_HANDOFF_STACK."""
    resolved = stack or os.environ.get(HANDOFF_STACK_ENV)
    if not resolved:
        raise ValueError(f"no handoff stack: pass stack= or set {HANDOFF_STACK_ENV} (a variable `python -m baseline handoff` prints)")
    return resolved


def created_role_settings(role: Mapping[str, Any], unit: str) -> dict[str, str]:
    """Return where IAM principals the service creates must live: its IAM path and its permissions boundary."""
    if "iamPath" not in role or "permissionsBoundaryArn" not in role:
        raise ServiceNotInBaseline(
            f"{unit!r} may not create IAM roles: its grant in the baseline has no IAM write action "
            "(add e.g. iam:CreateRole to services.<name>.actions; the baseline then gives it an IAM path and a boundary)"
        )
    return {"path": role["iamPath"], "permissions_boundary": role["permissionsBoundaryArn"]}


def iam_placement(service: str, stack: str | None = None, *, component: str | None = None) -> dict[str, pulumi.Output[str]]:
    """Return `path` and `permissions_boundary` for the IAM roles the service's program creates.

    The baseline lets a service create roles only under its own IAM path and with its own permissions
    boundary; anything else fails at `pulumi up` with AccessDenied. Spread the result into the role:

        aws.iam.Role("task", assume_role_policy=..., **iam_placement("api"), opts=deploy)
    """
    stack = resolve_handoff_stack(stack)
    unit = f"{service}-{component}" if component else service
    # The role output is secret for its external ID; its path and boundary are not, and previews should show them.
    settings = pulumi.Output.unsecret(_role(service, stack, component).apply(lambda r: created_role_settings(r, unit)))
    return {"path": settings.apply(lambda s: s["path"]), "permissions_boundary": settings.apply(lambda s: s["permissions_boundary"])}


def _role(service: str, stack: str, component: str | None, preview: bool = False) -> pulumi.Output[Mapping[str, Any]]:
    """Return the role `service` (or its `component`) deploys as, from its handoff stack, once the stack is checked to be its own;
    with `preview`, its read-only preview role instead."""
    ref = handoff_reference(stack)
    owner = ref.require_output("service").apply(lambda s: check_handoff(s, service, stack))
    role = pulumi.Output.all(ref.get_output("role"), ref.get_output("components"), owner).apply(
        lambda values: select_role(values[0], values[1], service, component)
    )
    if not preview:
        return role
    unit = f"{service}-{component}" if component else service
    own_preview = ref.get_output("previewRole")
    return pulumi.Output.all(role, own_preview).apply(
        lambda values: select_preview_role(values[0], values[0].get("previewRole") if component else values[1], unit)
    )


def provider_for(
    service: str,
    stack: str | None = None,
    *,
    session_name: str | None = None,
    duration: str = "1h",
    region: str | None = None,
    web_identity_token_file: str | None = None,
    component: str | None = None,
    preview: bool = False,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.Provider:
    """Return an aws.Provider that assumes `service`'s provisioning role, read from its handoff `stack`;
    with `component`, that component's role (a service split into components holds one provider each);
    with `preview`, the read-only preview role instead (baseline `previewRoles`), for `pulumi preview` on a
    pull request: it describes resources and reads the service's state, and can change nothing.

    With the static CI key in the environment it assumes the role with its external ID; with
    `web_identity_token_file` (GitHub OIDC) it exchanges that token for the role instead.
    """
    stack = resolve_handoff_stack(stack)
    ref = handoff_reference(stack)
    role = _role(service, stack, component, preview)
    unit = f"{service}-{component}" if component else service
    session = session_name or f"ci-{'preview-' if preview else ''}{unit}"[:64]
    args: dict[str, Any] = {
        "region": region or ref.require_output("region"),
        "allowed_account_ids": ref.require_output("accountId").apply(lambda a: [a]),
    }
    if web_identity_token_file:
        args["assume_role_with_web_identity"] = aws.ProviderAssumeRoleWithWebIdentityArgs(
            role_arn=role.apply(lambda r: r["arn"]),
            session_name=session,
            duration=duration,
            web_identity_token_file=web_identity_token_file,
        )
    else:
        settings = role.apply(lambda r: assume_role_args(r, unit, session, duration)[0])
        args["assume_roles"] = [
            aws.ProviderAssumeRoleArgs(
                role_arn=settings.apply(lambda s: s["roleArn"]),
                external_id=pulumi.Output.secret(settings.apply(lambda s: s["externalId"])),
                session_name=session,
                duration=duration,
            )
        ]
    # The same resource name with `preview`: the preview then shows exactly the diff `pulumi up` would apply.
    return aws.Provider(f"{unit}-deployer", opts=opts, **args)
