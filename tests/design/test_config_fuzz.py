"""Fuzzing the config (issue #20): any value at any documented key, and mutations of the shipped stacks.

Two kinds of property. Robustness: `parse_config` returns a config or raises `ConfigError` whose every
finding names a config key, and the design step likewise; any other exception is a crash. Safety: what
parses is never dangerous (no role chaining or `*`, no deletes in prod unless asked for by name, no
pull-request subjects in prod, ARN-shaped resources) and no value of the wrong type is coerced.
tests/proofs/test_properties.py checks the designed documents for well-formed configs; this module
feeds malformed and hostile ones.
"""

from __future__ import annotations

import copy
import json
import os
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, currently_in_test_context, event, given, settings
from hypothesis import strategies as st

from baseline.aws.catalog import get_actions_matching, globs_overlap
from baseline.design import quotas
from baseline.design.config import BaselineConfig, decode_pulumi_config, parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.reference import CONFIG_KEYS, child_keys
from tests.helpers import CTX, PROJECT_DIR, encode

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
ENVIRONMENTS = ("dev", "prod", "staging", "production", "test", "sandbox")
STACKS = ("dev", "prod", "staging")
# IAM_BASELINE_FUZZ_EXAMPLES=5000 fuzzes harder locally; the suite keeps to a few seconds per test.
EXAMPLES = int(os.environ.get("IAM_BASELINE_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TOP_LEVEL_KEYS = child_keys("")
DOCUMENTED_NAMES = sorted({part for d in CONFIG_KEYS for part in d.key.split(".") if not part.startswith("<")})
# What a config may never let a provisioning role do: assume roles (or root), or every action.
FORBIDDEN_ACTION_PREFIXES = ("sts:AssumeRole", "sts:AssumeRoot")
ARN = re.compile(r"arn:(\*|aws[a-z-]*):[a-z0-9*-]+:[a-z0-9*-]*:(\d{12}|\*)?:\S(.*\S)?", re.ASCII)
IN_WINDOW = (NOW + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ")

# -- values -------------------------------------------------------------------------------------------

EDGE_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "true",
        "false",
        "True",
        "FALSE",
        " true",
        "false ",
        "yes",
        "no",
        "on",
        "1",
        "0",
        "-1",
        "null",
        "~",
        "*",
        "prod",
        " prod",
        "pr\u043ed",  # Cyrillic o
        "\uff50\uff52\uff4f\uff44",  # fullwidth prod
        "\u0663\u0666\u0660\u0660",  # Arabic-Indic digits
        "\U0001d7f9\U0001d7fa",  # mathematical digits
        "3600",
        " 3600 ",
        "+3600",
        "3600.0",
        "0x10",
        "1e3",
        "9" * 5000,
        "x" * 20_000,
        "\x00",
        "line\nbreak",
        "tab\there",
        "[1, 2]",
        '{"a": 1}',
        "sts:AssumeRole",
        "arn:aws:iam::123456789012:role/x",
        "acme/api",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 1, 2**31, 2**64, -(2**80), 10**400]),
    st.floats(),
    st.text(max_size=30),
    EDGE_STRINGS,
)
JUNK = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.text(max_size=8), st.sampled_from(DOCUMENTED_NAMES)), inner, max_size=4),
    ),
    max_leaves=8,
)


def weighted(*options: tuple[int, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """Return one of the strategies, each as often as its weight says. (Repeating a strategy in
    one_of would do, but one_of's repr repeats it too, and nested that grows exponentially.)"""
    choices = [strategy for weight, strategy in options for _ in range(weight)]
    return st.integers(0, len(choices) - 1).flatmap(lambda i: choices[i])


def case_variant(key: str) -> st.SearchStrategy[str]:
    """Return keys a reviewer reads as `key`: other case, padding, a look-alike letter."""
    variants = [key[:1].upper() + key[1:], key.lower(), key.upper(), f" {key}", f"{key} ", key.replace("o", "\u043e", 1)]
    return st.sampled_from(sorted({v for v in variants if v != key}))


def mapping(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Return maps of these keys, sometimes with a near-miss spelling of one of them added."""
    keys = sorted({*required, *optional})
    base = st.fixed_dictionaries(required, optional=optional)
    near_miss = st.tuples(base, st.sampled_from(keys).flatmap(case_variant), SCALARS).map(lambda t: {**t[0], t[1]: t[2]})
    return weighted((4, base), (1, near_miss))


REFS = (["main", "release/*", "feature/?", "v1.*"], ["*", "pull_request", "a" * 255, "*" * 255, "a" * 254 + "*", "", "ma in", "m\u0430in"])
INSTANTS = (
    [IN_WINDOW, NOW + timedelta(hours=1)],
    [
        (NOW - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        (NOW + timedelta(hours=1000)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "9999-12-31T23:59:59-12:00",
        "0001-01-01T00:00:00+01:00",
        "2026-03-01T13:00:00",
        "2026-03-01",
        "soon",
        datetime(9999, 12, 31, 23, 0, tzinfo=UTC),
    ],
)
BOOLEANS = ([True, False, "true", "false", "True", "FALSE"], ["yes", "no", "1", "0", 1, 0, " true", "false ", "", None, "\uff54rue"])
BAD_NUMBERS = [0, -1, 2**64, 3600.0, "0x10", "-5", True, "+1", "\u0663", "9" * 5000, " "]
# Per key name: values that parse, and values that look right to a reviewer but are wrong or dangerous.
VALUES: dict[str, tuple[list[Any], list[Any]]] = {
    "environment": (list(ENVIRONMENTS), ["PROD", " prod", "pr\u043ed", "eu-prd-1", ""]),
    "accountId": (["123456789012"], ["12345", " 123456789012", "\u0661" * 12, 123456789012]),
    "allowDelete": BOOLEANS,
    "kms": BOOLEANS,
    "forceDestroy": BOOLEANS,
    "createAccessKey": BOOLEANS,
    "pullRequests": BOOLEANS,
    "maxDeleteWindowHours": ([1, 24, 168, "48"], [*BAD_NUMBERS, 169]),
    "managedPoliciesPerRole": ([1, 10, 20, " 15 "], [*BAD_NUMBERS, 21]),
    "noncurrentVersionDays": ([1, 90, " 30 "], [*BAD_NUMBERS, 36_501]),
    "maxKeyAgeDays": ([1, 90, "365"], [*BAD_NUMBERS, 3_651]),
    "maxSessionDuration": ([3600, 43200, "7200"], [*BAD_NUMBERS, 900, 43_201]),
    "stateIsolation": (["shared", "per-service"], ["Shared", "", " shared"]),
    "namePrefix": (["acme", "acme-iac"], ["", "a b", "x" * 59, "\u00fcn\u00ef", "acme\n"]),
    "profile": (["ops"], ["", "a b"]),
    "roleArn": (["arn:aws:iam::123456789012:role/Ops"], ["arn:aws:iam::1:role/x", " arn:aws:iam::123456789012:role/Ops"]),
    "name": (["my-state-bucket"], ["Bad_Name", "xn--abc", "", "1.2.3.4"]),
    "userName": (["ci"], ["", "a" * 65, "a b"]),
    "mode": (["both"], ["github", "GitHub", "", " github", "user "]),
    "providerArn": (["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"], ["arn:aws:iam::1:x"]),
    "allowedSourceCidrs": (["203.0.113.0/24", "::/0"], ["1.2.3.4/33", "abc", "", "fe80::1%eth0/64"]),
    "requireSessionName": (["ci-*"], ["", "a b", "x" * 65]),
    "actions": (
        ["sqs:SendMessage", "sqs:*", "s3:Get*", "ec2:Describe*", "iam:PassRole", "iam:*", "dynamodb:DeleteTable", "sts:GetCallerIdentity"],
        [
            "*",
            "*:*",
            "s*:*",
            "sts:*",
            "sts:Assume*",
            "sts:AssumeRole",
            "sts:assumerole",
            "STS:AssumeRole",
            "sts:AssumeRol?",
            "sts:AssumeRole ",
            "sts:AssumeR\u043ele",
            "sts:AssumeRoot",
            "sts:AssumeRoo*",
            "sts:*Root",
            "sqs:SendMesage",
            "nope",
            "",
        ],
    ),
    "uses": (["acme.queue-worker", "acme.static-site"], ["nope", "", "ACME.queue-worker"]),
    "resources": (
        ["*", "arn:aws:s3:::data-*", "arn:aws:sqs:eu-west-1:111122223333:jobs-*", "arn:aws:iam::*:role/*", "arn:aws:s3:::data/my file"],
        [
            "arn:*:*:*:*:*",
            "my-queue",
            " *",
            "* ",
            "arn:aws:s3:::x ",
            " arn:aws:s3:::x",
            "arn:aws:s3:::x\n",
            "arn:aws:s3:::x\u200b",
            "arn:aws:s3:::x\u00a0",
            "arn:aws:nosuchsvc:us-east-1:123456789012:x",
            "arn:aws:sqs:eu-west-1:12345:q",
            "arn:aws:sqs:eu-west-1:111122223333:" + "q" * 3000,
            "",
        ],
    ),
    "repository": (
        ["acme/api", "acme/web", "acme@1/api@2"],
        [
            "acme/*",
            "*/api",
            "acme",
            "acme/api@1",
            "acme/api/x",
            " acme/api",
            "acme/api\n",
            "o" * 39 + "/" + "r" * 100,
            "o@" + "1" * 3000 + "/r@1",
        ],
    ),
    "branches": REFS,
    "environments": REFS,
    "until": INSTANTS,
    "reason": (["drop the old table"], ["", " ", 5]),
    "pulumiProject": (["api-project", "etl-project"], ["iam-baseline", "IAM-Baseline-handoff", "a b", ""]),
    "externalId": (["ok-id-1", "ok-id-2"], ["", "x", " padded", "x" * 1225, "\u00fcn\u00ef"]),
    "placeholder": (["acme-site", "blue"], ["*", "", "a b", "{x}", "x:y", 5]),
    "service name": (["api", "etl", "a-b", "a", "b"], ["Api", "API", "has space", "\u00fcn\u00ef", "", "x" * 60, "api "]),
    "component name": (["db", "queue", "site"], ["Db", "b", "x" * 60, "", "a b"]),
    "placeholder name": (["sitePrefix", "env"], ["service", "component", "bad name", "1x", ""]),
}


def configs(junk: bool) -> st.SearchStrategy[dict[str, Any]]:
    """Return configs of good values; with `junk`, also hostile values and any JSON value at any key."""

    def either(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return weighted((2, valid), (1, JUNK)) if junk else valid

    def value(name: str) -> st.SearchStrategy[Any]:
        good, hostile = VALUES[name]
        return either(weighted((2, st.sampled_from(good)), (1, st.sampled_from(hostile)))) if junk else st.sampled_from(good)

    def listed(name: str) -> st.SearchStrategy[Any]:
        good, hostile = VALUES[name]
        if not junk:
            return st.lists(st.sampled_from(good), min_size=1, max_size=3, unique=True)
        items = st.lists(weighted((2, st.sampled_from(good)), (1, st.sampled_from(hostile))), min_size=1, max_size=3)
        return either(weighted((2, items), (1, st.just([])), (1, st.sampled_from(good))))

    def keyed(required: dict[str, Any], optional: dict[str, Any]) -> st.SearchStrategy[Any]:
        return either(mapping(required, optional)) if junk else st.fixed_dictionaries(required, optional=optional)

    def names(name: str) -> st.SearchStrategy[Any]:
        good, hostile = VALUES[name]  # map keys: strings only, as JSON has
        return weighted((2, st.sampled_from(good)), (1, st.sampled_from(hostile))) if junk else st.sampled_from(good)

    placeholders = either(st.dictionaries(names("placeholder name"), value("placeholder"), max_size=2))
    github = keyed(
        {"repository": value("repository")},
        {"branches": listed("branches"), "environments": listed("environments"), "pullRequests": value("pullRequests")},
    )
    window = keyed({"until": value("until"), "reason": value("reason")}, {})
    # Good configs leave out what must differ between services (each has its own defaults) and give
    # delete windows only with allowDelete false, so that most of them parse.
    unique = {"pulumiProject": value("pulumiProject"), "externalId": value("externalId")} if junk else {}
    windows = {"deleteWindow": window} if junk else {}
    component = keyed(
        {"actions": listed("actions")},
        {"uses": listed("uses"), "resources": listed("resources"), "allowDelete": value("allowDelete"), **windows},
    )
    service = keyed(
        {"actions": listed("actions")},
        {
            "uses": listed("uses"),
            "resources": listed("resources"),
            "placeholders": placeholders,
            "components": either(st.dictionaries(names("component name"), component, min_size=1, max_size=2)),
            "allowDelete": value("allowDelete"),
            "github": github,
            **windows,
            **unique,
        },
    )
    if not junk:
        closed = st.fixed_dictionaries({"actions": listed("actions"), "allowDelete": st.just(False), "deleteWindow": window})
        service = weighted((2, service), (1, closed))
    ci = keyed(
        {"mode": value("mode")},
        {
            "userName": value("userName"),
            "createAccessKey": value("createAccessKey"),
            "github": keyed({}, {"providerArn": value("providerArn")}),
            "allowedSourceCidrs": listed("allowedSourceCidrs"),
            "requireSessionName": value("requireSessionName"),
            "maxKeyAgeDays": value("maxKeyAgeDays"),
            "maxSessionDuration": value("maxSessionDuration"),
        },
    )
    services = either(st.dictionaries(names("service name"), service, min_size=0 if junk else 1, max_size=3).map(own_repositories))
    top = {
        "environment": value("environment"),
        "accountId": value("accountId"),
        "allowDelete": value("allowDelete"),
        "maxDeleteWindowHours": value("maxDeleteWindowHours"),
        "managedPoliciesPerRole": value("managedPoliciesPerRole"),
        "stateIsolation": value("stateIsolation"),
        "namePrefix": value("namePrefix"),
        "rollout": keyed({}, {"profile": value("profile")}),
        "stateBucket": keyed(
            {},
            {
                "name": value("name"),
                "kms": value("kms"),
                "noncurrentVersionDays": value("noncurrentVersionDays"),
                "forceDestroy": value("forceDestroy"),
            },
        ),
    }
    if junk:  # the top level is always a map: Pulumi hands the program one value per key
        return mapping({}, {**top, "ci": ci, "services": services})
    return st.fixed_dictionaries({"ci": ci, "services": services}, optional=top)


def own_repositories(services: dict[Any, Any]) -> dict[Any, Any]:
    """Give each service's GitHub subjects a repository of its own, as isolation requires."""
    for name, service in services.items():
        if (
            isinstance(service, dict)
            and isinstance(service.get("github"), dict)
            and service["github"].get("repository") in VALUES["repository"][0]
        ):
            service["github"]["repository"] = f"acme/{name}"
    return services


GOOD_CONFIGS = configs(junk=False)
JUNK_CONFIGS = configs(junk=True)


def hostile_value(path: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """Return hostile values for the key at `path` (an item's, for a list item), else edge strings."""
    names = [p for p in path if isinstance(p, str)]
    name = names[-1] if names else ""
    if len(names) >= 2 and names[-2] in ("services", "components"):
        name = ""  # a service's or component's whole map: junk
    elif len(names) >= 2 and names[-2] == "placeholders":
        name = "placeholder"
    if name in VALUES:
        hostile = st.sampled_from(VALUES[name][1])
        listy = isinstance(path[-1], str) and name in ("actions", "uses", "resources", "branches", "environments", "allowedSourceCidrs")
        return st.lists(hostile, min_size=1, max_size=2) | hostile if listy else hostile
    return st.one_of(EDGE_STRINGS, SCALARS)


@st.composite
def twisted(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    """Return a good config with one or two values replaced by a hostile one, and a stack."""
    raw = draw(GOOD_CONFIGS)
    for _ in range(draw(st.integers(1, 2))):
        candidates = paths(raw)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        raw = mutate(raw, path, "junk", draw(hostile_value(path)))
    return raw, draw(st.sampled_from(STACKS))


# -- properties ---------------------------------------------------------------------------------------


def refused_by_key(error: ConfigError, raw: dict[str, Any]) -> None:
    """Assert that every finding names a config key: a documented one, or the unknown key given."""
    assert error.findings, "a ConfigError without findings"
    roots = [*TOP_LEVEL_KEYS, *(str(k) for k in raw)]
    for finding in error.findings:
        assert finding.severity == "error", finding
        assert any(finding.location == r or finding.location.startswith((f"{r}.", f"{r}[")) for r in roots), finding


def outcome(what: str) -> None:
    """Count outcomes for `--hypothesis-show-statistics`, so a generator that only makes junk shows."""
    if currently_in_test_context():
        event(what)


def parse_and_design(raw: dict[str, Any], stack: str) -> BaselineConfig | None:
    """Return the config when it parses and designs, None when refused with named keys; crash otherwise."""
    try:
        config = parse_config(raw, stack, now=NOW)
    except ConfigError as error:
        refused_by_key(error, raw)
        outcome("refused by parse_config")
        return None
    assert_nothing_dangerous(raw, stack, config)
    try:
        design_baseline(config, CTX)
    except ConfigError as error:
        refused_by_key(error, raw)
        outcome("refused by design_baseline")
        return config
    outcome(f"designed ({'prod' if config.is_prod else 'non-prod'}, {len(config.services)} services)")
    return config


def explicit_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() == "true")


def assert_nothing_dangerous(raw: dict[str, Any], stack: str, config: BaselineConfig) -> None:
    top_delete = explicit_true(raw.get("allowDelete"))
    assert config.is_prod or stack != "prod", f"stack prod parsed as environment {config.environment!r}"
    if config.is_prod:
        assert not config.allow_delete or top_delete, "a prod stack allows deletes it was not given"
    for svc in config.services:
        svc_raw = raw["services"][svc.name]
        svc_delete = top_delete or explicit_true(svc_raw.get("allowDelete"))
        units = [(svc.actions, svc.resources, svc.allow_delete, svc_delete, svc.delete_window, svc_raw)]
        for component in svc.components:
            comp_raw = svc_raw["components"][component.name]
            comp_delete = svc_delete or explicit_true(comp_raw.get("allowDelete"))
            units.append((component.actions, component.resources, component.allow_delete, comp_delete, component.delete_window, comp_raw))
        for actions, resources, allow_delete, asked, window, unit_raw in units:
            for action in actions:
                assert action != "*", f"services.{svc.name} is granted every action"
                reached = [a for a in get_actions_matching(action) if a.startswith(FORBIDDEN_ACTION_PREFIXES)]
                assert not reached, f"services.{svc.name}: {action!r} reaches {reached}"
            if actions:
                assert resources, f"services.{svc.name} has a grant on no resource"
            for resource in resources:
                assert resource == "*" or (ARN.fullmatch(resource) and resource.isprintable()), f"services.{svc.name}: {resource!r}"
            if config.is_prod:
                assert not allow_delete or asked, f"services.{svc.name} may delete in prod without allowDelete: true"
            assert window is None or "deleteWindow" in unit_raw
        if svc.external_id is not None:
            assert isinstance(svc_raw.get("externalId"), str) and quotas.EXTERNAL_ID_PATTERN.fullmatch(svc.external_id)
        if svc.github is not None and config.is_prod:
            for prefix in svc.github.repository.subject_prefixes():
                pull_request = f"{prefix}:pull_request"
                assert not any(globs_overlap(s, pull_request) for s in svc.github.subjects), f"services.{svc.name} admits {pull_request}"
    assert_typed_as_documented(raw)


# Keys whose value must be of one type; None means "not given" for the parser.
STRING_KEYS = {
    "environment",
    "accountId",
    "namePrefix",
    "stateIsolation",
    "rollout.profile",
    "rollout.roleArn",
    "stateBucket.name",
    "ci.userName",
    "ci.mode",
    "ci.github.providerArn",
    "ci.requireSessionName",
    "services.<name>.pulumiProject",
    "services.<name>.externalId",
    "services.<name>.github.repository",
    "services.<name>.deleteWindow.reason",
    "services.<name>.deleteWindow.until",
    "services.<name>.components.<component>.deleteWindow.reason",
    "services.<name>.components.<component>.deleteWindow.until",
}
BOOLEAN_KEYS = {
    "allowDelete",
    "stateBucket.kms",
    "stateBucket.forceDestroy",
    "ci.createAccessKey",
    "services.<name>.allowDelete",
    "services.<name>.github.pullRequests",
    "services.<name>.components.<component>.allowDelete",
}
INTEGER_KEYS = {
    "maxDeleteWindowHours",
    "managedPoliciesPerRole",
    "stateBucket.noncurrentVersionDays",
    "ci.maxKeyAgeDays",
    "ci.maxSessionDuration",
}
LIST_KEYS = {
    "ci.allowedSourceCidrs",
    *(f"services.<name>.{k}" for k in ("actions", "uses", "resources")),
    *(f"services.<name>.components.<component>.{k}" for k in ("actions", "uses", "resources")),
    "services.<name>.github.branches",
    "services.<name>.github.environments",
}


def documented_values(raw: Any, path: str = "") -> list[tuple[str, str, Any]]:
    """Return (documented key, concrete key, value) for every value in `raw` at a documented key."""
    if not isinstance(raw, dict):
        return []
    found = []
    for name, value in raw.items():
        concrete = f"{path}.{name}" if path else str(name)
        generic = re.sub(r"^services\.[^.]+", "services.<name>", concrete)
        generic = re.sub(r"\.components\.[^.]+", ".components.<component>", generic)
        if generic in STRING_KEYS | BOOLEAN_KEYS | INTEGER_KEYS | LIST_KEYS:
            found.append((generic, concrete, value))
        found += documented_values(value, concrete)
    return found


def well_typed(documented: str, value: Any) -> bool:
    if value is None:
        return True
    if documented in STRING_KEYS:  # YAML reads an unquoted instant as a datetime
        return isinstance(value, str | datetime) if documented.endswith(".until") else isinstance(value, str)
    if documented in BOOLEAN_KEYS:
        return isinstance(value, bool) or (isinstance(value, str) and value.lower() in ("true", "false"))
    if documented in INTEGER_KEYS:
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"[0-9]+", value.strip()) is not None
        )
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def assert_typed_as_documented(raw: dict[str, Any]) -> None:
    """Assert that a config that parsed had no value of a type its key does not allow (nothing coerced)."""
    for documented, concrete, value in documented_values(raw):
        assert well_typed(documented, value), f"{concrete}: {value!r} was accepted for a {documented} key"


# -- shipped stacks -----------------------------------------------------------------------------------


def shipped(stack: str) -> dict[str, Any]:
    """Return a shipped stack's `iam-baseline:` keys as YAML gives them."""
    document = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    return {k.split(":", 1)[1]: v for k, v in document["config"].items() if k.startswith("iam-baseline:")}


SHIPPED = {stack: shipped(stack) for stack in ("dev", "prod")}
# A config using every documented map, to mutate and to plant wrong types in; it parses as is.
RICH = {
    "environment": "prod",
    "accountId": "123456789012",
    "maxDeleteWindowHours": 24,
    "managedPoliciesPerRole": 12,
    "stateIsolation": "per-service",
    "namePrefix": "acme",
    "rollout": {"profile": "ops"},
    "stateBucket": {"name": "acme-state-bucket", "kms": True, "noncurrentVersionDays": 30, "forceDestroy": False},
    "ci": {
        "userName": "acme-ci",
        "createAccessKey": True,
        "mode": "both",
        "github": {"providerArn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "allowedSourceCidrs": ["203.0.113.0/24"],
        "requireSessionName": "ci-*",
        "maxKeyAgeDays": 30,
        "maxSessionDuration": 7200,
    },
    "services": {
        "api": {
            "actions": ["sqs:*", "dynamodb:Get*"],
            "resources": ["arn:aws:sqs:eu-west-1:111122223333:api-*", "arn:aws:dynamodb:eu-west-1:111122223333:table/api-*"],
            "allowDelete": False,
            "deleteWindow": {"until": IN_WINDOW, "reason": "drop the old queue"},
            "github": {"repository": "acme/api", "branches": ["main"], "environments": ["prod"], "pullRequests": False},
            "pulumiProject": "acme-api",
            "externalId": "api-external-id",
        },
        "site": {
            "placeholders": {"sitePrefix": "acme-site"},
            "github": {"repository": "acme/site", "branches": ["main"]},
            "components": {
                "bucket": {"uses": ["acme.static-site"], "allowDelete": False},
                "queue": {"actions": ["sqs:SendMessage"], "resources": ["*"], "deleteWindow": {"until": IN_WINDOW, "reason": "rename"}},
            },
        },
    },
}
BASES = {"dev": SHIPPED["dev"], "prod": SHIPPED["prod"], "rich": RICH}
STACK_OF = {"dev": "dev", "prod": "prod", "rich": "prod"}


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Return the path of every value nested in maps and lists."""
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += paths(v, (*prefix, i))
    return found


def mutate(raw: dict[str, Any], path: tuple[Any, ...], how: str, junk: Any) -> dict[str, Any]:
    """Return a copy of `raw` with the value at `path` replaced, removed, wrapped, stringified or re-keyed."""
    raw = copy.deepcopy(raw)
    parent = raw
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    value = parent[last]
    replacement = {
        "junk": junk,
        "wrap": [value],
        "unwrap": value[0] if isinstance(value, list) and value else value,
        "stringify": value
        if isinstance(value, str)
        else json.dumps(value, default=str)
        if not isinstance(value, bool)
        else str(value).lower() + " ",
        "pad": f" {value} " if isinstance(value, str) else value,
        "empty": type(value)() if isinstance(value, list | dict | str) else None,
    }.get(how, junk)
    if how == "delete":
        del parent[last]
    elif how == "rekey" and isinstance(parent, dict):
        parent[str(last)[:1].swapcase() + str(last)[1:]] = parent.pop(last)
    elif how == "duplicate-case" and isinstance(parent, dict):
        parent[str(last).upper()] = copy.deepcopy(value)
    else:
        parent[last] = replacement
    return raw


MUTATIONS = st.sampled_from(["junk", "wrap", "unwrap", "stringify", "pad", "empty", "delete", "rekey", "duplicate-case"])


@st.composite
def mutated(draw: st.DrawFn) -> tuple[dict[str, Any], str]:
    base = draw(st.sampled_from(sorted(BASES)))
    raw = BASES[base]
    for _ in range(draw(st.integers(1, 3))):
        candidates = paths(raw)
        if not candidates:
            break
        raw = mutate(raw, draw(st.sampled_from(candidates)), draw(MUTATIONS), draw(JUNK))
    return raw, STACK_OF[base]


# -- tests --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("base", sorted(BASES))
def test_the_bases_parse_and_design(base):
    assert parse_and_design(BASES[base], STACK_OF[base]) is not None


@FUZZ
@given(raw=JUNK_CONFIGS, stack=st.sampled_from(STACKS))
def test_any_value_at_any_documented_key_is_parsed_or_refused_by_key(raw, stack):
    parse_and_design(raw, stack)


@FUZZ
@given(case=twisted())
def test_hostile_values_a_reviewer_would_skim_are_refused_or_harmless(case):
    raw, stack = case
    parse_and_design(raw, stack)


@FUZZ
@given(case=mutated())
def test_mutated_shipped_configs_are_parsed_or_refused_by_key(case):
    raw, stack = case
    parse_and_design(raw, stack)


@settings(max_examples=EXAMPLES * 2 // 3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.one_of(mutated(), twisted(), st.tuples(JUNK_CONFIGS, st.sampled_from(STACKS))))
def test_config_as_pulumi_passes_it_is_parsed_or_refused_by_key(case):
    # `pulumi config set` stores maps and lists as JSON text and scalars as strings.
    raw, stack = case
    as_json = json.loads(json.dumps(raw, default=str))  # a YAML timestamp reaches Pulumi as text
    decoded = decode_pulumi_config(encode(as_json))
    parse_and_design(decoded, stack)


TYPED_KEYS = sorted(STRING_KEYS | BOOLEAN_KEYS | INTEGER_KEYS | LIST_KEYS)


def concrete_key(documented: str) -> tuple[str, ...]:
    """Return where a documented key lives in RICH: `<name>` is service api (site for components)."""
    if ".components.<component>" in documented:
        documented = documented.replace("<name>", "site").replace("<component>", "queue")
    return tuple(documented.replace("<name>", "api").split("."))


WRONG_TYPES = {
    "string": st.one_of(
        st.integers(), st.booleans(), st.floats(allow_nan=False), st.lists(st.text(max_size=5), max_size=2), st.just({"a": "b"})
    ),
    "boolean": st.one_of(
        st.integers(), st.floats(allow_nan=False), st.lists(st.booleans(), max_size=2), st.text(max_size=6), EDGE_STRINGS
    ).filter(lambda v: not (isinstance(v, bool) or (isinstance(v, str) and v.lower() in ("true", "false")))),
    "integer": st.one_of(st.floats(), st.booleans(), st.lists(st.integers(), max_size=2), st.text(max_size=6), EDGE_STRINGS).filter(
        lambda v: not (isinstance(v, str) and re.fullmatch(r"[0-9]{1,6}", v.strip()))
    ),
    "list": st.one_of(
        st.text(max_size=10), st.integers(), st.booleans(), st.just({"a": "b"}), st.lists(JUNK, min_size=1, max_size=3)
    ).filter(lambda v: not (isinstance(v, list) and all(isinstance(x, str) for x in v))),
}


def kind(documented: str) -> str:
    if documented in STRING_KEYS:
        return "string"
    if documented in BOOLEAN_KEYS:
        return "boolean"
    return "integer" if documented in INTEGER_KEYS else "list"


@st.composite
def wrong_types(draw: st.DrawFn) -> tuple[str, tuple[str, ...], Any]:
    documented = draw(st.sampled_from(TYPED_KEYS))
    return documented, concrete_key(documented), draw(WRONG_TYPES[kind(documented)])


@FUZZ
@given(case=wrong_types())
def test_a_value_of_the_wrong_type_is_refused_at_its_key_not_coerced(case):
    _, path, value = case
    raw = copy.deepcopy(RICH)
    parent = raw
    for step in path[:-1]:
        parent = parent.setdefault(step, {})
    parent[path[-1]] = value
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, "prod", now=NOW)
    key = ".".join(path)
    assert any(f.location == key or f.location.startswith(f"{key}[") for f in caught.value.findings), f"{key} = {value!r}: {caught.value}"


def map_paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Return the path of every map whose keys the parser checks (not the name-keyed `services`, `components`, `placeholders`)."""
    found = [prefix] if prefix and prefix[-1] not in ("services", "components", "placeholders") else []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict):
                found += map_paths(v, (*prefix, k))
    return found


@FUZZ
@given(where=st.sampled_from([(), *map_paths(RICH)]), data=st.data())
def test_a_key_that_only_looks_documented_is_refused_by_name(where, data):
    raw = copy.deepcopy(RICH)
    level = raw
    for step in where:
        level = level[step]
    original = data.draw(st.sampled_from(sorted(level)))
    variant = data.draw(case_variant(original))
    assume(variant not in level)
    level[variant] = level[original]
    if data.draw(st.booleans()):
        del level[original]
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, "prod", now=NOW)
    key = ".".join([*where, variant])
    assert any(f.location == key and "unknown key" in f.detail for f in caught.value.findings), str(caught.value)
