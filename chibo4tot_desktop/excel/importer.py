"""Import of registrations from Excel: files -> a checked plan -> one transaction.

``build_plan`` reads the files (safely, see ``reader``), recognises the program's own
templates (by their hidden marker) or a plain consolidated list (a Vietnamese header row in any
column order, after title rows and merged cells), converts and checks every value with the
same rules as the office's forms, and sorts the rows into: to add, to update, unchanged, and
problems (file, sheet, row, column, value, Vietnamese message). Nothing is written.

``apply_plan`` writes the plan in ONE transaction (``Office.import_registrations``): every row
or none. With problems it refuses unless the user chose to import the good rows only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.models import Cell, Registration, Scope
from chibo4tot_desktop.db.plain import paused_gc
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.excel.common import MARKER_SHEET, PROGRAM
from chibo4tot_desktop.excel.reader import (
    SheetRows,
    SheetValues,
    UnsafeFileError,
    column_letter,
    gather,
    reading_workbook,
)
from chibo4tot_desktop.excel.template import (
    FORM_LABEL_KEYS,
    TEMPLATE_KIND,
    TEMPLATE_VERSION,
)
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.registrations import (
    CheckedValues,
    import_registrations,
    registration_value,
)
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.text import DateParseError, clean, fold, format_date, parse_date

ADD, UPDATE, UNCHANGED = "add", "update", "unchanged"
DEFAULT_TITLE = "Chi bộ 4 tốt"
HEADER_SCAN_ROWS = 30
EXCEL_EPOCH = dt.date(1899, 12, 30)

VALUE_FIELDS = ("title", "received_on", "members_count", "commitment_1", "commitment_2",
                "commitment_3", "commitment_4", "signer")
FIELD_LABELS = {
    "code": "mã chi bộ", "name": "tên chi bộ", "title": "danh hiệu",
    "received_on": "ngày đăng ký", "members_count": "số đảng viên",
    "commitment_1": "cam kết nhóm 1", "commitment_2": "cam kết nhóm 2",
    "commitment_3": "cam kết nhóm 3", "commitment_4": "cam kết nhóm 4",
    "signer": "người ký", "year": "năm",
}

# Header texts of a plain list, compared without diacritics, case or punctuation.
HEADER_KEYS = {
    "ma chi bo": "code", "ma": "code", "ma cb": "code", "ma so": "code", "ma don vi": "code",
    "chi bo": "name", "ten chi bo": "name", "ten": "name", "ten don vi": "name",
    "don vi": "name", "chi bo truc thuoc": "name",
    "danh hieu": "title", "danh hieu dang ky": "title", "danh hieu thi dua": "title",
    "dang ky danh hieu": "title",
    "ngay dang ky": "received_on", "ngay nhan": "received_on", "ngay": "received_on",
    "ngay gui": "received_on", "ngay nhan ban dang ky": "received_on",
    "ngay dang ky ngay thang nam": "received_on",
    "so dang vien": "members_count", "so dv": "members_count", "dang vien": "members_count",
    "tong so dang vien": "members_count",
    "nguoi ky": "signer", "bi thu": "signer", "bi thu chi bo": "signer",
    "bi thu chi bo nguoi ky": "signer", "nguoi dang ky": "signer", "ho ten": "signer",
    "ho va ten": "signer",
    "nam": "year", "nam dang ky": "year", "nam thi dua": "year",
    "stt": "skip", "tt": "skip", "so tt": "skip", "so thu tu": "skip", "ghi chu": "skip",
    "tinh trang": "skip", "ket qua": "skip", "xep loai": "skip",
}
_COMMITMENT = re.compile(r"^(?:(?:chi tieu|cam ket|nhom|tieu chi|nhom tieu chi)\b.*?\b([1-4])\b"
                         r"|([1-4])\b)")
# Headings offices type, by the words they contain (checked in this order, after the exact
# texts above): "Họ tên Bí thư", "Họ và tên bí thư chi bộ", "Tên tổ chức đảng", "Ngày nhận
# bản đăng ký thi đua", "Số lượng đảng viên"...
_HEADER_WORDS = (
    ("skip", ("cam ket", "chi tieu")),      # commitments without a group number
    ("signer", ("bi thu", "nguoi ky", "ky ten")),
    ("title", ("danh hieu",)),
    ("members_count", ("dang vien",)),
    ("received_on", ("ngay", "thoi gian dang ky")),
    ("code", ("ma chi bo", "ma don vi", "ma so")),
    ("name", ("chi bo", "to chuc dang", "to chuc co so dang", "don vi")),
)


def plain_key(value: object) -> str:
    """"Ngày đăng ký (ngày/tháng/năm)" -> "ngay dang ky ngay thang nam"."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", fold(value, accents=False)).split())


def header_field(value: object, group_titles: Sequence[str] = ()) -> str | None:
    """The registration field a column heading names, or None. ``group_titles``: the
    criteria groups' titles, which offices also use as the commitment columns' headings."""
    key = plain_key(value)
    if not key:
        return None
    if key in HEADER_KEYS:
        return HEADER_KEYS[key]
    match = _COMMITMENT.match(key)
    if match:
        return f"commitment_{match.group(1) or match.group(2)}"
    for index, title in enumerate(group_titles[:4], start=1):
        title_key = plain_key(title)
        if title_key and (title_key in key or key in title_key and len(key) >= 12):
            return f"commitment_{index}"
    padded = f" {key} "
    for name, words in _HEADER_WORDS:
        if any(f" {word} " in padded for word in words):
            return name
    return None


# The closing block of a hand-typed list: the place-date line ("Tân Giang, ngày 12 tháng 3
# năm 2025"), "T/M ĐẢNG ỦY", "Nơi nhận", "Người lập biểu"... Reading stops there.
_PLACE_DATE = re.compile(r"^[^\d,]{2,80},\s*ngày\b.*\btháng\b.*\bnăm\b")
_CLOSING_STARTS = ("t/m ", "tm. ", "tm ", "t.m ", "kt. ", "kt ", "nơi nhận", "người lập",
                   "người tổng hợp", "xác nhận", "thủ trưởng")
# An ASCII text holds no "ngày" (the place-date line): it can only be a closing cell by one
# of the ASCII starts above, so one whose first letter starts none of them is not.
_ASCII_FIRSTS = frozenset(start[0] for start in _CLOSING_STARTS if start.isascii())


def closing_text(value: object) -> bool:
    """A cell of the list's closing block (place-date line, signature headings)."""
    if not isinstance(value, str):
        return False
    if value.isascii() and value.lstrip()[:1].lower() not in _ASCII_FIRSTS:
        return False
    text = clean(value).casefold()
    return bool(_PLACE_DATE.match(text)) or text.startswith(_CLOSING_STARTS)


@dataclass(frozen=True)
class Problem:
    """One thing wrong, where it is, and what to do (Vietnamese)."""

    file: str
    sheet: str
    row: int | None
    column: str | None
    value: object
    message: str

    def text(self) -> str:
        if self.row and self.column:
            return f"Dòng {self.row}, cột {self.column}: {self.message}"
        if self.row:
            return f"Dòng {self.row}: {self.message}"
        return self.message

    def full_text(self) -> str:
        place = self.file + (f", trang '{self.sheet}'" if self.sheet else "")
        return f"{place}: {self.text()}"


@dataclass(slots=True)      # 100,000 of them in a large list's plan
class PlannedRow:
    file: str
    sheet: str
    row: int
    cell_id: int
    cell_code: str
    cell_name: str
    values: dict
    action: str
    changes: list[str] = field(default_factory=list)
    expected_version: int | None = None

    def describe(self) -> str:
        where = f"{self.file}, trang '{self.sheet}', dòng {self.row}"
        if self.action == UPDATE:
            return f"{self.cell_name} ({where}): sửa {', '.join(self.changes)}"
        return f"{self.cell_name} ({where}), ngày {format_date(self.values['received_on'])}"


@dataclass
class PlanBase:
    """What every import plan has: the rows sorted by what will happen to them, the problems
    (file, sheet, row, column) and notes. ``NOUN`` names one row's record in messages."""

    NOUN = "bản ghi"

    year: int
    files: list[str]
    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[PlannedRow]:
        return [row for row in self.rows if row.action == action]

    @property
    def to_add(self) -> list[PlannedRow]:
        return self.of(ADD)

    @property
    def to_update(self) -> list[PlannedRow]:
        return self.of(UPDATE)

    @property
    def unchanged(self) -> list[PlannedRow]:
        return self.of(UNCHANGED)

    @property
    def has_changes(self) -> bool:
        return any(row.action != UNCHANGED for row in self.rows)

    def summary(self) -> str:
        parts = [f"Thêm mới: {len(self.to_add)}", f"Cập nhật: {len(self.to_update)}",
                 f"Không đổi: {len(self.unchanged)}", f"Lỗi: {len(self.problems)}"]
        return " · ".join(parts)

    def report_lines(self, limit: int | None = None) -> list[str]:
        """The plan as text: counts, what changes, every problem (the CLI prints this)."""
        lines = [f"Năm {self.year}, {len(self.files)} tệp. {self.summary()}"]
        sections = ((self.to_add, "Sẽ thêm mới"), (self.to_update, "Sẽ cập nhật"))
        for rows, title in sections:
            if rows:
                lines.append(f"{title} ({len(rows)}):")
                shown = rows if limit is None else rows[:limit]
                lines.extend(f"  + {row.describe()}" for row in shown)
                if len(shown) < len(rows):
                    lines.append(f"  ... và {len(rows) - len(shown)} dòng khác")
        if self.problems:
            lines.append(f"Lỗi ({len(self.problems)}), các dòng này không được nhập:")
            lines.extend(f"  ! {problem.full_text()}" for problem in self.problems)
        lines.extend(f"Ghi chú: {note}" for note in self.notes)
        if self.rows and not self.has_changes:
            lines.append(f"Không có gì mới: {len(self.unchanged)} {self.NOUN} trong tệp đã có "
                         "sẵn và giống hệt dữ liệu hiện có.")
        return lines


@dataclass
class ImportPlan(PlanBase):
    NOUN = "bản đăng ký"


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    updated: int
    unchanged: int
    skipped: int
    noun: str = "bản đăng ký"

    def message(self) -> str:
        if not self.added and not self.updated:
            return (f"Không có gì mới để nhập ({self.unchanged} {self.noun} đã có, giống hệt)."
                    + (f" Bỏ qua {self.skipped} lỗi." if self.skipped else ""))
        text = f"Đã nhập: thêm {self.added}, cập nhật {self.updated}, không đổi {self.unchanged}."
        if self.skipped:
            text += f" Bỏ qua {self.skipped} lỗi (các dòng lỗi không được nhập)."
        return text


# ----------------------------------------------------------------------------- building
class CellRef(NamedTuple):
    """A cell as the plan needs it (a tuple: 10,000 are made in a blink)."""

    id: int
    code: str
    name: str
    started_on: dt.date | None
    dissolved_on: dt.date | None


class _Context:
    """What the plan builder knows about the office: cells, existing registrations."""

    def __init__(self, office: Office, year: int):
        self.office = office
        self.year = year
        self.organisation_code = queries.organisation(office).code
        self.group_titles = [group.title for group in queries.phase_for_year(office, year).groups
                             if group.scope == Scope.CELL.value]
        # Unsorted on purpose: the plan keeps the file's order, and sorting 10,000 names by
        # Vietnamese collation costs more than the whole read.
        # Plain rows (no ORM objects): 10,000 cells load in a fraction of the time.
        with office.read() as session:
            self.rule = queries.year_rule_in(session)
            self.review_day = queries.review_days_in(session).get(year)
        with office.db.session() as session:
            cells = [CellRef(*row) for row in session.execute(
                select(Cell.id, Cell.code, Cell.name, Cell.started_on, Cell.dissolved_on)
                .where(Cell.organisation_id == office.organisation_id))]
            self.existing = {row.cell_id: row for row in session.execute(
                select(Registration.cell_id, Registration.version,
                       *(getattr(Registration, key) for key in VALUE_FIELDS))
                .join(Registration.cell).where(
                    Cell.organisation_id == office.organisation_id, Registration.year == year))}
        self.by_code = {fold(cell.code): cell for cell in cells}
        self.by_name: dict[str, CellRef] = {}
        for cell in cells:
            for key in _name_keys(cell.name):
                self.by_name.setdefault(key, cell)
        self.seen: dict[int, PlannedRow] = {}
        self.fields: dict[tuple, tuple] = {}
        self.lives: dict[tuple, bool] = {}

    def field_value(self, key: str, raw: object) -> tuple[object, str | None, str | None]:
        """A cell's value for field ``key``, converted and checked with the office's rules:
        (the value as ``registration_values`` returns it, None, None), or (None, why it could
        not be read, None), or (None, None, why the rules refuse it). Both depend on the value
        alone (and the year of the plan), so each distinct value of a field is done once per
        plan: a list repeats its title, dates, numbers and often its commitments."""
        remembered = (key, raw.__class__, raw)   # equal values of one kind print alike
        found = self.fields.get(remembered)
        if found is None:
            found = self.fields[remembered] = self._field_value(key, raw)
        return found

    def _field_value(self, key: str, raw: object) -> tuple[object, str | None, str | None]:
        try:
            if key == "received_on":
                if _is_blank(raw):
                    return None, "chưa nhập ngày đăng ký", None
                value = to_date(raw)
                if not self.year - 1 <= value.year <= self.year:
                    return None, f"ngày '{format_date(value)}' không thuộc năm {self.year}", None
            elif key == "members_count":
                value = None if _is_blank(raw) else to_count(raw)
            elif key == "title":
                value = _text(raw) if not _is_blank(raw) else DEFAULT_TITLE
            else:
                value = raw if raw.__class__ is str else _text(raw)
        except DateParseError as error:
            return None, str(error), None
        try:
            return registration_value(key, value), None, None
        except ValidationError as error:
            return None, None, _lower_first(str(error).rstrip("."))

    def in_year(self, cell: CellRef) -> bool:
        """``timeline.in_year`` for the plan's year, once per distinct life of a cell."""
        life = (cell.started_on, cell.dissolved_on)
        answer = self.lives.get(life)
        if answer is None:
            answer = self.lives[life] = timeline.in_year(*life, self.year, self.rule,
                                                         self.review_day)
        return answer

    def find_cell(self, code: str, name: str) -> tuple[CellRef | None, str | None]:
        """The cell for a typed code and/or name, both cleaned (``clean``), or (None, why
        not)."""
        # fold() of a clean text is its casefold
        by_code = self.by_code.get(code.casefold()) if code else None
        by_name = None
        if name:
            by_name = self.by_name.get(name.casefold())
            if by_name is None:
                for key in _name_keys(name):
                    by_name = self.by_name.get(key)
                    if by_name:
                        break
        if code and by_code is None:
            return None, f"không có chi bộ mã '{code}'"
        if by_code and by_name is not None and by_name.id != by_code.id:
            return None, f"mã '{code}' là của '{by_code.name}', nhưng tên ghi '{name}'"
        cell = by_code or by_name
        if cell is None:
            return None, f"không có chi bộ '{name}' trong danh sách chi bộ"
        return cell, None


def _name_keys(name: str) -> list[str]:
    """Ways a typed cell name may match: folded, without spaces, with "Chi bộ" added."""
    folded = fold(name)
    keys = [folded, folded.replace(" ", "")]
    if not folded.startswith("chi bộ"):
        keys += ["chi bộ " + folded, ("chi bộ " + folded).replace(" ", "")]
    return keys


def build_plan(office: Office, year: int, paths: Sequence[str | Path],
               progress: Progress = null_progress) -> ImportPlan:
    """Read and check ``paths``; nothing is written. ``progress`` hears of each file and may
    stop the reading (``Cancelled``)."""
    queries.phase_for_year(office, year)
    with paused_gc():       # many small objects, no cycles: see db.plain
        return _build_plan(office, year, paths, progress)


def _build_plan(office: Office, year: int, paths: Sequence[str | Path],
                progress: Progress = null_progress) -> ImportPlan:
    context = None
    plan = ImportPlan(year=year, files=[Path(path).name for path in paths])
    for number, path in enumerate(paths):
        name = Path(path).name
        progress(number, len(paths), f"Đang đọc tệp {name}…")
        before = None
        try:
            with reading_workbook(path) as values:
                if context is None:    # the office's cells, read while the child reads
                    context = _Context(office, year)
                pieces = values.pieces()
                listed = next(pieces, ("sheets", []))[1]
                if any(sheet_name == MARKER_SHEET for sheet_name, _ in listed):
                    sheets = gather(pieces)
                    marker = next(sheet for sheet in sheets if sheet.name == MARKER_SHEET)
                    _read_template(context, plan, name, sheets, marker)
                else:
                    # A list is checked piece by piece as the child sends it.
                    before = _Undo(plan, context)
                    _read_list(context, plan, name, SheetRows(pieces))
        except UnsafeFileError as error:
            if before is not None:
                before.undo()       # what was read of the file before it failed goes
            plan.problems.append(Problem(name, "", None, None, None, str(error)))
            continue
    progress(len(paths), len(paths), "Đã đọc xong")
    return plan


def _is_blank(value: object) -> bool:
    return value is None or value == "" or (value.__class__ is str and value.isspace())


def marker_values(marker: SheetValues) -> tuple[dict, list[tuple[str, str]]]:
    values, sheets = {}, []
    for row in marker.rows:
        if not row or _is_blank(row[0]):
            continue
        key = clean(row[0])
        if key == "sheet" and len(row) >= 3:
            sheets.append((clean(row[1]), clean(_text(row[2]))))
        elif len(row) >= 2:
            values[key] = _text(row[1])
    return values, sheets


def _read_template(context: _Context, plan: ImportPlan, name: str, sheets: list[SheetValues],
                   marker: SheetValues) -> None:
    values, form_sheets = marker_values(marker)

    def refuse(message: str) -> None:
        plan.problems.append(Problem(name, "", None, None, None, message))

    why = marker_problem(values, name, TEMPLATE_KIND, TEMPLATE_VERSION,
                         ("mẫu đăng ký thi đua", "mẫu đăng ký"), context.year,
                         context.organisation_code)
    if why:
        refuse(why)
        return
    by_name = {sheet.name: sheet for sheet in sheets}
    listed = {sheet_name for sheet_name, _ in form_sheets}
    # A form sheet renamed after all (the structure lock was lifted): found by its code.
    spare = {}
    for sheet in sheets:
        if sheet.name not in listed and sheet.visible:
            typed = clean(_text(_form_record(sheet).get("code", ("",))[0]))
            if typed:
                spare.setdefault(typed.casefold(), sheet)
    filled = 0
    empty: list[str] = []
    for sheet_name, code in form_sheets:
        sheet = by_name.get(sheet_name) or spare.pop(code.casefold(), None)
        if sheet is None:
            plan.problems.append(Problem(name, sheet_name, None, None, None,
                                         f"Thiếu trang '{sheet_name}' của chi bộ mã '{code}' "
                                         "(trang đã bị xóa hoặc đổi tên)."))
            continue
        sheet_name = sheet.name
        record = _form_record(sheet)
        inputs = [record.get(key, ("",))[0] for key in ("received_on", "commitment_1",
                                                         "commitment_2", "commitment_3",
                                                         "commitment_4")]
        if all(_is_blank(value) for value in inputs):
            empty.append(sheet_name)
            continue
        filled += 1
        typed_code = _text(record.get("code", ("",))[0])
        if clean(typed_code) and clean(typed_code) != code:
            row_number = record["code"][1]
            plan.problems.append(Problem(name, sheet_name, row_number, "B", typed_code,
                                         f"mã chi bộ đã bị sửa (mẫu ghi '{code}')"))
            continue
        record["code"] = (code, record.get("code", (None, 1, "B"))[1], "B")
        record.pop("name", None)
        _add_record(context, plan, name, sheet_name, _first_row(record), record)
    if form_sheets and not filled:
        plan.notes.append(f"Tệp '{name}': chưa có trang nào được điền.")
    elif empty:
        plan.notes.append(f"Tệp '{name}': {len(empty)} trang chưa điền, bỏ qua "
                          f"({', '.join(empty)}).")


def _form_record(sheet: SheetValues) -> dict:
    """A template form sheet's fields: key -> (value in column B, row, "B")."""
    record: dict = {}
    for index, row in enumerate(sheet.rows, start=1):
        if len(row) < 2 or _is_blank(row[0]):
            continue
        key = FORM_LABEL_KEYS.get(plain_key(row[0]).removesuffix(" nguoi ky")
                                  .removesuffix(" ngay thang nam")) or header_field(row[0])
        if key in FIELD_LABELS and key not in record and key not in ("year",):
            record[key] = (row[1], index, "B")
    return record


def marker_problem(values: dict, name: str, kind: str, version: int, what: tuple[str, str],
                   year: int, organisation_code: str) -> str | None:
    """Why a template's hidden marker does not fit this import (another kind, a newer
    program, another year or organisation), or None. ``what``: the template's name, long and
    short ("mẫu đăng ký thi đua", "mẫu đăng ký")."""
    if values.get("program") != PROGRAM or values.get("kind") != kind:
        return (f"Tệp '{name}' là tệp của chương trình nhưng không phải {what[0]} "
                f"(loại '{values.get('kind', '')}'); không nhập.")
    try:
        template_version = int(float(values.get("version", "0")))
        template_year = int(float(values.get("year", "0")))
    except ValueError:
        return f"Tệp '{name}': phần đánh dấu của mẫu bị sửa hỏng; hãy dùng mẫu mới."
    if template_version > version:
        return (f"Tệp '{name}' là mẫu của phiên bản chương trình mới hơn; hãy cập nhật "
                "chương trình.")
    if template_year != year:
        return f"Tệp '{name}' là {what[1]} năm {template_year}, không nhập vào năm {year}."
    if values.get("organisation") != organisation_code:
        return (f"Tệp '{name}' là mẫu của đảng bộ khác (mã '{values.get('organisation')}'); "
                "không nhập.")
    return None


def _first_row(record: dict) -> int:
    return min(row for _, row, _ in record.values())


class _Undo:
    """The plan and the rows seen as they were before a file: put back when the file fails
    half-way (its rows are checked as they come), so a refused file adds nothing but its
    refusal."""

    def __init__(self, plan: ImportPlan, context: _Context):
        self.plan, self.context = plan, context
        self.rows, self.seen = list(plan.rows), dict(context.seen)
        self.problems, self.notes = len(plan.problems), len(plan.notes)

    def undo(self) -> None:
        self.plan.rows[:] = self.rows
        del self.plan.problems[self.problems:]
        del self.plan.notes[self.notes:]
        self.context.seen = self.seen


def _read_list(context: _Context, plan: ImportPlan, name: str,
               sheets: Iterable[tuple[SheetValues, Iterable[list]]]) -> None:
    """The rows of a plain list: ``sheets`` gives each sheet with its rows."""
    found = False
    for sheet, rows in sheets:
        if not sheet.visible:
            continue
        rows = iter(rows)
        head = list(itertools.islice(rows, HEADER_SCAN_ROWS))
        header = _find_header(head, context.group_titles)
        if header is None:
            continue
        found = True
        header_row, columns = header
        wanted = [(column, key) for column, key in columns.items() if key != "skip"]
        keys = [key for _, key in wanted]
        letters = [column_letter(column) for column, _ in wanted]
        take = _taker([column for column, _ in wanted])
        # Each row's record: {key: (value, row number, column letter)}, made in C.
        for number, row in enumerate(itertools.chain(head[header_row + 1:], rows),
                                     start=header_row + 2):
            values = take(row)
            if _is_blank(values[0]) and all(map(_is_blank, values)):
                continue
            record = dict(zip(keys, zip(values, itertools.repeat(number), letters)))
            if _is_total(record):
                continue
            if _is_closing(row, record):
                break        # the place-date line and signatures under the list
            _add_record(context, plan, name, sheet.name, number, record)
    if not found:
        plan.problems.append(Problem(
            name, "", None, None, None,
            f"Tệp '{name}' không phải mẫu của chương trình và không tìm thấy dòng tiêu đề của "
            "danh sách (cần các cột 'Chi bộ' hoặc 'Mã chi bộ', và 'Ngày đăng ký')."))


def _taker(columns: list[int]):
    """A function giving a row's values at ``columns`` as a tuple ('' past the row's end)."""
    getter = operator.itemgetter(*columns)
    last = max(columns)
    single = len(columns) == 1

    def take(row: list) -> tuple:
        if len(row) > last:
            return (getter(row),) if single else getter(row)
        return tuple(row[column] if column < len(row) else "" for column in columns)
    return take


TOTAL_WORDS = ("tong cong", "cong", "tong so", "tong")


def _is_total(record: dict) -> bool:
    """The list's own totals row ("Tổng cộng") is not a registration."""
    for key in ("code", "name"):
        value = record[key][0] if key in record else None
        if isinstance(value, str) and len(value) < 16 and \
                value.strip()[:4].lower() in ("tổng", "cộng", "tong", "cong") and \
                plain_key(value) in TOTAL_WORDS:
            return True
    return False


def _is_closing(row: list, record: dict) -> bool:
    """The first row of the closing block: a place-date line or a signature heading, on a
    row that names no cell (a date typed as "Tân Giang, ngày 7 tháng 3 năm 2024" beside a
    cell's name is that cell's date)."""
    # The row's unit cells first: on a row of the list one of them names a cell, and the
    # answer is known without looking at the row's other cells.
    for key in ("code", "name"):
        unit = record.get(key)
        if unit is not None and not (_is_blank(unit[0]) or closing_text(unit[0])):
            return False
    return any(closing_text(value) for value in row)


def _find_header(rows: list[list], group_titles: Sequence[str] = ()
                 ) -> tuple[int, dict[int, str]] | None:
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        columns: dict[int, str] = {}
        for column, value in enumerate(row):
            if isinstance(value, str):
                key = header_field(value, group_titles)
                if key and (key == "skip" or key not in columns.values()):
                    columns[column] = key
        keys = set(columns.values())
        if ("name" in keys or "code" in keys) and "received_on" in keys:
            return index, columns
    return None


# ------------------------------------------------------------------------- conversions
def _text(value: object) -> str:
    if value.__class__ is str:
        return "" if value.isspace() else value
    if _is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return format_date(value.date())
    if isinstance(value, dt.date):
        return format_date(value)
    return str(value)


def to_date(value: object) -> dt.date:
    """A date from a real date, an Excel serial number, or text "15/3/2024", "15-03-2024"."""
    if isinstance(value, bool):
        raise DateParseError(f"'{value}' không phải là ngày")
    if isinstance(value, (int, float)):
        if not 1 <= value < 2958466:
            raise DateParseError(f"'{_text(value)}' không phải là ngày")
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, dt.time):
        raise DateParseError(f"'{value}' là giờ, không phải là ngày")
    if isinstance(value, str) and re.fullmatch(r"\s*\d{5}(\.0+)?\s*", value):
        return to_date(float(value))
    if isinstance(value, str):
        written = _WRITTEN_DATE.search(clean(value).casefold())
        if written:   # "ngày 05 tháng 3 năm 2025", also after a place name
            return parse_date("/".join(written.groups()))
    return parse_date(value)


_WRITTEN_DATE = re.compile(r"^(?:[^\d,]{2,80},\s*)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+"
                           r"năm\s+(\d{4})\s*$")


def to_count(value: object) -> object:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = clean(value)
        if re.fullmatch(r"\d+[.,]0+", text):
            return int(text.split(",")[0].split(".")[0])
        return text
    return value


def _add_record(context: _Context, plan: ImportPlan, file: str, sheet: str, row: int,
                record: dict) -> None:
    problems: list[Problem] = []

    def problem(key: str, value: object, message: str) -> None:
        _, row_number, column = record.get(key, (None, row, None))
        problems.append(Problem(file, sheet, row_number, column, value, message))

    code = _text(record["code"][0]) if "code" in record else ""
    name = _text(record["name"][0]) if "name" in record else ""
    cell = None
    typed_code, typed_name = clean(code), clean(name)
    if not typed_code and not typed_name:
        problem("name", "", "chưa ghi tên chi bộ")
    else:
        cell, why = context.find_cell(typed_code, typed_name)
        if cell is None:
            problem("code" if typed_code and "mã" in why else "name", name or code, why)
        elif not context.in_year(cell):
            problem("name", name or code,
                    f"chi bộ '{cell.name}' không thuộc năm {context.year} (chưa thành lập hoặc "
                    f"đã kết thúc hoạt động), không đăng ký năm {context.year} được")
            cell = None
    if "year" in record and not _is_blank(record["year"][0]):
        typed = _text(record["year"][0]).strip()
        if typed != str(context.year):
            problem("year", typed, f"năm '{typed}' khác năm đang nhập ({context.year})")

    # The office's own rules, field by field to name each error (checked once: the import's
    # write takes them as they are); what could not be read is reported before what the rules
    # refuse.
    values = CheckedValues()
    refused = []
    known = context.fields.get
    for key in VALUE_FIELDS:
        if key in record:
            raw = record[key][0]
            value, unreadable, why = known((key, raw.__class__, raw)) or \
                context.field_value(key, raw)
            if unreadable is not None:
                problem(key, raw, unreadable)
            elif why is not None:
                refused.append((key, raw, why))
            else:
                values[key] = value
    for key, raw, why in refused:
        problem(key, raw, why)
    if "received_on" not in record:
        problem("received_on", "", "thiếu cột ngày đăng ký")
    if problems or cell is None:
        plan.problems.extend(problems)
        return
    values.setdefault("title", DEFAULT_TITLE)

    earlier = context.seen.get(cell.id)
    if earlier is not None:
        where = f"{earlier.file}, trang '{earlier.sheet}', dòng {earlier.row}"
        if earlier.values == values:
            plan.notes.append(f"{file}, trang '{sheet}', dòng {row}: {cell.name} trùng với "
                              f"{where} (giống hệt), chỉ nhập một lần.")
            return
        plan.problems.append(Problem(file, sheet, row, None, cell.name,
                                     f"chi bộ '{cell.name}' đã có ở {where} với nội dung "
                                     "khác; hãy giữ lại một dòng"))
        if earlier in plan.rows:
            plan.rows.remove(earlier)
            plan.problems.append(Problem(earlier.file, earlier.sheet, earlier.row, None,
                                         cell.name, f"chi bộ '{cell.name}' có thêm một dòng "
                                         f"khác ở {file}, trang '{sheet}', dòng {row}"))
        return

    existing = context.existing.get(cell.id)
    action, changes = ADD, []
    if existing is not None:
        changes = [FIELD_LABELS[key] for key, value in values.items()
                   if getattr(existing, key) != value]
        action = UPDATE if changes else UNCHANGED
    planned = PlannedRow(file, sheet, row, cell.id, cell.code, cell.name, values, action,
                         changes, existing.version if existing is not None else None)
    context.seen[cell.id] = planned
    plan.rows.append(planned)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


# ----------------------------------------------------------------------------- applying
def require_importable(plan: PlanBase, only_good: bool) -> None:
    """With problems, a plan is written only when the user chose to skip the bad rows."""
    if plan.problems and not only_good:
        raise UserError(f"Có {len(plan.problems)} lỗi trong tệp; chưa nhập gì. Hãy sửa tệp, "
                        "hoặc chọn nhập các dòng đúng (bỏ qua dòng lỗi).")


def apply_plan(office: Office, plan: ImportPlan, only_good: bool = False,
               progress: Progress = null_progress) -> ImportOutcome:
    """Write the plan in one transaction; with problems, only when ``only_good``. On
    ``Cancelled`` (from ``progress``) nothing is written."""
    require_importable(plan, only_good)
    changing = [row for row in plan.rows if row.action != UNCHANGED]
    if changing:
        with paused_gc():     # one entry per row, no cycles: see db.plain
            import_registrations(office, plan.year, [
                {"cell_id": row.cell_id, "values": row.values, "source_file": row.file,
                 "source_row": row.row, "expected_version": row.expected_version}
                for row in changing], progress)
    return ImportOutcome(len(plan.to_add), len(plan.to_update), len(plan.unchanged),
                         len(plan.problems))


def import_files(office: Office, year: int, paths: Iterable[str | Path],
                 only_good: bool = False) -> tuple[ImportPlan, ImportOutcome]:
    plan = build_plan(office, year, list(paths))
    return plan, apply_plan(office, plan, only_good)
