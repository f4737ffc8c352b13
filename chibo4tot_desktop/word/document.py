"""Word (.docx) documents in the layout of Hướng dẫn 36-HD/VPTW, written with python-docx, to
be finished and signed in Word or LibreOffice Writer.

A4 portrait, margins top and bottom 20 mm, left 30 mm, right 15 mm; Times New Roman. The
header is a borderless two-column table: left the upper body (regular), the issuing body
(bold), "*", the number "Số ...-TTr/ĐU" (and for a letter its subject "V/v ..."), right
"ĐẢNG CỘNG SẢN VIỆT NAM" (bold 15, underlined) and the place-date line (italic 14). Then the
title (bold capitals) and its subject (bold), the body (14 pt, justified, first line
indented), and a borderless table holding "Nơi nhận" (14 pt underlined, its lines 12 pt) on
the left and the signature block on the right (bold capitals, room to sign, the name). Pages
are numbered from the second one, top centre. Every text goes through ``fonts.printable``
(NFC, no control characters); the file is written through ``files.atomic_write``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from chibo4tot_desktop.files import atomic_write
from chibo4tot_desktop.pdf.fonts import printable

FONT = "Times New Roman"
TEXT_WIDTH_MM = 210 - 30 - 15
SIGNATURE_ROOM_MM = 30


@dataclass(frozen=True)
class TableColumn:
    title: str
    width: float            # share of the text width
    align: str = "left"     # left, center, right


_ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
          "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def _set_font(run, size: float, bold: bool = False, italic: bool = False,
              underline: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)


class WordDraft:
    """One Party document being built; ``save`` writes it."""

    def __init__(self, title: str = "", author: str = ""):
        self.document = Document()
        properties = self.document.core_properties
        properties.title = printable(title)
        properties.author = printable(author)
        properties.comments = "Dự thảo do chương trình chibo4tot-desktop lập"
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin = section.bottom_margin = Mm(20)
        section.left_margin, section.right_margin = Mm(30), Mm(15)
        section.header_distance = Mm(10)
        normal = self.document.styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.space_before = Pt(0)
        self._page_numbers(section)
        self._used: set = set()
        self._break_next = False

    # ------------------------------------------------------------------------ pieces
    def _page_numbers(self, section) -> None:
        """The page number top centre, from the second page on (36-HD)."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = paragraph.add_run()
        _set_font(run, 13)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                element = OxmlElement("w:fldChar")
                element.set(qn("w:fldCharType"), kind)
            else:
                element = OxmlElement("w:instrText")
                element.set(qn("xml:space"), "preserve")
                element.text = text
            run._element.append(element)

    def _paragraph(self, container=None, align: str = "left", space_after: float = 0,
                   space_before: float = 0, first_line_mm: float = 0,
                   keep_with_next: bool = False):
        if container is None:
            paragraph = self.document.add_paragraph()
            if self._break_next:
                paragraph.paragraph_format.page_break_before = True
                self._break_next = False
        elif container._element not in self._used:   # a new cell's own empty paragraph
            self._used.add(container._element)
            paragraph = container.paragraphs[0]
        else:
            paragraph = container.add_paragraph()
        paragraph.alignment = _ALIGN[align]
        fmt = paragraph.paragraph_format
        fmt.space_after = Pt(space_after)
        fmt.space_before = Pt(space_before)
        if first_line_mm:
            fmt.first_line_indent = Mm(first_line_mm)
        fmt.keep_with_next = keep_with_next
        return paragraph

    def line(self, text: str, size: float = 14, bold: bool = False, italic: bool = False,
             underline: bool = False, align: str = "left", container=None,
             space_after: float = 0, space_before: float = 0, keep_with_next: bool = False):
        paragraph = self._paragraph(container, align, space_after, space_before,
                                    keep_with_next=keep_with_next)
        if text:
            _set_font(paragraph.add_run(printable(text)), size, bold, italic, underline)
        return paragraph

    def _borderless(self, rows: int, widths_mm: Sequence[float]):
        table = self.document.add_table(rows=rows, cols=len(widths_mm))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_widths(table, widths_mm)
        return table

    # ------------------------------------------------------------------------ blocks
    def header(self, upper_body: str, issuer: str, place_date: str, number: str = "",
               subject: str = "") -> None:
        """The Party header table (see the module's text)."""
        table = self._borderless(1, (80, TEXT_WIDTH_MM - 80))
        left, right = table.rows[0].cells
        if upper_body:
            self.line(printable(upper_body).upper(), 14, align="center", container=left)
        self.line(printable(issuer).upper(), 14, bold=True, align="center", container=left)
        self.line("*", 14, align="center", container=left)
        if number:
            self.line(number, 14, align="center", container=left, space_before=2)
        if subject:
            self.line(subject, 12, italic=True, align="center", container=left,
                      space_before=2)
        self.line("ĐẢNG CỘNG SẢN VIỆT NAM", 15, bold=True, underline=True, align="center",
                  container=right)
        self.line("", 8, container=right)
        self.line(place_date, 14, italic=True, align="center", container=right)
        self.line("", 12)

    def title(self, name: str, subject: str = "", rule: bool = True) -> None:
        """The document's kind ("TỜ TRÌNH", bold 15) and its subject (bold 14)."""
        self.line(name.upper(), 15, bold=True, align="center", space_before=6,
                  keep_with_next=True)
        if subject:
            self.line(subject, 14, bold=True, align="center", keep_with_next=True)
        if rule:
            self.line("-----", 14, align="center", space_after=6, keep_with_next=True)

    def centred(self, text: str, size: float = 14, bold: bool = False, italic: bool = False,
                space_after: float = 6) -> None:
        self.line(text, size, bold=bold, italic=italic, align="center",
                  space_after=space_after)

    def paragraph(self, text: str, bold: bool = False, italic: bool = False,
                  indent: bool = True, size: float = 14, keep_with_next: bool = False,
                  lead: str = "") -> None:
        """Body text: justified, first line indented 10 mm, 6 pt after, 1.15 line spacing;
        ``lead`` ("Điều 1.") in bold before it."""
        paragraph = self._paragraph(None, "justify", 6, 0, 10 if indent else 0,
                                    keep_with_next=keep_with_next)
        paragraph.paragraph_format.line_spacing = 1.15
        if lead:
            _set_font(paragraph.add_run(printable(lead) + " "), size, True, italic)
        _set_font(paragraph.add_run(printable(text)), size, bold, italic)

    def heading(self, text: str) -> None:
        """A section heading of the body ("I. KẾT QUẢ ..."), kept with what follows."""
        paragraph = self._paragraph(None, "justify", 6, 6, 10, keep_with_next=True)
        _set_font(paragraph.add_run(printable(text)), 14, bold=True)

    def placeholder(self, text: str) -> None:
        """What the office writes itself, in brackets and italics."""
        self.paragraph(f"[{text}]", italic=True)

    def table(self, columns: Sequence[TableColumn], rows: Sequence[Sequence[object]],
              size: float = 13, section_rows: frozenset[int] = frozenset(),
              bold_rows: frozenset[int] = frozenset()) -> None:
        """A ruled table (Table Grid), header row repeated on each page, rows never split."""
        total = sum(column.width for column in columns)
        widths = [TEXT_WIDTH_MM * column.width / total for column in columns]
        table = self.document.add_table(rows=1, cols=len(columns))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _set_widths(table, widths)
        header = table.rows[0]
        _repeat_header(header)
        for cell, column, width in zip(header.cells, columns, widths):
            cell.width = Mm(width)
            self.line(column.title, size, bold=True, align="center", container=cell)
        for index, values in enumerate(rows):
            row = table.add_row()
            _no_split(row)
            cells = row.cells
            if index in section_rows:
                merged = cells[0].merge(cells[-1])
                self.line(str(values[0]), size, bold=True, container=merged)
                continue
            for cell, column, width, value in zip(cells, columns, widths, values):
                cell.width = Mm(width)
                text = "" if value is None else str(value)
                self.line(text, size, bold=index in bold_rows, align=column.align,
                          container=cell)
        self.line("", 8)

    def signature(self, lines: Sequence[str], name: str, recipients: Sequence[str]) -> None:
        """"Nơi nhận" on the left; on the right the signer's lines (bold capitals), 30 mm to
        sign and stamp, and the name (bold)."""
        table = self._borderless(1, (75, TEXT_WIDTH_MM - 75))
        _no_split(table.rows[0])
        left, right = table.rows[0].cells
        if recipients:
            self.line("Nơi nhận:", 14, underline=True, container=left)
            for recipient in recipients:
                self.line(recipient, 12, container=left)
        for text in lines:
            if text:
                self.line(printable(text).upper(), 14, bold=True, align="center",
                          container=right)
        room = self.line("", 14, container=right)
        room.paragraph_format.space_before = Mm(SIGNATURE_ROOM_MM - 4)   # + the line: 30 mm
        self.line(name, 14, bold=True, align="center", container=right)

    def page_break(self) -> None:
        """What follows starts a new page (its first paragraph breaks the page before it)."""
        self._break_next = True

    # ------------------------------------------------------------------------ saving
    def save(self, target: str | os.PathLike) -> Path:
        """Write the document through the program's one file writer."""
        target = Path(target)
        with atomic_write(target) as temporary:
            self.document.save(str(temporary))
        return target


def _set_widths(table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, in the table grid (what Writer reads) and in every cell (Word)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm):
            cell.width = Mm(width)


def _repeat_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
    _no_split(row)


def _no_split(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:cantSplit")
    element.set(qn("w:val"), "true")
    properties.append(element)
