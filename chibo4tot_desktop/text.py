"""Vietnamese text helpers: NFC normalisation, collation keys, dates as the office writes them.

Pure Python (no Qt, no ICU): the command line, Excel and PDF code sort and format the same way
the window does. The collation follows CLDR's Vietnamese rules, which Qt's QCollator(vi_VN)
also uses: letters in the order a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y,
the tone marks compared only after the letters (none, huyền, hỏi, ngã, sắc, nặng), case last,
and runs of digits compared as numbers ("Tổ dân phố 2" before "Tổ dân phố 12").
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
    "name_sort_key",
    "format_date",
    "parse_date",
    "place_date_line",
    "place_of_issuer",
    "DateParseError",
]

# Combining marks of the five tones, in CLDR order; 0 means no tone.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
# Marks that make a new letter (ă â ê ô ơ ư), and đ.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"

_ALPHABET = "a ă â b c d đ e ê f g h i j k l m n o ô ơ p q r s t u ư v w x y z".split()
_LETTER_RANK = {letter: index for index, letter in enumerate(_ALPHABET)}
_DIGIT_BASE = -1000  # numbers sort before letters, as in ICU


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC (the form every stored and printed text must take)."""
    return unicodedata.normalize("NFC", value)


def clean(value: object) -> str:
    """NFC, no leading/trailing spaces, inner runs of white space made one space."""
    if value is None:
        return ""
    text = nfc(str(value)).replace("\u00a0", " ")
    return " ".join(text.split())


def fold(value: str) -> str:
    """A matching key: cleaned, lower case, NFC. Used to find a cell by its typed name."""
    return clean(value).casefold()


def _letters(text: str):
    """Yield (base letter, tone, is_upper) for each character of ``text``."""
    for char in nfc(text):
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        marks = decomposed[1:]
        tone = 0
        letter = base.lower()
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            elif mark == _BREVE and letter == "a":
                letter = "ă"
            elif mark == _CIRCUMFLEX and letter in "aeo":
                letter = {"a": "â", "e": "ê", "o": "ô"}[letter]
            elif mark == _HORN and letter in "ou":
                letter = {"o": "ơ", "u": "ư"}[letter]
        yield letter, tone, base.isupper()


_NUMBER = re.compile(r"\d+")


def sort_key(value: str | None) -> tuple:
    """A key that sorts Vietnamese text as QCollator(vi_VN) with numeric mode does."""
    text = clean(value or "")
    primary: list[int] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    position = 0
    for match in _NUMBER.finditer(text):
        _add_letters(text[position:match.start()], primary, secondary, tertiary)
        number = int(match.group())
        # A number is one element; its magnitude orders it, leading zeros do not matter.
        primary.extend((_DIGIT_BASE, len(str(number)), number))
        position = match.end()
    _add_letters(text[position:], primary, secondary, tertiary)
    return (tuple(primary), tuple(secondary), tuple(tertiary))


def _weights(char: str) -> tuple[int, int, int]:
    """(primary, secondary, tertiary) weights of one NFC character."""
    for letter, tone, upper in _letters(char):
        rank = _LETTER_RANK.get(letter)
        if rank is None:
            if letter.isspace():
                # As in ICU's default (non-ignorable) mode: a space sorts before any letter.
                rank = -1
            else:
                rank = 100 + ord(letter)
        return rank, tone, 1 if upper else 0
    return 0, 0, 0


# Weights per character, filled as characters are met (sorting 10,000 names is 3x faster).
_WEIGHTS: dict[str, tuple[int, int, int]] = {}


def _add_letters(chunk: str, primary: list[int], secondary: list[int], tertiary: list[int]) -> None:
    for char in chunk:          # ``chunk`` is already NFC (sort_key cleans it)
        weights = _WEIGHTS.get(char)
        if weights is None:
            weights = _WEIGHTS[char] = _weights(char)
        primary.append(weights[0])
        secondary.append(weights[1])
        tertiary.append(weights[2])


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
