"""A small flow layout for A4 portrait Party documents (Hướng dẫn 36-HD/VPTW).

It puts the Party header, centred titles, wrapped paragraphs, tables whose header repeats on
each page, and a signature block onto ``layout.Page`` objects, breaking pages the way a
typesetter would: the last rows of a table stay with what follows it (totals, signature), a
paragraph keeps its last lines with the signature after it so a signature never stands alone
on a page, a table's section heading never ends a page. Every line of the signature block
is wrapped or shrunk inside its column, with at least 30 mm left to sign. Pages are numbered
from the second one (top centre, as 36-HD asks).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chibo4tot_desktop.pdf.fonts import printable
from chibo4tot_desktop.pdf.layout import A4_PORTRAIT, MM, Page, fit_lines, measure, wrap

# 36-HD margins: top 20-25 mm, bottom 20-25 mm, left 30-35 mm, right 15-20 mm.
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 20 * MM, 20 * MM, 30 * MM, 15 * MM
SIGNATURE_ROOM = 30 * MM      # room to sign and stamp between the title and the name
SIGNATURE_COLUMN = 85 * MM    # the signer's column, on the right
RECIPIENT_SIZE = 12.0         # "Nơi nhận" lines (36-HD: 12 pt)
SIGNER_SIZE, SIGNER_MIN_SIZE = 14.0, 12.0


@dataclass(frozen=True)
class Column:
    title: str
    width: float          # share of the text width (the shares are normalised)
    align: str = "left"   # left, center, right


@dataclass(frozen=True)
class SignatureLayout:
    """The signature block measured for a column: (text, size, lines) of each line, the
    name's size and lines, and the "Nơi nhận" lines."""

    lines: tuple[tuple[float, tuple[str, ...]], ...]
    name_size: float
    name_lines: tuple[str, ...]
    recipients: tuple[str, ...]
    room: float

    @property
    def height(self) -> float:
        """From the flow's position to below the name (as ``Flow.signature`` draws it)."""
        signer = sum(len(lines) * size * 1.25 for size, lines in self.lines)
        if self.lines:
            last = self.lines[-1][0]
            signer += last * 0.25 - last * 1.25          # to the bottom of the last line
        name = (len(self.name_lines) - 1) * self.name_size * 1.25 + self.name_size \
            if self.name_lines else 0.0
        left = (1 + len(self.recipients)) * (RECIPIENT_SIZE + 3) + 4
        return 14 + max(signer + self.room + name, left) + 10


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

    @property
    def at_top(self) -> bool:
        return self.y <= MARGIN_TOP + 1

    def new_page(self) -> None:
        self.page = Page(self.width, self.height)
        self.pages.append(self.page)
        self.y = MARGIN_TOP

    def fits(self, height: float) -> bool:
        return self.y + height <= self.bottom

    def ensure(self, height: float) -> None:
        """Start a new page unless ``height`` points still fit on this one."""
        if not self.fits(height) and not self.at_top:
            self.new_page()

    def space(self, points: float) -> None:
        self.y += points

    # ------------------------------------------------------------------------ blocks
    def party_header(self, upper_body: str, issuer: str, place_date: str,
                     number: str = "") -> None:
        """Left: the upper body (regular), the issuing body (bold), "*" (and the document's
        number); right: "ĐẢNG CỘNG SẢN VIỆT NAM" (bold 15, underlined) and the place-date
        line (italic 14)."""
        column = 85 * MM
        left_centre = self.left + column / 2 - 10
        right_centre = self.right - column / 2 + 5
        top = self.y + 15
        y = top
        for text, style in ((upper_body, "regular"), (issuer, "bold")):
            text = printable(text).upper()
            if not text:
                continue
            size, lines = fit_lines(text, style, 14.0, column, 1, 11.0)
            for line in lines:
                self.page.text(left_centre, y, line, style, size, "center")
                y += size * 1.2
        self.page.text(left_centre, y + 1, "*", "regular", 14, "center")
        if number:
            y += 18
            self.page.text(left_centre, y + 1, printable(number), "regular", 14, "center")
        width = self.page.text(right_centre, top, "ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15, "center")
        self.page.underline(right_centre, top, width, 15, "center")
        if place_date:
            size, lines = fit_lines(printable(place_date), "italic", 14.0, column + 10 * MM, 1,
                                    11.0)
            line_y = top + 34
            for line in lines:
                self.page.text(right_centre, line_y, line, "italic", size, "center")
                line_y += size * 1.2
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

    def paragraph_lines(self, text: str, style: str = "regular", size: float = 14.0,
                        indent: float = 10 * MM, left: float = 0.0) -> list[str]:
        width = self.text_width - left
        return wrap(printable(text), style, size, width, width - indent)

    def paragraph_height(self, text: str, style: str = "regular", size: float = 14.0,
                         indent: float = 10 * MM, after: float = 4.0, left: float = 0.0
                         ) -> float:
        return len(self.paragraph_lines(text, style, size, indent, left)) * size * 1.35 + after

    def paragraph(self, text: str, style: str = "regular", size: float = 14.0,
                  indent: float = 10 * MM, after: float = 4.0, left: float = 0.0,
                  keep_with_next: float = 0.0) -> None:
        """Wrapped text, first line indented; keeps its first two lines together, and its
        last two lines with the ``keep_with_next`` points that follow (a signature)."""
        x = self.left + left
        lines = self.paragraph_lines(text, style, size, indent, left)
        line_height = size * 1.35
        self.ensure(min(len(lines), 2) * line_height)
        keep_from = max(0, len(lines) - 2) if keep_with_next else len(lines)
        for index, line in enumerate(lines):
            if index == keep_from:
                self.ensure((len(lines) - index) * line_height + after + keep_with_next)
            else:
                self.ensure(line_height)
            self.page.text(x + (indent if index == 0 else 0), self.y + size, line, style, size)
            self.y += line_height
        self.y += after

    def dotted_lines(self, count: int, size: float = 14.0, spacing: float = 1.5) -> None:
        """Lines of dots to be filled in by hand, ``spacing`` times ``size`` apart."""
        dot = measure(".", "regular", size)
        dots = "." * int(self.text_width / dot)
        for _ in range(count):
            self.ensure(size * spacing)
            self.page.text(self.left, self.y + size, dots, "regular", size)
            self.y += size * spacing

    def table(self, columns: Sequence[Column], rows: Sequence[Sequence[str]],
              size: float = 12.0, header_size: float = 12.0,
              section_rows: frozenset[int] = frozenset(), keep_with_next: float = 0.0,
              keep_rows: int = 2) -> None:
        """A ruled table; the header repeats on every page. Rows in ``section_rows`` are
        headings spanning the whole width (bold), never left at the foot of a page. The last
        ``keep_rows`` rows go to the next page with ``keep_with_next`` points of what follows
        the table (totals, signature) when these would not fit after them."""
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

        laid = []
        for index, row in enumerate(rows):
            if index in section_rows:
                lines = [cell_lines(row[0], self.text_width, "bold", size)]
                laid.append((lines, [Column("", 1)], [self.text_width], "bold",
                             len(lines[0]) * size * 1.2 + 2 * pad))
            else:
                lines = [cell_lines(text, width, "regular", size)
                         for text, width in zip(row, widths)]
                laid.append((lines, columns, widths, "regular",
                             max(len(cell) for cell in lines) * size * 1.2 + 2 * pad))
        first_kept = max(0, len(laid) - keep_rows) if keep_with_next else len(laid)
        following = sum(item[4] for item in laid[first_kept:]) + 8 + keep_with_next

        self.ensure(header_height + (laid[0][4] if laid else 0)
                    + (laid[1][4] if len(laid) > 1 and 0 in section_rows else 0))
        draw_header()
        for index, (lines, row_columns, row_widths, style, height) in enumerate(laid):
            needed = height
            if index in section_rows and index + 1 < len(laid):
                needed += laid[index + 1][4]          # a heading with its first row
            if index == first_kept and index > 0 and following <= self.bottom - MARGIN_TOP \
                    - header_height:
                needed = max(needed, following)
            if self.y + needed > self.bottom and self.y > MARGIN_TOP + header_height + 1:
                self.new_page()
                draw_header()
            self._row(lines, row_columns, row_widths, height, style, size, pad)
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

    # ---------------------------------------------------------------------- signature
    def signature_layout(self, lines: Sequence[str], name: str,
                         recipients: Sequence[str] = (),
                         room: float = SIGNATURE_ROOM) -> SignatureLayout:
        """The signature block's lines fitted to its column: each line bold capitals at
        14 pt, shrunk down to 12 pt, then wrapped; the name likewise; "Nơi nhận" wrapped in
        the column left of it. ``room`` is never less than 30 mm."""
        column = SIGNATURE_COLUMN
        fitted = []
        for line in lines:
            text = printable(line).upper()
            if text:
                size, wrapped = fit_lines(text, "bold", SIGNER_SIZE, column, 1, SIGNER_MIN_SIZE)
                fitted.append((size, tuple(wrapped)))
        name_size, name_lines = (fit_lines(printable(name), "bold", SIGNER_SIZE, column, 1,
                                           SIGNER_MIN_SIZE) if name else (SIGNER_SIZE, []))
        left_width = self.text_width - column - 5 * MM
        recipient_lines = []
        for recipient in recipients:
            recipient_lines += wrap(printable(recipient), "regular", RECIPIENT_SIZE, left_width)
        return SignatureLayout(tuple(fitted), name_size, tuple(name_lines),
                               tuple(recipient_lines), max(room, SIGNATURE_ROOM))

    def signature(self, lines: Sequence[str], name: str, recipients: Sequence[str] = (),
                  room: float = SIGNATURE_ROOM) -> None:
        """The signature block on the right (bold capitals, room to sign, the name); "Nơi
        nhận" (14 pt, underlined) and its lines (12 pt) on the left when ``recipients`` are
        given. The whole block stays on one page."""
        block = self.signature_layout(lines, name, recipients, room)
        self.ensure(block.height)
        centre = self.right - SIGNATURE_COLUMN / 2
        top = self.y + 14
        y = top
        bottom = top
        for size, wrapped in block.lines:
            for line in wrapped:
                self.page.text(centre, y, line, "bold", size, "center")
                bottom = y + size * 0.25
                y += size * 1.25
        # The room to sign lies between the bottom of the title and the top of the name.
        y = bottom + block.room + block.name_size * 0.8
        for line in block.name_lines:
            self.page.text(centre, y, line, "bold", block.name_size, "center")
            bottom = y + block.name_size * 0.25
            y += block.name_size * 1.25
        if block.recipients:
            ry = top
            width = self.page.text(self.left, ry, "Nơi nhận:", "regular", 14)
            self.page.underline(self.left, ry, width, 14, "left")
            for recipient in block.recipients:
                ry += RECIPIENT_SIZE + 3
                self.page.text(self.left, ry, recipient, "regular", RECIPIENT_SIZE)
            bottom = max(bottom, ry + 4)
        self.y = bottom + 10

    def finish(self) -> list[Page]:
        """The pages, numbered from the second one (top centre)."""
        if len(self.pages) > 1:
            for number, page in enumerate(self.pages[1:], start=2):
                page.text(self.width / 2, 12 * MM, str(number), "regular", 13, "center")
        return self.pages
