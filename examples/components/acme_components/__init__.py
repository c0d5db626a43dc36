"""Acme's shared Pulumi components. Each ships its IAM permissions as a manifest (see permissions/),
generated from `example_program/` by `iam-baseline discover --manifests`, so a service lists the
components it uses instead of IAM actions."""

from acme_components.queue_worker import QueueWorker
from acme_components.static_site import StaticSite

__all__ = ["QueueWorker", "StaticSite"]
