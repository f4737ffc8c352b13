"""Pages as lists of drawing primitives, laid out once and drawn by two painters.

Every paper (certificate, registration form, proposal list) is computed here into ``Page``
objects: texts at a baseline position with a font style and size, lines, rectangles and
polygons, in points from the page's top-left corner. ``pdf.render`` draws them with reportlab
(the PDF file); ``ui.printing`` draws the very same pages with QPainter (print preview and
printing), so what is printed is what the PDF shows, without rasterising anything.

Widths are measured with the TrueType metrics of ``pdf.fonts``; long text is wrapped on word
boundaries and, where a paper asks for it, shrunk until it fits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth

from chibo4tot_desktop.pdf.fonts import font_name

MM = 72 / 25.4
A4_PORTRAIT = (595.2756, 841.8898)
A4_LANDSCAPE = (841.8898, 595.2756)

BLACK = (0.0, 0.0, 0.0)
RED = (0.78, 0.05, 0.05)
DARK_RED = (0.6, 0.05, 0.05)
GOLD = (0.72, 0.53, 0.13)


@dataclass(frozen=True, slots=True)
class Text:
    x: float          # left end of the baseline
    y: float          # baseline, from the top of the page
    text: str
    style: str        # a key of fonts.STYLES
    size: float
    color: tuple = BLACK


@dataclass(frozen=True, slots=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.6
    color: tuple = BLACK


@dataclass(frozen=True, slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    width: float = 0.6
    color: tuple = BLACK


@dataclass(frozen=True, slots=True)
class Polygon:
    points: tuple     # ((x, y), ...) closed
    fill: tuple | None = None
    stroke: tuple | None = BLACK
    width: float = 0.6


@dataclass(frozen=True, slots=True)
class Group:
    """Items repeated identically on many pages (a certificate's border), drawn at (dx, dy).

    The PDF stores them once (a form XObject named ``key``) and every page refers to it, so
    a 1,000-page batch does not draw the border 1,000 times.
    """

    key: str
    items: tuple
    dx: float = 0.0
    dy: float = 0.0


@dataclass(slots=True)
class Page:
    width: float
    height: float
    items: list = field(default_factory=list)

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def texts(self) -> list[Text]:
        """Every text of the page, those of groups included (at their place on the page)."""
        result = []
        for item in self.items:
            if isinstance(item, Text):
                result.append(item)
            elif isinstance(item, Group):
                result.extend(Text(t.x + item.dx, t.y + item.dy, t.text, t.style, t.size,
                                   t.color) for t in item.items if isinstance(t, Text))
        return result

    # Drawing helpers -----------------------------------------------------------------
    def text(self, x: float, y: float, text: str, style: str = "regular", size: float = 14,
             align: str = "left", color: tuple = BLACK) -> float:
        """Place ``text`` with its baseline at y; x is its left, centre or right end.

        Returns the text's width.
        """
        width = measure(text, style, size)
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        if text:
            self.items.append(Text(x, y, text, style, size, color))
        return width

    def underline(self, x: float, y: float, width: float, size: float,
                  align: str = "center", color: tuple = BLACK) -> None:
        """A rule under a text of ``width`` placed as ``text`` places it (36-HD's headings)."""
        if align == "center":
            x -= width / 2
        elif align == "right":
            x -= width
        offset = size * 0.18
        self.items.append(Line(x, y + offset, x + width, y + offset, max(0.5, size / 22), color))

    def line(self, x1, y1, x2, y2, width=0.6, color=BLACK) -> None:
        self.items.append(Line(x1, y1, x2, y2, width, color))

    def rect(self, x, y, w, h, width=0.6, color=BLACK) -> None:
        self.items.append(Rect(x, y, w, h, width, color))

    def polygon(self, points, fill=None, stroke=BLACK, width=0.6) -> None:
        self.items.append(Polygon(tuple(points), fill, stroke, width))

    def group(self, key: str, items) -> None:
        self.items.append(Group(key, tuple(items)))

    def translated(self, dx: float, dy: float) -> Page:
        """This page with every item moved by (dx, dy) points (pre-printed paper offsets)."""
        moved = []
        for item in self.items:
            if isinstance(item, Text):
                moved.append(Text(item.x + dx, item.y + dy, item.text, item.style, item.size,
                                  item.color))
            elif isinstance(item, Line):
                moved.append(Line(item.x1 + dx, item.y1 + dy, item.x2 + dx, item.y2 + dy,
                                  item.width, item.color))
            elif isinstance(item, Rect):
                moved.append(Rect(item.x + dx, item.y + dy, item.w, item.h, item.width,
                                  item.color))
            elif isinstance(item, Group):
                moved.append(Group(item.key, item.items, item.dx + dx, item.dy + dy))
            else:
                moved.append(Polygon(tuple((x + dx, y + dy) for x, y in item.points),
                                     item.fill, item.stroke, item.width))
        return Page(self.width, self.height, moved)


_WIDTH_CACHE: dict = {}


def measure(text: str, style: str, size: float) -> float:
    """The width in points of ``text`` in ``style`` at ``size``."""
    key = (text, style)
    unit = _WIDTH_CACHE.get(key)
    if unit is None:
        unit = stringWidth(text, font_name(style), 1000.0) / 1000.0
        if len(_WIDTH_CACHE) > 50000:
            _WIDTH_CACHE.clear()
        _WIDTH_CACHE[key] = unit
    return unit * size


def wrap(text: str, style: str, size: float, width: float,
         first_width: float | None = None) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (a word longer than a line is cut);
    the first line of each paragraph may have its own ``first_width`` (an indent)."""
    if "\n" not in text and measure(text, style, size) <= (
            width if first_width is None else min(width, first_width)):
        return [" ".join(text.split())] if text.strip() else [""]  # fits: the common case
    lines: list[str] = []
    space = measure(" ", style, size)
    for paragraph in text.split("\n"):
        words = paragraph.split()
        if not words:
            lines.append("")
            continue
        start = len(lines)

        def room() -> float:
            return first_width if first_width is not None and len(lines) == start else width

        current: list[str] = []
        current_width = 0.0
        for word in words:
            word_width = measure(word, style, size)
            while word_width > room():  # a single overlong word: cut it where it must
                if current:
                    lines.append(" ".join(current))
                    current, current_width = [], 0.0
                    continue
                cut = _longest_prefix(word, style, size, room())
                lines.append(word[:cut])
                word = word[cut:]
                word_width = measure(word, style, size)
            needed = word_width if not current else current_width + space + word_width
            if current and needed > room():
                lines.append(" ".join(current))
                current, current_width = [word], word_width
            else:
                current.append(word)
                current_width = needed
        if current:
            lines.append(" ".join(current))
    return lines


def _longest_prefix(word: str, style: str, size: float, width: float) -> int:
    low, high = 1, len(word)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(word[:middle], style, size) <= width:
            low = middle
        else:
            high = middle - 1
    return low


def fit_lines(text: str, style: str, size: float, width: float, max_lines: int,
              min_size: float) -> tuple[float, list[str]]:
    """The largest size from ``size`` down to ``min_size`` at which ``text`` takes at most
    ``max_lines`` lines of ``width``; at ``min_size`` the lines are returned however many."""
    current = size
    while True:
        lines = wrap(text, style, current, width)
        if len(lines) <= max_lines or current <= min_size:
            return current, lines
        current = max(min_size, round(current - 1, 1))


# ------------------------------------------------------------------------ whole papers
PRINTABLE_MARGIN = 4 * MM   # printers leave about this much of each edge blank


@dataclass
class Paper:
    """A paper ready to preview, print or save: its pages, its title and author (PDF
    metadata), and what its builder found wrong (a signer without a name...). ``problems``
    adds what would fall off the page; the window and the commands ask before printing or
    writing a paper that has any."""

    pages: list
    title: str
    author: str = ""
    warnings: list = field(default_factory=list)

    def problems(self) -> list[str]:
        return list(self.warnings) + off_page(self.pages)


def _extent(item) -> tuple[float, float, float, float] | None:
    """(left, top, right, bottom) of what ``item`` draws, in points from the top-left."""
    if isinstance(item, Text):
        width = measure(item.text, item.style, item.size)
        return item.x, item.y - item.size * 0.8, item.x + width, item.y + item.size * 0.22
    if isinstance(item, Line):
        return (min(item.x1, item.x2), min(item.y1, item.y2), max(item.x1, item.x2),
                max(item.y1, item.y2))
    if isinstance(item, Rect):
        return item.x, item.y, item.x + item.w, item.y + item.h
    if isinstance(item, Polygon):
        xs = [x for x, _ in item.points]
        ys = [y for _, y in item.points]
        return min(xs), min(ys), max(xs), max(ys)
    return None


def off_page(pages, margin: float = PRINTABLE_MARGIN) -> list[str]:
    """One warning per page where something lies outside the printable part of the paper
    (within ``margin`` of an edge, or beyond it), naming the first texts concerned."""
    warnings = []
    for number, page in enumerate(pages, start=1):
        texts, shapes = [], 0
        for item in page.items:
            members = ([(sub, item.dx, item.dy) for sub in item.items]
                       if isinstance(item, Group) else [(item, 0.0, 0.0)])
            for member, dx, dy in members:
                extent = _extent(member)
                if extent is None:
                    continue
                left, top, right, bottom = extent
                if (left + dx < margin - 0.01 or top + dy < margin - 0.01
                        or right + dx > page.width - margin + 0.01
                        or bottom + dy > page.height - margin + 0.01):
                    if isinstance(member, Text):
                        texts.append(member.text)
                    else:
                        shapes += 1
        if texts or shapes:
            shown = "; ".join(f"“{_short(text)}”" for text in texts[:3])
            what = f"chữ {shown}" if texts else "một phần khung, đường kẻ"
            if len(texts) > 3:
                what += f" và {len(texts) - 3} dòng khác"
            warnings.append(f"Trang {number}: {what} nằm ngoài vùng in được của tờ giấy "
                            "(sát hoặc quá mép giấy).")
    return warnings


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"
