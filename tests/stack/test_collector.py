"""The program tunes the garbage collector for its one run (half a 1,000-service render's CPU was the collector);
a process that renders many times, like this one, gets its settings back after each run."""

import gc

from baseline.offline.engine import run_offline
from baseline.stack import collector
from baseline.stack.program import run_stack
from tests.helpers import encode


def test_the_program_collects_rarely_and_freezes_its_design_while_it_registers():
    seen = []

    def program() -> None:
        run_stack()
        seen.append((gc.get_threshold(), gc.get_freeze_count()))

    run_offline(program, "dev", encode({"services": {"api": {"actions": ["sqs:*"]}}}))
    ((thresholds, frozen),) = seen
    assert thresholds == collector.RUN_THRESHOLDS
    assert frozen > 10_000, "the imports, config and design are out of the collector's reach"


def test_a_render_leaves_the_collector_as_it_found_it():
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    run_offline(run_stack, "dev", encode({"services": {"api": {"actions": ["sqs:*"]}}}))
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
