"""The movement's rules at their edges: thresholds, bands, missing scores, discipline, the
regulation of each year, registration, self-assessment, the ward's figures, decisions against
the rules, the HTXSNV cap and ranking, the deadline day."""

import datetime as dt

import pytest

from chibo4tot_desktop import catalogue, rules
from chibo4tot_desktop.rules import (
    Classification,
    GroupSpec,
    ItemSpec,
    VerdictState,
    YearRules,
)

# Two items per group; group maxima 30, 20, 25, 25; thresholds 23, 15, 19, 19.
GROUPS = (
    GroupSpec(1, "Nhóm 1", 23, (ItemSpec(1, 15), ItemSpec(2, 15))),
    GroupSpec(2, "Nhóm 2", 15, (ItemSpec(3, 10), ItemSpec(4, 10))),
    GroupSpec(3, "Nhóm 3", 19, (ItemSpec(5, 12.5), ItemSpec(6, 12.5))),
    GroupSpec(4, "Nhóm 4", 19, (ItemSpec(7, 12.5), ItemSpec(8, 12.5))),
)
T = YearRules()


def scores(*values):
    return dict(zip(range(1, 9), values, strict=True))


def committee_totals(points):
    """The committee's totals of a sheet holding only the committee's ``points``."""
    return rules.sheet_totals(GROUPS, {item: (None, value) for item, value in points.items()})[1]


def verdict(values, disciplined=0, thresholds=T, classification=None):
    totals = committee_totals(scores(*values))
    return rules.cell_verdict(totals, disciplined, thresholds, classification)


def test_totals_per_group_and_overall():
    totals = committee_totals(scores(14, 12, 9, 8, 11, 10, 12, 9.5))
    assert [g.points for g in totals.groups] == [26, 17, 21, 21.5]
    assert totals.total == 85.5
    assert totals.max_total == 100
    assert totals.complete


def test_a_sheets_own_and_committee_totals_are_added_up_apart():
    own, committee = rules.sheet_totals(GROUPS, {
        1: (15, 14), 2: (15, None), 3: (None, 9), 4: (10, 8), 5: (12.5, 11), 6: (12, 10),
        7: (None, None), 8: (12.5, 9.5)})
    assert [g.points for g in own.groups] == [30, 10, 24.5, 12.5]
    assert [g.missing for g in own.groups] == [0, 1, 0, 1]
    assert (own.total, own.missing, own.max_total) == (77, 2, 100)
    assert [g.points for g in committee.groups] == [14, 17, 21, 9.5]
    assert [g.missing for g in committee.groups] == [1, 0, 0, 1]
    assert (committee.total, committee.missing) == (61.5, 2)
    # an item absent from the sheet is missing on both sides
    own, committee = rules.sheet_totals(GROUPS, {1: (15, 15)})
    assert own.missing == committee.missing == 7


def test_missing_scores_make_the_verdict_incomplete():
    totals = committee_totals({1: 15, 2: 15, 3: 10})
    assert totals.missing == 5
    result = rules.cell_verdict(totals, 0, T)
    assert result.state is VerdictState.INCOMPLETE
    assert not result.passed
    assert result.reasons[0].text == "Chưa chấm 5 mục tiêu chí (nhóm 2: 1, nhóm 3: 2, nhóm 4: 2)"


@pytest.mark.parametrize("total, disciplined, expected", [
    (90, 0, Classification.HTXSNV),
    (89.99, 0, Classification.HTTNV),
    (90, 1, Classification.HTTNV),       # HTXSNV needs nobody disciplined
    (70, 0, Classification.HTTNV),
    (69.5, 0, Classification.HTNV),
    (50, 0, Classification.HTNV),
    (49.5, 0, Classification.KHTNV),
    (0, 0, Classification.KHTNV),
])
def test_classification_bands_at_their_edges(total, disciplined, expected):
    assert rules.classify(total, disciplined, T) is expected


def test_exact_thresholds_pass():
    # Group 2 exactly 15/20, total exactly 80.
    result = verdict((12.5, 12.5, 7.5, 7.5, 9.5, 9.5, 10.5, 10.5))
    assert result.state is VerdictState.PASSED
    assert "Nhóm 2 đạt 15/20 (ngưỡng 15)" in [r.text for r in result.reasons]
    assert "Tổng điểm 80/100 (ngưỡng 80)" in [r.text for r in result.reasons]


def test_one_group_under_its_threshold_fails_with_the_reason():
    result = verdict((15, 15, 7, 7, 12.5, 12.5, 12.5, 12.5))
    assert result.state is VerdictState.FAILED
    failing = [r.text for r in result.reasons if not r.ok]
    assert failing == ["Nhóm 2 đạt 14/20, dưới ngưỡng 15"]


def test_overall_threshold_just_under_fails():
    result = verdict((12, 12, 7.5, 7.5, 9.5, 9.5, 10.5, 11))
    assert result.state is VerdictState.FAILED
    assert [r.text for r in result.reasons if not r.ok] == ["Tổng điểm 79,5/100, dưới ngưỡng 80"]


def test_a_disciplined_member_fails_the_cell():
    result = verdict((14, 14, 9, 9, 11, 11, 11, 11), disciplined=1)
    assert result.state is VerdictState.FAILED
    assert [r.text for r in result.reasons if not r.ok] == [
        "Có 1 đảng viên bị kỷ luật trong năm"]
    relaxed = verdict((14, 14, 9, 9, 11, 11, 11, 11), disciplined=1,
                      thresholds=YearRules(max_disciplined=1))
    assert relaxed.passed


def test_committee_classification_overrides_the_band():
    result = verdict((14, 14, 9, 9, 11, 11, 11, 11), classification=Classification.HTNV)
    assert result.state is VerdictState.FAILED
    assert result.classification is Classification.HTNV
    assert any("chưa đạt mức Hoàn thành tốt nhiệm vụ" in r.text for r in result.reasons)


def test_thresholds_are_data():
    values = (12.5, 12.5, 7.5, 7.5, 9.5, 9.5, 10.5, 10.5)   # total 80
    assert verdict(values).passed
    assert not verdict(values, thresholds=YearRules(overall_pass=85)).passed
    assert verdict(values, thresholds=YearRules(min_classification=Classification.HTXSNV,
                                                 band_excellent=80)).passed


def test_organisation_needs_its_share_of_cells():
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    assert rules.organisation_verdict(totals, 0, T, 7, 10).passed          # exactly 70%
    result = rules.organisation_verdict(totals, 0, T, 6, 10)
    assert result.state is VerdictState.FAILED
    assert result.reasons[-1].text == "6/10 chi bộ đạt “Chi bộ 4 tốt” (60%), dưới mức 70%"
    assert not rules.organisation_verdict(totals, 0, T, 0, 0).passed       # no cells at all


def test_consecutive_years():
    assert rules.consecutive_years({2021, 2022, 2023, 2025}, 2023) == 3
    assert rules.consecutive_years({2021, 2022, 2023, 2025}, 2024) == 0
    assert rules.consecutive_years({2025}, 2025) == 1
    assert rules.consecutive_years([], 2025) == 0


def test_days_late_counts_from_the_day_after_the_deadline():
    deadline = dt.date(2024, 3, 10)
    assert rules.days_late(dt.date(2024, 3, 10), deadline) == 0
    assert rules.days_late(dt.date(2024, 3, 11), deadline) == 1
    assert rules.days_late(dt.date(2024, 3, 1), deadline) == 0
    assert rules.days_late(None, deadline) == 0
    assert rules.days_late(dt.date(2024, 3, 11), None) == 0


def test_fmt_points():
    assert rules.fmt_points(14) == "14"
    assert rules.fmt_points(22.5) == "22,5"
    assert rules.fmt_points(18.75) == "18,75"
    assert rules.fmt_points(None) == "–"


def test_default_catalogue_adds_up_to_100():
    groups = list(catalogue.default_catalogue())
    assert [sum(points for _, points in items) for _, _, _, items in groups] == [30, 20, 25, 25]
    assert [len(items) for _, _, _, items in groups] == [5, 2, 5, 4]
    assert [pass_points for _, _, pass_points, _ in groups] == [23, 15, 19, 19]
    assert catalogue.split_points(25, 4) == [7, 6, 6, 6]


def test_organisation_catalogue_speaks_of_the_party_committee():
    texts = [item for group in catalogue.ORGANISATION_GROUPS for item in group.items]
    assert "Xây dựng, tổ chức thực hiện theo đúng quy chế làm việc của đảng bộ." in texts


# ---------------------------------------------------------------- the regulation of each year
@pytest.mark.parametrize("year, expected", [
    (2022, "132-QĐ/TW"), (2023, "124-QĐ/TW"), (2024, "124-QĐ/TW"), (2025, "366-QĐ/TW"),
    (2026, "366-QĐ/TW")])
def test_the_regulation_in_force_on_the_review_governs_the_year(year, expected):
    assert rules.default_rules(year).regulation == expected
    assert expected in rules.default_rules(year).regulation_citation


def test_366_governs_from_its_date():
    assert rules.regulation_for(dt.date(2025, 8, 29)).code == "124-QĐ/TW"
    assert rules.regulation_for(dt.date(2025, 8, 30)).code == "366-QĐ/TW"
    assert rules.regulation_for(dt.date(2023, 10, 3)).code == "132-QĐ/TW"
    assert rules.regulation_for(dt.date(2023, 10, 4)).code == "124-QĐ/TW"
    # A review held before 366 was issued keeps 124, whatever the year's number.
    assert rules.default_rules(2025, dt.date(2025, 6, 30)).regulation == "124-QĐ/TW"


def test_every_rule_names_its_source():
    for year in (2023, 2025):
        year_rules = rules.default_rules(year)
        for spec in rules.RULE_FIELDS:
            assert year_rules.source_of(spec.key).kind in set(rules.SourceKind), spec.key
        assert all(condition.source.note for condition in year_rules.excellent_conditions)
    assert rules.default_rules(2023).source_of("registration_required").kind is \
        rules.SourceKind.PLAN
    assert rules.default_rules(2023).source_of("band_excellent").kind is \
        rules.SourceKind.REGULATION


def test_the_verdict_names_the_regulation_of_its_year():
    values = (14, 14, 9, 9, 11, 11, 11, 11)
    texts_2024 = [r.text for r in verdict(values, thresholds=rules.default_rules(2024)).reasons]
    texts_2025 = [r.text for r in verdict(values, thresholds=rules.default_rules(2025)).reasons]
    assert any("Quy định 124-QĐ/TW" in text for text in texts_2024)
    assert not any("366" in text for text in texts_2024)
    assert any("Quy định 366-QĐ/TW" in text for text in texts_2025)


# ---------------------------------------------------------------------- HTXSNV conditions
def test_366_conditions_must_be_confirmed_for_htxsnv():
    year_rules = rules.default_rules(2025)
    assert rules.classify(95, 0, year_rules) is Classification.HTTNV
    assert rules.classify(95, 0, year_rules, {"nv"}) is Classification.HTTNV
    assert rules.classify(95, 0, year_rules, {"nv", "lđ"}) is Classification.HTXSNV
    assert rules.classify(95, 1, year_rules, {"nv", "lđ"}) is Classification.HTTNV
    result = verdict((14, 14, 9, 9, 11, 11, 11, 11), thresholds=year_rules)
    assert result.classification is Classification.HTTNV and result.passed
    warning = next(r for r in result.reasons if r.warning)
    assert "chưa đủ điều kiện HTXSNV theo Quy định 366-QĐ/TW" in warning.text
    assert "ít nhất 30% số nhiệm vụ" in warning.text and "Đảng ủy chưa xác nhận" in warning.text


def test_conditions_are_data():
    relaxed = YearRules(excellent_conditions=())
    assert rules.classify(90, 3, relaxed) is Classification.HTXSNV
    assert rules.classify(90, 3, T) is Classification.HTTNV


# ------------------------------------------------------------------ registration, own scores
def test_no_recognition_without_registration():
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    result = rules.cell_verdict(totals, 0, T, registered=False)
    assert result.state is VerdictState.FAILED
    assert [r.text for r in result.reasons if not r.ok] == [
        "Chưa đăng ký thi đua: không xét công nhận khi không có bản đăng ký"]
    assert rules.cell_verdict(totals, 0, T, registered=True).passed
    relaxed = rules.cell_verdict(totals, 0, YearRules(registration_required=False),
                                 registered=False)
    assert relaxed.passed and any(r.warning and "Chưa đăng ký" in r.text
                                  for r in relaxed.reasons)


def test_a_late_registration_is_a_warning_not_a_refusal():
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    result = rules.cell_verdict(totals, 0, T, registered=True, days_late=2)
    assert result.passed
    assert any(r.warning and r.text == "Đăng ký thi đua muộn 2 ngày" for r in result.reasons)


@pytest.mark.parametrize("own, expected", [
    ({}, "Chi bộ chưa tự chấm điểm (tự chấm 0/100)"),
    (dict.fromkeys(range(1, 9), 0), "Chi bộ chưa tự chấm điểm (tự chấm 0/100)"),
    ({1: 15, 2: 15}, "Chi bộ tự chấm chưa đủ: còn 6 mục chưa chấm"),
])
def test_a_missing_self_assessment_is_a_reason(own, expected):
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    own_totals = committee_totals(own)
    result = rules.cell_verdict(totals, 0, T, own=own_totals)
    assert result.state is VerdictState.FAILED
    assert [r.text for r in result.reasons if not r.ok] == [expected]
    relaxed = rules.cell_verdict(totals, 0, YearRules(self_assessment_required=False),
                                 own=own_totals)
    assert relaxed.passed and any(r.warning and r.text == expected for r in relaxed.reasons)
    complete = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    assert rules.cell_verdict(totals, 0, T, own=complete).passed


# ------------------------------------------------------------------------------- the ward
def test_the_wards_disciplined_members_are_counted_from_its_cells():
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    detail = (("Chi bộ Tổ dân phố 8", 1),)
    result = rules.organisation_verdict(totals, 1, T, 8, 10, disciplined_detail=detail)
    assert result.state is VerdictState.FAILED
    assert [r.text for r in result.reasons if not r.ok] == [
        "Có 1 đảng viên bị kỷ luật trong năm (cộng từ phiếu chấm các chi bộ: "
        "Chi bộ Tổ dân phố 8: 1)"]
    assert result.classification is Classification.HTTNV     # 90 points, but not HTXSNV
    allowed = rules.organisation_verdict(totals, 1, YearRules(org_max_disciplined=1), 8, 10,
                                         disciplined_detail=detail)
    assert allowed.passed


def test_the_ward_is_not_judged_before_every_cell_is_scored():
    totals = committee_totals(scores(14, 14, 9, 9, 11, 11, 11, 11))
    result = rules.organisation_verdict(totals, 0, T, 11, 16,
                                        cells_pending=("Chi bộ Tổ dân phố 2",))
    assert result.state is VerdictState.INCOMPLETE and result.label == "Chưa chấm đủ"
    assert result.reasons[0].text == ("Còn 1 chi bộ chưa chấm đủ điểm (Chi bộ Tổ dân phố 2): "
                                      "chưa kết luận được")
    assert rules.organisation_verdict(totals, 0, T, 11, 16).state is VerdictState.FAILED
    assert rules.organisation_verdict(totals, 0, T, 12, 16).passed


# ---------------------------------------------------------------- decisions against the rules
def test_a_decision_against_the_rules_is_shown_beside_and_needs_its_reason():
    values = (14, 14, 9, 9, 11, 11, 11, 11)            # 90 points, 2 members disciplined
    bare = verdict(values, disciplined=2, classification=Classification.HTXSNV,
                   thresholds=YearRules(max_disciplined=2))
    assert bare.computed is Classification.HTTNV and bare.classification is \
        Classification.HTXSNV and bare.overridden
    assert bare.state is VerdictState.FAILED
    assert [r.text for r in bare.reasons if not r.ok] == [
        "Đảng ủy quyết định xếp loại Hoàn thành xuất sắc nhiệm vụ (HTXSNV), khác kết quả theo "
        "quy định (HTTNV), chưa ghi lý do"]
    totals = committee_totals(scores(*values))
    reasoned = rules.cell_verdict(totals, 2, YearRules(max_disciplined=2), Classification.HTXSNV,
                                  decided_reason="Thành tích đột xuất")
    assert reasoned.passed
    assert any(r.warning and r.text.endswith("Lý do: Thành tích đột xuất")
               for r in reasoned.reasons)
    agreeing = verdict(values, classification=Classification.HTXSNV)
    assert agreeing.passed and not agreeing.overridden


# -------------------------------------------------------------------- the cap and ranking
def _entry(number, total, groups=(25, 20, 25, 20), registered=None,
           classification=Classification.HTXSNV, computed=None):
    name = f"Chi bộ Tổ dân phố {number}"
    return rules.RankEntry(number, name, (number,), total, groups, registered, classification,
                           computed or classification)


@pytest.mark.parametrize("excellent, over", [(199, False), (200, False), (201, True)])
def test_the_cap_at_19_9_20_and_20_1_percent(excellent, over):
    """1000 cells at HTTNV or better: 199 (19,9%) and 200 (20%) at HTXSNV are within the cap,
    201 (20,1%) is over it."""
    entries = [_entry(n, 95) for n in range(excellent)]
    classifications = [Classification.HTXSNV] * excellent + \
        [Classification.HTTNV] * (1000 - excellent)
    ranking = rules.excellent_ranking(entries, classifications, 1000, T, complete=True)
    assert ranking.allowed == 200
    assert ranking.over is over
    assert (ranking.warning() is not None) is over
    assert len(ranking.over_cap()) == (1 if over else 0)


@pytest.mark.parametrize("share, allowed", [(0.199, 1), (0.2, 2), (0.201, 2)])
def test_the_cap_setting_at_19_9_20_and_20_1_percent(share, allowed):
    """Ten cells at HTTNV or better, two at HTXSNV: a cap of 19,9% allows one."""
    entries = [_entry(1, 95), _entry(2, 94)]
    classifications = [Classification.HTXSNV] * 2 + [Classification.HTTNV] * 8
    ranking = rules.excellent_ranking(entries, classifications, 10,
                                      YearRules(cap_share=share), complete=True)
    assert ranking.allowed == allowed
    assert ranking.over is (allowed < 2)


@pytest.mark.parametrize("denominator, rounding, allowed", [
    (12, rules.Rounding.DOWN, 2), (12, rules.Rounding.NEAREST, 2), (12, rules.Rounding.UP, 3),
    (13, rules.Rounding.DOWN, 2), (13, rules.Rounding.NEAREST, 3), (13, rules.Rounding.UP, 3),
    (15, rules.Rounding.DOWN, 3), (15, rules.Rounding.UP, 3), (4, rules.Rounding.DOWN, 0),
])
def test_the_allowed_number_is_rounded_as_set(denominator, rounding, allowed):
    assert rules.cap_allowed(denominator, 0.2, rounding) == allowed


def test_the_denominator_is_a_setting():
    c = Classification
    values = [c.HTXSNV, c.HTXSNV, c.HTTNV, c.HTTNV, c.HTTNV, c.HTNV, c.KHTNV]
    assert rules.cap_denominator(values, 9, rules.CapDenominator.GOOD_OR_BETTER) == 5
    assert rules.cap_denominator(values, 9, rules.CapDenominator.GOOD) == 3
    assert rules.cap_denominator(values, 9, rules.CapDenominator.CLASSIFIED) == 7
    assert rules.cap_denominator(values, 9, rules.CapDenominator.ALL) == 9


def test_the_ranking_orders_by_total_then_the_tie_break_then_the_name():
    entries = [
        _entry(3, 94, (28, 19, 24, 23), dt.date(2023, 3, 9)),
        _entry(1, 95, (27, 20, 24, 24), dt.date(2023, 3, 8)),
        _entry(2, 94, (29, 18, 24, 23), dt.date(2023, 3, 6)),
        _entry(4, 94, (29, 18, 24, 23), dt.date(2023, 3, 7)),
        _entry(5, 80, classification=Classification.HTTNV),      # not a candidate
    ]
    classifications = [Classification.HTXSNV] * 4 + [Classification.HTTNV] * 6
    ranking = rules.excellent_ranking(entries, classifications, 10, T, complete=True)
    assert [cell.entry.id for cell in ranking.cells] == [1, 2, 4, 3]
    assert [cell.tied for cell in ranking.cells] == [False, True, True, False]
    assert [cell.entry.id for cell in ranking.leading] == [1, 2]
    assert [cell.entry.id for cell in ranking.over_cap()] == [4, 3]
    assert ranking.reason_for(3).text.startswith("Vượt tỷ lệ HTXSNV: xếp thứ 4")
    assert ranking.reason_for(1) is None
    by_date = rules.excellent_ranking(entries, classifications, 10,
                                      YearRules(cap_tie_break=rules.TieBreak.REGISTRATION),
                                      complete=True)
    assert [cell.entry.id for cell in by_date.cells] == [1, 2, 4, 3]
    assert "ngày nộp bản đăng ký sớm hơn" in by_date.order


def test_a_cell_the_committee_put_lower_leaves_room_in_the_cap():
    entries = [_entry(1, 96), _entry(2, 95), _entry(3, 94),
               _entry(4, 93, classification=Classification.HTTNV,
                      computed=Classification.HTXSNV)]
    classifications = [Classification.HTXSNV] * 3 + [Classification.HTTNV] * 7
    ranking = rules.excellent_ranking(entries, classifications, 10, T, complete=True)
    assert ranking.excellent == 3 and ranking.allowed == 2 and ranking.over
    assert ranking.cells[3].status == "Đảng ủy quyết định HTTNV"
    assert [cell.entry.id for cell in ranking.over_cap()] == [3]


def test_the_deadline_day_under_both_readings():
    deadline = dt.date(2024, 3, 10)
    on_the_day = dt.date(2024, 3, 10)
    assert rules.days_late(on_the_day, deadline, inclusive=True) == 0
    assert rules.days_late(on_the_day, deadline, inclusive=False) == 1
    assert rules.days_late(dt.date(2024, 3, 9), deadline, inclusive=False) == 0
    assert rules.days_late(dt.date(2024, 3, 11), deadline, inclusive=True) == 1
    assert rules.days_late(dt.date(2024, 3, 11), deadline, inclusive=False) == 2
    assert rules.deadline_phrase(deadline, False) == "trước ngày 10/03/2024"
    assert rules.deadline_phrase(deadline, True) == "đến hết ngày 10/03/2024"
    assert rules.default_rules(2024).deadline_inclusive is False    # the plan's words
