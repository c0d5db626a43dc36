"""Preflight from a service's CI, before `pulumi up`: may the service's provisioning role do what the change needs?

    pulumi preview --json --stack prod > preview.json
    python -m iam_baseline_consume.preflight --preview preview.json --actions .iam-baseline/preflight-actions.json

It asks IAM's policy simulator (`iam:SimulatePrincipalPolicy` with the role's own ARN as PolicySourceArn)
about every action each step of the preview needs, on the step's resource, at the current time, as a
session of the role itself: every provisioning role may simulate its own policies and nothing else. It
needs only boto3 (botocore) and the standard library: `pip install "iam-baseline-consume[preflight] @ ..."`.

A service repository holds no permission table, so the actions each resource type's lifecycle calls come
from `--actions FILE`: the rows of the types the service deploys, written by the platform team with
`iam-baseline preflight --stack S --service N --program DIR --emit-actions FILE` (or `--preview FILE`) and
checked into the service's repository. A step of a type the file lacks stops the preflight (exit 2)
naming the type: regenerate the file, since a new type usually means a new grant too.

The role's session: `--web-identity-token-file FILE` (GitHub OIDC: the token is exchanged for the role),
else `$IAM_BASELINE_EXTERNAL_ID` (the static CI key in the standard AWS chain assumes the role with it),
else the standard AWS chain as it is (already a session of the role). The role's ARN is `--role-arn`,
else `$IAM_BASELINE_ROLE_ARN`.

Exit 0 when every action is allowed (actions whose resource is known only after the deploy and that no
`*` grant covers are listed as unverifiable); 1 naming each missing action and each action denied by
design (a prod delete); 2 on input it cannot use or an account it cannot ask, with one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ACTIONS_FILE_VERSION = 1
ROLE_ARN_ENV = "IAM_BASELINE_ROLE_ARN"
EXTERNAL_ID_ENV = "IAM_BASELINE_EXTERNAL_ID"
SIMULATE_ACTION = "iam:SimulatePrincipalPolicy"
PASS_ROLE = "iam:PassRole"
BATCH = 50  # actions per SimulatePrincipalPolicy call
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # a value a preview knows only after the deploy
UNKNOWN_TEXT = "(known after deploy)"
# What each step op calls, as lifecycle sets of a type's row (`optional` and PassRole are added by `requests_for_step`).
OP_SETS: dict[str, tuple[str, ...]] = {
    "create": ("create", "read", "tag"),
    "create-replacement": ("create", "read", "tag"),
    "replace": ("create", "read", "tag", "delete"),
    "update": ("update", "read", "tag", "untag"),
    "delete": ("delete",),
    "delete-replaced": ("delete",),
    "read": ("read",),
    "read-replacement": ("read",),
    "refresh": ("read",),
    "same": ("read",),  # a refresh reads it
    "import": ("read",),
    "import-replacement": ("read",),
}
CREATING_OPS = frozenset(("create", "create-replacement", "replace"))
DELETING_OPS = frozenset(("delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"))
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z]+)\}")


class PreflightInputError(ValueError):
    """Input preflight cannot use, or an account it cannot ask; the message is one line."""


@dataclass(frozen=True)
class Step:
    """One resource step of a preview (or, offline, of a program run): what it does to which resource."""

    op: str
    urn: str
    type: str
    inputs: Mapping[str, Any] = field(default_factory=dict)
    arn: str | None = None  # the resource's ARN when its state already holds one
    diffs: tuple[str, ...] | None = None  # the inputs an update changes, when the preview says


@dataclass(frozen=True)
class Request:
    """One action a step needs on one resource: an ARN, `*` for an action that acts on no resource type,
    or None when the resource's ARN is known only after the deploy. `context` holds condition keys the
    step's inputs decide (a created role's `iam:PermissionsBoundary`, empty when it has none)."""

    action: str
    resource: str | None
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Where:
    """The account the resources live in, for the ARNs derived from a type's ARN format."""

    partition: str
    account: str
    region: str


@dataclass(frozen=True)
class Outcome:
    """What was found for one request of one step: `allowed`, `missing`, `denied-by-design` or `unverifiable`."""

    kind: str
    step: Step
    request: Request
    why: str = ""
    fix: str = ""

    def to_json(self) -> dict[str, Any]:
        found = {"action": self.request.action, "type": self.step.type, "urn": self.step.urn, "step": self.step.op}
        return {**found, "resource": self.request.resource or "(known after deploy)", "why": self.why, "fix": self.fix}


@dataclass
class Report:
    """Every outcome that is not `allowed`, grouped as `--json` prints them, and the IAM principal problems."""

    outcomes: list[Outcome] = field(default_factory=list)
    principal_problems: list[dict[str, str]] = field(default_factory=list)
    checked: int = 0

    def of(self, kind: str) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind == kind]

    @property
    def failed(self) -> bool:
        return bool(self.of("missing") or self.of("denied-by-design") or self.principal_problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "missing": [o.to_json() for o in self.of("missing")],
            "deniedByDesign": [o.to_json() for o in self.of("denied-by-design")],
            "unverifiable": [o.to_json() for o in self.of("unverifiable")],
            "principalProblems": self.principal_problems,
        }

    def format(self) -> str:
        lines = []
        for kind, title in (("missing", "missing"), ("denied-by-design", "denied by design")):
            for o in self.of(kind):
                on = o.request.resource or "(resource known after deploy)"
                lines.append(f"{title}: {o.request.action} on {on}  [{o.step.op} {o.step.type} {o.step.urn}]")
                lines += [f"  {o.why}"] if o.why else []
                lines += [f"  fix: {o.fix}"] if o.fix else []
        unverifiable: dict[tuple[str, str], list[str]] = {}
        for o in self.of("unverifiable"):  # one line per step and reason: a bucket of unknown name asks many actions
            unverifiable.setdefault((f"{o.step.op} {o.step.type} {o.step.urn}", o.why), []).append(o.request.action)
        for (where, why), names in unverifiable.items():
            lines.append(f"unverifiable: {', '.join(names)}  [{where}]")
            lines.append(f"  {why}")
        for problem in self.principal_problems:
            lines.append(f"principal problem: {problem['action']}  [{problem['type']} {problem['urn']}]")
            lines.append(f"  {problem['problem']}")
        counts = ", ".join(f"{len(self.of(k))} {t}" for k, t in (("missing", "missing"), ("denied-by-design", "denied by design"),
                                                                    ("unverifiable", "unverifiable")))  # fmt: skip
        lines.append(f"# {self.checked} action(s) checked: {counts}, {len(self.principal_problems)} principal problem(s)")
        return "\n".join(lines) + "\n"


def known(value: Any) -> str | None:
    """Return a plain string input as it will be sent, or None when it is not known before the deploy."""
    if not isinstance(value, str) or not value or value == UNKNOWN or UNKNOWN_TEXT in value or UNKNOWN in value:
        return None
    return None if any(c.isspace() for c in value) else value


def _set(value: Any) -> bool:
    return value not in (None, "", [], {}, False)


def needed_actions(step: Step, row: Mapping[str, Any]) -> list[str]:
    """Return the actions a step needs, from its type's row: the op's lifecycle sets, then the calls the inputs
    it sets (a create: no destructive one) or changes (an update) add."""
    sets = OP_SETS.get(step.op, ())
    actions = {a for name in sets for a in row.get(name, ())}
    optional: Mapping[str, Sequence[str]] = row.get("optional") or {}
    if step.op in CREATING_OPS:
        destructive = set(row.get("destructive", ()))
        actions |= {a for key, calls in optional.items() if _set(step.inputs.get(key)) for a in calls if a not in destructive}
    elif step.op == "update":
        changed = step.diffs if step.diffs is not None else tuple(k for k, v in step.inputs.items() if _set(v))
        actions |= {a for key, calls in optional.items() if key in changed for a in calls}
    return sorted(actions)


def own_arn(step: Step, row: Mapping[str, Any], where: Where) -> str | None:
    """Return the step's resource ARN: its state's, else its type's ARN format filled from its inputs, else None."""
    if step.arn:
        return step.arn
    own = row.get("own") or {}
    template, fill = own.get("template"), own.get("fill") or {}
    if not template:
        return None
    values = {"Partition": where.partition, "Account": where.account, "Region": where.region}
    for placeholder, spec in fill.items():
        key = next((k for k in spec.get("candidates", ()) if k in step.inputs), None)
        name = known(step.inputs.get(key)) if key else None
        if name is None:
            return None
        if name.startswith("arn:"):  # an input that names the resource by its ARN (a function's `function`)
            return name if len(fill) == 1 else None
        if spec.get("path"):
            path = step.inputs.get("path", "/")
            if known(path) is None:
                return None
            name = str(path).lstrip("/") + name
        values[placeholder] = name
    placeholders = set(_PLACEHOLDER.findall(template))
    if not placeholders <= set(values):
        return None
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def requests_for_step(step: Step, row: Mapping[str, Any], where: Where) -> list[Request]:
    """Return what a step asks of the role: each needed action on its resource (with the condition keys its inputs decide)."""
    wide = set(row.get("requestWide", ()))
    own_actions = set((row.get("own") or {}).get("actions", ()))
    arn = own_arn(step, row, where)
    contexts: Mapping[str, Mapping[str, Any]] = row.get("context") or {}
    requests = []
    for action in needed_actions(step, row):
        resource = "*" if action in wide else arn if action in own_actions else None
        context = tuple(
            (key, tuple(v for v in [known(step.inputs.get(spec["input"]))] if v))
            for key, spec in sorted(contexts.items())
            if action in spec.get("actions", ())
        )
        requests.append(Request(action, resource, context))
    if step.op in CREATING_OPS or step.op == "update":
        changed = step.diffs if step.op == "update" and step.diffs is not None else tuple(step.inputs)
        for key in row.get("passRole", ()):
            if key in changed and _set(step.inputs.get(key)):
                value = known(step.inputs.get(key))
                requests.append(Request(PASS_ROLE, value if value and value.startswith("arn:") else None))
    return requests


def read_preview_steps(document: Any, source: str) -> list[Step]:
    """Return every resource step of `pulumi preview --json`'s output (the provider's and the stack's own steps left out)."""
    steps = document.get("steps") if isinstance(document, dict) else None
    if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
        raise PreflightInputError(f"--preview {source}: no `steps` list; is it the output of `pulumi preview --json`?")
    found = []
    for step in steps:
        op = str(step.get("op", ""))
        new, old = step.get("newState") or {}, step.get("oldState") or {}
        if not isinstance(new, dict) or not isinstance(old, dict):
            raise PreflightInputError(f"--preview {source}: a step's newState or oldState is not an object")
        state = new if op not in DELETING_OPS and new else old
        urn = str(step.get("urn", ""))
        parts = urn.split("::")
        typ = str(state.get("type") or (parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""))
        if not typ or typ.startswith(("pulumi:providers:", "pulumi:pulumi:Stack")) or not typ.startswith("aws:"):
            continue
        inputs = {k: v for k, v in (state.get("inputs") or {}).items() if v is not False}
        arn = next((o["arn"] for s in (new, old) if isinstance(o := s.get("outputs"), dict) and known(o.get("arn"))
                    and str(o["arn"]).startswith("arn:")), None)  # fmt: skip
        diffs = step.get("diffs")
        found.append(Step(op, urn, typ, inputs, arn, tuple(str(d) for d in diffs) if isinstance(diffs, list) else None))
    return found


def _load_json(path: Path, flag: str, what: str) -> Any:
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise PreflightInputError(f"{flag} {path}: no such file") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise PreflightInputError(f"{flag} {path}: not {what} ({str(error).splitlines()[0]})") from None


def read_actions_file(path: Path) -> dict[str, Any]:
    """Return the actions file `iam-baseline preflight --emit-actions` wrote; one line when it is not one."""
    document = _load_json(path, "--actions", "the JSON `iam-baseline preflight --emit-actions` writes")
    if not isinstance(document, dict) or document.get("version") != ACTIONS_FILE_VERSION or not isinstance(document.get("types"), dict):
        raise PreflightInputError(
            f"--actions {path}: not a version-{ACTIONS_FILE_VERSION} file of `iam-baseline preflight --emit-actions` (no `types`)"
        )
    return document


def requests_by_step(steps: Iterable[Step], actions: Mapping[str, Any], where: Where) -> list[tuple[Step, list[Request]]]:
    """Return each step with what it asks; a type the actions file lacks is one line naming every such type."""
    steps = list(steps)
    types: Mapping[str, Any] = actions["types"]
    unknown = sorted({s.type for s in steps if s.type not in types and OP_SETS.get(s.op)})
    if unknown:
        raise PreflightInputError(
            f"--actions: no row for {', '.join(unknown)}; ask the platform team to regenerate it "
            f"(iam-baseline preflight --service {actions.get('service', 'NAME')} ... --emit-actions FILE)"
        )
    return [(s, requests_for_step(s, types[s.type], where)) for s in steps if s.type in types]


def _fixes(actions: Mapping[str, Any], step: Step, request: Request, decision: str) -> tuple[str, str, str]:
    key = str(actions.get("configKey") or f"services.{actions.get('service', 'NAME')}")
    row = actions["types"].get(step.type, {})
    if decision == "explicitDeny" and (request.resource is not None or request.action in row.get("destructive", ())):
        if request.action in row.get("destructive", ()):
            return ("denied-by-design", "an explicit deny: deletes are denied in this environment (DenyDestructive)",
                    f"{key}.deleteWindow: {{until: '<a UTC instant>', reason: '<why>'}} (the platform team's config)")  # fmt: skip
        return (
            "denied-by-design",
            "an explicit deny in the role's policies: a guard of the baseline",
            "by design; see `iam-baseline explain`",
        )
    if request.resource is None:  # asked about `*`: a grant scoped to resources (or a guard on them) cannot be told
        return "unverifiable", "its resource's ARN is known only after the deploy, and the role's policies decide it only on '*'", ""
    fix = f"{key}.actions: add {request.action}"
    if request.resource != "*":
        fix += f" (if it is granted already: {key}.resources: add {request.resource})"
    return "missing", "no statement of the role's policies allows it", fix


def simulate(iam: Any, role_arn: str, pairs: list[tuple[Step, list[Request]]], actions: Mapping[str, Any], now: datetime) -> Report:
    """Return the report of IAM's policy simulator on every request, asked as `role_arn` about itself, in batches
    of actions per resource and context (each answer paged through `Marker`)."""
    groups: dict[tuple[str | None, tuple[tuple[str, tuple[str, ...]], ...]], set[str]] = {}
    for _, requests in pairs:
        for r in requests:
            groups.setdefault((r.resource, r.context), set()).add(r.action)
    decisions: dict[tuple[str, str | None, tuple[tuple[str, tuple[str, ...]], ...]], str] = {}
    at = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for (resource, context), names in sorted(groups.items(), key=lambda g: (g[0][0] or "", g[0][1])):
        ordered = sorted(names)
        entries = [{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [at], "ContextKeyType": "date"}]
        entries += [{"ContextKeyName": k, "ContextKeyValues": list(v), "ContextKeyType": "string"} for k, v in context if v]
        for start in range(0, len(ordered), BATCH):
            kwargs: dict[str, Any] = {"PolicySourceArn": role_arn, "ActionNames": ordered[start : start + BATCH], "ContextEntries": entries}
            if resource not in (None, "*"):
                kwargs["ResourceArns"] = [resource]
            for result in _pages(iam, kwargs):
                decisions[(result["EvalActionName"], resource, context)] = str(result["EvalDecision"])
    report = Report()
    for step, requests in pairs:
        for request in dict.fromkeys(requests):
            report.checked += 1
            decision = decisions.get((request.action, request.resource, request.context), "implicitDeny")
            if decision == "allowed":
                continue
            kind, why, fix = _fixes(actions, step, request, decision)
            report.outcomes.append(Outcome(kind, step, request, why, fix))
    return report


def _pages(iam: Any, kwargs: dict[str, Any]) -> Iterable[dict[str, Any]]:
    marker = None
    while True:
        answer = iam.simulate_principal_policy(**kwargs, **({"Marker": marker} if marker else {}))
        yield from answer.get("EvaluationResults", [])
        marker = answer.get("Marker")
        if not answer.get("IsTruncated") or not marker:
            return


def role_session(role_arn: str, region: str | None, token_file: Path | None, external_id: str | None) -> Any:
    """Return a boto3 session of the role: from a web-identity token, from the standard chain with the external ID,
    or the standard chain as it is; no credentials is one line."""
    import boto3
    import botocore.exceptions

    session_name = "ci-preflight"
    try:
        if token_file is not None:
            try:
                token = token_file.read_text().strip()
            except OSError as error:
                raise PreflightInputError(f"--web-identity-token-file {token_file}: cannot be read ({error.strerror})") from None
            sts = boto3.session.Session().client("sts", region_name=region)
            answer = sts.assume_role_with_web_identity(RoleArn=role_arn, RoleSessionName=session_name, WebIdentityToken=token,
                                                       DurationSeconds=900)  # fmt: skip
            return _session(answer["Credentials"], region)
        base = boto3.session.Session(region_name=region)
        if base.get_credentials() is None:
            raise PreflightInputError(
                "no AWS credentials: run it after assuming the service's role, with --web-identity-token-file (GitHub OIDC), "
                f"or with the CI key in the standard AWS chain and ${EXTERNAL_ID_ENV}"
            )
        if external_id:
            answer = base.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name, ExternalId=external_id,
                                                    DurationSeconds=900)  # fmt: skip
            return _session(answer["Credentials"], region)
        return base
    except botocore.exceptions.ClientError as error:
        details = error.response.get("Error", {})
        raise PreflightInputError(
            f"could not assume {role_arn}: {details.get('Code')}: {' '.join(str(details.get('Message')).split())}"
        ) from None
    except botocore.exceptions.BotoCoreError as error:
        raise PreflightInputError(f"could not assume {role_arn}: {' '.join(str(error).split())}") from None


def _session(credentials: Mapping[str, Any], region: str | None) -> Any:
    import boto3

    return boto3.session.Session(aws_access_key_id=credentials["AccessKeyId"], aws_secret_access_key=credentials["SecretAccessKey"],
                                 aws_session_token=credentials["SessionToken"], region_name=region)  # fmt: skip


def where_of(role_arn: str, region: str | None) -> Where:
    """Return the role's partition and account, and the region its resources are in."""
    parts = role_arn.split(":")
    if len(parts) < 6 or parts[0] != "arn" or parts[2] != "iam" or not parts[5].startswith("role/"):
        raise PreflightInputError(f"--role-arn {role_arn!r}: not a role ARN (arn:aws:iam::123456789012:role/...)")
    return Where(parts[1], parts[4], region or "")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m iam_baseline_consume.preflight", description=__doc__.split("\n\n")[0])
    parser.add_argument("--preview", type=Path, required=True, metavar="FILE", help="what `pulumi preview --json` printed")
    parser.add_argument("--actions", type=Path, required=True, metavar="FILE", help="what `iam-baseline preflight --emit-actions` wrote")
    parser.add_argument(
        "--role-arn", default=os.environ.get(ROLE_ARN_ENV), help=f"the service's provisioning role (default: ${ROLE_ARN_ENV})"
    )
    parser.add_argument(
        "--region", default=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"), help="default: $AWS_REGION"
    )
    parser.add_argument("--web-identity-token-file", type=Path, metavar="FILE", help="GitHub OIDC: exchange this token for the role")
    parser.add_argument("--json", action="store_true", help="print {missing, deniedByDesign, unverifiable, principalProblems}")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None, iam: Any = None, now: datetime | None = None) -> int:
    """Run the live preflight; `iam` is an IAM client to use instead of the role's session (tests: Stubber)."""
    args = parse_args(argv)
    try:
        if not args.role_arn:
            raise PreflightInputError(f"no role: pass --role-arn or set ${ROLE_ARN_ENV} (a variable `iam-baseline handoff` prints)")
        where = where_of(args.role_arn, args.region)
        steps = read_preview_steps(_load_json(args.preview, "--preview", "the JSON `pulumi preview --json` prints"), str(args.preview))
        actions = read_actions_file(args.actions)
        pairs = requests_by_step(steps, actions, where)
        if iam is None:
            iam = role_session(args.role_arn, args.region, args.web_identity_token_file, os.environ.get(EXTERNAL_ID_ENV)).client("iam")
        report = _simulated(iam, args.role_arn, pairs, actions, now or datetime.now(UTC))
    except PreflightInputError as error:
        print(f"preflight: {error}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(report.to_json(), indent=2) + "\n" if args.json else report.format())
    return 1 if report.failed else 0


def _simulated(iam: Any, role_arn: str, pairs: list[tuple[Step, list[Request]]], actions: Mapping[str, Any], now: datetime) -> Report:
    import botocore.exceptions

    try:
        return simulate(iam, role_arn, pairs, actions, now)
    except botocore.exceptions.NoCredentialsError:
        raise PreflightInputError("no AWS credentials: run it as a session of the service's role (see --help)") from None
    except botocore.exceptions.ClientError as error:
        details = error.response.get("Error", {})
        raise PreflightInputError(
            f"{SIMULATE_ACTION} on {role_arn} refused: {details.get('Code')}: {' '.join(str(details.get('Message')).split())} "
            "(only a session of that role may simulate it)"
        ) from None
    except botocore.exceptions.BotoCoreError as error:
        raise PreflightInputError(f"IAM could not be asked: {' '.join(str(error).split())}") from None


if __name__ == "__main__":
    sys.exit(main())
