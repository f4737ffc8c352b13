"""The movement's rules: score totals, classification, the "4 tốt" verdicts with their reasons,
the share of "Hoàn thành xuất sắc nhiệm vụ", streaks, lateness.

Pure functions over small dataclasses; no database, no Qt. Every number and condition arrives
as data (``YearRules``: one per year, stored in the data file and edited in the settings), and
each carries where it comes from: the plan, the regulation, or the office's own choice. The
reasons are written in the Vietnamese the office reads ("Nhóm 2 đạt 14/20, dưới ngưỡng 15").

Which regulation governs a year's classification is data too: Quy định 124-QĐ/TW (04/10/2023)
for the reviews of 2023 and 2024, Quy định 366-QĐ/TW (30/8/2025) from the review of 2025 on
(``regulation_for``); a new year takes the one in force on its review date.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from chibo4tot_desktop.text import format_date

EPSILON = 1e-9


class Classification(StrEnum):
    """Quality classification of a Party organisation (the bands of the year's regulation)."""

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
    return _points_text(value)


@functools.lru_cache(maxsize=4096)
def _points_text(value: float) -> str:
    # A year's reasons write the same few values thousands of times (maxima, thresholds,
    # group points): each is formatted once.
    rounded = round(float(value), 2)
    if abs(rounded - round(rounded)) < EPSILON:
        return str(int(round(rounded)))
    return f"{rounded:.2f}".rstrip("0").rstrip(".").replace(".", ",")


def fmt_share(value: float) -> str:
    """0.2 -> "20%", 0.199 -> "19,9%"."""
    return fmt_points(value * 100) + "%"


# --------------------------------------------------------------------------------- sources
class SourceKind(StrEnum):
    """Where a rule's value comes from."""

    PLAN = "plan"
    REGULATION = "regulation"
    OFFICE = "office"

    @property
    def label(self) -> str:
        return {"plan": "Kế hoạch", "regulation": "Quy định",
                "office": "Văn phòng tự chọn"}[self.value]


@dataclass(frozen=True)
class Source:
    kind: SourceKind
    note: str = ""

    def describe(self) -> str:
        return f"{self.kind.label}: {self.note}" if self.note else self.kind.label


OFFICE_CHOICE = Source(SourceKind.OFFICE)


# ----------------------------------------------------------------------------- regulations
@dataclass(frozen=True)
class Regulation:
    """A Politburo regulation on the yearly review and quality classification."""

    code: str
    issued_on: dt.date
    subject: str

    @property
    def citation(self) -> str:
        return (f"Quy định số {self.code} ngày {format_date(self.issued_on)} của Bộ Chính trị "
                f"{self.subject}")


REGULATIONS = (
    Regulation("132-QĐ/TW", dt.date(2018, 3, 8),
               "về việc kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, "
               "cá nhân trong hệ thống chính trị"),
    Regulation("124-QĐ/TW", dt.date(2023, 10, 4),
               "về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá "
               "nhân trong hệ thống chính trị"),
    Regulation("366-QĐ/TW", dt.date(2025, 8, 30),
               "về kiểm điểm, đánh giá, xếp loại chất lượng đối với tập thể, cá nhân trong hệ "
               "thống chính trị"),
)


def regulation_for(review_date: dt.date) -> Regulation:
    """The regulation in force on ``review_date`` (the year's review): the latest issued on or
    before it (124-QĐ/TW for the reviews of 2023 and 2024, 366-QĐ/TW from 2025)."""
    in_force = [item for item in REGULATIONS if item.issued_on <= review_date]
    return in_force[-1] if in_force else REGULATIONS[0]


def review_date_of(year: int, review_deadline: dt.date | None) -> dt.date:
    """The day the year is reviewed: its review deadline, else 10/12 (the plan, section 2.3)."""
    return review_deadline or dt.date(year, 12, 10)


# ------------------------------------------------------------------------------ conditions
class ConditionCheck(StrEnum):
    """How a condition for HTXSNV is known to be met."""

    NO_DISCIPLINED = "no_disciplined"   # computed: no member of the unit disciplined
    CONFIRMED = "confirmed"             # the committee confirms it on the scoring sheet

    @property
    def label(self) -> str:
        return {"no_disciplined": "Tự tính: không có đảng viên bị kỷ luật",
                "confirmed": "Đảng ủy xác nhận trên phiếu chấm"}[self.value]


@dataclass(frozen=True)
class Condition:
    """One condition a unit must meet, besides the points, to be classified HTXSNV."""

    key: str
    text: str
    check: ConditionCheck
    source: Source


class CapDenominator(StrEnum):
    """What the share of HTXSNV is counted on."""

    GOOD_OR_BETTER = "good_or_better"
    GOOD = "good"
    CLASSIFIED = "classified"
    ALL = "all"

    @property
    def label(self) -> str:
        return {"good_or_better": "chi bộ xếp loại HTTNV trở lên",
                "good": "chi bộ xếp loại HTTNV (không kể HTXSNV)",
                "classified": "chi bộ đã xếp loại",
                "all": "chi bộ của năm"}[self.value]


class Rounding(StrEnum):
    DOWN = "down"
    NEAREST = "nearest"
    UP = "up"

    @property
    def label(self) -> str:
        return {"down": "làm tròn xuống", "nearest": "làm tròn đến số gần nhất",
                "up": "làm tròn lên"}[self.value]


class TieBreak(StrEnum):
    """How cells with the same committee total are ranked (the name decides last)."""

    GROUPS = "groups"
    REGISTRATION = "registration"

    @property
    def label(self) -> str:
        return {"groups": "điểm nhóm 1, rồi nhóm 2, 3, 4",
                "registration": "ngày nộp bản đăng ký sớm hơn"}[self.value]


# The defaults of a new year, and where each comes from. The numbers are those of both
# regulations (bands 90/70/50, HTXSNV at most 20% of the units classified HTTNV); the plan
# decides recognition "căn cứ đăng ký" and sets the deadline "trước ngày 10/3".
_REG = SourceKind.REGULATION
DEFAULT_SOURCES: dict[str, Source] = {
    "band_excellent": Source(_REG, "từ 90 điểm: Hoàn thành xuất sắc nhiệm vụ"),
    "band_good": Source(_REG, "từ 70 đến dưới 90 điểm: Hoàn thành tốt nhiệm vụ"),
    "band_pass": Source(_REG, "từ 50 đến dưới 70 điểm: Hoàn thành nhiệm vụ"),
    "overall_pass": Source(SourceKind.OFFICE, "mặc định của chương trình"),
    "min_classification": Source(SourceKind.OFFICE, "điều kiện thường dùng ở các địa phương"),
    "max_disciplined": Source(SourceKind.OFFICE, "điều kiện thường dùng: không có đảng viên "
                                                 "bị kỷ luật trong năm"),
    "org_max_disciplined": Source(SourceKind.OFFICE, "điều kiện thường dùng: không có đảng "
                                                     "viên bị kỷ luật trong năm"),
    "org_cell_share": Source(SourceKind.OFFICE, "mặc định của chương trình"),
    "registration_required": Source(SourceKind.PLAN, "mục 2.4: “căn cứ đăng ký của các chi bộ "
                                                     "trực thuộc”"),
    "self_assessment_required": Source(_REG, "tập thể tự đánh giá, xếp loại trước khi cấp ủy "
                                             "xem xét"),
    "org_disciplined_from_cells": Source(_REG, "đảng viên bị kỷ luật của đảng bộ là đảng viên "
                                               "bị kỷ luật ở các chi bộ trực thuộc"),
    "org_waits_for_cells": Source(SourceKind.PLAN, "mục 2.4: công nhận đảng bộ căn cứ kết quả "
                                                   "của các chi bộ trực thuộc"),
    "deadline_inclusive": Source(SourceKind.PLAN, "mục 2.1: gửi về Đảng ủy phường “trước ngày "
                                                  "10/3”"),
    "cap_share": Source(_REG, "HTXSNV không vượt quá 20% số được xếp loại HTTNV"),
    "cap_denominator": Source(_REG, "số được xếp loại HTTNV (HTXSNV được chọn trong số đó)"),
    "cap_rounding": Source(_REG, "“không vượt quá”: phần lẻ không được tính thêm"),
    "cap_tie_break": Source(SourceKind.OFFICE, "mặc định của chương trình"),
}

DISCIPLINE_CONDITION = Condition(
    "dv", "Không có đảng viên bị kỷ luật trong năm", ConditionCheck.NO_DISCIPLINED,
    Source(SourceKind.OFFICE, "quy định nói về tổ chức trực thuộc và cán bộ lãnh đạo bị kỷ "
                              "luật; chương trình xét theo số đảng viên bị kỷ luật"))

# ------------------------------------------------------------------------------ year rules
@dataclass(frozen=True)
class YearRules:
    """Everything that decides a year's classification and verdicts, with its sources.

    ``sources``: field name -> where its value comes from (``source_of``); each HTXSNV
    condition carries its own."""

    regulation: str = "124-QĐ/TW"
    regulation_citation: str = REGULATIONS[1].citation
    overall_pass: float = 80
    band_excellent: float = 90
    band_good: float = 70
    band_pass: float = 50
    min_classification: Classification = Classification.HTTNV
    max_disciplined: int = 0
    org_max_disciplined: int = 0
    org_cell_share: float = 0.7
    registration_required: bool = True
    self_assessment_required: bool = True
    org_disciplined_from_cells: bool = True
    org_waits_for_cells: bool = True
    deadline_inclusive: bool = False
    cap_share: float = 0.2
    cap_denominator: CapDenominator = CapDenominator.GOOD_OR_BETTER
    cap_rounding: Rounding = Rounding.DOWN
    cap_tie_break: TieBreak = TieBreak.GROUPS
    excellent_conditions: tuple[Condition, ...] = (DISCIPLINE_CONDITION,)
    sources: Mapping[str, Source] = field(default_factory=lambda: dict(DEFAULT_SOURCES))

    def source_of(self, key: str) -> Source:
        return self.sources.get(key, OFFICE_CHOICE)

    @property
    def regulation_name(self) -> str:
        """"Quy định 124-QĐ/TW": how reasons and headings name it."""
        return f"Quy định {self.regulation}" if self.regulation else "quy định"


@dataclass(frozen=True)
class RuleField:
    """A setting of ``YearRules`` as the settings window and ``settings`` command show it."""

    key: str
    label: str
    kind: str          # text, points, share, count, bool, classification, choice
    choices: tuple[tuple[str, str], ...] = ()


RULE_FIELDS: tuple[RuleField, ...] = (
    RuleField("regulation", "Quy định xếp loại chất lượng (số hiệu)", "text"),
    RuleField("regulation_citation", "Trích dẫn quy định", "text"),
    RuleField("band_excellent", "Mức HTXSNV (từ ... điểm)", "points"),
    RuleField("band_good", "Mức HTTNV (từ ... điểm)", "points"),
    RuleField("band_pass", "Mức HTNV (từ ... điểm)", "points"),
    RuleField("overall_pass", "Tổng điểm tối thiểu đạt “4 tốt”", "points"),
    RuleField("min_classification", "Xếp loại tối thiểu của “Chi bộ 4 tốt”", "classification"),
    RuleField("max_disciplined", "Số đảng viên bị kỷ luật cho phép (chi bộ)", "count"),
    RuleField("org_max_disciplined", "Số đảng viên bị kỷ luật cho phép (đảng bộ, cộng từ các "
              "chi bộ)", "count"),
    RuleField("org_cell_share", "Tỷ lệ chi bộ “4 tốt” để đảng bộ đạt", "share"),
    RuleField("registration_required", "Chỉ xét công nhận chi bộ có bản đăng ký thi đua",
              "bool"),
    RuleField("self_assessment_required", "Phải có điểm tự chấm đủ các mục", "bool"),
    RuleField("org_disciplined_from_cells", "Số đảng viên bị kỷ luật của đảng bộ cộng từ phiếu "
              "chấm các chi bộ", "bool"),
    RuleField("org_waits_for_cells", "Chỉ kết luận đảng bộ khi mọi chi bộ đã đăng ký được "
              "chấm đủ", "bool"),
    RuleField("deadline_inclusive", "Nộp đúng ngày hạn đăng ký vẫn tính là đúng hạn", "bool"),
    RuleField("cap_share", "Tỷ lệ HTXSNV tối đa", "share"),
    RuleField("cap_denominator", "Tỷ lệ HTXSNV tính trên số", "choice",
              tuple((item.value, item.label) for item in CapDenominator)),
    RuleField("cap_rounding", "Số HTXSNV tối đa được", "choice",
              tuple((item.value, item.label) for item in Rounding)),
    RuleField("cap_tie_break", "Bằng tổng điểm thì xếp theo", "choice",
              tuple((item.value, item.label) for item in TieBreak)),
)
RULE_FIELD_KEYS = tuple(item.key for item in RULE_FIELDS)

EXCELLENT_CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "132-QĐ/TW": (DISCIPLINE_CONDITION,),
    "124-QĐ/TW": (DISCIPLINE_CONDITION,),
    "366-QĐ/TW": (
        Condition("nv", "Hoàn thành 100% nhiệm vụ được giao, đúng hạn, bảo đảm chất lượng, "
                        "hiệu quả; ít nhất 30% số nhiệm vụ hoàn thành vượt mức yêu cầu",
                  ConditionCheck.CONFIRMED,
                  Source(_REG, "Quy định 366-QĐ/TW, Điều 11, khoản 1 (đối với tập thể)")),
        Condition("lđ", "Không có đơn vị trực thuộc hoặc thành viên tập thể lãnh đạo bị kỷ "
                        "luật", ConditionCheck.CONFIRMED,
                  Source(_REG, "Quy định 366-QĐ/TW, Điều 11, khoản 1 (đối với tập thể)")),
        DISCIPLINE_CONDITION,
    ),
}


def default_rules(year: int, review_deadline: dt.date | None = None) -> YearRules:
    """The rules a new year starts with: the regulation in force on its review date, its
    bands and HTXSNV conditions, and the plan's registration rule and deadline reading."""
    regulation = regulation_for(review_date_of(year, review_deadline))
    sources = dict(DEFAULT_SOURCES)
    sources["regulation"] = Source(_REG, f"có hiệu lực từ {format_date(regulation.issued_on)}, "
                                         "áp dụng cho kỳ đánh giá năm " + str(year))
    sources["regulation_citation"] = sources["regulation"]
    return YearRules(regulation=regulation.code, regulation_citation=regulation.citation,
                     excellent_conditions=EXCELLENT_CONDITIONS[regulation.code],
                     sources=sources)


# ---------------------------------------------------------------------------------- totals
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

    @functools.cached_property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(item.id for item in self.items)


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

    @property
    def empty(self) -> bool:
        """Nothing scored at all, or only zeros: no assessment was made."""
        return self.total <= EPSILON


def sheet_totals(groups: Iterable[GroupSpec],
                 points: Mapping[int, tuple[float | None, float | None]],
                 ) -> tuple[ScoreTotals, ScoreTotals]:
    """Add up one sheet per group: ``points`` maps an item id to its (own, committee)
    points, None or an absent item for not scored. Returns (own totals, committee totals).

    Both in one pass: a province's year adds up 3,000 sheets, so this is kept tight."""
    own_groups = []
    committee_groups = []
    get = points.get
    own_total = committee_total = max_total = 0.0
    own_missing = committee_missing = 0
    for group in sorted(groups, key=_position):
        own = committee = 0.0
        own_left = committee_left = 0
        for item_id in group.item_ids:
            pair = get(item_id)
            if pair is None:
                own_left += 1
                committee_left += 1
                continue
            mine, theirs = pair
            if mine is None:
                own_left += 1
            else:
                own += float(mine)
            if theirs is None:
                committee_left += 1
            else:
                committee += float(theirs)
        own = round(own, 4)
        committee = round(committee, 4)
        position, title, group_max, pass_points = (group.position, group.title,
                                                   group.max_points, group.pass_points)
        own_groups.append(_group_total(position, title, own, group_max, pass_points, own_left))
        committee_groups.append(_group_total(position, title, committee, group_max, pass_points,
                                             committee_left))
        own_total += own
        committee_total += committee
        max_total += group_max
        own_missing += own_left
        committee_missing += committee_left
    return (ScoreTotals(tuple(own_groups), round(own_total, 4), max_total, own_missing),
            ScoreTotals(tuple(committee_groups), round(committee_total, 4), max_total,
                        committee_missing))


# A year's sheets give each group a few distinct totals: each GroupTotal (immutable) is made
# once and shared.
_group_total = functools.lru_cache(maxsize=4096, typed=True)(GroupTotal)


def _position(group: GroupSpec) -> int:
    return group.position


# -------------------------------------------------------------------------- classification
def band_of(total: float, rules: YearRules) -> Classification:
    """The band of ``total`` alone."""
    if total + EPSILON >= rules.band_excellent:
        return Classification.HTXSNV
    if total + EPSILON >= rules.band_good:
        return Classification.HTTNV
    if total + EPSILON >= rules.band_pass:
        return Classification.HTNV
    return Classification.KHTNV


def unmet_conditions(rules: YearRules, disciplined: int,
                     confirmed: Iterable[str] = ()) -> list[Condition]:
    """The year's HTXSNV conditions the unit does not meet."""
    confirmed = set(confirmed)
    unmet = []
    for condition in rules.excellent_conditions:
        if condition.check is ConditionCheck.NO_DISCIPLINED:
            if disciplined > 0:
                unmet.append(condition)
        elif condition.key not in confirmed:
            unmet.append(condition)
    return unmet


def classify(total: float, disciplined: int, rules: YearRules,
             confirmed: Iterable[str] = ()) -> Classification:
    """The classification the rules give: the band of ``total``; HTXSNV also needs every
    HTXSNV condition of the year (computed ones from ``disciplined``, the others confirmed
    by the committee: ``confirmed`` holds their keys), else HTTNV."""
    band = band_of(total, rules)
    if band is Classification.HTXSNV and unmet_conditions(rules, disciplined, confirmed):
        return Classification.HTTNV
    return band


# -------------------------------------------------------------------------------- verdicts
@dataclass(frozen=True)
class Reason:
    """One line of a verdict. ``ok=False`` stops the verdict; ``warning`` marks a line the
    office should look at that does not stop it (late registration, over the cap...)."""

    ok: bool
    text: str
    warning: bool = False

    @property
    def mark(self) -> str:
        if not self.ok:
            return "✗"
        return "⚠" if self.warning else "✓"


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
    computed: Classification | None = None   # what the rules give, before any override

    @property
    def passed(self) -> bool:
        return self.state is VerdictState.PASSED

    @property
    def label(self) -> str:
        return self.state.label

    @property
    def overridden(self) -> bool:
        """The committee decided a classification other than the rules give."""
        return (self.computed is not None and self.classification is not None
                and self.classification is not self.computed)

    def summary(self) -> str:
        """The failing reasons joined, or all reasons when it passes."""
        failing = [r.text for r in self.reasons if not r.ok]
        return "; ".join(failing or [r.text for r in self.reasons])

    def with_reason(self, reason: Reason) -> Verdict:
        return replace(self, reasons=self.reasons + (reason,))


def _missing_reason(totals: ScoreTotals) -> Reason:
    parts = [f"nhóm {g.position}: {g.missing}" for g in totals.groups if g.missing]
    return Reason(False, f"Chưa chấm {totals.missing} mục tiêu chí ({', '.join(parts)})")


def _score_reasons(totals: ScoreTotals, rules: YearRules) -> list[Reason]:
    reasons = []
    for group in totals.groups:
        if group.missing:
            continue
        # (a fully scored group: ``GroupTotal.passed`` with nothing missing)
        reasons.append(_points_reason(group.position, group.points, group.max_points,
                                      group.pass_points))
    if totals.complete:
        reasons.append(_points_reason(None, totals.total, totals.max_total,
                                      rules.overall_pass))
    return reasons


# A province's year writes the same group and total lines for thousands of cells (points
# fall on a few values): each line is made once. A Reason is immutable, so sharing is safe.
@functools.lru_cache(maxsize=4096)
def _points_reason(group: int | None, points: float, max_points: float,
                   pass_points: float) -> Reason:
    """The line of group ``group``'s points, or of the total (None), against its threshold."""
    what = "Tổng điểm" if group is None else f"Nhóm {group} đạt"
    got = f"{what} {fmt_points(points)}/{fmt_points(max_points)}"
    if points + EPSILON >= pass_points:
        return Reason(True, f"{got} (ngưỡng {fmt_points(pass_points)})")
    return Reason(False, f"{got}, dưới ngưỡng {fmt_points(pass_points)}")


def registration_reason(registered: bool, days_late: int, rules: YearRules) -> Reason:
    return _registration_reason(registered, days_late, rules.registration_required)


@functools.lru_cache(maxsize=1024)
def _registration_reason(registered: bool, days_late: int, required: bool) -> Reason:
    if registered:
        if days_late > 0:
            return Reason(True, f"Đăng ký thi đua muộn {days_late} ngày", warning=True)
        return Reason(True, "Đã đăng ký thi đua đúng hạn")
    if required:
        return Reason(False, "Chưa đăng ký thi đua: không xét công nhận khi không có bản đăng "
                             "ký")
    return Reason(True, "Chưa đăng ký thi đua", warning=True)


def self_assessment_reason(own: ScoreTotals, unit: str, rules: YearRules) -> Reason:
    """``unit``: "Chi bộ" or "Đảng bộ" (whose own scores these are)."""
    return _self_assessment_reason(own.total, own.max_total, own.missing, unit,
                                   rules.self_assessment_required)


@functools.lru_cache(maxsize=4096)
def _self_assessment_reason(total: float, max_total: float, missing: int, unit: str,
                            required: bool) -> Reason:
    if total <= EPSILON:            # ``ScoreTotals.empty``
        text = (f"{unit} chưa tự chấm điểm (tự chấm {fmt_points(total)}/"
                f"{fmt_points(max_total)})")
    elif missing:
        text = f"{unit} tự chấm chưa đủ: còn {missing} mục chưa chấm"
    else:
        return Reason(True, f"{unit} tự chấm {fmt_points(total)}/{fmt_points(max_total)}")
    if required:
        return Reason(False, text)
    return Reason(True, text, warning=True)


def _classification_reasons(totals: ScoreTotals, disciplined: int, rules: YearRules,
                            confirmed: Iterable[str]) -> tuple[Classification, list[Reason]]:
    band = band_of(totals.total, rules)
    computed = classify(totals.total, disciplined, rules, confirmed)
    reasons = []
    if band is Classification.HTXSNV and computed is not band:
        unmet = unmet_conditions(rules, disciplined, confirmed)
        parts = []
        for condition in unmet:
            if condition.check is ConditionCheck.NO_DISCIPLINED:
                parts.append(f"{condition.text} (có {disciplined} đảng viên bị kỷ luật)")
            else:
                parts.append(f"{condition.text} (Đảng ủy chưa xác nhận)")
        reasons.append(Reason(
            True, f"Tổng điểm đạt mức HTXSNV (từ {fmt_points(rules.band_excellent)}) nhưng chưa "
                  f"đủ điều kiện HTXSNV theo {rules.regulation_name}: " + "; ".join(parts),
            warning=True))
    reasons.append(_classified_reason(rules.regulation_name, computed))
    return computed, reasons


@functools.lru_cache(maxsize=256)
def _classified_reason(regulation_name: str, computed: Classification) -> Reason:
    return Reason(True, f"Theo {regulation_name}: xếp loại {computed.label} ({computed.value})")


def _decision_reason(decided: Classification, computed: Classification,
                     decided_reason: str) -> Reason:
    text = f"Đảng ủy quyết định xếp loại {decided.label} ({decided.value})"
    if decided is computed:
        return Reason(True, text)
    text += f", khác kết quả theo quy định ({computed.value})"
    if decided_reason.strip():
        return Reason(True, f"{text}. Lý do: {decided_reason.strip()}", warning=True)
    return Reason(False, f"{text}, chưa ghi lý do")


def _minimum_reason(classification: Classification, rules: YearRules) -> Reason:
    return _minimum_reason_of(classification, rules.min_classification)


@functools.lru_cache(maxsize=64)
def _minimum_reason_of(classification: Classification, minimum: Classification) -> Reason:
    text = f"Xếp loại {classification.label} ({classification.value})"
    if classification.rank >= minimum.rank:
        return Reason(True, text)
    return Reason(False, f"{text}, chưa đạt mức {minimum.label}")


def discipline_reason(disciplined: int, allowed: int,
                      detail: Sequence[tuple[str, int]] | None = None) -> Reason:
    """``detail``: for the organisation, (cell name, members) of the cells it is counted from."""
    if detail is None:
        return _discipline_reason(disciplined, allowed, "")
    listed = "; ".join(f"{name}: {count}" for name, count in detail)
    return _discipline_reason(disciplined, allowed,
                              f" (cộng từ phiếu chấm các chi bộ: {listed})" if listed
                              else " (cộng từ phiếu chấm các chi bộ)")


@functools.lru_cache(maxsize=1024)
def _discipline_reason(disciplined: int, allowed: int, where: str) -> Reason:
    if disciplined <= allowed:
        if disciplined == 0:
            return Reason(True, f"Không có đảng viên bị kỷ luật trong năm{where}")
        return Reason(True, f"Có {disciplined} đảng viên bị kỷ luật, trong mức cho phép "
                            f"({allowed}){where}")
    return Reason(False, f"Có {disciplined} đảng viên bị kỷ luật trong năm{where}")


def cell_verdict(
    totals: ScoreTotals,
    disciplined: int,
    rules: YearRules,
    classification: Classification | None = None,
    *,
    own: ScoreTotals | None = None,
    registered: bool | None = None,
    days_late: int = 0,
    confirmed: Iterable[str] = (),
    decided_reason: str = "",
    unit: str = "Chi bộ",
    allowed_disciplined: int | None = None,
    disciplined_detail: Sequence[tuple[str, int]] | None = None,
) -> Verdict:
    """Does the cell earn "Chi bộ 4 tốt"? Every reason is listed.

    ``totals``: the committee's scores; ``own``: the cell's own (None: not checked);
    ``registered``: None when registration does not apply; ``classification``: the
    committee's decided classification (None: the rules decide), ``decided_reason`` its
    written reason; ``confirmed``: keys of the HTXSNV conditions the committee confirmed."""
    confirmed = tuple(confirmed)
    allowed = rules.max_disciplined if allowed_disciplined is None else allowed_disciplined
    reasons: list[Reason] = []
    if registered is not None:
        reasons.append(registration_reason(registered, days_late, rules))
    reasons += _score_reasons(totals, rules)
    if own is not None:
        reasons.append(self_assessment_reason(own, unit, rules))
    if not totals.complete:
        reasons.insert(0, _missing_reason(totals))
        if classification is not None:
            reasons.append(Reason(True, f"Đảng ủy quyết định xếp loại {classification.label} "
                                        f"({classification.value})"))
        reasons.append(discipline_reason(disciplined, allowed, disciplined_detail))
        return Verdict(VerdictState.INCOMPLETE, classification, tuple(reasons))
    computed, lines = _classification_reasons(totals, disciplined, rules, confirmed)
    effective = computed if classification is None else classification
    minimum = _minimum_reason(effective, rules)
    if classification is None and not minimum.ok:
        # One line: the rules' classification and why it is not enough.
        lines[-1] = Reason(False, f"{lines[-1].text}, chưa đạt mức "
                                  f"{rules.min_classification.label}")
    reasons += lines
    if classification is not None:
        reasons.append(_decision_reason(classification, computed, decided_reason))
        if not minimum.ok:
            reasons.append(minimum)
    reasons.append(discipline_reason(disciplined, allowed, disciplined_detail))
    passed = all(reason.ok for reason in reasons)
    return Verdict(VerdictState.PASSED if passed else VerdictState.FAILED, effective,
                   tuple(reasons), computed)


def organisation_verdict(
    totals: ScoreTotals,
    disciplined: int,
    rules: YearRules,
    cells_passed: int,
    cells_total: int,
    classification: Classification | None = None,
    *,
    own: ScoreTotals | None = None,
    cells_pending: Sequence[str] = (),
    disciplined_detail: Sequence[tuple[str, int]] | None = (),
    confirmed: Iterable[str] = (),
    decided_reason: str = "",
) -> Verdict:
    """"Đảng bộ cơ sở 4 tốt": its own criteria, plus the share of its cells that are "4 tốt".

    ``disciplined`` is the sum over the cells (``disciplined_detail``: who), or the figure on
    the organisation's own sheet where the year's rules say so (``disciplined_detail`` None);
    ``cells_pending`` names the cells whose verdict is still open: until they are scored the
    share is not final and neither is this verdict ("Chưa chấm đủ")."""
    own_verdict = cell_verdict(totals, disciplined, rules, classification, own=own,
                               confirmed=confirmed, decided_reason=decided_reason,
                               unit="Đảng bộ", allowed_disciplined=rules.org_max_disciplined,
                               disciplined_detail=disciplined_detail)
    share = cells_passed / cells_total if cells_total else 0.0
    needed = rules.org_cell_share
    text = f"{cells_passed}/{cells_total} chi bộ đạt “Chi bộ 4 tốt” ({fmt_share(share)})"
    if cells_pending:
        text += " tính đến nay"
    if cells_total and share + EPSILON >= needed:
        share_reason = Reason(True, f"{text}, từ {fmt_share(needed)} trở lên")
    else:
        share_reason = Reason(False, f"{text}, dưới mức {fmt_share(needed)}")
    reasons = own_verdict.reasons + (share_reason,)
    if cells_pending:
        names = ", ".join(cells_pending[:5])
        if len(cells_pending) > 5:
            names += f" và {len(cells_pending) - 5} chi bộ khác"
        reasons = (Reason(False, f"Còn {len(cells_pending)} chi bộ chưa chấm đủ điểm ({names}):"
                                 " chưa kết luận được"),) + reasons
        return Verdict(VerdictState.INCOMPLETE, own_verdict.classification, reasons,
                       own_verdict.computed)
    if own_verdict.state is VerdictState.INCOMPLETE:
        return Verdict(VerdictState.INCOMPLETE, own_verdict.classification, reasons,
                       own_verdict.computed)
    passed = own_verdict.passed and share_reason.ok
    return Verdict(VerdictState.PASSED if passed else VerdictState.FAILED,
                   own_verdict.classification, reasons, own_verdict.computed)


# ------------------------------------------------------------------------- the HTXSNV cap
def cap_allowed(denominator: int, share: float, rounding: Rounding) -> int:
    """How many units may be HTXSNV: ``share`` of ``denominator``, rounded as set."""
    exact = denominator * share
    if rounding is Rounding.UP:
        return max(0, math.ceil(exact - EPSILON))
    if rounding is Rounding.NEAREST:
        return max(0, math.floor(exact + 0.5 + EPSILON))
    return max(0, math.floor(exact + EPSILON))


def cap_denominator(classifications: Iterable[Classification], cells_total: int,
                    kind: CapDenominator) -> int:
    """The count the share is taken of: ``classifications`` are those of the scored cells."""
    values = list(classifications)
    if kind is CapDenominator.GOOD:
        return sum(1 for c in values if c is Classification.HTTNV)
    if kind is CapDenominator.CLASSIFIED:
        return len(values)
    if kind is CapDenominator.ALL:
        return cells_total
    return sum(1 for c in values if c.rank >= Classification.HTTNV.rank)


@dataclass(frozen=True)
class RankEntry:
    """A scored cell that the rules or the committee put at HTXSNV."""

    id: int
    name: str
    order_key: tuple           # the name's collation key: the last tie-break
    total: float
    group_points: tuple[float, ...]
    registered_on: dt.date | None
    classification: Classification            # the one that counts (decided or computed)
    computed: Classification | None


@dataclass(frozen=True)
class RankedCell:
    entry: RankEntry
    position: int
    excellent: bool            # still HTXSNV (the committee has not decided lower)
    within_cap: bool           # among the first ``allowed`` of those still HTXSNV
    tied: bool                 # same total and tie-break as a neighbour: the name decided

    @property
    def status(self) -> str:
        if not self.excellent:
            return f"Đảng ủy quyết định {self.entry.classification.value}"
        return "Trong tỷ lệ" if self.within_cap else "Vượt tỷ lệ"


@dataclass(frozen=True)
class Ranking:
    """The cells at HTXSNV by committee total, then the year's tie-break, and the cap."""

    cells: tuple[RankedCell, ...]
    denominator: int
    allowed: int
    share: float
    denominator_kind: CapDenominator
    rounding: Rounding
    tie_break: TieBreak
    complete: bool             # every cell of the year that can be scored is scored

    @property
    def excellent(self) -> int:
        return sum(1 for cell in self.cells if cell.excellent)

    @property
    def over(self) -> bool:
        return self.excellent > self.allowed

    @property
    def leading(self) -> tuple[RankedCell, ...]:
        """The cells that stay HTXSNV within the cap, best first (the Giấy khen ones)."""
        return tuple(cell for cell in self.cells if cell.excellent and cell.within_cap)

    def over_cap(self) -> tuple[RankedCell, ...]:
        return tuple(cell for cell in self.cells if cell.excellent and not cell.within_cap)

    @property
    def basis(self) -> str:
        exact = self.denominator * self.share
        return (f"tối đa {fmt_share(self.share)} của {self.denominator} "
                f"{self.denominator_kind.label} = {fmt_points(exact)}, {self.rounding.label}: "
                f"{self.allowed} chi bộ")

    @property
    def order(self) -> str:
        return (f"Xếp theo tổng điểm Đảng ủy chấm; bằng điểm thì theo {self.tie_break.label}; "
                "rồi theo tên chi bộ")

    def warning(self) -> str | None:
        if not self.over:
            return None
        names = ", ".join(cell.entry.name for cell in self.over_cap())
        return (f"Có {self.excellent} chi bộ xếp loại HTXSNV, vượt tỷ lệ ({self.basis}); "
                f"ngoài tỷ lệ theo bảng xếp hạng: {names}")

    def reason_for(self, cell_id: int) -> Reason | None:
        """The over-the-cap line of a cell's verdict (a warning), if it is beyond the cap."""
        for cell in self.over_cap():
            if cell.entry.id == cell_id:
                return Reason(True, f"Vượt tỷ lệ HTXSNV: xếp thứ {cell.position} trong bảng xếp "
                                    f"hạng, {self.basis}", warning=True)
        return None


def _tie_key(entry: RankEntry, tie_break: TieBreak) -> tuple:
    if tie_break is TieBreak.REGISTRATION:
        return ((entry.registered_on or dt.date.max).toordinal(),)
    return tuple(-round(points, 4) for points in entry.group_points)


def excellent_ranking(entries: Iterable[RankEntry], classifications: Iterable[Classification],
                      cells_total: int, rules: YearRules, complete: bool) -> Ranking:
    """Rank the cells the rules or the committee put at HTXSNV (``entries`` may hold others:
    they are left out); ``classifications``: those of every scored cell (the denominator)."""
    candidates = [entry for entry in entries
                  if Classification.HTXSNV in (entry.classification, entry.computed)]

    def key(entry: RankEntry):
        return (-round(entry.total, 4), _tie_key(entry, rules.cap_tie_break), entry.order_key)

    candidates.sort(key=key)
    denominator = cap_denominator(classifications, cells_total, rules.cap_denominator)
    allowed = cap_allowed(denominator, rules.cap_share, rules.cap_rounding)
    ranked = []
    kept = 0
    for index, entry in enumerate(candidates):
        excellent = entry.classification is Classification.HTXSNV
        if excellent:
            kept += 1
        tied = any(0 <= other < len(candidates) and key(candidates[other])[:2] == key(entry)[:2]
                   for other in (index - 1, index + 1))
        ranked.append(RankedCell(entry, index + 1, excellent, excellent and kept <= allowed,
                                 tied))
    return Ranking(tuple(ranked), denominator, allowed, rules.cap_share, rules.cap_denominator,
                   rules.cap_rounding, rules.cap_tie_break, complete)


# -------------------------------------------------------------------------- time and streaks
def consecutive_years(recognised_years: Iterable[int], up_to: int) -> int:
    """How many years in a row, ending with ``up_to``, the cell was recognised."""
    years = set(recognised_years)
    count = 0
    year = up_to
    while year in years:
        count += 1
        year -= 1
    return count


def days_late(received_on: dt.date | None, deadline: dt.date | None,
              inclusive: bool = True) -> int:
    """Days after the last day on time (0 when on time, or no deadline).

    ``inclusive``: the deadline day itself is on time ("đến hết ngày 10/3"); otherwise the
    deadline reads "trước ngày 10/3" and a registration received on 10/3 is one day late."""
    if received_on is None or deadline is None:
        return 0
    last_day = deadline if inclusive else deadline - dt.timedelta(days=1)
    return max(0, (received_on - last_day).days)


def deadline_phrase(deadline: dt.date, inclusive: bool) -> str:
    """"đến hết ngày 10/03/2024" or "trước ngày 10/03/2024", as the year reads its deadline."""
    return (f"đến hết ngày {format_date(deadline)}" if inclusive
            else f"trước ngày {format_date(deadline)}")
