"""Issue 21: on real programs written by others (pulumi/examples, `tests/fixtures/realworld/`), discover runs
without crashing or hanging, and its proposal holds at least 95% of what the AWS provider calls for what each
program declares, with at most 20% of it never called. The oracle is each program's `expected.yaml`, written from
the provider's code; `python bench/discover_coverage.py --set realworld` prints the same measurement in full."""

import pytest
import yaml

from baseline.aws.catalog import get_actions_for_service
from tests.heldout_measure import (
    LIFECYCLE_SETS,
    REALWORLD_DIR,
    REALWORLD_TARGETS,
    Totals,
    format_report,
    heldout_programs,
    load_expected,
    measure,
)


@pytest.fixture(scope="module")
def totals() -> Totals:
    return measure(directory=REALWORLD_DIR)


def test_there_are_thirteen_real_programs_each_with_an_oracle_the_catalogue_knows():
    programs = heldout_programs(REALWORLD_DIR)
    assert len(programs) >= 13, [p.name for p in programs]
    for program in programs:
        by_type = load_expected(program)
        assert by_type, f"{program.name}: empty oracle"
        document = yaml.safe_load((program / "expected.yaml").read_text())
        rows = [*(document.get("resources") or {}).values(), *(document.get("data_sources") or {}).values()]
        # Only what the oracle marks uncatalogued may be unknown to the catalogue.
        known = {a for row in rows for s in LIFECYCLE_SETS if s != "uncatalogued" for a in row.get(s) or ()}
        unknown = sorted(a for a in known if a not in get_actions_for_service(a.split(":", 1)[0]))
        assert unknown == [], (program.name, unknown)


def test_discover_runs_every_real_program_without_crashing_or_hanging(totals):
    assert totals.crashed == {}, totals.crashed
    assert all(not p.unmapped for p in totals.programs), {p.name: p.unmapped for p in totals.programs if p.unmapped}
    assert max(p.seconds for p in totals.programs) < 60, {p.name: round(p.seconds, 1) for p in totals.programs}


def test_the_proposal_holds_at_least_95_percent_of_what_the_provider_calls(totals):
    assert totals.coverage >= 0.95, format_report(totals, REALWORLD_TARGETS)


def test_at_most_20_percent_of_the_proposal_is_never_called(totals):
    assert totals.noise <= 0.20, format_report(totals, REALWORLD_TARGETS)


def test_no_data_plane_action_is_proposed_beyond_what_the_program_itself_does(totals):
    assert totals.data_plane == {}, totals.data_plane
