"""How much of the installed pulumi-aws the permission table covers, per pulumi module, by source of row.

Every resource token and function token of the installed pulumi_aws is counted as one of:
`hand` (a reviewed row in `permissions/*.yaml`), `provider` (generated from terraform-provider-aws's code: the
snapshot the generator reads, or current files read for types newer than it), `cloudformation` (generated from the
AWS CloudFormation resource schema of the type's CloudFormation counterpart), `botocore` (a function's row from
botocore's service model: the operations its name points at), `noAwsCall` (a generated row whose source says it
makes no AWS call), `unresolved` (a generated row that found its counterpart but could not state its calls: calls
not resolved, or actions the IAM catalogue lacks), `none` (no source has a counterpart) or `missing` (no row at
all: regenerate the table). Each module also counts its answered rows by `proved` (hand rows are proved; generated
rows are not, until reviewed).

The tokens are read from pulumi_aws's files (its `resource_modules` JSON and its `invoke` calls), never
by importing it: AWS facts do not import Pulumi.

    python -m baseline.aws.coverage [--list none|unresolved|missing|noAwsCall|cloudformation|botocore|...]
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from baseline.aws.permissions import (
    get_generated_table,
    get_tabled_data_sources,
    get_tabled_resource_types,
    get_unanswered_reason,
    is_grounded,
)

KINDS = ("hand", "provider", "cloudformation", "botocore", "noAwsCall", "unresolved", "none", "missing")
ANSWERED = ("hand", "provider", "cloudformation", "botocore", "noAwsCall")
# A generated row's provenance source -> its kind of row.
SOURCE_KINDS = {
    "hashicorp/terraform-provider-aws": "provider",
    "aws-cloudformation-schema": "cloudformation",
    "botocore-model": "botocore",
}
_INVOKE = re.compile(r"pulumi\.runtime\.invoke(?:_output)?\('(aws:[^']+)'")


@dataclass
class ModuleCoverage:
    """One pulumi module's tokens, by kind of row."""

    module: str
    resources: int = 0
    functions: int = 0
    tokens: dict[str, list[str]] = field(default_factory=lambda: {kind: [] for kind in KINDS})

    proved: int = 0  # answered rows that are proved (hand-written and reviewed)

    def count(self, kind: str) -> int:
        return len(self.tokens[kind])

    def answered(self) -> int:
        return sum(self.count(kind) for kind in ANSWERED)


def _package_dir() -> Path:
    spec = importlib.util.find_spec("pulumi_aws")  # locates the package without importing it
    if spec is None or spec.origin is None:
        raise RuntimeError("pulumi_aws is not installed")
    return Path(spec.origin).resolve().parent


@functools.cache
def installed_tokens() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the installed pulumi_aws's resource tokens and function tokens, each sorted."""
    package = _package_dir()
    init = (package / "__init__.py").read_text()
    block = re.search(r'resource_modules="""(.*?)"""', init, re.DOTALL)
    resources = {token for entry in json.loads(block.group(1)) for token in entry["classes"]} if block else set()
    functions = {token for path in package.rglob("*.py") for token in _INVOKE.findall(path.read_text())}
    return tuple(sorted(resources)), tuple(sorted(functions))


def _kind(token: str, hand: frozenset[str], rows: dict[str, dict[str, object]]) -> str:
    if token in hand:
        return "hand"
    row = rows.get(token)
    if row is None:
        return "missing"
    provenance = row.get("provenance")
    source = provenance.get("source") if isinstance(provenance, dict) else None
    if source == "none":
        return "none"
    if row.get("noAwsCall"):
        return "noAwsCall"
    if not is_grounded(row):
        return "unresolved"
    return SOURCE_KINDS.get(str(source), "unresolved")


def module_of(token: str) -> str:
    """Return a token's pulumi module (`aws:sqs/queue:Queue` -> `sqs`)."""
    return token.split(":")[1].split("/")[0]


def coverage_by_module() -> dict[str, ModuleCoverage]:
    """Return, per pulumi module (sorted), its resource and function tokens by kind of row."""
    resources, functions = installed_tokens()
    table = get_generated_table()
    modules: dict[str, ModuleCoverage] = {}
    for tokens, hand, rows, attribute in (
        (resources, frozenset(get_tabled_resource_types()), table["resources"], "resources"),
        (functions, frozenset(get_tabled_data_sources()), table["functions"], "functions"),
    ):
        for token in tokens:
            entry = modules.setdefault(module_of(token), ModuleCoverage(module_of(token)))
            setattr(entry, attribute, getattr(entry, attribute) + 1)
            kind = _kind(token, hand, rows)
            entry.tokens[kind].append(token)
            entry.proved += kind == "hand" or (kind in ANSWERED and bool(rows.get(token, {}).get("proved")))
    return dict(sorted(modules.items()))


def totals(modules: Iterable[ModuleCoverage]) -> ModuleCoverage:
    """Return every module's counts added up."""
    total = ModuleCoverage("total")
    for entry in modules:
        total.resources += entry.resources
        total.functions += entry.functions
        total.proved += entry.proved
        for kind in KINDS:
            total.tokens[kind] += entry.tokens[kind]
    return total


def format_coverage(modules: dict[str, ModuleCoverage], listed: Iterable[str] = ()) -> str:
    """Return the per-module table (rows by source, answered rows by proved) and the totals, then every token of
    each kind in `listed`."""
    widths = {kind: max(len(kind), 5) for kind in KINDS}
    header = f"{'module':<28} {'resources':>9} {'functions':>9} " + " ".join(f"{kind:>{widths[kind]}}" for kind in KINDS)
    lines = [header + f" {'proved':>7} {'unproved':>8}"]
    for entry in [*modules.values(), totals(modules.values())]:
        counts = " ".join(f"{entry.count(kind):>{widths[kind]}}" for kind in KINDS)
        proved = f" {entry.proved:>7} {entry.answered() - entry.proved:>8}"
        lines.append(f"{entry.module:<28} {entry.resources:>9} {entry.functions:>9} {counts}{proved}")
    total = totals(modules.values())
    tokens = total.resources + total.functions
    answered = total.answered()
    by_source = ", ".join(f"{total.count(kind)} {kind}" for kind in ANSWERED)
    lines.append(f"{answered} of {tokens} tokens answered ({answered / tokens:.1%}): {by_source}; {total.proved} proved")
    for kind in listed:
        lines.append("")
        lines.append(f"## {kind} ({total.count(kind)})")
        for token in sorted(total.tokens[kind]):
            reason = get_unanswered_reason(token)
            lines.append(f"  {token}" + (f": {reason}" if reason else ""))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coverage of the installed pulumi-aws by the permission table, per module.")
    parser.add_argument("--list", action="append", default=[], choices=KINDS, help="also list every token of this kind")
    args = parser.parse_args(argv)
    print(format_coverage(coverage_by_module(), args.list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
