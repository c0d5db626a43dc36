"""Garbage-collector settings for one run of the baseline program.

Why: registering a resource allocates hundreds of short-lived asyncio and Output objects. With CPython's
default first-generation threshold (700 allocations) the collector ran thousands of times in a
1,000-service render, and each pass of an older generation walks every live object (the design, every
resource and its Outputs): half the render's CPU time was the collector. Those objects live until the
program ends, so collecting rarely frees no less; what reference counting frees is freed at once.
`baseline.offline.engine.run_offline` restores the settings after each run (tests render many times).
"""

from __future__ import annotations

import gc

# First generation every 200,000 allocations (not 700); the older ones as rarely. Measured on 1,000 services
# (bench/bench.py --whole-process): 12.3 s CPU at the defaults, 6.4 s at 50,000, 5.7 s at 200,000, 5.6 s at
# 1,000,000 with 4% more peak memory; 200,000 keeps the peak below the bare floor's.
RUN_THRESHOLDS = (200_000, 20, 100)


def collect_rarely() -> None:
    """Run the collector rarely from here on (at the start of the program)."""
    gc.set_threshold(*RUN_THRESHOLDS)


def freeze_survivors() -> None:
    """Put every object alive now (imports, config, design) out of the collector's reach (before registering)."""
    gc.freeze()
