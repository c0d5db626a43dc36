"""Measure `discover` on resource types drawn at random across the pinned pulumi-aws (issue 21): for each type in
`tests/fixtures/random_types/`, the proposal for one resource with only its required inputs (and tags, where the
type takes them) against an oracle written from the AWS provider's code, independently of the permission table.

The sample: for each draw `(seed, size)` of `DRAWS`, `random.Random(seed).sample(pool, size)` over the installed
pulumi_aws's resource tokens (sorted) that earlier draws did not pick; `sample_tokens()` draws them again. Each draw's
oracle was written before the table was changed for any of its findings. Per type: recall = |expected & proposed| / |expected|, excess =
|proposed - expected| / |proposed|, where expected is every lifecycle set of the oracle (create, read, update, tag,
untag, delete) and the actions it marks `uncatalogued`, and proposed is every action the proposal's patterns grant
plus the uncatalogued actions discover names. Totals are micro-averaged (actions counted per type).
Shared by `bench/discover_random_types.py` (the table) and `tests/aws/test_random_types_coverage.py` (the gate).
"""

from __future__ import annotations

import functools
import inspect
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from baseline.aws.coverage import installed_tokens
from baseline.discover.mocks import python_module
from baseline.discover.proposal import propose
from baseline.offline.fake_aws import Registration
from baseline.offline.pulumi_private import pulumi_property_name
from tests.heldout_measure import LIFECYCLE_SETS, Scored, micro_coverage, micro_noise, proposed_actions

ORACLE_DIR = Path(__file__).resolve().parent / "fixtures" / "random_types"
DRAWS = ((2026120602, 60), (2026120603, 60))  # (seed, size): the second drawn after the first was scored
ROLE_ARN = "arn:aws:iam::123456789012:role/random-types-measure"


def sample_tokens(draws: tuple[tuple[int, int], ...] = DRAWS) -> list[str]:
    """Return the resource tokens the oracle was written for, drawn again from the installed pulumi_aws."""
    resources, _ = installed_tokens()
    drawn: list[str] = []
    for seed, size in draws:
        drawn += random.Random(seed).sample(sorted(set(resources) - set(drawn)), size)
    return sorted(drawn)


def load_oracle() -> dict[str, dict[str, Any]]:
    """Return every oracle row (token -> row) of the `part_*.yaml` files."""
    rows: dict[str, dict[str, Any]] = {}
    for part in sorted(ORACLE_DIR.glob("part_*.yaml")):
        rows.update(yaml.safe_load(part.read_text()) or {})
    return dict(sorted(rows.items()))


def expected_actions(row: dict[str, Any]) -> frozenset[str]:
    return frozenset(a for s in LIFECYCLE_SETS for a in row.get(s) or ())


@functools.cache
def required_inputs(token: str) -> dict[str, Any]:
    """Return the inputs of a resource with only its required arguments set (and tags where the type takes them),
    by their Pulumi names; an argument naming a role gets a role ARN, every other a plain placeholder."""
    args_class = getattr(python_module(token), token.rsplit(":", 1)[1] + "Args")
    parameters = inspect.signature(args_class.__init__).parameters
    inputs: dict[str, Any] = {}
    for name, parameter in parameters.items():
        if name in ("self", "__self__"):
            continue
        if parameter.default is not inspect.Parameter.empty and name != "tags":
            continue
        getter = getattr(args_class, name, None)
        pulumi_name = (pulumi_property_name(getter.fget) if isinstance(getter, property) else None) or name
        if name == "tags":
            inputs[pulumi_name] = {"team": "x"}
        elif name == "role" or name.endswith("role_arn"):
            inputs[pulumi_name] = ROLE_ARN
        else:
            inputs[pulumi_name] = "x"
    return inputs


@dataclass
class TypeResult(Scored):
    """One type measured: what the oracle expects and what discover proposed (coverage is recall, noise excess)."""

    token: str
    expected: frozenset[str]
    proposed: frozenset[str] = frozenset()
    unmapped: bool = False
    verified: bool = True

    @property
    def without_proposal(self) -> bool:
        """True when discover proposes nothing for a type the provider calls something for."""
        return bool(self.expected) and not self.proposed


@dataclass
class Totals:
    types: list[TypeResult] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return micro_coverage(list(self.types))

    @property
    def excess(self) -> float:
        return micro_noise(list(self.types))

    @property
    def without_proposal(self) -> list[str]:
        return [t.token for t in self.types if t.without_proposal]


def measure_type(token: str, row: dict[str, Any]) -> TypeResult:
    """Propose for one resource of the type with its required inputs, and compare with the oracle row."""
    registration = Registration(token, "measured", f"urn:pulumi:dev::random::{token}::measured", required_inputs(token), True)
    proposal = propose("measured", [registration])
    result = TypeResult(token, expected_actions(row), proposed_actions(proposal))
    result.unmapped = token in proposal.unmapped
    result.verified = token not in proposal.unverified
    return result


def measure() -> Totals:
    return Totals([measure_type(token, row) for token, row in load_oracle().items()])


def format_report(totals: Totals) -> str:
    """Return the table (per type and overall), then each type's missing and extra actions."""
    lines = [f"{'type':<72} {'exp':>4} {'prop':>4} {'miss':>4} {'xtra':>4} {'recall':>7} {'excess':>7}  notes"]
    for t in totals.types:
        notes = ["NO PROPOSAL"] if t.without_proposal else []
        notes += ["unmapped"] if t.unmapped else []
        notes += ["name-matched"] if not t.verified else []
        lines.append(
            f"{t.token:<72} {len(t.expected):>4} {len(t.proposed):>4} {len(t.missing):>4} {len(t.extra):>4} "
            f"{t.coverage:>7.1%} {t.noise:>7.1%}  {'; '.join(notes)}"
        )
    lines.append(f"{'overall':<72} {'':>4} {'':>4} {'':>4} {'':>4} {totals.recall:>7.1%} {totals.excess:>7.1%}")
    lines.append("targets (issue 21): recall >= 90%, excess <= 25%, no type without a proposal")
    for t in totals.types:
        if t.missing or t.extra:
            lines.append(f"\n## {t.token}")
            lines += [f"  missing  {', '.join(t.missing)}"] if t.missing else []
            lines += [f"  extra    {', '.join(t.extra)}"] if t.extra else []
    return "\n".join(lines)
