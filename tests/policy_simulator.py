"""Oracle 2: principalmapper's offline IAM evaluator, for what moto cannot decide.

It evaluates condition operators and keys (a missing `sts:ExternalId`, `aws:SecureTransport`,
`kms:ViaService`), explicit Deny precedence, permissions boundaries and resource policies, with
principals modelled under their real IAM path. Its STS edge builder drops ExternalId-conditioned
edges, so trusts are checked here statement by statement with the request context we give.
"""

from __future__ import annotations

import collections
import collections.abc
from typing import Any

# principalmapper 1.1.5 predates Python 3.10's removal of these aliases.
collections.Mapping = collections.abc.Mapping  # type: ignore[attr-defined]
collections.MutableMapping = collections.abc.MutableMapping  # type: ignore[attr-defined]

from principalmapper.common import Node, Policy  # noqa: E402
from principalmapper.querying.local_policy_simulation import ResourcePolicyEvalResult, resource_policy_authorization  # noqa: E402
from principalmapper.querying.query_interface import local_check_authorization_full  # noqa: E402
from principalmapper.util.case_insensitive_dict import CaseInsensitiveDict  # noqa: E402


def principal(
    arn: str, policies: list[dict[str, Any]], boundary: dict[str, Any] | None = None, trust: dict[str, Any] | None = None
) -> Node:
    """Return a user or role as the simulator sees it: its ARN, policies, boundary (and a role's trust)."""
    if ":role/" in arn and trust is None:
        trust = {"Version": "2012-10-17", "Statement": []}
    attached = [Policy(arn, f"policy{i}", doc) for i, doc in enumerate(policies)]
    return Node(
        arn=arn,
        id_value=f"AID{abs(hash(arn)) % 10**12:012d}",
        attached_policies=attached,
        group_memberships=[],
        trust_policy=trust,
        instance_profile=None,
        num_access_keys=0,
        active_password=False,
        is_admin=False,
        permissions_boundary=Policy(arn, "boundary", boundary) if boundary else None,
        has_mfa=False,
        tags={},
    )


def trust_admits(trust: dict[str, Any], caller: Node, role_arn: str, context: dict[str, str], action: str = "sts:AssumeRole") -> bool:
    """Return whether a role's trust policy lets `caller` call `action` (sts:AssumeRole) with this context."""
    account = role_arn.split(":")[4]
    result = resource_policy_authorization(caller, account, trust, action, role_arn, CaseInsensitiveDict(context))
    return result in (ResourcePolicyEvalResult.NODE_MATCH, ResourcePolicyEvalResult.ROOT_MATCH)


def allows(
    caller: Node, action: str, resource: str, context: dict[str, str] | None = None, resource_policy: dict[str, Any] | None = None
) -> bool:
    """Return whether IAM's full evaluation (Deny first, boundary, resource policy) allows the call."""
    owner = resource_policy and caller.arn.split(":")[4]
    return local_check_authorization_full(caller, action, resource, CaseInsensitiveDict(context or {}), resource_policy, owner)


def web_identity_admits(
    trust: dict[str, Any], provider_arn: str, role_arn: str, claims: dict[str, str], action: str = "sts:AssumeRoleWithWebIdentity"
) -> bool:
    """Return whether a trust lets a web-identity token with these claims (and context) assume the role.

    principalmapper has no Federated principals, so the principal is matched here (an exact ARN, as
    IAM does) and the statement's conditions are evaluated by principalmapper.
    """
    from principalmapper.querying.local_policy_simulation import policy_has_matching_statement

    def matching(effect: str) -> bool:
        for stmt in trust["Statement"]:
            federated = stmt.get("Principal", {}).get("Federated") if isinstance(stmt.get("Principal"), dict) else None
            if stmt["Effect"] != effect or federated != provider_arn:
                continue
            probe = {k: v for k, v in stmt.items() if k != "Principal"}
            probe["Resource"] = "*"
            if policy_has_matching_statement(
                {"Version": "2012-10-17", "Statement": [probe]}, effect, action, role_arn, CaseInsensitiveDict(claims)
            ):
                return True
        return False

    return matching("Allow") and not matching("Deny")


def bucket_policy_denies(policy: dict[str, Any], caller: Node, action: str, resource: str, context: dict[str, str]) -> bool:
    """Return whether a bucket policy alone refuses the call (an explicit Deny matches): what the bucket
    decides for a request that reached it through an access point, whose ARN the caller's policies saw."""
    account = caller.arn.split(":")[4]
    result = resource_policy_authorization(caller, account, policy, action, resource, CaseInsensitiveDict(context))
    return result in (ResourcePolicyEvalResult.DENY_MATCH,)
