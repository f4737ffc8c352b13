"""The rules of each year through the operations: stored per year with their sources, the
verdict's new reasons (registration, self-assessment, the ward's disciplined members and
open cells, the cap), decisions against the rules, the ranking and its Giấy khen, the
regulation named on each year, the migration of an older data file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import text

from chibo4tot_desktop import rules
from chibo4tot_desktop.db import engine as engine_module
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import propose, propose_leading
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import create_phase, update_year_rules
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.reports import ranking_text, status_text, year_overview
from chibo4tot_desktop.rules import Classification, VerdictState
from tests.builders import full_scores


def registered_cell(office, code, year=2023, share=0.85, disciplined=0, received=None,
                    own=True, **kwargs):
    """A cell registered for ``year`` and scored ``share`` of every item."""
    cell = add_cell(office, code, f"Chi bộ {code}", members_count=20)
    save_registration(office, cell.id, year, received_on=received or dt.date(year, 3, 5))
    scores = full_scores(office, year, share)
    if not own:
        scores = {item: ScoreInput(None, value.committee_points) for item, value in
                  scores.items()}
    save_evaluation(office, cell.id, year, scores=scores, disciplined_members=disciplined,
                    **kwargs)
    return cell


def state_of(office, year, code):
    return next(s for s in year_overview(office, year).cells if s.cell.code == code)


# ---------------------------------------------------------------------- stored per year
def test_a_new_phase_stores_each_years_rules_with_the_regulation_of_its_review(office):
    assert queries.year_rules(office, 2023).regulation == "124-QĐ/TW"
    assert queries.year_rules(office, 2024).regulation == "124-QĐ/TW"
    year_2025 = queries.year_rules(office, 2025)
    assert year_2025.regulation == "366-QĐ/TW"
    assert [c.key for c in year_2025.excellent_conditions] == ["nv", "lđ", "dv"]
    with office.read() as session:
        years = session.execute(text("SELECT year FROM year_rules ORDER BY year")).scalars()
        assert list(years) == [2023, 2024, 2025]


def test_a_changed_rule_becomes_the_offices_choice_unless_a_source_is_given(office):
    update_year_rules(office, 2024, overall_pass=85)
    year_rules = queries.year_rules(office, 2024)
    assert year_rules.overall_pass == 85
    assert year_rules.source_of("overall_pass") == rules.Source(
        rules.SourceKind.OFFICE, "văn phòng đã đổi từ 80")
    assert queries.year_rules(office, 2023).overall_pass == 80          # per year
    update_year_rules(office, 2024, cap_share="25%",
                      sources={"cap_share": "plan:Kế hoạch của Thành ủy, mục 4"})
    year_rules = queries.year_rules(office, 2024)
    assert year_rules.cap_share == 0.25
    assert year_rules.source_of("cap_share").describe() == "Kế hoạch: Kế hoạch của Thành ủy, mục 4"


@pytest.mark.parametrize("changes, message", [
    ({"cap_share": "120%"}, "phải từ 0 đến 100%"),
    ({"cap_rounding": "sideways"}, "không hợp lệ"),
    ({"cap_denominator": "members"}, "không hợp lệ"),
    ({"band_good": 95}, "giảm dần"),
    ({"regulation": ""}, "Chưa nhập"),
    ({"deadline_inclusive": "có lẽ"}, "“có” hoặc “không”"),
    ({"sources": {"overall_pass": "rumour"}}, "Nguồn 'rumour' không hợp lệ"),
    ({"excellent_conditions": [{"text": "", "check": "confirmed"}]}, "Chưa nhập nội dung"),
    ({"excellent_conditions": [{"text": "X", "check": "guess"}]}, "cách xét"),
])
def test_bad_rule_values_are_refused_and_nothing_is_written(office, changes, message):
    before = queries.year_rules(office, 2024)
    with pytest.raises(ValidationError, match=message):
        update_year_rules(office, 2024, overall_pass=81, **changes)
    assert queries.year_rules(office, 2024) == before


def test_conditions_are_edited_as_data_with_their_source(office):
    update_year_rules(office, 2025, excellent_conditions=[
        {"key": "nv", "text": "Hoàn thành 100% nhiệm vụ", "check": "confirmed",
         "source": "regulation", "note": "Quy định 366-QĐ/TW, Điều 11"},
        {"text": "Có mô hình hay được nhân rộng", "check": "confirmed", "source": "office",
         "note": "Đảng ủy bổ sung"}])
    conditions = queries.year_rules(office, 2025).excellent_conditions
    assert [(c.key, c.text, c.source.kind) for c in conditions] == [
        ("nv", "Hoàn thành 100% nhiệm vụ", rules.SourceKind.REGULATION),
        ("k1", "Có mô hình hay được nhân rộng", rules.SourceKind.OFFICE)]


# ------------------------------------------------------------------------ deadline reading
@pytest.mark.parametrize("inclusive, late", [(False, 1), (True, 0)])
def test_the_deadline_day_under_both_readings(office, inclusive, late):
    cell = add_cell(office, "A", "Chi bộ A")
    save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 10))
    update_year_rules(office, 2024, deadline_inclusive=inclusive)
    overview = year_overview(office, 2024)
    assert overview.cells[0].days_late == late
    assert overview.counts["late"] == late
    phrase = "đến hết ngày 10/03/2024" if inclusive else "trước ngày 10/03/2024"
    assert f"Hạn đăng ký thi đua: {phrase}" in overview.deadlines[1].describe()


def test_the_plan_reads_the_deadline_day_as_late_by_default(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 10))
    assert state_of(office, 2024, "A").days_late == 1


# ------------------------------------------------------------------- the verdict's reasons
def test_no_recognition_without_registration(office):
    cell = add_cell(office, "TDP11", "Chi bộ Tổ dân phố 11", members_count=20)
    save_evaluation(office, cell.id, 2025, scores=full_scores(office, 2025, 0.85))
    state = state_of(office, 2025, "TDP11")
    assert state.result.verdict.state is VerdictState.FAILED and not state.qualifies
    assert "Chưa đăng ký thi đua: không xét công nhận khi không có bản đăng ký" in \
        state.result.verdict.summary()
    with pytest.raises(ValidationError, match="Chưa đăng ký thi đua"):
        propose(office, cell.id, 2025, AwardKind.CELL_RECOGNITION.value)


def test_a_missing_self_assessment_is_a_reason(office):
    registered_cell(office, "A", own=False)
    state = state_of(office, 2023, "A")
    assert not state.qualifies
    assert [r.text for r in state.result.verdict.reasons if not r.ok] == [
        "Chi bộ chưa tự chấm điểm (tự chấm 0/100)"]


def test_a_disciplined_member_in_one_cell_is_the_wards_figure(office):
    registered_cell(office, "A")
    registered_cell(office, "B", disciplined=1)
    save_evaluation(office, None, 2023, scores={
        item.id: ScoreInput(item.max_points, item.max_points)
        for group in queries.phase_for_year(office, 2023).groups
        if group.scope == Scope.ORGANISATION.value for item in group.items})
    org = year_overview(office, 2023).organisation_result
    assert org.disciplined == 1
    assert "Có 1 đảng viên bị kỷ luật trong năm (cộng từ phiếu chấm các chi bộ: Chi bộ B: 1)" \
        in [r.text for r in org.verdict.reasons if not r.ok]
    assert org.classification is Classification.HTTNV          # 100 points, not HTXSNV


def test_the_wards_sheet_takes_no_disciplined_members(office):
    with pytest.raises(ValidationError, match="cộng từ phiếu chấm các chi bộ"):
        save_evaluation(office, None, 2023, scores={}, disciplined_members=2)
    assert queries.evaluation(office, None, 2023) is None


def _ward_sheet(office, year=2023, **kwargs):
    return save_evaluation(office, None, year, scores={
        item.id: ScoreInput(item.max_points, item.max_points)
        for group in queries.phase_for_year(office, year).groups
        if group.scope == Scope.ORGANISATION.value for item in group.items}, **kwargs)


def test_a_year_may_read_the_wards_own_figure_of_disciplined_members(office):
    """The rule migrated decided years keep: the ward's own sheet, not its cells' sum."""
    registered_cell(office, "A")
    registered_cell(office, "B", disciplined=1)
    update_year_rules(office, 2023, org_disciplined_from_cells=False)
    _ward_sheet(office)
    org = year_overview(office, 2023).organisation_result
    assert (org.disciplined, org.classification) == (0, Classification.HTXSNV)
    assert "Không có đảng viên bị kỷ luật trong năm" in [r.text for r in org.verdict.reasons]
    _ward_sheet(office, disciplined_members=2,
                expected_version=queries.evaluation(office, None, 2023).version)
    org = year_overview(office, 2023).organisation_result
    assert (org.disciplined, org.classification) == (2, Classification.HTTNV)
    assert "Có 2 đảng viên bị kỷ luật trong năm" in [r.text for r in org.verdict.reasons
                                                     if not r.ok]
    # saving the sheet without a figure (the window's organisation sheet) keeps none typed
    update_year_rules(office, 2023, org_disciplined_from_cells=True)
    with pytest.raises(ValidationError, match="cộng từ phiếu chấm các chi bộ"):
        _ward_sheet(office, disciplined_members=2)
    assert year_overview(office, 2023).organisation_result.disciplined == 1


def test_a_year_may_conclude_the_ward_before_every_cell_is_scored(office):
    for code in ("A", "B", "C"):
        registered_cell(office, code)
    waiting = add_cell(office, "D", "Chi bộ D")
    save_registration(office, waiting.id, 2023, received_on=dt.date(2023, 3, 5))
    _ward_sheet(office)
    update_year_rules(office, 2023, org_waits_for_cells=False)
    verdict = year_overview(office, 2023).organisation_result.verdict
    assert verdict.state is VerdictState.PASSED                   # 3/4 = 75%
    assert not any("chưa chấm đủ" in r.text for r in verdict.reasons)


def test_the_ward_reads_chua_cham_du_until_every_registered_cell_is_scored(office):
    for code in ("A", "B", "C"):
        registered_cell(office, code)
    waiting = add_cell(office, "D", "Chi bộ D")
    save_registration(office, waiting.id, 2023, received_on=dt.date(2023, 3, 5))
    unregistered = add_cell(office, "E", "Chi bộ E")
    save_evaluation(office, None, 2023, scores={
        item.id: ScoreInput(item.max_points, item.max_points)
        for group in queries.phase_for_year(office, 2023).groups
        if group.scope == Scope.ORGANISATION.value for item in group.items})
    overview = year_overview(office, 2023)
    assert not overview.scoring_complete
    verdict = overview.organisation_result.verdict
    assert verdict.label == "Chưa chấm đủ"
    assert verdict.reasons[0].text == ("Còn 1 chi bộ chưa chấm đủ điểm (Chi bộ D): chưa kết "
                                       "luận được")
    save_evaluation(office, waiting.id, 2023, scores=full_scores(office, 2023, 0.85))
    overview = year_overview(office, 2023)
    assert overview.scoring_complete and unregistered.id not in {
        s.cell.id for s in overview.pending}
    assert overview.organisation_result.verdict.state is VerdictState.PASSED   # 4/5 = 80%


# -------------------------------------------------------------- decisions against the rules
def test_a_decision_against_the_rules_is_refused_without_its_reason(office):
    cell = registered_cell(office, "A", share=0.95, disciplined=2)
    before = queries.evaluation(office, cell.id, 2023)
    with pytest.raises(ValidationError, match=r"khác kết quả theo Quy định 124-QĐ/TW \(HTTNV: "
                                              r"tổng điểm 94,5; có 2 đảng viên bị kỷ luật\)"):
        save_evaluation(office, cell.id, 2023, scores={}, disciplined_members=2,
                        classification="HTXSNV")
    after = queries.evaluation(office, cell.id, 2023)
    assert (after.classification, after.version) == (None, before.version)
    result = save_evaluation(office, cell.id, 2023, scores={}, disciplined_members=2,
                             classification="HTXSNV",
                             classification_reason="Thành tích đột xuất được Thành ủy biểu dương")
    assert result.verdict.classification is Classification.HTXSNV
    assert result.verdict.computed is Classification.HTTNV
    state = state_of(office, 2023, "A")
    assert state.result.verdict.overridden
    assert "Đảng ủy quyết định HTXSNV (theo quy định: HTTNV). Lý do: Thành tích đột xuất" in \
        status_text(year_overview(office, 2023))
    audit = [(entry.field, entry.new_value) for entry in queries.audit_log(office)
             if entry.table_name == "evaluations" and entry.action == "update"]
    assert ("classification", "HTXSNV") in audit
    assert ("classification_reason", "Thành tích đột xuất được Thành ủy biểu dương") in audit


def test_a_decision_the_rules_agree_with_needs_no_reason(office):
    cell = registered_cell(office, "A", share=0.85)
    result = save_evaluation(office, cell.id, 2023, scores={}, classification="HTTNV")
    assert result.verdict.passed and not result.verdict.overridden


def test_a_reason_without_a_decision_is_refused(office):
    cell = registered_cell(office, "A", share=0.85)
    with pytest.raises(ValidationError, match="Chỉ ghi lý do khi Đảng ủy quyết định"):
        save_evaluation(office, cell.id, 2023, scores={}, classification_reason="Vì sao")


def test_366_conditions_are_confirmed_on_the_sheet(office):
    cell = registered_cell(office, "A", year=2025, share=0.95)
    assert state_of(office, 2025, "A").result.classification is Classification.HTTNV
    with pytest.raises(ValidationError, match="không có điều kiện HTXSNV 'dv' cần Đảng ủy"):
        save_evaluation(office, cell.id, 2025, scores={}, conditions_met=["nv", "dv"])
    save_evaluation(office, cell.id, 2025, scores={}, conditions_met=["nv", "lđ"])
    assert state_of(office, 2025, "A").result.classification is Classification.HTXSNV
    stored = queries.evaluation(office, cell.id, 2025)
    assert json.loads(stored.conditions_met) == ["nv", "lđ"]
    save_evaluation(office, cell.id, 2025, scores={})            # None keeps them
    assert json.loads(queries.evaluation(office, cell.id, 2025).conditions_met) == ["nv", "lđ"]


# ---------------------------------------------------------------------- the cap and ranking
def test_the_cap_warns_only_once_the_years_scoring_is_complete(office):
    for code in ("A", "B", "C"):
        registered_cell(office, code, share=0.95)
    for code in ("D", "E", "F", "G", "H", "I", "J"):
        registered_cell(office, code, share=0.85)
    waiting = add_cell(office, "K", "Chi bộ K")
    save_registration(office, waiting.id, 2023, received_on=dt.date(2023, 3, 5))
    overview = year_overview(office, 2023)
    assert overview.ranking.over and overview.warnings == []           # not complete yet
    assert "bảng xếp hạng là tạm thời" in ranking_text(overview)
    save_evaluation(office, waiting.id, 2023, scores=full_scores(office, 2023, 0.85))
    overview = year_overview(office, 2023)
    ranking = overview.ranking
    assert (ranking.denominator, ranking.allowed, ranking.excellent) == (11, 2, 3)
    assert [cell.entry.name for cell in ranking.cells] == ["Chi bộ A", "Chi bộ B", "Chi bộ C"]
    assert overview.warnings == [ranking.warning()]
    assert "ngoài tỷ lệ theo bảng xếp hạng: Chi bộ C" in overview.warnings[0]
    over = state_of(office, 2023, "C").result.verdict
    assert any(r.warning and r.text.startswith("Vượt tỷ lệ HTXSNV: xếp thứ 3")
               for r in over.reasons)
    assert over.passed                                   # the cap does not refuse "4 tốt"


def test_the_cap_follows_its_settings(office):
    for code in ("A", "B", "C"):
        registered_cell(office, code, share=0.95)
    for code in ("D", "E", "F", "G", "H", "I", "J", "K"):
        registered_cell(office, code, share=0.85)
    assert year_overview(office, 2023).ranking.allowed == 2          # 20% of 11, down
    update_year_rules(office, 2023, cap_rounding="up")
    assert year_overview(office, 2023).ranking.allowed == 3
    update_year_rules(office, 2023, cap_rounding="down", cap_denominator="good")
    assert year_overview(office, 2023).ranking.allowed == 1          # 20% of 8 HTTNV
    update_year_rules(office, 2023, cap_denominator="all", cap_share=0.3)
    overview = year_overview(office, 2023)
    assert overview.ranking.allowed == 3 and overview.warnings == []


def test_the_ranking_gives_the_giay_khen_to_the_leading_cells(office):
    best = registered_cell(office, "A", share=0.97)
    second = registered_cell(office, "B", share=0.95)
    third = registered_cell(office, "C", share=0.93)
    for code in ("D", "E", "F", "G", "H", "I", "J"):
        registered_cell(office, code, share=0.85)
    waiting = add_cell(office, "K", "Chi bộ K")
    save_registration(office, waiting.id, 2023, received_on=dt.date(2023, 3, 5))
    with pytest.raises(ValidationError, match="chưa chấm đủ điểm: bảng xếp hạng chưa chốt"):
        propose_leading(office, 2023)
    save_evaluation(office, waiting.id, 2023, scores=full_scores(office, 2023, 0.85))
    awards = propose_leading(office, 2023)
    assert [award.cell_id for award in awards] == [best.id, second.id]
    assert all(award.kind == AwardKind.MERIT.value for award in awards)
    assert third.id not in {award.cell_id for award in awards}
    with pytest.raises(ValidationError, match="không còn chi bộ dẫn đầu"):
        propose_leading(office, 2023)


# ------------------------------------------------------------------ the regulation named
def test_the_years_status_names_its_regulation(office):
    create_phase(office, "Giai đoạn 2026 - 2030", 2026, 2030)
    assert "theo Quy định số 124-QĐ/TW ngày 04/10/2023" in status_text(year_overview(office,
                                                                                     2024))
    assert "theo Quy định số 366-QĐ/TW ngày 30/08/2025" in status_text(year_overview(office,
                                                                                     2025))
    assert queries.year_rules(office, 2027).regulation == "366-QĐ/TW"


# -------------------------------------------------------------------------- the migration
OLD_PHASE_COLUMNS = ("overall_pass, band_excellent, band_good, band_pass, min_classification, "
                     "max_disciplined, org_cell_share, excellent_share_cap")


def test_an_older_file_keeps_its_thresholds_in_the_years_rules(tmp_path):
    path = tmp_path / "cu.sqlite3"
    engine = engine_module.make_engine(path)
    engine_module.run_migrations(engine, "0002_i8")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organisations (id, code, name, upper_body, place_name, created_at) "
            "VALUES (1, 'TG', 'Đảng bộ phường Tân Giang', '', '', '2023-01-01 00:00:00')"))
        connection.execute(text(
            f"INSERT INTO phases (id, organisation_id, title, plan_reference, first_year, "
            f"last_year, {OLD_PHASE_COLUMNS}, version) VALUES (1, 1, 'Giai đoạn', '', 2023, "
            "2025, 85, 90, 70, 50, 'HTTNV', 1, 0.6, 0.25, 1)"))
        for year in (2023, 2024, 2025):
            connection.execute(text(
                "INSERT INTO phase_years (phase_id, year, registration_deadline, "
                f"review_deadline) VALUES (1, {year}, '{year}-03-10', '{year}-12-10')"))
        # the phase's catalogues, as every phase the program made has them
        for group_id, scope in ((1, "cell"), (2, "organisation")):
            connection.execute(text(
                "INSERT INTO criteria_groups (id, phase_id, scope, position, title, "
                f"pass_points) VALUES ({group_id}, 1, '{scope}', 1, 'Nhóm 1', 75)"))
            connection.execute(text(
                "INSERT INTO criteria_items (group_id, position, text, max_points) VALUES "
                f"({group_id}, 1, 'Mục 1', 100)"))
        connection.execute(text(
            "INSERT INTO cells (id, organisation_id, code, name, kind, secretary, "
            "members_count, is_pilot, version) VALUES (1, 1, 'A', 'Chi bộ A', 'residential', "
            "'', 10, 0, 1)"))
        connection.execute(text(
            "INSERT INTO registrations (cell_id, year, title, received_on, commitment_1, "
            "commitment_2, commitment_3, commitment_4, signer, source, version) VALUES "
            "(1, 2024, 'Chi bộ 4 tốt', '2024-03-10', '', '', '', '', '', 'typed', 1)"))
        connection.execute(text(
            "INSERT INTO evaluations (organisation_id, cell_id, year, notes, "
            "disciplined_members, classification, version) VALUES (1, 1, 2024, 'ghi chú', 0, "
            "'HTTNV', 1)"))
    engine.dispose()
    database = open_database(path)
    try:
        office = Office(database)
        for year in (2023, 2024, 2025):
            year_rules = queries.year_rules(office, year)
            assert (year_rules.overall_pass, year_rules.max_disciplined,
                    year_rules.org_cell_share, year_rules.cap_share) == (85, 1, 0.6, 0.25)
            assert year_rules.source_of("overall_pass").kind is rules.SourceKind.OFFICE
            assert year_rules.source_of("band_excellent").kind is rules.SourceKind.REGULATION
            assert year_rules.deadline_inclusive      # the reading the file was kept with
        assert queries.year_rules(office, 2024).regulation == "124-QĐ/TW"
        assert queries.year_rules(office, 2025).regulation == "366-QĐ/TW"
        evaluation = queries.evaluation(office, 1, 2024)
        assert (evaluation.notes, evaluation.classification, evaluation.classification_reason,
                evaluation.conditions_met) == ("ghi chú", "HTTNV", "", "[]")
        assert state_of(office, 2024, "A").days_late == 0       # 10/3 stays on time
        with database.engine.connect() as connection:
            columns = {row[1] for row in connection.execute(text("PRAGMA table_info(phases)"))}
        assert "overall_pass" not in columns and "title" in columns
    finally:
        database.close()
