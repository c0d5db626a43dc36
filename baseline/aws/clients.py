"""AWS clients from the operator's standard credential chain, for the commands that read a live account."""

from __future__ import annotations

from typing import Any

CHAIN = "AWS_PROFILE, AWS_ACCESS_KEY_ID, ~/.aws, SSO"


def one_line(error: object) -> str:
    """Return an error's message on one line (botocore's messages may span several)."""
    return " ".join(str(error).split())


def standard_client(service: str, default_region: str, failure: type[Exception], what: str, **options: Any) -> Any:
    """Return a boto3 client for `service` from the standard chain (its region, else `default_region`), or raise
    `failure` with one line that starts with `what` when there are no credentials or botocore cannot start.

    `options` go to `session.client` (e.g. `config=` for retries)."""
    import boto3
    import botocore.exceptions

    try:
        session = boto3.session.Session()
        if session.get_credentials() is None:
            raise failure(f"{what}: no AWS credentials in the standard chain ({CHAIN})")
        return session.client(service, region_name=session.region_name or default_region, **options)
    except botocore.exceptions.BotoCoreError as error:
        raise failure(f"{what}: could not reach AWS: {one_line(error)}") from None
