"""Benchmark: how much of what the AWS provider calls does `discover` propose, on what the permission table was
not written from (issues 15 and 21)? Three sets, each scored against an oracle written from the provider's code:

- `heldout`: the team's held-out programs (`tests/fixtures/heldout/`); targets coverage >= 98%, noise <= 20%.
- `realworld`: real programs written by others (pulumi/examples, `tests/fixtures/realworld/`); targets recall
  >= 95%, excess <= 20%, no crash, no hang.
- `random`: resource types drawn at random across the pinned pulumi-aws (`tests/fixtures/random_types/`), one
  resource each with its required inputs; targets recall >= 90%, excess <= 25%, no type without a proposal.

Prints, per program or type and overall, coverage (recall) and noise (excess), and every missing and extra
action. Always exits 0.

    python bench/discover_coverage.py [--set heldout|realworld|random]...
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETS = ("heldout", "realworld", "random")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="sets", action="append", choices=SETS, help="the set(s) to measure (default: all)")
    sets = parser.parse_args(argv).sets or list(SETS)
    sys.path.insert(0, str(ROOT))
    from tests import heldout_measure, random_types_measure

    for name in sets:
        started = time.perf_counter()
        print(f"# {name}\n")
        if name == "random":
            types = random_types_measure.measure()
            print(random_types_measure.format_report(types))
            print(f"\n{len(types.types)} types measured in {time.perf_counter() - started:.1f} s\n")
            continue
        directory = heldout_measure.HELDOUT_DIR if name == "heldout" else heldout_measure.REALWORLD_DIR
        targets = heldout_measure.HELDOUT_TARGETS if name == "heldout" else heldout_measure.REALWORLD_TARGETS
        programs = heldout_measure.measure(directory=directory)
        print(heldout_measure.format_report(programs, targets))
        print(f"\n{len(programs.programs)} programs measured in {time.perf_counter() - started:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
