"""The promise, attacked: one leaked service repository is worth one service, one account, one hour,
and no deletes in prod.

The attacker holds exactly what `handoff` gives one service's repository (its secrets and variables),
what its handoff stack holds (readable with that repository's passphrase), and, with GitHub OIDC, a
token for any of that repository's own subjects. Every role the baseline creates is then tried with
every credential the attacker holds: trusts through the policy simulator (it decides a missing
external ID and web-identity conditions, which moto cannot), state keys through the simulator, and
the static-key path again with real calls in moto with IAM enforcement.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baseline.design.handoff import handoff_stack_outputs, service_handoff
from tests.emulated_account import EmulatedAccount, denied, unwrap
from tests.helpers import project_of, render, render_shipped
from tests.policy_simulator import allows, principal, trust_admits, web_identity_admits

SUB = "token.actions.githubusercontent.com:sub"
AUD = "token.actions.githubusercontent.com:aud"
GITHUB = {
    "api": {"repository": "acme/api", "environments": ["production"]},
    "etl": {"repository": "acme@1001/etl@2002", "branches": ["main", "release/*"]},
    "web": {"repository": "acme/web", "branches": ["main"]},
    "shop": {"repository": "acme/shop", "branches": ["main"]},
}
SERVICES = {
    "api": {"actions": ["sqs:*", "dynamodb:*"]},
    "etl": {"actions": ["s3:*", "sqs:*"], "pulumiProject": "etl-pipeline"},
    "web": {"actions": ["iam:*", "lambda:*"]},
    # Split into components: one role each, and no role of its own.
    "shop": {"components": {"site": {"actions": ["s3:*"]}, "orders": {"actions": ["sqs:*", "iam:*"]}}},
}


def config(mode: str, isolation: str, services: dict[str, Any] = SERVICES) -> dict[str, Any]:
    with_github = {n: {**s, "github": GITHUB[n]} if mode != "user" else s for n, s in services.items()}
    return {"ci": {"mode": mode, "createAccessKey": mode != "github"}, "stateIsolation": isolation, "services": with_github}


@dataclass
class Role:
    name: str
    arn: str
    trust: dict[str, Any]
    policies: list[dict[str, Any]]
    max_session: int


def roles_of(rendering) -> dict[str, Role]:
    """Return every role the baseline registers, by name."""
    ctx = rendering.ctx
    policies: dict[str, list[dict[str, Any]]] = {}
    for p in rendering.of_type("aws:iam/rolePolicy:RolePolicy"):
        policies.setdefault(p.inputs["role"], []).append(json.loads(p.inputs["policy"]))
    return {
        r.inputs["name"]: Role(
            r.inputs["name"],
            f"arn:{ctx.partition}:iam::{ctx.account_id}:role{r.inputs['path']}{r.inputs['name']}",
            json.loads(r.inputs["assumeRolePolicy"]),
            policies.get(r.inputs["name"], []),
            int(r.inputs["maxSessionDuration"]),
        )
        for r in rendering.of_type("aws:iam/role:Role")
    }


@dataclass
class Holdings:
    """Everything one leaked service repository gives an attacker."""

    service: str
    secrets: dict[str, str]
    variables: dict[str, str]
    handoff_stack: dict[str, Any]
    subjects: list[str]

    @property
    def roles(self) -> list[dict[str, Any]]:
        """Return the provisioning roles its handoff stack names: its own and its components'."""
        own = [self.handoff_stack["role"]] if "role" in self.handoff_stack else []
        return own + list(self.handoff_stack.get("components", {}).values())

    @property
    def external_ids(self) -> set[str]:
        ids = {self.secrets.get("IAM_BASELINE_STATE_EXTERNAL_ID"), *(r.get("externalId") for r in self.roles)}
        return {i for i in ids if i}

    def text(self) -> str:
        return json.dumps([self.secrets, self.variables, self.handoff_stack], sort_keys=True)


def holdings(outputs: dict[str, Any], service: str) -> Holdings:
    handoff = service_handoff(outputs, service)
    stack = handoff_stack_outputs(outputs, service)
    # A workflow of the repository can get a token for any subject its role accepts: patterns filled in.
    held = Holdings(service, handoff.secrets, handoff.variables, stack, [])
    held.subjects = sorted({s.replace("*", "x").replace("?", "x") for r in held.roles for s in r.get("githubSubjects", [])})
    return held


def provisioning_roles(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a service's provisioning roles from its output entry: its own (if any) and its components'."""
    return ([entry] if "arn" in entry else []) + list(entry.get("components", {}).values())


def own_role_names(outputs: dict[str, Any], service: str) -> set[str]:
    entry = outputs["provisioningRoles"][service]
    state = entry.get("stateRole") or outputs["stateRole"]
    return {r["arn"].rsplit("/", 1)[1] for r in [*provisioning_roles(entry), state]}


def assumable(rendering, outputs: dict[str, Any], held: Holdings) -> set[str]:
    """Return the roles the attacker can assume with what it holds (policy simulator)."""
    reached = set()
    ci_arn = outputs.get("ciUser", {}).get("arn")
    ci = principal(ci_arn, []) if ci_arn and "AWS_ACCESS_KEY_ID" in held.secrets else None
    for name, role in roles_of(rendering).items():
        if ci is not None:
            for context in [{}, *({"sts:ExternalId": i} for i in held.external_ids)]:
                if trust_admits(role.trust, ci, role.arn, context):
                    reached.add(name)
        for subject in held.subjects:
            if web_identity_admits(role.trust, outputs["oidcProviderArn"], role.arn, {SUB: subject, AUD: "sts.amazonaws.com"}):
                reached.add(name)
    return reached


def state_keys(outputs: dict[str, Any], stack: str, service: str) -> dict[str, str]:
    """Return the state-bucket object ARNs that matter to the attack, by what they are."""
    bucket = outputs["stateBucketArn"]
    own_project = project_of(outputs["provisioningRoles"][service])
    other_project = project_of(outputs["provisioningRoles"][min(s for s in outputs["provisioningRoles"] if s != service)])
    return {
        "baseline checkpoint": f"{bucket}/.pulumi/stacks/iam-baseline/{stack}.json",
        "baseline history": f"{bucket}/.pulumi/history/iam-baseline/{stack}/{stack}-1.checkpoint.json",
        "baseline backup": f"{bucket}/.pulumi/backups/iam-baseline/{stack}/{stack}.1.json",
        "baseline lock": f"{bucket}/.pulumi/locks/organization/iam-baseline/{stack}/lock.json",
        "own state": f"{bucket}/.pulumi/stacks/{own_project}/prod.json",
        "own handoff": f"{bucket}/.pulumi/stacks/iam-baseline-handoff/{stack}.{own_project}.json",
        "other state": f"{bucket}/.pulumi/stacks/{other_project}/prod.json",
        "other handoff": f"{bucket}/.pulumi/stacks/iam-baseline-handoff/{stack}.{other_project}.json",
    }


def check_the_promise(rendering, stack: str, service: str) -> None:
    """Assert everything the attacker holding `service`'s repository can and cannot reach."""
    outputs = unwrap(rendering.outputs)
    held = holdings(outputs, service)
    roles = roles_of(rendering)
    own = own_role_names(outputs, service)
    shared = "stateRole" in outputs
    entry = outputs["provisioningRoles"][service]
    state_role = (entry.get("stateRole") or outputs["stateRole"])["arn"].rsplit("/", 1)[1]

    # One service: only its own roles, whatever it holds.
    assert assumable(rendering, outputs, held) == own, f"{service}'s repository assumes {assumable(rendering, outputs, held)}"
    for other, entry in outputs["provisioningRoles"].items():
        if other == service:
            continue
        ids = [r.get("externalId") for r in provisioning_roles(entry)]
        secrets = [*ids, entry["handoffPassphrase"], entry.get("stateRole", {}).get("externalId")]
        leaked = [s for s in secrets if s and s in held.text()]
        assert not leaked, f"{service}'s repository holds {other}'s secrets"
    assert held.secrets["PULUMI_CONFIG_PASSPHRASE"] not in {
        e["handoffPassphrase"] for n, e in outputs["provisioningRoles"].items() if n != service
    }

    # Its state, and never the baseline's; its handoff, read-only.
    keys = state_keys(outputs, stack, service)
    for name in own:
        node = principal(roles[name].arn, roles[name].policies)
        for what, key in keys.items():
            reads, writes = allows(node, "s3:GetObject", key), allows(node, "s3:PutObject", key)
            if what.startswith("baseline"):
                assert not reads and not writes, f"{name} reaches the {what}"
            elif what == "own state" and name == state_role:
                assert reads and writes, f"{name} cannot use its own state"
            elif what == "own handoff" and name == state_role:
                assert reads and not writes, f"{name}: its handoff must be readable, never writable"
            elif what == "other state" and shared and name == state_role:
                assert reads and writes, "shared state is shared (review warns)"
            elif what == "other handoff" and shared and name == state_role:
                assert reads and not writes, "the shared state role reads others' handoff stacks, encrypted with their passphrases"
            else:
                assert not reads and not writes, f"{name} reaches {what} ({key})"
            assert not allows(node, "s3:DeleteObject", key) or what == "own state" or (shared and what == "other state"), (
                f"{name} deletes {what}"
            )

    # One hour, and no credentials outliving it.
    for name in own:
        assert roles[name].max_session == 3600, f"{name} hands out sessions longer than an hour"
        node = principal(roles[name].arn, roles[name].policies)
        own_user = f"arn:aws:iam::{outputs['accountId']}:user/iam-baseline-services/{service}/u"
        for action in ("iam:CreateUser", "iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile"):
            assert not allows(node, action, own_user), f"{name} may {action}, even in its own path"
        assert not allows(node, "sts:AssumeRole", f"arn:aws:iam::{outputs['accountId']}:role/Admin"), f"{name} chains into another role"


MODES = [
    ("user", "per-service"),
    ("github", "per-service"),
    ("both", "per-service"),
    ("user", "shared"),
    ("github", "shared"),
    ("both", "shared"),
]


@pytest.fixture(scope="module", params=MODES, ids=[f"{m}-{i}" for m, i in MODES])
def mode(request):
    ci_mode, isolation = request.param
    return render(config(ci_mode, isolation), stack="prod", region="eu-west-1"), ci_mode


@pytest.mark.parametrize("service", sorted(SERVICES))
def test_a_leaked_repository_reaches_only_its_own_service(mode, service):
    rendering, _ = mode
    check_the_promise(rendering, "prod", service)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_shipped_stacks_keep_the_promise(stack):
    rendering = render_shipped(stack)
    for service in unwrap(rendering.outputs)["provisioningRoles"]:
        check_the_promise(rendering, stack, service)


def test_the_ci_user_trust_grants_no_session_tags_so_workflows_skip_them(mode):
    rendering, ci_mode = mode
    if ci_mode == "github":
        return
    outputs = unwrap(rendering.outputs)
    ci = principal(outputs["ciUser"]["arn"], [])
    role = outputs["provisioningRoles"]["api"]
    trust = roles_of(rendering)[role["arn"].rsplit("/", 1)[1]].trust
    assert trust_admits(trust, ci, role["arn"], {"sts:ExternalId": role["externalId"]})
    assert not trust_admits(trust, ci, role["arn"], {"sts:ExternalId": role["externalId"]}, action="sts:TagSession"), (
        "the static-key path must not let a caller set session tags; workflows set role-skip-session-tagging"
    )


@st.composite
def generated(draw):
    names = draw(st.lists(st.sampled_from(["api", "etl", "web", "jobs", "billing"]), min_size=2, max_size=4, unique=True))
    ci_mode = draw(st.sampled_from(["user", "github", "both"]))
    isolation = draw(st.sampled_from(["per-service", "shared"]))
    services = {}
    for index, name in enumerate(names):
        service: dict[str, Any] = {
            "actions": draw(st.sampled_from([["sqs:*"], ["s3:Get*", "s3:Put*"], ["iam:*", "ec2:*"], ["dynamodb:*"]]))
        }
        if ci_mode != "user" and (ci_mode == "github" or draw(st.booleans())):
            refs = draw(st.sampled_from([{"branches": ["main"]}, {"environments": ["production"]}, {"branches": ["release/*"]}]))
            service["github"] = {"repository": f"acme/{name}-{index}", **refs}
        services[name] = service
    return {"ci": {"mode": ci_mode, "createAccessKey": ci_mode != "github"}, "stateIsolation": isolation, "services": services}, draw(
        st.sampled_from(names)
    )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=generated(), stack=st.sampled_from(["dev", "prod"]))
def test_generated_configs_keep_the_promise(case, stack):
    raw, attacker = case
    check_the_promise(render(raw, stack=stack, region="eu-west-1"), stack, attacker)


# -- the static-key path with real calls ---------------------------------------------------------


@pytest.fixture(scope="module")
def emulated():
    with EmulatedAccount(render(config("user", "per-service"), stack="prod", region="eu-west-1")) as account:
        yield account


@pytest.mark.parametrize("service", ["api", "shop"])  # shop: split into components
def test_in_the_emulator_a_leaked_repository_assumes_only_its_own_roles(emulated, service):
    outputs = emulated.outputs
    held = holdings(outputs, service)
    assert held.secrets["AWS_ACCESS_KEY_ID"] == outputs["ciUser"]["accessKeyId"]
    own = own_role_names(outputs, service)
    with emulated.enforced():
        for name, role in emulated.all_roles().items():
            admitted = [i for i in held.external_ids if not denied(emulated.role_credentials, role["arn"], i)]
            if role["arn"].rsplit("/", 1)[1] in own:
                assert admitted, f"{service} cannot assume its own {name}"
            else:
                assert not admitted, f"{service}'s repository assumed {name}"


def test_in_the_emulator_its_state_role_reaches_its_own_state_and_handoff_only(emulated):
    outputs = emulated.outputs
    bucket = outputs["stateBucketName"]
    api = outputs["provisioningRoles"]["api"]
    admin = emulated.admin("s3")
    for key in (".pulumi/stacks/iam-baseline/prod.json", ".pulumi/stacks/iam-baseline-handoff/prod.api.json",
                ".pulumi/stacks/iam-baseline-handoff/prod.etl-pipeline.json", ".pulumi/stacks/etl-pipeline/prod.json"):  # fmt: skip
        admin.put_object(Bucket=bucket, Key=key, Body=b"{}")
    with emulated.enforced():
        s3 = emulated.as_role(api["stateRole"], "s3")
        s3.put_object(Bucket=bucket, Key=".pulumi/stacks/api/prod.json", Body=b"{}")
        assert s3.get_object(Bucket=bucket, Key=".pulumi/stacks/iam-baseline-handoff/prod.api.json")["Body"].read() == b"{}"
        assert denied(s3.put_object, Bucket=bucket, Key=".pulumi/stacks/iam-baseline-handoff/prod.api.json", Body=b"x")
        for key in (".pulumi/stacks/iam-baseline/prod.json", ".pulumi/stacks/iam-baseline-handoff/prod.etl-pipeline.json",
                    ".pulumi/stacks/etl-pipeline/prod.json"):  # fmt: skip
            assert denied(s3.get_object, Bucket=bucket, Key=key), f"api's state role read {key}"
            assert denied(s3.put_object, Bucket=bucket, Key=key, Body=b"x"), f"api's state role wrote {key}"
