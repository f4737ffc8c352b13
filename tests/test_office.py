"""The office API: validation, cells, registrations, scoring, awards, settings."""

import datetime as dt

import pytest

from chibo4tot_desktop.db.models import AwardKind, CellKind, Scope
from chibo4tot_desktop.errors import (
    ConflictError,
    NotFoundError,
    UserError,
    ValidationError,
)
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import (
    next_register_numbers,
    propose,
    propose_many,
    record_decision,
    withdraw,
)
from chibo4tot_desktop.ops.cells import (
    add_cell,
    delete_cell,
    dissolve_cell,
    reactivate_cell,
    update_cell,
)
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import (
    SetupChanges,
    YearDates,
    save_setup,
    save_catalogue,
    set_settings,
    update_phase,
    update_phase_year,
)
from chibo4tot_desktop.ops.verdicts import ScoreInput, evaluate
from chibo4tot_desktop.reports import year_overview
from tests.builders import full_scores, qualifying_cell
from chibo4tot_desktop.rules import VerdictState


def item_of(office, group_position, item_position=1, year=2023):
    phase = queries.phase_for_year(office, year)
    group = next(g for g in phase.groups
                 if g.scope == Scope.CELL.value and g.position == group_position)
    return group.items[item_position - 1]


# ----------------------------------------------------------------------------------- cells
def test_add_and_list_cells_in_vietnamese_order(office):
    for code, name in [("T12", "Chi bộ Tổ dân phố 12"), ("T2", "Chi bộ Tổ dân phố 2"),
                       ("CA", "Chi bộ Công an phường"), ("TH", "Chi bộ Trường Tiểu học")]:
        add_cell(office, code, name)
    assert [c.code for c in queries.cells(office)] == ["CA", "T2", "T12", "TH"]


@pytest.mark.parametrize("kwargs, message", [
    ({"code": "", "name": "Chi bộ A"}, "Chưa nhập mã chi bộ"),
    ({"code": "A", "name": "   "}, "Chưa nhập tên chi bộ"),
    ({"code": "A", "name": "Chi bộ A", "members_count": -1}, "không được âm"),
    ({"code": "A", "name": "Chi bộ A", "members_count": "mười"}, "không phải là số nguyên"),
    ({"code": "A", "name": "Chi bộ A", "kind": "bank"}, "Loại chi bộ 'bank' không hợp lệ"),
])
def test_bad_cell_input_is_refused(office, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        add_cell(office, **kwargs)
    assert queries.cells(office) == []


def test_duplicate_code_or_name_is_refused(office):
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    with pytest.raises(ValidationError, match="Mã chi bộ 'TDP01' đã có"):
        add_cell(office, "TDP01", "Chi bộ khác")
    with pytest.raises(ValidationError, match="Tên chi bộ"):
        add_cell(office, "X", "chi bộ tổ dân phố 1")
    add_cell(office, "UY", "Chi bộ Ủy ban")
    with pytest.raises(ValidationError, match="Tên chi bộ 'CHI BỘ ỦY BAN' đã có"):
        add_cell(office, "Y", "CHI BỘ ỦY BAN")      # beyond ASCII: Ủ and ủ are one letter


def test_names_are_stored_nfc_and_trimmed(office):
    import unicodedata

    cell = add_cell(office, " A ", unicodedata.normalize("NFD", "Chi bộ  Tổ dân phố 6 "),
                           secretary=unicodedata.normalize("NFD", "Trần Nhân Đức"))
    assert cell.code == "A"
    assert cell.name == "Chi bộ Tổ dân phố 6"
    assert cell.secretary == unicodedata.normalize("NFC", "Trần Nhân Đức")


def test_dissolved_cell_is_not_expected_to_register(office):
    active = add_cell(office, "A", "Chi bộ A")
    gone = add_cell(office, "B", "Chi bộ B")
    dissolve_cell(office, gone.id, dt.date(2023, 6, 30))
    assert [c.code for c in queries.cells(office, include_dissolved=False)] == ["A"]
    overview_2023 = year_overview(office, 2023, today=dt.date(2023, 4, 1))
    assert [s.cell.code for s in overview_2023.missing] == ["A"]
    with pytest.raises(ValidationError, match="đã kết thúc hoạt động ngày 30/06/2023"):
        save_registration(office, gone.id, 2023, received_on=dt.date(2023, 3, 1))
    save_registration(office, active.id, 2023, received_on=dt.date(2023, 3, 1))
    assert year_overview(office, 2023).counts["missing"] == 0
    reactivate_cell(office, gone.id)
    assert year_overview(office, 2023).counts["missing"] == 1


def test_a_cell_with_history_cannot_be_deleted(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 1))
    with pytest.raises(ValidationError, match="Giải thể"):
        delete_cell(office, cell.id)
    assert queries.cell(office, cell.id).code == "A"


def test_stale_version_is_a_conflict(office):
    cell = add_cell(office, "A", "Chi bộ A")
    update_cell(office, cell.id, expected_version=cell.version, secretary="X")
    with pytest.raises(ConflictError, match="người khác sửa"):
        update_cell(office, cell.id, expected_version=cell.version, secretary="Y")
    assert queries.cell(office, cell.id).secretary == "X"


def test_unknown_cell(office):
    with pytest.raises(NotFoundError):
        queries.cell(office, 12345)
    with pytest.raises(NotFoundError, match="Không có chi bộ mã 'ZZ'"):
        queries.cell_by_code(office, "ZZ")


# --------------------------------------------------------------------------- registrations
def test_late_registration_is_flagged_with_days(office):
    on_time = add_cell(office, "A", "Chi bộ A")
    late = add_cell(office, "B", "Chi bộ B")
    save_registration(office, on_time.id, 2024, received_on=dt.date(2024, 3, 10))
    save_registration(office, late.id, 2024, received_on=dt.date(2024, 3, 14),
                             commitment_2="Sinh hoạt đủ 12 kỳ")
    overview = year_overview(office, 2024)
    states = {s.cell.code: s for s in overview.cells}
    assert states["A"].days_late == 0 and not states["A"].late
    assert states["B"].days_late == 4
    assert overview.counts["late"] == 1
    assert queries.registration(office, late.id, 2024).commitment_2 == "Sinh hoạt đủ 12 kỳ"


def test_moving_the_deadline_changes_lateness(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 14))
    phase = queries.phase_for_year(office, 2024)
    update_phase_year(office, phase.id, 2024, launch_date=dt.date(2024, 3, 1),
                             registration_deadline=dt.date(2024, 3, 15),
                             review_deadline=dt.date(2024, 12, 10))
    assert year_overview(office, 2024).counts["late"] == 0


def test_registration_updates_instead_of_duplicating(office):
    cell = add_cell(office, "A", "Chi bộ A")
    first = save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 1))
    second = save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 2),
                                      signer="Bí thư A")
    assert first.id == second.id
    assert [r.signer for r in queries.registrations(office, 2023)] == ["Bí thư A"]


def test_registration_outside_the_phase_is_refused(office):
    cell = add_cell(office, "A", "Chi bộ A")
    with pytest.raises(UserError, match="Năm 2030 không thuộc giai đoạn"):
        save_registration(office, cell.id, 2030, received_on=dt.date(2030, 3, 1))


def test_registration_without_date_is_refused(office):
    cell = add_cell(office, "A", "Chi bộ A")
    with pytest.raises(ValidationError, match="ngày nhận"):
        save_registration(office, cell.id, 2023, received_on=None)


# ----------------------------------------------------------------------------- evaluations
def test_scoring_and_verdict_change_at_the_threshold(office):
    cell = add_cell(office, "A", "Chi bộ A", members_count=20)
    item = item_of(office, 2, 1)                        # group 2 item 1, max 10
    other = item_of(office, 2, 2)
    scores = full_scores(office, override={item.id: ScoreInput(7, 7), other.id: ScoreInput(7, 7)})
    result = save_evaluation(office, cell.id, 2023, scores=scores)
    assert result.verdict.state is VerdictState.FAILED
    assert "Nhóm 2 đạt 14/20, dưới ngưỡng 15" in result.verdict.summary()
    scores[item.id] = ScoreInput(8, 8)
    result = save_evaluation(office, cell.id, 2023, scores=scores)
    assert result.committee_totals.groups[1].points == 15
    assert result.verdict.state is VerdictState.PASSED


def test_missing_committee_scores_mean_not_scored(office):
    cell = add_cell(office, "A", "Chi bộ A")
    scores = full_scores(office)
    first = next(iter(scores))
    scores[first] = ScoreInput(5, None)
    result = save_evaluation(office, cell.id, 2023, scores=scores)
    assert result.verdict.state is VerdictState.INCOMPLETE
    state = year_overview(office, 2023).cells[0]
    assert not state.scored and not state.qualifies


def test_disciplined_member_fails_the_cell(office):
    cell = add_cell(office, "A", "Chi bộ A", members_count=20)
    result = save_evaluation(office, cell.id, 2023, scores=full_scores(office),
                                    disciplined_members=1)
    assert result.verdict.state is VerdictState.FAILED
    assert "Có 1 đảng viên bị kỷ luật trong năm" in result.verdict.summary()


@pytest.mark.parametrize("value, message", [
    (11, "vượt điểm tối đa 10"),
    (-1, "không được âm"),
    ("mười", "không phải là số"),
])
def test_bad_points_are_refused_and_nothing_is_written(office, value, message):
    cell = add_cell(office, "A", "Chi bộ A")
    item = item_of(office, 2, 1)
    with pytest.raises(ValidationError, match=message):
        save_evaluation(office, cell.id, 2023, scores=full_scores(
            office, override={item.id: ScoreInput(5, value)}))
    assert queries.evaluation(office, cell.id, 2023) is None


def test_points_typed_with_a_decimal_comma(office):
    cell = add_cell(office, "A", "Chi bộ A")
    item = item_of(office, 2, 1)
    save_evaluation(office, cell.id, 2023, scores={item.id: ScoreInput("7,5", "8")})
    score = queries.evaluation(office, cell.id, 2023).scores[0]
    assert (score.self_points, score.committee_points) == (7.5, 8)


def test_more_disciplined_than_members_is_refused(office):
    cell = add_cell(office, "A", "Chi bộ A", members_count=3)
    with pytest.raises(ValidationError, match="lớn hơn số đảng viên"):
        save_evaluation(office, cell.id, 2023, scores={}, disciplined_members=4)
    # Registered: the year's own figure counts, not today's.
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 1), members_count=5)
    save_evaluation(office, cell.id, 2023, scores={}, disciplined_members=4)
    with pytest.raises(ValidationError, match="năm 2023 \\(5\\)"):
        save_evaluation(office, cell.id, 2023, scores={}, disciplined_members=6)


def test_concurrent_edit_of_an_evaluation_is_a_conflict(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_evaluation(office, cell.id, 2023, scores=full_scores(office))
    seen = queries.evaluation(office, cell.id, 2023)
    other = Office(office.db, office.organisation_id)
    save_evaluation(other, cell.id, 2023, scores=full_scores(office, share=0.8),
                          expected_version=seen.version)
    with pytest.raises(ConflictError, match="người khác sửa"):
        save_evaluation(office, cell.id, 2023, scores=full_scores(office, share=0.5),
                               expected_version=seen.version)
    total = evaluate(queries.phase_for_year(office, 2023), queries.evaluation(office, cell.id, 2023))
    assert total.committee_totals.total == pytest.approx(80, abs=2)


def test_changing_a_threshold_recomputes_verdicts(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_evaluation(office, cell.id, 2023, scores=full_scores(office, share=0.85))
    assert year_overview(office, 2023).cells[0].qualifies
    phase = queries.phase_for_year(office, 2023)
    update_phase(office, phase.id, overall_pass=90)
    state = year_overview(office, 2023).cells[0]
    assert not state.qualifies
    assert "dưới ngưỡng 90" in state.result.verdict.summary()


@pytest.mark.parametrize("changes, message", [
    ({"band_good": 95}, "giảm dần"),
    ({"org_cell_share": 1.5}, "Tỷ lệ"),
    ({"min_classification": "GIOI"}, "không hợp lệ"),
    ({"overall_pass": "tám mươi"}, "không phải là số"),
])
def test_bad_phase_settings_are_refused(office, changes, message):
    phase = queries.phase_for_year(office, 2023)
    with pytest.raises(ValidationError, match=message):
        update_phase(office, phase.id, **changes)
    assert queries.phase(office, phase.id).band_good == 70


# ------------------------------------------------------------------------------- catalogue
def _catalogue_data(phase):
    return [{"position": g.position, "title": g.title, "pass_points": g.pass_points,
             "items": [{"id": i.id, "text": i.text, "max_points": i.max_points}
                       for i in g.items]}
            for g in phase.groups if g.scope == Scope.CELL.value]


def test_catalogue_must_add_up_to_100(office):
    phase = queries.phase_for_year(office, 2023)
    data = _catalogue_data(phase)
    data[0]["items"][0]["max_points"] += 1
    with pytest.raises(ValidationError, match="Tổng điểm tối đa các mục là 101, phải bằng 100"):
        save_catalogue(office, phase.id, Scope.CELL, data)


def test_catalogue_reorder_and_edit(office):
    phase = queries.phase_for_year(office, 2023)
    data = _catalogue_data(phase)
    items = data[1]["items"]
    items.reverse()
    items[0]["text"] = "Nội dung đã sửa"
    save_catalogue(office, phase.id, Scope.CELL, data)
    group = [g for g in queries.phase(office, phase.id).groups if g.scope == "cell"][1]
    assert [i.id for i in group.items] == [i["id"] for i in items]
    assert group.items[0].text == "Nội dung đã sửa"


def test_scored_item_cannot_be_removed(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_evaluation(office, cell.id, 2023, scores=full_scores(office))
    phase = queries.phase_for_year(office, 2023)
    data = _catalogue_data(phase)
    removed = data[3]["items"].pop()
    data[3]["items"][0]["max_points"] += removed["max_points"]
    with pytest.raises(ValidationError, match="chấm điểm năm 2023"):
        save_catalogue(office, phase.id, Scope.CELL, data)


# ---------------------------------------------------------------------------------- awards
def test_proposal_and_decision(office):
    cell = qualifying_cell(office)
    award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value,
                           dt.date(2023, 12, 15))
    assert not award.is_decided
    with pytest.raises(ValidationError, match="Đã có đề nghị"):
        propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    with pytest.raises(ValidationError, match="trước ngày đề nghị"):
        record_decision(office, [award.id], decision_number="1-QĐ/Th.U",
                               decision_date=dt.date(2023, 1, 1), issuer="BTV Thành ủy")
    record_decision(office, [award.id], decision_number="1250-QĐ/Th.U",
                           decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy",
                           first_register_number="01/2023")
    decided = queries.awards(office, 2023)[0]
    assert decided.is_decided and decided.cell.name == "Chi bộ A"
    assert queries.recognised_years(office) == {cell.id: {2023}}
    with pytest.raises(ValidationError, match="bỏ quyết định"):
        withdraw(office, award.id)
    other = propose(office, cell.id, 2023, AwardKind.MERIT.value)
    with pytest.raises(ValidationError, match="Số sổ '01/2023' đã dùng"):
        record_decision(office, [other.id], decision_number="1251-QĐ/Th.U",
                               decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy",
                               first_register_number="01/2023")


def test_award_kind_must_fit_the_recipient(office):
    cell = add_cell(office, "A", "Chi bộ A")
    with pytest.raises(ValidationError, match="chỉ dành cho đảng bộ"):
        propose(office, cell.id, 2023, AwardKind.ORG_RECOGNITION.value)
    with pytest.raises(ValidationError, match="chỉ dành cho chi bộ"):
        propose(office, None, 2023, AwardKind.CELL_RECOGNITION.value)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        propose(office, cell.id, 2023, "huy chương")


def test_consecutive_recognised_years(office):
    cell = qualifying_cell(office, years=(2023, 2024))
    for year in (2023, 2024):
        award = propose(office, cell.id, year, AwardKind.CELL_RECOGNITION.value)
        record_decision(office, [award.id], decision_number=f"{year}-QĐ/Th.U",
                               decision_date=dt.date(year + 1, 1, 10), issuer="BTV")
    assert year_overview(office, 2024).cells[0].consecutive_years == 2
    assert year_overview(office, 2025).cells[0].consecutive_years == 0


def test_only_what_qualifies_can_be_proposed(office):
    """The rule lives in the core: the window and the command line get the same refusal."""
    good = qualifying_cell(office, "A")
    weak = add_cell(office, "B", "Chi bộ B", members_count=20)
    save_registration(office, weak.id, 2023, received_on=dt.date(2023, 3, 5))
    save_evaluation(office, weak.id, 2023, scores=full_scores(office, share=0.6))
    unscored = add_cell(office, "C", "Chi bộ C")
    for cell, reason in ((weak, "dưới ngưỡng"), (unscored, "Chưa chấm")):
        for kind in (AwardKind.CELL_RECOGNITION, AwardKind.MERIT):
            with pytest.raises(ValidationError, match=f"Chi bộ {cell.code} chưa đạt.*{reason}"):
                propose(office, cell.id, 2023, kind.value)
    with pytest.raises(ValidationError, match="Đảng bộ chưa đạt “Đảng bộ cơ sở 4 tốt”"):
        propose(office, None, 2023, AwardKind.ORG_RECOGNITION.value)
    # Many at once: one refusal refuses them all, nothing is written.
    with pytest.raises(ValidationError, match="Chi bộ B chưa đạt"):
        propose_many(office, 2023, AwardKind.CELL_RECOGNITION.value, [good.id, weak.id])
    assert queries.awards(office, 2023) == []
    assert queries.audit_log(office, table="awards") == []


def test_propose_many_and_one_decision_for_all(office):
    cells = [qualifying_cell(office, code) for code in ("B", "A", "C")]
    awards = propose_many(office, 2023, AwardKind.CELL_RECOGNITION.value,
                          [cell.id for cell in cells])
    # Dated by default on the year's review date.
    assert {award.proposed_on for award in awards} == {dt.date(2023, 12, 10)}
    decided = record_decision(office, [a.id for a in awards], decision_number="1250-QĐ/Th.U",
                               decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy",
                               first_register_number="09/2023")
    assert [(a.cell.name, a.register_number) for a in decided] == [
        ("Chi bộ B", "09/2023"), ("Chi bộ A", "10/2023"), ("Chi bộ C", "11/2023")]
    assert all(a.is_decided and a.decision_number == "1250-QĐ/Th.U"
               for a in queries.awards(office, 2023))


def test_one_decision_for_many_is_all_or_nothing(office):
    cells = [qualifying_cell(office, code) for code in ("A", "B")]
    first, second = propose_many(office, 2023, AwardKind.CELL_RECOGNITION.value,
                                 [cell.id for cell in cells], dt.date(2023, 12, 15))
    record_decision(office, [first.id], decision_number="1-QĐ", decision_date=dt.date(2024, 1, 5),
                    issuer="BTV", first_register_number="02/2023")
    with pytest.raises(ValidationError, match="Số sổ '02/2023' đã dùng"):
        record_decision(office, [second.id], decision_number="2-QĐ",
                         decision_date=dt.date(2024, 1, 6), issuer="BTV",
                         first_register_number="02/2023")
    assert [a.decision_number for a in queries.awards(office, 2023)
            if a.id == second.id] == [""]
    with pytest.raises(ValidationError, match="không có chữ số"):
        record_decision(office, [second.id, first.id], decision_number="2-QĐ",
                         decision_date=dt.date(2024, 1, 6), issuer="BTV",
                         first_register_number="A/B")


@pytest.mark.parametrize("first, count, expected", [
    ("01/2023", 3, ["01/2023", "02/2023", "03/2023"]),
    ("9", 2, ["9", "10"]),
    ("KT-098/2024", 2, ["KT-098/2024", "KT-099/2024"]),
    ("", 2, ["", ""]),
])
def test_register_numbers_follow_one_another(first, count, expected):
    assert next_register_numbers(first, count) == expected


# -------------------------------------------------------------------------------- settings
def test_save_setup_is_one_transaction(office):
    phase = queries.phase_for_year(office, 2023)
    groups = _catalogue_data(phase)
    groups[0]["items"][0]["max_points"] = 7          # the total becomes 101: refused
    with pytest.raises(ValidationError, match="phải bằng 100"):
        save_setup(office, SetupChanges(
            organisation={"name": "Đảng bộ mới"}, phase_id=phase.id,
            phase={"overall_pass": 75},
            years={2023: YearDates(dt.date(2023, 3, 1), dt.date(2023, 3, 15),
                                   dt.date(2023, 12, 1))},
            catalogues={Scope.CELL: groups}, settings={"proposal.signer_name": "A"}))
    assert queries.organisation(office).name == "Đảng bộ phường Tân Giang"
    assert queries.phase_for_year(office, 2023).overall_pass == 80
    assert queries.phase_year(office, 2023).registration_deadline == dt.date(2023, 3, 10)
    assert queries.setting(office, "proposal.signer_name") == ""


def test_settings_round_trip(office):
    set_settings(office, {"certificate.lead_word": "Trao tặng", "x": "1"})
    set_settings(office, {"x": "2"})
    assert queries.setting(office, "x") == "2"
    assert queries.settings(office, "certificate.") == {"certificate.lead_word": "Trao tặng"}
    assert queries.setting(office, "missing", "mặc định") == "mặc định"


def test_kind_labels_are_vietnamese():
    assert CellKind("residential").label == "Tổ dân phố"
    assert AwardKind.MERIT.label == "Giấy khen"
