"""The office's lists as Excel workbooks, ready to print and send.

Each kind (cells, registrations, scores, results, proposals, awards, summary) becomes one or
more ``Table``s; ``write_tables`` lays them out the same way: the Party header (Hướng dẫn
36-HD/VPTW: the upper body regular and the issuing committee bold on the left, "ĐẢNG CỘNG SẢN
VIỆT NAM" and the place-date line of the document's own date on the right) over enough
columns, title rows, a frozen header row repeated on every printed page, wrapped text with row
heights computed from it, thin borders, totals, a signature block where the list is signed,
A4 landscape at a fixed scale that never prints the body under 10 pt (a wide list takes more
pages, its first columns repeated), dates as real Excel dates shown dd/mm/yyyy, rows in
Vietnamese order. Text passes the text guard of ``common`` (never a formula). The workbook is
written in openpyxl's streaming (write-only) mode through the program's one file writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Alignment, NamedStyle
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from chibo4tot_desktop import documents, rules
from chibo4tot_desktop.db.models import AwardKind, Cell, CellKind, Registration, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel.common import (
    A4_WIDTH,
    BODY_SIZE,
    BORDER,
    DIGIT_PIXELS,
    apply_print_setup,
    check_target,
    font,
    guard_cell,
    needs_text_guard,
    print_layout,
    row_height,
    save_workbook,
    use_times_default,
)
from chibo4tot_desktop.ops import (
    Office,
    queries,  # noqa: E402
)
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.reports import COUNT_LABELS, DecisionFacts, year_overview
from chibo4tot_desktop.text import place_date_line, sort_key

TEXT, WRAP, DATE, INT, POINTS = "text", "wrap", "date", "int", "points"
HEADER_ROW = 8  # the column titles; data starts on the next row
MARGINS = (0.6, 0.5)      # left, right (inches): a list is punched and filed on its left
SIGNATURE_ROOM = 85.0     # points (30 mm) between the signer's title and name


@dataclass(frozen=True)
class Column:
    title: str
    width: float
    kind: str = TEXT


@dataclass(frozen=True)
class Signature:
    """Who signs a list: "T/M ..." and the signer's title, the name; "Nơi nhận" beside."""

    lines: tuple[str, ...]
    name: str
    recipients: tuple[str, ...] = ()


@dataclass
class Table:
    sheet: str
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    totals: list | None = None
    notes: list[str] = field(default_factory=list)
    recipient: str = ""
    bold_rows: set[int] = field(default_factory=set)   # indexes in rows (subtotals)
    date: dt.date | None = None                         # the document's own date
    signature: Signature | None = None
    title_columns: str = "A:C"                          # repeated on pages across


from chibo4tot_desktop.excel.kinds import KINDS  # noqa: E402, F401  (re-exported)


# ------------------------------------------------------------------------------ writing
def _styles(workbook: Workbook) -> None:
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)
    wrap = Alignment(horizontal="left", vertical="top", wrap_text=True)
    right = Alignment(horizontal="right", vertical="center")
    size = BODY_SIZE
    specs = {
        "c4t_header": dict(font=font(size, bold=True), border=BORDER, alignment=center),
        "c4t_text": dict(font=font(size), border=BORDER, alignment=left),
        "c4t_wrap": dict(font=font(size), border=BORDER, alignment=wrap),
        "c4t_date": dict(font=font(size), border=BORDER, alignment=center,
                         number_format="dd/mm/yyyy"),
        "c4t_int": dict(font=font(size), border=BORDER, alignment=right, number_format="0"),
        "c4t_points": dict(font=font(size), border=BORDER, alignment=right,
                           number_format="0.##"),
        "c4t_total": dict(font=font(size, bold=True), border=BORDER, alignment=left),
        "c4t_total_num": dict(font=font(size, bold=True), border=BORDER, alignment=right,
                              number_format="0.##"),
    }
    for name, values in specs.items():
        workbook.add_named_style(NamedStyle(name=name, **values))


_STYLE_OF = {TEXT: "c4t_text", WRAP: "c4t_wrap", DATE: "c4t_date", INT: "c4t_int",
             POINTS: "c4t_points"}


def _cell(sheet, value, style: str | None = None, text_font=None, alignment=None):
    cell = WriteOnlyCell(sheet, value)
    if style:
        cell.style = style
    if text_font is not None:
        cell.font = text_font
    if alignment is not None:
        cell.alignment = alignment
    guard_cell(cell)                   # after the style, which would reset the mark
    return cell


class _ColumnCell(SheetCell):
    """A write-only cell reused for one column: its style never changes, so its style id is
    looked up once instead of once per row."""

    __slots__ = ("_cached_style_id",)

    def __init__(self, sheet, style: str, column: int, quote: bool = False):
        super().__init__(sheet, row=1, column=column)   # the writer sets the real place
        self.style = style
        if quote:
            self.quotePrefix = True
        self._cached_style_id = None

    # The streaming writer first tries a cell as a value (ValueError, whose message holds the
    # repr) and asks ``has_style`` twice per cell: keep both cheap.
    def __repr__(self) -> str:
        return "<ColumnCell>"

    @property
    def has_style(self) -> bool:
        return True

    @property
    def style_id(self):
        if self._cached_style_id is None:
            self._cached_style_id = SheetCell.style_id.fget(self)
        return self._cached_style_id


@dataclass(frozen=True)
class PartyHeader:
    left: list[str]       # the upper body (regular), then the issuing committee (bold)
    place: str


def _party_header(office: Office, date: dt.date | None) -> PartyHeader:
    """The header of a list dated ``date``: the identity in force that day (the same header
    as the PDFs)."""
    organisation = queries.identity_on(office, date)
    left = []
    upper = documents.upper_party_body(organisation)
    if upper:
        left.append(upper.upper())
    left.append(organisation.committee_name.upper())
    return PartyHeader(left, organisation.place_name or organisation.name)


def write_tables(office: Office, tables: Sequence[Table], target: str | Path,
                 date: dt.date | None = None, progress: Progress = null_progress) -> Path:
    """Write ``tables`` (one sheet each) to ``target``; ``date`` (else each table's own
    date, else today) goes on the place-date line, under the header of the identity in force
    that day. ``progress`` hears of every row written; on ``Cancelled`` no file is left."""
    check_target(target)
    workbook = Workbook(write_only=True)
    use_times_default(workbook)
    _styles(workbook)
    total = sum(len(table.rows) for table in tables)
    written = [0]

    def row_done() -> None:
        written[0] += 1
        progress(written[0], total)

    try:
        progress(0, total, "Đang ghi tệp Excel…")
        for table in tables:
            day = date or table.date or dt.date.today()
            _write_table(workbook, table, _party_header(office, day), day, row_done)
        progress(total, total, "Đang lưu tệp Excel…")
        return save_workbook(workbook, target, progress)
    except BaseException:
        _discard(workbook)
        raise


def _discard(workbook: Workbook) -> None:
    """Close the row writers of an unsaved streaming workbook (and their temporary files)."""
    for sheet in workbook.worksheets:
        rows = getattr(sheet, "_rows", None)
        if rows is not None:
            with contextlib.suppress(Exception):
                rows.close()
            sheet._rows = None


HEADER_FONTS = {
    "upper": font(14), "committee": font(14, bold=True), "star": font(14),
    "party": font(15, bold=True, underline=True), "date": font(14, italic=True),
}


def _needed_width(texts: Sequence[tuple[str, str, float]]) -> float:
    """The column width (characters) that holds each (text, style, size) on one line."""
    from chibo4tot_desktop.pdf.layout import measure

    points = max((measure(text, style, size) for text, style, size in texts if text),
                 default=0.0) + 12
    return (points / 0.75 - 5) / DIGIT_PIXELS


def _header_split(widths: list[float], left_need: float, right_need: float
                  ) -> tuple[int, list[float]]:
    """Where the left block ends (columns 0..split-1) and the widths, the last one widened
    when the columns are too few or too narrow for the right block (a two-column summary)."""
    widths = list(widths)
    split = len(widths) - 1
    for index in range(1, len(widths)):
        if sum(widths[:index]) >= left_need:
            split = index
            break
    split = max(1, min(split, len(widths) - 1))
    short = right_need - sum(widths[split:])
    if short > 0:
        widths[-1] += round(short + 0.5)
    return split, widths


def _merge(sheet, row: int, first: int, last: int) -> None:
    if last > first:
        sheet.merged_cells.add(f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row}")


DEFAULT_ROW = BODY_SIZE * 1.32   # what a row of one line of the body text takes


class _Rows:
    """Appends rows to a streaming sheet, setting each row's height before it is written, and
    remembers the heights (to keep the end of a list with its signature)."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.heights: list[float] = []

    @property
    def last(self) -> int:
        return len(self.heights)

    def append(self, cells: list, height: float | None = None) -> int:
        number = self.last + 1
        if height is not None and height > DEFAULT_ROW + 1:
            self.sheet.row_dimensions[number].height = height
        else:
            height = DEFAULT_ROW
        self.sheet.append(cells)
        self.heights.append(height)
        return number

    def blocks(self, left, right, split: int, across: int, height: float | None) -> int:
        """A row of a left block (columns 1..split) and a right block (split+1..across)."""
        number = self.append([left] + [None] * (split - 1) + [right]
                             + [None] * (across - split - 1), height)
        _merge(self.sheet, number, 1, split)
        _merge(self.sheet, number, split + 1, across)
        return number

    def keep_together(self, first: int, scale: int) -> None:
        """A page break before row ``first`` when the rows from there to the end would
        otherwise be split between two pages (and fit on one): the last rows of a list, its
        totals and its signature print on the same page."""
        from openpyxl.worksheet.pagebreak import Break

        page = (A4_WIDTH - 1.2 * 72) * 100 / scale - 4      # landscape: the paper's width
        repeated = self.heights[HEADER_ROW - 1]
        used = 0.0
        start_of_tail = 0.0
        for number, height in enumerate(self.heights, start=1):
            if used + height > page:
                used = repeated          # a new page starts with the repeated header row
            if number == first:
                start_of_tail = used
            used += height
        tail = sum(self.heights[first - 1:])
        if start_of_tail + tail > page and repeated + tail <= page and first > HEADER_ROW + 1:
            self.sheet.row_breaks.append(Break(id=first - 1))


def _write_table(workbook: Workbook, table: Table, header: PartyHeader,
                 date: dt.date | None, row_done: Callable[[], None] = lambda: None) -> None:
    sheet = workbook.create_sheet(table.sheet[:31])
    count = len(table.columns)
    place_date = place_date_line(header.place, date) if date else ""
    left_lines = list(header.left)
    left_need = _needed_width([(text, "bold", 14) for text in left_lines])
    right_need = _needed_width([("ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15),
                                (place_date, "italic", 14)])
    if table.signature:
        right_need = max(right_need, _needed_width(
            [(line.upper(), "bold", 14) for line in table.signature.lines]
            + [(table.signature.name, "bold", 14)]))
    widths = [column.width for column in table.columns]
    layout = print_layout(widths, True, MARGINS)
    across = max(2, min(layout.first_page_columns, count))
    split, page_widths = _header_split(widths[:across], left_need, right_need)
    widths[:across] = page_widths
    layout = print_layout(widths, True, MARGINS)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    # Streaming mode writes the sheet view and columns with the first row: set them first.
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    apply_print_setup(sheet, layout, True, MARGINS, table.title_columns)
    rows = _Rows(sheet)

    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left_width = sum(widths[:split])
    right_width = sum(widths[split:across])
    page_width = sum(widths[:across])
    if len(left_lines) == 1:
        left_lines.insert(0, "")
    # 36-HD/VPTW: the upper body regular, the issuing committee bold, "*" under it.
    heads = [(left_lines[0], HEADER_FONTS["upper"]), (left_lines[1], HEADER_FONTS["committee"]),
             ("*", HEADER_FONTS["star"])]
    rights = [("ĐẢNG CỘNG SẢN VIỆT NAM", HEADER_FONTS["party"]),
              (place_date, HEADER_FONTS["date"]), ("", HEADER_FONTS["date"])]
    for (left_text, left_font), (right_text, right_font) in zip(heads, rights):
        height = max(row_height([left_text], [left_width], 14, bool(left_font.b)),
                     row_height([right_text], [right_width], right_font.sz or 14,
                                bool(right_font.b)))
        rows.blocks(_cell(sheet, left_text, text_font=left_font, alignment=center),
                    _cell(sheet, right_text, text_font=right_font, alignment=center),
                    split, across, height)
    rows.append([])
    title_lines = [(table.title.upper(), font(15, bold=True), 15),
                   (table.subtitle, font(14, bold=True), 14),
                   (table.recipient, font(14, italic=True), 14)]
    for text, title_font, size in title_lines:
        number = rows.append([_cell(sheet, text, text_font=title_font, alignment=center)],
                             row_height([text], [page_width], size, True))
        _merge(sheet, number, 1, across)
    rows.append([_cell(sheet, column.title, "c4t_header") for column in table.columns],
                row_height([column.title for column in table.columns], widths, BODY_SIZE,
                           True))
    # Two styled cells per column (plain, and marked "typed as text" for what the text guard
    # marks), refilled for every row: the streaming writer serialises a row as soon as it is
    # appended, and styling 100,000 fresh cells costs more than writing them.
    plain = [_ColumnCell(sheet, _STYLE_OF[column.kind], index)
             for index, column in enumerate(table.columns, start=1)]
    guarded = [_ColumnCell(sheet, _STYLE_OF[column.kind], index, quote=True)
               for index, column in enumerate(table.columns, start=1)]
    for index, row in enumerate(table.rows):
        row_done()
        bold = index in table.bold_rows
        height = row_height(row, widths, BODY_SIZE, bold)
        if bold:
            rows.append([_cell(sheet, value, "c4t_total_num" if isinstance(value, (int, float))
                               else "c4t_total") for value in row], height)
            continue
        cells = []
        for column, value in enumerate(row):
            if value.__class__ is str:
                cell = guarded[column] if needs_text_guard(value) else plain[column]
                cell.value = value
                cell.data_type = "s"           # never a formula
            else:
                cell = plain[column]
                cell.value = value
            cells.append(cell)
        rows.append(cells, height)
    tail = max(HEADER_ROW + 1, rows.last - 1)     # the last two rows stay with what follows
    if table.totals is not None:
        rows.append([_cell(sheet, value, "c4t_total_num" if isinstance(value, (int, float))
                           else "c4t_total") for value in table.totals],
                    row_height(table.totals, widths, BODY_SIZE, True))
    if table.notes:
        rows.append([])
        note_font = font(BODY_SIZE, italic=True)
        note_alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        for note in table.notes:
            number = rows.append([_cell(sheet, note, text_font=note_font,
                                        alignment=note_alignment)],
                                 row_height([note], [page_width], BODY_SIZE))
            _merge(sheet, number, 1, across)
    if table.signature:
        _write_signature(sheet, rows, table.signature, split, across, left_width,
                         right_width)
        rows.keep_together(tail, layout.scale)


def _write_signature(sheet, rows: _Rows, signature: Signature, split: int, across: int,
                     left_width: float, right_width: float) -> None:
    """"Nơi nhận" on the left; the signer's lines, room to sign and the name on the right."""
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    rows.append([])
    lefts = [("Nơi nhận:", font(14, underline=True), 14)] + [
        (line, font(12), 12) for line in signature.recipients]
    rights = [(line.upper(), font(14, bold=True)) for line in signature.lines]
    rights += [("", font(14)), (signature.name, font(14, bold=True))]
    for index in range(max(len(lefts), len(rights))):
        left_text, left_font, left_size = lefts[index] if index < len(lefts) else ("", None, 12)
        right_text, right_font = rights[index] if index < len(rights) else ("", None)
        if index == len(rights) - 2:
            height = SIGNATURE_ROOM         # room for the signature and the seal
        else:
            height = max(row_height([left_text], [left_width], left_size),
                         row_height([right_text], [right_width], 14, True))
        rows.blocks(_cell(sheet, left_text, text_font=left_font, alignment=top_left)
                    if left_text else None,
                    _cell(sheet, right_text, text_font=right_font, alignment=center)
                    if right_text else None, split, across, height)


# ------------------------------------------------------------------------------- kinds
def _numbered(rows: list[list]) -> list[list]:
    return [[index, *row] for index, row in enumerate(rows, start=1)]


def cells_table(office: Office, year: int) -> list[Table]:
    # The cells of the year (the year rule), with the year's own number of members.
    cells = queries.cells_in_year(office, year)
    figures = {row.cell_id: row.members_count for row in queries.registrations(office, year)}
    rows = _numbered([[cell.code, cell.name, CellKind(cell.kind).label, cell.secretary,
                       figures.get(cell.id), "x" if cell.is_pilot else ""] for cell in cells])
    members = sum(figures.get(cell.id) or 0 for cell in cells)
    dates = queries.phase_year(office, year)
    return [Table(
        "Chi bộ", "Danh sách chi bộ trực thuộc", f"Năm {year}",
        [Column("STT", 5, INT), Column("Mã chi bộ", 10), Column("Tên chi bộ", 34),
         Column("Loại chi bộ", 14), Column("Bí thư chi bộ", 24),
         Column("Số đảng viên", 10, INT), Column("Chi bộ điểm", 10)],
        rows, ["", "Tổng cộng", f"{len(cells)} chi bộ", "", "", members,
               str(sum(1 for cell in cells if cell.is_pilot))],
        date=dates.launch_date or documents.review_date(office, year))]


REGISTRATION_COLUMNS = [
    Column("STT", 5, INT), Column("Mã chi bộ", 8), Column("Tên chi bộ", 24),
    Column("Danh hiệu đăng ký", 11), Column("Ngày đăng ký", 11, DATE),
    Column("Số đảng viên", 8, INT),
    Column("Chỉ tiêu, cam kết nhóm 1", 28, WRAP), Column("Chỉ tiêu, cam kết nhóm 2", 28, WRAP),
    Column("Chỉ tiêu, cam kết nhóm 3", 28, WRAP), Column("Chỉ tiêu, cam kết nhóm 4", 28, WRAP),
    Column("Người ký", 18), Column("Tình trạng", 12),
]


def registrations_table(office: Office, year: int) -> list[Table]:
    # Straight from the registrations (no scoring needed): this list may have thousands of rows.
    deadline = queries.phase_year(office, year).registration_deadline
    inclusive = queries.year_rules(office, year).deadline_inclusive
    with office.db.session() as session:
        registered = session.execute(
            select(Registration.cell_id, Cell.code, Cell.name, Registration.title,
                   Registration.received_on, Registration.members_count,
                   Registration.commitment_1, Registration.commitment_2,
                   Registration.commitment_3, Registration.commitment_4, Registration.signer)
            .join(Registration.cell)
            .where(Cell.organisation_id == office.require_org(), Registration.year == year)
        ).all()
    registered.sort(key=lambda row: sort_key(row.name))     # Vietnamese order of cell names
    rows, late = [], 0
    for registration in registered:
        days = rules.days_late(registration.received_on, deadline, inclusive)
        late += days > 0
        rows.append([*registration[1:], f"Muộn {days} ngày" if days > 0 else "Đúng hạn"])
    notes = [f"Hạn đăng ký: {rules.deadline_phrase(deadline, inclusive)}."] if deadline else []
    done = {registration.cell_id for registration in registered}
    missing = [cell for cell in queries.cells_in_year(office, year) if cell.id not in done]
    if missing:
        notes.append(f"Chưa đăng ký ({len(missing)}): "
                     + ", ".join(cell.name for cell in missing) + ".")
    members = sum(registration.members_count or 0 for registration in registered)
    received = [registration.received_on for registration in registered]
    date = max(received) if received else (deadline or documents.review_date(office, year))
    return [Table("Đăng ký", "Danh sách chi bộ đăng ký thi đua",
                  f"Xây dựng “Chi bộ 4 tốt” năm {year}", REGISTRATION_COLUMNS, _numbered(rows),
                  ["", "Tổng cộng", f"{len(registered)} chi bộ", "", "", members, "", "", "", "",
                   "", f"{late} muộn"], notes, date=date)]


def _score_table(phase, scope: Scope, results: list[tuple[str, object]], sheet: str,
                 title: str, subtitle: str, year: int) -> Table:
    """``results``: (unit name, its ``EvaluationResult`` from the year's overview)."""
    groups = phase.catalogue(year, scope)
    rows: list[list] = []
    bold: set[int] = set()
    for unit_name, result in results:
        evaluation = result.evaluation
        scores = {score.item_id: score for score in evaluation.scores} if evaluation else {}
        for group in groups:
            for item in group.items:
                score = scores.get(item.id)
                rows.append([unit_name, f"{group.position}.{item.position}", item.text,
                             item.max_points, score.self_points if score else None,
                             score.committee_points if score else None])
        bold.add(len(rows))
        committee = result.committee_totals
        classification = result.classification.value if result.classification else ""
        rows.append([unit_name, "Cộng", f"Xếp loại: {classification or 'chưa đủ điểm'}",
                     sum(group.max_points for group in groups),
                     result.self_totals.total, committee.total])
    return Table(sheet, title, subtitle,
                 [Column("Đơn vị", 24), Column("Mục", 6), Column("Nội dung tiêu chí", 62, WRAP),
                  Column("Điểm tối đa", 9, POINTS), Column("Tự chấm", 9, POINTS),
                  Column("Đảng ủy chấm", 10, POINTS)], rows, bold_rows=bold,
                 title_columns="A:B")


def scores_table(office: Office, year: int) -> list[Table]:
    overview = year_overview(office, year)
    phase = queries.phase_for_year(office, year)
    cell_rows = [(state.cell.name, state.result) for state in overview.cells
                 if state.evaluated]
    tables = [_score_table(phase, Scope.CELL, cell_rows, "Chấm điểm chi bộ",
                           "Bảng chấm điểm “Chi bộ 4 tốt”", f"Năm {year}", year)]
    org = overview.organisation_result
    if org.evaluation is not None:
        name = queries.identity_on(office, queries.year_document_date(office, year)).name
        tables.append(_score_table(phase, Scope.ORGANISATION, [(name, org)],
                                   "Chấm điểm đảng bộ", "Bảng chấm điểm “Đảng bộ cơ sở 4 tốt”",
                                   f"Năm {year}", year))
    for table in tables:
        table.date = documents.review_date(office, year)
    return tables


def results_table(office: Office, year: int) -> list[Table]:
    overview = year_overview(office, year)
    rows = []
    for state in overview.cells:
        result = state.result
        complete = state.evaluated and result.committee_totals.complete
        rows.append([
            state.cell.code, state.cell.name,
            result.self_totals.total if state.evaluated else None,
            result.committee_totals.total if complete else None,
            result.classification.value if complete and result.classification else "",
            state.result.evaluation.disciplined_members if state.evaluated else None,
            result.verdict.label if state.evaluated else "Chưa chấm",
            "; ".join(("Đạt: " if r.ok else "Chưa đạt: ") + r.text
                      for r in result.verdict.reasons) if state.evaluated else "",
            state.consecutive_years or None,
        ])
    org = overview.organisation_result
    notes = [f"Xếp loại chất lượng theo {overview.regulation}.",
             f"Đảng bộ cơ sở 4 tốt: {org.verdict.label}. {org.verdict.summary()}"]
    notes.extend(f"Lưu ý: {warning}" for warning in overview.warnings)
    passed = overview.count("qualifies")
    return [Table("Kết quả", "Kết quả đánh giá, xếp loại “Chi bộ 4 tốt”", f"Năm {year}",
                  [Column("STT", 5, INT), Column("Mã chi bộ", 8), Column("Tên chi bộ", 24),
                   Column("Tự chấm", 8, POINTS), Column("Đảng ủy chấm", 9, POINTS),
                   Column("Xếp loại", 9), Column("Số ĐV bị kỷ luật", 9, INT),
                   Column("Kết quả", 10), Column("Lý do", 42, WRAP),
                   Column("Số năm liên tục đạt", 9, INT)],
                  _numbered(rows),
                  ["", "Tổng cộng", f"{len(rows)} chi bộ", "", "", "", "", f"{passed} đạt",
                   "", ""], notes, date=documents.review_date(office, year))]


def _award_unit(award, office_name: str) -> str:
    return award.cell.name if award.cell else office_name


def proposals_table(office: Office, year: int) -> list[Table]:
    overview = year_overview(office, year)
    date = documents.proposal_date(office, year)
    organisation = queries.identity_on(office, date)
    awards = queries.awards(office, year)
    rows = []
    for award in sorted(awards, key=lambda a: (a.kind != AwardKind.ORG_RECOGNITION.value,
                                               a.kind, sort_key(_award_unit(a, "")))):
        # A decided award: the figures its decision was made on; otherwise today's.
        facts = (DecisionFacts.kept(award) if award.is_decided else None) \
            or overview.facts(award)
        rows.append([_award_unit(award, organisation.name), AwardKind(award.kind).label,
                     facts.points if facts else None,
                     (facts.classification or "") if facts else "",
                     (facts.streak or None) if facts else None, award.proposed_on,
                     award.notes])
    counts = {kind: sum(1 for award in awards if award.kind == kind.value) for kind in AwardKind}
    summary = ", ".join(f"{kind.label}: {number}" for kind, number in counts.items() if number)
    upper = organisation.upper_body
    signer = documents.ward_signer(office, date)
    return [Table("Đề nghị", "Danh sách đề nghị công nhận, khen thưởng",
                  f"Phong trào thi đua “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” năm {year}",
                  [Column("STT", 5, INT), Column("Đơn vị", 27), Column("Hình thức", 27),
                   Column("Tổng điểm", 8, POINTS), Column("Xếp loại", 9),
                   Column("Số năm liên tục đạt", 9, INT), Column("Ngày đề nghị", 11, DATE),
                   Column("Ghi chú", 28, WRAP)],
                  _numbered(rows), ["", f"Tổng cộng: {len(rows)}", summary, "", "", "", "", ""],
                  [f"Xếp loại chất lượng theo {overview.regulation}."],
                  recipient=f"Kính gửi: Ban Thường vụ {upper}" if upper else "",
                  date=date,
                  signature=Signature(tuple(signer.lines), signer.name, (
                      f"- {documents.upper_recipient(organisation)} (báo cáo),",
                      "- Lưu Văn phòng Đảng ủy.")))]


def awards_table(office: Office, year: int) -> list[Table]:
    awards = [award for award in queries.awards(office, year) if award.is_decided]
    decided = [award.decision_date for award in awards if award.decision_date]
    date = max(decided) if decided else documents.review_date(office, year)
    organisation = queries.identity_on(office, date)
    awards.sort(key=lambda a: (sort_key(a.register_number), sort_key(_award_unit(a, ""))))
    rows = _numbered([[award.register_number, award.year,
                       _award_unit(award, organisation.name), AwardKind(award.kind).label,
                       award.decision_number, award.decision_date, award.issuer, award.notes]
                      for award in awards])
    waiting = [award for award in queries.awards(office, year) if not award.is_decided]
    notes = [f"Còn {len(waiting)} đề nghị chờ quyết định."] if waiting else []
    return [Table("Sổ khen thưởng", "Sổ khen thưởng", f"Năm {year}",
                  [Column("STT", 5, INT), Column("Số sổ", 9), Column("Năm", 6, INT),
                   Column("Đơn vị", 26), Column("Hình thức", 23), Column("Số quyết định", 14),
                   Column("Ngày quyết định", 12, DATE), Column("Cơ quan ban hành", 24),
                   Column("Ghi chú", 17, WRAP)],
                  rows, ["", "Tổng cộng", "", f"{len(rows)} khen thưởng", "", "", "", "", ""],
                  notes, date=date,
                  title_columns="A:D")]


def summary_table(office: Office, year: int) -> list[Table]:
    phase = queries.phase_for_year(office, year)
    final = phase.is_final(year)
    years = list(range(phase.first_year, year + 1)) if final else [year]
    overviews = [year_overview(office, each) for each in years]
    rows: list[list] = []
    for key, label in COUNT_LABELS.items():
        rows.append([label] + [overview.counts[key] for overview in overviews])
    for classification in rules.Classification:
        rows.append([f"Xếp loại {classification.label} ({classification.value})"] + [
            sum(1 for state in overview.cells if state.scored
                and state.result.classification == classification)
            for overview in overviews])
    rows.append(["Đảng bộ cơ sở 4 tốt"] + [overview.organisation_result.verdict.label
                                          for overview in overviews])
    title = ("Thống kê tổng kết phong trào thi đua giai đoạn "
             f"{phase.first_year} - {phase.last_year}" if final
             else f"Thống kê sơ kết phong trào thi đua năm {year}")
    columns = [Column("Nội dung", 44)] + [Column(f"Năm {each}", 14, INT) for each in years]
    notes = []
    if final:
        recognised = queries.recognised_years(office)
        cells = {cell.id: cell for cell in queries.cells(office)}
        every = [cells[cell_id].name for cell_id, got in recognised.items()
                 if cell_id in cells and all(each in got for each in years[:-1])]
        if every:
            notes.append("Chi bộ đạt “Chi bộ 4 tốt” tất cả các năm đã có quyết định: "
                         + ", ".join(sorted(every, key=sort_key)) + ".")
    return [Table("Thống kê", title, phase.title, columns, rows, notes=notes,
                  date=documents.review_date(office, year), title_columns="A:A")]


BUILDERS: dict[str, Callable[[Office, int], list[Table]]] = {
    "cells": cells_table,
    "registrations": registrations_table,
    "scores": scores_table,
    "results": results_table,
    "proposals": proposals_table,
    "awards": awards_table,
    "summary": summary_table,
}


def export(office: Office, kind: str, year: int, target: str | Path,
           date: dt.date | None = None, progress: Progress = null_progress) -> Path:
    """Write the list ``kind`` of ``year`` to ``target`` (.xlsx), dated ``date`` (by default
    the list's own date: the latest proposal, decision or registration, the review day...)."""
    builder = BUILDERS.get(kind)
    if builder is None:
        raise UserError(f"Không có loại danh sách '{kind}' (chọn: {', '.join(BUILDERS)}).")
    check_target(target)
    queries.phase_for_year(office, year)
    progress(0, None, "Đang đọc dữ liệu…")
    return write_tables(office, builder(office, year), target, date, progress)


def warnings(office: Office, kind: str, year: int) -> list[str]:
    """What to tell the user before the list is written (a signed list without a signer)."""
    if kind == "proposals" and not documents.ward_signer(
            office, documents.proposal_date(office, year)).name:
        return [documents.missing_signer("Danh sách đề nghị")]
    return []
