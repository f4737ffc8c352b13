"""The user guide as one PDF for the office's binder: the same sections the window shows, with
their pictures, in the papers' font (``pdf/fonts.py``). No Qt.

The guide's HTML is the program's own small subset (h1, h2, h3, p, ul/ol/li, b, i, a, img,
table/tr/td/th, br), read with ``html.parser``; every text goes into reportlab as escaped text,
so the PDF's text is the guide's text (``pdftotext`` reads it back).
"""

from __future__ import annotations

import io
import re
from html import escape
from html.parser import HTMLParser
from pathlib import Path

from chibo4tot_desktop import guide
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.progress import Progress, null_progress

INLINE = {"b": "b", "strong": "b", "i": "i", "em": "i"}
BLOCKS = ("h1", "h2", "h3", "p", "li", "td", "th")


class _Reader(HTMLParser):
    """The blocks of one section: (kind, markup) with kind h1/h2/h3/p/li/img/row."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, object]] = []
        self.kind: str | None = None
        self.parts: list[str] = []
        self.lists: list[list] = []      # [ordered, counter]
        self.row: list[tuple[str, str]] | None = None

    def _flush(self) -> None:
        text = "".join(self.parts).strip()
        if self.kind in ("td", "th") and self.row is not None:
            self.row.append((self.kind, text))
        elif self.kind and text:
            if self.kind == "li" and self.lists:
                ordered = self.lists[-1]
                ordered[1] += 1
                bullet = f"{ordered[1]}." if ordered[0] else "•"
                self.blocks.append(("li", (bullet, text, len(self.lists))))
            else:
                self.blocks.append((self.kind, text))
        self.kind, self.parts = None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in BLOCKS:
            self._flush()
            self.kind = tag
        elif tag in ("ul", "ol"):
            self._flush()
            self.lists.append([tag == "ol", 0])
        elif tag == "tr":
            self.row = []
        elif tag == "img":
            self._flush()
            self.blocks.append(("img", attrs.get("src", "")))
        elif tag in INLINE and self.kind:
            self.parts.append(f"<{INLINE[tag]}>")
        elif tag == "br" and self.kind:
            self.parts.append("<br/>")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self._flush()
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "tr" and self.row is not None:
            if self.row:
                self.blocks.append(("row", self.row))
            self.row = None
        elif tag in INLINE and self.kind:
            self.parts.append(f"</{INLINE[tag]}>")

    def handle_data(self, data):
        if self.kind:
            self.parts.append(escape(re.sub(r"\s+", " ", data)))


def section_blocks(html: str) -> list[tuple[str, object]]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return reader.blocks


def render_guide(progress: Progress = null_progress) -> bytes:
    """The whole guide as PDF bytes (A4, a contents page, one chapter per section)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        KeepTogether,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from chibo4tot_desktop.pdf.fonts import FONT_NAMES, register_fonts

    register_fonts()
    regular, bold = FONT_NAMES["regular"], FONT_NAMES["bold"]
    styles = {
        "title": ParagraphStyle("title", fontName=bold, fontSize=22, leading=28, spaceAfter=12),
        "h1": ParagraphStyle("h1", fontName=bold, fontSize=17, leading=22, spaceAfter=8),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=14, leading=18, spaceBefore=8,
                             spaceAfter=4),
        "h3": ParagraphStyle("h3", fontName=bold, fontSize=12.5, leading=16, spaceBefore=6,
                             spaceAfter=2),
        "p": ParagraphStyle("p", fontName=regular, fontSize=12, leading=16, spaceAfter=5),
        "li": ParagraphStyle("li", fontName=regular, fontSize=12, leading=16, spaceAfter=3,
                             bulletFontName=regular, bulletFontSize=12),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=10.5, leading=13),
        "toc": ParagraphStyle("toc", fontName=regular, fontSize=12.5, leading=19),
    }
    width = A4[0] - 40 * mm
    story: list = [Paragraph(escape(guide.GUIDE_TITLE), styles["title"]),
                   Paragraph("Chương trình quản lý phong trào thi đua “Chi bộ 4 tốt”, "
                             "“Đảng bộ cơ sở 4 tốt”", styles["p"]),
                   Spacer(1, 6 * mm)]
    every = guide.sections()
    story += [Paragraph(escape(entry.label), styles["toc"]) for entry in every]
    for number, entry in enumerate(every):
        progress(number, len(every), entry.title)
        story.append(PageBreak())
        for kind, value in section_blocks(guide.section_html(entry.id)):
            if kind == "h1":
                story.append(Paragraph(f"{escape(entry.code)}. {value}", styles["h1"]))
            elif kind in ("h2", "h3", "p"):
                story.append(Paragraph(value, styles[kind]))
            elif kind == "li":
                bullet, text, depth = value
                style = ParagraphStyle(f"li{depth}", parent=styles["li"],
                                       leftIndent=8 * mm * depth, bulletIndent=8 * mm * depth - 5 * mm)
                story.append(Paragraph(text, style, bulletText=bullet))
            elif kind == "row":
                table = Table([[Paragraph(f"<b>{text}</b>" if cell == "th" else text,
                                          styles["cell"]) for cell, text in value]],
                              colWidths=[width / len(value)] * len(value))
                table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                                           ("FONTNAME", (0, 0), (-1, -1), regular),
                                           ("VALIGN", (0, 0), (-1, -1), "TOP")]))
                story.append(table)
            elif kind == "img":
                path = guide.guide_dir() / str(value)
                if path.is_file():
                    picture = Image(str(path))
                    scale = min(1.0, width / picture.imageWidth, 120 * mm / picture.imageHeight)
                    picture.drawWidth = picture.imageWidth * scale
                    picture.drawHeight = picture.imageHeight * scale
                    story.append(KeepTogether([Spacer(1, 2 * mm), picture, Spacer(1, 3 * mm)]))

    def footer(canvas, document):
        canvas.saveState()
        canvas.setFont(regular, 9)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{guide.GUIDE_TITLE} – trang {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=guide.GUIDE_TITLE, author="chibo4tot-desktop",
                                 # the canvas starts in the embedded font, not reportlab's
                                 # Helvetica (every font of the PDF embedded)
                                 initialFontName=regular, initialFontSize=12)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    progress(len(every), len(every), "")
    return buffer.getvalue()


def write_guide(target: str | Path, progress: Progress = null_progress) -> Path:
    """Write the guide's PDF to ``target`` (through the program's one file writer)."""
    return write_bytes(target, render_guide(progress), progress)
