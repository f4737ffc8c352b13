"""Vietnamese text helpers: NFC normalisation, collation keys, dates as the office writes them.

Pure Python (no Qt, no ICU). ``sort_key`` is the program's one Vietnamese order: the command
line, Excel, PDF and the window's tables all sort with it. It follows CLDR's Vietnamese
collation as QCollator(vi_VN) with numeric mode does: punctuation before numbers, numbers by
value before letters, letters in the order a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư
v x y, the tone marks compared only after the letters (none, huyền, hỏi, ngã, sắc, nặng), case
last ("Tổ dân phố 2" before "Tổ dân phố 12"). ``fold`` is the one key for finding typed text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = [
    "nfc",
    "clean",
    "fold",
    "sort_key",
    "stored_sort_key",
    "SORT_KEY_VERSION",
    "primary_key",
    "ranks",
    "name_sort_key",
    "format_date",
    "parse_date",
    "place_date_line",
    "place_of_issuer",
    "DateParseError",
]


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC (the form every stored and printed text must take)."""
    return unicodedata.normalize("NFC", value)


# White space other than the plain space (``clean`` makes it a space or drops it).
_OTHER_SPACE = re.compile(r"[^\S ]")


def clean(value: object) -> str:
    """NFC, no leading/trailing spaces, inner runs of white space made one space."""
    if value is None:
        return ""
    text = str(value)
    if not (text.startswith(" ") or text.endswith(" ") or "  " in text
            or _OTHER_SPACE.search(text) is not None) and unicodedata.is_normalized("NFC", text):
        return text          # already clean (what is stored and most of what is read)
    text = nfc(text).replace("\u00a0", " ")
    return " ".join(text.split())


def fold(value: object, *, accents: bool = True) -> str:
    """The one key for finding text the way a person types it: cleaned, NFC, case folded.

    Two uses:
    - ``fold(name)`` keeps the accents: matching a typed cell name against the list (import,
      "CHI BỘ  tổ dân phố 6" finds "Chi bộ Tổ dân phố 6"); in Vietnamese the tone tells names
      apart ("Hà" is not "Hạ"), so they must stay.
    - ``fold(text, accents=False)`` also drops every tone and diacritic and makes đ a d
      ("Đồng Xuân" -> "dong xuan"): the search boxes and the audit-log search, which must find
      what was typed without accents, and the reading of Excel column headings.
    """
    text = clean(value).casefold()
    if accents:
        return text
    text = unicodedata.normalize("NFD", text.replace("đ", "d"))
    return "".join(char for char in text if not unicodedata.combining(char))


# ---------------------------------------------------------------------------------- collation
#
# ``sort_key`` builds ICU's three-level key by hand (pure Python, the core imports no ICU/Qt),
# following CLDR's Vietnamese collation as Qt's QCollator(vi_VN) with numeric mode applies it:
#   1. primary: white space < punctuation < symbols < currency < numbers (by value) < letters
#      (a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z; letters of no name
#      here, such as æ ø ß or other scripts, come after z by code point, which ICU does not);
#   2. secondary: the tone marks, in CLDR order (none, huyền, hỏi, ngã, sắc, nặng), then other
#      diacritics; and the curly quotes as variants of the straight ones;
#   3. tertiary: lower case before upper case; the no-break spaces as variants of the space.
# Each level is a string of weight characters, so the key is three strings that Python compares
# in C, and each level is built with one ``str.translate`` over tables filled per character on
# first use. tests/test_collation.py checks the order against QCollator on random names.

# One entry per primary weight, in QCollator's order (asked of QCollator vi_VN at development
# time for every white space, punctuation and symbol character of Latin-1, General Punctuation
# and Currency Symbols, less the ones it expands to several weights such as "…" and "‼").
# Characters sharing an entry differ at a lower level only: see _VARIANTS.
_PUNCTUATION_ORDER = (
    "\t", "\n", "\v", "\f", "\r", "\u0085", "\u2028", "\u2029",
    " \u2000\u2001\u2003\u2004\u2005\u2006\u200a\u205f\u2002\u2008\u2009\u00a0\u2007\u202f",
    "\u203e", "_", "\u2017", "-", "\u2010\u2011", "\u2012", "\u2013", "\u2014", "\u2015",
    "\u2053", ",", ";", "\u204f", ":", "!", "\u00a1", "?", "\u00bf", "\u203d", ".\u2024",
    "\u00b7", "\u2055", "\u2056", "\u2058", "\u2059", "\u205a", "\u205b", "\u205c", "\u205d",
    "\u205e", "'\u2018\u2019\u201a\u201b", "\u2039", "\u203a", "\"\u201c\u201d\u201e\u201f",
    "\u00ab", "\u00bb", "(", ")", "[", "]", "{", "}", "\u2045", "\u2046", "\u2016", "\u00a7",
    "\u00b6", "\u204b", "@", "*", "\u204e", "\u2051", "/", "\\", "&", "\u204a", "#", "%",
    "\u2030", "\u2031", "\u2020", "\u2021", "\u2022", "\u2023", "\u2027", "\u2043", "\u204c",
    "\u204d", "\u2032", "\u2035", "\u2038", "\u203b", "\u203f", "\u2054", "\u2040", "\u2050",
    "\u2041", "\u2042",
    None,   # other punctuation
    "`", "\u00b4", "^", "\u00af", "\u00a8", "\u00b8", "\u00b0", "\u00a9", "\u00ae", "+",
    "\u00b1", "\u00f7", "\u00d7", "<", "=", ">", "\u00ac", "|", "\u00a6", "~", "\u2052", "\u2044",
    None,   # other symbols
    "\u00a4", "\u00a2", "$", "\u00a3", "\u00a5", "\u20a0", "\u20a1", "\u20a2", "\u20a3", "\u20a4",
    "\u20a5", "\u20a6", "\u20a7", "\u20a9", "\u20aa", "\u20ab", "\u20ac", "\u20ad", "\u20ae",
    "\u20af", "\u20b0", "\u20b1", "\u20b2", "\u20b3", "\u20b4", "\u20b5", "\u20b6", "\u20b7",
    "\u20b8", "\u20b9", "\u20ba", "\u20bb", "\u20bc", "\u20bd", "\u20be", "\u20bf", "\u20c0",
    None,   # other currency signs
)
# (secondary, tertiary) of the characters that share a primary weight with the first of their
# entry: curly quotes are secondary variants, the other spaces and ‑ tertiary ones.
_VARIANTS = {
    "\u2018": (1, 0), "\u2019": (2, 0), "\u201a": (3, 0), "\u201b": (4, 0),
    "\u201c": (1, 0), "\u201d": (2, 0), "\u201e": (3, 0), "\u201f": (4, 0),
    "\u2024": (0, 1), "\u2011": (0, 1),
    **{space: (0, 1) for space in "\u2000\u2001\u2003\u2004\u2005\u2006\u200a\u205f\u2002\u2008"
                                  "\u2009"},
    **{space: (0, 2) for space in "\u00a0\u2007\u202f"},
}

_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
# Combining marks that make a letter of the alphabet (ă â ê ô ơ ư).
_LETTER_MARKS = {("a", "\u0306"): "ă", ("a", "\u0302"): "â", ("e", "\u0302"): "ê",
                 ("o", "\u0302"): "ô", ("o", "\u031b"): "ơ", ("u", "\u031b"): "ư"}
# The five tones in CLDR's Vietnamese order: huyền, hỏi, ngã, sắc, nặng.
_TONES = "\u0300\u0309\u0303\u0301\u0323"

# Weight characters. Primary: punctuation entries from U+0100, then the number marker, the
# letters, and other letters after them by code point (two characters). Digits stay digits in
# the primary string until ``_number`` turns each run into marker + length + value.
_PUNCTUATION_BASE = 0x100
_NUMBER_MARK = "\u0800"
_LETTER_BASE = 0x900
_OTHER_LETTER = "\u0a00"
_COMMON = "\u0005"               # secondary and tertiary weight of a plain character
_UPPER = "\u0008"                # tertiary weight of a capital letter
_TONE_BASE = 0x10                # secondary weights of the tones; other marks after them
_OTHER_MARK_BASE = 0x100

_PRIMARY_OF: dict[str, str] = {}
for _rank, _entry in enumerate(_PUNCTUATION_ORDER):
    for _char in _entry or ():
        _PRIMARY_OF[_char] = chr(_PUNCTUATION_BASE + _rank)
for _rank, _letter in enumerate(_ALPHABET):
    _PRIMARY_OF[_letter] = chr(_LETTER_BASE + _rank)
# Where punctuation ("P"), symbols ("S") and currency signs ("Sc") outside the table go: at
# the None entries, ordered among themselves by code point.
_OTHER_BUCKET = dict(zip(("P", "S", "Sc"), (chr(_PUNCTUATION_BASE + rank) for rank, entry
                                            in enumerate(_PUNCTUATION_ORDER) if entry is None)))
del _rank, _entry, _char, _letter


def _mark_weight(mark: str) -> str:
    tone = _TONES.find(mark)
    if tone >= 0:
        return chr(_TONE_BASE + tone)
    return chr(_OTHER_MARK_BASE + ord(mark))


def _char_weights(char: str) -> tuple[str, str, str]:
    """(primary, secondary, tertiary) weight strings of one character of an NFC text."""
    if "0" <= char <= "9":
        return char, "", ""              # numbers weigh by value (``_number``), nothing below
    if unicodedata.decimal(char, None) is not None:
        return str(unicodedata.decimal(char)), "", ""
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me"):  # a mark left alone by NFC: it adds to the secondary
        return "", _mark_weight(char), ""
    primary = _PRIMARY_OF.get(char)
    if primary is not None:
        secondary, tertiary = _VARIANTS.get(char, (0, 0))
        return primary, chr(ord(_COMMON) + secondary), chr(ord(_COMMON) + tertiary)
    if category[0] in "PSZ" or char.isspace():
        if category[0] == "Z" or char.isspace():
            return _PRIMARY_OF[" "], _COMMON, chr(ord(_COMMON) + 3)
        bucket = _OTHER_BUCKET["Sc" if category == "Sc" else category[0]]
        return bucket + char, _COMMON, _COMMON
    if category[0] == "C":               # controls, format characters (soft hyphen): ignored
        return "", "", ""
    decomposed = unicodedata.normalize("NFD", char)
    base = decomposed[0]
    letter = base.lower()[:1] or base
    secondary = _COMMON
    for mark in decomposed[1:]:
        formed = _LETTER_MARKS.get((letter, mark))
        if formed is not None:
            letter = formed
        else:
            secondary += _mark_weight(mark)
    primary = _PRIMARY_OF.get(letter) or _OTHER_LETTER + letter
    return primary, secondary, _UPPER if base.isupper() else _COMMON


class _Level(dict):
    """A ``str.translate`` table for one level, filled per character on first use."""

    def __init__(self, level: int):
        super().__init__()
        self.level = level

    def __missing__(self, code: int) -> str:
        weights = _char_weights(chr(code))
        for table, weight in zip(_LEVELS, weights):
            table[code] = weight
        return weights[self.level]


_LEVELS = (_Level(0), _Level(1), _Level(2))
_PRIMARY, _SECONDARY, _TERTIARY = _LEVELS
_DIGITS = re.compile(r"[0-9]+")


def _number(match: re.Match) -> str:
    """A run of digits as one primary element: numbers compare by value, leading zeros aside."""
    digits = match.group().lstrip("0") or "0"
    return _NUMBER_MARK + chr(0x30 + len(digits)) + digits


# Names repeat their words ("Chi bộ", "Tổ dân phố", numbers): the key of each word is kept,
# and a text's key is its words' keys joined by the space's weights. Every level is made of
# one weight per character and no digit run crosses a space, so this is exactly the key of the
# whole text, at a fraction of the cost (tests/test_collation.py compares them).
_WORD_KEYS: dict[str, tuple[str, str, str]] = {}
_WORD_PRIMARY: dict[str, str] = {}
_WORD_CACHE_LIMIT = 200_000
_SPACE_WEIGHTS: tuple[str, str, str] | None = None


def _primary_of_word(word: str) -> str:
    primary = _WORD_PRIMARY.get(word)
    if primary is None:
        if word.isascii() and word.isdigit():
            digits = word.lstrip("0") or "0"
            primary = _NUMBER_MARK + chr(0x30 + len(digits)) + digits
        else:
            primary = _DIGITS.sub(_number, word.translate(_PRIMARY))
        if len(_WORD_PRIMARY) >= _WORD_CACHE_LIMIT:
            _WORD_PRIMARY.clear()
        _WORD_PRIMARY[word] = primary
    return primary


def _key_of_word(word: str) -> tuple[str, str, str]:
    key = _WORD_KEYS.get(word)
    if key is None:
        key = (_primary_of_word(word), word.translate(_SECONDARY), word.translate(_TERTIARY))
        if len(_WORD_KEYS) >= _WORD_CACHE_LIMIT:
            _WORD_KEYS.clear()
        _WORD_KEYS[word] = key
    return key


def _space() -> tuple[str, str, str]:
    global _SPACE_WEIGHTS
    if _SPACE_WEIGHTS is None:
        _SPACE_WEIGHTS = (" ".translate(_PRIMARY), " ".translate(_SECONDARY),
                          " ".translate(_TERTIARY))
    return _SPACE_WEIGHTS


def sort_key(value: str | None) -> tuple[str, str, str]:
    """The program's Vietnamese order, the same as QCollator(vi_VN) with numeric mode.

    "Chi bộ - Khối cơ quan" < "Chi bộ Tổ dân phố 2" < "Chi bộ Tổ dân phố 12" < "Chi bộ Đảng"
    (punctuation before numbers, numbers by value before letters, đ after d); NFD text sorts
    as its NFC form. Text is compared as given: stored names are already ``clean``.
    """
    text = "" if value is None else nfc(str(value))
    if " " not in text:
        return _key_of_word(text)
    keys = [_WORD_KEYS.get(word) or _key_of_word(word) for word in text.split(" ")]
    space = _space()
    return (space[0].join([key[0] for key in keys]), space[1].join([key[1] for key in keys]),
            space[2].join([key[2] for key in keys]))


# The version of ``sort_key``'s order: the data file keeps the keys of its cells' names and
# codes (``stored_sort_key``) with the version they were made by; a program whose order differs
# raises it, and opening a file whose keys are of another version makes them again.
SORT_KEY_VERSION = 1
# Below every weight character (the smallest is ``_COMMON``): the levels joined by it compare
# as the tuple does, a shorter level before a longer one it begins.
_LEVEL_SEPARATOR = "\u0001"


def stored_sort_key(value: str | None) -> bytes:
    """``sort_key(value)`` as one byte string that compares, byte by byte (SQLite's BLOB,
    PostgreSQL's bytea), in the same order as the key: the three levels joined by a character
    below every weight, in UTF-8 (which keeps the order of code points)."""
    return _LEVEL_SEPARATOR.join(sort_key(value)).encode("utf-8", "surrogatepass")


def primary_key(value: str | None) -> str:
    """The first level of ``sort_key`` alone (letters, numbers, punctuation; no tones, no
    case): cheaper, and enough to order texts that differ by more than tones and case."""
    text = "" if value is None else nfc(str(value))
    if " " not in text:
        return _primary_of_word(text)
    get = _WORD_PRIMARY.get
    return _space()[0].join([get(word) or _primary_of_word(word)
                             for word in text.split(" ")])


def ranks(values) -> dict[str, int]:
    """The rank of each distinct text of ``values`` in the Vietnamese order of ``sort_key``
    (texts with equal keys share a rank). Sorting many rows by a text column becomes sorting
    integers: each distinct text is keyed once, by its first level, and only texts equal at
    that level are compared by the full key."""
    distinct = list({value for value in values if value is not None})
    primaries = [primary_key(value) for value in distinct]
    order = sorted(range(len(distinct)), key=primaries.__getitem__)
    result: dict[str, int] = {}
    rank = 0
    start = 0
    while start < len(order):
        end = start + 1
        first = primaries[order[start]]
        while end < len(order) and primaries[order[end]] == first:
            end += 1
        if end - start == 1:
            result[distinct[order[start]]] = rank
            rank += 1
        else:
            run = sorted((distinct[i] for i in order[start:end]), key=sort_key)
            previous = None
            for value in run:
                key = sort_key(value)
                if previous is not None and key != previous:
                    rank += 1
                result[value] = rank
                previous = key
            rank += 1
        start = end
    return result


def name_sort_key(full_name: str | None) -> tuple:
    """Sort people by given name (the last word), then the family and middle names."""
    words = clean(full_name or "").split(" ")
    given = words[-1] if words else ""
    rest = " ".join(words[:-1])
    key_given = sort_key(given)
    key_rest = sort_key(rest)
    return (key_given[0], key_rest[0], key_given[1], key_rest[1], key_given[2], key_rest[2])


def format_date(value: dt.date | None) -> str:
    """dd/mm/yyyy, the only date format the office reads; empty for no date."""
    if value is None:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


class DateParseError(ValueError):
    """A text that is not a date; the message is Vietnamese and names the value."""


_DATE_TEXT = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})\s*$")
_ISO_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?\s*$")


def parse_date(value: object) -> dt.date:
    """Read a date typed the Vietnamese way (d/m/yyyy, d-m-yyyy, d.m.yyyy) or ISO (yyyy-mm-dd).

    Raises DateParseError with a message such as "ngày '31/02/2024' không tồn tại".
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    if not text:
        raise DateParseError("chưa nhập ngày")
    match = _DATE_TEXT.match(text)
    if match:
        day, month, year = (int(part) for part in match.groups())
        if len(match.group(3)) == 2:
            year += 2000
        elif len(match.group(3)) == 3:
            raise DateParseError(f"ngày '{text}' không đúng dạng ngày/tháng/năm")
    else:
        match = _ISO_TEXT.match(text)
        if not match:
            raise DateParseError(f"'{text}' không phải là ngày (cần dạng ngày/tháng/năm)")
        year, month, day = (int(part) for part in match.groups())
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise DateParseError(f"ngày '{text}' không tồn tại") from None


def place_date_line(place: str, value: dt.date) -> str:
    """"Tân Giang, ngày 06 tháng 3 năm 2023": day below 10 and months 1, 2 take a zero."""
    month = f"{value.month:02d}" if value.month <= 2 else str(value.month)
    return f"{clean(place)}, ngày {value.day:02d} tháng {month} năm {value.year}"


# Committee words an issuer's name starts with, before its place ("Thành ủy Hà Tĩnh").
_COMMITTEE_WORDS = ("ban thường vụ ", "ban chấp hành ", "thường trực ", "thành ủy ",
                    "tỉnh ủy ", "huyện ủy ", "quận ủy ", "thị ủy ", "đảng ủy phường ",
                    "đảng ủy xã ", "đảng ủy thị trấn ", "đảng ủy khối ", "đảng ủy ",
                    "đảng bộ thành phố ", "đảng bộ tỉnh ", "đảng bộ huyện ", "đảng bộ quận ",
                    "đảng bộ thị xã ", "đảng bộ phường ", "đảng bộ xã ", "đảng bộ ")


def place_of_issuer(issuer: str) -> str:
    """The place an issuer writes on its place-date line: "Ban Thường vụ Thành ủy Hà Tĩnh" ->
    "Hà Tĩnh", "Đảng ủy phường Tân Giang" -> "Tân Giang"; "" when the name shows none."""
    text = clean(issuer)
    original = text
    changed = True
    while changed and text:
        changed = False
        for word in _COMMITTEE_WORDS:
            if (text.casefold() + " ").startswith(word):
                text = text[len(word):]
                changed = True
                break
    if text == original:
        return ""
    return text.title() if text.isupper() else text
