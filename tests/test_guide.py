"""The user guide: every section, link and picture exists; every error that asks the user to act
points to a section; the guide command writes a PDF holding every section's title."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import shutil
import subprocess

import pytest

import chibo4tot_desktop
from chibo4tot_desktop import guide
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.pdf.guide import section_blocks


def test_every_section_link_and_picture_exists():
    assert guide.problems() == []
    every = guide.sections()
    assert len(every) >= 15
    pictures = set()
    for entry in every:
        assert entry.file.is_file()
        links, shown = guide.references(entry.id)
        pictures |= set(shown)
        blocks = section_blocks(guide.section_html(entry.id))
        assert blocks[0] == ("h1", entry.title), entry.id   # the page's title is the index's
    assert len(pictures) >= 12
    for picture in pictures:
        path = guide.guide_dir() / picture
        assert path.suffix == ".png" and path.stat().st_size < 400_000


def test_problems_finds_a_missing_picture_and_a_broken_link(tmp_path, monkeypatch):
    folder = tmp_path / "guide"
    shutil.copytree(guide.guide_dir(), folder)
    (folder / "images" / "tab-cham-diem.png").unlink()
    page = folder / "chi-bo.html"
    page.write_text(page.read_text(encoding="utf-8") + '<p><a href="khong-co.html">x</a></p>',
                    encoding="utf-8")
    monkeypatch.setattr(guide, "guide_dir", lambda: folder)
    found = guide.problems()
    assert any("tab-cham-diem.png" in line for line in found)
    assert any("khong-co" in line for line in found)


def test_the_guide_covers_the_office_year():
    text = " ".join(guide.section_html(entry.id) for entry in guide.sections())
    for words in ("dữ liệu mẫu", "Lịch thi đua", "Lập mẫu đăng ký thi đua", "Đọc lại tệp",
                  "Phiếu tự chấm", "lý do", "Phôi in sẵn", "độ lệch", "Văn bản (Word)",
                  "tổng kết", "USB", "máy mới", ".damaged", "Mở chỉ đọc", "dấu vân tay",
                  "Tệp đính kèm", "Sáp nhập", "take-in", "124-QĐ/TW", "366-QĐ/TW",
                  "Cảnh báo trước khi in", "người ký"):
        assert words in text, words


def _user_error_classes():
    for info in pkgutil.walk_packages(chibo4tot_desktop.__path__, "chibo4tot_desktop."):
        if ".ui" in info.name or ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, UserError) and value.__module__ == info.name:
                yield value


def test_every_error_class_that_asks_to_act_points_to_a_section():
    ids = {entry.id for entry in guide.sections()}
    classes = set(_user_error_classes())
    assert len(classes) >= 15
    for kind in classes:
        error = kind.__new__(kind)
        Exception.__init__(error, "thông báo")
        if kind.__name__ == "Cancelled":
            assert guide.section_for(error) is None
            continue
        found = guide.section_for(error)
        assert found is not None and found.id in ids, kind
    for section_id in set(guide.ERROR_SECTIONS.values()) | set(guide.MODULE_SECTIONS.values()):
        assert section_id is None or section_id in ids


def test_a_plain_error_points_to_the_area_that_raised_it(office):
    from chibo4tot_desktop.ops.cells import add_cell

    with pytest.raises(UserError) as caught:
        add_cell(office, "", "", "residential", "", 10)
    assert guide.section_id_for(caught.value) == "chi-bo"
    assert guide.with_help(caught.value).endswith("(xem HD-03 trong Hướng dẫn sử dụng)")
    assert guide.section_id_for(ValidationError("x")) == guide.GENERAL_ERRORS


def test_command_line_errors_carry_the_section_code(tmp_path, capsys):
    code = main(["status", "--data", str(tmp_path / "khong-co.sqlite3")])
    err = capsys.readouterr().err
    assert code == 2
    assert "(xem HD-12 trong Hướng dẫn sử dụng)" in err


def test_guide_command_refuses_a_wrong_name(tmp_path, capsys):
    assert main(["guide", str(tmp_path / "huong-dan.txt")]) == 2
    assert "đuôi .pdf" in capsys.readouterr().err
    assert not (tmp_path / "huong-dan.txt").exists()


@pytest.mark.poppler
def test_guide_command_writes_a_pdf_with_every_section_title(tmp_path, capsys):
    out = tmp_path / "huong-dan.pdf"
    assert main(["guide", str(out)]) == 0
    assert f"{len(guide.sections())} mục" in capsys.readouterr().out
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for entry in guide.sections():
        assert f"{entry.code}. {entry.title}" in flat, entry.title
    assert "Bỏ qua các dòng lỗi" in flat          # body text, not only titles
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True,
                           check=True).stdout
    assert "Helvetica" not in fonts
    images = subprocess.run(["pdfimages", "-list", str(out)], capture_output=True, text=True,
                            check=True).stdout
    assert len(images.splitlines()) - 2 >= 12     # the pictures are printed too
