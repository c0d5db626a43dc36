"""`review --live`: IAM Access Analyzer's second opinion on every rendered policy, through boto3.

- `ValidatePolicy` on every document: identity policies and permissions boundaries as IDENTITY_POLICY,
  trust policies as RESOURCE_POLICY of type `AWS::IAM::AssumeRolePolicyDocument`, the state bucket's
  policy as RESOURCE_POLICY of type `AWS::S3::Bucket`. External IDs are masked before they leave.
- `CheckAccessNotGranted` on the promises (`promises`): the CI user's documents grant nothing but
  `sts:AssumeRole`, and only on this account's baseline path; no provisioning role may pass a role
  outside its own IAM path.

Everything here takes the client as an argument (tests pass one under botocore's `Stubber`); only
`access_analyzer_client` reads the standard AWS chain. Identical requests are sent once, and calls are
paced (`CALLS_PER_SECOND`) with botocore's adaptive retries on throttling.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import botocore.config
import botocore.exceptions

from baseline.aws import arns
from baseline.aws.arns import AccountContext
from baseline.aws.catalog import CREDENTIAL_MINTING_ACTIONS
from baseline.aws.clients import one_line, standard_client
from baseline.offline.engine import Rendering
from baseline.review.principals import Principal

CALLS_PER_SECOND = 10.0
BATCH = 100  # CheckAccessNotGranted: at most 100 actions and 100 resources a call
BLOCKING = ("ERROR", "SECURITY_WARNING")  # ValidatePolicy finding types that fail the review
FINDING_TYPES = ("ERROR", "SECURITY_WARNING", "WARNING", "SUGGESTION")
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
TRUST_TYPE = "AWS::IAM::AssumeRolePolicyDocument"
BUCKET_TYPE = "AWS::S3::Bucket"
# A role outside every baseline path: in an AWS Organizations member account, the administrator role.
OUTSIDE_ROLE = "OrganizationAccountAccessRole"
OTHER_ACCOUNT = ("999999999999", "888888888888")  # the first that is not this account
# Services whose access on the CI key alone would defeat the baseline, checked besides every service a
# provisioning role of the stack reaches.
SENSITIVE_SERVICES = ("iam", "s3", "kms", "secretsmanager", "ssm", "organizations", "cloudtrail", "ec2", "lambda")
OTHER_STS_ACTIONS = ("sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity", "sts:GetFederationToken", "sts:GetSessionToken")


class LiveCheckError(Exception):
    """The live checks could not run (no credentials, access denied, throttled, unreachable): one line."""


@dataclass(frozen=True)
class Document:
    """One policy to validate, where it belongs, and how Access Analyzer must read it."""

    principal: str  # `role/NAME`, `user/NAME` or `bucket/NAME`
    name: str  # `trust-policy`, `boundary-NAME`, `policy-NAME`, `created-boundary-NAME`, `bucket-policy`
    policy: dict[str, Any]
    policy_type: str = "IDENTITY_POLICY"
    resource_type: str | None = None


@dataclass(frozen=True)
class Promise:
    """Access one document must not grant (one CheckAccessNotGranted call per batch of 100)."""

    name: str
    principal: str
    document: str
    policy: dict[str, Any]
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()


@dataclass(frozen=True)
class LiveFinding:
    """A ValidatePolicy finding (type ERROR ... SUGGESTION) or a broken promise (type FAIL)."""

    type: str
    code: str  # ValidatePolicy's issueCode, or the promise's name
    principal: str
    document: str
    detail: str

    @property
    def blocking(self) -> bool:
        return self.type == "FAIL" or self.type in BLOCKING

    def to_json(self) -> dict[str, str]:
        return {"type": self.type, "code": self.code, "principal": self.principal, "document": self.document, "detail": self.detail}


@dataclass
class LiveReport:
    """What Access Analyzer said about one rendered stack."""

    region: str
    documents: int
    promises: list[str]
    calls: int
    findings: list[LiveFinding] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(f.blocking for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "documentsValidated": self.documents,
            "promisesChecked": self.promises,
            "calls": self.calls,
            "findings": [f.to_json() for f in self.findings],
            "failed": self.failed,
        }

    def format(self) -> str:
        """Return the live checks as plain text, to follow the offline review."""
        lines = [f"## Live checks: IAM Access Analyzer ({self.region}, {self.calls} calls)"]
        lines += [f"{f.type:<16}  {f.code}  {f.principal} {f.document}: {f.detail}" for f in self.findings]
        counts = {t: sum(1 for f in self.findings if f.type == t) for t in ("FAIL", *FINDING_TYPES)}
        lines.append(
            f"{self.documents} documents validated, {len(self.promises)} promises checked ({', '.join(self.promises) or 'none'}); "
            + ", ".join(f"{n} {t.lower().replace('_', ' ')}" for t, n in counts.items())
        )
        return "\n".join(lines) + "\n"


def access_analyzer_client(default_region: str) -> Any:
    """Return one Access Analyzer client from the standard AWS chain (its region, else `default_region`)."""
    config = botocore.config.Config(retries={"mode": "adaptive", "max_attempts": 8})
    return standard_client("accessanalyzer", default_region, LiveCheckError, "review --live", config=config)


def documents(principals: dict[str, Principal], rendering: Rendering) -> list[Document]:
    """Return every document of the stack to validate: each principal's, then each bucket policy."""
    found = []
    for p in sorted(principals.values(), key=lambda p: p.key):  # the same order whatever the render's
        where = f"{p.kind}/{p.name}"
        for name, doc in p.documents().items():  # trust policies come with their external IDs masked
            if name == "trust-policy":
                found.append(Document(where, name, doc, "RESOURCE_POLICY", TRUST_TYPE))
            else:
                found.append(Document(where, name, doc))
        if p.created_boundary is not None:
            found.append(Document(where, f"created-boundary-{p.created_boundary[0]}", p.created_boundary[1]))
    for bucket_policy in sorted(rendering.of_type(BUCKET_POLICY), key=lambda r: str(r.inputs["bucket"])):
        policy = bucket_policy.inputs["policy"]
        doc = json.loads(policy) if isinstance(policy, str) else policy
        found.append(Document(f"bucket/{bucket_policy.inputs['bucket']}", "bucket-policy", doc, "RESOURCE_POLICY", BUCKET_TYPE))
    return found


def promises(principals: dict[str, Principal], ctx: AccountContext) -> list[Promise]:
    """Return what the baseline promises no document grants, as CheckAccessNotGranted questions.

    - the CI user's policies and boundary: no credential minting nor iam:PassRole; no action of any
      service a provisioning role reaches, nor of SENSITIVE_SERVICES, nor any sts action but
      AssumeRole; and no sts:AssumeRole on a role outside the baseline (OUTSIDE_ROLE in this account
      and in another);
    - each provisioning role's policies: no iam:PassRole on any role of the baseline nor on OUTSIDE_ROLE,
      which a grant of PassRole on `*` (without the service-path confinement) would allow.
    """
    other_account = next(a for a in OTHER_ACCOUNT if a != ctx.account_id)
    outside = arns.role_arn(ctx, "/", OUTSIDE_ROLE)
    elsewhere = arns.role_arn(AccountContext(other_account, ctx.region, ctx.partition, ctx.dns_suffix), "/", OUTSIDE_ROLE)
    services = set(SENSITIVE_SERVICES) | {
        a.split(":", 1)[0] for p in principals.values() if p.key.startswith("service/") for a in p.reachable
    }
    other_actions = tuple(sorted(f"{s}:*" for s in services - {"sts"})) + OTHER_STS_ACTIONS
    roles = tuple(sorted(p.arn for p in principals.values() if p.kind == "role"))
    found = []
    for p in sorted(principals.values(), key=lambda p: p.key):  # the same order whatever the render's
        where = f"{p.kind}/{p.name}"
        identity = {name: doc for name, doc in p.documents().items() if name != "trust-policy"}
        if p.key == "ci-user":
            for name, doc in identity.items():
                found += [
                    Promise("ci-no-credential-minting", where, name, doc, (*CREDENTIAL_MINTING_ACTIONS, "iam:PassRole")),
                    Promise("ci-only-sts-assume-role", where, name, doc, other_actions),
                    Promise("ci-assumes-only-baseline-roles", where, name, doc, ("sts:AssumeRole",), (outside, elsewhere)),
                ]
        elif p.key.startswith("service/"):
            found += [Promise("no-passrole-beyond-service-path", where, name, doc, ("iam:PassRole",), (*roles, outside))
                      for name, doc in identity.items()]  # fmt: skip
    return found


class Pacer:
    """Space calls at least 1/rate seconds apart (rate 0: no pacing)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1 / rate if rate > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self.last: float | None = None
        self.calls = 0

    def __call__(self) -> None:
        if self.last is not None and self.interval:
            wait = self.last + self.interval - self.clock()
            if wait > 0:
                self.sleep(wait)
        self.last = self.clock()
        self.calls += 1


def validate(client: Any, docs: Iterable[Document], pace: Callable[[], None]) -> list[LiveFinding]:
    """Return Access Analyzer's findings on every document (identical requests are sent once)."""
    answers: dict[str, list[dict[str, Any]]] = {}
    findings = []
    for doc in docs:
        kwargs: dict[str, Any] = {"policyDocument": json.dumps(doc.policy, sort_keys=True), "policyType": doc.policy_type}
        if doc.resource_type:
            kwargs["validatePolicyResourceType"] = doc.resource_type
        key = json.dumps(kwargs, sort_keys=True)
        if key not in answers:
            answers[key] = []
            for page in _pages(client, kwargs, pace):
                answers[key] += page.get("findings", [])
        for f in answers[key]:
            findings.append(LiveFinding(f["findingType"], f["issueCode"], doc.principal, doc.name, one_line(f.get("findingDetails", ""))))
    return findings


def _pages(client: Any, kwargs: dict[str, Any], pace: Callable[[], None]) -> Iterator[dict[str, Any]]:
    token = None
    while True:
        pace()
        page: dict[str, Any] = client.validate_policy(**kwargs, **({"nextToken": token} if token else {}))
        yield page
        token = page.get("nextToken")
        if not token:
            return


def check(client: Any, checks: Iterable[Promise], pace: Callable[[], None]) -> list[LiveFinding]:
    """Return a FAIL finding for every promise a document may break (asked in batches of 100)."""
    answers: dict[str, dict[str, Any]] = {}
    findings = []
    for promise in checks:
        for actions, resources in _batches(promise.actions, promise.resources):
            access: dict[str, list[str]] = {"actions": list(actions)} if actions else {}
            if resources:
                access["resources"] = list(resources)
            kwargs = {"policyDocument": json.dumps(promise.policy, sort_keys=True), "access": [access], "policyType": "IDENTITY_POLICY"}
            key = json.dumps(kwargs, sort_keys=True)
            if key not in answers:
                pace()
                answers[key] = client.check_access_not_granted(**kwargs)
            answer = answers[key]
            if answer["result"] != "PASS":
                reasons = "; ".join(r.get("description", "") for r in answer.get("reasons", []) if r.get("description"))
                asked = ", ".join([*actions[:4], *resources[:2]]) + (" …" if len(actions) > 4 or len(resources) > 2 else "")
                detail = f"may grant {asked}: {answer.get('message', '')}" + (f" ({reasons})" if reasons else "")
                findings.append(LiveFinding("FAIL", promise.name, promise.principal, promise.document, one_line(detail)))
                break  # one failure is enough to break this promise for this document
    return findings


def _batches(actions: tuple[str, ...], resources: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    for i in range(0, max(len(actions), 1), BATCH):
        for j in range(0, max(len(resources), 1), BATCH):
            yield actions[i : i + BATCH], resources[j : j + BATCH]


def live_review(client: Any, rendering: Rendering, principals: dict[str, Principal], rate: float | None = None) -> LiveReport:
    """Run every live check; raise LiveCheckError (one line) when AWS could not answer."""
    docs, questions = documents(principals, rendering), promises(principals, rendering.ctx)
    pace = Pacer(CALLS_PER_SECOND if rate is None else rate)
    try:
        findings = validate(client, docs, pace) + check(client, questions, pace)
    except botocore.exceptions.ClientError as error:
        err = error.response.get("Error", {})
        raise LiveCheckError(f"review --live: could not check: {err.get('Code', '?')}: {one_line(err.get('Message', ''))}") from None
    except botocore.exceptions.BotoCoreError as error:
        raise LiveCheckError(f"review --live: could not check: {one_line(error)}") from None
    order = {t: i for i, t in enumerate(("FAIL", *FINDING_TYPES))}
    findings.sort(key=lambda f: (order.get(f.type, len(order)), f.principal, f.document, f.code))
    return LiveReport(client.meta.region_name, len(docs), sorted({q.name for q in questions}), pace.calls, findings)
