"""Input checks shared by every operation: one set of Vietnamese messages.

Each check returns the value to store or raises ``ValidationError`` naming the field. A value
that cannot be taken is refused with its reason; nothing is rounded, clamped or dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from decimal import Decimal

from chibo4tot_desktop import rules
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.text import clean

POINT_DECIMALS = 2
MAX_COUNT = 100_000


def number(value, label: str, field: str) -> float:
    """A number typed with "," or "." as the decimal mark (or given as a number)."""
    if isinstance(value, bool):
        raise ValidationError(f"{label} '{value}' không phải là số.", field)
    try:
        result = float(str(value).strip().replace(",", ".")) if isinstance(value, str) \
            else float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(f"{label} '{value}' không phải là số.", field) from None
    if not math.isfinite(result):
        raise ValidationError(f"{label} '{value}' không phải là số.", field)
    return result


def points(value, item, who: str) -> float | None:
    """A score for criteria ``item`` (any object with ``max_points`` and ``label``), or None
    when nothing was typed. Refused: not a number, negative, above the item's maximum, more
    decimals than the sheet keeps."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    result = number(value, f"Điểm {who}", "points")
    where = f"mục {item.label}"
    # As typed: a number read from a file is shown whole, never rounded for the message.
    typed = str(value).strip() if isinstance(value, str) else f"{result:g}".replace(".", ",")
    if result < 0:
        raise ValidationError(f"Điểm {who} của {where} không được âm.", "points")
    if result > item.max_points + rules.EPSILON:
        raise ValidationError(
            f"Điểm {who} {typed} vượt điểm tối đa {rules.fmt_points(item.max_points)} của "
            f"{where}.", "points")
    scaled = result * 10 ** POINT_DECIMALS
    if abs(scaled - round(scaled)) > 1e-6:
        raise ValidationError(
            f"Điểm {who} '{typed}' của {where} có quá {POINT_DECIMALS} chữ số thập phân.",
            "points")
    return result


def _capital(label: str) -> str:
    return label[:1].upper() + label[1:]


def printable(text: str, label: str, field: str) -> str:
    """``text`` if every character of it can be printed on the papers (the fonts have it);
    otherwise refused, naming the characters: an emoji, a symbol or a control character
    would come out as a gap on the certificate or in the list."""
    if not text or text.isascii() and text.isprintable() or _printable().issuperset(text):
        return text
    bad = _unprintable()(text)
    if bad:
        shown = ", ".join(_describe(char) for char in bad[:3])
        more = f" và {len(bad) - 3} ký tự khác" if len(bad) > 3 else ""
        raise ValidationError(
            f"{_capital(label)} có ký tự {shown}{more} mà phông chữ của giấy tờ không có "
            "(sẽ in ra thành chỗ trống); hãy xóa hoặc thay bằng chữ, số, dấu câu thông "
            "thường.", field)
    return text


@functools.cache
def _unprintable():
    """``pdf.fonts.unprintable``, imported on first use (it loads the font files); an import
    statement in ``printable`` itself cost more than the check, once per value of a long
    list."""
    from chibo4tot_desktop.pdf.fonts import unprintable

    return unprintable


@functools.cache
def _printable():
    """``pdf.fonts.printable_characters()``, loaded on first use: a text made only of them is
    printable without a closer look (``unprintable`` also lets white space through)."""
    from chibo4tot_desktop.pdf.fonts import printable_characters

    return printable_characters()


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    return f"“{char}” ({code})" if char.isprintable() and not char.isspace() else code


def required(value, label: str, field: str, max_length: int = 200) -> str:
    text = clean(value)
    if not text:
        raise ValidationError(f"Chưa nhập {label}.", field)
    if len(text) > max_length:
        raise ValidationError(f"{_capital(label)} dài quá {max_length} ký tự.", field)
    return printable(text, label, field)


def optional(value, label: str, field: str, max_length: int = 200) -> str:
    text = clean(value)
    if len(text) > max_length:
        raise ValidationError(f"{_capital(label)} dài quá {max_length} ký tự.", field)
    return printable(text, label, field)


def count(value, label: str, field: str) -> int:
    """A whole number of people (0 when empty)."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValidationError(f"{label} '{value}' không phải là số nguyên.", field)
    try:
        if isinstance(value, str):
            result = int(value.strip())
        else:
            if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
                raise ValueError
            result = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValidationError(f"{label} '{value}' không phải là số nguyên.", field) from None
    if result < 0:
        raise ValidationError(f"{label} không được âm.", field)
    if result > MAX_COUNT:
        raise ValidationError(f"{label} quá lớn ({result}).", field)
    return result


def optional_count(value, label: str, field: str) -> int | None:
    return None if value is None or value == "" else count(value, label, field)


def date(value, label: str, field: str, required_: bool = True) -> dt.date | None:
    if value is None and not required_:
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if not isinstance(value, dt.date):
        raise ValidationError(f"Chưa nhập {label}.", field)
    return value


def outside_year(value: dt.date | None, year: int, label: str) -> str | None:
    """A question to ask before keeping a date of ``year``'s paper that falls in another
    year (allowed, but most often a slip); None when the date is inside the year."""
    if value is None or value.year == year:
        return None
    return (f"{label[0].upper() + label[1:]} {value:%d/%m/%Y} không thuộc năm {year}. "
            "Vẫn lưu ngày này?")


def multiline(value, max_length: int = 20_000, label: str = "nội dung",
              field: str = "text") -> str:
    """Commitments and notes keep their line breaks; each line is cleaned."""
    if value is None:
        return ""
    value = str(value)
    if "\n" not in value and "\r" not in value:
        text = clean(value)      # one line
    else:
        lines = [clean(line) for line in value.replace("\r\n", "\n").split("\n")]
        text = "\n".join(lines).strip("\n")
    if len(text) > max_length:
        raise ValidationError(f"{_capital(label)} dài quá {max_length} ký tự.", field)
    return printable(text, label, field)


def share(value, label: str, field: str) -> float:
    """A share typed as 0.7, "0,7" or as a percentage "70%"."""
    text = str(value).strip() if isinstance(value, str) else value
    percent = isinstance(text, str) and text.endswith("%")
    result = number(text[:-1] if percent else text, label, field)
    if percent:
        # Through the decimal text: "19,9%" is 0.199, not 19.9 / 100 = 0.19899999999999998.
        result = float(Decimal(repr(result)) / 100)
    if not 0 <= result <= 1:
        raise ValidationError(f"{label} phải từ 0 đến 100%.", field)
    return result


TRUE_WORDS = {"có", "co", "yes", "true", "1", "x", "đúng"}
FALSE_WORDS = {"không", "khong", "no", "false", "0", "sai", ""}


def boolean(value, label: str, field: str) -> bool:
    """Yes or no, given as a bool or typed ("có"/"không", "1"/"0", "yes"/"no")."""
    if isinstance(value, bool):
        return value
    text = clean(value).casefold() if isinstance(value, str) else None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(f"{label}: '{value}' không hợp lệ (ghi “có” hoặc “không”).", field)
