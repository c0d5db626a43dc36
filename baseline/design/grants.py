"""What a provisioning role may do: config action patterns resolved against the catalogue.

When deletes are not allowed, patterns are expanded to catalogue actions, destructive ones are
dropped, and the rest is compacted back into CamelCase-word prefix wildcards (`ec2:Describe*`) that
provably reach no dropped action, so `sqs:*` in prod cannot reach `sqs:DeleteQueue`.
"""

from __future__ import annotations

import bisect
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from baseline.aws.catalog import (
    get_actions_for_service,
    get_actions_matching,
    get_destructive_actions_for_service,
    is_destructive,
    split_camel_words,
)


@dataclass(frozen=True)
class ServiceGrant:
    """A role's allowed action patterns, and the destructive patterns it explicitly denies."""

    allow: tuple[str, ...]
    deny_destructive: tuple[str, ...]
    reachable: frozenset[str]

    @property
    def services(self) -> tuple[str, ...]:
        """Return the service prefixes the grant reaches, sorted."""
        return tuple(sorted({a.split(":", 1)[0] for a in self.reachable}))


def expand_patterns(patterns: Iterable[str]) -> frozenset[str]:
    """Return every catalogue action the patterns reach."""
    return frozenset(a for p in patterns for a in get_actions_matching(p))


def _canonical_pattern(pattern: str) -> str:
    """Return a literal action in catalogue spelling; wildcards unchanged."""
    if "*" in pattern or "?" in pattern:
        return pattern
    return get_actions_matching(pattern)[0]


def resolve_grant(patterns: Iterable[str], allow_delete: bool) -> ServiceGrant:
    """Return the allow/deny action lists for a role granted `patterns`."""
    return _resolve_grant(tuple(sorted(set(patterns))), allow_delete)


@functools.lru_cache(maxsize=1024)
def _resolve_grant(patterns: tuple[str, ...], allow_delete: bool) -> ServiceGrant:
    # Services often share an action list; the catalogue work is done once per distinct list.
    reachable = expand_patterns(patterns)
    if allow_delete:
        return ServiceGrant(tuple(sorted({_canonical_pattern(p) for p in patterns})), (), reachable)
    safe = frozenset(a for a in reachable if not is_destructive(a))
    prefixes = {a.split(":", 1)[0] for a in reachable}
    destructive = {a for p in prefixes for a in get_destructive_actions_for_service(p)}
    return ServiceGrant(compact_actions(safe), compact_actions(destructive), safe)


@functools.lru_cache(maxsize=1024)
def destructive_patterns(patterns: tuple[str, ...]) -> tuple[str, ...]:
    """Return compacted patterns for exactly the destructive actions `patterns` reach."""
    return compact_actions(a for a in expand_patterns(patterns) if is_destructive(a))


def compact_actions(actions: Iterable[str]) -> tuple[str, ...]:
    """Return the fewest word-prefix patterns that match exactly `actions` within the catalogue.

    Each action becomes the shortest `service:Word1Word2*` that matches two or more catalogue
    actions, all of them in `actions`; a service granted in full becomes `service:*`; an action
    with no such prefix stays literal.
    """
    by_service: dict[str, set[str]] = defaultdict(set)
    for action in actions:
        prefix, name = action.split(":", 1)
        by_service[prefix].add(name)
    patterns: list[str] = []
    for prefix, names in sorted(by_service.items()):
        patterns += _compact_service(prefix, frozenset(names))
    return tuple(sorted(patterns))


@functools.cache
def _sorted_names(prefix: str) -> tuple[str, ...]:
    """Return the service's action names, lowercased and sorted, for range look-ups by prefix."""
    return tuple(sorted(a.split(":", 1)[1].lower() for a in get_actions_for_service(prefix)))


@functools.lru_cache(maxsize=4096)
def _compact_service(prefix: str, names: frozenset[str]) -> list[str]:
    keys = _sorted_names(prefix)
    wanted = {n.lower() for n in names}
    if wanted >= set(keys):
        return [f"{prefix}:*"]
    # unwanted_before[i]: how many of keys[:i] are not wanted, so a range is checked in O(1).
    unwanted_before = [0]
    for key in keys:
        unwanted_before.append(unwanted_before[-1] + (key not in wanted))
    chosen: set[str] = set()
    for name in sorted(names):
        words = split_camel_words(name)
        for count in range(1, len(words) + 1):
            stem = "".join(words[:count])
            if count == len(words):
                chosen.add(f"{prefix}:{name}")
                break
            lo = bisect.bisect_left(keys, stem.lower())
            hi = bisect.bisect_left(keys, stem.lower() + "\uffff")
            # A wildcard must stand for at least two actions: for one, the literal is as short
            # and does not also reach actions AWS adds later.
            if hi - lo > 1 and unwanted_before[hi] == unwanted_before[lo]:
                chosen.add(f"{prefix}:{stem}*")
                break
    return _drop_subsumed(chosen)


def _drop_subsumed(patterns: set[str]) -> list[str]:
    """Return the patterns not already covered by a shorter wildcard in the set."""
    stems = sorted(p[:-1].lower() for p in patterns if p.endswith("*"))
    kept = []
    for pattern in sorted(patterns):
        is_wildcard = pattern.endswith("*")
        body = (pattern[:-1] if is_wildcard else pattern).lower()
        if any(body.startswith(s) and not (is_wildcard and body == s) for s in stems):
            continue
        kept.append(pattern)
    return kept
