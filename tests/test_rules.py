"""The movement's rules at their edges: thresholds, bands, missing scores, discipline."""

import datetime as dt

import pytest

from chibo4tot_desktop import catalogue, rules
from chibo4tot_desktop.rules import Classification, GroupSpec, ItemSpec, Thresholds, VerdictState

# Two items per group; group maxima 30, 20, 25, 25; thresholds 23, 15, 19, 19.
GROUPS = (
    GroupSpec(1, "Nhóm 1", 23, (ItemSpec(1, 15), ItemSpec(2, 15))),
    GroupSpec(2, "Nhóm 2", 15, (ItemSpec(3, 10), ItemSpec(4, 10))),
    GroupSpec(3, "Nhóm 3", 19, (ItemSpec(5, 12.5), ItemSpec(6, 12.5))),
    GroupSpec(4, "Nhóm 4", 19, (ItemSpec(7, 12.5), ItemSpec(8, 12.5))),
)
T = Thresholds()


def scores(*values):
    return dict(zip(range(1, 9), values, strict=True))


def verdict(values, disciplined=0, thresholds=T, classification=None):
    totals = rules.score_totals(GROUPS, scores(*values))
    return rules.cell_verdict(totals, disciplined, thresholds, classification)


def test_totals_per_group_and_overall():
    totals = rules.score_totals(GROUPS, scores(14, 12, 9, 8, 11, 10, 12, 9.5))
    assert [g.points for g in totals.groups] == [26, 17, 21, 21.5]
    assert totals.total == 85.5
    assert totals.max_total == 100
    assert totals.complete


def test_missing_scores_make_the_verdict_incomplete():
    totals = rules.score_totals(GROUPS, {1: 15, 2: 15, 3: 10})
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
                      thresholds=Thresholds(max_disciplined=1))
    assert relaxed.passed


def test_committee_classification_overrides_the_band():
    result = verdict((14, 14, 9, 9, 11, 11, 11, 11), classification=Classification.HTNV)
    assert result.state is VerdictState.FAILED
    assert result.classification is Classification.HTNV
    assert any("chưa đạt mức Hoàn thành tốt nhiệm vụ" in r.text for r in result.reasons)


def test_thresholds_are_data():
    values = (12.5, 12.5, 7.5, 7.5, 9.5, 9.5, 10.5, 10.5)   # total 80
    assert verdict(values).passed
    assert not verdict(values, thresholds=Thresholds(overall_pass=85)).passed
    assert verdict(values, thresholds=Thresholds(min_classification=Classification.HTXSNV,
                                                 band_excellent=80)).passed


def test_organisation_needs_its_share_of_cells():
    totals = rules.score_totals(GROUPS, scores(14, 14, 9, 9, 11, 11, 11, 11))
    assert rules.organisation_verdict(totals, 0, T, 7, 10).passed          # exactly 70%
    result = rules.organisation_verdict(totals, 0, T, 6, 10)
    assert result.state is VerdictState.FAILED
    assert result.reasons[-1].text == "6/10 chi bộ đạt “Chi bộ 4 tốt” (60%), dưới mức 70%"
    assert not rules.organisation_verdict(totals, 0, T, 0, 0).passed       # no cells at all


def test_excellent_cap_warning():
    c = Classification
    assert rules.excellent_cap_warning([c.HTXSNV] + [c.HTTNV] * 4, T) is None
    warning = rules.excellent_cap_warning([c.HTXSNV, c.HTXSNV] + [c.HTTNV] * 3, T)
    assert warning.startswith("Có 2 chi bộ xếp loại HTXSNV")


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
