"""Declares one of each component with every option the components use, so `iam-baseline discover
--manifests` sees every resource (and every optional input) they can create."""

from acme_components import QueueWorker, StaticSite

StaticSite("site")
QueueWorker("worker")
