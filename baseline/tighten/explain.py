"""Why a `pulumi up` was refused: each AccessDenied of its log (or an encoded authorization message,
decoded with `sts:DecodeAuthorizationMessage`) attributed to the statement that denied it and the config
line to change.

AWS's messages (IAM User Guide, "Troubleshooting access denied error messages") read
`User: ARN is not authorized to perform: ACTION on resource: RESOURCE because no TYPE allows the ACTION
action`, or `... with an explicit deny in a TYPE[: POLICY-ARN]`, where TYPE is an identity-based policy,
a permissions boundary, a service control policy, a resource control policy, a resource-based policy,
a session policy or a VPC endpoint policy; older messages stop after the resource. EC2 answers
`UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure
message: ...`, whose decoded JSON names the principal, action, resource, condition keys and, for an
explicit deny, the matched statements' ids.

The role is found by name among the baseline's provisioning roles (hence the service); a role a service
created is judged against the service's boundary. The action and resource are evaluated against the
rendered documents (`evaluate`), which names the deciding statement: no Allow (the grant lacks the action
or the resource), prod's DenyDestructive (a delete window, maybe one that ended), or a guard of the
baseline (by design).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from baseline.aws.catalog import get_actions_matching
from baseline.aws.clients import standard_client
from baseline.review.principals import Principal
from baseline.tighten.evaluate import Decision, evaluate
from baseline.tighten.roles import Baseline, ServiceRole

POLICY_TYPES = {
    "identity-based policy": "identity",
    "permissions boundary": "boundary",
    "permissions boundary policy": "boundary",
    "service control policy": "service control policy",
    "resource control policy": "resource control policy",
    "resource-based policy": "resource-based policy",
    "session policy": "session policy",
    "vpc endpoint policy": "VPC endpoint policy",
    "role trust policy": "role trust policy",
}
_TYPES = "|".join(sorted((re.escape(t) for t in POLICY_TYPES), key=len, reverse=True))
DENIAL = re.compile(
    r"(?:User|Principal):\s+(?P<principal>arn:\S+?)\s+is not authorized to perform:\s+(?P<action>[A-Za-z0-9-]+:[A-Za-z0-9*]+)"
    r"(?:\s+on resource:\s+(?:(?P<kind>[A-Za-z][\w-]*)\s+)?[\"']?(?P<resource>arn:[^\s\"']+|\*))?"
    rf"(?:\s+(?:because no (?P<implicit>{_TYPES}) allows the \S+ action|with an explicit deny in (?:an?|the) (?P<explicit>{_TYPES})"
    r"(?::\s*(?P<policy>arn:\S+))?))?",
    re.IGNORECASE,
)
ENCODED = re.compile(r"Encoded authorization failure message:\s*(?P<encoded>[A-Za-z0-9_\-+/=]{20,})")
DENIAL_WORDS = ("AccessDenied", "UnauthorizedOperation", "is not authorized to perform")
TRAILING = ".,;:\"')]}\\"
OUTSIDE = ("service control policy", "resource control policy", "resource-based policy", "session policy", "VPC endpoint policy")

GUARDS = {
    "DenyStateBucket": "by design: a provisioning role never touches the state bucket; Pulumi's state goes through the service's state role",
    "DenyStateKey": "by design: the state bucket's KMS key is for the state roles only",
    "DenyAssumeRole": "by design: a provisioning role never assumes another role (no chaining); deploy with that role's own provider",
    "DenyBaselineIam": "by design: the baseline's own users, roles and policies are off limits to every service",
    "DenyLongLivedCredentials": "by design: no credentials that outlive the session (access keys, passwords, signing certificates, users)",
    "ConfineIamToServicePath": "by design: the service changes IAM only under its own path {path}; create the role or policy there (path={path!r})",
    "DenyIamGroups": "by design: no service changes IAM groups",
    "RequireServiceBoundary": "program: give the role or user it creates permissions_boundary={boundary!r}",
    "RequireOrganizationBoundary": "program: give the role or user it creates the organisation's boundary, permissions_boundary={boundary!r}",
    "AttachOnlyOwnPolicies": "program: attach only managed policies the service created under its own path {path}, or use an inline policy",
    "KeepBoundaries": "by design: a permissions boundary is never removed",
    "DenyBaselineState": "by design: the baseline's own state is off limits",
    "DenyHandoffWrites": "by design: only the baseline writes the handoff stacks",
}


class ExplainInputError(ValueError):
    """Input explain cannot read; the message is one line naming it."""


@dataclass(frozen=True)
class Denial:
    """One refusal as the error message (or the decoded message) states it."""

    source: str  # `FILE:LINE` or `--message`
    principal: str = ""
    action: str = ""
    resource: str | None = None
    policy_type: str | None = None  # a POLICY_TYPES value; None when the message does not say
    explicit: bool | None = None
    policy_arn: str | None = None
    statement_ids: tuple[str, ...] = ()  # matched Deny statements, from a decoded message
    context: dict[str, list[str]] = field(default_factory=dict)
    encoded: str | None = None  # an encoded message still to decode
    unreadable: str | None = None  # a line that says access was denied but not how

    @property
    def key(self) -> tuple[Any, ...]:
        return (self.principal, self.action, self.resource, self.policy_type, self.explicit, self.encoded, self.unreadable)


@dataclass(frozen=True)
class Explanation:
    """What denied one request and what to change."""

    denial: Denial
    explained: bool
    denied_by: str
    fix: str
    role: str | None = None
    service: str | None = None
    statement: str | None = None

    def to_json(self) -> dict[str, Any]:
        d = self.denial
        return {
            "source": d.source, "principal": d.principal, "action": d.action, "resource": d.resource, "role": self.role,
            "service": self.service, "policyType": d.policy_type, "statement": self.statement, "deniedBy": self.denied_by,
            "fix": self.fix, "explained": self.explained,
        }  # fmt: skip


def read_log(path: Path) -> list[Denial]:
    """Return the denials of a `pulumi up` log, each once; raise ExplainInputError for a file that is no such log."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ExplainInputError(f"--log {path}: cannot be read ({error.strerror or error})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ExplainInputError(f"--log {path}: not a text log (not UTF-8); give the output `pulumi up` printed") from None
    if "\x00" in text:
        raise ExplainInputError(f"--log {path}: not a text log (binary data); give the output `pulumi up` printed")
    found = denials_in(text, str(path))
    if not found:
        raise ExplainInputError(f"--log {path}: no AccessDenied or UnauthorizedOperation message in it")
    return found


def denials_in(text: str, name: str) -> list[Denial]:
    """Return the denials the text states, in order, each once (Pulumi repeats errors in its summary)."""
    seen: dict[tuple[Any, ...], Denial] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        where = f"{name}:{number}"
        found = [_denial(m, where) for m in DENIAL.finditer(line)]
        if not found:
            encoded = ENCODED.search(line)
            if encoded:
                found = [Denial(where, encoded=encoded.group("encoded"))]
            elif any(word in line for word in DENIAL_WORDS):
                found = [Denial(where, unreadable=" ".join(line.split())[:200])]
        for denial in found:
            seen.setdefault(denial.key, denial)
    return list(seen.values())


def _denial(match: re.Match[str], where: str) -> Denial:
    implicit, explicit = match.group("implicit"), match.group("explicit")
    kind = implicit or explicit
    resource = match.group("resource")
    return Denial(
        where,
        principal=match.group("principal").rstrip(TRAILING),
        action=canonical_action(match.group("action")),
        resource=resource.rstrip(TRAILING) if resource else None,
        policy_type=POLICY_TYPES[kind.lower()] if kind else None,
        explicit=None if kind is None else explicit is not None,
        policy_arn=(match.group("policy") or "").rstrip(TRAILING) or None,
    )


def canonical_action(action: str) -> str:
    """Return the action in catalogue spelling (`SNS:CreateTopic` -> `sns:CreateTopic`), else as given."""
    found = get_actions_matching(action) if action and "*" not in action else ()
    return found[0] if len(found) == 1 else action


def decoded_denial(decoded: str, source: str) -> Denial:
    """Return the denial a decoded authorization message (the JSON `sts:DecodeAuthorizationMessage` returns) states."""
    try:
        document = json.loads(decoded)
        context = document["context"]
    except (ValueError, KeyError, TypeError):
        raise ExplainInputError(f"{source}: the decoded message is not the JSON sts:DecodeAuthorizationMessage returns") from None
    principal = context.get("principal") or {}
    conditions = {
        str(item.get("key")): [str(v.get("value")) for v in (item.get("values") or {}).get("items", [])]
        for item in (context.get("conditions") or {}).get("items", [])
    }
    statements = tuple(
        str(s["statementId"])
        for s in (document.get("matchedStatements") or {}).get("items", [])
        if s.get("statementId") and str(s.get("effect", "DENY")).upper() == "DENY"
    )
    return Denial(
        source,
        principal=str(principal.get("arn") or principal.get("id") or ""),
        action=canonical_action(str(context.get("action", ""))),
        resource=context.get("resource"),
        explicit=bool(document.get("explicitDeny")),
        statement_ids=statements,
        context=conditions,
    )


def decode(client: Any, encoded: str, source: str) -> Denial:
    """Decode an encoded authorization message with `sts:DecodeAuthorizationMessage` and return its denial."""
    import botocore.exceptions

    try:
        answer = client.decode_authorization_message(EncodedMessage=encoded)
    except botocore.exceptions.ClientError as error:
        details = error.response.get("Error", {})
        raise ExplainInputError(
            f"{source}: sts:DecodeAuthorizationMessage refused it: {details.get('Code')}: {' '.join(str(details.get('Message', '')).split())}"
        ) from None
    except botocore.exceptions.BotoCoreError as error:
        raise ExplainInputError(f"{source}: could not decode it: {' '.join(str(error).split())}") from None
    return decoded_denial(answer["DecodedMessage"], source)


def sts_client(default_region: str) -> Any:
    """Return an STS client from the standard AWS chain, or raise ExplainInputError without credentials."""
    return standard_client(
        "sts", default_region, ExplainInputError, "--message: decoding needs AWS credentials allowed sts:DecodeAuthorizationMessage"
    )


def resolve_encoded(denials: Iterable[Denial], client: Callable[[], Any]) -> list[Denial | Explanation]:
    """Return the denials with every encoded one decoded; one that cannot be decoded becomes an unexplained entry."""
    out: list[Denial | Explanation] = []
    for denial in denials:
        if denial.encoded is None:
            out.append(denial)
            continue
        try:
            out.append(decode(client(), denial.encoded, denial.source))
        except ExplainInputError as error:
            out.append(Explanation(denial, False, "an encoded authorization message that could not be decoded", f"decode it: {error}"))
    return out


def role_name(principal: str) -> tuple[str, str]:
    """Return ('role'|'user'|'', name) of a principal ARN (`assumed-role/NAME/SESSION`, `role/PATH/NAME`, `user/PATH/NAME`)."""
    resource = principal.split(":", 5)[-1] if principal.startswith("arn:") else principal
    if resource.startswith("assumed-role/"):
        return "role", resource.split("/")[1]
    if resource.startswith(("role/", "user/")):
        return resource.split("/", 1)[0], resource.rsplit("/", 1)[-1]
    return "", resource.split(":", 1)[0]


def explain(denial: Denial, baseline: Baseline, now: datetime, service: str | None = None,
            principals: dict[str, Principal] | None = None) -> Explanation:  # fmt: skip
    """Return what denied one request, evaluated against the baseline's rendered documents."""
    if denial.unreadable is not None:
        return Explanation(denial, False, "a refusal whose message names no action", f"read it by hand: {denial.unreadable}")
    principals = principals if principals is not None else baseline.principals
    kind, name = role_name(denial.principal)
    account = denial.principal.split(":")[4] if denial.principal.count(":") >= 5 else ""
    if account and not baseline.stand_in_account and account != baseline.account:
        return Explanation(
            denial,
            False,
            f"a principal of account {account}",
            f"stack {baseline.stack} is account {baseline.account}; pass the right --stack",
        )
    role = baseline.role_named(name, principals) if kind == "role" else None
    if role is not None:
        return _explain_provisioning(denial, baseline, role, now)
    created = _creator(denial, baseline, principals, service)
    if isinstance(created, str):
        return Explanation(
            denial, False, f"{kind or 'principal'} {name}, not one of stack {baseline.stack}'s provisioning roles", created, role=name
        )
    return _explain_created(denial, baseline, created, name, now)


def _creator(denial: Denial, baseline: Baseline, principals: dict[str, Principal], service: str | None) -> ServiceRole | str:
    """Return the service that created the denied role (from --service, or the only service that creates roles),
    or a line saying what to give."""
    if service is not None:
        role = baseline.service_role(service, principals)
        if role is None:
            return f"--service {service}: stack {baseline.stack} has no such service"
        if role.principal.created_boundary is None:
            return f"service {service} creates no roles under a boundary (its grant changes no IAM); is --service right?"
        return role
    creators = [k.removeprefix("service/") for k, p in principals.items() if k.startswith("service/") and p.created_boundary]
    if denial.policy_type == "boundary" and len(creators) == 1:
        return baseline.service_role(creators[0], principals) or "no service"
    return "if a service's program created it, pass --service NAME to judge it against that service's boundary"


def _explain_provisioning(denial: Denial, baseline: Baseline, role: ServiceRole, now: datetime) -> Explanation:
    decision = evaluate(role.principal.permission_policies(), denial.action, denial.resource, now, denial.context)
    layer = denial.policy_type
    named = {"role": role.principal.name, "service": role.service}
    if layer == "boundary":
        return Explanation(denial, False, "a permissions boundary on the provisioning role",
                           "the baseline puts no boundary on its provisioning roles: someone attached one; remove it, or run `iam-baseline verify`",
                           **named)  # fmt: skip
    if layer in OUTSIDE or layer == "role trust policy":
        return _outside(denial, role, decision, named)
    if denial.statement_ids and denial.explicit:
        return _by_statement_id(denial, baseline, role, role.principal, named)
    expect_explicit = denial.explicit
    if decision.kind == "explicit-deny" and expect_explicit is not False:
        return _denied_by(denial, baseline, role, decision.statement or "", decision.certain, "the role's policy", named)
    if decision.kind == "allow" and expect_explicit and decision.possible_deny:
        return _denied_by(denial, baseline, role, decision.possible_deny, False, "the role's policy", named)
    if decision.kind == "no-allow" and not expect_explicit:
        return _missing(denial, role, decision, "the role's policy", named)
    return _mismatch(denial, baseline, decision, named)


def _explain_created(denial: Denial, baseline: Baseline, role: ServiceRole, name: str, now: datetime) -> Explanation:
    boundary_name, boundary = role.principal.created_boundary  # type: ignore[misc]
    named = {"role": name, "service": role.service}
    where = f"the service's permissions boundary {boundary_name}"
    decision = evaluate([boundary], denial.action, denial.resource, now, denial.context)
    layer = denial.policy_type
    if layer in OUTSIDE or layer == "role trust policy":
        return _outside(denial, role, decision, named)
    if layer == "identity":
        if decision.kind == "explicit-deny":  # the boundary would also refuse it: say so first
            return _denied_by(denial, baseline, role, decision.statement or "", decision.certain, where, named)
        return Explanation(denial, True, f"the policy of role {name}, which the service's program writes",
                           f"program: grant {denial.action} to role {name} in its own policy (the boundary {boundary_name} allows it)", **named)  # fmt: skip
    if denial.statement_ids and denial.explicit:
        return _by_statement_id(denial, baseline, role, None, named, boundary)
    if decision.kind == "explicit-deny" and denial.explicit is not False:
        return _denied_by(denial, baseline, role, decision.statement or "", decision.certain, where, named)
    if decision.kind == "no-allow" and not denial.explicit:
        return _missing(denial, role, decision, where, named)
    if layer is None and decision.allowed:
        return Explanation(denial, True, f"the policy of role {name}, which the service's program writes",
                           f"program: grant {denial.action} to role {name} in its own policy (the boundary {boundary_name} allows it)", **named)  # fmt: skip
    return _mismatch(denial, baseline, decision, named)


def _by_statement_id(denial: Denial, baseline: Baseline, role: ServiceRole, principal: Principal | None, named: dict[str, str],
                     boundary: dict[str, Any] | None = None) -> Explanation:  # fmt: skip
    documents = principal.permission_policies() if principal else []
    documents += [boundary] if boundary else []
    sids = {str(s.get("Sid")) for doc in documents for s in doc.get("Statement", []) if isinstance(s, dict)}
    for sid in denial.statement_ids:
        if sid in sids:
            return _denied_by(denial, baseline, role, sid, True, "the role's policy" if principal else "the service's boundary", named)
    listed = ", ".join(denial.statement_ids)
    return Explanation(denial, True, f"statement {listed}, in no document of this baseline (an SCP, a resource or session policy)",
                       "outside this config: ask whoever owns that policy", statement=denial.statement_ids[0], **named)  # fmt: skip


def _denied_by(
    denial: Denial, baseline: Baseline, role: ServiceRole, sid: str, certain: bool, where: str, named: dict[str, str]
) -> Explanation:
    hedge = "" if certain else " (its condition could not be checked offline)"
    if sid == "DenyDestructive":
        hours = baseline.config.max_delete_window_hours
        until = f"'<a UTC instant, at most {hours}h ahead>'"
        if role.expired_window:
            return Explanation(denial, True, f"DenyDestructive in {where}: the delete window ended at {role.expired_window}{hedge}",
                               f"{role.config_key}.deleteWindow: {{until: {until}, reason: '<why>'}} (the one in the config has passed)",
                               statement=sid, **named)  # fmt: skip
        return Explanation(denial, True, f"DenyDestructive in {where}: by design, {baseline.config.environment} denies deletes{hedge}",
                           f"{role.config_key}.deleteWindow: {{until: {until}, reason: '<why>'}} to allow deletes until then",
                           statement=sid, **named)  # fmt: skip
    outputs = baseline.outputs.get("provisioningRoles", {}).get(role.base_service, {})
    guard = GUARDS.get(sid)
    if guard is None:
        return Explanation(denial, True, f"statement {sid} in {where}{hedge}", f"by design: statement {sid} of the rendered policy; see `iam-baseline plan`",
                           statement=sid, **named)  # fmt: skip
    fix = guard.format(path=outputs.get("iamPath", f"/{baseline.config.name_prefix}-services/{role.base_service}/"),
                       boundary=outputs.get("permissionsBoundaryArn", "<permissionsBoundaryArn>"))  # fmt: skip
    return Explanation(denial, True, f"{sid} in {where}{hedge}", fix, statement=sid, **named)


def _missing(denial: Denial, role: ServiceRole, decision: Decision, where: str, named: dict[str, str]) -> Explanation:
    if decision.action_allowed and denial.resource and denial.resource != "*":
        return Explanation(denial, True, f"missing grant: {where} allows {denial.action}, but not on {denial.resource}",
                           f"{role.config_key}.resources: add {denial.resource}", **named)  # fmt: skip
    return Explanation(denial, True, f"missing grant: no statement of {where} allows {denial.action}",
                       f"{role.config_key}.actions: add {denial.action}", **named)  # fmt: skip


def _outside(denial: Denial, role: ServiceRole, decision: Decision, named: dict[str, str]) -> Explanation:
    what = f"a {denial.policy_type}" + (f" ({denial.policy_arn})" if denial.policy_arn else "")
    also = f"; the grant also lacks it: {role.config_key}.actions: add {denial.action}" if decision.kind == "no-allow" else ""
    return Explanation(
        denial, True, f"{what}, outside this baseline", f"nothing in this config allows more: ask whoever owns {what}{also}", **named
    )


def _mismatch(denial: Denial, baseline: Baseline, decision: Decision, named: dict[str, str]) -> Explanation:
    said = f"{'an explicit deny' if denial.explicit else 'no allow'} in a {denial.policy_type}" if denial.policy_type else "a refusal"
    rendered = {"allow": f"allows it ({decision.statement})", "no-allow": "has no allow for it",
                "explicit-deny": f"denies it ({decision.statement})"}[decision.kind]  # fmt: skip
    return Explanation(denial, False, f"AWS says {said}, but the rendered policy {rendered}",
                       f"is the deployed baseline up to date (`pulumi up` of stack {baseline.stack}), and is --stack right? "
                       "otherwise an SCP, a resource or session policy refused it", **named)  # fmt: skip


def format_explanations(explanations: list[Explanation]) -> str:
    """Return the explanations as text, one block per denial, and a count."""
    lines = []
    for e in explanations:
        d = e.denial
        head = f"{d.action or '(unknown action)'}" + (f" on {d.resource}" if d.resource else "")
        lines.append(f"{head}  [{d.source}]")
        if e.role:
            lines.append(f"  role: {e.role}" + (f" (service {e.service})" if e.service else ""))
        lines.append(f"  denied by: {e.denied_by}")
        lines.append(f"  {'change' if e.explained else 'not attributed'}: {e.fix}")
    done = sum(e.explained for e in explanations)
    lines.append(f"# {len(explanations)} denial(s), {done} explained")
    return "\n".join(lines) + "\n"
