"""Print preview, printing and "save as PDF" of the papers the core lays out (``pdf.layout``).

Why this way: QtPdf (QPdfDocument), which could show the PDF itself, is in PySide6-Addons, not
in PySide6-Essentials (checked: PySide6-Essentials 6.12 has QtPrintSupport but no QtPdf);
adding Addons (or a PDF rasteriser such as pypdfium2) would bring a large native dependency
into the Windows bundle, and calling poppler's pdftoppm does not work on Windows. The core
already computes every paper as pages of positioned texts, lines and shapes, so this module
draws those same pages with QPainter onto the QPrinter: the preview and the printout are
vector drawings with the same fonts files (registered with QFontDatabase), the same
positions and the same line breaks as the PDF. "Save as PDF" writes the core's reportlab PDF.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QPageLayout,
    QPageSize,
    QPaintDevice,
    QPainter,
    QPen,
    QPolygonF,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.pdf.fonts import STYLES, font_set
from chibo4tot_desktop.pdf.layout import Group, Line, Page, Paper, Polygon, Rect, Text
from chibo4tot_desktop.pdf.render import write_paper
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.ui.help import bind_f1
from chibo4tot_desktop.ui.long_work import run_long
from chibo4tot_desktop.ui.screen import fit_to_screen


@functools.lru_cache(maxsize=1)
def qt_families() -> dict[str, str]:
    """Register the papers' four font files with Qt; style -> family name Qt knows them by."""
    families: dict[str, str] = {}
    for style in STYLES:
        path = font_set().files[style]
        font_id = QFontDatabase.addApplicationFont(str(path))
        names = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        families[style] = names[0] if names else font_set().family
    return families


def qt_font(style: str, size: float) -> QFont:
    font = QFont(qt_families()[style])
    font.setPointSizeF(size)
    font.setBold(style in ("bold", "bolditalic"))
    font.setItalic(style in ("italic", "bolditalic"))
    # reportlab neither kerns nor hints: do the same so widths match the PDF's layout.
    font.setKerning(False)
    font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    font.setStyleStrategy(QFont.StyleStrategy.NoFontMerging)
    return font


def _color(rgb: tuple) -> QColor:
    return QColor.fromRgbF(*rgb)


def paint_page(painter: QPainter, device: QPaintDevice, page: Page) -> None:
    """Draw one laid-out page on ``device`` (origin at the paper's top-left corner)."""
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    _paint_items(painter, page.items, device.logicalDpiX() / 72.0, device.logicalDpiY() / 72.0,
                 {})


def _paint_items(painter: QPainter, items, sx: float, sy: float, fonts: dict) -> None:
    for item in items:
        if isinstance(item, Group):
            painter.save()
            painter.translate(item.dx * sx, item.dy * sy)
            _paint_items(painter, item.items, sx, sy, fonts)
            painter.restore()
        elif isinstance(item, Text):
            key = (item.style, item.size)
            font = fonts.get(key)
            if font is None:
                font = fonts[key] = qt_font(item.style, item.size)
            painter.setFont(font)
            painter.setPen(_color(item.color))
            painter.drawText(QPointF(item.x * sx, item.y * sy), item.text)
        elif isinstance(item, Line):
            painter.setPen(QPen(_color(item.color), item.width * sx))
            painter.drawLine(QPointF(item.x1 * sx, item.y1 * sy),
                             QPointF(item.x2 * sx, item.y2 * sy))
        elif isinstance(item, Rect):
            painter.setPen(QPen(_color(item.color), item.width * sx))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(item.x * sx, item.y * sy, item.w * sx, item.h * sy))
        elif isinstance(item, Polygon):
            painter.setPen(QPen(_color(item.stroke), item.width * sx) if item.stroke
                           else Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(_color(item.fill)) if item.fill else Qt.BrushStyle.NoBrush)
            painter.drawPolygon(QPolygonF([QPointF(x * sx, y * sy) for x, y in item.points]))


def setup_printer(printer: QPrinter, pages: Sequence[Page], title: str) -> None:
    """A4, the pages' orientation, no margins (the layout has its own), the document name."""
    orientation = (QPageLayout.Orientation.Landscape if pages and pages[0].landscape
                   else QPageLayout.Orientation.Portrait)
    printer.setFullPage(True)
    printer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation,
                                      QMarginsF(0, 0, 0, 0)))
    printer.setDocName(title)


def print_pages(printer: QPrinter, pages: Sequence[Page]) -> None:
    """Paint ``pages`` on ``printer`` (a real printer, the preview, or Qt's PDF output)."""
    painter = QPainter()
    if not painter.begin(printer):
        raise UserError("Không mở được máy in.")
    try:
        for index, page in enumerate(pages):
            if index:
                printer.newPage()
            paint_page(painter, printer, page)
    finally:
        painter.end()


class PaperJob:
    """One paper to preview, print or save: its pages (computed once), title and file name.

    ``make`` returns a ``layout.Paper`` (pages and warnings) or a list of pages; it is called
    lazily and may raise UserError (shown as a message, never a traceback). A paper with
    problems (no signer, text off the page) is printed or saved only after the user, told
    what they are, chose to go on (``confirm_problems``).
    """

    def __init__(self, make: Callable[[], Paper | list[Page]], title: str, file_name: str):
        self._make = make
        self._paper: Paper | None = None
        self.title = title
        self.file_name = file_name
        self.confirmed = False

    @property
    def paper(self) -> Paper:
        if self._paper is None:
            made = self._make()
            self._paper = made if isinstance(made, Paper) else Paper(list(made), self.title)
        return self._paper

    @property
    def pages(self) -> list[Page]:
        return self.paper.pages

    def problems(self) -> list[str]:
        return self.paper.problems()

    def preview_dialog(self, parent: QWidget | None = None) -> QPrintPreviewDialog:
        """The print-preview dialog (its print button prints); the caller shows it."""
        pages = self.pages
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_printer(printer, pages, self.title)
        dialog = QPrintPreviewDialog(printer, parent)
        dialog.printer_ref = printer  # the dialog does not own the printer: keep it alive
        dialog.setWindowTitle(f"Xem trước khi in – {self.title}")
        dialog.paintRequested.connect(lambda target: print_pages(target, pages))
        dialog.resize(1000, 760)
        fit_to_screen(dialog)
        bind_f1(dialog)
        return dialog

    def print_with_dialog(self, parent: QWidget | None = None) -> bool:
        pages = self.pages
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        setup_printer(printer, pages, self.title)
        dialog = QPrintDialog(printer, parent)
        dialog.setWindowTitle(f"In – {self.title}")
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return False
        print_pages(printer, pages)
        return True

    def save_pdf(self, path: str, progress: Progress = null_progress) -> None:
        paper = self.paper
        write_paper(Paper(paper.pages, paper.title or self.title, paper.author), path,
                    progress)


def run_job(parent: QWidget | None, action: Callable[[], object]) -> object | None:
    """Run ``action``; a UserError becomes a message box (the window never shows a traceback)."""
    try:
        return action()
    except UserError as error:
        QMessageBox.warning(parent, APP_TITLE, str(error))
        return None


def confirm_problems(parent: QWidget | None, problems: list[str], what: str = "in") -> bool:
    """Tell the user what is wrong with a paper before it is printed or saved; True when
    there is nothing, or the user chose to go on anyway."""
    if not problems:
        return True
    shown = "\n".join(f"• {problem}" for problem in problems[:8])
    if len(problems) > 8:
        shown += f"\n• ... và {len(problems) - 8} điều khác"
    answer = QMessageBox.question(
        parent, APP_TITLE, f"Giấy tờ này có điều cần xem lại trước khi {what}:\n\n{shown}\n\n"
        f"Vẫn {what}?", QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def _checked(parent: QWidget | None, job: PaperJob) -> bool:
    """The job's pages are made and its problems accepted (asked once per job)."""
    if run_job(parent, lambda: job.pages) is None:
        return False
    if not job.confirmed:
        job.confirmed = confirm_problems(parent, job.problems())
    return job.confirmed


def preview(parent: QWidget | None, job: PaperJob) -> None:
    if not _checked(parent, job):
        return
    dialog = run_job(parent, lambda: job.preview_dialog(parent))
    if dialog is not None:
        dialog.exec()


def print_job(parent: QWidget | None, job: PaperJob) -> None:
    if _checked(parent, job):
        run_job(parent, lambda: job.print_with_dialog(parent))


def save_as_pdf(parent: QWidget | None, job: PaperJob, folder: str = "") -> str | None:
    """Ask for a file name and write the PDF there; returns the path written, or None."""
    if not _checked(parent, job):
        return None
    start = f"{folder}/{job.file_name}" if folder else job.file_name
    path, _ = QFileDialog.getSaveFileName(parent, "Lưu thành tệp PDF", start,
                                          "Tệp PDF (*.pdf)")
    if not path:
        return None
    if not path.lower().endswith(".pdf"):
        path += ".pdf"
    # Written off the GUI thread behind a progress dialog ("Hủy": no file is left).
    return run_job(parent, lambda: run_long(
        parent, f"Lưu PDF – {job.title}",
        lambda progress: job.save_pdf(path, progress) or path))
