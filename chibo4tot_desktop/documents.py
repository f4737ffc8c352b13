"""What every paper of the ward shares, whatever it is printed with (PDF, Excel, Word): the
lines of the Party header, who signs, to whom it goes, and the date a document carries.

Settings read (all optional, set in the window's "Thiết lập > Giấy tờ, người ký" page or with
``settings set``): "proposal.upper_body" (the line above the ward committee; by default
derived from the organisation's upper body, "Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà
Tĩnh"), "proposal.signer_title" (default "Bí thư") and "proposal.signer_name": the signer of
the papers of the ward's Standing Committee (proposal list, submission, reports, letters).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import AwardKind, Organisation
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.text import clean

UPPER_BODY_PREFIXES = (("Thành ủy ", "Đảng bộ thành phố "), ("Huyện ủy ", "Đảng bộ huyện "),
                       ("Thị ủy ", "Đảng bộ thị xã "), ("Tỉnh ủy ", "Đảng bộ tỉnh "),
                       ("Quận ủy ", "Đảng bộ quận "))
WARD_ON_BEHALF = "T/M BAN THƯỜNG VỤ"
DEFAULT_SIGNER_TITLE = "Bí thư"


def upper_party_body(organisation: Organisation) -> str:
    """"Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh" (the line above the committee)."""
    upper = clean(organisation.upper_body)
    for committee, body in UPPER_BODY_PREFIXES:
        if upper.startswith(committee):
            return body + upper[len(committee):]
    return upper


def header_upper_body(office) -> str:
    """The first line of the ward's Party header (setting, else derived)."""
    organisation = queries.organisation(office)
    return queries.setting(office, "proposal.upper_body", "") or upper_party_body(organisation)


def upper_recipient(organisation: Organisation) -> str:
    """Who the ward reports to: "Ban Thường vụ Thành ủy Hà Tĩnh"."""
    upper = clean(organisation.upper_body)
    return f"Ban Thường vụ {upper}" if upper else "Cấp ủy cấp trên"


@dataclass(frozen=True)
class Signer:
    """Who signs a paper: on behalf of whom, the title, the name (may be empty)."""

    on_behalf: str
    title: str
    name: str

    @property
    def lines(self) -> list[str]:
        return [line for line in (self.on_behalf, self.title) if line]


def ward_signer(office) -> Signer:
    """The signer of the ward Standing Committee's papers (settings "proposal.signer_*")."""
    title = clean(queries.setting(office, "proposal.signer_title", "")) or DEFAULT_SIGNER_TITLE
    return Signer(WARD_ON_BEHALF, title, clean(queries.setting(office, "proposal.signer_name",
                                                               "")))


def missing_signer(paper: str, where: str = "") -> str:
    """The warning shown before a paper whose signer's name is empty is printed."""
    where = where or ("Thiết lập > Giấy tờ, người ký, hoặc lệnh: settings set "
                      "proposal.signer_name=\"Họ và tên\"")
    return f"{paper} chưa có họ tên người ký (đặt ở {where})."


def proposal_date(office, year: int) -> dt.date:
    """The date of the year's proposals: the latest proposal, else the review day."""
    proposed = [award.proposed_on for award in queries.awards(office, year) if award.proposed_on]
    return max(proposed) if proposed else review_date(office, year)


def review_date(office, year: int) -> dt.date:
    """The year's review (sơ kết, tổng kết) day; 10/12 when the calendar has none."""
    return queries.phase_year(office, year).review_deadline or dt.date(year, 12, 10)


# ---------------------------------------------------------------------------- proposals
SECTIONS = (
    (AwardKind.CELL_RECOGNITION, "Đề nghị công nhận “Chi bộ 4 tốt”"),
    (AwardKind.MERIT, "Đề nghị tặng Giấy khen"),
    (AwardKind.ORG_RECOGNITION, "Đề nghị công nhận “Đảng bộ cơ sở 4 tốt”"),
)
ROMAN = ("I", "II", "III", "IV")

def proposal_rows(office, year: int) -> tuple[list[list[str]], frozenset[int], dict]:
    """The table rows (section headings and awards) and counts per kind."""
    from chibo4tot_desktop.reports import year_overview

    overview = year_overview(office, year)
    organisation = queries.organisation(office)
    states = {state.cell.id: state for state in overview.cells}
    awards = queries.awards(office, year)
    rows: list[list[str]] = []
    sections: set[int] = set()
    counts: dict[AwardKind, int] = {}
    for number, (kind, heading) in enumerate(
            [section for section in SECTIONS
             if any(award.kind == section[0].value for award in awards)]):
        sections.add(len(rows))
        rows.append([f"{ROMAN[number]}. {heading}"])
        kind_awards = [award for award in awards if award.kind == kind.value]
        counts[kind] = len(kind_awards)
        for index, award in enumerate(kind_awards, start=1):
            notes = clean(award.notes)
            if award.cell is None:
                result = overview.organisation_result
                name, members, streak = organisation.name, "", ""
            else:
                state = states.get(award.cell_id)
                result = state.result if state else None
                name = award.cell.name
                members = str(award.cell.members_count or "")
                streak = str(state.consecutive_years) if state and state.consecutive_years \
                    else ""
                if award.cell.is_pilot and "chi bộ điểm" not in notes.casefold():
                    notes = "Chi bộ điểm" + (f"; {notes}" if notes else "")
            totals = result.committee_totals if result else None
            points = rules.fmt_points(totals.total) if totals and totals.complete else ""
            classification = (result.classification.value
                              if result and totals and totals.complete and result.classification
                              else "")
            rows.append([str(index), name, members, points, classification, streak, notes])
    return rows, frozenset(sections), counts


def proposal_subject(counts: dict, year: int) -> str:
    """"công nhận “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” và tặng Giấy khen năm 2023": what the
    year's proposals ask for (``counts``: award kind -> number)."""
    wanted = []
    titles = [title for kind, title in ((AwardKind.CELL_RECOGNITION, "“Chi bộ 4 tốt”"),
                                        (AwardKind.ORG_RECOGNITION, "“Đảng bộ cơ sở 4 tốt”"))
              if counts.get(kind)]
    if titles:
        wanted.append("công nhận " + ", ".join(titles))
    if counts.get(AwardKind.MERIT):
        wanted.append("tặng Giấy khen")
    return f"{' và '.join(wanted)} năm {year}"


def proposal_counts(counts: dict) -> str:
    """"12 chi bộ đề nghị công nhận “Chi bộ 4 tốt”; 02 tổ chức đảng đề nghị tặng Giấy khen"."""
    parts = []
    for kind, label in ((AwardKind.CELL_RECOGNITION, "công nhận “Chi bộ 4 tốt”"),
                        (AwardKind.MERIT, "tặng Giấy khen"),
                        (AwardKind.ORG_RECOGNITION, "công nhận “Đảng bộ cơ sở 4 tốt”")):
        if counts.get(kind):
            unit = "tổ chức đảng" if kind is not AwardKind.CELL_RECOGNITION else "chi bộ"
            parts.append(f"{counts[kind]:02d} {unit} đề nghị {label}")
    return "; ".join(parts)
