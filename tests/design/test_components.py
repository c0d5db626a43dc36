"""`services.<name>.uses` and `services.<name>.components`: manifests merged into grants, one role per
component, and every bad input refused with its key before anything is registered."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import pytest

from baseline.design.config import parse_config
from baseline.design.findings import ConfigError
from baseline.design.handoff import handoff_stack_outputs, service_handoff
from baseline.design.manifests import INSTALLED, GivenManifests, parse_manifest
from baseline.offline.engine import reveal
from iam_baseline_consume import ServiceNotInBaseline, select_role
from tests.helpers import render

QUEUE = {
    "manifestVersion": 1,
    "component": "acme:components:Queue",
    "actions": ["sqs:CreateQueue", "sqs:GetQueueAttributes", "sqs:TagQueue"],
    "deleteActions": ["sqs:DeleteQueue"],
    "resources": ["arn:aws:sqs:*:*:{queuePrefix}-*"],
    "passesRoles": False,
}
FUNCTION = {
    "manifestVersion": 1,
    "component": "acme:components:Function",
    "actions": ["lambda:CreateFunction", "lambda:GetFunction"],
    "deleteActions": ["lambda:DeleteFunction"],
    "passesRoles": True,
}
MANIFESTS = GivenManifests({"acme.queue": QUEUE, "acme.function": FUNCTION})
NOW = datetime(2026, 11, 28, tzinfo=UTC)


def parse(services, stack="dev", manifests=MANIFESTS, **top):
    return parse_config({"services": services, **top}, stack, now=NOW, manifests=manifests)


def errors(services, **kwargs):
    with pytest.raises(ConfigError) as raised:
        parse(services, **kwargs)
    return {f.location: f.detail for f in raised.value.findings}


def test_uses_merges_manifests_with_actions_and_fills_placeholders():
    svc = parse({"api": {"uses": ["acme.queue", "acme.function"], "actions": ["sns:CreateTopic"], "resources": ["*"]}}).services[0]
    assert set(svc.actions) == {
        *QUEUE["actions"],
        *QUEUE["deleteActions"],
        *FUNCTION["actions"],
        *FUNCTION["deleteActions"],
        "iam:PassRole",
        "sns:CreateTopic",
    }
    scoped = parse({"api": {"uses": ["acme.queue"], "placeholders": {"queuePrefix": "jobs"}}}).services[0]
    assert scoped.resources == ("arn:aws:sqs:*:*:jobs-*",)
    # A manifest without resources is unscoped, so the union is everything.
    unscoped = parse({"api": {"uses": ["acme.queue", "acme.function"], "placeholders": {"queuePrefix": "jobs"}}}).services[0]
    assert unscoped.resources == ("*",)


def test_components_get_their_own_grants_and_the_services_defaults():
    svc = parse(
        {
            "api": {
                "allowDelete": False,
                "placeholders": {"queuePrefix": "api"},
                "components": {"jobs": {"uses": ["acme.queue"]}, "fn": {"actions": ["lambda:GetFunction"], "allowDelete": True}},
            }
        }
    ).services[0]
    assert not svc.has_own_role
    by_name = {c.name: c for c in svc.components}
    assert by_name["jobs"].allow_delete is False and by_name["fn"].allow_delete is True
    assert by_name["jobs"].resources == ("arn:aws:sqs:*:*:api-*",)
    assert svc.component_unit(by_name["jobs"]).name == "api-jobs"


@pytest.mark.parametrize(
    ("services", "key", "phrase"),
    [
        ({"api": {"uses": ["acme.nope"]}}, "services.api.uses[0]", "installed: acme.function, acme.queue"),
        ({"api": {"uses": ["acme.queue"]}}, "services.api.uses[0]", "placeholder(s) queuePrefix"),
        (
            {"api": {"components": {"jobs": {"uses": ["acme.queue"]}}}},
            "services.api.components.jobs.uses[0]",
            "set them in services.api.placeholders",
        ),
        ({"api": {"uses": "acme.queue"}}, "services.api.uses", "non-empty list"),
        (
            {"api": {"placeholders": {"service": "x"}, "actions": ["sqs:ListQueues"]}},
            "services.api.placeholders.service",
            "filled by the baseline",
        ),
        ({"api": {}}, "services.api.actions", "give actions, uses"),
        ({"api": {"actions": ["sqs:ListQueues"], "placeholders": ["x"]}}, "services.api.placeholders", "must be a map"),
        ({"api": {"actions": ["sqs:ListQueues"], "placeholders": {"x": "a b"}}}, "services.api.placeholders.x", "without spaces"),
        (
            {"api": {"components": {"jobs": {"actions": ["sqs:ListQueues"], "allowDelete": "maybe"}}}},
            "services.api.components.jobs.allowDelete",
            "true or false",
        ),
        ({"api": {"components": {}}}, "services.api.components", "non-empty map"),
        ({"api": {"components": {"jobs": {}}}}, "services.api.components.jobs.actions", "give actions, uses"),
        (
            {"api": {"components": {"x" * 60: {"actions": ["sqs:ListQueues"]}}}},
            f"services.api.components.{'x' * 60}",
            "invalid component name",
        ),
        ({"api": {"components": {"a/b": {"actions": ["sqs:ListQueues"]}}}}, "services.api.components.a/b", "invalid component name"),
        (
            {"api": {"components": {"jobs": {"actions": ["sqs:ListQueues"], "externalId": "abc"}}}},
            "services.api.components.jobs.externalId",
            "unknown key",
        ),
        (
            {"api": {"actions": ["sqs:*"], "components": {"jobs": {"actions": ["sqs:CreateQueue"]}}}},
            "services.api.components.jobs",
            "already grants everything this component does",
        ),
        (
            {"api-jobs": {"actions": ["sqs:ListQueues"]}, "api": {"components": {"jobs": {"actions": ["sns:ListTopics"]}}}},
            "services.api.components.jobs",
            "is also services.api-jobs's role",
        ),
    ],
)
def test_bad_component_input_names_its_key(services, key, phrase):
    found = errors(services)
    assert key in found, found
    assert phrase in found[key]


@pytest.mark.parametrize(
    ("manifest", "phrase"),
    [
        ({**QUEUE, "actions": ["sqs:CreateQeue"]}, "'sqs:CreateQeue' is not in the IAM action catalogue"),
        ({**QUEUE, "actions": ["*"]}, "not a service:Action"),
        ({**QUEUE, "actions": ["sts:AssumeRole"]}, "reaches sts:AssumeRole"),
        ({**QUEUE, "manifestVersion": 2}, "manifestVersion must be 1"),
        ({**QUEUE, "grantsEverything": True}, "unknown key 'grantsEverything'"),
        ({**QUEUE, "actions": []}, "actions must not be empty"),
        ("not a map", "is not a mapping"),
    ],
)
def test_an_invalid_manifest_is_refused_at_the_uses_entry(manifest, phrase):
    found = errors({"api": {"uses": ["acme.bad"], "placeholders": {"queuePrefix": "q"}}}, manifests=GivenManifests({"acme.bad": manifest}))
    assert phrase in found["services.api.uses[0]"]


def test_bad_input_registers_nothing():
    with pytest.raises(ConfigError):
        render({"services": {"api": {"uses": ["acme.does-not-exist"]}}})


def test_the_shipped_example_manifests_are_installed_and_valid():
    assert {"acme.queue-worker", "acme.static-site"} <= set(INSTALLED.available())
    for name in ("acme.queue-worker", "acme.static-site"):
        manifest = parse_manifest(name, INSTALLED.load(name))
        assert not isinstance(manifest, list), manifest


SPLIT = {
    "ci": {"createAccessKey": True},
    "services": {
        "shop": {
            "placeholders": {"sitePrefix": "shop"},
            "components": {"site": {"uses": ["acme.static-site"]}, "orders": {"uses": ["acme.queue-worker"], "deleteWindow": None}},
        },
        "api": {"actions": ["sqs:ListQueues"], "components": {"jobs": {"uses": ["acme.queue-worker"]}}},
    },
}


@pytest.fixture(scope="module")
def split():
    config = copy.deepcopy(SPLIT)
    del config["services"]["shop"]["components"]["orders"]["deleteWindow"]
    return render(config, stack="prod")


def test_outputs_hold_one_entry_per_component(split):
    roles = reveal(split.outputs)["provisioningRoles"]
    assert "arn" not in roles["shop"] and set(roles["shop"]["components"]) == {"orders", "site"}
    for role in roles["shop"]["components"].values():
        assert role["arn"].startswith("arn:aws:iam::") and role["externalId"] and role["allowDelete"] is False
    assert roles["api"]["arn"].endswith("/iam-baseline-svc-api") and roles["api"]["components"]["jobs"]["arn"].endswith("-svc-api-jobs")
    # Every component role has its own external ID, and its state goes through the service's one state role.
    ids = [r["externalId"] for r in roles["shop"]["components"].values()]
    assert len(set(ids)) == 2
    assert [r.inputs["name"] for r in split.of_type("aws:iam/role:Role") if "state-shop" in r.inputs["name"]] == ["iam-baseline-state-shop"]


def test_the_ci_principal_may_assume_the_component_roles(split):
    group = next(r for r in split.of_type("aws:iam/groupPolicy:GroupPolicy"))
    resources = json.dumps(json.loads(group.inputs["policy"]))
    assert "iam-baseline-svc-shop-site" in resources and "iam-baseline-svc-shop-orders" in resources


def test_component_roles_carry_the_service_role_protections(split):
    policies = {
        p.inputs["role"]: json.loads(p.inputs["policy"])
        for p in split.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.inputs["name"] == "provisioning"
    }
    sids = {s.get("Sid") for s in policies["iam-baseline-svc-shop-orders"]["Statement"]}
    assert sids == {s.get("Sid") for s in policies["iam-baseline-svc-api"]["Statement"]}
    assert "DenyDestructive" in sids  # prod: no deletes


def test_the_handoff_and_provider_for_reach_each_component(split):
    outputs = reveal(split.outputs)
    handoff = handoff_stack_outputs(outputs, "shop")
    assert "role" not in handoff and set(handoff["components"]) == {"orders", "site"}
    variables = service_handoff(outputs, "shop").variables
    assert "IAM_BASELINE_ROLE_ARN" not in variables
    assert variables["IAM_BASELINE_ROLE_ARN_ORDERS"] == outputs["provisioningRoles"]["shop"]["components"]["orders"]["arn"]
    assert select_role(None, handoff["components"], "shop", "site") == handoff["components"]["site"]
    with pytest.raises(ServiceNotInBaseline, match="pass component="):
        select_role(None, handoff["components"], "shop", None)
    with pytest.raises(ServiceNotInBaseline, match="no component 'db'"):
        select_role(None, handoff["components"], "shop", "db")
    both = handoff_stack_outputs(outputs, "api")
    assert select_role(both["role"], both.get("components"), "api", None)["arn"].endswith("-svc-api")


def test_the_handoff_stack_exports_component_roles_as_secrets(split):
    from baseline.cli.publish import handoff_program
    from baseline.offline.engine import Secret, run_offline

    values = handoff_stack_outputs(reveal(split.outputs), "shop")
    rendering = run_offline(handoff_program(values), "prod.shop", {}, project="iam-baseline-handoff")
    assert isinstance(rendering.outputs["components"], Secret)
    assert reveal(rendering.outputs) == values


def test_component_roles_count_toward_the_role_quota_and_their_trusts_are_sized():
    from baseline.aws.arns import AccountContext
    from baseline.design.blueprint import role_names
    from baseline.design.designer import design_baseline

    services = {f"s{i}": {"components": {f"c{j}": {"actions": ["sqs:ListQueues"]} for j in range(3)}} for i in range(260)}
    config = parse(services)
    bp = design_baseline(config, AccountContext("123456789012", "us-east-1", "aws", "amazonaws.com"))
    assert len(role_names(bp)) == 260 * (3 + 1)  # three component roles and one state role each
    assert [w.code for w in bp.warnings] == ["role-quota"]
    assert "1040 roles" in bp.warnings[0].detail


def test_a_component_delete_window_is_output_under_service_and_component():
    from datetime import timedelta

    until = (datetime.now(UTC) + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    window = {"until": until, "reason": "drop the old queue"}
    outputs = reveal(
        render({"services": {"shop": {"components": {"orders": {"actions": ["sqs:*"], "deleteWindow": window}}}}}, stack="prod").outputs
    )
    assert outputs["deleteWindows"] == {"shop/orders": window}
