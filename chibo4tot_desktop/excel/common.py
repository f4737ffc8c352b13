"""What the Excel writers share: fonts, the Party header, safe text, atomic saving."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from openpyxl.styles import Alignment, Border, Font, Side

from chibo4tot_desktop.errors import UserError

# Times New Roman is what the office's Word/Excel papers use (Hướng dẫn 36-HD/VPTW);
# LibreOffice substitutes Liberation Serif (metric-compatible) where it is missing.
FONT_NAME = "Times New Roman"
MARKER_SHEET = "_chibo4tot"
PROGRAM = "chibo4tot-desktop"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def font(size: float = 12, bold: bool = False, italic: bool = False,
         underline: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic,
                underline="single" if underline else None)


THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)


def needs_text_guard(value: object) -> bool:
    """A text Excel could take for a formula (= + - @, tab or CR at the start)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def guard_cell(cell) -> None:
    """Make sure a text cell stays text: openpyxl turns a leading "=" into a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if needs_text_guard(cell.value):
            cell.quotePrefix = True


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


def save_atomic(workbook, target: str | Path) -> Path:
    """Save to a temporary file next to ``target`` and rename it over (never half a file)."""
    target = check_target(target)
    directory = target.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=".tmp",
                                         dir=directory)
    os.close(handle)
    try:
        workbook.save(temporary)
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except PermissionError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise UserError(f"Không ghi được tệp '{target.name}' (tệp đang mở trong Excel hoặc "
                        "không có quyền ghi).") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return target
