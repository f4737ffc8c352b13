"""The core's Vietnamese order (``text.sort_key``) is QCollator's (vi_VN, numeric mode).

The core imports no Qt; this test does, to hold the pure-Python key to the reference order on
random names made of Vietnamese letters, digits, spaces and the punctuation names carry.
"""

from __future__ import annotations

import functools
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QCollator, QLocale

from chibo4tot_desktop.text import sort_key

VOWELS = "aăâeêioôơuưy"
TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
LOWER = ([unicodedata.normalize("NFC", vowel + tone) for vowel in VOWELS for tone in TONES]
         + list("bcdđghklmnpqrstvxfjwz"))
LETTERS = LOWER + [letter.upper() for letter in LOWER]
PUNCTUATION = list(" -.,()/'\":;_&+#“”‘’–—")
ALPHABET = LETTERS + list("0123456789") + PUNCTUATION

# Characters that differ only below the primary level: swapping one for another at the same
# place exercises the tones, case and quote variants, which random strings rarely line up.
SIBLINGS = [[unicodedata.normalize("NFC", case(vowel + tone)) for tone in TONES
             for case in (str.lower, str.upper)] for vowel in VOWELS]
SIBLINGS += [["d", "D", "đ", "Đ"], ["'", "‘", "’"], ['"', "“", "”"], ["-", "–", "—"],
             ["0", "00", ""], [" ", "  "]]
SIBLINGS += [[letter, letter.upper()] for letter in "bcghklmnpqrstvxfjwz"]


@functools.cache
def collator() -> QCollator:
    result = QCollator(QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam))
    result.setNumericMode(True)
    return result


def sign(number: int) -> int:
    return (number > 0) - (number < 0)


def core_compare(a: str, b: str) -> int:
    key_a, key_b = sort_key(a), sort_key(b)
    return (key_a > key_b) - (key_a < key_b)


def maybe_nfd(draw, text: str) -> str:
    return unicodedata.normalize("NFD", text) if draw(st.booleans()) else text


names = st.lists(st.sampled_from(ALPHABET), max_size=12).map("".join)


@st.composite
def pairs(draw) -> tuple[str, str]:
    """Two names sharing a start, or one name and the same with a sibling character swapped."""
    start = draw(names)
    if draw(st.booleans()):
        a, b = start + draw(names), start + draw(names)
    else:
        a = b = start
        for _ in range(draw(st.integers(1, 3))):
            group = draw(st.sampled_from(SIBLINGS))
            position = draw(st.integers(0, len(a)))
            a = a[:position] + draw(st.sampled_from(group)) + a[position:]
            b = b[:position] + draw(st.sampled_from(group)) + b[position:]
        tail = draw(names)
        a, b = a + tail, b + tail
    return maybe_nfd(draw, a), maybe_nfd(draw, b)


@settings(max_examples=300, deadline=None)
@given(pairs())
@example(("Chi bộ - Khối cơ quan", "Chi bộ Khối cơ quan"))
@example(("Chi bộ “Khu A”", 'Chi bộ "Khu A"'))
@example(("Tổ 1-2", "Tổ 1 2"))
@example(("a‘b", "à'b"))
def test_sort_key_orders_like_qcollator(pair):
    a, b = pair
    assert core_compare(a, b) == sign(collator().compare(a, b)), (a, b)


@settings(max_examples=200, deadline=None)
@given(st.lists(names, min_size=2, max_size=20))
def test_sorting_a_list_gives_qcollator_order(words):
    ours = sorted(words, key=sort_key)
    assert all(collator().compare(x, y) <= 0 for x, y in zip(ours, ours[1:])), ours


EXPECTED = [
    "Chi bộ - Khối cơ quan",          # punctuation before numbers and letters
    "Chi bộ “Khu A”",                 # quotes before brackets, as ICU has them
    "Chi bộ (cũ) Tổ dân phố 3",
    "Chi bộ 1",
    "Chi bộ Dương Liễu",
    "Chi bộ Đảng ủy",                # đ after d, whatever follows
    "Chi bộ Khối cơ quan",
    "Chi bộ Tổ dân phố 2",
    "Chi bộ Tổ dân phố 12",          # numbers by value
    "Chi bộ Trường Tiểu học",
]


def test_names_that_used_to_differ_sort_as_the_window_does():
    shuffled = EXPECTED[::-1]
    assert sorted(shuffled, key=sort_key) == EXPECTED
    assert sorted(shuffled, key=functools.cmp_to_key(collator().compare)) == EXPECTED


@pytest.mark.parametrize("before, after", [
    ("Tổ dân phố 2", "Tổ dân phố 12"),
    ("Dương", "Đảng"),
    ("Chi bộ - Khối cơ quan", "Chi bộ Khối cơ quan"),
    ("a", "A"),                      # lower case first, at the last level
    ("ma", "mà"), ("mà", "mả"), ("mả", "mã"), ("mã", "má"), ("má", "mạ"),
    ("mạ", "mb"),                    # tones count only after the letters
])
def test_explicit_order(before, after):
    assert sort_key(before) < sort_key(after)
    assert collator().compare(before, after) < 0


def test_nfd_equals_nfc_and_leading_zeros_do_not_count():
    name = "Chi bộ Trường Tiểu học Đồng Xuân"
    assert sort_key(unicodedata.normalize("NFD", name)) == sort_key(name)
    assert sort_key("Tổ 07") == sort_key("Tổ 7")


def whole_text_key(value: str) -> tuple[str, str, str]:
    """The key computed over the whole text at once, without the per-word cache."""
    from chibo4tot_desktop import text

    value = unicodedata.normalize("NFC", value)
    return (text._DIGITS.sub(text._number, value.translate(text._PRIMARY)),
            value.translate(text._SECONDARY), value.translate(text._TERTIARY))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ALPHABET + [" "] * 8), max_size=30).map("".join))
@example("Chi bộ Tổ dân phố 007  12")
@example(" ")
def test_the_per_word_key_is_the_key_of_the_whole_text(value):
    from chibo4tot_desktop.text import primary_key

    assert sort_key(value) == whole_text_key(value)
    assert primary_key(value) == whole_text_key(value)[0]


@settings(max_examples=100, deadline=None)
@given(st.lists(names, max_size=40))
def test_ranks_order_like_the_key_and_tie_only_equal_keys(words):
    from chibo4tot_desktop.text import ranks

    rank = ranks(words)
    for a in words:
        for b in words:
            assert (rank[a] < rank[b]) == (sort_key(a) < sort_key(b)), (a, b)
