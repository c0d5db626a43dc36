"""Issue 21: every resource type and function of the installed pulumi-aws has a row (hand-written, generated
from the provider's code, or a `source: none` row the coverage report names), every generated action is
the catalogue's, and hand rows take precedence over generated ones."""

import time

import pytest

from baseline.aws import permissions
from baseline.aws.catalog import get_all_actions
from baseline.aws.coverage import KINDS, coverage_by_module, format_coverage, installed_tokens, totals
from baseline.aws.permissions import (
    LIFECYCLE_SETS,
    get_data_source_permissions,
    get_generated_table,
    get_resource_permissions,
    get_tabled_data_sources,
    get_tabled_resource_types,
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


def test_generated_rows_record_their_provenance_and_are_unproved():
    for kind, token, row in generated_rows():
        provenance = row["provenance"]
        assert row["proved"] is False, token
        if provenance["source"] == "none":
            assert row["reason"] and not any(row.get(key) for key in LIFECYCLE_SETS), token
            continue
        assert provenance["source"] == "hashicorp/terraform-provider-aws" and provenance["commit"], token
        assert provenance["file"].endswith("service_package_gen.go") and provenance["registration"], token
        assert provenance["functions"] or row["reason"], token
        assert row["terraform"].startswith("aws_"), token
        if row.get("noAwsCall"):
            assert not any(row.get(key) for key in LIFECYCLE_SETS), token
        if kind == "resources":
            assert set(LIFECYCLE_SETS) <= set(row), token


def test_the_generators_exception_tables_name_catalogue_actions_each_with_a_reason(catalogue):
    generator = get_generated_table()["generator"]
    for operation, entry in generator["operationExceptions"].items():
        assert entry["reason"] and entry["actions"] and set(entry["actions"]) <= catalogue, operation
    for token, entry in generator["typeNameExceptions"].items():
        assert entry["reason"] and entry["terraform"].startswith("aws_"), token


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
    assert get_resource_permissions("aws:workspacesweb/portal:Portal") is None, "newer than the snapshot: no facts"
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
