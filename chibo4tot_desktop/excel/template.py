"""The registration template (mẫu bản đăng ký thi đua) sent to the cells.

One workbook for one cell or for all active cells: an instructions sheet, one form sheet per
cell (Party header, title, "Kính gửi", the fields, signature block with "Nơi nhận", 30 mm to
sign and, under it, the secretary's name to type), a hidden list sheet feeding the drop-down lists, and a very
hidden marker sheet telling the importer the template's kind, version, year, organisation and
which sheet belongs to which cell. Labels are locked (sheet protection without password),
input cells are open, and the workbook's structure is locked (no sheet renamed, moved or
deleted by mistake). Each form prints on one A4 portrait page at full size.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from chibo4tot_desktop.db.models import Cell, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel.common import (
    BORDER,
    CENTER,
    LEFT_WRAP,
    MARKER_SHEET,
    PROGRAM,
    apply_print_setup,
    check_target,
    font,
    print_layout,
    row_height,
    save_workbook,
    use_times_default,
)
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.registrations import TITLES
from chibo4tot_desktop.text import sort_key

TEMPLATE_KIND = "registration-template"
TEMPLATE_VERSION = 2       # 2: the signer's name is typed under the signature block
LIST_SHEET = "DanhMuc"
INSTRUCTIONS_SHEET = "Hướng dẫn"
FIRST_FIELD_ROW = 9
DEFAULT_TITLES = TITLES
_INPUT = Protection(locked=False)
FORM_WIDTHS = (35, 45)                  # columns A (labels) and B (what the cell fills in)
COMMITMENT_HEIGHT = 70.0                # points to type each group's commitments
FORM_MARGINS = (0.8, 0.6)               # inches: 20 and 15 mm, as 36-HD's left and right
SIGNATURE_ROOM = 85.0                   # points (30 mm) to sign and stamp


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    locked: bool = False


def form_fields(group_titles: list[str]) -> list[Field]:
    """The form's fields, in order; the importer finds them by these labels."""
    fields = [
        Field("code", "Mã chi bộ", locked=True),
        Field("name", "Tên chi bộ", locked=True),
        Field("title", "Danh hiệu đăng ký"),
        Field("received_on", "Ngày đăng ký (ngày/tháng/năm)"),
        Field("members_count", "Số đảng viên"),
    ]
    for index in range(4):
        title = group_titles[index] if index < len(group_titles) else f"Nhóm tiêu chí {index + 1}"
        fields.append(Field(f"commitment_{index + 1}",
                            f"{index + 1}. {title}: chỉ tiêu, cam kết"))
    return fields


# The secretary's name is typed where it is printed: under "BÍ THƯ" and the room to sign.
SIGNER_LABEL = "Họ tên bí thư (người ký):"


# Labels the importer accepts for each field of a form sheet (besides the exact label).
FORM_LABEL_KEYS = {
    "ma chi bo": "code",
    "ten chi bo": "name",
    "danh hieu dang ky": "title",
    "ngay dang ky": "received_on",
    "so dang vien": "members_count",
    "bi thu chi bo": "signer",
}


def sheet_title(code: str, taken: set[str]) -> str:
    """A valid, unique sheet name from a cell code (31 characters, no []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\']", "_", code).strip() or "ChiBo"
    base = base[:28]
    title, number = base, 2
    while title.casefold() in taken or title.casefold() in (MARKER_SHEET.casefold(),
                                                             LIST_SHEET.casefold(),
                                                             INSTRUCTIONS_SHEET.casefold()):
        title = f"{base}_{number}"
        number += 1
    taken.add(title.casefold())
    return title


def write_template(office: Office, year: int, target: str | Path,
                   cell_code: str | None = None) -> Path:
    """Write the template for ``year`` (one cell, or every cell active that year)."""
    check_target(target)
    phase = queries.phase_for_year(office, year)
    phase_year = next(item for item in phase.years if item.year == year)
    # The identity in force when the cells register that year.
    organisation = queries.identity_on(office, phase_year.registration_deadline
                                       or queries.year_document_date(office, year))
    in_year = queries.cells_in_year(office, year)
    if cell_code:
        cell = queries.cell_by_code(office, cell_code)
        if cell.id not in {item.id for item in in_year}:
            raise UserError(f"Chi bộ '{cell.name}' không thuộc năm {year} (chưa thành lập hoặc "
                            f"đã kết thúc hoạt động), không có mẫu đăng ký năm {year}.")
        cells = [cell]
    else:
        cells = in_year
        if not cells:
            raise UserError(f"Năm {year} chưa có chi bộ nào để lập mẫu đăng ký.")
    group_titles = [group.title for group in phase.catalogue(year, Scope.CELL)]
    fields = form_fields(group_titles)
    titles = list(TITLES)       # only the titles the office recognises (the importer's check)

    workbook = Workbook()
    use_times_default(workbook)
    # Sheets cannot be renamed, moved, added or deleted: each form stays the importer's.
    workbook.security = WorkbookProtection(lockStructure=True)
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, organisation, year, len(cells))

    lists = workbook.create_sheet(LIST_SHEET)
    for row, title in enumerate(titles, start=1):
        lists.cell(row=row, column=1, value=title)
    lists.sheet_state = "hidden"
    lists.protection.sheet = True

    marker = workbook.create_sheet(MARKER_SHEET)
    for row in (("program", PROGRAM), ("kind", TEMPLATE_KIND), ("version", TEMPLATE_VERSION),
                ("year", year), ("organisation", queries.organisation(office).code)):
        marker.append(row)
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True

    taken: set[str] = set()
    for cell in sorted(cells, key=lambda c: sort_key(c.name)):
        title = sheet_title(cell.code, taken)
        sheet = workbook.create_sheet(title)
        _write_form(sheet, organisation, year, cell, fields, len(titles))
        marker.append(("sheet", title, cell.code))
    return save_workbook(workbook, target)   # every text through the text guard


def _write_instructions(sheet, organisation, year: int, count: int) -> None:
    sheet.column_dimensions["A"].width = 78
    lines = [
        (f"MẪU ĐĂNG KÝ THI ĐUA “CHI BỘ 4 TỐT” NĂM {year}", font(14, bold=True)),
        (organisation.name, font(12, italic=True)),
        ("", None),
        ("Cách điền:", font(12, bold=True)),
        (f"1. Mỗi chi bộ có một trang riêng mang mã của chi bộ ({count} trang).", None),
        ("2. Chỉ điền vào các ô có nền trắng ở cột B; tên và mã chi bộ đã điền sẵn, "
         "không sửa.", None),
        ("3. Ngày đăng ký ghi theo dạng ngày/tháng/năm, ví dụ 06/03/" + str(year) + ".", None),
        ("4. Danh hiệu đăng ký chọn trong danh sách thả xuống.", None),
        ("5. Chỉ tiêu, cam kết của từng nhóm tiêu chí: ghi ngắn gọn, có thể xuống dòng "
         "(Alt+Enter).", None),
        ("6. Họ tên bí thư (người ký) ghi ở ô dưới chữ “BÍ THƯ”, để trống khoảng ký.", None),
        ("7. Không đổi tên trang, không xóa hoặc thêm trang; lưu tệp dạng .xlsx, không đặt "
         "mật khẩu.", None),
        ("8. Gửi lại tệp cho văn phòng Đảng ủy; chương trình sẽ đọc tệp và báo từng chỗ "
         "cần sửa nếu có.", None),
    ]
    for row, (text, style) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = style or font(12)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        size = (style.sz if style is not None else None) or 12
        sheet.row_dimensions[row].height = row_height([text], [78], size,
                                                      bool(style is not None and style.b))
    sheet.protection.sheet = True
    _print_setup(sheet, (78,))


def _write_form(sheet, organisation, year: int, cell: Cell, fields: list[Field],
                title_count: int) -> None:
    widths = dict(zip("AB", FORM_WIDTHS))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = width
    # 36-HD/VPTW: the upper body regular, the issuing body (the cell) bold, "*" under it.
    header = [
        ("A1", organisation.name.upper(), font(13)),
        ("B1", "ĐẢNG CỘNG SẢN VIỆT NAM", font(15, bold=True, underline=True)),
        ("A2", cell.name.upper(), font(13, bold=True)),
        ("B2", f"{organisation.place_name or '...'}, ngày ... tháng ... năm {year}",
         font(14, italic=True)),
        ("A3", "*", font(13)),
    ]
    for ref, value, style in header:
        sheet[ref] = value
        sheet[ref].font = style
        sheet[ref].alignment = Alignment(horizontal="center", wrap_text=True)
    for row in (1, 2):
        sheet.row_dimensions[row].height = max(
            row_height([sheet[f"A{row}"].value], [widths["A"]], 13, True),
            row_height([sheet[f"B{row}"].value], [widths["B"]], 15 if row == 1 else 14, True))
    for row, text, style in ((5, "BẢN ĐĂNG KÝ THI ĐUA", font(16, bold=True)),
                             (6, f"Xây dựng “Chi bộ 4 tốt” năm {year}", font(14, bold=True)),
                             (7, f"Kính gửi: {organisation.committee_name}", font(14))):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        target = sheet.cell(row=row, column=1, value=text)
        target.font = style
        target.alignment = Alignment(horizontal="center", wrap_text=True)
        sheet.row_dimensions[row].height = row_height([text], [sum(FORM_WIDTHS)],
                                                      style.sz or 14, True)

    values = {"code": cell.code, "name": cell.name, "title": TITLES[0],
              "members_count": cell.members_count or None}
    title_list = DataValidation(type="list", formula1=f"{LIST_SHEET}!$A$1:$A${title_count}",
                                allow_blank=True, showErrorMessage=True,
                                errorTitle="Danh hiệu", error="Hãy chọn danh hiệu trong danh sách.")
    date_check = DataValidation(type="date", operator="between",
                                formula1=str(_serial(dt.date(year - 1, 1, 1))),
                                formula2=str(_serial(dt.date(year, 12, 31))),
                                allow_blank=True, showErrorMessage=True, errorTitle="Ngày",
                                error=f"Nhập ngày dạng ngày/tháng/năm, từ năm {year - 1} "
                                      f"đến hết năm {year}.")
    count_check = DataValidation(type="whole", operator="between", formula1="0",
                                 formula2="100000", allow_blank=True, showErrorMessage=True,
                                 errorTitle="Số đảng viên", error="Nhập một số nguyên.")
    for validation in (title_list, date_check, count_check):
        sheet.add_data_validation(validation)
    for offset, field in enumerate(fields):
        row = FIRST_FIELD_ROW + offset
        label = sheet.cell(row=row, column=1, value=field.label)
        label.font = font(12, bold=True)
        label.alignment = LEFT_WRAP
        label.border = BORDER
        value = sheet.cell(row=row, column=2, value=values.get(field.key))
        value.font = font(12)
        value.alignment = LEFT_WRAP
        value.border = BORDER
        if not field.locked:
            value.protection = _INPUT
        if field.key == "received_on":
            value.number_format = "dd/mm/yyyy"
            date_check.add(value.coordinate)
        elif field.key == "title":
            title_list.add(value.coordinate)
        elif field.key == "members_count":
            count_check.add(value.coordinate)
        height = row_height([field.label], [widths["A"]], 12, True)
        if field.key.startswith("commitment_"):
            height = max(height, COMMITMENT_HEIGHT)     # room to type the commitments
        sheet.row_dimensions[row].height = height
    _write_signature(sheet, organisation, FIRST_FIELD_ROW + len(fields) + 1, cell.secretary)
    _keep_signature(sheet, FIRST_FIELD_ROW + len(fields) + 4)
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatRows = False
    _print_setup(sheet, FORM_WIDTHS)


def _write_signature(sheet, organisation, first: int, signer: str) -> None:
    """"Nơi nhận" (left) and "T/M CHI BỘ / BÍ THƯ", 30 mm to sign, and the secretary's name
    to type (right), pre-filled with the cell's secretary."""
    lefts = [("Nơi nhận:", font(14, underline=True)),
             (f"- {organisation.committee_name} (báo cáo),", font(12)),
             ("- Lưu chi bộ.", font(12))]
    rights = [("T/M CHI BỘ", font(14, bold=True)), ("BÍ THƯ", font(14, bold=True)), ("", None)]
    for offset, ((left_text, left_font), (right_text, right_font)) in enumerate(
            zip(lefts, rights)):
        row = first + offset
        left = sheet.cell(row=row, column=1, value=left_text)
        left.font = left_font
        left.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if right_text:
            right = sheet.cell(row=row, column=2, value=right_text)
            right.font = right_font
            right.alignment = CENTER
        sheet.row_dimensions[row].height = max(
            row_height([left_text], [FORM_WIDTHS[0]], left_font.sz or 12),
            row_height([right_text], [FORM_WIDTHS[1]], 14, True))
    sheet.row_dimensions[first + 2].height = max(SIGNATURE_ROOM,
                                                 sheet.row_dimensions[first + 2].height or 0)
    label = sheet.cell(row=first + 3, column=1, value=SIGNER_LABEL)
    label.font = font(11, italic=True)
    label.alignment = Alignment(horizontal="right", vertical="center")
    name = sheet.cell(row=first + 3, column=2, value=signer or None)
    name.font = font(14, bold=True)
    name.alignment = CENTER
    name.protection = _INPUT
    sheet.row_dimensions[first + 3].height = 22


def party_header(sheet, organisation, cell: Cell, year: int, left: tuple[int, int] = (1, 1),
                 right: tuple[int, int] = (2, 2)) -> None:
    """The Party header of a cell's paper, rows 1-3: on the left the organisation (capitals,
    regular, as 36-HD/VPTW gives the upper body), the cell (capitals, bold) and "*", on the
    right "ĐẢNG CỘNG SẢN VIỆT NAM" (bold 15, underlined) and the place-date line. ``left`` / ``right``: the first and last column of each side."""
    header = [
        (1, left, organisation.name.upper(), font(13)),
        (1, right, "ĐẢNG CỘNG SẢN VIỆT NAM", font(15, bold=True, underline=True)),
        (2, left, cell.name.upper(), font(13, bold=True)),
        (2, right, f"{organisation.place_name or '...'}, ngày ... tháng ... năm {year}",
         font(14, italic=True)),
        (3, left, "*", font(13)),
    ]
    for row, (first, last), value, style in header:
        if last > first:
            sheet.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
        target = sheet.cell(row=row, column=first, value=value)
        target.font = style
        target.alignment = Alignment(horizontal="center", wrap_text=True)


def titles(sheet, lines, first_row: int = 5, width: int = 2) -> None:
    """Centred title lines across ``width`` columns from ``first_row``."""
    for row, (text, style) in enumerate(lines, start=first_row):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        target = sheet.cell(row=row, column=1, value=text)
        target.font = style
        target.alignment = Alignment(horizontal="center", wrap_text=True)


def _serial(value: dt.date) -> int:
    return (value - dt.date(1899, 12, 30)).days


def _keep_signature(sheet, last: int) -> None:
    """One page per form: the rows to type the commitments give up height (down to 50 pt
    each) when the header wraps; a form still taller than the page sends its last
    commitment, the signer and the signature block to the second page together (never the
    signature alone)."""
    from openpyxl.worksheet.pagebreak import Break

    from chibo4tot_desktop.excel.common import A4_HEIGHT

    page = A4_HEIGHT - 1.2 * 72 - 8
    commitments = range(FIRST_FIELD_ROW + 5, FIRST_FIELD_ROW + 9)
    heights = {row: sheet.row_dimensions[row].height or 16.0 for row in range(1, last + 1)}
    excess = sum(heights.values()) - page
    if excess > 0:
        for row in commitments:
            cut = min(excess / 4 + 0.5, heights[row] - 50.0)
            if cut > 0:
                sheet.row_dimensions[row].height = heights[row] = round(heights[row] - cut, 1)
    if sum(heights.values()) > page:
        sheet.row_breaks.append(Break(id=commitments[-1] - 1))


def _print_setup(sheet, widths) -> None:
    """A4 portrait at a fixed scale (the body never under 10 pt on paper)."""
    apply_print_setup(sheet, print_layout(widths, False, FORM_MARGINS), False, FORM_MARGINS)


def print_setup(sheet, landscape: bool = False) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.print_options.horizontalCentered = True
