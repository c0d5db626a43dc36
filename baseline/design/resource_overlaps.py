"""Resource patterns two provisioning roles share: a leaked session of one would reach the other's resources.

A placeholder prefix is the usual cause: `sitePrefix: shop` fills `arn:aws:s3:::{sitePrefix}-*` into
`arn:aws:s3:::shop-*`, which also names another service's `shop-site-*` buckets. Such an overlap is refused
(the placeholder values must not be prefixes of one another). Resources written out by hand may be shared on
purpose (one configuration bucket read by two services), so their overlap is a warning.

Patterns are compared field by field (`arn:partition:service:region:account:resource`), and only those
whose resource parts could meet are compared at all, so a thousand scoped services stay fast.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from baseline.aws.catalog import globs_overlap
from baseline.design.findings import Finding

_ARN_FIELDS = 6


@dataclass(frozen=True)
class ScopedGrant:
    """One role's resource patterns, as configured."""

    key: str  # the config key the role comes from: services.<name>[.components.<c>]
    resources: tuple[str, ...]
    filled: bool  # filled in from manifest placeholders rather than written out


@dataclass(frozen=True)
class _Pattern:
    grant: ScopedGrant
    arn: str
    fields: tuple[str, ...]

    @property
    def literal_prefix(self) -> str:
        """Return the resource part up to its first wildcard: two patterns can meet only if one's is a prefix of the other's."""
        resource = self.fields[-1]
        cut = min((i for i in (resource.find("*"), resource.find("?")) if i >= 0), default=len(resource))
        return resource[:cut]


def _fields(arn: str) -> tuple[str, ...] | None:
    parts = arn.split(":", _ARN_FIELDS - 1)
    return tuple(parts) if len(parts) == _ARN_FIELDS else None


def _meet(a: _Pattern, b: _Pattern) -> bool:
    return all(globs_overlap(x, y) for x, y in zip(a.fields, b.fields, strict=True))


def overlapping_grants(grants: Iterable[ScopedGrant]) -> list[Finding]:
    """Return a finding for each pair of roles whose resource patterns can name the same resource.

    Roles granted `*` are left out: they are unscoped by design, which `review`'s blast radius shows.
    """
    by_service: dict[str, list[_Pattern]] = defaultdict(list)
    wildcard_service: list[_Pattern] = []
    for grant in grants:
        for arn in grant.resources:
            fields = _fields(arn)
            if fields is None:
                continue
            pattern = _Pattern(grant, arn, fields)
            (wildcard_service if "*" in fields[2] or "?" in fields[2] else by_service[fields[2]]).append(pattern)
    pairs: dict[tuple[str, str], tuple[_Pattern, _Pattern]] = {}

    def record(a: _Pattern, b: _Pattern) -> None:
        if a.grant.key != b.grant.key and _meet(a, b):
            first, second = sorted((a, b), key=lambda p: (p.grant.key, p.arn))
            pairs.setdefault((first.grant.key, second.grant.key), (first, second))

    for patterns in by_service.values():
        patterns.sort(key=lambda p: p.literal_prefix)
        prefixes = [p.literal_prefix for p in patterns]
        for index, pattern in enumerate(patterns):
            # Every later pattern whose literal prefix starts with this one's (the list is sorted by it).
            end = bisect.bisect_right(prefixes, pattern.literal_prefix + "\uffff", lo=index)
            for other in patterns[index + 1 : end]:
                record(pattern, other)
    everything = [p for patterns in by_service.values() for p in patterns] + wildcard_service
    for pattern in wildcard_service:
        for other in everything:
            if other is not pattern:
                record(pattern, other)
    return [_finding(a, b) for (_, _), (a, b) in sorted(pairs.items())]


def _finding(a: _Pattern, b: _Pattern) -> Finding:
    # The finding goes to the broader of the placeholder-filled patterns: its value is the one to change.
    filled = min((p for p in (a, b) if p.grant.filled), key=lambda p: (len(p.literal_prefix), p.grant.key), default=None)
    if filled is None:
        return Finding(
            "shared-resources",
            f"{a.grant.key}.resources",
            f"{a.arn!r} and {b.grant.key}'s {b.arn!r} can name the same resources: a leaked session of either reaches them; "
            "fine for a resource shared on purpose, else narrow one",
        )
    other = b if filled is a else a
    owner = filled.grant.key.split(".components.", 1)[0]
    return Finding(
        "resource-overlap",
        f"{owner}.placeholders",
        f"{filled.grant.key} is granted {filled.arn!r}, which can also name {other.grant.key}'s {other.arn!r}: "
        "a leaked session of one would reach the other's resources; give each service a placeholder value "
        "that is not a prefix of another's (e.g. shop-web and shop-site, not shop and shop-site)",
    )
