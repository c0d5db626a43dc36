"""Placeholder prefixes that overlap across services are refused at config time; hand-written shared
resources are a warning; and the check stays fast at a thousand scoped services."""

from __future__ import annotations

import time

import pytest

from baseline.design.config import parse_config
from baseline.design.designer import design_baseline
from baseline.design.findings import ConfigError
from baseline.design.manifests import GivenManifests
from baseline.design.resource_overlaps import ScopedGrant, overlapping_grants
from tests.helpers import CTX

SITE = {
    "manifestVersion": 1,
    "component": "acme:components:Site",
    "actions": ["s3:CreateBucket", "s3:PutBucketPublicAccessBlock", "s3:PutBucketVersioning"],
    "deleteActions": ["s3:DeleteBucket"],
    "resources": ["arn:aws:s3:::{sitePrefix}-*"],
    "passesRoles": False,
}
QUEUE = {
    "manifestVersion": 1,
    "component": "acme:components:Queue",
    "actions": ["sqs:CreateQueue"],
    "deleteActions": ["sqs:DeleteQueue"],
    "resources": ["arn:aws:sqs:*:*:{sitePrefix}-*"],
    "passesRoles": False,
}
MANIFESTS = GivenManifests({"acme.site": SITE, "acme.queue": QUEUE})


def design(services, stack="dev"):
    raw = {"services": services, "environment": stack}
    return design_baseline(parse_config(raw, stack, manifests=MANIFESTS), CTX)


def refused(services):
    with pytest.raises(ConfigError) as raised:
        design(services)
    return {f.location: f for f in raised.value.findings}


def site(prefix, **extra):
    return {"uses": ["acme.site"], "placeholders": {"sitePrefix": prefix}, **extra}


def test_a_placeholder_prefix_covering_another_services_buckets_is_refused():
    found = refused({"shop": site("shop"), "shopsite": site("shop-site")})
    finding = found["services.shop.placeholders"]
    assert finding.code == "resource-overlap" and finding.severity == "error"
    assert "arn:aws:s3:::shop-*" in finding.detail and "services.shopsite" in finding.detail


def test_identical_prefixes_in_two_services_are_refused():
    assert "services.a.placeholders" in refused({"a": site("web"), "b": site("web")})


def test_components_of_different_services_and_of_one_service_are_checked():
    found = refused(
        {"shop": {"placeholders": {"sitePrefix": "shop"}, "components": {"site": {"uses": ["acme.site"]}}}, "blog": site("shop-blog")}
    )
    assert "services.shop.placeholders" in found
    one_service = {
        "shop": {
            "placeholders": {"sitePrefix": "shop"},
            "components": {"site": {"uses": ["acme.site"]}, "assets": {"uses": ["acme.site"]}},
        }
    }
    assert refused(one_service)["services.shop.placeholders"].code == "resource-overlap"


def test_distinct_prefixes_and_other_resource_types_are_fine():
    bp = design(
        {"shop": site("shop-web"), "blog": site("shop-blog"), "jobs": {"uses": ["acme.queue"], "placeholders": {"sitePrefix": "shop-web"}}}
    )
    assert [w for w in bp.warnings if w.code in ("resource-overlap", "shared-resources")] == []


def test_a_hand_written_placeholder_free_overlap_is_a_warning_naming_both():
    services = {
        "a": {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::shared-config/*"]},
        "b": {"actions": ["s3:GetObject"], "resources": ["arn:aws:s3:::shared-*"]},
    }
    (warning,) = [w for w in design(services).warnings if w.code == "shared-resources"]
    assert warning.location == "services.a.resources" and "services.b" in warning.detail


def test_unscoped_roles_are_not_overlaps():
    bp = design({"a": {"actions": ["sqs:*"]}, "b": site("web")})
    assert [w for w in bp.warnings if w.code == "shared-resources"] == []


@pytest.mark.parametrize(
    ("a", "b", "meet"),
    [
        ("arn:aws:s3:::shop-*", "arn:aws:s3:::shop-site-*", True),
        ("arn:aws:s3:::shop-web-*", "arn:aws:s3:::shop-site-*", False),
        ("arn:aws:sqs:*:*:shop-*", "arn:aws:sqs:eu-west-1:123456789012:shop-orders", True),
        ("arn:aws:sqs:us-east-1:*:shop-*", "arn:aws:sqs:eu-west-1:*:shop-*", False),
        ("arn:aws:s3:::shop-*", "arn:aws:sqs:*:*:shop-*", False),
        ("arn:aws:*:*:*:shop-*", "arn:aws:sqs:*:*:shop-x", True),
        ("arn:aws:s3:::shop-?", "arn:aws:s3:::shop-a", True),
    ],
)
def test_patterns_are_compared_field_by_field(a, b, meet):
    found = overlapping_grants([ScopedGrant("services.a", (a,), True), ScopedGrant("services.b", (b,), False)])
    assert bool(found) is meet


def test_a_thousand_scoped_services_are_checked_quickly_and_completely():
    grants = [ScopedGrant(f"services.s{i:04d}", (f"arn:aws:sqs:*:*:s{i:04d}-*", f"arn:aws:s3:::s{i:04d}-*"), True) for i in range(1000)]
    grants.append(ScopedGrant("services.wide", ("arn:aws:s3:::s05*",), True))
    started = time.perf_counter()
    found = overlapping_grants(grants)
    elapsed = time.perf_counter() - started
    assert {f.location for f in found} == {"services.wide.placeholders"}, "the broader prefix is the one to change"
    assert sorted(f.detail.split("also name ")[1].split("'s ")[0] for f in found) == [f"services.s{i:04d}" for i in range(500, 600)]
    assert elapsed < 10, f"{elapsed:.1f} s"  # a guard against a quadratic blow-up, not a benchmark


@pytest.mark.parametrize("value", ["*", "shop*", "sho?", "*-site"])
def test_a_wildcard_placeholder_value_is_refused_before_it_widens_a_pattern(value):
    with pytest.raises(ConfigError) as raised:
        design({"shop": site(value)})
    found = {f.location: f.detail for f in raised.value.findings}
    assert "wildcards" in found["services.shop.placeholders.sitePrefix"]
