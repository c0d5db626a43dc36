"""Benchmark: how much of what the AWS provider calls does `discover` propose, on programs the permission
table was not written from (issue 15)?

Runs discover (offline, dev stack) on each held-out program in `tests/fixtures/heldout/`, compares its
proposal with the program's `expected.yaml` (an oracle written from the provider's code) and prints, per
program and overall, coverage and noise, every missing and extra action, and any data-plane action
proposed. Targets: coverage >= 98%, noise <= 20%, no data-plane action, no crash. Always exits 0.

    python bench/discover_coverage.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from tests.heldout_measure import format_report, measure

    started = time.perf_counter()
    totals = measure()
    print(format_report(totals))
    print(f"\n{len(totals.programs)} programs measured in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
