"""Measure `discover` against held-out programs (issue 15): the IAM actions it proposes for each program in
`tests/fixtures/heldout/` (written by the team) or `tests/fixtures/realworld/` (pulumi/examples programs, issue 21),
compared with that program's `expected.yaml`, an oracle written from the AWS provider's own code independently of
the permission table.

In dev (deletes allowed): coverage = |expected & proposed| / |expected|, noise = |proposed - expected| /
|proposed|, where expected is the union of every lifecycle set (create, read, update, tag, untag, delete) and the
actions the oracle marks `uncatalogued`, of every resource type and data source, and proposed is every action the
proposal's patterns grant plus the uncatalogued actions discover names.
Shared by `bench/discover_coverage.py` (the tables) and `tests/aws/test_heldout_coverage.py` and
`tests/aws/test_realworld_coverage.py` (the gates).
"""

from __future__ import annotations

import re
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from baseline.aws.catalog import CREDENTIAL_MINTING_ACTIONS, get_access_level, get_resource_types, split_camel_words
from baseline.design.grants import expand_patterns
from baseline.discover.proposal import FALLBACK_EXCLUDED_WORDS, Proposal
from baseline.discover.runner import discover
from baseline.offline.engine import reveal
from tests.helpers import render_shipped

HELDOUT_DIR = Path(__file__).resolve().parent / "fixtures" / "heldout"
# Real programs written by others (pulumi/examples), each with an oracle written the same way (issue 21).
REALWORLD_DIR = Path(__file__).resolve().parent / "fixtures" / "realworld"
LIFECYCLE_SETS = ("create", "read", "update", "tag", "untag", "delete", "uncatalogued")
STACK = "dev"

# Data-plane actions: they read or write what a resource holds (objects, items, messages, events, secrets,
# invocations), not the resource itself; a deployer never needs them. Besides the named ones below, an
# action counts when it writes (access level Write) and one of its words is one `discover` keeps out of its
# fallback (Message, Item, Invoke, Publish, Send, ...), or when it mints credentials (the catalogue's list).
DATA_PLANE_ACTIONS = re.compile(
    r"^(dynamodb:(BatchGetItem|GetItem|Query|Scan|PartiQLSelect|GetRecords|GetShardIterator)"
    r"|sqs:(ReceiveMessage|DeleteMessage|ChangeMessageVisibility)"
    r"|logs:(GetLogEvents|FilterLogEvents|GetLogRecord|StartQuery|StartLiveTail)"
    r"|kinesis:(GetRecords|GetShardIterator|PutRecords?)"
    r"|kms:(Decrypt|Encrypt|GenerateDataKey\w*|ReEncrypt\w*|Sign|Verify)"
    r"|secretsmanager:GetSecretValue|ssm:GetParameters?|ec2:GetPasswordData|states:(StartExecution|StartSyncExecution|StopExecution)"
    r"|execute-api:\w+|lambda:InvokeFunction\w*)$"
)


# Words that make a Write action a setting of the resource, even beside a data word (Image, Message, ...).
CONFIGURATION_WORDS = frozenset(("Configuration", "Mutability", "Policy", "Settings"))


def is_data_plane(action: str) -> bool:
    """Return whether an IAM action is data plane (or mints credentials) rather than a deployer's."""
    if action in CREDENTIAL_MINTING_ACTIONS or DATA_PLANE_ACTIONS.match(action):
        return True
    prefix, name = action.split(":", 1)
    if prefix == "s3" and get_resource_types(action) and set(get_resource_types(action)) <= {"object", "accesspointobject"}:
        return True  # GetObject, PutObject, DeleteObjectVersion...: what a bucket holds
    words = set(split_camel_words(name))
    if words & CONFIGURATION_WORDS:  # ecr:PutImageScanningConfiguration, ecr:PutImageTagMutability: the repository's settings
        return False
    return get_access_level(action) == "Write" and bool(words & FALLBACK_EXCLUDED_WORDS)


class Scored:
    """An oracle's `expected` actions against discover's `proposed` ones: what is missing, what is extra, coverage
    (recall) and noise (excess). Shared by a program's and a random type's measurement."""

    expected: frozenset[str]
    proposed: frozenset[str]

    @property
    def missing(self) -> list[str]:
        return sorted(self.expected - self.proposed)

    @property
    def extra(self) -> list[str]:
        return sorted(self.proposed - self.expected)

    @property
    def coverage(self) -> float:
        return micro_coverage([self])

    @property
    def noise(self) -> float:
        return micro_noise([self])


def micro_coverage(scores: list[Scored]) -> float:
    """Return the share of every expected action that was proposed, counted over all scores (1.0 when none)."""
    expected = sum(len(s.expected) for s in scores)
    return sum(len(s.expected & s.proposed) for s in scores) / expected if expected else 1.0


def micro_noise(scores: list[Scored]) -> float:
    """Return the share of every proposed action that no oracle expects, counted over all scores (0.0 when none)."""
    proposed = sum(len(s.proposed) for s in scores)
    return sum(len(s.proposed - s.expected) for s in scores) / proposed if proposed else 0.0


@dataclass
class ProgramResult(Scored):
    """One held-out program measured: what the oracle expects, what discover proposed, and the difference."""

    name: str
    expected: frozenset[str]
    proposed: frozenset[str] = frozenset()
    expected_by_type: dict[str, frozenset[str]] = field(default_factory=dict)
    unmapped: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()
    error: str | None = None  # discover crashed: the traceback's last line
    seconds: float = 0.0

    @property
    def data_plane(self) -> list[str]:
        """Return the data-plane actions proposed that the oracle does not expect, beyond the services whose data the
        program itself manages (a BucketObject writes its object: the oracle expects s3:PutObject, and deleting it
        from a versioned bucket takes s3:DeleteObjectVersion)."""
        managed = {a.split(":", 1)[0] for a in self.expected if is_data_plane(a)}
        return sorted(a for a in self.proposed - self.expected if is_data_plane(a) and a.split(":", 1)[0] not in managed)

    def missing_by_type(self) -> dict[str, list[str]]:
        """Return, per resource type or data source of the oracle, the expected actions not proposed."""
        return {t: sorted(a - self.proposed) for t, a in self.expected_by_type.items() if a - self.proposed}


@dataclass
class Totals:
    """The measurement over every held-out program (micro-averaged: actions counted per program)."""

    programs: list[ProgramResult]

    @property
    def coverage(self) -> float:
        return micro_coverage(list(self.programs))

    @property
    def noise(self) -> float:
        return micro_noise(list(self.programs))

    @property
    def data_plane(self) -> dict[str, list[str]]:
        return {p.name: p.data_plane for p in self.programs if p.data_plane}

    @property
    def crashed(self) -> dict[str, str]:
        return {p.name: p.error for p in self.programs if p.error}


def heldout_programs(directory: Path = HELDOUT_DIR) -> list[Path]:
    """Return every held-out program folder (one with a Pulumi.yaml and an expected.yaml), sorted."""
    return sorted(p for p in directory.iterdir() if (p / "Pulumi.yaml").is_file() and (p / "expected.yaml").is_file())


def load_expected(program: Path) -> dict[str, frozenset[str]]:
    """Return, per resource type and data source in the program's oracle, every action it expects (all sets)."""
    document: dict[str, Any] = yaml.safe_load((program / "expected.yaml").read_text())
    by_type = {}
    for token, row in (document.get("resources") or {}).items():
        by_type[token] = frozenset(a for s in LIFECYCLE_SETS for a in row.get(s) or ())
    for token, row in (document.get("data_sources") or {}).items():
        by_type[token] = frozenset(a for s in ("read", "uncatalogued") for a in row.get(s) or ())
    return by_type


def proposed_actions(proposal: Proposal) -> frozenset[str]:
    """Return what the role would be granted, and what discover names that the IAM catalogue does not know yet."""
    return expand_patterns(proposal.actions) | {a for actions in proposal.uncatalogued.values() for a in actions}


def baseline_outputs() -> dict[str, Any]:
    """Return the shipped dev baseline's outputs, as `iam-baseline discover --stack dev` renders them."""
    return dict(reveal(render_shipped(STACK).outputs))


def measure_program(program: Path, outputs: dict[str, Any]) -> ProgramResult:
    """Run discover on one held-out program in dev and compare its proposal with the oracle."""
    by_type = load_expected(program)
    result = ProgramResult(program.name, frozenset().union(*by_type.values()), expected_by_type=by_type)
    started = time.perf_counter()
    try:
        proposal = discover(program.resolve(), STACK, outputs)
    except Exception as error:  # a crash is a finding, reported per program
        result.error = "".join(traceback.format_exception_only(error)).strip()
        return result
    finally:
        result.seconds = time.perf_counter() - started
    result.proposed = proposed_actions(proposal)
    result.unmapped, result.unverified = tuple(proposal.unmapped), tuple(proposal.unverified)
    return result


def measure(outputs: dict[str, Any] | None = None, directory: Path = HELDOUT_DIR) -> Totals:
    """Measure every held-out program of a directory."""
    outputs = baseline_outputs() if outputs is None else outputs
    return Totals([measure_program(program, outputs) for program in heldout_programs(directory)])


HELDOUT_TARGETS = "targets (issue 15): coverage >= 98%, noise <= 20%, no data-plane action, no crash"
REALWORLD_TARGETS = "targets (issue 21): coverage (recall) >= 95%, noise (excess) <= 20%, no crash, no hang"


def format_report(totals: Totals, targets: str = HELDOUT_TARGETS) -> str:
    """Return the table (per program and overall), then each program's missing and extra actions."""
    lines = [f"{'program':<20} {'expected':>8} {'proposed':>8} {'missing':>7} {'extra':>5} {'coverage':>8} {'noise':>6}  notes"]
    for p in totals.programs:
        notes = [f"CRASH: {p.error}"] if p.error else []
        notes += [f"data-plane: {', '.join(p.data_plane)}"] if p.data_plane else []
        notes += [f"unverified: {', '.join(p.unverified)}"] if p.unverified else []
        notes += [f"unmapped: {', '.join(p.unmapped)}"] if p.unmapped else []
        lines.append(
            f"{p.name:<20} {len(p.expected):>8} {len(p.proposed):>8} {len(p.missing):>7} {len(p.extra):>5} "
            f"{p.coverage:>8.1%} {p.noise:>6.1%}  {'; '.join(notes)}"
        )
    lines.append(f"{'overall':<20} {'':>8} {'':>8} {'':>7} {'':>5} {totals.coverage:>8.1%} {totals.noise:>6.1%}")
    lines.append(targets)
    for p in totals.programs:
        lines.append("")
        lines.append(f"## {p.name}")
        for token, actions in p.missing_by_type().items():
            lines.append(f"  missing  {token}: {', '.join(actions)}")
        if p.extra:
            lines.append(f"  extra    {', '.join(p.extra)}")
        if not p.missing and not p.extra and not p.error:
            lines.append("  exact")
    return "\n".join(lines)
