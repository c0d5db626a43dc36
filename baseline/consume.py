"""For service programs: an AWS provider that deploys as the service's provisioning role.

    from baseline.consume import provider_for
    aws_provider = provider_for("public-api", stack="organization/iam-baseline/prod")
    aws.sqs.Queue("jobs", opts=pulumi.ResourceOptions(provider=aws_provider))

The baseline's `provisioningRoles` output is secret, so this stack must be able to decrypt the
baseline's secrets (same passphrase, or kms:Decrypt on its awskms:// key).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

DEFAULT_BASELINE_STACK = "organization/iam-baseline/prod"


class ServiceNotInBaseline(KeyError):
    """The service has no provisioning role in the baseline stack's outputs."""

    def __str__(self) -> str:
        return str(self.args[0])


def select_role(roles: Mapping[str, Any], service: str, stack: str) -> Mapping[str, Any]:
    """Return the service's role output, or raise naming the services the baseline does have."""
    if service not in roles:
        known = ", ".join(sorted(roles)) or "none"
        raise ServiceNotInBaseline(
            f"service {service!r} has no provisioning role in baseline stack {stack!r} (it has: {known}); "
            f"add it under iam-baseline:services and run `pulumi up` on the baseline"
        )
    return roles[service]


def assume_role_args(role: Mapping[str, Any], service: str, session_name: str, duration: str) -> list[dict[str, str]]:
    """Return the provider's assume-role settings for a static-key CI principal."""
    if "externalId" not in role:
        raise ValueError(
            f"the role of {service!r} has no external ID: the baseline trusts GitHub OIDC only (ci.mode github); "
            "pass web_identity_token_file to provider_for"
        )
    return [{"roleArn": role["arn"], "externalId": role["externalId"], "sessionName": session_name, "duration": duration}]


@functools.cache
def baseline_reference(stack: str) -> pulumi.StackReference:
    """Return the one StackReference per baseline stack (Pulumi refuses two with the same name)."""
    return pulumi.StackReference(f"iam-baseline-{stack.replace('/', '-')}", stack_name=stack)


def provider_for(
    service: str,
    stack: str = DEFAULT_BASELINE_STACK,
    *,
    session_name: str | None = None,
    duration: str = "1h",
    region: str | None = None,
    web_identity_token_file: str | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.Provider:
    """Return an aws.Provider that assumes `service`'s provisioning role from the baseline `stack`.

    With the static CI key in the environment it assumes the role with its external ID; with
    `web_identity_token_file` (GitHub OIDC) it exchanges that token for the role instead.
    """
    ref = baseline_reference(stack)
    role = ref.require_output("provisioningRoles").apply(lambda roles: select_role(roles, service, stack))
    session = session_name or f"ci-{service}"[:64]
    account_id = ref.require_output("accountId")
    args: dict[str, Any] = {
        "region": region or ref.require_output("region"),
        "allowed_account_ids": account_id.apply(lambda a: [a]),
    }
    if web_identity_token_file:
        args["assume_role_with_web_identity"] = aws.ProviderAssumeRoleWithWebIdentityArgs(
            role_arn=role.apply(lambda r: r["arn"]),
            session_name=session,
            duration=duration,
            web_identity_token_file=web_identity_token_file,
        )
    else:
        settings = role.apply(lambda r: assume_role_args(r, service, session, duration)[0])
        args["assume_roles"] = [
            aws.ProviderAssumeRoleArgs(
                role_arn=settings.apply(lambda s: s["roleArn"]),
                external_id=pulumi.Output.secret(settings.apply(lambda s: s["externalId"])),
                session_name=session,
                duration=duration,
            )
        ]
    return aws.Provider(f"{service}-deployer", opts=opts, **args)
