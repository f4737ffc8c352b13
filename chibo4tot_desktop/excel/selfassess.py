"""The self-assessment sheets (phiếu tự chấm điểm): a template the cells fill in, and the
import of the filled sheets into "Chi bộ tự chấm".

The template (``write_self_template``) has an instructions sheet, one protected sheet per
cell - the Party header of the registration template, the year's criteria items (the
catalogue of that year) with their maximum points, an input column with a check that keeps
each score between 0 and the item's maximum, and the signature block - and the very hidden
marker sheet (kind, version, year, organisation, sheet -> cell code).

The import works like the registration import (``excel.importer``): ``build_self_plan`` reads
the files safely (``excel.reader``), recognises the template by its marker, checks every
score with the rule of the scoring sheet (``ops.checks.points``: within the item's maximum,
two decimals) and every item against the year's catalogue (an item missing, unknown, or whose
maximum or wording changed since the template was made is a problem), and sorts the cells
into new / updated / unchanged, with each problem's file, sheet, row and column. Nothing is
written. ``apply_self_plan`` writes through ``ops.scoring.import_self_scores``: one
transaction, refused as a whole when the plan has problems unless the good rows only are
asked for. An empty cell in a sheet leaves the stored score as it is.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Cell, Scope
from chibo4tot_desktop.errors import UserError, ValidationError
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
from chibo4tot_desktop.excel.importer import (
    ADD,
    UNCHANGED,
    UPDATE,
    ImportOutcome,
    PlanBase,
    Problem,
    marker_problem,
    marker_values,
    require_importable,
)
from chibo4tot_desktop.excel.reader import UnsafeFileError, read_workbook
from chibo4tot_desktop.excel.template import (
    INSTRUCTIONS_SHEET,
    party_header,
    print_setup,
    sheet_title,
    titles,
)
from chibo4tot_desktop.ops import Office, checks, queries
from chibo4tot_desktop.ops.registrations import absence
from chibo4tot_desktop.ops.scoring import import_self_scores
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.text import clean, sort_key

SELF_KIND = "self-assessment-template"
SELF_VERSION = 1
FIRST_ROW = 10                   # the table's header row
LABEL, TEXT, MAX, SCORE = 1, 2, 3, 4
SCORE_COLUMN = "D"
_LABEL = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
_INPUT = Protection(locked=False)


def _items(office: Office, year: int):
    phase = queries.phase_for_year(office, year)
    return phase.catalogue(year, Scope.CELL)


# ----------------------------------------------------------------------------- template
def write_self_template(office: Office, year: int, target: str | Path,
                        cell_code: str | None = None) -> Path:
    """The self-assessment template of ``year`` (one cell, or every cell active that year)."""
    check_target(target)
    # Named as the year's papers name it; the marker carries the organisation's code.
    code = queries.organisation(office).code
    organisation = queries.identity_on(office, queries.year_document_date(office, year))
    groups = _items(office, year)
    if cell_code:
        cell = queries.cell_by_code(office, cell_code)
        if not queries.cell_timeline(office).in_year(cell.id, year):
            raise UserError(f"Chi bộ '{cell.name}' {absence(cell)}, không chấm điểm năm "
                            f"{year}.")
        cells = [cell]
    else:
        cells = queries.cells_in_year(office, year)
        if not cells:
            raise UserError(f"Năm {year} chưa có chi bộ nào để lập phiếu tự chấm.")
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = INSTRUCTIONS_SHEET
    _write_instructions(instructions, organisation, year, len(cells))
    marker = workbook.create_sheet(MARKER_SHEET)
    for row in (("program", PROGRAM), ("kind", SELF_KIND), ("version", SELF_VERSION),
                ("year", year), ("organisation", code)):
        marker.append(row)
    marker.sheet_state = "veryHidden"
    marker.protection.sheet = True
    taken: set[str] = set()
    for cell in sorted(cells, key=lambda c: sort_key(c.name)):
        title = sheet_title(cell.code, taken)
        _write_sheet(workbook.create_sheet(title), organisation, year, cell, groups)
        marker.append(("sheet", title, cell.code))
    return save_workbook(workbook, target)


def _write_instructions(sheet, organisation, year: int, count: int) -> None:
    sheet.column_dimensions["A"].width = 110
    lines = [
        (f"PHIẾU TỰ CHẤM ĐIỂM “CHI BỘ 4 TỐT” NĂM {year}", font(14, bold=True)),
        (organisation.name, font(12, italic=True)),
        ("", None),
        ("Cách điền:", font(12, bold=True)),
        (f"1. Mỗi chi bộ có một trang riêng mang mã của chi bộ ({count} trang).", None),
        ("2. Chỉ điền vào cột “Điểm chi bộ tự chấm” (nền trắng); điểm từ 0 đến điểm tối đa "
         "của mục, tối đa hai chữ số thập phân (ví dụ 4,5).", None),
        ("3. Ô để trống: chương trình giữ nguyên điểm đã có (nếu có).", None),
        ("4. Không đổi tên trang, không xóa hoặc thêm dòng, trang; lưu tệp dạng .xlsx, không "
         "đặt mật khẩu.", None),
        ("5. In trang của chi bộ, bí thư ký tên; gửi lại tệp cho văn phòng Đảng ủy. Chương "
         "trình đọc tệp và báo từng chỗ cần sửa nếu có.", None),
    ]
    for row, (text, style) in enumerate(lines, start=1):
        target = sheet.cell(row=row, column=1, value=text)
        target.font = style or font(12)
        target.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True
    print_setup(sheet)


def _write_sheet(sheet, organisation, year: int, cell: Cell, groups) -> None:
    for column, width in (("A", 8), ("B", 70), ("C", 11), ("D", 14)):
        sheet.column_dimensions[column].width = width
    party_header(sheet, organisation, cell, year, left=(1, 2), right=(3, 4))
    titles(sheet, [("PHIẾU TỰ CHẤM ĐIỂM", font(16, bold=True)),
                   (f"Xây dựng “Chi bộ 4 tốt” năm {year}", font(14, bold=True)),
                   (f"{cell.name} (mã {cell.code})", font(14)),
                   (f"Kính gửi: {organisation.committee_name}", font(14))], width=4)
    header = ("Mục", "Nội dung tiêu chí", "Điểm tối đa", "Điểm chi bộ tự chấm")
    for column, text in enumerate(header, start=1):
        target = sheet.cell(row=FIRST_ROW, column=column, value=text)
        target.font = font(12, bold=True)
        target.alignment = CENTER
        target.border = BORDER
    checks_by_max: dict[float, DataValidation] = {}
    row = FIRST_ROW + 1
    for group in groups:
        values = (str(group.position), group.title, group.max_points, None)
        for column, value in enumerate(values, start=1):
            target = sheet.cell(row=row, column=column, value=value)
            target.font = font(12, bold=True)
            target.alignment = LEFT_WRAP if column == TEXT else CENTER
            target.border = BORDER
        row += 1
        for item in group.items:
            values = (f"{group.position}.{item.position}", item.text, item.max_points, None)
            for column, value in enumerate(values, start=1):
                target = sheet.cell(row=row, column=column, value=value)
                target.font = font(12)
                target.alignment = LEFT_WRAP if column == TEXT else CENTER
                target.border = BORDER
            score = sheet.cell(row=row, column=SCORE)
            score.protection = _INPUT
            score.number_format = "0.##"
            check = checks_by_max.get(item.max_points)
            if check is None:
                points = rules.fmt_points(item.max_points)
                check = DataValidation(
                    type="decimal", operator="between", formula1="0",
                    formula2=repr(float(item.max_points)), allow_blank=True,
                    showErrorMessage=True, errorTitle="Điểm tự chấm",
                    error=f"Nhập điểm từ 0 đến {points}.")
                sheet.add_data_validation(check)
                checks_by_max[item.max_points] = check
            check.add(score.coordinate)
            row += 1
    total = sum(group.max_points for group in groups)
    for column, value in ((TEXT, "Tổng cộng"), (MAX, total)):
        target = sheet.cell(row=row, column=column, value=value)
        target.font = font(12, bold=True)
        target.alignment = CENTER
        target.border = BORDER
    for offset, text in ((2, "T/M CHI BỘ"), (3, "BÍ THƯ"), (8, cell.secretary)):
        if text:
            target = sheet.cell(row=row + offset, column=MAX, value=text)
            target.font = font(14, bold=True)
            target.alignment = CENTER
            sheet.merge_cells(start_row=row + offset, start_column=MAX, end_row=row + offset,
                              end_column=SCORE)
    sheet.protection.sheet = True
    sheet.protection.formatCells = False
    sheet.protection.formatRows = False
    sheet.print_title_rows = f"{FIRST_ROW}:{FIRST_ROW}"
    print_setup(sheet)


# ------------------------------------------------------------------------------- import
@dataclass(frozen=True)
class CatalogueItem:
    """A criteria item of the year as the checks need it (``label`` and ``max_points``)."""

    id: int
    label: str
    text: str
    max_points: float


@dataclass
class PlannedSheet:
    file: str
    sheet: str
    row: int
    cell_id: int
    cell_code: str
    cell_name: str
    scores: dict[int, float]          # item id -> the cell's own score
    action: str
    changes: list[str] = field(default_factory=list)
    expected_version: int | None = None
    total: float = 0.0

    def describe(self) -> str:
        where = f"{self.file}, trang '{self.sheet}'"
        if self.action == UPDATE:
            return f"{self.cell_name} ({where}): sửa mục {', '.join(self.changes)}"
        return (f"{self.cell_name} ({where}): {len(self.scores)} mục, tổng tự chấm "
                f"{rules.fmt_points(self.total)}")


@dataclass
class SelfPlan(PlanBase):
    NOUN = "phiếu tự chấm"


def build_self_plan(office: Office, year: int, paths: Sequence[str | Path],
                    progress: Progress = null_progress) -> SelfPlan:
    """Read and check the filled sheets; nothing is written. ``progress`` hears of each file
    and may stop the reading (``Cancelled``)."""
    items = {f"{group.position}.{item.position}": CatalogueItem(
        item.id, f"{group.position}.{item.position}", item.text, item.max_points)
        for group in _items(office, year) for item in group.items}
    organisation = queries.organisation(office)
    cells = {cell.code: cell for cell in queries.cells(office)}
    lives = queries.cell_timeline(office)
    plan = SelfPlan(year=year, files=[Path(path).name for path in paths])
    seen: dict[int, PlannedSheet] = {}
    for number, path in enumerate(paths):
        name = Path(path).name
        progress(number, len(paths), f"Đang đọc tệp {name}…")
        try:
            sheets = read_workbook(path)
        except UnsafeFileError as error:
            plan.problems.append(Problem(name, "", None, None, None, str(error)))
            continue
        marker = next((sheet for sheet in sheets if sheet.name == MARKER_SHEET), None)
        if marker is None:
            plan.problems.append(Problem(name, "", None, None, None, (
                f"Tệp '{name}' không phải phiếu tự chấm của chương trình (hãy dùng mẫu do "
                "chương trình lập: lệnh self-template hoặc nút “Mẫu tự chấm Excel”).")))
            continue
        values, form_sheets = marker_values(marker)
        why = marker_problem(values, name, SELF_KIND, SELF_VERSION,
                             ("mẫu phiếu tự chấm", "mẫu tự chấm"), year, organisation.code)
        if why:
            plan.problems.append(Problem(name, "", None, None, None, why))
            continue
        by_name = {sheet.name: sheet for sheet in sheets}
        empty = []
        for sheet_name, code in form_sheets:
            sheet = by_name.get(sheet_name)
            if sheet is None:
                plan.problems.append(Problem(name, sheet_name, None, None, None,
                                             f"Thiếu trang '{sheet_name}' của chi bộ mã "
                                             f"'{code}' (trang đã bị xóa hoặc đổi tên)."))
                continue
            planned = _read_sheet(plan, name, sheet, code, cells.get(code), items, year,
                                  lives)
            if planned is None:
                continue
            if not planned.scores:
                empty.append(sheet_name)
                continue
            earlier = seen.get(planned.cell_id)
            if earlier is not None:
                plan.problems.append(Problem(
                    name, sheet_name, None, None, planned.cell_name,
                    f"chi bộ '{planned.cell_name}' đã có phiếu ở {earlier.file}, trang "
                    f"'{earlier.sheet}'; hãy giữ lại một phiếu"))
                continue
            seen[planned.cell_id] = planned
            plan.rows.append(planned)
        if empty:
            plan.notes.append(f"Tệp '{name}': {len(empty)} trang chưa điền, bỏ qua "
                              f"({', '.join(empty)}).")
    _compare(office, year, plan, items)
    return plan


def _read_sheet(plan: SelfPlan, file: str, sheet, code: str, cell: Cell | None, items: dict,
                year: int, lives) -> PlannedSheet | None:
    """One cell's sheet: its scores checked item by item (problems added to the plan)."""
    if cell is None:
        plan.problems.append(Problem(file, sheet.name, None, None, code,
                                     f"không có chi bộ mã '{code}' trong danh sách chi bộ"))
        return None
    if not lives.in_year(cell.id, year):
        plan.problems.append(Problem(file, sheet.name, None, None, cell.name,
                                     f"chi bộ '{cell.name}' {absence(cell)}, không chấm điểm "
                                     f"năm {year} được"))
        return None
    problems: list[Problem] = []
    scores: dict[int, float] = {}
    found: set[str] = set()
    first_row = None
    for index, row in enumerate(sheet.rows, start=1):
        if index <= FIRST_ROW or not row:
            continue
        label = clean(row[0]) if isinstance(row[0], str) else ""
        if not _LABEL.match(label):
            continue
        label = ".".join(str(int(part)) for part in _LABEL.match(label).groups())
        first_row = first_row or index
        cells = list(row) + [None] * 4
        item = items.get(label)
        if item is None:
            problems.append(Problem(file, sheet.name, index, "A", label,
                                    f"mục {label} không có trong bộ tiêu chí năm {year}"))
            continue
        found.add(label)
        typed_max = cells[MAX - 1]
        if not isinstance(typed_max, (int, float)) or isinstance(typed_max, bool) or \
                abs(float(typed_max) - item.max_points) > rules.EPSILON:
            problems.append(Problem(file, sheet.name, index, "C", typed_max,
                                    f"điểm tối đa của mục {label} nay là "
                                    f"{rules.fmt_points(item.max_points)}; mẫu đã cũ, hãy lập "
                                    "mẫu mới"))
            continue
        if clean(cells[TEXT - 1]) != clean(item.text):
            problems.append(Problem(file, sheet.name, index, "B", None,
                                    f"nội dung mục {label} khác bộ tiêu chí năm {year}; mẫu đã "
                                    "cũ hoặc bị sửa, hãy lập mẫu mới"))
            continue
        value = cells[SCORE - 1]
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            points = checks.points(value, item, "chi bộ tự chấm")
        except ValidationError as error:
            problems.append(Problem(file, sheet.name, index, SCORE_COLUMN, value,
                                    _lower_first(str(error).rstrip("."))))
            continue
        scores[item.id] = points
    if scores or problems:
        missing = [label for label in items if label not in found]
        if missing:
            problems.append(Problem(file, sheet.name, None, None, None,
                                    f"thiếu mục {', '.join(missing)} (dòng đã bị xóa)"))
    if problems:
        plan.problems.extend(problems)
        return None
    return PlannedSheet(file, sheet.name, first_row or FIRST_ROW, cell.id, cell.code, cell.name,
                        scores, ADD, total=sum(scores.values()))


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _compare(office: Office, year: int, plan: SelfPlan, items: dict) -> None:
    """New, updated or unchanged against the stored evaluations (with the version read)."""
    label_of = {item.id: label for label, item in items.items()}
    for planned in plan.rows:
        evaluation = queries.evaluation(office, planned.cell_id, year)
        if evaluation is None:
            continue
        stored = {score.item_id: score.self_points for score in evaluation.scores}
        planned.expected_version = evaluation.version
        planned.changes = [label_of[item_id] for item_id, points in planned.scores.items()
                           if stored.get(item_id) is None
                           or abs(stored[item_id] - points) > rules.EPSILON]
        planned.action = UPDATE if planned.changes else UNCHANGED


def apply_self_plan(office: Office, plan: SelfPlan, only_good: bool = False,
                    progress: Progress = null_progress) -> ImportOutcome:
    """Write the plan in one transaction; with problems, only when ``only_good``. On
    ``Cancelled`` (from ``progress``) nothing is written."""
    require_importable(plan, only_good)
    changing = [row for row in plan.rows if row.action != UNCHANGED]
    if changing:
        import_self_scores(office, plan.year, [
            {"cell_id": row.cell_id, "scores": row.scores,
             "expected_version": row.expected_version} for row in changing],
            progress=progress)
    return ImportOutcome(len(plan.to_add), len(plan.to_update), len(plan.unchanged),
                         len(plan.problems), noun="phiếu tự chấm")
