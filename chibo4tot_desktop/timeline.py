"""Things change over time: which cells make up a year, how a streak runs through a merge,
and which name, authority and signers a paper of a given date carries.

Pure functions and small dataclasses over values already read (no database, no Qt), so the
year's overview, the operations that guard decided years and the papers apply one rule.

- A cell lives from ``started_on`` (None: before the records begin) to the day it ended
  (``dissolved_on``: dissolved, or merged into its successors). Which years it belongs to is
  a stated rule the office chooses (``YearRule``, setting ``cells.year_rule``).
- A successor's consecutive years may run through the merge (setting
  ``cells.streak_through_merge``, on by default): a year before the successor existed counts
  when every predecessor of that year was recognised.
- The organisation's identity comes in versions, each valid from a date; a paper uses the
  version in force on its own date (``identity_on``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

BEGINNING = dt.date(1900, 1, 1)   # valid_from of an identity version "from the beginning"
YEAR_RULE_KEY = "cells.year_rule"
STREAK_THROUGH_MERGE_KEY = "cells.streak_through_merge"


class YearRule(StrEnum):
    """Which cells make up a year."""

    REVIEW = "review"
    YEAR_END = "year_end"

    @property
    def label(self) -> str:
        return YEAR_RULE_LABELS[self]


YEAR_RULE_LABELS = {
    YearRule.REVIEW: "Chi bộ còn hoạt động vào ngày sơ kết (tổng kết) của năm thì thuộc năm "
                     "đó: kết thúc trước ngày sơ kết thì không thuộc năm đó, thành lập sau ngày "
                     "sơ kết thì thuộc từ năm sau",
    YearRule.YEAR_END: "Chi bộ còn hoạt động đến hết ngày 31/12 thì thuộc năm đó: giải thể, "
                       "sáp nhập trong năm thì không thuộc năm đó",
}
DEFAULT_YEAR_RULE = YearRule.REVIEW


def year_rule(value: str | None) -> YearRule:
    """The stored setting read back (the default when unset or damaged)."""
    try:
        return YearRule(value) if value else DEFAULT_YEAR_RULE
    except ValueError:
        return DEFAULT_YEAR_RULE


def flag(value: str | None, default: bool = True) -> bool:
    """A yes/no setting: "1"/"0" (also "có"/"không", "true"/"false")."""
    if value is None or not str(value).strip():
        return default
    return str(value).strip().casefold() not in ("0", "false", "không", "khong", "no", "off")


def reference_day(year: int, rule: YearRule, review_day: dt.date | None) -> dt.date:
    """The day on which a cell must be alive to belong to ``year``."""
    if rule is YearRule.REVIEW and review_day is not None:
        return review_day
    return dt.date(year, 12, 31)


def in_year(started_on: dt.date | None, ended_on: dt.date | None, year: int, rule: YearRule,
            review_day: dt.date | None) -> bool:
    """Does a cell living from ``started_on`` to ``ended_on`` belong to ``year``?"""
    day = reference_day(year, rule, review_day)
    if started_on is not None and started_on > day:
        return False
    if ended_on is None:
        return True
    if rule is YearRule.YEAR_END or review_day is None:
        return ended_on > day          # ended during the year: not in it
    return ended_on >= day             # ended on the review day or later: still in it


def describe_rule_day(year: int, rule: YearRule, review_day: dt.date | None) -> str:
    day = reference_day(year, rule, review_day)
    if rule is YearRule.REVIEW and review_day is not None:
        return f"ngày sơ kết năm {year} ({day:%d/%m/%Y})"
    return f"hết ngày 31/12/{year}"


@dataclass(frozen=True)
class CellTimeline:
    """The cells' lives, their merges and the years' review days, read once."""

    spans: Mapping[int, tuple[dt.date | None, dt.date | None]]
    predecessors: Mapping[int, Sequence[int]]
    review_days: Mapping[int, dt.date | None]
    rule: YearRule = DEFAULT_YEAR_RULE

    def in_year(self, cell_id: int, year: int) -> bool:
        span = self.spans.get(cell_id)
        if span is None:
            return False
        return in_year(span[0], span[1], year, self.rule, self.review_days.get(year))

    def ancestors(self, cell_id: int) -> list[int]:
        """Every predecessor, their predecessors and so on (nearest first, each once)."""
        seen: list[int] = []
        queue = list(self.predecessors.get(cell_id, ()))
        while queue:
            current = queue.pop(0)
            if current in seen or current == cell_id:
                continue
            seen.append(current)
            queue.extend(self.predecessors.get(current, ()))
        return seen

    def _covers(self, cell_id: int, year: int, depth: int = 0) -> bool:
        if depth > 50:
            return False
        return self.in_year(cell_id, year) or any(
            self._covers(p, year, depth + 1) for p in self.predecessors.get(cell_id, ()))

    def _recognised(self, cell_id: int, year: int, recognised: Mapping[int, Iterable[int]],
                    through_merge: bool, depth: int = 0) -> bool:
        if self.in_year(cell_id, year):
            return year in set(recognised.get(cell_id, ()))
        if not through_merge or depth > 50:
            return False
        before = [p for p in self.predecessors.get(cell_id, ()) if self._covers(p, year)]
        return bool(before) and all(
            self._recognised(p, year, recognised, through_merge, depth + 1) for p in before)

    def streak(self, cell_id: int, year: int, recognised: Mapping[int, Iterable[int]],
               through_merge: bool = True) -> int:
        """Consecutive years, ending with ``year``, in which the cell (or, before it existed
        and with ``through_merge``, all of its predecessors of that year) was recognised."""
        count = 0
        current = year
        while count < 200 and self._recognised(cell_id, current, recognised, through_merge):
            count += 1
            current -= 1
        return count


def years_of(started_on: dt.date | None, ended_on: dt.date | None,
             review_days: Mapping[int, dt.date | None], rule: YearRule) -> list[int]:
    """The years (of those in ``review_days``) a cell with this life belongs to."""
    return [year for year in sorted(review_days)
            if in_year(started_on, ended_on, year, rule, review_days[year])]


# ------------------------------------------------------------------------------- identity
UPPER_BODY_PREFIXES = (("Thành ủy ", "Đảng bộ thành phố "), ("Huyện ủy ", "Đảng bộ huyện "),
                       ("Thị ủy ", "Đảng bộ thị xã "), ("Tỉnh ủy ", "Đảng bộ tỉnh "),
                       ("Quận ủy ", "Đảng bộ quận "))
IDENTITY_FIELDS = ("name", "upper_body", "place_name", "upper_party_body", "issuer",
                   "decision_issuer", "certificate_place", "certificate_signer_title",
                   "certificate_signer_name", "proposal_signer_title", "proposal_signer_name")
IDENTITY_LABELS = {
    "name": "tên đảng bộ",
    "upper_body": "cấp ủy cấp trên",
    "place_name": "địa danh (dòng ngày tháng)",
    "upper_party_body": "dòng cấp trên ở đầu văn bản",
    "issuer": "cơ quan cấp giấy khen",
    "decision_issuer": "cơ quan ban hành quyết định",
    "certificate_place": "địa danh trên giấy khen",
    "certificate_signer_title": "chức vụ người ký giấy khen",
    "certificate_signer_name": "họ tên người ký giấy khen",
    "proposal_signer_title": "chức vụ người ký danh sách đề nghị",
    "proposal_signer_name": "họ tên người ký danh sách đề nghị",
}
IDENTITY_LENGTHS = {"name": 200, "upper_body": 200, "place_name": 100, "upper_party_body": 200,
                    "issuer": 300, "decision_issuer": 200, "certificate_place": 100,
                    "certificate_signer_title": 300, "certificate_signer_name": 300,
                    "proposal_signer_title": 300, "proposal_signer_name": 300}


def party_body_of(upper_body: str) -> str:
    """"Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh" (the line above the committee)."""
    for committee, body in UPPER_BODY_PREFIXES:
        if upper_body.startswith(committee):
            return body + upper_body[len(committee):]
    return upper_body


@dataclass(frozen=True)
class Identity:
    """The organisation as a paper of a given date names it; empty stored texts are derived
    here (the issuer from the upper body, the certificate's place from the place name)."""

    valid_from: dt.date
    name: str
    upper_body: str = ""
    place_name: str = ""
    upper_party_body: str = ""
    issuer: str = ""
    decision_issuer: str = ""
    certificate_place: str = ""
    certificate_signer_title: str = ""
    certificate_signer_name: str = ""
    proposal_signer_title: str = ""
    proposal_signer_name: str = ""

    @classmethod
    def of(cls, row) -> Identity:
        return cls(row.valid_from, **{key: getattr(row, key) or "" for key in IDENTITY_FIELDS})

    @property
    def committee_name(self) -> str:
        """"Đảng bộ phường Tân Giang" -> "Đảng ủy phường Tân Giang" (who receives papers)."""
        if self.name.startswith("Đảng bộ"):
            return "Đảng ủy" + self.name[len("Đảng bộ"):]
        return self.name

    @property
    def party_header_body(self) -> str:
        """The line above the committee in a paper's header."""
        return self.upper_party_body or party_body_of(self.upper_body)

    @property
    def certificate_issuer(self) -> str:
        if self.issuer:
            return self.issuer
        return f"BAN THƯỜNG VỤ {self.upper_body.upper()}" if self.upper_body else ""

    @property
    def decision_body(self) -> str:
        if self.decision_issuer:
            return self.decision_issuer
        return f"Ban Thường vụ {self.upper_body}" if self.upper_body else ""

    @property
    def certificate_place_name(self) -> str:
        return self.certificate_place or self.place_name


def identity_on(versions: Sequence, day: dt.date | None, factory: Callable = Identity.of):
    """The version in force on ``day`` (the latest valid_from not after it; the earliest
    version for a day before every version; the latest for no day)."""
    ordered = sorted(versions, key=lambda version: version.valid_from)
    if not ordered:
        raise LookupError("no identity")
    if day is None:
        return factory(ordered[-1])
    chosen = ordered[0]
    for version in ordered:
        if version.valid_from <= day:
            chosen = version
    return factory(chosen)
