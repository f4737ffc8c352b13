"""Vietnamese text helpers: normalisation, collation, dates."""

import datetime as dt
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo4tot_desktop.text import (
    DateParseError,
    clean,
    fold,
    format_date,
    name_sort_key,
    nfc,
    parse_date,
    place_date_line,
    sort_key,
)


def test_clean_normalises_nfd_and_spaces():
    nfd = unicodedata.normalize("NFD", "  Chi bộ   Tổ dân phố\u00a06 ")
    assert clean(nfd) == "Chi bộ Tổ dân phố 6"
    assert clean(nfd) == nfc(clean(nfd))
    assert clean(None) == ""


def test_fold_matches_case_and_spacing_but_keeps_the_tones():
    assert fold("CHI BỘ  tổ dân phố 6") == fold("Chi bộ Tổ dân phố 6") == "chi bộ tổ dân phố 6"
    assert fold(unicodedata.normalize("NFD", "Chi bộ Hạ")) == fold("chi bộ hạ")
    assert fold("Chi bộ Hà") != fold("Chi bộ Hạ")     # another cell, not a typing slip


def test_fold_for_search_drops_tones_diacritics_and_case():
    assert fold("Nguyễn Văn Ánh  ĐẠT", accents=False) == "nguyen van anh dat"
    assert fold(unicodedata.normalize("NFD", "Ưng Hòa ơi"), accents=False) == "ung hoa oi"
    assert fold(None, accents=False) == ""


def test_letter_order_follows_vietnamese_alphabet():
    words = ["y", "x", "v", "ư", "u", "t", "s", "r", "q", "p", "ơ", "ô", "o", "n", "m", "l",
             "k", "i", "h", "g", "ê", "e", "đ", "d", "c", "b", "â", "ă", "a"]
    assert sorted(words, key=sort_key) == list(reversed(words))


def test_tones_after_letters_in_cldr_order():
    # none, huyền, hỏi, ngã, sắc, nặng; and tone differences only count after the letters.
    assert sorted(["ạ", "á", "ã", "ả", "à", "a"], key=sort_key) == ["a", "à", "ả", "ã", "á", "ạ"]
    assert sorted(["án", "am"], key=sort_key) == ["am", "án"]


def test_d_bar_after_d_and_case_last():
    assert sorted(["Đức", "Dũng", "dung"], key=sort_key) == ["dung", "Dũng", "Đức"]


def test_numbers_compare_as_numbers():
    names = [f"Chi bộ Tổ dân phố {n}" for n in (12, 2, 10, 1)]
    assert sorted(names, key=sort_key) == [f"Chi bộ Tổ dân phố {n}" for n in (1, 2, 10, 12)]


def test_nfd_and_nfc_sort_the_same():
    word = "Trường Tiểu học"
    assert sort_key(unicodedata.normalize("NFD", word)) == sort_key(word)


def test_people_sort_by_given_name_first():
    people = ["Trần Nhân Đức", "Nguyễn Văn An", "Lê Thị Ánh", "Trần Hậu Tuấn", "Bùi Văn An"]
    assert sorted(people, key=name_sort_key) == [
        "Bùi Văn An", "Nguyễn Văn An", "Lê Thị Ánh", "Trần Nhân Đức", "Trần Hậu Tuấn"]


def test_format_date():
    assert format_date(dt.date(2023, 3, 6)) == "06/03/2023"
    assert format_date(None) == ""


@pytest.mark.parametrize("text, expected", [
    ("15/3/2024", dt.date(2024, 3, 15)),
    ("15-03-2024", dt.date(2024, 3, 15)),
    ("15.03.2024", dt.date(2024, 3, 15)),
    (" 5/3/24 ", dt.date(2024, 3, 5)),
    ("2024-03-15", dt.date(2024, 3, 15)),
    (dt.datetime(2024, 3, 15, 0, 0), dt.date(2024, 3, 15)),
])
def test_parse_date_accepts_office_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text, message", [
    ("31/02/2024", "ngày '31/02/2024' không tồn tại"),
    ("hôm qua", "'hôm qua' không phải là ngày"),
    ("", "chưa nhập ngày"),
    ("1/1/202", "không đúng dạng"),
])
def test_parse_date_refuses_with_vietnamese_message(text, message):
    with pytest.raises(DateParseError, match=message):
        parse_date(text)


def test_place_date_line_leading_zeros():
    assert place_date_line("Tân Giang", dt.date(2023, 3, 6)) == "Tân Giang, ngày 06 tháng 3 năm 2023"
    assert place_date_line("Tân Giang", dt.date(2024, 1, 15)) == \
        "Tân Giang, ngày 15 tháng 01 năm 2024"
    assert place_date_line("Tân Giang", dt.date(2024, 2, 9)) == \
        "Tân Giang, ngày 09 tháng 02 năm 2024"
    assert place_date_line("Tân Giang", dt.date(2024, 12, 10)) == \
        "Tân Giang, ngày 10 tháng 12 năm 2024"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aà bB\t\n\r\u00a0\u2003\u3000\u0300\u0323đ1.-"))))
def test_clean_takes_its_quick_path_only_for_text_already_clean(value):
    reference = " ".join(unicodedata.normalize("NFC", value).replace("\u00a0", " ").split())
    assert clean(value) == reference
