"""The other printed papers, A4 portrait in the Party document format (36-HD/VPTW):

- the registration form of a cell (bản đăng ký thi đua, what the cell's secretary signs);
- the proposal list (danh sách đề nghị) the ward's Standing Committee sends to the city.

Each paper carries the organisation's identity in force on its own date (``timeline``): the
name, the upper body (the line above the ward committee in the list's header, by default
derived from it, "Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh"), the place, and the
list's signer (title, by default "Bí thư", and name); the year's own criteria catalogue and
the year's own figures (members from the year's registration).
"""

from __future__ import annotations

import datetime as dt
import os

from chibo4tot_desktop import rules, timeline
from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.pdf.document import Column, Flow
from chibo4tot_desktop.pdf.layout import Page
from chibo4tot_desktop.pdf.render import write_pdf
from chibo4tot_desktop.text import clean, fold, place_date_line


def upper_party_body(identity: timeline.Identity) -> str:
    """"Thành ủy Hà Tĩnh" -> "Đảng bộ thành phố Hà Tĩnh" (the line above the committee)."""
    return clean(identity.party_header_body)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# ------------------------------------------------------------------------ registration form
def registration_form_pages(office, year: int, cell_code: str, blank: bool = False
                            ) -> list[Page]:
    """The cell's registration form filled in from its stored registration; with ``blank``, the
    form to fill in by hand (dotted lines, no date), whether or not one is stored."""
    cell = queries.cell_by_code(office, cell_code)  # NotFoundError (a UserError) if unknown
    registration = None if blank else queries.registration(office, cell.id, year)
    if registration is None and not blank:
        raise UserError(f"{cell.name} chưa có bản đăng ký thi đua năm {year} "
                        "(có thể in mẫu trống để chi bộ điền).")
    if not queries.cell_timeline(office).in_year(cell.id, year):
        raise UserError(f"{cell.name} không thuộc năm {year} (chưa thành lập hoặc đã kết "
                        "thúc hoạt động), không đăng ký thi đua năm đó.")
    phase = queries.phase_for_year(office, year)
    phase_year = next(item for item in phase.years if item.year == year)
    day = (registration.received_on if registration is not None
           else phase_year.registration_deadline or phase_year.launch_date
           or queries.year_document_date(office, year))
    organisation = queries.identity_on(office, day)
    groups = phase.catalogue(year, Scope.CELL)

    flow = Flow()
    place = clean(organisation.place_name)
    title = registration.title if registration else "Chi bộ 4 tốt"
    if registration is not None:
        date_line = place_date_line(place, registration.received_on) if place else ""
    else:
        date_line = f"{place + ', ' if place else ''}ngày ..... tháng ..... năm {year}"
    flow.party_header(organisation.name, cell.name, date_line)
    flow.centred("BẢN ĐĂNG KÝ THI ĐUA", "bold", 16, after=0)
    flow.centred(f"Xây dựng “{title}” năm {year}", "bold", 14, after=10)
    flow.centred(f"Kính gửi: {organisation.committee_name}", "regular", 14, after=12)

    members = registration.members_count if registration is not None else None
    basis = (f"Thực hiện {phase.plan_reference} về {_lower_first(phase.title)}"
             if phase.plan_reference else f"Thực hiện phong trào thi đua {_lower_first(phase.title)}")
    members_text = f" (có {members} đảng viên)" if members else ""
    flow.paragraph(f"{basis}, {cell.name}{members_text} đăng ký thi đua phấn đấu đạt danh hiệu "
                   f"“{title}” năm {year} với các chỉ tiêu, cam kết sau:")
    commitments = registration.commitments() if registration else []
    for index, group in enumerate(groups):
        flow.ensure(60)
        flow.paragraph(f"{group.position}. {group.title}", "bold", 14, after=2)
        text = commitments[index] if index < len(commitments) else ""
        if clean(text):
            for line in text.split("\n"):
                if clean(line):
                    flow.paragraph(line, "regular", 14, after=2)
        elif registration is not None:
            flow.dotted_lines(2, 14)
        else:
            flow.dotted_lines(3, 13)
        flow.space(4)
    flow.paragraph(f"{cell.name} cam kết lãnh đạo, tổ chức thực hiện đầy đủ các chỉ tiêu đã "
                   "đăng ký.")
    signer = (registration.signer if registration else "") or cell.secretary
    flow.signature(["T/M CHI BỘ", "BÍ THƯ"], signer,
                   recipients=[f"- {organisation.committee_name} (báo cáo),", "- Lưu chi bộ."])
    return flow.finish()


def write_registration_form(office, year: int, cell_code: str,
                            target: str | os.PathLike, blank: bool = False) -> int:
    pages = registration_form_pages(office, year, cell_code, blank)
    cell = queries.cell_by_code(office, cell_code)
    write_pdf(pages, target, title=f"Bản đăng ký thi đua năm {year} – {cell.name}",
              author=cell.name)
    return len(pages)


# ---------------------------------------------------------------------------- proposal list
SECTIONS = (
    (AwardKind.CELL_RECOGNITION, "Đề nghị công nhận “Chi bộ 4 tốt”"),
    (AwardKind.MERIT, "Đề nghị tặng Giấy khen"),
    (AwardKind.ORG_RECOGNITION, "Đề nghị công nhận “Đảng bộ cơ sở 4 tốt”"),
)
ROMAN = ("I", "II", "III", "IV")
PROPOSAL_COLUMNS = (
    Column("TT", 5, "center"),
    Column("Tên tổ chức đảng", 31),
    Column("Số đảng viên", 9, "center"),
    Column("Tổng điểm", 9, "center"),
    Column("Xếp loại", 13, "center"),
    Column("Số năm liên tục đạt", 10, "center"),
    Column("Ghi chú", 23),
)


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


def proposal_date(office, year: int) -> dt.date:
    """The proposal list's own date: the latest proposal of the year (the year's review day
    when none is dated)."""
    proposed = [award.proposed_on for award in queries.awards(office, year)
                if award.proposed_on]
    return max(proposed) if proposed else queries.year_document_date(office, year)


def proposal_list_pages(office, year: int, date: dt.date | None = None) -> list[Page]:
    awards = queries.awards(office, year)
    if not awards:
        raise UserError(f"Năm {year} chưa có đề nghị khen thưởng nào.")
    if date is None:
        date = proposal_date(office, year)
    organisation = queries.identity_on(office, date)
    rows, sections, counts = proposal_rows(office, year, date)
    place = clean(organisation.place_name)
    upper = upper_party_body(organisation)

    flow = Flow()
    flow.party_header(upper, organisation.committee_name,
                      place_date_line(place, date) if place else "")
    flow.centred("DANH SÁCH ĐỀ NGHỊ", "bold", 15, after=0)
    kinds = [kind for kind, _ in SECTIONS if kind in counts]
    wanted = []
    if AwardKind.CELL_RECOGNITION in kinds or AwardKind.ORG_RECOGNITION in kinds:
        titles = [title for kind, title in ((AwardKind.CELL_RECOGNITION, "“Chi bộ 4 tốt”"),
                                            (AwardKind.ORG_RECOGNITION,
                                             "“Đảng bộ cơ sở 4 tốt”")) if kind in kinds]
        wanted.append("công nhận " + ", ".join(titles))
    if AwardKind.MERIT in kinds:
        wanted.append("tặng Giấy khen")
    subtitle = f"{' và '.join(wanted)} năm {year}"
    flow.centred(subtitle[:1].upper() + subtitle[1:], "bold", 14, after=2)
    flow.centred(f"(Kèm theo đề nghị của Ban Thường vụ {organisation.committee_name})",
                 "italic", 13, after=10)
    flow.table(PROPOSAL_COLUMNS, rows, size=12, header_size=12, section_rows=sections)
    summary = []
    for kind, label in ((AwardKind.CELL_RECOGNITION, "công nhận “Chi bộ 4 tốt”"),
                        (AwardKind.MERIT, "tặng Giấy khen"),
                        (AwardKind.ORG_RECOGNITION, "công nhận “Đảng bộ cơ sở 4 tốt”")):
        if kind in counts:
            unit = "tổ chức đảng" if kind is not AwardKind.CELL_RECOGNITION else "chi bộ"
            summary.append(f"{counts[kind]:02d} {unit} đề nghị {label}")
    flow.paragraph("Tổng cộng: " + "; ".join(summary) + ".", "italic", 13)
    signer_title = organisation.proposal_signer_title or "Bí thư"
    flow.signature(["T/M BAN THƯỜNG VỤ", signer_title], organisation.proposal_signer_name,
                   recipients=[f"- Ban Thường vụ {clean(organisation.upper_body)} (báo cáo),"
                               if organisation.upper_body else "- Cấp trên (báo cáo),",
                               "- Lưu Văn phòng Đảng ủy."])
    return flow.finish()


def write_proposal_list(office, year: int, target: str | os.PathLike,
                        date: dt.date | None = None) -> int:
    pages = proposal_list_pages(office, year, date)
    organisation = queries.identity_on(office, date or proposal_date(office, year))
    write_pdf(pages, target, title=f"Danh sách đề nghị khen thưởng năm {year}",
              author=organisation.committee_name)
    return len(pages)

