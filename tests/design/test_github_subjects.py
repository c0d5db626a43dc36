"""CI without static keys (GitHub Actions OIDC) and the hardened static-key path."""

import json

import pytest

from baseline.design.config import parse_config
from baseline.design.findings import ConfigError
from baseline.design.github_subjects import GithubRepository, parse_repository, subjects
from tests.emulated_account import unwrap
from tests.helpers import one, render, role_documents
from tests.policy_simulator import allows, principal, trust_admits, web_identity_admits

AUD = "token.actions.githubusercontent.com:aud"
SUB = "token.actions.githubusercontent.com:sub"
API = {"actions": ["sqs:*"], "github": {"repository": "acme/api", "branches": ["main"], "environments": ["production"]}}
WEB = {"actions": ["s3:Get*"], "github": {"repository": "acme@1001/web@2002", "branches": ["release/*"]}}


def problems(raw, stack="prod"):
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, stack)
    return {f.location: f.detail for f in caught.value.findings}


def token(sub, aud="sts.amazonaws.com", **extra):
    return {SUB: sub, AUD: aud, **extra}


# -- config ------------------------------------------------------------------------------------


@pytest.mark.parametrize("repository", ["acme", "acme/*", "*/*", "*", "acme/api@12", "acme@1/api", "ac me/api", "acme/api:ref"])
def test_repository_must_be_one_literal_repository(repository):
    found = problems(
        {"ci": {"mode": "github"}, "services": {"api": {"actions": ["sqs:*"], "github": {"repository": repository, "branches": ["main"]}}}}
    )
    assert "ORG@OWNER_ID/REPO@REPO_ID" in found["services.api.github.repository"]


def test_prod_refuses_pull_request_subjects_and_bare_repositories():
    found = problems({"ci": {"mode": "github"}, "services": {
        "a": {"actions": ["sqs:*"], "github": {"repository": "acme/a", "branches": ["main"], "pullRequests": True}},
        "b": {"actions": ["sqs:*"], "github": {"repository": "acme/b"}},
    }})  # fmt: skip
    assert "pull-request" in found["services.a.github"] and "pull-request" in found["services.b.github"]
    dev = parse_config(
        {"ci": {"mode": "github"}, "services": {"b": {"actions": ["sqs:*"], "github": {"repository": "acme/b", "pullRequests": True}}}},
        "dev",
    )
    assert dev.services[0].github.subjects == ("repo:acme/b:pull_request",)
    bare = parse_config({"ci": {"mode": "github"}, "services": {"b": {"actions": ["sqs:*"], "github": {"repository": "acme/b"}}}}, "dev")
    assert bare.services[0].github.subjects == ("repo:acme/b:*",)


def test_modes_and_their_contradictions_are_checked():
    assert "user, github, both" in problems({"ci": {"mode": "oidc"}})["ci.mode"]
    found = problems({"ci": {"mode": "github", "createAccessKey": True, "userName": "ci"}, "services": {"api": {"actions": ["sqs:*"]}}})
    assert "ci.mode github has none" in found["ci.createAccessKey"] and "ci.userName" in found
    assert "required with ci.mode github" in found["services.api.github"]
    assert "needs ci.mode github or both" in problems({"services": {"api": API}})["services.api.github"]
    assert (
        "needs ci.mode github or both"
        in problems({"ci": {"github": {"providerArn": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}}})[
            "ci.github.providerArn"
        ]
    )
    assert (
        "ARN of an existing provider"
        in problems({"ci": {"mode": "github", "github": {"providerArn": "arn:aws:iam::1:oidc-provider/x"}}})["ci.github.providerArn"]
    )


@pytest.mark.parametrize("cidr", ["10.0.0.0/33", "not-a-cidr", "300.1.1.1/32", "10.0.0.0/8/1"])
def test_cidrs_that_do_not_parse_are_refused(cidr):
    assert "CIDR" in problems({"ci": {"allowedSourceCidrs": ["203.0.113.0/24", cidr]}})["ci.allowedSourceCidrs[1]"]


def test_session_name_pattern_is_checked():
    assert "1-64" in problems({"ci": {"requireSessionName": "has space"}})["ci.requireSessionName"]


def test_subjects_cover_branches_environments_and_both_claim_forms():
    repo = parse_repository("acme@1001/web@2002")
    assert repo == GithubRepository("acme", "web", "1001", "2002")
    assert subjects(repo, ("main",), ("prod",), False) == (
        "repo:acme/web:environment:prod",
        "repo:acme/web:ref:refs/heads/main",
        "repo:acme@1001/web@2002:environment:prod",
        "repo:acme@1001/web@2002:ref:refs/heads/main",
    )


# -- resources and outputs per mode -------------------------------------------------------------


@pytest.fixture(scope="module")
def github_mode():
    return render({"ci": {"mode": "github"}, "services": {"api": API, "web": WEB}}, stack="prod")


@pytest.fixture(scope="module")
def both_mode():
    return render(
        {
            "ci": {"mode": "both", "allowedSourceCidrs": ["203.0.113.0/24"], "requireSessionName": "ci-*"},
            "services": {"api": API, "legacy": {"actions": ["sqs:*"]}},
        },
        stack="prod",
    )


def test_github_mode_has_no_ci_user_and_creates_the_provider(github_mode):
    for typ in (
        "aws:iam/user:User",
        "aws:iam/group:Group",
        "aws:iam/accessKey:AccessKey",
        "aws:iam/policy:Policy",
    ):
        assert github_mode.of_type(typ) == [], f"github mode registered a {typ}"
    provider = one(github_mode, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"] == "https://token.actions.githubusercontent.com"
    assert provider.inputs["clientIdLists"] == ["sts.amazonaws.com"]
    out = unwrap(github_mode.outputs)
    assert "ciUser" not in out and out["oidcProviderArn"] == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    api_subjects = ["repo:acme/api:environment:production", "repo:acme/api:ref:refs/heads/main"]
    assert {k: v for k, v in out["provisioningRoles"]["api"].items() if k not in ("handoffStack", "handoffPassphrase")} == {
        "arn": "arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-svc-api",
        "allowDelete": False,
        "githubSubjects": api_subjects,
        "backendUrl": out["backendUrl"],
        "stateRole": {"arn": "arn:aws:iam::123456789012:role/iam-baseline/iam-baseline-state-api", "githubSubjects": api_subjects},
    }
    assert "stateRole" not in out, "per-service state: no shared state role to trust every repository"


def test_github_trusts_pin_the_audience_and_list_exact_subjects(github_mode):
    provider_arn = unwrap(github_mode.outputs)["oidcProviderArn"]
    provider = one(github_mode, "aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    for name, (trust, _) in role_documents(github_mode).items():
        (stmt,) = trust["Statement"]
        assert stmt["Principal"] == {"Federated": provider_arn}
        assert stmt["Action"] == ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
        assert stmt["Condition"]["StringEquals"][AUD] == "sts.amazonaws.com", f"{name}: audience not pinned"
        patterns = stmt["Condition"].get("StringLike", {}).get(SUB) or stmt["Condition"]["StringEquals"][SUB]
        assert all(p.startswith(("repo:acme/", "repo:acme@1001/")) and p != "*" for p in patterns), f"{name}: {patterns}"
    for role in github_mode.of_type("aws:iam/role:Role"):
        assert provider.urn in role.dependencies


def test_a_configured_provider_is_used_not_created():
    arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    rendering = render({"ci": {"mode": "github", "github": {"providerArn": arn}}, "services": {"api": API}})
    assert rendering.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    assert all(t["Statement"][0]["Principal"] == {"Federated": arn} for t, _ in role_documents(rendering).values())


def test_both_mode_trusts_the_user_first_then_github_with_the_guards(both_mode):
    docs = role_documents(both_mode)
    api_trust = docs["iam-baseline-svc-api"][0]
    user_stmt, github_stmt = api_trust["Statement"]
    assert user_stmt["Principal"] == {"AWS": "arn:aws:iam::123456789012:user/iam-baseline/iam-baseline-ci"}
    for stmt in (user_stmt, github_stmt):
        assert stmt["Condition"]["IpAddress"] == {"aws:SourceIp": ["203.0.113.0/24"]}
        assert stmt["Condition"]["StringLike"]["sts:RoleSessionName"] == "ci-*"
    legacy_trust = docs["iam-baseline-svc-legacy"][0]
    assert [s["Sid"] for s in legacy_trust["Statement"]] == ["CiPrincipalWithExternalId"], "a service without github stays user-only"
    group_policy = json.loads(one(both_mode, "aws:iam/groupPolicy:GroupPolicy").inputs["policy"])
    assert group_policy["Statement"][0]["Condition"] == {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}
    out = unwrap(both_mode.outputs)
    assert {"ciUser", "oidcProviderArn"} <= set(out)
    handoff = {"handoffStack", "handoffPassphrase", "backendUrl", "stateRole"}
    assert set(out["provisioningRoles"]["api"]) == {"arn", "externalId", "allowDelete", "githubSubjects"} | handoff
    assert set(out["provisioningRoles"]["legacy"]) == {"arn", "externalId", "allowDelete"} | handoff


def test_user_mode_has_no_provider_and_no_subjects():
    rendering = render({"services": {"legacy": {"actions": ["sqs:*"]}}})
    assert rendering.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider") == []
    out = unwrap(rendering.outputs)
    assert "oidcProviderArn" not in out and "githubSubjects" not in out["provisioningRoles"]["legacy"]


# -- what the trusts admit (policy simulator) ---------------------------------------------------


def test_only_the_configured_repository_branch_and_environment_get_in(github_mode):
    provider_arn = unwrap(github_mode.outputs)["oidcProviderArn"]
    role = unwrap(github_mode.outputs)["provisioningRoles"]["api"]["arn"]
    trust = role_documents(github_mode)["iam-baseline-svc-api"][0]
    assert web_identity_admits(trust, provider_arn, role, token("repo:acme/api:ref:refs/heads/main"))
    assert web_identity_admits(trust, provider_arn, role, token("repo:acme/api:environment:production"))
    assert web_identity_admits(trust, provider_arn, role, token("repo:acme/api:ref:refs/heads/main"), action="sts:TagSession")
    refused = {
        "another repository": token("repo:acme/other:ref:refs/heads/main"),
        "another owner": token("repo:evil/api:ref:refs/heads/main"),
        "another branch": token("repo:acme/api:ref:refs/heads/feature"),
        "a pull request": token("repo:acme/api:pull_request"),
        "another environment": token("repo:acme/api:environment:staging"),
        "a wrong audience": token("repo:acme/api:ref:refs/heads/main", aud="https://example.com"),
        "no subject": {AUD: "sts.amazonaws.com"},
    }
    for what, claims in refused.items():
        assert not web_identity_admits(trust, provider_arn, role, claims), f"a token from {what} got in"
    assert not web_identity_admits(
        trust, "arn:aws:iam::123456789012:oidc-provider/other.example.com", role, token("repo:acme/api:ref:refs/heads/main")
    )


def test_immutable_subject_claims_and_branch_patterns(github_mode):
    provider_arn = unwrap(github_mode.outputs)["oidcProviderArn"]
    role = unwrap(github_mode.outputs)["provisioningRoles"]["web"]["arn"]
    trust = role_documents(github_mode)["iam-baseline-svc-web"][0]
    assert web_identity_admits(trust, provider_arn, role, token("repo:acme@1001/web@2002:ref:refs/heads/release/1.2"))
    assert web_identity_admits(trust, provider_arn, role, token("repo:acme/web:ref:refs/heads/release/1.2"))
    assert not web_identity_admits(trust, provider_arn, role, token("repo:acme@9999/web@2002:ref:refs/heads/release/1.2")), (
        "a re-registered owner got in"
    )
    assert not web_identity_admits(trust, provider_arn, role, token("repo:acme/web:ref:refs/heads/main"))


def test_the_opt_in_shared_state_role_admits_every_services_subjects():
    shared = render({"stateIsolation": "shared", "ci": {"mode": "github"}, "services": {"api": API, "web": WEB}}, stack="prod")
    provider_arn = unwrap(shared.outputs)["oidcProviderArn"]
    state = unwrap(shared.outputs)["stateRole"]["arn"]
    trust = role_documents(shared)["iam-baseline-state"][0]
    assert web_identity_admits(trust, provider_arn, state, token("repo:acme/api:ref:refs/heads/main"))
    assert web_identity_admits(trust, provider_arn, state, token("repo:acme/web:ref:refs/heads/release/x"))
    assert not web_identity_admits(trust, provider_arn, state, token("repo:acme/other:ref:refs/heads/main"))


def test_source_cidrs_and_session_names_are_enforced_on_the_static_key_path(both_mode):
    out = unwrap(both_mode.outputs)
    role = out["provisioningRoles"]["legacy"]
    trust = role_documents(both_mode)["iam-baseline-svc-legacy"][0]
    ci = principal(out["ciUser"]["arn"], [])
    good = {"sts:ExternalId": role["externalId"], "aws:SourceIp": "203.0.113.7", "sts:RoleSessionName": "ci-deploy-42"}
    assert trust_admits(trust, ci, role["arn"], good)
    assert not trust_admits(trust, ci, role["arn"], {**good, "aws:SourceIp": "198.51.100.7"}), "a request from outside the CIDRs got in"
    assert not trust_admits(trust, ci, role["arn"], {**good, "sts:RoleSessionName": "laptop"}), "an unlabelled session got in"
    group_policy = json.loads(one(both_mode, "aws:iam/groupPolicy:GroupPolicy").inputs["policy"])
    member = principal(out["ciUser"]["arn"], [group_policy])
    assert allows(member, "sts:AssumeRole", role["arn"], {"aws:SourceIp": "203.0.113.7"})
    assert not allows(member, "sts:AssumeRole", role["arn"], {"aws:SourceIp": "198.51.100.7"})
