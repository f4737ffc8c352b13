"""History stays true: cells, the organisation, its authority and the criteria change over
time, and past years never move.

Each scenario takes a past year's figures, verdicts and papers (the layout's texts of every
PDF, the values of every Excel list) before the change and after it: they must be identical.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from sqlalchemy import select

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.models import AuditEntry, Scope, Score
from chibo4tot_desktop.errors import DecidedYearError, ValidationError
from chibo4tot_desktop.excel.exports import BUILDERS, export
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import propose_many, record_decision
from chibo4tot_desktop.ops.cells import add_cell, dissolve_cell, merge_cells, update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import (
    create_phase,
    save_catalogue,
    set_settings,
    update_organisation,
    update_phase,
)
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.pdf.certificates import certificate_pages, year_certificates
from chibo4tot_desktop.pdf.forms import proposal_list_pages, registration_form_pages
from chibo4tot_desktop.reports import cell_history, year_overview
from chibo4tot_desktop.safety.check import run_check
from tests.builders import full_scores, qualifying_cell

TODAY = dt.date(2026, 11, 30)


# ---------------------------------------------------------------------------- snapshots
def figures(office, year: int) -> dict:
    overview = year_overview(office, year, today=TODAY)
    cells = {}
    for state in overview.cells:
        result = state.result
        cells[state.cell.code] = (
            state.cell.name, state.registered, state.days_late, state.members,
            result.committee_totals.total, result.self_totals.total,
            result.classification.value if result.classification else None,
            result.verdict.label, tuple(r.text for r in result.verdict.reasons),
            state.consecutive_years,
            tuple(sorted((a.kind, a.decision_number, a.register_number)
                         for a in state.awards)))
    org = overview.organisation_result
    return {"counts": overview.counts, "cells": cells, "org": org.verdict.label,
            "org_reasons": tuple(r.text for r in org.verdict.reasons),
            "warnings": tuple(overview.warnings)}


def page_texts(pages) -> list[tuple]:
    return [[(round(t.x, 2), round(t.y, 2), t.text, t.style, t.size) for t in page.texts()]
            for page in pages]


def papers(office, year: int, form_cells=()) -> dict:
    result = {}
    if queries.awards(office, year):
        result["proposals"] = page_texts(proposal_list_pages(office, year))
    if any(award.is_decided for award in queries.awards(office, year)):
        certificates, settings = year_certificates(office, year)
        result["certificates"] = page_texts(certificate_pages(certificates, settings))
    for code in form_cells:
        result[f"form-{code}"] = page_texts(registration_form_pages(office, year, code))
    return result


def lists(office, year: int, folder) -> dict:
    """Every Excel list of the year, cell values (the header's date line included)."""
    values = {}
    for kind in BUILDERS:
        path = export(office, kind, year, folder / f"{kind}-{year}.xlsx")
        workbook = openpyxl.load_workbook(path)
        values[kind] = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)]
                        for sheet in workbook.worksheets}
    return values


def snapshot(office, year: int, folder, form_cells=()) -> dict:
    folder.mkdir(exist_ok=True)
    return {"figures": figures(office, year), "papers": papers(office, year, form_cells),
            "lists": lists(office, year, folder)}


def same(before: dict, after: dict) -> None:
    assert after["figures"] == before["figures"]
    assert after["papers"] == before["papers"]
    assert after["lists"] == before["lists"]


# ----------------------------------------------------------------------- cells in time
def test_a_cell_added_today_leaves_the_past_as_it_was(demo_office, tmp_path):
    before = {year: snapshot(demo_office, year, tmp_path / f"a{year}", ["TDP06"])
              for year in (2023, 2024)}
    add_cell(demo_office, "TDP16", "Chi bộ Tổ dân phố 16", started_on=TODAY)
    add_cell(demo_office, "TDP17", "Chi bộ Tổ dân phố 17", started_on=TODAY)
    for year in (2023, 2024):
        same(before[year], snapshot(demo_office, year, tmp_path / f"b{year}", ["TDP06"]))
    assert figures(demo_office, 2023)["org"] == "Đạt"
    # Founded before the 2026 review day: part of 2026, not of the years before.
    codes_2026 = {cell.code for cell in queries.cells_in_year(demo_office, 2026)}
    assert {"TDP16", "TDP17"} <= codes_2026
    assert "TDP16" not in {cell.code for cell in queries.cells_in_year(demo_office, 2025)}


def test_a_cell_with_no_founding_date_would_join_decided_years_and_is_refused(demo_office):
    with pytest.raises(DecidedYearError, match="2023") as error:
        add_cell(demo_office, "TDP16", "Chi bộ Tổ dân phố 16")
    assert "ngày thành lập" in str(error.value)
    assert "12/17" in str(error.value)          # the ward's share would move
    with pytest.raises(Exception):
        queries.cell_by_code(demo_office, "TDP16")


def test_founded_after_the_review_day_belongs_to_the_next_year(office):
    cell = add_cell(office, "N", "Chi bộ mới", started_on=dt.date(2023, 12, 11))
    assert not queries.cell_timeline(office).in_year(cell.id, 2023)
    assert queries.cell_timeline(office).in_year(cell.id, 2024)
    with pytest.raises(ValidationError, match="không thuộc năm 2023"):
        save_registration(office, cell.id, 2023, received_on=dt.date(2023, 12, 12))
    on_the_day = add_cell(office, "M", "Chi bộ khác", started_on=dt.date(2023, 12, 10))
    assert queries.cell_timeline(office).in_year(on_the_day.id, 2023)


def _decided_2023(office):
    """Three cells scored and recognised in 2023 (decided in January 2024)."""
    cells = [qualifying_cell(office, code, members=30) for code in ("A", "B", "C")]
    awards = propose_many(office, 2023, "cell_recognition", [c.id for c in cells],
                          dt.date(2023, 12, 15))
    record_decision(office, [a.id for a in awards], decision_number="1-QĐ/Th.U",
                    decision_date=dt.date(2024, 1, 12), issuer="Ban Thường vụ Thành ủy",
                    first_register_number="01/2023")
    return cells


def test_a_cell_dissolved_after_the_review_day_stays_in_its_year(office, tmp_path, db_path):
    a, _b, _c = _decided_2023(office)
    before = snapshot(office, 2023, tmp_path / "before", ["A"])
    dissolve_cell(office, a.id, dt.date(2023, 12, 31))
    same(before, snapshot(office, 2023, tmp_path / "after", ["A"]))
    assert "A" not in {cell.code for cell in queries.cells_in_year(office, 2024)}
    if office.db.is_sqlite:
        report = run_check(db_path, repair_safe=False, backup=False)
        assert report.problems == 0, report.lines()


def test_an_end_before_the_review_day_is_refused_when_the_year_has_records(office):
    a, _b, _c = _decided_2023(office)
    with pytest.raises(ValidationError, match="đã có hồ sơ thi đua năm 2023"):
        dissolve_cell(office, a.id, dt.date(2023, 6, 1))
    assert queries.cell(office, a.id).dissolved_on is None
    with pytest.raises(ValidationError, match="đã có hồ sơ thi đua năm 2023"):
        update_cell(office, a.id, started_on=dt.date(2023, 12, 20))


def test_the_year_rule_is_a_setting_and_moving_a_decided_year_needs_a_reason(office):
    a, _b, _c = _decided_2023(office)
    dissolve_cell(office, a.id, dt.date(2023, 12, 31))
    before = figures(office, 2023)
    with pytest.raises(DecidedYearError, match="2023"):
        set_settings(office, {timeline.YEAR_RULE_KEY: "year_end"})
    assert figures(office, 2023) == before
    set_settings(office, {timeline.YEAR_RULE_KEY: "year_end"},
                 confirm="Theo hướng dẫn mới của cấp trên")
    assert "A" not in figures(office, 2023)["cells"]
    with office.db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "confirm"))
    assert "Theo hướng dẫn mới của cấp trên" in entry.summary
    with pytest.raises(ValidationError, match="không hợp lệ"):
        set_settings(office, {timeline.YEAR_RULE_KEY: "sometimes"})


def test_a_merge_keeps_history_and_the_streak_runs_through_it(demo_office, tmp_path):
    successor = queries.cell_by_code(demo_office, "TDPTT")
    overview = year_overview(demo_office, 2025)
    state = next(s for s in overview.cells if s.cell.id == successor.id)
    assert state.consecutive_years == 3            # 2023 and 2024 as groups 3 and 4
    history = cell_history(demo_office, successor.id)
    assert [(e.year, e.code) for e in history if e.year <= 2025] == [
        (2023, "TDP03"), (2023, "TDP04"), (2024, "TDP03"), (2024, "TDP04"), (2025, "TDPTT")]
    before = snapshot(demo_office, 2025, tmp_path / "before")
    with pytest.raises(DecidedYearError, match="3 năm liên tục"):
        set_settings(demo_office, {timeline.STREAK_THROUGH_MERGE_KEY: "0"})
    same(before, snapshot(demo_office, 2025, tmp_path / "after"))


def test_merging_into_a_new_cell_and_into_an_existing_one(office):
    cells = [qualifying_cell(office, code, years=(2023, 2024)) for code in ("A", "B", "C")]
    on = dt.date(2024, 12, 20)
    new, = merge_cells(office, [cells[0].id, cells[1].id], on,
                       new_cell={"code": "AB", "name": "Chi bộ AB"})
    assert new.started_on == on
    lives = queries.cell_timeline(office)
    assert lives.in_year(cells[0].id, 2024) and not lives.in_year(cells[0].id, 2025)
    assert lives.in_year(new.id, 2025) and not lives.in_year(new.id, 2024)
    assert lives.ancestors(new.id) == [cells[0].id, cells[1].id]
    existing, = merge_cells(office, [new.id], dt.date(2025, 12, 20), into=[cells[2].id])
    assert existing.id == cells[2].id
    assert set(queries.cell_timeline(office).ancestors(cells[2].id)) == {
        new.id, cells[0].id, cells[1].id}
    for bad, message in (
            (lambda: merge_cells(office, [cells[2].id], on, into=[cells[2].id]),
             "chính nó"),
            (lambda: merge_cells(office, [cells[0].id], on, into=[cells[2].id]),
             "đã kết thúc"),
            (lambda: merge_cells(office, [cells[2].id], on), "Chưa chọn chi bộ nhận"),
            (lambda: merge_cells(office, [cells[2].id], dt.date(2024, 6, 1),
                                 new_cell={"code": "X", "name": "Chi bộ X"}),
             "đã có hồ sơ thi đua năm 2024"),
            (lambda: merge_cells(office, [cells[2].id], on, new_cell={"code": "X"}),
             "Chưa nhập tên")):
        with pytest.raises(ValidationError, match=message):
            bad()


def test_the_streak_through_a_merge_needs_every_predecessor_of_the_year():
    lives = timeline.CellTimeline(
        spans={1: (None, dt.date(2024, 12, 20)), 2: (None, dt.date(2024, 12, 20)),
               3: (dt.date(2024, 12, 20), None)},
        predecessors={3: [1, 2]},
        review_days={year: dt.date(year, 12, 10) for year in range(2023, 2027)})
    both = {1: {2023, 2024}, 2: {2023, 2024}, 3: {2025}}
    assert lives.streak(3, 2025, both) == 3
    assert lives.streak(3, 2025, both, through_merge=False) == 1
    one_missed = {1: {2023, 2024}, 2: {2023}, 3: {2025}}
    assert lives.streak(3, 2025, one_missed) == 1
    assert lives.streak(3, 2026, both) == 0


# ------------------------------------------------------------------------- the identity
def test_renaming_the_ward_from_a_date_leaves_older_papers_alone(demo_office, tmp_path):
    before = {year: snapshot(demo_office, year, tmp_path / f"a{year}", ["TDP06"])
              for year in (2023, 2025)}
    update_organisation(demo_office, valid_from=dt.date(2026, 9, 1),
                        name="Đảng bộ phường Thành Sen mới", upper_body="Tỉnh ủy Hà Tĩnh",
                        place_name="Thành Sen")
    for year in (2023, 2025):
        same(before[year], snapshot(demo_office, year, tmp_path / f"b{year}", ["TDP06"]))
    march = {t.text for t in registration_form_pages(demo_office, 2026, "TDP06")[0].texts()}
    assert "ĐẢNG BỘ PHƯỜNG THÀNH SEN" in march          # registered in March 2026
    cell = queries.cell_by_code(demo_office, "TDP10")
    save_registration(demo_office, cell.id, 2026, received_on=dt.date(2026, 9, 15))
    september = {t.text for t in registration_form_pages(demo_office, 2026, "TDP10")[0].texts()}
    assert "ĐẢNG BỘ PHƯỜNG THÀNH SEN MỚI" in september
    assert queries.organisation(demo_office).name == "Đảng bộ phường Thành Sen mới"


def test_every_paper_carries_the_identity_of_its_own_date(demo_office):
    texts_2023 = " ".join(text[2] for paper in papers(demo_office, 2023).values()
                          for page in paper for text in page)
    texts_2025 = " ".join(text[2] for paper in papers(demo_office, 2025).values()
                          for page in paper for text in page)
    assert "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH" in texts_2023
    assert "Tân Giang, ngày 12 tháng 01 năm 2024" in texts_2023
    assert "THÀNH SEN" not in texts_2023.upper()
    assert "BAN THƯỜNG VỤ TỈNH ỦY HÀ TĨNH" in texts_2025
    assert "Hà Tĩnh, ngày 20 tháng 01 năm 2026" in texts_2025
    assert "Đảng bộ phường Thành Sen" in texts_2025
    # A 2025 registration made in March, before the merger, carries Tân Giang's name.
    march = " ".join(t.text for t in registration_form_pages(demo_office, 2025,
                                                            "TDP06")[0].texts())
    assert "ĐẢNG BỘ PHƯỜNG TÂN GIANG" in march
    july = " ".join(t.text for t in registration_form_pages(demo_office, 2025,
                                                           "TDP13")[0].texts())
    assert "ĐẢNG BỘ PHƯỜNG THÀNH SEN" in july


def test_identity_versions_are_checked(office):
    with pytest.raises(ValidationError, match="Chưa nhập tên đảng bộ"):
        update_organisation(office, valid_from=dt.date(2025, 7, 1), name="  ")
    with pytest.raises(ValidationError, match="dài quá"):
        update_organisation(office, valid_from=dt.date(2025, 7, 1), place_name="x" * 101)
    assert len(queries.identities(office)) == 1
    with pytest.raises(ValidationError, match="thuộc tên gọi theo thời gian"):
        set_settings(office, {"certificate.signer_name": "Ai đó"})


def test_a_predecessor_ward_stays_readable_and_printable(demo_office):
    predecessor, = queries.predecessors(demo_office)
    assert (predecessor.code, predecessor.merged_on) == ("BACHA", dt.date(2025, 7, 1))
    old = type(demo_office)(demo_office.db, predecessor.id)
    assert figures(old, 2023)["org"] == "Đạt"
    certificates, _settings = year_certificates(old, 2023)
    assert {c.recipient_parts[-1] for c in certificates} == {"Đảng bộ phường Bắc Hà"}
    # Its cells are its own: the new ward's lists do not show them.
    assert not {"BH01", "BH02", "BH03"} & {c.code for c in queries.cells(demo_office)}


# -------------------------------------------------------------------- criteria versions
def test_editing_the_criteria_never_rewrites_scores(demo_office, tmp_path, db_path):
    phase = queries.phase_for_year(demo_office, 2023)
    groups = _catalogue(phase, 2023)
    groups[0]["items"][0]["max_points"] = 10      # 1.1: 6 -> 10
    groups[0]["items"][1]["max_points"] = 2       # 1.2: 6 -> 2 (total still 100)
    with pytest.raises(ValidationError, match="chấm điểm năm 2023, 2024, 2025"):
        save_catalogue(demo_office, phase.id, Scope.CELL, groups)
    with pytest.raises(ValidationError, match="đã chấm điểm"):
        save_catalogue(demo_office, phase.id, Scope.CELL, groups, from_year=2025)
    next_phase = queries.phase_for_year(demo_office, 2026)
    before = {year: snapshot(demo_office, year, tmp_path / f"a{year}", ["TDP06"])
              for year in (2023, 2025)}
    with demo_office.read() as session:
        stored = sorted(session.execute(select(Score.id, Score.self_points,
                                               Score.committee_points)).all())
    save_catalogue(demo_office, next_phase.id, Scope.CELL, groups, from_year=2026)
    for year in (2023, 2025):
        same(before[year], snapshot(demo_office, year, tmp_path / f"b{year}", ["TDP06"]))
    with demo_office.read() as session:
        assert sorted(session.execute(select(Score.id, Score.self_points,
                                             Score.committee_points)).all()) == stored
    new_items = queries.phase_for_year(demo_office, 2026).catalogue(2026, Scope.CELL)[0].items
    assert [item.max_points for item in new_items[:2]] == [10, 2]
    if demo_office.db.is_sqlite:
        report = run_check(db_path, repair_safe=False, backup=False)
        assert report.problems == 0, report.lines()


def _catalogue(phase, year, scope=Scope.CELL):
    return [{"position": group.position, "title": group.title,
             "pass_points": group.pass_points,
             "items": [{"id": item.id, "text": item.text, "max_points": item.max_points}
                       for item in group.items]}
            for group in phase.catalogue(year, scope)]


def test_a_new_catalogue_version_from_a_year_the_user_chooses(office, db_path):
    cell = qualifying_cell(office, "A", years=(2023,))
    phase = queries.phase_for_year(office, 2023)
    groups = _catalogue(phase, 2023)
    groups[0]["items"][0]["max_points"] = 10
    groups[0]["items"][1]["max_points"] = 2
    save_catalogue(office, phase.id, Scope.CELL, groups, from_year=2024)
    phase = queries.phase_for_year(office, 2023)
    assert [i.max_points for i in phase.catalogue(2023, Scope.CELL)[0].items][:2] == [6, 6]
    assert [i.max_points for i in phase.catalogue(2024, Scope.CELL)[0].items][:2] == [10, 2]
    assert phase.catalogue(2025, Scope.CELL)[0].id == phase.catalogue(2024, Scope.CELL)[0].id
    # 2024 scores on its own catalogue; a 2023 item is not one of 2024's.
    old_item = phase.catalogue(2023, Scope.CELL)[0].items[0]
    with pytest.raises(ValidationError, match="không thuộc bộ tiêu chí của năm này"):
        save_evaluation(office, cell.id, 2024, scores={old_item.id: ScoreInput(5, 5)})
    save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 5))
    save_evaluation(office, cell.id, 2024, scores=full_scores(office, 2024))
    # Unscored 2025 can take yet another version; 2024 cannot change any more.
    with pytest.raises(ValidationError, match="từ 2025 trở đi"):
        save_catalogue(office, phase.id, Scope.CELL, _catalogue(phase, 2023), from_year=2024)
    save_catalogue(office, phase.id, Scope.CELL, _catalogue(phase, 2023), from_year=2025)
    assert year_overview(office, 2023).cells[0].result.committee_totals.total == \
        year_overview(office, 2023).cells[0].result.committee_totals.total
    if office.db.is_sqlite:
        assert run_check(db_path, repair_safe=False, backup=False).problems == 0


def test_an_unscored_version_is_edited_in_place(office):
    phase = queries.phase_for_year(office, 2023)
    groups = _catalogue(phase, 2023)
    groups[1]["items"][0]["text"] = "Nội dung đã sửa"
    save_catalogue(office, phase.id, Scope.CELL, groups)
    phase = queries.phase_for_year(office, 2023)
    assert len([v for v in phase.versions if v.scope == Scope.CELL.value]) == 1
    assert phase.catalogue(2023, Scope.CELL)[1].items[0].text == "Nội dung đã sửa"
    with pytest.raises(ValidationError, match="không thuộc giai đoạn"):
        save_catalogue(office, phase.id, Scope.CELL, groups, from_year=2031)


# ------------------------------------------------------------------------- year figures
def test_a_year_prints_its_own_number_of_members_everywhere(office, tmp_path):
    cell = add_cell(office, "A", "Chi bộ A", members_count=35)
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5),
                      members_count=36)
    save_evaluation(office, cell.id, 2023, scores=full_scores(office))
    propose_many(office, 2023, "cell_recognition", [cell.id], dt.date(2023, 12, 15))
    form = " ".join(t.text for t in registration_form_pages(office, 2023, "A")[0].texts())
    assert "(có 36 đảng viên)" in form
    proposal = [t.text for page in proposal_list_pages(office, 2023) for t in page.texts()]
    row = proposal[proposal.index("Chi bộ A"):proposal.index("Chi bộ A") + 2]
    assert row == ["Chi bộ A", "36"]
    cells_list = lists(office, 2023, tmp_path)["cells"]["Chi bộ"]
    assert [r for r in cells_list if r[1] == "A"][0][5] == 36
    before = snapshot(office, 2023, tmp_path / "before", ["A"])
    update_cell(office, cell.id, members_count=50)          # today's number changes
    same(before, snapshot(office, 2023, tmp_path / "after", ["A"]))


def test_disciplined_members_are_checked_against_the_year_figure(office):
    cell = add_cell(office, "A", "Chi bộ A", members_count=40)
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5), members_count=3)
    with pytest.raises(ValidationError, match="năm 2023 \\(3\\)"):
        save_evaluation(office, cell.id, 2023, scores=full_scores(office),
                        disciplined_members=4)


# -------------------------------------------------------------------- decided years closed
def test_a_change_that_moves_a_decided_verdict_is_refused_or_confirmed(demo_office,
                                                                      tmp_path):
    tdp06 = queries.cell_by_code(demo_office, "TDP06")
    before = snapshot(demo_office, 2023, tmp_path / "before", ["TDP06"])
    evaluation = queries.evaluation(demo_office, tdp06.id, 2023)
    lowered = {score.item_id: ScoreInput(score.self_points, 0)
               for score in evaluation.scores}
    with pytest.raises(DecidedYearError, match="Chi bộ Tổ dân phố 6"):
        save_evaluation(demo_office, tdp06.id, 2023, scores=lowered)
    phase = queries.phase_for_year(demo_office, 2023)
    with pytest.raises(DecidedYearError, match="2023"):
        update_phase(demo_office, phase.id, overall_pass=95)
    same(before, snapshot(demo_office, 2023, tmp_path / "still", ["TDP06"]))
    with pytest.raises(ValidationError, match="lý do"):
        update_phase(demo_office, phase.id, confirm="  ", overall_pass=95)

    update_phase(demo_office, phase.id, confirm="Cấp trên nâng ngưỡng", overall_pass=95)
    overview = year_overview(demo_office, 2023)
    # Both are shown: the verdict as decided, and today's computation.
    assert any("khi quyết định 94,5 điểm, HTXSNV, Đạt" in w and "tính lại hôm nay" in w
               for w in overview.warnings)
    award = next(a for a in queries.awards(demo_office, 2023)
                 if a.cell_id == tdp06.id and a.kind == "cell_recognition")
    assert (award.decided_points, award.decided_verdict) == (94.5, "passed")
    # The proposal list prints what the decision was made on.
    assert papers(demo_office, 2023)["proposals"] == before["papers"]["proposals"]


def test_decisions_keep_their_facts_and_clearing_drops_them(office):
    a, _b, _c = _decided_2023(office)
    award = next(x for x in queries.awards(office, 2023) if x.cell_id == a.id)
    assert (award.decided_verdict, award.decided_members, award.decided_streak) == \
        ("passed", 30, 1)
    from chibo4tot_desktop.ops.awards import clear_decision

    cleared = clear_decision(office, award.id)
    assert cleared.decided_verdict is None and cleared.decided_points is None


def test_open_years_change_freely(demo_office):
    cell = queries.cell_by_code(demo_office, "TDP06")
    save_evaluation(demo_office, cell.id, 2026, scores=full_scores(demo_office, 2026))
    assert year_overview(demo_office, 2026).count("scored") == 1


# -------------------------------------------------------------------------- the demo
def test_the_demo_tells_the_story(demo_office):
    identities = queries.identities(demo_office)
    assert [(v.valid_from, v.name, v.upper_body) for v in identities] == [
        (timeline.BEGINNING, "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh"),
        (dt.date(2025, 7, 1), "Đảng bộ phường Thành Sen", "Tỉnh ủy Hà Tĩnh")]
    residential = lambda year: sum(1 for c in queries.cells_in_year(demo_office, year)  # noqa
                                   if c.kind == "residential")
    assert (residential(2024), residential(2025)) == (12, 14)   # 11 groups + 3 from Bắc Hà
    assert [p.first_year for p in queries.phases(demo_office)] == [2023, 2026]
    assert year_overview(demo_office, 2026).count("registered") == 16
    assert all(year_overview(demo_office, year).decided for year in (2023, 2024, 2025))


# ----------------------------------------------------------------------------- packets
def test_packets_carry_the_years_as_they_were(demo_office, tmp_path):
    """A receiving database (here: an empty one) takes in the ward's years: each keeps its
    identity, its catalogue, its cells and merges, and the facts its decisions rest on."""
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.exchange import import_packets
    from chibo4tot_desktop.packets import export_packet

    paths = []
    for year in (2023, 2024, 2025):
        path = tmp_path / f"goi-{year}.zip"
        export_packet(demo_office, year, path,
                      now=dt.datetime(year + 1, 2, 1, 8, 0, 0))
        paths.append(path)
    city_db = open_database(tmp_path / "tinh.sqlite3")
    try:
        import_packets(city_db, paths)
        ward = Office(city_db)
        for year in (2023, 2024, 2025):
            assert figures(ward, year) == figures(demo_office, year), year
        assert [v.name for v in queries.identities(ward)] == [
            "Đảng bộ phường Tân Giang", "Đảng bộ phường Thành Sen"]
        successor = queries.cell_by_code(ward, "TDPTT")
        assert len(queries.cell_timeline(ward).ancestors(successor.id)) == 2
        kept = {(a.cell_id, a.kind): a.decided_points for a in queries.awards(ward, 2025)}
        assert kept[(successor.id, "cell_recognition")] == 85.5
    finally:
        city_db.close()


@pytest.mark.parametrize("started, ended, rule, expected", [
    (None, None, "review", True),
    (None, dt.date(2023, 12, 10), "review", True),        # ended on the review day
    (None, dt.date(2023, 12, 9), "review", False),        # ended the day before
    (dt.date(2023, 12, 10), None, "review", True),        # founded on the review day
    (dt.date(2023, 12, 11), None, "review", False),       # founded the day after
    (None, dt.date(2023, 12, 31), "year_end", False),     # ended during the year
    (None, dt.date(2024, 1, 1), "year_end", True),
    (dt.date(2023, 12, 31), None, "year_end", True),
    (dt.date(2024, 1, 1), None, "year_end", False),
])
def test_which_cells_make_up_a_year(started, ended, rule, expected):
    assert timeline.in_year(started, ended, 2023, timeline.YearRule(rule),
                            dt.date(2023, 12, 10)) is expected


def test_the_identity_of_a_day():
    versions = [timeline.Identity(timeline.BEGINNING, "A"),
                timeline.Identity(dt.date(2025, 7, 1), "B")]
    pick = lambda day: timeline.identity_on(versions, day, factory=lambda v: v).name  # noqa
    assert [pick(dt.date(2025, 6, 30)), pick(dt.date(2025, 7, 1)), pick(None)] == \
        ["A", "B", "B"]
    assert timeline.Identity(timeline.BEGINNING, "Đảng bộ phường X",
                             upper_body="Tỉnh ủy Hà Tĩnh").party_header_body == \
        "Đảng bộ tỉnh Hà Tĩnh"
