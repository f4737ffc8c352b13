"""The movement's rules: score totals, classification, the "4 tốt" verdicts, streaks, lateness.

Pure functions over small dataclasses; no database, no Qt. Every number (maximum points,
thresholds, bands, the share of cells) arrives as data from the phase's settings. The
reasons are written in the Vietnamese the office reads ("Nhóm 2 đạt 14/20, dưới ngưỡng 15").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

EPSILON = 1e-9


class Classification(StrEnum):
    """Quality classification of a Party organisation (Quy định 366-QĐ/TW)."""

    HTXSNV = "HTXSNV"
    HTTNV = "HTTNV"
    HTNV = "HTNV"
    KHTNV = "KHTNV"

    @property
    def label(self) -> str:
        return CLASSIFICATION_LABELS[self]

    @property
    def rank(self) -> int:
        return _RANK[self]


CLASSIFICATION_LABELS = {
    Classification.HTXSNV: "Hoàn thành xuất sắc nhiệm vụ",
    Classification.HTTNV: "Hoàn thành tốt nhiệm vụ",
    Classification.HTNV: "Hoàn thành nhiệm vụ",
    Classification.KHTNV: "Không hoàn thành nhiệm vụ",
}
_RANK = {
    Classification.HTXSNV: 3,
    Classification.HTTNV: 2,
    Classification.HTNV: 1,
    Classification.KHTNV: 0,
}


def fmt_points(value: float | None) -> str:
    """14 -> "14", 22.5 -> "22,5" (Vietnamese decimal comma); None -> "–"."""
    if value is None:
        return "–"
    rounded = round(float(value), 2)
    if abs(rounded - round(rounded)) < EPSILON:
        return str(int(round(rounded)))
    return f"{rounded:.2f}".rstrip("0").rstrip(".").replace(".", ",")


@dataclass(frozen=True)
class ItemSpec:
    id: int
    max_points: float


@dataclass(frozen=True)
class GroupSpec:
    position: int
    title: str
    pass_points: float
    items: tuple[ItemSpec, ...]

    @functools.cached_property
    def max_points(self) -> float:
        return sum(item.max_points for item in self.items)


@dataclass(frozen=True)
class Thresholds:
    """The phase's settings that decide classification and verdicts (defaults: see catalogue)."""

    overall_pass: float = 80
    band_excellent: float = 90
    band_good: float = 70
    band_pass: float = 50
    min_classification: Classification = Classification.HTTNV
    max_disciplined: int = 0
    org_cell_share: float = 0.7
    excellent_share_cap: float = 0.2


@dataclass(frozen=True)
class GroupTotal:
    position: int
    title: str
    points: float
    max_points: float
    pass_points: float
    missing: int

    @property
    def passed(self) -> bool:
        return self.missing == 0 and self.points + EPSILON >= self.pass_points


@dataclass(frozen=True)
class ScoreTotals:
    groups: tuple[GroupTotal, ...]
    total: float
    max_total: float
    missing: int

    @property
    def complete(self) -> bool:
        return self.missing == 0


def score_totals(groups: Iterable[GroupSpec], scores: Mapping[int, float | None]) -> ScoreTotals:
    """Add up ``scores`` (item id -> points, None or absent for not scored) per group."""
    results = []
    for group in sorted(groups, key=lambda g: g.position):
        points = 0.0
        missing = 0
        for item in group.items:
            value = scores.get(item.id)
            if value is None:
                missing += 1
            else:
                points += float(value)
        results.append(
            GroupTotal(group.position, group.title, round(points, 4), group.max_points,
                       group.pass_points, missing)
        )
    return ScoreTotals(
        groups=tuple(results),
        total=round(sum(g.points for g in results), 4),
        max_total=sum(g.max_points for g in results),
        missing=sum(g.missing for g in results),
    )


def classify(total: float, disciplined: int, thresholds: Thresholds) -> Classification:
    """The classification band of ``total``; HTXSNV also needs no member disciplined."""
    if total + EPSILON >= thresholds.band_excellent and disciplined <= 0:
        return Classification.HTXSNV
    if total + EPSILON >= thresholds.band_good:
        return Classification.HTTNV
    if total + EPSILON >= thresholds.band_pass:
        return Classification.HTNV
    return Classification.KHTNV


@dataclass(frozen=True)
class Reason:
    ok: bool
    text: str


class VerdictState(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        return {"passed": "Đạt", "failed": "Không đạt", "incomplete": "Chưa chấm đủ"}[self.value]


@dataclass(frozen=True)
class Verdict:
    state: VerdictState
    classification: Classification | None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return self.state is VerdictState.PASSED

    @property
    def label(self) -> str:
        return self.state.label

    def summary(self) -> str:
        """The failing reasons joined, or all reasons when it passes."""
        failing = [r.text for r in self.reasons if not r.ok]
        return "; ".join(failing or [r.text for r in self.reasons])


def _missing_reason(totals: ScoreTotals) -> Reason:
    parts = [f"nhóm {g.position}: {g.missing}" for g in totals.groups if g.missing]
    return Reason(False, f"Chưa chấm {totals.missing} mục tiêu chí ({', '.join(parts)})")


def _score_reasons(totals: ScoreTotals, thresholds: Thresholds) -> list[Reason]:
    reasons = []
    for group in totals.groups:
        if group.missing:
            continue
        got = f"Nhóm {group.position} đạt {fmt_points(group.points)}/{fmt_points(group.max_points)}"
        if group.passed:
            reasons.append(Reason(True, f"{got} (ngưỡng {fmt_points(group.pass_points)})"))
        else:
            reasons.append(Reason(False, f"{got}, dưới ngưỡng {fmt_points(group.pass_points)}"))
    if totals.complete:
        got = f"Tổng điểm {fmt_points(totals.total)}/{fmt_points(totals.max_total)}"
        if totals.total + EPSILON >= thresholds.overall_pass:
            reasons.append(Reason(True, f"{got} (ngưỡng {fmt_points(thresholds.overall_pass)})"))
        else:
            reasons.append(
                Reason(False, f"{got}, dưới ngưỡng {fmt_points(thresholds.overall_pass)}"))
    return reasons


def _discipline_reason(disciplined: int, thresholds: Thresholds) -> Reason:
    if disciplined <= thresholds.max_disciplined:
        if disciplined == 0:
            return Reason(True, "Không có đảng viên bị kỷ luật trong năm")
        return Reason(True, f"Có {disciplined} đảng viên bị kỷ luật, trong mức cho phép "
                            f"({thresholds.max_disciplined})")
    return Reason(False, f"Có {disciplined} đảng viên bị kỷ luật trong năm")


def _classification_reason(classification: Classification, thresholds: Thresholds) -> Reason:
    text = f"Xếp loại {classification.label} ({classification.value})"
    if classification.rank >= thresholds.min_classification.rank:
        return Reason(True, text)
    return Reason(False, f"{text}, chưa đạt mức {thresholds.min_classification.label}")


def cell_verdict(
    totals: ScoreTotals,
    disciplined: int,
    thresholds: Thresholds,
    classification: Classification | None = None,
) -> Verdict:
    """Does the cell earn "Chi bộ 4 tốt"? ``classification`` is the committee's decision when
    it has made one; otherwise the band of the total decides."""
    reasons = _score_reasons(totals, thresholds)
    if not totals.complete:
        reasons.insert(0, _missing_reason(totals))
        reasons.append(_discipline_reason(disciplined, thresholds))
        return Verdict(VerdictState.INCOMPLETE, classification, tuple(reasons))
    if classification is None:
        classification = classify(totals.total, disciplined, thresholds)
    reasons.append(_classification_reason(classification, thresholds))
    reasons.append(_discipline_reason(disciplined, thresholds))
    passed = all(reason.ok for reason in reasons)
    return Verdict(VerdictState.PASSED if passed else VerdictState.FAILED, classification,
                   tuple(reasons))


def organisation_verdict(
    totals: ScoreTotals,
    disciplined: int,
    thresholds: Thresholds,
    cells_passed: int,
    cells_total: int,
    classification: Classification | None = None,
) -> Verdict:
    """"Đảng bộ cơ sở 4 tốt": its own criteria, plus the share of its cells that are "4 tốt"."""
    own = cell_verdict(totals, disciplined, thresholds, classification)
    share = cells_passed / cells_total if cells_total else 0.0
    needed = thresholds.org_cell_share
    text = f"{cells_passed}/{cells_total} chi bộ đạt “Chi bộ 4 tốt” ({share:.0%})"
    if cells_total and share + EPSILON >= needed:
        share_reason = Reason(True, f"{text}, từ {needed:.0%} trở lên")
    else:
        share_reason = Reason(False, f"{text}, dưới mức {needed:.0%}")
    reasons = own.reasons + (share_reason,)
    if own.state is VerdictState.INCOMPLETE:
        return Verdict(VerdictState.INCOMPLETE, own.classification, reasons)
    passed = own.passed and share_reason.ok
    return Verdict(VerdictState.PASSED if passed else VerdictState.FAILED, own.classification,
                   reasons)


def excellent_cap_warning(classifications: Iterable[Classification],
                          thresholds: Thresholds) -> str | None:
    """HTXSNV may be at most a share (20%) of the units classified HTTNV or better."""
    values = list(classifications)
    good_or_better = sum(1 for c in values if c.rank >= Classification.HTTNV.rank)
    excellent = sum(1 for c in values if c is Classification.HTXSNV)
    if not excellent:
        return None
    allowed = int(good_or_better * thresholds.excellent_share_cap + EPSILON)
    if excellent > allowed:
        return (f"Có {excellent} chi bộ xếp loại HTXSNV, vượt mức {thresholds.excellent_share_cap:.0%}"
                f" số chi bộ HTTNV trở lên (tối đa {allowed})")
    return None


def consecutive_years(recognised_years: Iterable[int], up_to: int) -> int:
    """How many years in a row, ending with ``up_to``, the cell was recognised."""
    years = set(recognised_years)
    count = 0
    year = up_to
    while year in years:
        count += 1
        year -= 1
    return count


def days_late(received_on: dt.date | None, deadline: dt.date | None) -> int:
    """Days after the deadline (0 when on time, or the deadline day itself, or no deadline)."""
    if received_on is None or deadline is None:
        return 0
    return max(0, (received_on - deadline).days)
