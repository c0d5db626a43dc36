"""ServiceRoles: each service's provisioning role (and its own state role), each with one inline policy.

Two resources per role, so a thousand services stay cheap to plan; external IDs come from the caller,
derived from one seed rather than one resource each. A service that manages IAM also gets the
permissions boundary every principal it creates must carry; a grant over the inline limit, its managed
grant policies and their attachments (two more resources per policy).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.stack.args import ServiceRolesArgs
from baseline.stack.pulumi_inputs import document_input
from baseline.stack.roles import role_with_policy


class ServiceRoles(pulumi.ComponentResource):
    """The roles of every configured service, keyed by role name."""

    roles: dict[str, aws.iam.Role]

    def __init__(
        self,
        name: str,
        args: ServiceRolesArgs,
        external_ids: dict[str, pulumi.Output[str]],  # by role name; empty without the CI user
        kms_key_arn: pulumi.Output[str] | None,
        trusted_principals: list[pulumi.Resource] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("iam-baseline:index:ServiceRoles", name, None, opts)
        self.roles = {
            role.name: role_with_policy(role, external_ids.get(role.name), kms_key_arn, self, trusted_principals or [])
            for role in args.roles
        }
        for boundary in args.boundaries:
            # It lives under the baseline's path, where the service itself may not change it.
            aws.iam.Policy(
                boundary.resource_name,
                name=boundary.name,
                path=boundary.path,
                description=boundary.description,
                policy=document_input(boundary.policy, kms_key_arn),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
