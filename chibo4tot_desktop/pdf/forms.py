"""The other printed papers, A4 portrait in the Party document format (36-HD/VPTW):

- the registration form of a cell (bản đăng ký thi đua, what the cell's secretary signs);
- the proposal list (danh sách đề nghị) the ward's Standing Committee sends to the city.

Each is built as a ``layout.Paper``: its pages and the warnings to show before it is printed
(a signer without a name). Each paper carries the organisation's identity in force on its own
date (``timeline``; the header's upper body and the list's signer through ``documents``), the
year's own criteria catalogue and the year's own figures (members from the year's
registration; a decided award, the figures its decision was made on).
"""

from __future__ import annotations

import datetime as dt
import os

from chibo4tot_desktop import documents
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.documents import proposal_date, proposal_rows, upper_party_body
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.pdf.document import Column, Flow
from chibo4tot_desktop.pdf.layout import Page, Paper
from chibo4tot_desktop.pdf.render import write_paper
from chibo4tot_desktop.text import clean, place_date_line

__all__ = ["proposal_date", "proposal_rows", "upper_party_body", "proposal_list",
           "proposal_list_pages", "registration_form", "registration_form_pages",
           "write_proposal_list", "write_registration_form"]


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# ------------------------------------------------------------------------ registration form
def registration_form(office, year: int, cell_code: str, blank: bool = False) -> Paper:
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
            flow.dotted_lines(3, 13, 1.4)       # the blank form fits one page
        flow.space(4)
    signer = (registration.signer if registration else "") or cell.secretary
    lines = ["T/M CHI BỘ", "BÍ THƯ"]
    recipients = [f"- {organisation.committee_name} (báo cáo),", "- Lưu chi bộ."]
    closing = f"{cell.name} cam kết lãnh đạo, tổ chức thực hiện đầy đủ các chỉ tiêu đã đăng ký."
    # The closing paragraph's last lines go with the signature: it never stands alone.
    flow.paragraph(closing, keep_with_next=flow.signature_layout(lines, signer,
                                                                 recipients).height)
    flow.signature(lines, signer, recipients=recipients)
    warnings = []
    if not clean(signer) and not blank:
        warnings.append(f"Bản đăng ký của {cell.name} chưa có họ tên bí thư ký (nhập ở bản "
                        "đăng ký, hoặc tên bí thư trong thông tin chi bộ).")
    return Paper(flow.finish(), f"Bản đăng ký thi đua năm {year} – {cell.name}", cell.name,
                 warnings)


def registration_form_pages(office, year: int, cell_code: str, blank: bool = False
                            ) -> list[Page]:
    return registration_form(office, year, cell_code, blank).pages


def write_registration_form(office, year: int, cell_code: str,
                            target: str | os.PathLike, blank: bool = False) -> int:
    paper = registration_form(office, year, cell_code, blank)
    write_paper(paper, target)
    return len(paper.pages)


# ---------------------------------------------------------------------------- proposal list
PROPOSAL_COLUMNS = (
    Column("TT", 5, "center"),
    Column("Tên tổ chức đảng", 31),
    Column("Số đảng viên", 9, "center"),
    Column("Tổng điểm", 9, "center"),
    Column("Xếp loại", 13, "center"),
    Column("Số năm liên tục đạt", 10, "center"),
    Column("Ghi chú", 23),
)


def proposal_list(office, year: int, date: dt.date | None = None) -> Paper:
    """The year's proposal list, dated ``date`` (by default the latest proposal's date)."""
    from chibo4tot_desktop.reports import year_overview

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
    subtitle = documents.proposal_subject(counts, year)
    flow.centred(subtitle[:1].upper() + subtitle[1:], "bold", 14, after=2)
    flow.centred(f"(Kèm theo đề nghị của Ban Thường vụ {organisation.committee_name})",
                 "italic", 13, after=10)
    total = "Tổng cộng: " + documents.proposal_counts(counts) + "."
    regulation = f"Xếp loại chất lượng theo {year_overview(office, year).regulation}."
    signer = documents.ward_signer(office, date)
    recipients = [f"- {documents.upper_recipient(organisation)} (báo cáo),",
                  "- Lưu Văn phòng Đảng ủy."]
    signature = flow.signature_layout(signer.lines, signer.name, recipients).height
    # The last rows, the regulation, the totals and the signature end the list on one page.
    after_table = (flow.paragraph_height(regulation, "italic", 13)
                   + flow.paragraph_height(total, "italic", 13) + signature)
    flow.table(PROPOSAL_COLUMNS, rows, size=12, header_size=12, section_rows=sections,
               keep_with_next=after_table)
    flow.paragraph(regulation, "italic", 13,
                   keep_with_next=flow.paragraph_height(total, "italic", 13) + signature)
    flow.paragraph(total, "italic", 13, keep_with_next=signature)
    flow.signature(signer.lines, signer.name, recipients=recipients)
    warnings = [] if signer.name else [documents.missing_signer("Danh sách đề nghị")]
    return Paper(flow.finish(), f"Danh sách đề nghị khen thưởng năm {year}",
                 organisation.committee_name, warnings)


def proposal_list_pages(office, year: int, date: dt.date | None = None) -> list[Page]:
    return proposal_list(office, year, date).pages


def write_proposal_list(office, year: int, target: str | os.PathLike,
                        date: dt.date | None = None) -> int:
    paper = proposal_list(office, year, date)
    write_paper(paper, target)
    return len(paper.pages)

