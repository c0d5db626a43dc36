"""`review` shows each component role like a service role: its reach, its blast radius, its quota rows,
and `--against` compares it between stacks."""

from __future__ import annotations

import pytest

from baseline.review.review import compare, review
from tests.helpers import render

CONFIG = {
    "ci": {"createAccessKey": True},
    "services": {
        "shop": {
            "placeholders": {"sitePrefix": "shop"},
            "components": {"site": {"uses": ["acme.static-site"]}, "orders": {"uses": ["acme.queue-worker"]}},
        }
    },
}


@pytest.fixture(scope="module")
def reports():
    return {stack: review(render(CONFIG, stack=stack)) for stack in ("dev", "prod")}


def test_each_component_role_is_a_principal_with_its_own_reach(reports):
    principals = reports["prod"].principals
    site, orders = principals["service/shop/site"], principals["service/shop/orders"]
    assert {a.split(":")[0] for a in site.reachable} == {"s3"}
    assert {a.split(":")[0] for a in orders.reachable} == {"sqs"}
    assert site.allow_delete is False and not site.destructive and not orders.destructive
    assert "service/shop" not in principals  # split into components: no role of its own


def test_component_roles_appear_in_the_quota_budget_and_the_blast_radius(reports):
    report = reports["dev"]
    documents = {(row["principal"], row["document"]) for row in report.quotas}
    assert any(p == "service/shop/site" for p, _ in documents) and any(p == "service/shop/orders" for p, _ in documents)
    via = report.blast_radius["credentials"]["ci-user"]["viaRoles"]
    assert {"service/shop/site", "service/shop/orders"} <= set(via)


def test_against_compares_each_component_role(reports):
    diff = compare(reports["dev"], reports["prod"])["principals"]
    assert "sqs:DeleteQueue" in diff["service/shop/orders"]["onlyDev"]
    assert "s3:DeleteBucket" in diff["service/shop/site"]["onlyDev"]
    assert diff["service/shop/site"]["onlyProd"] == []
