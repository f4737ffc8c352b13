"""The office API: validation, cells, registrations, scoring, awards, settings."""

import datetime as dt

import pytest

from chibo4tot_desktop.db.models import AwardKind, CellKind, Scope
from chibo4tot_desktop.errors import ConflictError, NotFoundError, UserError, ValidationError
from chibo4tot_desktop.office import Office, ScoreInput, evaluate
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.rules import VerdictState


def full_scores(office, year=2023, share=0.9, override=None):
    phase = office.phase_for_year(year)
    result = {}
    for group in phase.groups:
        if group.scope != Scope.CELL.value:
            continue
        for item in group.items:
            points = round(item.max_points * share * 2) / 2
            result[item.id] = ScoreInput(points, points)
    result.update(override or {})
    return result


def item_of(office, group_position, item_position=1, year=2023):
    phase = office.phase_for_year(year)
    group = next(g for g in phase.groups
                 if g.scope == Scope.CELL.value and g.position == group_position)
    return group.items[item_position - 1]


# ----------------------------------------------------------------------------------- cells
def test_add_and_list_cells_in_vietnamese_order(office):
    for code, name in [("T12", "Chi bộ Tổ dân phố 12"), ("T2", "Chi bộ Tổ dân phố 2"),
                       ("CA", "Chi bộ Công an phường"), ("TH", "Chi bộ Trường Tiểu học")]:
        office.add_cell(code, name)
    assert [c.code for c in office.cells()] == ["CA", "T2", "T12", "TH"]


@pytest.mark.parametrize("kwargs, message", [
    ({"code": "", "name": "Chi bộ A"}, "Chưa nhập mã chi bộ"),
    ({"code": "A", "name": "   "}, "Chưa nhập tên chi bộ"),
    ({"code": "A", "name": "Chi bộ A", "members_count": -1}, "không được âm"),
    ({"code": "A", "name": "Chi bộ A", "members_count": "mười"}, "không phải là số nguyên"),
    ({"code": "A", "name": "Chi bộ A", "kind": "bank"}, "Loại chi bộ 'bank' không hợp lệ"),
])
def test_bad_cell_input_is_refused(office, kwargs, message):
    with pytest.raises(ValidationError, match=message):
        office.add_cell(**kwargs)
    assert office.cells() == []


def test_duplicate_code_or_name_is_refused(office):
    office.add_cell("TDP01", "Chi bộ Tổ dân phố 1")
    with pytest.raises(ValidationError, match="Mã chi bộ 'TDP01' đã có"):
        office.add_cell("TDP01", "Chi bộ khác")
    with pytest.raises(ValidationError, match="Tên chi bộ"):
        office.add_cell("X", "chi bộ tổ dân phố 1")


def test_names_are_stored_nfc_and_trimmed(office):
    import unicodedata

    cell = office.add_cell(" A ", unicodedata.normalize("NFD", "Chi bộ  Tổ dân phố 6 "),
                           secretary=unicodedata.normalize("NFD", "Trần Nhân Đức"))
    assert cell.code == "A"
    assert cell.name == "Chi bộ Tổ dân phố 6"
    assert cell.secretary == unicodedata.normalize("NFC", "Trần Nhân Đức")


def test_dissolved_cell_is_not_expected_to_register(office):
    active = office.add_cell("A", "Chi bộ A")
    gone = office.add_cell("B", "Chi bộ B")
    office.dissolve_cell(gone.id, dt.date(2023, 6, 30))
    assert [c.code for c in office.cells(include_dissolved=False)] == ["A"]
    overview_2023 = year_overview(office, 2023, today=dt.date(2023, 4, 1))
    assert [s.cell.code for s in overview_2023.missing] == ["A"]
    with pytest.raises(ValidationError, match="đã giải thể"):
        office.save_registration(gone.id, 2023, received_on=dt.date(2023, 3, 1))
    office.save_registration(active.id, 2023, received_on=dt.date(2023, 3, 1))
    assert year_overview(office, 2023).counts["missing"] == 0
    office.reactivate_cell(gone.id)
    assert year_overview(office, 2023).counts["missing"] == 1


def test_a_cell_with_history_cannot_be_deleted(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.save_registration(cell.id, 2023, received_on=dt.date(2023, 3, 1))
    with pytest.raises(ValidationError, match="Giải thể"):
        office.delete_cell(cell.id)
    assert office.cell(cell.id).code == "A"


def test_stale_version_is_a_conflict(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.update_cell(cell.id, expected_version=cell.version, secretary="X")
    with pytest.raises(ConflictError, match="người khác sửa"):
        office.update_cell(cell.id, expected_version=cell.version, secretary="Y")
    assert office.cell(cell.id).secretary == "X"


def test_unknown_cell(office):
    with pytest.raises(NotFoundError):
        office.cell(12345)
    with pytest.raises(NotFoundError, match="Không có chi bộ mã 'ZZ'"):
        office.cell_by_code("ZZ")


# --------------------------------------------------------------------------- registrations
def test_late_registration_is_flagged_with_days(office):
    on_time = office.add_cell("A", "Chi bộ A")
    late = office.add_cell("B", "Chi bộ B")
    office.save_registration(on_time.id, 2024, received_on=dt.date(2024, 3, 10))
    office.save_registration(late.id, 2024, received_on=dt.date(2024, 3, 14),
                             commitment_2="Sinh hoạt đủ 12 kỳ")
    overview = year_overview(office, 2024)
    states = {s.cell.code: s for s in overview.cells}
    assert states["A"].days_late == 0 and not states["A"].late
    assert states["B"].days_late == 4
    assert overview.counts["late"] == 1
    assert office.registration(late.id, 2024).commitment_2 == "Sinh hoạt đủ 12 kỳ"


def test_moving_the_deadline_changes_lateness(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.save_registration(cell.id, 2024, received_on=dt.date(2024, 3, 14))
    phase = office.phase_for_year(2024)
    office.update_phase_year(phase.id, 2024, launch_date=dt.date(2024, 3, 1),
                             registration_deadline=dt.date(2024, 3, 15),
                             review_deadline=dt.date(2024, 12, 10))
    assert year_overview(office, 2024).counts["late"] == 0


def test_registration_updates_instead_of_duplicating(office):
    cell = office.add_cell("A", "Chi bộ A")
    first = office.save_registration(cell.id, 2023, received_on=dt.date(2023, 3, 1))
    second = office.save_registration(cell.id, 2023, received_on=dt.date(2023, 3, 2),
                                      signer="Bí thư A")
    assert first.id == second.id
    assert [r.signer for r in office.registrations(2023)] == ["Bí thư A"]


def test_registration_outside_the_phase_is_refused(office):
    cell = office.add_cell("A", "Chi bộ A")
    with pytest.raises(UserError, match="Năm 2030 không thuộc giai đoạn"):
        office.save_registration(cell.id, 2030, received_on=dt.date(2030, 3, 1))


def test_registration_without_date_is_refused(office):
    cell = office.add_cell("A", "Chi bộ A")
    with pytest.raises(ValidationError, match="ngày nhận"):
        office.save_registration(cell.id, 2023, received_on=None)


# ----------------------------------------------------------------------------- evaluations
def test_scoring_and_verdict_change_at_the_threshold(office):
    cell = office.add_cell("A", "Chi bộ A", members_count=20)
    item = item_of(office, 2, 1)                        # group 2 item 1, max 10
    other = item_of(office, 2, 2)
    scores = full_scores(office, override={item.id: ScoreInput(7, 7), other.id: ScoreInput(7, 7)})
    result = office.save_evaluation(cell.id, 2023, scores=scores)
    assert result.verdict.state is VerdictState.FAILED
    assert "Nhóm 2 đạt 14/20, dưới ngưỡng 15" in result.verdict.summary()
    scores[item.id] = ScoreInput(8, 8)
    result = office.save_evaluation(cell.id, 2023, scores=scores)
    assert result.committee_totals.groups[1].points == 15
    assert result.verdict.state is VerdictState.PASSED


def test_missing_committee_scores_mean_not_scored(office):
    cell = office.add_cell("A", "Chi bộ A")
    scores = full_scores(office)
    first = next(iter(scores))
    scores[first] = ScoreInput(5, None)
    result = office.save_evaluation(cell.id, 2023, scores=scores)
    assert result.verdict.state is VerdictState.INCOMPLETE
    state = year_overview(office, 2023).cells[0]
    assert not state.scored and not state.qualifies


def test_disciplined_member_fails_the_cell(office):
    cell = office.add_cell("A", "Chi bộ A", members_count=20)
    result = office.save_evaluation(cell.id, 2023, scores=full_scores(office),
                                    disciplined_members=1)
    assert result.verdict.state is VerdictState.FAILED
    assert "Có 1 đảng viên bị kỷ luật trong năm" in result.verdict.summary()


@pytest.mark.parametrize("value, message", [
    (11, "vượt điểm tối đa 10"),
    (-1, "không được âm"),
    ("mười", "không phải là số"),
])
def test_bad_points_are_refused_and_nothing_is_written(office, value, message):
    cell = office.add_cell("A", "Chi bộ A")
    item = item_of(office, 2, 1)
    with pytest.raises(ValidationError, match=message):
        office.save_evaluation(cell.id, 2023, scores=full_scores(
            office, override={item.id: ScoreInput(5, value)}))
    assert office.evaluation(cell.id, 2023) is None


def test_points_typed_with_a_decimal_comma(office):
    cell = office.add_cell("A", "Chi bộ A")
    item = item_of(office, 2, 1)
    office.save_evaluation(cell.id, 2023, scores={item.id: ScoreInput("7,5", "8")})
    score = office.evaluation(cell.id, 2023).scores[0]
    assert (score.self_points, score.committee_points) == (7.5, 8)


def test_more_disciplined_than_members_is_refused(office):
    cell = office.add_cell("A", "Chi bộ A", members_count=3)
    with pytest.raises(ValidationError, match="lớn hơn số đảng viên"):
        office.save_evaluation(cell.id, 2023, scores={}, disciplined_members=4)


def test_concurrent_edit_of_an_evaluation_is_a_conflict(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.save_evaluation(cell.id, 2023, scores=full_scores(office))
    seen = office.evaluation(cell.id, 2023)
    other = Office(office.db, office.organisation_id)
    other.save_evaluation(cell.id, 2023, scores=full_scores(office, share=0.8),
                          expected_version=seen.version)
    with pytest.raises(ConflictError, match="người khác sửa"):
        office.save_evaluation(cell.id, 2023, scores=full_scores(office, share=0.5),
                               expected_version=seen.version)
    total = evaluate(office.phase_for_year(2023), office.evaluation(cell.id, 2023))
    assert total.committee_totals.total == pytest.approx(80, abs=2)


def test_changing_a_threshold_recomputes_verdicts(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.save_evaluation(cell.id, 2023, scores=full_scores(office, share=0.85))
    assert year_overview(office, 2023).cells[0].qualifies
    phase = office.phase_for_year(2023)
    office.update_phase(phase.id, overall_pass=90)
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
    phase = office.phase_for_year(2023)
    with pytest.raises(ValidationError, match=message):
        office.update_phase(phase.id, **changes)
    assert office.phase(phase.id).band_good == 70


# ------------------------------------------------------------------------------- catalogue
def _catalogue_data(phase):
    return [{"position": g.position, "title": g.title, "pass_points": g.pass_points,
             "items": [{"id": i.id, "text": i.text, "max_points": i.max_points}
                       for i in g.items]}
            for g in phase.groups if g.scope == Scope.CELL.value]


def test_catalogue_must_add_up_to_100(office):
    phase = office.phase_for_year(2023)
    data = _catalogue_data(phase)
    data[0]["items"][0]["max_points"] += 1
    with pytest.raises(ValidationError, match="Tổng điểm tối đa các mục là 101, phải bằng 100"):
        office.save_catalogue(phase.id, Scope.CELL, data)


def test_catalogue_reorder_and_edit(office):
    phase = office.phase_for_year(2023)
    data = _catalogue_data(phase)
    items = data[1]["items"]
    items.reverse()
    items[0]["text"] = "Nội dung đã sửa"
    office.save_catalogue(phase.id, Scope.CELL, data)
    group = [g for g in office.phase(phase.id).groups if g.scope == "cell"][1]
    assert [i.id for i in group.items] == [i["id"] for i in items]
    assert group.items[0].text == "Nội dung đã sửa"


def test_scored_item_cannot_be_removed(office):
    cell = office.add_cell("A", "Chi bộ A")
    office.save_evaluation(cell.id, 2023, scores=full_scores(office))
    phase = office.phase_for_year(2023)
    data = _catalogue_data(phase)
    removed = data[3]["items"].pop()
    data[3]["items"][0]["max_points"] += removed["max_points"]
    with pytest.raises(ValidationError, match="đã có điểm chấm"):
        office.save_catalogue(phase.id, Scope.CELL, data)


# ---------------------------------------------------------------------------------- awards
def test_proposal_and_decision(office):
    cell = office.add_cell("A", "Chi bộ A")
    award = office.propose(cell.id, 2023, AwardKind.CELL_RECOGNITION.value,
                           dt.date(2023, 12, 15))
    assert not award.is_decided
    with pytest.raises(ValidationError, match="Đã có đề nghị"):
        office.propose(cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    with pytest.raises(ValidationError, match="trước ngày đề nghị"):
        office.record_decision(award.id, decision_number="1-QĐ/Th.U",
                               decision_date=dt.date(2023, 1, 1), issuer="BTV Thành ủy")
    office.record_decision(award.id, decision_number="1250-QĐ/Th.U",
                           decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy",
                           register_number="01/2023")
    decided = office.awards(2023)[0]
    assert decided.is_decided and decided.cell.name == "Chi bộ A"
    assert office.recognised_years() == {cell.id: {2023}}
    with pytest.raises(ValidationError, match="bỏ quyết định"):
        office.withdraw(award.id)
    other = office.propose(cell.id, 2023, AwardKind.MERIT.value)
    with pytest.raises(ValidationError, match="Số sổ '01/2023' đã dùng"):
        office.record_decision(other.id, decision_number="1251-QĐ/Th.U",
                               decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy",
                               register_number="01/2023")


def test_award_kind_must_fit_the_recipient(office):
    cell = office.add_cell("A", "Chi bộ A")
    with pytest.raises(ValidationError, match="chỉ dành cho đảng bộ"):
        office.propose(cell.id, 2023, AwardKind.ORG_RECOGNITION.value)
    with pytest.raises(ValidationError, match="chỉ dành cho chi bộ"):
        office.propose(None, 2023, AwardKind.CELL_RECOGNITION.value)
    with pytest.raises(ValidationError, match="không hợp lệ"):
        office.propose(cell.id, 2023, "huy chương")


def test_consecutive_recognised_years(office):
    cell = office.add_cell("A", "Chi bộ A")
    for year in (2023, 2024):
        award = office.propose(cell.id, year, AwardKind.CELL_RECOGNITION.value)
        office.record_decision(award.id, decision_number=f"{year}-QĐ/Th.U",
                               decision_date=dt.date(year + 1, 1, 10), issuer="BTV")
    assert year_overview(office, 2024).cells[0].consecutive_years == 2
    assert year_overview(office, 2025).cells[0].consecutive_years == 0


# -------------------------------------------------------------------------------- settings
def test_settings_round_trip(office):
    office.set_settings({"certificate.signer_name": "Nguyễn Văn Thành", "x": "1"})
    office.set_settings({"x": "2"})
    assert office.setting("x") == "2"
    assert office.settings("certificate.") == {"certificate.signer_name": "Nguyễn Văn Thành"}
    assert office.setting("missing", "mặc định") == "mặc định"


def test_kind_labels_are_vietnamese():
    assert CellKind("residential").label == "Tổ dân phố"
    assert AwardKind.MERIT.label == "Giấy khen"
