"""The kept year overviews: a change to some cells reads just those cells again, and what
comes out is what reading the whole year gives; any other change reads the year again."""

from __future__ import annotations

import datetime as dt

from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import propose, record_decision
from chibo4tot_desktop.ops.cells import update_cell
from chibo4tot_desktop.ops.registrations import delete_registration, save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import SetupChanges, save_setup
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.overviews import YearOverviews
from chibo4tot_desktop.reports import status_text, year_overview
from tests.builders import full_scores, qualifying_cell


def summary(overview) -> tuple:
    """Everything the window shows of a year overview."""
    return (status_text(overview), overview.counts, overview.warnings, overview.todo,
            [(s.cell.id, s.registered, s.days_late, s.scored, s.result.committee_totals.total,
              s.result.verdict.state, s.result.classification, s.consecutive_years,
              s.proposed, s.recognised, s.awarded, [r.text for r in s.result.verdict.reasons])
             for s in overview.cells],
            [r.text for r in overview.organisation_result.verdict.reasons])


def organisation_scores(office, year=2023):
    phase = queries.phase_for_year(office, year)
    return {item.id: ScoreInput(item.max_points, item.max_points) for group in phase.groups
            if group.scope == Scope.ORGANISATION.value for item in group.items}


def listen(office, cache):
    office.db.subscribe(cache.changed)
    return cache


def test_a_change_to_some_cells_reads_just_them_and_agrees_with_the_whole_year(demo_office):
    cache = listen(demo_office, YearOverviews(demo_office))
    for year in (2023, 2024):
        cache.compute(year)
    tdp09 = queries.cell_by_code(demo_office, "TDP09")
    thtg = queries.cell_by_code(demo_office, "THTG")

    steps = [
        lambda: save_registration(demo_office, tdp09.id, 2023, received_on=dt.date(2023, 3, 9)),
        lambda: save_evaluation(demo_office, tdp09.id, 2023,
                                scores=full_scores(demo_office, 2023, 0.95)),
        lambda: save_evaluation(demo_office, None, 2023, scores=organisation_scores(demo_office),
                                notes="tự chấm"),
        lambda: propose(demo_office, tdp09.id, 2023, AwardKind.CELL_RECOGNITION.value),
        lambda: record_decision(demo_office, [queries.awards(demo_office, 2023)[-1].id],
                                decision_number="12-QĐ/TU", decision_date=dt.date(2023, 12, 20),
                                issuer="Ban Thường vụ Tỉnh ủy"),
        lambda: delete_registration(
            demo_office, queries.registration(demo_office, thtg.id, 2023).id),
    ]
    for step in steps:
        step()
        assert cache.current(2023) is None
        assert cache.pending(2023) is not None          # cells to read, not the whole year
        assert len(cache.pending(2023)) <= 1
        assert summary(cache.compute(2023)) == summary(year_overview(demo_office, 2023))
        assert summary(cache.compute(2024)) == summary(year_overview(demo_office, 2024))
        assert cache.current(2023) is not None


def test_a_decision_reaches_the_streak_of_the_years_after(office):
    cell = qualifying_cell(office, "A", years=(2023, 2024))
    award_2024 = propose(office, cell.id, 2024, AwardKind.CELL_RECOGNITION.value)
    record_decision(office, [award_2024.id], decision_number="9-QĐ/TU",
                    decision_date=dt.date(2024, 12, 20), issuer="Ban Thường vụ Tỉnh ủy")
    cache = listen(office, YearOverviews(office))
    assert cache.compute(2024).cells[0].consecutive_years == 1
    award_2023 = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    record_decision(office, [award_2023.id], decision_number="5-QĐ/TU",
                    decision_date=dt.date(2023, 12, 28), issuer="Ban Thường vụ Tỉnh ủy")
    assert cache.pending(2024) == {cell.id}
    after = cache.compute(2024)
    assert after.cells[0].consecutive_years == 2
    assert summary(after) == summary(year_overview(office, 2024))


def test_other_changes_read_the_whole_year_again(demo_office):
    cache = listen(demo_office, YearOverviews(demo_office))
    first = cache.compute(2023)
    cell = queries.cell_by_code(demo_office, "TDP04")
    update_cell(demo_office, cell.id, name="Chi bộ Tổ dân phố 4 (mới)")
    assert cache.pending(2023) is None                  # nothing kept: the whole year
    again = cache.compute(2023)
    assert again is not first and summary(again) == summary(year_overview(demo_office, 2023))
    phase = queries.phase_for_year(demo_office, 2023)
    save_setup(demo_office, SetupChanges(phase_id=phase.id, phase={"overall_pass": 95}))
    assert cache.current(2023) is None and cache.pending(2023) is None
    assert summary(cache.compute(2023)) == summary(year_overview(demo_office, 2023))
    cache.changed(frozenset({"cells"}))                 # a notice without rows
    assert cache.pending(2023) is None


def test_a_result_computed_while_the_data_changed_is_not_kept(demo_office, monkeypatch):
    from chibo4tot_desktop import overviews

    cache = listen(demo_office, YearOverviews(demo_office))
    real = overviews.year_overview

    def slow(office, year):
        result = real(office, year)
        save_registration(demo_office, queries.cell_by_code(demo_office, "TDP09").id, 2023,
                          received_on=dt.date(2023, 3, 1))     # meanwhile, in the window
        return result

    monkeypatch.setattr(overviews, "year_overview", slow)
    stale = cache.compute(2023)
    assert cache.current(2023) is None
    monkeypatch.setattr(overviews, "year_overview", real)
    assert stale.counts["missing"] == 1
    assert cache.compute(2023).counts["missing"] == 0
