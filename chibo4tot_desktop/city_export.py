"""The city's papers: the consolidated proposal list (Excel) and every ward's certificates in
one PDF. The list is written with openpyxl (Party header, Vietnamese order, dates dd/mm/yyyy)
and saved like every Excel file of the program (``excel.common.save_workbook``: the text guard,
then the one file writer)."""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter

from chibo4tot_desktop.city import ProposalRow, consolidated_proposals, wards
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.text import clean, format_date, place_date_line

UPPER_PREFIXES = ("Thành ủy ", "Tỉnh ủy ", "Huyện ủy ", "Quận ủy ", "Thị ủy ")

COLUMNS = [
    ("STT", 6), ("Đảng bộ", 28), ("Mã", 9), ("Đơn vị được đề nghị", 34), ("Hình thức", 28),
    ("Số đảng viên", 9), ("Điểm tự chấm", 9), ("Điểm Đảng ủy chấm", 10), ("Xếp loại", 10),
    ("Kết quả xét", 13), ("Số năm liên tục", 9), ("Ngày đề nghị", 12),
    ("Quyết định", 30), ("Số sổ", 9),
]


def city_body(db: Database) -> str:
    """The body the wards report to ("Thành ủy Hà Tĩnh"): the most common upper body."""
    names = Counter(clean(org.upper_body) for org in wards(db) if clean(org.upper_body))
    return names.most_common(1)[0][0] if names else ""


def city_place(body: str) -> str:
    """"Thành ủy Hà Tĩnh" -> "Hà Tĩnh" (the place on the place-date line)."""
    for prefix in UPPER_PREFIXES:
        if body.lower().startswith(prefix.lower()):
            return body[len(prefix):].strip()
    return body


def write_proposals_xlsx(db: Database, year: int, target: str | os.PathLike,
                         issuer: str | None = None, place: str | None = None,
                         date: dt.date | None = None,
                         progress: Progress = null_progress) -> int:
    """Write the consolidated proposal list; returns the number of proposals listed.
    ``progress`` hears of each row and may stop the work (``Cancelled``: no file written)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from chibo4tot_desktop.excel.common import check_target, save_workbook

    check_target(target)
    progress(0, None, "Đang tổng hợp đề nghị của các đảng bộ…")
    rows = consolidated_proposals(db, year)
    if not rows:
        raise UserError(f"Năm {year} chưa có đề nghị khen thưởng nào của các đảng bộ.")
    issuer = clean(issuer) if issuer else city_body(db)
    place = clean(place) if place else city_place(issuer)
    date = date or dt.date.today()

    book = Workbook()
    sheet = book.active
    sheet.title = f"Đề nghị {year}"
    last = get_column_letter(len(COLUMNS))
    bold = Font(name="Times New Roman", bold=True, size=13)
    plain = Font(name="Times New Roman", size=12)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    # Party header: issuing body left (with "*"), the Party's name and place-date right.
    sheet.merge_cells("A1:E1")
    sheet["A1"] = issuer.upper()
    sheet.merge_cells("A2:E2")
    sheet["A2"] = "*"
    sheet.merge_cells(f"H1:{last}1")
    sheet["H1"] = "ĐẢNG CỘNG SẢN VIỆT NAM"
    sheet.merge_cells(f"H2:{last}2")
    sheet["H2"] = place_date_line(place, date) if place else ""
    for ref in ("A1", "A2", "H1"):
        sheet[ref].font = bold
        sheet[ref].alignment = centre
    sheet["H1"].font = Font(name="Times New Roman", bold=True, size=14, underline="single")
    sheet["H2"].font = Font(name="Times New Roman", italic=True, size=13)
    sheet["H2"].alignment = centre
    sheet.merge_cells(f"A4:{last}4")
    sheet["A4"] = ("DANH SÁCH TỔNG HỢP ĐỀ NGHỊ CÔNG NHẬN “CHI BỘ 4 TỐT”, “ĐẢNG BỘ CƠ SỞ 4 TỐT” "
                   f"VÀ TẶNG GIẤY KHEN NĂM {year}")
    sheet["A4"].font = Font(name="Times New Roman", bold=True, size=14)
    sheet["A4"].alignment = centre
    sheet.row_dimensions[4].height = 36
    ward_count = len({row.ward_code for row in rows})
    sheet.merge_cells(f"A5:{last}5")
    sheet["A5"] = f"(Kèm theo đề nghị của {ward_count} đảng bộ; {len(rows)} đề nghị)"
    sheet["A5"].font = Font(name="Times New Roman", italic=True, size=12)
    sheet["A5"].alignment = centre

    header_row = 7
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for index, (title, width) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(header_row, index, title)
        cell.font = Font(name="Times New Roman", bold=True, size=12)
        cell.alignment = centre
        cell.border = border
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.row_dimensions[header_row].height = 45
    for number, row in enumerate(rows, start=1):
        progress(number - 1, len(rows), "Đang ghi danh sách tổng hợp…")
        values = _values(number, row)
        for index, value in enumerate(values, start=1):
            cell = sheet.cell(header_row + number, index, value)
            cell.font = plain
            cell.border = border
            cell.alignment = Alignment(vertical="center", wrap_text=True,
                                       horizontal="left" if index in (2, 4, 5, 13)
                                       else "center")
            if isinstance(value, dt.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, float):
                cell.number_format = "0.##"
    sheet.freeze_panes = sheet.cell(header_row + 1, 1)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    progress(len(rows), len(rows), "Đang lưu tệp…")
    save_workbook(book, target, progress)
    return len(rows)


def _values(number: int, row: ProposalRow) -> list:
    decision = ""
    if row.decided:
        decision = f"Số {row.decision_number} ngày {format_date(row.decision_date)}"
    return [number, row.ward_name, row.cell_code, row.recipient, row.kind_label,
            row.members, row.self_total, row.committee_total, row.classification or None,
            row.verdict, row.consecutive_years or None, row.proposed_on, decision or None,
            row.register_number or None]


def certificate_pages(db: Database, year: int) -> list:
    """Every ward's certificates of the year (decided awards), ward by ward, each with that
    ward's certificate settings."""
    from chibo4tot_desktop.pdf.certificates import certificate_pages as pages_of
    from chibo4tot_desktop.pdf.certificates import year_certificates

    pages = []
    for organisation in wards(db):
        office = Office(db, organisation.id)
        try:
            certificates, settings = year_certificates(office, year)
        except UserError:      # no phase for the year, or no decided award
            continue
        pages.extend(pages_of(certificates, settings))
    return pages


def write_city_certificates(db: Database, year: int, target: str | os.PathLike) -> int:
    from chibo4tot_desktop.pdf.render import write_pdf

    pages = certificate_pages(db, year)
    if not pages:
        raise UserError(f"Năm {year} chưa có khen thưởng nào đã có quyết định để in giấy khen.")
    write_pdf(pages, target, title=f"Giấy khen, giấy chứng nhận năm {year} (các đảng bộ)",
              author=city_body(db))
    return len(pages)
