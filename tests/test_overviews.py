"""The kept year overviews: a change to some cells reads just those cells again, and what
comes out is what reading the whole year gives; any other change reads the year again."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.ops import queries, rulebook
from chibo4tot_desktop.ops.awards import propose, record_decision
from chibo4tot_desktop.ops.cells import update_cell
from chibo4tot_desktop.ops.registrations import delete_registration, save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import SetupChanges, save_setup
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.overviews import YearOverviews
from chibo4tot_desktop.reports import DecisionFacts, status_text, year_overview
from chibo4tot_desktop.reports import organisation_context as reports_organisation_context
from chibo4tot_desktop.text import sort_key
from tests.builders import full_scores, qualifying_cell


def summary(overview) -> tuple:
    """Everything the window and the papers take from a year overview."""
    return (status_text(overview), overview.counts, overview.warnings, overview.todo,
            [(s.cell.id, s.cell.name, s.registered, s.members, s.days_late, s.scored,
              s.result.committee_totals.total, s.result.verdict.state,
              s.result.classification, s.consecutive_years, s.proposed, s.recognised,
              s.awarded, [a.id for a in s.awards], [r.text for r in s.result.verdict.reasons])
             for s in overview.cells],
            [r.text for r in overview.organisation_result.verdict.reasons],
            [a.id for a in overview.organisation_awards], [a.id for a in overview.awards],
            overview.decided, overview.decided_facts(),
            [(a.id, kept, now) for a, kept, now in overview.decision_changes()],
            overview.year_rules, overview.ranking, overview.organisation_context,
            overview.organisation_result.verdict, overview.organisation_result.disciplined)


def reference_overview(office, year):
    """The year's overview read through the ORM, as it was computed before it was read from
    plain rows: the oracle the plain-row reading is held to."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from chibo4tot_desktop import reports
    from chibo4tot_desktop.db.models import Award, Cell, Evaluation, Registration

    with office.read() as session:
        phase = queries.phase_in(session, year)
        lives = queries.cell_timeline_in(session)
        cells = [cell for cell in session.scalars(select(Cell))
                 if lives.in_year(cell.id, year)]
        registrations = {row.cell_id: row for row in session.scalars(
            select(Registration).where(Registration.year == year))}
        evaluations = {row.cell_id: row for row in session.scalars(
            select(Evaluation).where(Evaluation.year == year)
            .options(selectinload(Evaluation.scores)))}
        awards = list(session.scalars(select(Award).where(Award.year == year)
                                      .options(selectinload(Award.cell))
                                      .order_by(Award.id)))
        recognised = queries.recognised_years_in(session)
        through_merge = queries.streak_through_merge_in(session)
    deadline = next(item for item in phase.years if item.year == year).registration_deadline
    with office.read() as session:
        year_rules = rulebook.rules_in(session, year, phase)
    groups = reports.group_specs(phase, Scope.CELL, year)
    states = []
    for cell in sorted(cells, key=lambda cell: sort_key(cell.name)):
        registration = registrations.get(cell.id)
        evaluation = evaluations.get(cell.id)
        late = rules.days_late(registration.received_on if registration else None,
                               deadline, year_rules.deadline_inclusive)
        context = reports.UnitContext(registered=registration is not None, days_late=late)
        states.append(reports.CellYearState(
            cell=cell, registration=registration, days_late=late,
            result=reports.evaluate(phase, year_rules, evaluation, Scope.CELL, context,
                                    groups),
            evaluated=evaluation is not None,
            consecutive_years=lives.streak(cell.id, year, recognised, through_merge),
            awards=[award for award in awards if award.cell_id == cell.id],
            context=context))
    # The cap over every cell, judged once the year is scored; the organisation reads them.
    complete = not any(state.pending for state in states)
    ranking = reports.excellent_ranking(states, year_rules, complete)
    if complete:
        for state in states:
            reason = ranking.reason_for(state.cell.id)
            if reason is not None:
                state.result = replace(state.result,
                                       verdict=state.result.verdict.with_reason(reason))
    organisation = reports.evaluate(phase, year_rules, evaluations.get(None),
                                    Scope.ORGANISATION, reports.organisation_context(states),
                                    year=year)
    return states, organisation, awards, ranking


def test_the_plain_row_overview_computes_what_the_orm_reading_does_every_year(demo_office):
    years = queries.years(demo_office)
    assert len(years) >= 4
    for year in years:
        overview = year_overview(demo_office, year)
        states, organisation, awards, ranking = reference_overview(demo_office, year)
        assert overview.ranking == ranking, year
        assert [s.cell.id for s in overview.cells] == [s.cell.id for s in states], year
        for plain_state, state in zip(overview.cells, states):
            assert (plain_state.registered, plain_state.members, plain_state.days_late,
                    plain_state.scored, plain_state.result.committee_totals,
                    plain_state.result.self_totals, plain_state.result.classification,
                    plain_state.result.verdict, plain_state.consecutive_years,
                    plain_state.proposed, plain_state.recognised, plain_state.awarded,
                    [a.id for a in plain_state.awards]) == (
                state.registered, state.members, state.days_late, state.scored,
                state.result.committee_totals, state.result.self_totals,
                state.result.classification, state.result.verdict, state.consecutive_years,
                state.proposed, state.recognised, state.awarded, [a.id for a in state.awards]
            ), (year, state.cell.name)
        assert overview.organisation_result.verdict == organisation.verdict, year
        assert overview.organisation_context == reports_organisation_context(states), year
        assert overview.organisation_result.committee_totals == organisation.committee_totals
        assert [a.id for a in overview.awards] == [a.id for a in awards], year
        # What a decision rests on, as the guard of decided years compares it.
        by_cell = {state.cell.id: state for state in states}
        passed = sum(1 for state in states if state.qualifies)
        for award in awards:
            state = by_cell.get(award.cell_id)
            expected = (DecisionFacts.of_result(organisation, cells=f"{passed}/{len(states)}")
                        if award.cell_id is None else None if state is None else
                        DecisionFacts.of_result(state.result, state.members,
                                                state.consecutive_years))
            assert overview.facts(award) == expected, (year, award.id)
    assert any(overview.decided for overview in map(
        lambda year: year_overview(demo_office, year), years))   # the demo has decisions


def organisation_scores(office, year=2026):
    phase = queries.phase_for_year(office, year)
    return {item.id: ScoreInput(item.max_points, item.max_points)
            for group in phase.catalogue(year, Scope.ORGANISATION) for item in group.items}


def listen(office, cache):
    office.db.subscribe(cache.changed)
    return cache


def test_a_change_to_some_cells_reads_just_them_and_agrees_with_the_whole_year(demo_office):
    # 2026 is the demo's open year; 2025 is decided and kept beside it.
    cache = listen(demo_office, YearOverviews(demo_office))
    for year in (2025, 2026):
        cache.compute(year)
    tdp10 = queries.cell_by_code(demo_office, "TDP10")     # not registered in 2026
    thtg = queries.cell_by_code(demo_office, "THTG")

    steps = [
        lambda: save_registration(demo_office, tdp10.id, 2026, received_on=dt.date(2026, 3, 9)),
        lambda: save_evaluation(demo_office, tdp10.id, 2026,
                                scores=full_scores(demo_office, 2026, 0.95)),
        lambda: save_evaluation(demo_office, None, 2026, scores=organisation_scores(demo_office),
                                notes="tự chấm"),
        lambda: propose(demo_office, tdp10.id, 2026, AwardKind.CELL_RECOGNITION.value),
        lambda: record_decision(demo_office, [queries.awards(demo_office, 2026)[-1].id],
                                decision_number="12-QĐ/TU", decision_date=dt.date(2026, 12, 20),
                                issuer="Ban Thường vụ Tỉnh ủy"),
        lambda: delete_registration(
            demo_office, queries.registration(demo_office, thtg.id, 2026).id),
    ]
    for step in steps:
        step()
        assert cache.current(2026) is None
        assert cache.pending(2026) is not None          # cells to read, not the whole year
        assert len(cache.pending(2026)) <= 1
        assert summary(cache.compute(2026)) == summary(year_overview(demo_office, 2026))
        assert summary(cache.compute(2025)) == summary(year_overview(demo_office, 2025))
        assert cache.current(2026) is not None


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
    first = cache.compute(2026)
    cell = queries.cell_by_code(demo_office, "TDP04")
    update_cell(demo_office, cell.id, name="Chi bộ Tổ dân phố 4 (mới)")
    assert cache.pending(2026) is None                  # nothing kept: the whole year
    again = cache.compute(2026)
    assert again is not first and summary(again) == summary(year_overview(demo_office, 2026))
    # the year's rules (a settings change): the whole year again
    phase = queries.phase_for_year(demo_office, 2026)
    save_setup(demo_office, SetupChanges(phase_id=phase.id, rules={2026: {"overall_pass": 95}}))
    assert queries.year_rules(demo_office, 2026).overall_pass == 95
    assert cache.current(2026) is None and cache.pending(2026) is None
    assert summary(cache.compute(2026)) == summary(year_overview(demo_office, 2026))
    cache.changed(frozenset({"cells"}))                 # a notice without rows
    assert cache.pending(2026) is None


def test_a_result_computed_while_the_data_changed_is_not_kept(demo_office, monkeypatch):
    from chibo4tot_desktop import overviews

    cache = listen(demo_office, YearOverviews(demo_office))
    real = overviews.year_overview

    def slow(office, year):
        result = real(office, year)
        save_registration(demo_office, queries.cell_by_code(demo_office, "TDP10").id, 2026,
                          received_on=dt.date(2026, 3, 1))     # meanwhile, in the window
        return result

    monkeypatch.setattr(overviews, "year_overview", slow)
    stale = cache.compute(2026)
    assert cache.current(2026) is None
    monkeypatch.setattr(overviews, "year_overview", real)
    assert stale.counts["missing"] == 2
    assert cache.compute(2026).counts["missing"] == 1


def test_an_update_of_some_cells_judges_the_cap_and_the_organisation_over_every_cell(office):
    """The ranking against the cap and the organisation's verdict read every cell: after a
    change to one cell they are judged again from all states, as reading the whole year
    does (the kept cells' cap reasons are neither lost nor doubled)."""
    from tests.test_year_rules import registered_cell

    for code in ("A", "B", "C"):
        registered_cell(office, code, share=0.95)
    for code in ("D", "E", "F", "G", "H", "I", "J"):
        registered_cell(office, code, share=0.85)
    waiting = registered_cell(office, "K", share=0.85)
    cache = listen(office, YearOverviews(office))
    complete = cache.compute(2023)
    assert complete.scoring_complete and complete.ranking.over and complete.warnings
    a = queries.cell_by_code(office, "A")
    steps = [
        # K's sheet emptied: the year is open again, the cap's reasons go from every cell
        lambda: save_evaluation(office, waiting.id, 2023, scores={
            item: ScoreInput(None, None) for item in full_scores(office, 2023)}),
        lambda: save_evaluation(office, waiting.id, 2023,
                                scores=full_scores(office, 2023, 0.85)),
        # A falls below HTXSNV: C comes within the cap though it was not read again
        lambda: save_evaluation(office, a.id, 2023, scores=full_scores(office, 2023, 0.85)),
        lambda: save_evaluation(office, a.id, 2023, scores=full_scores(office, 2023, 0.97)),
        lambda: save_evaluation(office, None, 2023, scores=organisation_scores(office, 2023)),
    ]
    over = []
    for step in steps:
        step()
        assert cache.pending(2023) is not None and len(cache.pending(2023)) <= 1
        updated = cache.compute(2023)
        assert summary(updated) == summary(year_overview(office, 2023))
        over.append([cell.entry.name for cell in updated.ranking.over_cap()]
                    if updated.scoring_complete else None)
    assert over == [None, ["Chi bộ C"], [], ["Chi bộ C"], ["Chi bộ C"]]
    c = next(state for state in updated.cells if state.cell.code == "C")
    assert sum(r.text.startswith("Vượt tỷ lệ HTXSNV") for r in c.result.verdict.reasons) == 1
