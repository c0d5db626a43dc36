"""iam-baseline: a least-privilege IAM baseline for running Pulumi in CI, one stack per account."""

__version__ = "0.2.0"
