"""Each provisioning role may ask IAM's policy simulator about itself (the live preflight) and about nothing
else, and this adds no reach: proved with the offline policy simulator on the rendered documents, before
(DenyBaselineIam on `iam:*`) and after (`NotAction: iam:SimulatePrincipalPolicy`, DenySimulatingOthers,
AllowSimulatingItself), for a service granted `iam:*` and one without IAM, on every pair of a sampled action
and a resource a request for it can name (nothing but IAM, and STS's role actions, acts on IAM ARNs)."""

from __future__ import annotations

import copy

import pytest

from baseline.aws.catalog import get_actions_for_service, get_resource_arn_patterns, globs_overlap
from tests.emulated_account import unwrap
from tests.helpers import render, role_documents
from tests.policy_simulator import allows, principal

SIMULATE = "iam:SimulatePrincipalPolicy"
SERVICES = {"admin": {"actions": ["iam:*", "sqs:*"], "resources": ["*"]}, "queue": {"actions": ["sqs:*", "s3:*"], "resources": ["*"]}}


@pytest.fixture(scope="module", params=["dev", "prod"])
def account(request):
    rendering = render({"ci": {"createAccessKey": True}, "services": SERVICES}, stack=request.param)
    outputs = unwrap(rendering.outputs)
    documents = role_documents(rendering)
    roles = outputs["provisioningRoles"]
    arn = roles["admin"]["arn"]
    acct, prefix = arn.split(":")[4], arn.split(":role/")[1].split("/")[0]
    return {
        "outputs": roles,
        "roles": {name: {"arn": r["arn"], "documents": documents[r["arn"].rsplit("/", 1)[1]][1]} for name, r in roles.items()},
        "others": {
            "the other service's role": None,  # per service, see targets()
            "its own state role": None,
            "the other service's state role": None,
            "the CI user": outputs["ciUser"]["arn"],
            "an outside role": f"arn:aws:iam::{acct}:role/outside",
            "an outside user": f"arn:aws:iam::{acct}:user/someone",
            "a role the service created": f"arn:aws:iam::{acct}:role/{prefix}-services/admin/handler",
        },
        "baseline": {
            "a baseline policy": f"arn:aws:iam::{acct}:policy/{prefix}/{prefix}-ci-boundary",
            "a baseline group": f"arn:aws:iam::{acct}:group/{prefix}/{prefix}-ci",
            "the state bucket": outputs["stateBucketArn"],
            "a queue": f"arn:aws:sqs:us-east-1:{acct}:jobs",
            "anything": "*",
        },
    }


def targets(account, service):
    """Return every principal but the service's own role: its state role, the other service's roles, the CI user, outsiders."""
    other = account["outputs"]["queue" if service == "admin" else "admin"]
    return {**account["others"], "the other service's role": other["arn"], "the other service's state role": other["stateRole"]["arn"],
            "its own state role": account["outputs"][service]["stateRole"]["arn"]}  # fmt: skip


def before(documents):
    """Return the documents as they were before self-simulation: DenyBaselineIam on iam:*, nothing else."""
    old = copy.deepcopy(documents)
    for doc in old:
        statements = []
        for stmt in doc["Statement"]:
            if stmt.get("Sid") in ("DenySimulatingOthers", "AllowSimulatingItself"):
                continue
            if stmt.get("Sid") == "DenyBaselineIam":
                stmt = {"Sid": "DenyBaselineIam", "Effect": "Deny", "Action": ["iam:*"], "Resource": stmt["Resource"]}
            statements.append(stmt)
        doc["Statement"] = statements
    return old


def can_name(action, arn):
    """Return whether a request for the action can carry this resource: `*`, or an ARN one of the action's resource
    types can have (compared field by field). `sqs:CreateQueue` on a role's ARN is no request AWS ever evaluates."""
    if arn == "*":
        return True
    patterns = get_resource_arn_patterns(action)
    return any(all(globs_overlap(x, y) for x, y in zip(p.split(":", 5), arn.split(":", 5), strict=True)) for p in patterns)


@pytest.mark.parametrize("service", ["admin", "queue"])
def test_the_role_may_simulate_itself(account, service):
    role = account["roles"][service]
    assert allows(principal(role["arn"], role["documents"]), SIMULATE, role["arn"])
    assert not allows(principal(role["arn"], before(role["documents"])), SIMULATE, role["arn"]), "the baseline's path was off limits"


@pytest.mark.parametrize("service", ["admin", "queue"])
def test_the_role_may_simulate_no_other_principal_even_granted_iam(account, service):
    role = account["roles"][service]
    node = principal(role["arn"], role["documents"])
    simulated = [who for who, arn in targets(account, service).items() if allows(node, SIMULATE, arn)]
    assert simulated == [], f"{service} may simulate {simulated}"


@pytest.mark.parametrize("service", ["admin", "queue"])
def test_every_other_decision_is_unchanged(account, service):
    role = account["roles"][service]
    after, old = principal(role["arn"], role["documents"]), principal(role["arn"], before(role["documents"]))
    actions = sorted({*get_actions_for_service("iam"), SIMULATE, "iam:PassRole", "iam:CreateRole", "iam:PutRolePolicy",
                      "sqs:CreateQueue", "sqs:DeleteQueue", "s3:GetObject", "s3:CreateBucket", "sts:AssumeRole", "sts:TagSession"})  # fmt: skip
    resources = {"itself": role["arn"], **targets(account, service), **account["baseline"]}
    changed = {
        (action, where)
        for action in actions
        for where, arn in resources.items()
        if can_name(action, arn) and allows(after, action, arn) != allows(old, action, arn)
    }
    assert sum(can_name(a, arn) for a in actions for arn in resources.values()) > 500, "a sample worth the name"
    gained = {(SIMULATE, "itself")}
    # Before, a role granted iam:* could simulate principals outside the baseline's path; now only itself.
    lost = {(SIMULATE, w) for w, arn in resources.items() if w != "itself" and can_name(SIMULATE, arn) and allows(old, SIMULATE, arn)}
    assert changed == gained | lost
    assert all(not allows(after, a, arn) for a, w in lost for arn in [resources[w]])
    # Granted iam:*, it could simulate principals outside the baseline's path before; without IAM, nothing, then or now.
    assert bool(lost) == (service == "admin")
