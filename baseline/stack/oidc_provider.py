"""GithubOidc: the account's GitHub Actions OIDC provider, created here unless config names one."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from baseline.design import github_subjects as github
from baseline.stack.args import GithubOidcArgs


class GithubOidc(pulumi.ComponentResource):
    """The OIDC identity provider that GitHub Actions tokens are exchanged through."""

    provider: aws.iam.OpenIdConnectProvider | None
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: GithubOidcArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("iam-baseline:index:GithubOidc", name, None, opts)
        configured = args.existing_provider_arn
        self.provider = None
        if configured:
            self.arn = pulumi.Output.from_input(configured)
        else:
            # GitHub's certificate chain is trusted by AWS directly; no thumbprint is needed any more.
            self.provider = aws.iam.OpenIdConnectProvider(
                f"{name}-provider",
                url=github.ISSUER_URL,
                client_id_lists=[github.AUDIENCE],
                opts=pulumi.ResourceOptions(parent=self),
            )
            self.arn = self.provider.arn
        self.register_outputs({"arn": self.arn})
