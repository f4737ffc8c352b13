"""The serif fonts of every printed paper: Times New Roman when the system has a full Vietnamese
one, otherwise the bundled Liberation Serif (Times-metric, SIL OFL, resources/fonts).

Hướng dẫn 36-HD/VPTW asks for Times New Roman "or an equivalent font with full Vietnamese
glyphs". A font is used only if each of its four styles maps every Vietnamese letter (upper and
lower case, all tones) and the punctuation the papers print; a Times New Roman missing a style
or a glyph is skipped as a whole, so one paper never mixes two families.

The same four files are handed to reportlab (the PDF) and to Qt (preview and print), so both
measure and draw the same glyphs. Nothing here imports Qt.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

from chibo4tot_desktop.paths import resource
from chibo4tot_desktop.text import nfc

# The styles a paper uses, by key; the reportlab names are registered under these.
STYLES = ("regular", "bold", "italic", "bolditalic")
FONT_NAMES = {style: f"C4T-Serif-{style}" for style in STYLES}

BUNDLED = {
    "regular": "LiberationSerif-Regular.ttf",
    "bold": "LiberationSerif-Bold.ttf",
    "italic": "LiberationSerif-Italic.ttf",
    "bolditalic": "LiberationSerif-BoldItalic.ttf",
}

# File names of Times New Roman on Windows, macOS and Linux (msttcorefonts).
TIMES_FILES = {
    "regular": ("times.ttf", "Times New Roman.ttf", "Times_New_Roman.ttf"),
    "bold": ("timesbd.ttf", "Times New Roman Bold.ttf", "Times_New_Roman_Bold.ttf"),
    "italic": ("timesi.ttf", "Times New Roman Italic.ttf", "Times_New_Roman_Italic.ttf"),
    "bolditalic": ("timesbi.ttf", "Times New Roman Bold Italic.ttf",
                   "Times_New_Roman_Bold_Italic.ttf"),
}

_VIETNAMESE_LOWER = (
    "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvx"
    "yỳỷỹýỵ"
)
# Every character a paper needs: Vietnamese letters in both cases, digits, the punctuation of
# the papers (typographic quotes of “Chi bộ 4 tốt”, the en dash of "2023 – 2025").
REQUIRED_CHARACTERS = frozenset(
    _VIETNAMESE_LOWER + _VIETNAMESE_LOWER.upper() + "0123456789"
    + " .,;:!?()[]/-–*“”\"'%&<>+=" + "fjwzFJWZ")


@dataclass(frozen=True)
class FontSet:
    """The four files of the family in use, and its name (shown in the window's About box)."""

    family: str
    files: dict  # style -> Path

    @property
    def is_bundled(self) -> bool:
        return self.family == "Liberation Serif"


def missing_characters(path: Path, characters: Iterable[str] = REQUIRED_CHARACTERS) -> set[str]:
    """The characters of ``characters`` that the TrueType file ``path`` has no glyph for."""
    face = TTFontFile(str(path), validate=0)
    mapped = face.charToGlyph
    return {char for char in characters if ord(char) not in mapped or mapped[ord(char)] == 0}


def font_dirs() -> list[Path]:
    """Where the system keeps fonts (CHIBO4TOT_FONT_DIRS, ``os.pathsep``-separated, overrides)."""
    override = os.environ.get("CHIBO4TOT_FONT_DIRS")
    if override is not None:
        return [Path(part) for part in override.split(os.pathsep) if part]
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        dirs = [windows / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            dirs.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if sys.platform == "darwin":
        return [Path("/System/Library/Fonts/Supplemental"), Path("/Library/Fonts"),
                Path.home() / "Library" / "Fonts"]
    return [Path("/usr/share/fonts/truetype/msttcorefonts"), Path("/usr/share/fonts"),
            Path.home() / ".fonts", Path.home() / ".local" / "share" / "fonts"]


def find_times_new_roman(dirs: Iterable[Path]) -> dict | None:
    """The four Times New Roman files in ``dirs`` if all exist with full Vietnamese glyphs."""
    found: dict[str, Path] = {}
    for style, names in TIMES_FILES.items():
        for folder in dirs:
            candidates = [folder / name for name in names]
            candidates += [folder / name.lower() for name in names]
            match = next((path for path in candidates if path.is_file()), None)
            if match is not None:
                found[style] = match
                break
        else:
            return None
    try:
        if any(missing_characters(path) for path in found.values()):
            return None
    except Exception:  # a damaged or unreadable file: not usable, fall back quietly
        return None
    return found


@functools.lru_cache(maxsize=1)
def font_set() -> FontSet:
    """The family every paper uses (decided once per process)."""
    times = find_times_new_roman(font_dirs())
    if times is not None:
        return FontSet("Times New Roman", times)
    return FontSet("Liberation Serif",
                   {style: resource("fonts", name) for style, name in BUNDLED.items()})


@functools.lru_cache(maxsize=1)
def register_fonts() -> FontSet:
    """Register the four styles with reportlab under FONT_NAMES (idempotent)."""
    fonts = font_set()
    for style in STYLES:
        pdfmetrics.registerFont(TTFont(FONT_NAMES[style], str(fonts.files[style])))
    pdfmetrics.registerFontFamily(FONT_NAMES["regular"], normal=FONT_NAMES["regular"],
                                  bold=FONT_NAMES["bold"], italic=FONT_NAMES["italic"],
                                  boldItalic=FONT_NAMES["bolditalic"])
    return fonts


def font_name(style: str) -> str:
    register_fonts()
    return FONT_NAMES[style]


@functools.lru_cache(maxsize=1)
def printable_characters() -> frozenset[str]:
    """Every character the papers can print: mapped in all four styles of the family in use
    and of the bundled family (a file typed on one computer is printed on another)."""
    files = list(font_set().files.values())
    files += [resource("fonts", name) for name in BUNDLED.values()]
    mapped: set[int] | None = None
    for path in dict.fromkeys(files):
        face = TTFontFile(str(path), validate=0)
        codes = {code for code, glyph in face.charToGlyph.items() if glyph}
        mapped = codes if mapped is None else mapped & codes
    return frozenset(chr(code) for code in mapped or ()
                     if not _CONTROL.match(chr(code)))


def unprintable(text: str) -> list[str]:
    """The characters of ``text`` no paper can print (in order, each once); white space is
    fine (the papers print it as a space)."""
    if not text:
        return []
    known = printable_characters()
    missing = set(text) - known
    if not missing:
        return []
    return [char for char in dict.fromkeys(text) if char in missing and not _spacing(char)]


def _spacing(char: str) -> bool:
    """Line breaks, tabs and other spaces: printed as a plain space (``printable``)."""
    return char in "\n\r\t" or (char.isspace() and not _CONTROL.match(char))


def printable(value: object) -> str:
    """User text as it goes on paper: NFC, no control characters, tabs and newlines as spaces.

    Papers are drawn with reportlab's canvas text calls, never with Paragraph markup, so
    ``<``, ``&`` and ``>`` in a name print as themselves and cannot change the layout.
    """
    return _CONTROL.sub(" ", nfc("" if value is None else str(value)))


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
