"""StaticSite: a private, versioned bucket for a site's files (served by a CDN elsewhere)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


class StaticSite(pulumi.ComponentResource):
    """A bucket that blocks public access, owns its objects and keeps versions."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("acme:components:StaticSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-files", bucket_prefix=f"{name}-", tags={"component": "static-site"}, opts=child)
        aws.s3.BucketPublicAccessBlock(
            f"{name}-private",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child,
        )
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=self.bucket.id, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child
        )
        aws.s3.BucketVersioning(f"{name}-versions", bucket=self.bucket.id, versioning_configuration={"status": "Enabled"}, opts=child)
        self.register_outputs({"bucket": self.bucket.bucket})
