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
written with xlsxwriter (a long list in its constant-memory mode), through the program's one
file writer.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from sqlalchemy import select
from xlsxwriter.exceptions import FileCreateError

from chibo4tot_desktop import documents, rules, timeline
from chibo4tot_desktop.db.models import AwardKind, Cell, CellKind, Registration, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel.common import (
    A4_WIDTH,
    BODY_SIZE,
    DIGIT_PIXELS,
    FONT_NAME,
    FORMULA_STARTS,
    PrintLayout,
    check_target,
    lines_height,
    needs_text_guard,
    print_layout,
    row_height,
    text_lines,
    text_room,
)
from chibo4tot_desktop.excel.kinds import KINDS  # noqa: F401  (re-exported)
from chibo4tot_desktop.files import atomic_write
from chibo4tot_desktop.ops import Office, queries, rulebook
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
    rows: list[Sequence] = field(default_factory=list)
    totals: list | None = None
    notes: list[str] = field(default_factory=list)
    recipient: str = ""
    bold_rows: set[int] = field(default_factory=set)   # indexes in rows (subtotals)
    date: dt.date | None = None                         # the document's own date
    signature: Signature | None = None
    title_columns: str = "A:C"                          # repeated on pages across


# ------------------------------------------------------------------------------ writing
# The workbook is written with xlsxwriter. A list of up to CONSTANT_MEMORY_CELLS cells is kept
# in memory until it is saved (about 20 MB for 10,000 registrations), its texts stored once
# each (shared strings: the fastest way, and the smallest file, when texts repeat); a longer
# one is written in constant-memory mode, each row going to the sheet's file as soon as the
# next one starts. The same code writes both: rows in order, a row's height set before the
# next row starts; the sheet's columns, panes and print setup may come at any time.
CONSTANT_MEMORY_CELLS = 250_000
WORKBOOK_OPTIONS = {
    # A text is written as a text: never read as a formula, a link or a number.
    "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
    # Times New Roman 12, the workbooks' default font (``common.use_times_default``), outside
    # the theme's fonts ("none": Excel would otherwise show the theme's Calibri).
    "default_format_properties": {"font_name": FONT_NAME, "font_size": 12,
                                  "font_scheme": "none"},
    # Its digits are DIGIT_PIXELS (8) pixels wide: what xlsxwriter counts column widths in.
    "default_column_width": 72,
}
EXCEL_TEXT_LIMIT = 32767        # characters (UTF-16 units) a cell holds
# The first characters of a text worth asking ``needs_text_guard`` about: the formula starts
# and the ASCII spaces (a text starting with another space is asked about too).
RISKY_FIRSTS = frozenset(FORMULA_STARTS) | frozenset("\t\n\v\f\r\x1c\x1d\x1e\x1f ")


@contextlib.contextmanager
def list_workbook(target: str | Path, progress: Progress = null_progress,
                  cells: int = 0) -> Iterator[xlsxwriter.Workbook]:
    """A new workbook for about ``cells`` cells that becomes ``target`` when the block ends
    well, through the program's one file writer (``files.atomic_write``). On any error or
    ``Cancelled`` nothing is left: neither ``target`` changed nor a temporary file (xlsxwriter's
    own files live in a folder of their own, removed at the end)."""
    target = check_target(target)
    scratch = tempfile.mkdtemp(prefix="chibo4tot-xlsx-")
    try:
        with atomic_write(target, progress) as temporary:
            workbook = xlsxwriter.Workbook(str(temporary), {
                **WORKBOOK_OPTIONS, "tmpdir": scratch,
                "constant_memory": cells > CONSTANT_MEMORY_CELLS})
            try:
                yield workbook
                workbook.close()
            except FileCreateError as error:      # xlsxwriter's wrapper of an OSError
                _discard(workbook)
                cause = error.args[0] if error.args else None
                raise (cause if isinstance(cause, OSError) else OSError(str(error))) from None
            except BaseException:
                _discard(workbook)
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _discard(workbook: xlsxwriter.Workbook) -> None:
    """Close the row files of an unsaved constant-memory workbook (so that its folder can be
    removed, also on Windows)."""
    workbook.fileclosed = True
    if workbook.constant_memory:
        for sheet in workbook.worksheets():
            with contextlib.suppress(Exception):
                sheet._opt_close()       # xlsxwriter's own closing of the rows' file


def font(size: float = BODY_SIZE, bold: bool = False, italic: bool = False,
         underline: bool = False) -> dict:
    """The format properties of a Times New Roman font (the workbook's default name)."""
    properties: dict = {"font_size": int(size) if float(size).is_integer() else size}
    if bold:
        properties["bold"] = True
    if italic:
        properties["italic"] = True
    if underline:
        properties["underline"] = 1
    return properties


BORDER = {"border": 1, "border_color": "#000000"}      # thin, black, all four sides
CENTER = {"align": "center", "valign": "vcenter", "text_wrap": True}
LEFT = {"align": "left", "valign": "vcenter", "text_wrap": True}
TOP_LEFT = {"align": "left", "valign": "top", "text_wrap": True}
RIGHT = {"align": "right", "valign": "vcenter"}
DATE_FORMAT = "dd/mm/yyyy"
CELL_STYLES = {
    "header": {**font(bold=True), **BORDER, **CENTER},
    TEXT: {**font(), **BORDER, **LEFT},
    WRAP: {**font(), **BORDER, **TOP_LEFT},
    DATE: {**font(), **BORDER, **CENTER, "num_format": DATE_FORMAT},
    INT: {**font(), **BORDER, **RIGHT, "num_format": "0"},
    POINTS: {**font(), **BORDER, **RIGHT, "num_format": "0.##"},
    "total": {**font(bold=True), **BORDER, **LEFT},
    "total_num": {**font(bold=True), **BORDER, **RIGHT, "num_format": "0.##"},
}


class CellFormats:
    """The workbook's cell formats, each made once (xlsxwriter adds a format per call) and
    each in two forms: plain, and marked "typed as text" (quote prefix) for a text the text
    guard of ``common`` marks."""

    def __init__(self, workbook: xlsxwriter.Workbook):
        self.workbook = workbook
        self._made: dict = {}

    def __call__(self, properties: dict, guarded: bool = False):
        key = (tuple(sorted(properties.items())), guarded)
        made = self._made.get(key)
        if made is None:
            made = self.workbook.add_format(
                {**properties, "quote_prefix": True} if guarded else properties)
            self._made[key] = made
        return made

    def pair(self, properties: dict) -> tuple:
        return self(properties), self(properties, True)


def too_long(value: str) -> bool:
    """More than Excel holds in a cell (xlsxwriter would cut it: the list is refused)."""
    return len(value) > EXCEL_TEXT_LIMIT // 2 and \
        len(value.encode("utf-16-le")) // 2 > EXCEL_TEXT_LIMIT


def refuse_long_text(sheet, row: int, column: int, value: str) -> None:
    from xlsxwriter.utility import xl_rowcol_to_cell

    raise UserError(f"Ô {xl_rowcol_to_cell(row, column)} của trang '{sheet.name}' có "
                    f"{len(value)} ký tự, quá {EXCEL_TEXT_LIMIT} ký tự một ô Excel chứa được; "
                    f"chưa ghi tệp. Nội dung bắt đầu: “{value[:60]}…”.")


EXCEL_EPOCH = dt.date(1899, 12, 31)      # day 0 of Excel's 1900 date system


def excel_serial(day: dt.date) -> int:
    """The number Excel stores for ``day`` (a date, not a datetime): what ``write_datetime``
    stores, in the workbook's 1900 date system: the days since 31/12/1899, one more from
    1/3/1900 on (Excel counts a 29/2/1900)."""
    days = (day - EXCEL_EPOCH).days
    return days + 1 if days > 59 else days


def write_value(sheet, row: int, column: int, value, formats: tuple) -> None:
    """Write ``value`` with ``formats`` (plain, guarded[, for a date]): a text always as text
    (guarded when it looks like a formula), a date as a real date, an empty text or None as
    an empty cell that keeps its borders."""
    kind = value.__class__
    if kind is str:
        if not value:
            sheet.write_blank(row, column, None, formats[0])
            return
        if len(value) > EXCEL_TEXT_LIMIT // 2 and too_long(value):
            refuse_long_text(sheet, row, column, value)
        sheet.write_string(row, column, value,
                           formats[1] if needs_text_guard(value) else formats[0])
    elif value is None:
        sheet.write_blank(row, column, None, formats[0])
    elif kind is bool:
        sheet.write_boolean(row, column, value, formats[0])
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, formats[2] if len(formats) > 2 else formats[0])
    elif isinstance(value, str):            # a subclass of str
        write_value(sheet, row, column, str(value), formats)
    else:
        sheet.write_number(row, column, value, formats[0])


def merged_text(sheet, row: int, first: int, last: int, value, formats: tuple) -> None:
    """``value`` over the columns ``first``..``last`` (0-based) of ``row``."""
    if last > first:
        sheet.merge_range(row, first, row, last, "", formats[0])
    if value is not None:
        write_value(sheet, row, first, value, formats)


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
    target = check_target(target)
    total = sum(len(table.rows) for table in tables)
    written = [0]

    def row_done() -> None:
        written[0] += 1
        progress(written[0], total)

    cells = sum(len(table.rows) * len(table.columns) for table in tables)
    with list_workbook(target, progress, cells) as workbook:
        progress(0, total, "Đang ghi tệp Excel…")
        formats = CellFormats(workbook)
        for table in tables:
            day = date or table.date or dt.date.today()
            _write_table(workbook, formats, table, _party_header(office, day), day, row_done)
        progress(total, total, "Đang lưu tệp Excel…")
    return target


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


DEFAULT_ROW = BODY_SIZE * 1.32   # what a row of one line of the body text takes
MAX_ROW_HEIGHT = 409.5           # points: Excel's tallest row (a taller one spoils the file)


class _Rows:
    """Starts the rows of a sheet one after the other, setting each row's height before the
    next row starts (a row of the list's body is started once its cells are written and its
    height known), and remembers the heights (to keep the end of a list with its
    signature). Rows are numbered from 1 here, as on screen; xlsxwriter counts from 0."""

    def __init__(self, sheet, formats: CellFormats):
        self.sheet = sheet
        self.formats = formats
        self.heights: list[float] = []

    @property
    def last(self) -> int:
        return len(self.heights)

    def start(self, height: float | None = None) -> int:
        """A new row; returns its index for xlsxwriter (its number less one)."""
        index = len(self.heights)
        if height is not None and height > DEFAULT_ROW + 1:
            height = min(height, MAX_ROW_HEIGHT)
            self.sheet.set_row(index, height)
        else:
            height = DEFAULT_ROW
        self.heights.append(height)
        return index

    def text(self, value, properties: dict, across: int, height: float | None) -> int:
        """A row of one text over the columns 1..``across``."""
        index = self.start(height)
        merged_text(self.sheet, index, 0, across - 1, value, self.formats.pair(properties))
        return index

    def values(self, values: Sequence, formats: Sequence[tuple],
               height: float | None) -> int:
        index = self.start(height)
        for column, value in enumerate(values):
            write_value(self.sheet, index, column, value, formats[column])
        return index

    def totals(self, values: Sequence, height: float | None) -> int:
        """A bold row (a subtotal or the totals): numbers right, the rest left."""
        number, other = (self.formats.pair(CELL_STYLES["total_num"]),
                         self.formats.pair(CELL_STYLES["total"]))
        return self.values(values, [number if isinstance(value, (int, float)) else other
                                    for value in values], height)

    def blocks(self, left, right, split: int, across: int, height: float | None) -> int:
        """A row of a left block (columns 1..split) and a right block (split+1..across);
        ``left`` and ``right``: (text, font properties, alignment) or None."""
        index = self.start(height)
        for block, first, last in ((left, 0, split - 1), (right, split, across - 1)):
            if block is None:
                if last > first:
                    self.sheet.merge_range(index, first, index, last, "", None)
                continue
            text, text_font, alignment = block
            merged_text(self.sheet, index, first, last, text,
                        self.formats.pair({**text_font, **alignment}))
        return index

    def keep_together(self, first: int, scale: int) -> None:
        """A page break before row ``first`` when the rows from there to the end would
        otherwise be split between two pages (and fit on one): the last rows of a list, its
        totals and its signature print on the same page."""
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
            self.sheet.set_h_pagebreaks([first - 1])       # a break under row first - 1


class _RowHeights:
    """``common.row_height`` for the rows of one table: each distinct text of a column is
    measured once (a list repeats its titles, states and much of the commitments), wrapped
    only when it does not fit on one line, and not at all when it surely takes no more lines
    than the row's other cells. A text is measured by adding up the widths of its characters
    in the font's own table (what ``pdf.layout.measure`` adds up, without its cache: a long
    list's names and codes are each measured once); only a width within a hair of the room,
    or a character missing from the table, is measured by ``measure`` itself, so the heights
    are those of ``common.row_height`` exactly."""

    HAIR = 0.001        # points: closer to the room than this, ``measure`` decides

    def __init__(self, widths: Sequence[float], size: float = BODY_SIZE):
        self.widths = list(widths)
        self.rooms = [text_room(width) for width in widths]
        self.size = size
        self.known: list[tuple[dict, dict]] = [({}, {}) for _ in widths]  # regular, bold
        self._metrics: dict[bool, tuple[dict[str, float], float]] = {}

    def metrics(self, bold: bool) -> tuple[dict[str, float], float]:
        """The width in points of each character of the font, and of the widest one (a
        piece of a word cut to fit a line is wider than the line less this)."""
        made = self._metrics.get(bold)
        if made is None:
            from reportlab.pdfbase.pdfmetrics import getFont

            from chibo4tot_desktop.pdf.fonts import font_name

            face = getFont(font_name("bold" if bold else "regular")).face
            scale = self.size / 1000
            table = {chr(code): width * scale for code, width in face.charWidths.items()}
            widest = max(max(face.charWidths.values(), default=0.0), face.defaultWidth) * scale
            made = self._metrics[bold] = (table, widest)
        return made

    def text_width(self, value: str, bold: bool = False) -> float | None:
        """The widths of ``value``'s characters added up (points); None when the font's
        table lacks one of them (``measure`` knows what to do then)."""
        try:
            return sum(map(self.metrics(bold)[0].__getitem__, value))
        except KeyError:
            return None

    def lines(self, column: int, value: str, bold: bool = False, enough: int = 0,
              width: float | None = None) -> int:
        """How many lines the text ``value`` takes in ``column``; or ``enough`` when it surely
        takes no more than that (a single word cut into pieces: that is not remembered).
        ``width``: its characters' widths already added up, if they were."""
        known = self.known[column][bold]
        count = known.get(value)
        if count is not None:
            return count
        if "\n" not in value:
            widest = self.metrics(bold)[1]
            room = self.rooms[column]
            if width is None:
                width = self.text_width(value, bold)
            if width is None or abs(width - room) <= self.HAIR:
                from chibo4tot_desktop.pdf.layout import measure

                width = measure(value, "bold" if bold else "regular", self.size)
            if width <= room:
                known[value] = 1                    # fits on one line (``layout.wrap``)
                return 1
            if enough > 1 and room > widest and \
                    (width + self.HAIR) // (room - widest) + 1 <= enough \
                    and len(value.split()) == 1:
                return enough
        count = known[value] = text_lines(value, self.widths[column], self.size, bold)
        return count

    def __call__(self, row: Sequence, bold: bool = False) -> float:
        lines = 1
        for column, value in enumerate(row):
            if isinstance(value, str) and value:
                lines = max(lines, self.lines(column, value, bold))
        return lines_height(lines, self.size)


def _print_setup(sheet, layout: PrintLayout, title_columns: str | None) -> None:
    """A4 landscape at ``layout``'s fixed scale (never fit to the page); a list more than one
    page wide repeats ``title_columns`` (e.g. "A:C") on every page, one page wide is centred
    (``common.apply_print_setup`` for the lists)."""
    sheet.set_paper(9)
    sheet.set_landscape()
    sheet.set_print_scale(layout.scale)
    sheet.set_margins(left=MARGINS[0], right=MARGINS[1], top=0.6, bottom=0.6)
    sheet.set_header("", {"margin": 0.5})
    sheet.set_footer("", {"margin": 0.5})
    if layout.pages_across == 1:
        sheet.center_horizontally()
    elif title_columns:
        sheet.repeat_columns(title_columns)


def _write_table(workbook: xlsxwriter.Workbook, formats: CellFormats, table: Table,
                 header: PartyHeader, date: dt.date | None,
                 row_done: Callable[[], None] = lambda: None) -> None:
    sheet = workbook.add_worksheet(table.sheet[:31])
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
    for index, width in enumerate(widths):
        # The width in digits of the default font, as written (8 pixels a digit).
        sheet.set_column_pixels(index, index, round(width * DIGIT_PIXELS))
    sheet.freeze_panes(HEADER_ROW, 0)
    sheet.repeat_rows(HEADER_ROW - 1)
    _print_setup(sheet, layout, table.title_columns)
    rows = _Rows(sheet, formats)

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
        height = max(row_height([left_text], [left_width], 14, "bold" in left_font),
                     row_height([right_text], [right_width], right_font["font_size"],
                                "bold" in right_font))
        rows.blocks((left_text, left_font, CENTER), (right_text, right_font, CENTER),
                    split, across, height)
    rows.start()
    title_lines = [(table.title.upper(), font(15, bold=True), 15),
                   (table.subtitle, font(14, bold=True), 14),
                   (table.recipient, font(14, italic=True), 14)]
    for text, title_font, size in title_lines:
        rows.text(text, {**title_font, **CENTER}, across,
                  row_height([text], [page_width], size, True))
    header_formats = [formats.pair(CELL_STYLES["header"])] * count
    rows.values([column.title for column in table.columns], header_formats,
                row_height([column.title for column in table.columns], widths, BODY_SIZE,
                           True))
    _write_body(sheet, formats, rows, table, widths, row_done)
    tail = max(HEADER_ROW + 1, rows.last - 1)     # the last two rows stay with what follows
    if table.totals is not None:
        rows.totals(table.totals, row_height(table.totals, widths, BODY_SIZE, True))
    if table.notes:
        rows.start()
        note_style = {**font(italic=True), **TOP_LEFT}
        for note in table.notes:
            rows.text(note, note_style, across, row_height([note], [page_width], BODY_SIZE))
    if table.signature:
        _write_signature(rows, table.signature, split, across, left_width, right_width)
        rows.keep_together(tail, layout.scale)


def _write_body(sheet, formats: CellFormats, rows: _Rows, table: Table,
                widths: list[float], row_done: Callable[[], None]) -> None:
    """The table's rows, one after the other: the long part, kept to one plain loop that
    writes each cell and counts its lines (the row's height is set once its cells are
    written, before the next row starts, as the constant-memory mode allows). A text not
    seen before in its column is first tried on one line by adding up its characters'
    widths here (``_RowHeights.lines`` for the rest, after the row's known texts). A date is
    written as the number ``write_datetime`` would store for it (``excel_serial``, once per
    day)."""
    # Per column: (plain, guarded, for a date) formats of the column's kind.
    column_formats = []
    for column in table.columns:
        style = CELL_STYLES[column.kind]
        column_formats.append((*formats.pair(style),
                               formats({**style, "num_format": DATE_FORMAT})))
    plain = [formats[0] for formats in column_formats]
    guarded = [formats[1] for formats in column_formats]
    dated = [formats[2] for formats in column_formats]
    heights = _RowHeights(widths)
    known = [regular for regular, _ in heights.known]      # lines of each text seen
    count_lines = heights.lines
    text_width = heights.text_width
    one_line = [room - _RowHeights.HAIR for room in heights.rooms]  # surely fits below this
    line_heights: dict[int, float] = {}                    # lines -> the row's height
    start_row, row_heights = rows.start, rows.heights
    bold_rows = table.bold_rows
    write_string, write_number = sheet.write_string, sheet.write_number
    serials: dict = {}                      # each day's number in Excel, worked out once
    guard = needs_text_guard
    risky = RISKY_FIRSTS
    short = EXCEL_TEXT_LIMIT // 2           # no text this short can be too long for a cell
    date_class = dt.date
    for index, row in enumerate(table.rows):
        row_done()
        if index in bold_rows:
            rows.totals(row, heights(row, True))
            continue
        number = len(row_heights)           # xlsxwriter's index of the new row
        lines = 1
        new_texts = []                      # texts not seen before that need more than that
        for column, value in enumerate(row):
            kind = value.__class__
            if kind is str and value and len(value) <= short:
                first = value[0]                # the guard's question, asked cheaply first
                write_string(number, column, value,
                             guarded[column] if (first in risky or first > "\x7f"
                                                 and first.isspace())
                             and guard(value) else plain[column])
                count = known[column].get(value)
                if count is None:
                    width = text_width(value)
                    if width is not None and width < one_line[column] and "\n" not in value:
                        known[column][value] = 1
                    else:
                        new_texts.append((column, value, width))
                elif count > lines:
                    lines = count
            elif kind is int or kind is float:
                write_number(number, column, value, plain[column])
            elif kind is date_class:
                serial = serials.get(value)
                if serial is None:
                    serial = serials[value] = excel_serial(value)
                write_number(number, column, serial, dated[column])
            else:
                write_value(sheet, number, column, value, column_formats[column])
                if isinstance(value, str) and value:
                    new_texts.append((column, value, None))
        for column, value, width in new_texts:  # after the known ones: the row's lines so far
            lines = max(lines, count_lines(column, value, enough=lines, width=width))
        height = line_heights.get(lines)
        if height is None:
            height = line_heights[lines] = lines_height(lines)
        start_row(height)


def _write_signature(rows: _Rows, signature: Signature, split: int, across: int,
                     left_width: float, right_width: float) -> None:
    """"Nơi nhận" on the left; the signer's lines, room to sign and the name on the right."""
    rows.start()
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
        rows.blocks((left_text, left_font, TOP_LEFT) if left_text else None,
                    (right_text, right_font, CENTER) if right_text else None,
                    split, across, height)


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
    # Straight from the registrations (no scoring needed): this list may have thousands of
    # rows, read in one session with the year's phase and rules; the rows by the Core (the
    # query names the organisation itself) as plain tuples, no row object outliving the query.
    with office.read() as session:
        phase = queries.phase_in(session, year)
        deadline = queries.phase_year_of(phase, year).registration_deadline
        inclusive = rulebook.rules_in(session, year, phase).deadline_inclusive
        registered = [tuple(row) for row in session.connection().execute(
            select(Cell.code, Cell.name, Registration.title,
                   Registration.received_on, Registration.members_count,
                   Registration.commitment_1, Registration.commitment_2,
                   Registration.commitment_3, Registration.commitment_4, Registration.signer)
            .join(Registration.cell)
            .where(Cell.organisation_id == office.require_org(), Registration.year == year)
            # the Vietnamese order of the cells' names, by their stored keys
            .order_by(Cell.name_key, Cell.id))]
        # The cells of the year (the year rule) that have not registered.
        unregistered = session.execute(
            select(Cell.id, Cell.name, Cell.started_on, Cell.dissolved_on)
            .where(~select(Registration.id).where(Registration.cell_id == Cell.id,
                                                  Registration.year == year).exists())).all()
        lives = timeline.CellTimeline(
            {cell.id: (cell.started_on, cell.dissolved_on) for cell in unregistered}, {},
            queries.review_days_in(session), queries.year_rule_in(session))
        missing = sorted((cell.name for cell in unregistered if lives.in_year(cell.id, year)),
                         key=sort_key)
    states: dict = {}                   # the day received -> (days late, the state shown)
    rows, late, members, latest = [], 0, 0, None
    for number, registration in enumerate(registered, start=1):
        received = registration[3]
        state = states.get(received)
        if state is None:
            days = rules.days_late(received, deadline, inclusive)
            state = states[received] = (days, f"Muộn {days} ngày" if days > 0 else "Đúng hạn")
        late += state[0] > 0
        members += registration[4] or 0
        if received is not None and (latest is None or received > latest):
            latest = received
        # A tuple: the collector need not look into 10,000 rows while the list is written.
        rows.append((number, *registration, state[1]))
    notes = [f"Hạn đăng ký: {rules.deadline_phrase(deadline, inclusive)}."] if deadline else []
    if missing:
        notes.append(f"Chưa đăng ký ({len(missing)}): " + ", ".join(missing) + ".")
    date = latest or deadline or documents.review_date(office, year)
    return [Table("Đăng ký", "Danh sách chi bộ đăng ký thi đua",
                  f"Xây dựng “Chi bộ 4 tốt” năm {year}", REGISTRATION_COLUMNS, rows,
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
    queries.year_document_date(office, year)    # a year of the calendar (one light query)
    progress(0, None, "Đang đọc dữ liệu…")
    return write_tables(office, builder(office, year), target, date, progress)


def warnings(office: Office, kind: str, year: int) -> list[str]:
    """What to tell the user before the list is written (a signed list without a signer)."""
    if kind == "proposals" and not documents.ward_signer(
            office, documents.proposal_date(office, year)).name:
        return [documents.missing_signer("Danh sách đề nghị")]
    return []
