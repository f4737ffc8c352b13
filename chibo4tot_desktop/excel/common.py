"""What the Excel writers share: fonts, borders, the text guard and saving.

The text guard: a text the user typed is written as text, never as a formula or a link. A
text cell is always stored as a string (openpyxl would make a formula of a text starting with
"="), and one that Excel could read as a formula when the cell is edited (= + - @, a tab or a
line break at the start, also after leading spaces, or their full-width forms) is marked
"typed as text" (quotePrefix, the invisible apostrophe): it shows exactly as typed.
``save_workbook`` puts every cell of an ordinary workbook through the guard before saving; the
lists' writer (``exports``, xlsxwriter) asks ``needs_text_guard`` of each text it writes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, Side

from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.files import atomic_write
from chibo4tot_desktop.progress import Progress, null_progress

# Times New Roman is what the office's Word/Excel papers use (Hướng dẫn 36-HD/VPTW);
# LibreOffice substitutes Liberation Serif (metric-compatible) where it is missing.
FONT_NAME = "Times New Roman"
MARKER_SHEET = "_chibo4tot"
PROGRAM = "chibo4tot-desktop"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n",
                  "\uff1d", "\uff0b", "\uff0d", "\uff20")   # ＝ ＋ － ＠


def font(size: float = 12, bold: bool = False, italic: bool = False,
         underline: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic,
                underline="single" if underline else None)


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)


def needs_text_guard(value: object) -> bool:
    """A text Excel could take for a formula: = + - @ (or their full-width forms), a tab or a
    line break at the start, also after leading spaces."""
    return isinstance(value, str) and (value.startswith(FORMULA_STARTS)
                                       or value.lstrip().startswith(FORMULA_STARTS))


def guard_cell(cell) -> None:
    """Keep a text cell text: stored as a string, marked "typed as text" when it looks like a
    formula. Call it after setting the cell's style (a named style resets the mark)."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if needs_text_guard(cell.value):
            cell.quotePrefix = True


def guard_workbook(workbook) -> None:
    """Put every cell of an ordinary (not streaming) workbook through ``guard_cell``."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                guard_cell(cell)


def check_target(target: str | Path) -> Path:
    """The folder must exist and the name end in .xlsx (checked before any work)."""
    target = Path(target)
    if target.suffix.lower() != ".xlsx":
        raise UserError(f"Tên tệp '{target.name}' phải có đuôi .xlsx.")
    if not target.parent.is_dir():
        raise UserError(f"Không có thư mục '{target.parent}'.")
    if target.is_dir():
        raise UserError(f"'{target}' là một thư mục.")
    return target


def save_workbook(workbook, target: str | Path, progress: Progress = null_progress) -> Path:
    """Guard every text (ordinary workbooks; a streaming one guards as it writes) and save the
    workbook through the program's one file writer."""
    target = check_target(target)
    if not workbook.write_only:
        guard_workbook(workbook)
    with atomic_write(target, progress) as temporary:
        workbook.save(temporary)
    return target


# ----------------------------------------------------------------------------- printing
# Lists print on A4 at a fixed scale chosen so the body text is never under MIN_PRINTED_SIZE
# points on paper: a list wider than the page prints on more pages (with its first columns
# repeated), never smaller. Column widths are in Excel's unit (digits of the default font,
# Times New Roman 12: 8 pixels each plus 5 of padding); row heights follow the wrapped text.
A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MIN_PRINTED_SIZE = 10.0
BODY_SIZE = 12.0
LINE_FACTOR = 1.3          # a line of Times New Roman takes about 1.3 times its size
CELL_PADDING = 6.0         # points of a column's width that hold no text
WIDTH_MARGIN = 0.92        # spreadsheet programs draw text a little wider than its metrics


DIGIT_PIXELS = 8          # a digit of Times New Roman 12 (the workbooks' default font)


def use_times_default(workbook) -> None:
    """Make Times New Roman 12 the workbook's default font. Column widths are counted in
    digits of the default font: with the papers' own font they mean the same in Excel and in
    LibreOffice (which has no Calibri on Linux and would measure with a wider font)."""
    from openpyxl.utils.indexed_list import IndexedList

    default = font(BODY_SIZE)
    workbook._fonts = IndexedList([default])
    workbook._named_styles["Normal"].font = default


def column_points(width: float) -> float:
    """The width in points of a column ``width`` digits wide."""
    return (width * DIGIT_PIXELS + 5) * 0.75


def text_lines(value: object, width: float, size: float, bold: bool = False) -> int:
    """How many lines ``value`` takes, wrapped in a column ``width`` characters wide."""
    if not isinstance(value, str) or not value:
        return 1
    from chibo4tot_desktop.pdf.layout import wrap   # Times-metric widths of the papers

    return max(1, len(wrap(value, "bold" if bold else "regular", size, text_room(width))))


def text_room(width: float) -> float:
    """The points of a column ``width`` characters wide that its wrapped text may take."""
    return max((column_points(width) - CELL_PADDING) * WIDTH_MARGIN, 10.0)


def row_height(values, widths, size: float = BODY_SIZE, bold: bool = False) -> float:
    """The height in points a row of ``values`` needs (its tallest wrapped cell)."""
    lines = max((text_lines(value, width, size, bold)
                 for value, width in zip(values, widths)), default=1)
    return lines_height(lines, size)


def lines_height(lines: int, size: float = BODY_SIZE) -> float:
    """The height in points of a row of ``lines`` lines of text of ``size``."""
    return round(lines * size * LINE_FACTOR + 3, 1)


@dataclass(frozen=True)
class PrintLayout:
    scale: int                 # percent, printed at this fixed scale
    first_page_columns: int    # how many columns the first printed page holds across
    pages_across: int


def print_layout(widths, landscape: bool, margins: tuple[float, float],
                 body_size: float = BODY_SIZE) -> PrintLayout:
    """The scale at which columns of ``widths`` print on A4: the whole width at up to 100%,
    but never so small that ``body_size`` prints under MIN_PRINTED_SIZE points."""
    paper = A4_HEIGHT if landscape else A4_WIDTH
    printable = paper - (margins[0] + margins[1]) * 72
    total = sum(column_points(width) for width in widths)
    lowest = math.ceil(100 * MIN_PRINTED_SIZE / body_size)
    scale = max(lowest, min(100, math.floor(100 * printable / total)))
    room = printable * 100 / scale
    used, first = 0.0, 0
    for width in widths:
        used += column_points(width)
        if used > room + 0.5 and first:
            break
        first += 1
    return PrintLayout(scale, first, math.ceil(total / room - 0.001))


def apply_print_setup(sheet, layout: PrintLayout, landscape: bool,
                      margins: tuple[float, float], title_columns: str | None = None) -> None:
    """A4 at ``layout``'s fixed scale (no fit to page); a list more than one page wide
    repeats ``title_columns`` (e.g. "A:C") on every page."""
    sheet.page_setup.paperSize = "9"
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.scale = layout.scale
    sheet.sheet_properties.pageSetUpPr.fitToPage = False
    sheet.page_margins.left, sheet.page_margins.right = margins
    sheet.page_margins.top = sheet.page_margins.bottom = 0.6
    sheet.print_options.horizontalCentered = layout.pages_across == 1
    if title_columns and layout.pages_across > 1:
        sheet.print_title_cols = title_columns
