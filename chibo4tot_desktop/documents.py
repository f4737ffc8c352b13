"""What every paper of the ward shares, whatever it is printed with (PDF, Excel, Word): the
lines of the Party header, who signs, to whom it goes, and the date a document carries.

Every paper carries the organisation's identity in force on its own date (``timeline``,
``queries.identity_on``): the name, the upper body, the line above the ward committee (by
default derived from the upper body, "Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh"), and
the signer of the ward Standing Committee's papers (proposal list, submission, reports,
letters): title (default "Bí thư") and name. They are edited as identity versions (the
window's "Thiết lập > Đảng bộ" and "Giấy tờ, người ký" pages, or ``settings set
proposal.signer_name=...`` / ``organisation.proposal_signer_name=...`` with ``--from``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from chibo4tot_desktop import rules, timeline
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.text import clean, fold

WARD_ON_BEHALF = "T/M BAN THƯỜNG VỤ"
DEFAULT_SIGNER_TITLE = "Bí thư"


def upper_party_body(identity: timeline.Identity) -> str:
    """"Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh" (the line above the committee)."""
    return clean(identity.party_header_body)


def header_upper_body(office, day: dt.date | None) -> str:
    """The first line of the ward's Party header on a paper dated ``day``."""
    return upper_party_body(queries.identity_on(office, day))


def upper_recipient(identity: timeline.Identity) -> str:
    """Who the ward reports to: "Ban Thường vụ Thành ủy Hà Tĩnh"."""
    upper = clean(identity.upper_body)
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


def ward_signer(office, day: dt.date | None) -> Signer:
    """The signer of the ward Standing Committee's papers dated ``day`` (the identity version
    in force that day)."""
    identity = queries.identity_on(office, day)
    title = clean(identity.proposal_signer_title) or DEFAULT_SIGNER_TITLE
    return Signer(WARD_ON_BEHALF, title, clean(identity.proposal_signer_name))


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
    """The year's review (sơ kết, tổng kết) day; 31/12 when the calendar has none."""
    return queries.year_document_date(office, year)


# ---------------------------------------------------------------------------- proposals
SECTIONS = (
    (AwardKind.CELL_RECOGNITION, "Đề nghị công nhận “Chi bộ 4 tốt”"),
    (AwardKind.MERIT, "Đề nghị tặng Giấy khen"),
    (AwardKind.ORG_RECOGNITION, "Đề nghị công nhận “Đảng bộ cơ sở 4 tốt”"),
)
ROMAN = ("I", "II", "III", "IV")

def proposal_rows(office, year: int, date: dt.date | None = None
                  ) -> tuple[list[list[str]], frozenset[int], dict]:
    """The table rows (section headings and awards) and counts per kind. A decided award
    shows the figures its decision was made on (kept with it); the others today's."""
    from chibo4tot_desktop.reports import DecisionFacts, year_overview

    overview = year_overview(office, year)
    organisation = queries.identity_on(office, date or proposal_date(office, year))
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
            facts = (DecisionFacts.kept(award) if award.is_decided else None) \
                or overview.facts(award)
            if award.cell is None:
                name, members, streak = organisation.name, "", ""
            else:
                name = award.cell.name
                members = str(facts.members or "") if facts else ""
                streak = str(facts.streak) if facts and facts.streak else ""
                if award.cell.is_pilot and "chi bộ điểm" not in fold(notes):
                    notes = "Chi bộ điểm" + (f"; {notes}" if notes else "")
            points = rules.fmt_points(facts.points) if facts and facts.points is not None \
                else ""
            classification = facts.classification or "" if facts else ""
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
