"""The registration template (mẫu bản đăng ký thi đua) sent to the cells.

One workbook for one cell or for all active cells: an instructions sheet, one form sheet per
cell (Party header, title, "Kính gửi", the fields, signature block), a hidden list sheet
feeding the drop-down lists, and a very hidden marker sheet telling the importer the
template's kind, version, year, organisation and which sheet belongs to which cell.
Labels are locked (sheet protection without password), input cells are open.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from chibo4tot_desktop.db.models import Cell, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel.common import (
    BORDER,
    CENTER,
    LEFT_WRAP,
    MARKER_SHEET,
    PROGRAM,
    check_target,
    font,
    save_workbook,
)
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.text import sort_key

TEMPLATE_KIND = "registration-template"
TEMPLATE_VERSION = 1
LIST_SHEET = "DanhMuc"
INSTRUCTIONS_SHEET = "Hướng dẫn"
FIRST_FIELD_ROW = 9
DEFAULT_TITLES = ("Chi bộ 4 tốt",)
_INPUT = Protection(locked=False)


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
    fields.append(Field("signer", "Bí thư chi bộ (người ký)"))
    return fields


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
    titles = list(DEFAULT_TITLES)
    for registration in queries.registrations(office, year):
        if registration.title not in titles:
            titles.append(registration.title)

    workbook = Workbook()
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
    sheet.column_dimensions["A"].width = 110
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
        ("6. Không đổi tên trang, không xóa hoặc thêm trang; lưu tệp dạng .xlsx, không đặt "
         "mật khẩu.", None),
        ("7. Gửi lại tệp cho văn phòng Đảng ủy; chương trình sẽ đọc tệp và báo từng chỗ "
         "cần sửa nếu có.", None),
    ]
    for row, (text, style) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = style or font(12)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True
    print_setup(sheet, landscape=False)


def _write_form(sheet, organisation, year: int, cell: Cell, fields: list[Field],
                title_count: int) -> None:
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 78
    party_header(sheet, organisation, cell, year)
    titles(sheet, [("BẢN ĐĂNG KÝ THI ĐUA", font(16, bold=True)),
                   (f"Xây dựng “Chi bộ 4 tốt” năm {year}", font(14, bold=True)),
                   (f"Kính gửi: {organisation.committee_name}", font(14))])

    values = {"code": cell.code, "name": cell.name, "title": DEFAULT_TITLES[0],
              "members_count": cell.members_count or None, "signer": cell.secretary}
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
        if field.key.startswith("commitment_"):
            sheet.row_dimensions[row].height = 90
    signature = FIRST_FIELD_ROW + len(fields) + 1
    for row, text in ((signature, "T/M CHI BỘ"), (signature + 1, "BÍ THƯ")):
        target = sheet.cell(row=row, column=2, value=text)
        target.font = font(14, bold=True)
        target.alignment = CENTER
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatRows = False
    print_setup(sheet, landscape=False)


def party_header(sheet, organisation, cell: Cell, year: int, left: tuple[int, int] = (1, 1),
                 right: tuple[int, int] = (2, 2)) -> None:
    """The Party header of a cell's paper, rows 1-3: on the left the organisation and the cell
    (capitals, bold) and "*", on the right "ĐẢNG CỘNG SẢN VIỆT NAM" (bold 15, underlined) and
    the place-date line. ``left`` / ``right``: the first and last column of each side."""
    header = [
        (1, left, organisation.name.upper(), font(13, bold=True)),
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


def print_setup(sheet, landscape: bool = False) -> None:
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_margins.left = sheet.page_margins.right = 0.6
    sheet.print_options.horizontalCentered = True
