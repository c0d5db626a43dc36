"""Issue 21: every resource type and function of the installed pulumi-aws has a row (hand-written, generated
from the provider's code, from the CloudFormation schemas, from botocore's models, or a `source: none` row the
coverage report names), every generated action is the catalogue's, and hand rows take precedence over generated
ones (provider code over CloudFormation over botocore)."""

import time

import pytest

from baseline.aws import permissions
from baseline.aws.catalog import ACTION_SHAPE, get_all_actions
from baseline.aws.coverage import KINDS, coverage_by_module, format_coverage, installed_tokens, totals
from baseline.aws.permissions import (
    LIFECYCLE_SETS,
    get_data_source_permissions,
    get_generated_table,
    get_resource_permissions,
    get_tabled_data_sources,
    get_tabled_resource_types,
    get_uncatalogued,
    is_grounded,
)


@pytest.fixture(scope="module")
def catalogue() -> frozenset[str]:
    return frozenset(get_all_actions())


def generated_rows():
    table = get_generated_table()
    for kind in ("resources", "functions"):
        yield from ((kind, token, row) for token, row in table[kind].items())


def test_every_installed_token_has_a_row_and_rows_without_facts_are_listed():
    resources, functions = installed_tokens()
    assert len(resources) > 1500 and len(functions) > 600, "pulumi_aws's tokens were not found"
    table = get_generated_table()
    hand_resources, hand_functions = set(get_tabled_resource_types()), set(get_tabled_data_sources())
    assert not [t for t in resources if t not in hand_resources and t not in table["resources"]], "resource tokens without a row"
    assert not [t for t in functions if t not in hand_functions and t not in table["functions"]], "function tokens without a row"
    modules = coverage_by_module()
    total = totals(modules.values())
    assert total.count("missing") == 0
    assert total.resources + total.functions == len(resources) + len(functions)
    report = format_coverage(modules, ["none"])
    assert all(f"  {token}: " in report for token in total.tokens["none"]), "every source:none token is named with its reason"


def test_every_action_of_every_generated_row_is_in_the_catalogue(catalogue):
    wrong = [
        (token, action)
        for _, token, row in generated_rows()
        for action in [
            *(a for key in LIFECYCLE_SETS for a in row.get(key) or ()),
            *(a for actions in (row.get("optional") or {}).values() for a in actions),
        ]
        if action not in catalogue
    ]
    assert not wrong, wrong[:10]


def readings():
    """Yield every generated row, and every second source's row kept beside a reviewed one as its crossCheck."""
    for kind, token, row in generated_rows():
        yield kind, token, row
        if "crossCheck" in row:
            yield kind, token, {**row["crossCheck"], "proved": False, "file": row["crossCheck"]["provenance"]["file"],
                                "cfnType": row["crossCheck"]["provenance"].get("cfnType")}  # fmt: skip


def test_generated_rows_record_their_provenance_and_are_unproved():
    sources = set()
    for kind, token, row in readings():
        provenance = row["provenance"]
        sources.add(provenance["source"])
        assert row["proved"] is False, token
        if row.get("noAwsCall"):
            assert not any(row.get(key) for key in LIFECYCLE_SETS) and row["reason"], token
        if kind == "resources" and provenance["source"] != "none":
            assert set(LIFECYCLE_SETS) <= set(row), token
        if provenance["source"] == "none":
            assert row["reason"] and not any(row.get(key) for key in LIFECYCLE_SETS), token
        elif provenance["source"] == "hashicorp/terraform-provider-aws":
            assert provenance["commit"] and provenance["file"].startswith("internal/service/"), token
            if provenance["file"].endswith("service_package_gen.go"):  # the snapshot's registry
                assert provenance["registration"] and (provenance["functions"] or row["reason"]), token
            else:  # a current file read for a type newer than the snapshot (located only, when a reason says why)
                assert provenance["file"].endswith(".go") and (provenance["functions"] or row.get("reason")), token
            assert row["terraform"].startswith("aws_"), token
        elif provenance["source"] == "aws-cloudformation-schema":
            assert kind == "resources", token
            assert provenance["repository"] == "pulumi/pulumi-aws-native" and len(provenance["commit"]) == 40, token
            assert provenance["file"] == row["file"] and provenance["file"].startswith("aws-cloudformation-schema/aws-"), token
            assert provenance["cfnType"] == row["cfnType"] and row["cfnType"].startswith("AWS::"), token
        elif provenance["source"] == "botocore-model":
            assert kind == "functions" and provenance["operations"] and provenance["service"], token
            assert provenance["file"].startswith(f"botocore/data/{provenance['service']}/") and row["read"], token
        else:
            assert provenance["source"] == "pulumi-aws" and row.get("noAwsCall"), token
    assert {"hashicorp/terraform-provider-aws", "aws-cloudformation-schema", "botocore-model"} <= sources  # and no `none` row left


def test_the_generators_exception_tables_name_catalogue_actions_each_with_a_reason(catalogue):
    generator = get_generated_table()["generator"]
    for operation, entry in generator["operationExceptions"].items():
        assert entry["reason"] and entry["actions"] and set(entry["actions"]) <= catalogue, operation
    for token, entry in generator["typeNameExceptions"].items():
        assert entry["reason"] and entry["terraform"].startswith("aws_"), token
    cloudformation = generator["secondSources"]["cloudformation"]
    for token, entry in cloudformation["typeExceptions"].items():
        assert entry["reason"] and entry["cfnType"].startswith("AWS::"), token
        row = get_generated_table()["resources"][token]
        assert row["provenance"]["source"] != "none", f"{token}: a reviewed match that no longer applies"
    assert all(reason for reason in cloudformation["rejectedMatches"].values())


def test_the_generated_rows_find_the_hand_rows_terraform_types():
    import yaml

    for path in sorted(permissions.TABLE_DIR.glob("*.yaml")):
        for token, row in (yaml.safe_load(path.read_text()).get("resources") or {}).items():
            generated = get_generated_table()["resources"][token]
            assert generated.get("terraform") == row["terraform"], (token, generated.get("terraform"), row["terraform"])


def test_hand_rows_take_precedence_and_generated_rows_fill_the_rest():
    queue = get_resource_permissions("aws:sqs/queue:Queue")
    assert queue is not None and queue.proved and queue.provenance["source"] == "hand"
    model = get_resource_permissions("aws:bedrock/customModel:CustomModel")
    assert model is not None and not model.proved and model.provenance["source"] == "hashicorp/terraform-provider-aws"
    assert "bedrock:CreateModelCustomizationJob" in model.create
    assert get_resource_permissions("aws:agentregistry/registry:Registry") is None, "no source has a counterpart: no facts"
    user = get_resource_permissions("aws:workmail/user:User")
    assert user is not None and "current provider code" in user.provenance.get("readWith", ""), "read from a single current file"
    assert "workmail:CreateUser" in user.create
    # The current code calls lambda:PutResourcePolicy, which the catalogue does not know yet: an incomplete row answers nothing.
    assert get_resource_permissions("aws:lambda/resourcePolicy:ResourcePolicy") is None
    document = get_data_source_permissions("aws:networkmanager/getCoreNetworkPolicyDocument:getCoreNetworkPolicyDocument")
    assert document is not None and document.no_aws_call and document.read == frozenset()


def test_the_generated_table_is_read_lazily_and_fast():
    permissions.get_generated_table.cache_clear()
    permissions._generated_resource.cache_clear()
    assert get_resource_permissions("aws:sqs/queue:Queue") is not None
    assert permissions.get_generated_table.cache_info().currsize == 0, "a hand row must not load the generated table"
    started = time.perf_counter()
    assert get_resource_permissions("aws:bedrock/customModel:CustomModel") is not None
    assert time.perf_counter() - started < 1.0  # ~0.02 s; generous for a shared machine


@pytest.mark.parametrize("kind", KINDS)
def test_the_coverage_report_counts_every_kind(kind):
    assert kind in format_coverage(coverage_by_module()).splitlines()[0]


def test_the_coverage_counts_rows_by_source_and_by_proved():
    total = totals(coverage_by_module().values())
    tokens = total.resources + total.functions
    assert total.count("hand") == len(get_tabled_resource_types()) + len(get_tabled_data_sources())
    assert total.count("provider") > 2000, "the provider's code answers; CloudFormation and botocore only where it cannot"
    assert total.count("none") == 0, "every token has a row from some source, or one stating why it cannot have one yet"
    assert total.answered() > 0.9 * tokens
    assert total.proved == total.count("hand"), "only the hand rows are proved"
    report = format_coverage(coverage_by_module())
    assert "proved" in report.splitlines()[0] and "cloudformation" in report.splitlines()[-1]


def cross_check(token: str) -> dict:
    """Return the second source's reading kept beside a reviewed row."""
    table = get_generated_table()
    row = table["resources"].get(token) or table["functions"][token]
    assert row["provenance"]["source"] == "hashicorp/terraform-provider-aws", "the reviewed reading answers"
    return row["crossCheck"]


def test_a_cloudformation_row_keeps_the_resource_and_leaves_its_siblings_actions():
    """Read from AWS::Bedrock::Agent's schema: its create handler lists CreateAgent, PrepareAgent, the action group,
    knowledge base and collaborator actions (sibling pulumi resources), TagResource and iam:PassRole."""
    agent = cross_check("aws:bedrock/agentAgent:AgentAgent")
    assert agent["provenance"]["source"] == "aws-cloudformation-schema" and agent["provenance"]["cfnType"] == "AWS::Bedrock::Agent"
    assert agent["provenance"]["file"] == "aws-cloudformation-schema/aws-bedrock-agent.json"
    assert {"bedrock:CreateAgent", "bedrock:PrepareAgent", "bedrock:GetAgent"} <= set(agent["create"])
    assert "bedrock:DeleteAgent" in agent["delete"] and "bedrock:UpdateAgent" in agent["update"]
    assert agent["tag"] == ["bedrock:TagResource"] and agent["untag"] == ["bedrock:UntagResource"]
    assert "bedrock:CreateAgentActionGroup" not in agent["create"], "an action group is its own pulumi resource"
    assert agent["passRole"] == ["agentResourceRoleArn"] and "iam:PassRole" not in agent["create"]
    group = cross_check("aws:bedrock/agentAgentActionGroup:AgentAgentActionGroup")
    assert group["provenance"]["cfnType"] == "AWS::Bedrock::Agent"
    assert "bedrock:CreateAgentActionGroup" in group["create"] and "bedrock:DeleteAgentActionGroup" in group["delete"]
    assert not any(a.startswith("bedrock:CreateAgent") and a != "bedrock:CreateAgentActionGroup" for a in group["create"])


def test_a_split_out_association_takes_only_its_actions_filed_by_verb():
    """AWS::WorkSpacesWeb::Portal lists AssociateBrowserSettings (create, update), DisassociateBrowserSettings
    (update, delete) and `GetPortal*` (read)."""
    association = cross_check("aws:workspacesweb/browserSettingsAssociation:BrowserSettingsAssociation")
    assert association["provenance"]["cfnType"] == "AWS::WorkSpacesWeb::Portal"
    assert association["create"] == ["workspaces-web:AssociateBrowserSettings"]
    assert association["delete"] == ["workspaces-web:DisassociateBrowserSettings"]
    assert association["read"] == ["workspaces-web:GetPortal"]


def test_a_row_whose_actions_the_catalogue_lacks_answers_nothing_in_either_reading():
    row = get_generated_table()["resources"]["aws:ecs/daemon:Daemon"]
    assert "ecs:CreateDaemon" in row["notes"] and "ecs:CreateDaemon" in row["crossCheck"]["reason"] and row["reason"]
    assert get_resource_permissions("aws:ecs/daemon:Daemon") is None


def test_the_actions_the_catalogue_lacks_are_data_and_only_those(catalogue):
    # Each reviewed row whose provider calls the pinned catalogue predates lists them as `uncatalogued`: well-formed
    # actions, none of them in the catalogue (when an upgrade brings one, this fails: move it into the row's sets).
    rows = {t: r for kind in ("resources", "functions") for t, r in get_generated_table()[kind].items() if r.get("uncatalogued")}
    assert len(rows) >= 25 and "aws:s3/filesAccessPoint:FilesAccessPoint" in rows
    for token, row in rows.items():
        assert all(ACTION_SHAPE.fullmatch(a) for a in row["uncatalogued"]), token
        assert not set(row["uncatalogued"]) & catalogue, f"{token}: the catalogue knows {set(row['uncatalogued']) & catalogue}"
        assert row["reason"] and not is_grounded(row), f"{token}: an incomplete row must not answer as a complete grant"
        assert all(a in row["notes"] for a in row["uncatalogued"]), f"{token}: each one is in the reviewer's notes"
    daemon = get_uncatalogued("aws:ecs/daemon:Daemon")
    assert daemon is not None and "ecs:CreateDaemon" in daemon.actions and "ecs:TagResource" in daemon.known.tag
    assert get_uncatalogued("aws:sqs/queue:Queue") is None


def test_botocore_rows_read_the_operations_the_functions_name_points_at():
    versions = cross_check("aws:bedrock/getAgentAgentVersions:getAgentAgentVersions")
    assert versions["read"] == ["bedrock:ListAgentVersions"]
    assert versions["provenance"]["source"] == "botocore-model" and versions["provenance"]["operations"] == ["ListAgentVersions"]
    pool = cross_check("aws:cognito/getUserPool:getUserPool")
    assert set(pool["read"]) == {"cognito-idp:DescribeUserPool", "cognito-idp:ListTagsForResource"}, "it outputs tags"
    buses = cross_check("aws:cloudwatch/getEventBuses:getEventBuses")
    assert buses["read"] == ["events:ListEventBuses"]


def test_the_reviewed_rows_agree_with_the_second_sources():
    """The 2026-12 reviewed rows (read from the current provider code) against the CloudFormation and botocore
    readings of the same types: what the reviewed rows name, the second source mostly names too (it names more:
    sibling resources' and service-side actions)."""
    named = shared = 0
    for _, _, row in generated_rows():
        other = row.get("crossCheck")
        if not other or row.get("reason") or other.get("reason"):
            continue
        ours = {a for key in LIFECYCLE_SETS for a in row.get(key) or ()} | {a for v in (row.get("optional") or {}).values() for a in v}
        theirs = {a for key in LIFECYCLE_SETS for a in other.get(key) or ()} | {
            a for v in (other.get("optional") or {}).values() for a in v
        }
        named, shared = named + len(ours), shared + len(ours & theirs)
    assert named > 1000 and shared / named > 0.9, (named, shared)


def test_the_no_aws_call_function_answers_nothing():
    parse = get_data_source_permissions("aws:index/arnParse:arnParse")
    assert parse is not None and parse.no_aws_call and parse.read == frozenset()


def test_a_bearer_token_service_names_no_iam_action_and_says_why():
    """CodeCatalyst's API takes a CodeCatalyst access token, not IAM credentials (botocore's model says so): its rows
    are empty on purpose, and carry the reason for discover to tell the user instead of proposing nothing silently."""
    import botocore.session

    assert botocore.session.get_session().get_service_model("codecatalyst").signature_version == "bearer"
    rows = {
        t: r for kind in ("resources", "functions") for t, r in get_generated_table()[kind].items() if t.startswith("aws:codecatalyst/")
    }
    assert len(rows) >= 4 and all("signatureVersion bearer" in r["noIamAction"] for r in rows.values()), rows.keys()
    project = get_resource_permissions("aws:codecatalyst/project:Project")
    assert project is not None and project.deploys() == frozenset() and "bearer token" in project.no_iam_action
    assert not any("noIamAction" in r for t, r in get_generated_table()["resources"].items() if not t.startswith("aws:codecatalyst/"))


def test_every_type_and_function_of_the_pinned_provider_gets_a_proposal_or_a_stated_reason():
    """A resource with tags, or a data source call, of every token of the installed pulumi-aws: discover proposes
    actions (or names the ones the catalogue lacks), or says why there are none (no AWS call; no IAM action: a
    bearer-token service), or names the reason its row answers nothing. Nothing is empty without a word."""
    from types import SimpleNamespace

    from baseline.aws.permissions import get_data_source_permissions, get_unanswered_reason
    from baseline.discover.proposal import propose

    resources, functions = installed_tokens()
    silent, reasons = [], []
    for token in [*resources, *functions]:
        is_resource = token in resources
        registrations = [SimpleNamespace(typ=token, name="r", custom=True, inputs={"tags": {"team": "x"}})] if is_resource else []
        proposal = propose("measured", registrations, [] if is_resource else [token])
        source = None if is_resource else get_data_source_permissions(token)
        no_call = source is not None and not source.read and (source.no_aws_call or source.proved)  # hand rows: read at their source
        if proposal.actions or proposal.uncatalogued or proposal.not_iam or no_call:
            assert not proposal.unverified, f"{token}: matched by name"
        elif get_unanswered_reason(token):
            reasons.append(token)
        else:
            silent.append(token)
    assert silent == []
    assert len(reasons) <= 8, reasons  # services the IAM catalogue has no prefix for (cloudwatchomni, agentregistry, ...)


def test_every_classic_waf_change_is_preceded_by_its_change_token():
    """Classic WAF (global and regional) takes a change token on every change: the provider's retryer calls
    GetChangeToken (on its `t.connection` client, which the generator now reads as a client) before each Create,
    Update or Delete whose input has a ChangeToken, as botocore's model says."""
    import botocore.session

    session = botocore.session.get_session()
    checked = 0
    for service in ("waf", "waf-regional"):
        model = session.get_service_model(service)
        takes_token = {op for op in model.operation_names if "ChangeToken" in (model.operation_model(op).input_shape.members or {})}
        for token, row in get_generated_table()["resources"].items():
            for step in ("create", "update", "delete"):
                if any(a.split(":", 1) == [service, a.split(":", 1)[1]] and a.split(":", 1)[1] in takes_token for a in row.get(step) or ()):
                    assert f"{service}:GetChangeToken" in row[step], (token, step)
                    checked += 1
    assert checked >= 60
