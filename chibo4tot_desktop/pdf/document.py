"""A small flow layout for A4 portrait Party documents (Hướng dẫn 36-HD/VPTW).

It puts the Party header, centred titles, wrapped paragraphs, tables whose header repeats on
each page, and a signature block onto ``layout.Page`` objects, breaking pages where needed and
numbering pages from the second one (top centre, as 36-HD asks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chibo4tot_desktop.pdf.fonts import printable
from chibo4tot_desktop.pdf.layout import A4_PORTRAIT, MM, Page, measure, wrap

# 36-HD margins: top 20-25 mm, bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20 * MM, 20 * MM, 30 * MM, 15 * MM


@dataclass(frozen=True)
class Column:
    title: str
    width: float          # share of the text width (the shares are normalised)
    align: str = "left"   # left, center, right


class Flow:
    def __init__(self, size: tuple[float, float] = A4_PORTRAIT):
        self.width, self.height = size
        self.left = MARGIN_LEFT
        self.right = self.width - MARGIN_RIGHT
        self.bottom = self.height - MARGIN_BOTTOM
        self.pages: list[Page] = []
        self.page: Page
        self.y = 0.0
        self.new_page()

    @property
    def text_width(self) -> float:
        return self.right - self.left

    def new_page(self) -> None:
        self.page = Page(self.width, self.height)
        self.pages.append(self.page)
        self.y = MARGIN_TOP

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit on this one."""
        if self.y + height > self.bottom and self.y > MARGIN_TOP + 1:
            self.new_page()

    def space(self, points: float) -> None:
        self.y += points

    # ------------------------------------------------------------------------ blocks
    def party_header(self, upper_body: str, issuer: str, place_date: str) -> None:
        """Left: the upper body (regular), the issuing body (bold), "*"; right: "ĐẢNG CỘNG SẢN
        VIỆT NAM" (bold 15, underlined) and the place-date line (italic 14)."""
        column = 85 * MM
        left_centre = self.left + column / 2 - 10
        right_centre = self.right - column / 2 + 5
        top = self.y + 15
        y = top
        for text, style in ((upper_body, "regular"), (issuer, "bold")):
            text = printable(text).upper()
            if not text:
                continue
            size = 14.0
            while measure(text, style, size) > column and size > 10:
                size -= 0.5
            for line in wrap(text, style, size, column):
                self.page.text(left_centre, y, line, style, size, "center")
                y += size * 1.2
        self.page.text(left_centre, y + 1, "*", "regular", 14, "center")
        width = self.page.text(right_centre, top, "ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15, "center")
        self.page.underline(right_centre, top, width, 15, "center")
        if place_date:
            text = printable(place_date)
            size = 14.0
            while measure(text, "italic", size) > column + 10 * MM and size > 10:
                size -= 0.5
            self.page.text(right_centre, top + 34, text, "italic", size, "center")
        self.y = max(y + 14, top + 40) + 10

    def centred(self, text: str, style: str = "bold", size: float = 14.0,
                after: float = 4.0) -> None:
        lines = wrap(printable(text), style, size, self.text_width)
        for line in lines:
            self.ensure(size * 1.3)
            self.page.text(self.left + self.text_width / 2, self.y + size, line, style, size,
                           "center")
            self.y += size * 1.3
        self.y += after

    def paragraph(self, text: str, style: str = "regular", size: float = 14.0,
                  indent: float = 10 * MM, after: float = 4.0, left: float = 0.0) -> None:
        """Wrapped text, first line indented; keeps its first two lines together."""
        x = self.left + left
        width = self.text_width - left
        lines = wrap(printable(text), style, size, width, width - indent)
        line_height = size * 1.35
        self.ensure(min(len(lines), 2) * line_height)
        for index, line in enumerate(lines):
            self.ensure(line_height)
            self.page.text(x + (indent if index == 0 else 0), self.y + size, line, style, size)
            self.y += line_height
        self.y += after

    def dotted_lines(self, count: int, size: float = 14.0) -> None:
        """Lines of dots to be filled in by hand."""
        dot = measure(".", "regular", size)
        dots = "." * int(self.text_width / dot)
        for _ in range(count):
            self.ensure(size * 1.5)
            self.page.text(self.left, self.y + size, dots, "regular", size)
            self.y += size * 1.5

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
              size: float = 12.0, header_size: float = 12.0,
              section_rows: frozenset[int] = frozenset()) -> None:
        """A ruled table; the header repeats on every page. Rows in ``section_rows`` are
        headings spanning the whole width (bold)."""
        total = sum(column.width for column in columns)
        widths = [self.text_width * column.width / total for column in columns]
        pad = 3.0

        def cell_lines(text: str, width: float, style: str, text_size: float) -> list[str]:
            return wrap(printable(text), style, text_size, width - 2 * pad) or [""]

        header = [cell_lines(column.title, width, "bold", header_size)
                  for column, width in zip(columns, widths)]
        header_height = max(len(lines) for lines in header) * header_size * 1.2 + 2 * pad

        def draw_header() -> None:
            self._row(header, columns, widths, header_height, "bold", header_size, pad,
                      force_center=True)

        self.ensure(header_height + size * 3)
        draw_header()
        for index, row in enumerate(rows):
            if index in section_rows:
                lines = [cell_lines(row[0], self.text_width, "bold", size)]
                height = len(lines[0]) * size * 1.2 + 2 * pad
                if self.y + height > self.bottom:
                    self.new_page()
                    draw_header()
                self._row(lines, [Column("", 1)], [self.text_width], height, "bold", size, pad)
                continue
            lines = [cell_lines(text, width, "regular", size) for text, width in zip(row, widths)]
            height = max(len(cell) for cell in lines) * size * 1.2 + 2 * pad
            if self.y + height > self.bottom:
                self.new_page()
                draw_header()
            self._row(lines, columns, widths, height, "regular", size, pad)
        self.y += 8

    def _row(self, cells, columns, widths, height, style, size, pad, force_center=False):
        x = self.left
        top = self.y
        for lines, column, width in zip(cells, columns, widths):
            self.page.rect(x, top, width, height, 0.6)
            align = "center" if force_center else column.align
            y = top + pad + size * 0.95
            for line in lines:
                if align == "center":
                    self.page.text(x + width / 2, y, line, style, size, "center")
                elif align == "right":
                    self.page.text(x + width - pad, y, line, style, size, "right")
                else:
                    self.page.text(x + pad, y, line, style, size)
                y += size * 1.2
            x += width
        self.y = top + height

    def signature(self, lines: Sequence[str], name: str, recipients: Sequence[str] = (),
                  room: float = 72.0) -> None:
        """The signature block on the right (bold capitals, room to sign, the name); "Nơi
        nhận" on the left when ``recipients`` are given."""
        self.ensure(14 + len(lines) * 18 + room + 4)
        centre = self.right - 40 * MM
        top = self.y + 14
        y = top
        for line in lines:
            text = printable(line).upper()
            self.page.text(centre, y, text, "bold", 14, "center")
            y += 18
        if name:
            self.page.text(centre, y + room, printable(name), "bold", 14, "center")
        if recipients:
            ry = top
            self.page.text(self.left, ry, "Nơi nhận:", "bolditalic", 12)
            for recipient in recipients:
                ry += 15
                self.page.text(self.left, ry, printable(recipient), "regular", 11)
        self.y = y + room + 20

    def finish(self) -> list[Page]:
        """The pages, numbered from the second one (top centre)."""
        if len(self.pages) > 1:
            for number, page in enumerate(self.pages[1:], start=2):
                page.text(self.width / 2, 12 * MM, str(number), "regular", 13, "center")
        return self.pages
