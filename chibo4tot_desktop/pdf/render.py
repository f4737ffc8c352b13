"""Draw laid-out pages (``pdf.layout``) into a PDF file with reportlab.

The file is written through the program's one file writer (``files.atomic_write``), so a
failure never leaves a half-written PDF under the user's name.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Sized
from pathlib import Path

from reportlab.pdfgen.canvas import Canvas

from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.pdf.fonts import FONT_NAMES, register_fonts
from chibo4tot_desktop.pdf.layout import Group, Line, Page, Paper, Polygon, Rect, Text
from chibo4tot_desktop.progress import Progress, null_progress


def draw_page(canvas: Canvas, page: Page, forms: set | None = None) -> None:
    """Draw one page's items on ``canvas`` (whose page size is already the page's).

    ``forms`` holds the keys of the groups already stored in this document as form XObjects.
    """
    if forms is None:
        forms = set()
    _draw_items(canvas, page.items, page.width, page.height, forms)


def _draw_items(canvas: Canvas, items, page_width: float, height: float, forms: set) -> None:
    font = None
    fill = None
    stroke = None
    line_width = None
    for item in items:
        if isinstance(item, Group):
            name = f"{item.key}-{page_width:.0f}x{height:.0f}"
            if name not in forms:
                canvas.beginForm(name)
                _draw_items(canvas, item.items, page_width, height, forms)
                canvas.endForm()
                forms.add(name)
            canvas.saveState()
            canvas.translate(item.dx, -item.dy)
            canvas.doForm(name)
            canvas.restoreState()
            font = fill = stroke = line_width = None
            continue
        if isinstance(item, Text):
            if font != (item.style, item.size):
                font = (item.style, item.size)
                canvas.setFont(FONT_NAMES[item.style], item.size)
            if fill != item.color:
                fill = item.color
                canvas.setFillColorRGB(*item.color)
            canvas.drawString(item.x, height - item.y, item.text)
            continue
        if isinstance(item, Polygon):
            if item.fill is not None and fill != item.fill:
                fill = item.fill
                canvas.setFillColorRGB(*item.fill)
            if item.stroke is not None and stroke != item.stroke:
                stroke = item.stroke
                canvas.setStrokeColorRGB(*item.stroke)
            if line_width != item.width:
                line_width = item.width
                canvas.setLineWidth(item.width)
            path = canvas.beginPath()
            first, *rest = item.points
            path.moveTo(first[0], height - first[1])
            for x, y in rest:
                path.lineTo(x, height - y)
            path.close()
            canvas.drawPath(path, stroke=item.stroke is not None, fill=item.fill is not None)
            continue
        if stroke != item.color:
            stroke = item.color
            canvas.setStrokeColorRGB(*item.color)
        if line_width != item.width:
            line_width = item.width
            canvas.setLineWidth(item.width)
        if isinstance(item, Line):
            canvas.line(item.x1, height - item.y1, item.x2, height - item.y2)
        elif isinstance(item, Rect):
            canvas.rect(item.x, height - item.y - item.h, item.w, item.h, stroke=1, fill=0)


def pdf_bytes(pages: Iterable[Page], title: str = "", author: str = "",
              progress: Progress = null_progress) -> bytes:
    """The PDF document of ``pages`` as bytes (``progress`` hears of every page)."""
    register_fonts()
    buffer = io.BytesIO()
    # The page's initial font is the papers' own (embedded) font: reportlab's default,
    # Helvetica, would otherwise be referenced on every page without being embedded.
    canvas = Canvas(buffer, pageCompression=1, initialFontName=FONT_NAMES["regular"],
                    initialFontSize=12)
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setCreator("chibo4tot-desktop")
    count = 0
    forms: set = set()
    total = len(pages) if isinstance(pages, Sized) else None
    progress(0, total, "Đang tạo tệp PDF…")
    for page in pages:
        progress(count, total)
        canvas.setPageSize((page.width, page.height))
        draw_page(canvas, page, forms)
        canvas.showPage()
        count += 1
    if count == 0:
        raise UserError("Không có trang nào để in.")
    progress(count, count, "Đang lưu tệp PDF…")
    canvas.save()
    return buffer.getvalue()


def write_paper(paper: Paper, target: str | os.PathLike,
                progress: Progress = null_progress) -> Path:
    """Write a laid-out paper (``layout.Paper``) to ``target``."""
    return write_pdf(paper.pages, target, paper.title, paper.author, progress)


def write_pdf(pages: Iterable[Page], target: str | os.PathLike, title: str = "",
              author: str = "", progress: Progress = null_progress) -> Path:
    """Write ``pages`` to ``target`` (through the one file writer). Returns the path; on
    ``Cancelled`` (from ``progress``) no file is left and an old one is unchanged."""
    target = Path(target)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"Thư mục '{folder}' không có.")
    return write_bytes(target, pdf_bytes(pages, title, author, progress), progress)
