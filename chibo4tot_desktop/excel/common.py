"""What the Excel writers share: fonts, borders, the text guard and saving.

The text guard: a text the user typed is written as text, never as a formula or a link. A
text cell is always stored as a string (openpyxl would make a formula of a text starting with
"="), and one that Excel could read as a formula when the cell is edited (= + - @, a tab or a
line break at the start, also after leading spaces, or their full-width forms) is marked
"typed as text" (quotePrefix, the invisible apostrophe): it shows exactly as typed.
``save_workbook`` puts every cell of an ordinary workbook through the guard before saving; the
streaming writer of the lists (``exports``) guards each cell as it makes it.
"""

from __future__ import annotations

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
