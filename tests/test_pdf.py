"""PDF papers: the text read back with pdftotext, page counts, fitting, escaping, settings.

Tests that read a PDF back carry the ``poppler`` mark (skipped without poppler-utils); the
others run everywhere."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.errors import NotFoundError, UserError, ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import propose, record_decision
from chibo4tot_desktop.ops.cells import add_cell, dissolve_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.setup import set_settings, update_organisation
from chibo4tot_desktop.paths import resource
from chibo4tot_desktop.pdf import certificates as cert
from chibo4tot_desktop.pdf import fonts
from chibo4tot_desktop.pdf.forms import (
    proposal_list_pages,
    registration_form_pages,
    write_proposal_list,
    write_registration_form,
)
from chibo4tot_desktop.pdf.layout import Group, Page, Text, measure, wrap
from chibo4tot_desktop.pdf.render import write_pdf
from tests.builders import qualifying_cell


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def page_size(path: Path) -> tuple[float, float]:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    match = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+) pts", info.stdout, re.M)
    return float(match.group(1)), float(match.group(2))


def page_text(path: Path, number: int) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                          str(path), "-"], capture_output=True, check=True)
    return nfc(out.stdout.decode("utf-8"))


def page_lines(path: Path, number: int) -> list[str]:
    return [line.strip() for line in page_text(path, number).splitlines() if line.strip()]


def word_boxes(path: Path, number: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of every word on a page, from pdftotext -bbox."""
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(number), "-l",
                          str(number), str(path), "-"], capture_output=True, check=True)
    html = out.stdout.decode("utf-8")
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


# ------------------------------------------------------------------------------- fonts
def test_bundled_font_has_every_vietnamese_glyph():
    for name in fonts.BUNDLED.values():
        assert fonts.missing_characters(resource("fonts", name)) == set()
    assert (resource("fonts") / "LICENSE-LiberationSerif.txt").is_file()


def _copy_as_times(source_files: dict, folder: Path, styles=fonts.STYLES) -> None:
    folder.mkdir()
    for style in styles:
        shutil.copy(source_files[style], folder / fonts.TIMES_FILES[style][0])


def test_times_new_roman_is_preferred_when_complete(tmp_path):
    bundled = {style: resource("fonts", name) for style, name in fonts.BUNDLED.items()}
    _copy_as_times(bundled, tmp_path / "win")
    found = fonts.find_times_new_roman([tmp_path / "empty", tmp_path / "win"])
    assert found == {style: tmp_path / "win" / fonts.TIMES_FILES[style][0]
                     for style in fonts.STYLES}


def test_times_new_roman_missing_a_style_is_not_used(tmp_path):
    bundled = {style: resource("fonts", name) for style, name in fonts.BUNDLED.items()}
    _copy_as_times(bundled, tmp_path / "win", styles=("regular", "bold", "italic"))
    assert fonts.find_times_new_roman([tmp_path / "win"]) is None


def test_times_new_roman_without_vietnamese_glyphs_is_not_used(tmp_path):
    import reportlab

    vera = Path(reportlab.__file__).parent / "fonts"
    files = {"regular": vera / "Vera.ttf", "bold": vera / "VeraBd.ttf",
             "italic": vera / "VeraIt.ttf", "bolditalic": vera / "VeraBI.ttf"}
    assert "ơ" in fonts.missing_characters(files["regular"])
    _copy_as_times(files, tmp_path / "old")
    assert fonts.find_times_new_roman([tmp_path / "old"]) is None


def test_font_set_falls_back_to_bundled(tmp_path, monkeypatch):
    monkeypatch.setenv("CHIBO4TOT_FONT_DIRS", str(tmp_path))
    fonts.font_set.cache_clear()
    try:
        chosen = fonts.font_set()
        assert chosen.is_bundled
        assert chosen.files["bold"] == resource("fonts", "LiberationSerif-Bold.ttf")
    finally:
        fonts.font_set.cache_clear()


def test_printable_is_nfc_and_drops_control_characters():
    decomposed = unicodedata.normalize("NFD", "Tổ dân phố")
    assert fonts.printable(decomposed) == "Tổ dân phố"
    assert fonts.printable("a\tb\nc\x00d") == "a b c d"
    assert fonts.printable(None) == ""


# ------------------------------------------------------------------------------ layout
def test_wrap_keeps_every_word_and_respects_the_width():
    text = "Chi bộ Tổ dân phố số 6 của Đảng bộ phường Tân Giang, thành phố Hà Tĩnh " * 4
    lines = wrap(text, "bold", 20, 250, first_width=200)
    assert " ".join(lines).split() == text.split()
    assert measure(lines[0], "bold", 20) <= 200
    assert all(measure(line, "bold", 20) <= 250 for line in lines)
    long_word = "A" * 80
    pieces = wrap(long_word, "regular", 14, 100)
    assert "".join(pieces) == long_word and len(pieces) > 1
    assert all(measure(piece, "regular", 14) <= 100 for piece in pieces)


def test_write_pdf_replaces_atomically_and_leaves_no_temp(tmp_path):
    target = tmp_path / "a.pdf"
    target.write_bytes(b"old")
    page = Page(595, 842)
    page.text(100, 100, "Đảng bộ phường Tân Giang")
    write_pdf([page], target)
    assert target.read_bytes().startswith(b"%PDF")
    assert [p.name for p in tmp_path.iterdir()] == ["a.pdf"]
    with pytest.raises(UserError):
        write_pdf([], tmp_path / "b.pdf")
    assert not (tmp_path / "b.pdf").exists()
    with pytest.raises(UserError):
        write_pdf([page], tmp_path / "missing" / "c.pdf")


@pytest.mark.poppler
def test_write_pdf_writes_the_page_text(tmp_path):
    page = Page(595, 842)
    page.text(100, 100, "Đảng bộ phường Tân Giang")
    write_pdf([page], tmp_path / "a.pdf")
    assert "Đảng bộ phường Tân Giang" in page_text(tmp_path / "a.pdf", 1)


# ------------------------------------------------------------------------- certificates
@pytest.mark.poppler
def test_demo_certificates_one_landscape_page_per_decided_award(demo_office, tmp_path):
    target = tmp_path / "giay-khen.pdf"
    awards = [a for a in queries.awards(demo_office, 2023) if a.is_decided]
    pages = cert.write_certificates(demo_office, 2023, target)
    assert pages == len(awards) == page_count(target)
    width, height = page_size(target)
    assert (round(width), round(height)) == (842, 595)
    organisation = queries.identity_on(demo_office, dt.date(2024, 1, 12))   # of the decision
    for number, award in enumerate(awards, start=1):
        lines = page_lines(target, number)
        text = " ".join(lines)
        recipient = (f"{award.cell.name}, {organisation.name}" if award.cell
                     else organisation.name)
        assert recipient in text
        assert "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH" in lines
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in lines
        assert "Tặng" in lines
        assert "T/M BAN THƯỜNG VỤ" in lines
        assert "PHÓ BÍ THƯ THƯỜNG TRỰC" in lines
        assert "Nguyễn Văn Thành" in lines
        assert "Tân Giang, ngày 12 tháng 01 năm 2024" in lines
        assert f"Quyết định số {award.decision_number} ngày 12/01/2024" in lines
        assert f"Số sổ: {award.register_number}" in lines
        if award.kind == AwardKind.MERIT.value:
            assert "GIẤY KHEN" in lines
            assert "Đã có thành tích xuất sắc trong phong trào thi đua xây dựng" in text
        else:
            assert "GIẤY CHỨNG NHẬN" in lines
        if award.kind == AwardKind.CELL_RECOGNITION.value:
            assert "Đã đạt danh hiệu “Chi bộ 4 tốt” năm 2023" in lines
        if award.kind == AwardKind.ORG_RECOGNITION.value:
            assert "Đã đạt danh hiệu “Đảng bộ cơ sở 4 tốt” năm 2023" in lines


@pytest.mark.poppler
def test_certificates_for_selected_cells_only(demo_office, tmp_path):
    target = tmp_path / "c.pdf"
    pages = cert.write_certificates(demo_office, 2023, target, ["TDP06"])
    # Tổ dân phố 6 has the recognition and a Giấy khen.
    assert pages == 2 == page_count(target)
    titles = {line for n in (1, 2) for line in page_lines(target, n)
              if line.startswith("GIẤY")}
    assert titles == {"GIẤY KHEN", "GIẤY CHỨNG NHẬN"}
    assert all("Chi bộ Tổ dân phố 6, Đảng bộ phường Tân Giang" in page_lines(target, n)
               for n in (1, 2))  # short enough for one line


def test_certificates_bad_input(demo_office, tmp_path):
    with pytest.raises(NotFoundError, match="XX"):
        cert.write_certificates(demo_office, 2023, tmp_path / "x.pdf", ["XX"])
    with pytest.raises(UserError, match="2026"):
        cert.write_certificates(demo_office, 2026, tmp_path / "x.pdf")
    with pytest.raises(UserError, match="Các chi bộ đã chọn"):
        cert.write_certificates(demo_office, 2023, tmp_path / "x.pdf", ["TDP09"])
    assert not (tmp_path / "x.pdf").exists()


def _long_award(office, name: str):
    cell = qualifying_cell(office, "LONG", name, members=30)
    award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value, dt.date(2023, 12, 1))
    return record_decision(office, [award.id], decision_number="99-QĐ/Th.U",
                                  decision_date=dt.date(2024, 1, 5),
                                  issuer="Ban Thường vụ Thành ủy Hà Tĩnh", first_register_number="7")


LONG_NAME = ("Chi bộ Trường Trung học cơ sở và Trung học phổ thông liên cấp Nguyễn Thị Minh "
             "Khai thuộc khu dân cư mới phía Bắc đường Hàm Nghi, phường Tân Giang, thành phố Hà "
             "Tĩnh, tỉnh Hà Tĩnh (sáp nhập từ ba chi bộ)")[:200]
LONG_SETTINGS = {"issuer": "Ban Thường vụ Thành ủy Hà Tĩnh, tỉnh Hà Tĩnh, nước Cộng hòa xã "
                           "hội chủ nghĩa Việt Nam",
                 "signer_title": "Phó Bí thư Thường trực Thành ủy kiêm Chủ tịch Hội đồng nhân "
                                 "dân thành phố"}


def test_long_names_wrap_and_shrink_inside_the_border(office):
    _long_award(office, LONG_NAME)
    cert.save_settings(office, **LONG_SETTINGS)
    certificates, settings = cert.year_certificates(office, 2023)
    page = cert.certificate_page(certificates[0], settings)
    recipient_items = [t for t in page.texts() if t.style == "bold" and t.color != (0, 0, 0)
                       and t.size < 40 and "ĐẢNG CỘNG" not in t.text]
    assert recipient_items and all(t.size < cert.RECIPIENT_SIZE for t in recipient_items)
    assert " ".join(t.text for t in recipient_items).split() == \
        certificates[0].recipient.split()
    for item in page.texts():
        assert item.x >= 32 and item.x + measure(item.text, item.style, item.size) <= \
            page.width - 32, item.text
        assert 32 <= item.y <= page.height - 32


@pytest.mark.poppler
def test_long_names_stay_inside_the_border_in_the_pdf_file(office, tmp_path):
    _long_award(office, LONG_NAME)
    cert.save_settings(office, **LONG_SETTINGS)
    certificates, _settings = cert.year_certificates(office, 2023)
    target = tmp_path / "long.pdf"
    cert.write_certificates(office, 2023, target)
    boxes = word_boxes(target, 1)
    assert boxes
    assert all(x0 >= 31 and x1 <= 842 - 31 and y0 >= 31 and y1 <= 595 - 31
               for x0, y0, x1, y1, _ in boxes)
    assert certificates[0].recipient in " ".join(page_lines(target, 1))


@pytest.mark.poppler
def test_user_text_with_markup_characters_prints_literally(office, tmp_path):
    name = "Chi bộ <b>A & B</b> > C"
    _long_award(office, name)
    cert.save_settings(office, signer_name="Trần <i>Văn</i> & Bình")
    target = tmp_path / "esc.pdf"
    cert.write_certificates(office, 2023, target)
    lines = page_lines(target, 1)
    assert f"{name}, Đảng bộ phường Tân Giang" in lines
    assert "Trần <i>Văn</i> & Bình" in lines


@pytest.mark.poppler
def test_decomposed_input_comes_back_nfc(office, tmp_path):
    decomposed = unicodedata.normalize("NFD", "Chi bộ Tổ dân phố Hồng Lĩnh")
    _long_award(office, decomposed)
    target = tmp_path / "nfd.pdf"
    cert.write_certificates(office, 2023, target)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True,
                         check=True).stdout.decode("utf-8")
    assert "Chi bộ Tổ dân phố Hồng Lĩnh, Đảng bộ phường Tân Giang" in out  # already NFC


# ---------------------------------------------------------------------- certificate settings
def test_settings_defaults_round_trip_and_validation(office):
    settings = cert.load_settings(office)
    assert settings.issuer == "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH"
    assert settings.place == "Tân Giang"
    assert settings.paper == cert.PAPER_PLAIN
    saved = cert.save_settings(office, signer_name="  Lê   Văn Minh ", paper="preprinted",
                               offset_x_mm="2,5", offset_y_mm=-3)
    assert saved.signer_name == "Lê Văn Minh"
    stored = queries.settings(office, "certificate.")
    assert queries.identity_on(office, None).certificate_signer_name == "Lê Văn Minh"
    assert "certificate.signer_name" not in stored      # dated: in the identity version
    assert stored["certificate.offset_x_mm"] == "2.5"
    assert cert.load_settings(office) == saved
    for bad in ({"offset_x_mm": "abc"}, {"offset_y_mm": 51}, {"paper": "glossy"},
                {"wording_merit": "  "}, {"signer_name": "x" * 301}):
        with pytest.raises(ValidationError):
            cert.save_settings(office, **bad)
    assert cert.load_settings(office) == saved


def test_damaged_stored_setting_falls_back(office):
    set_settings(office, {"certificate.offset_x_mm": "nonsense"})
    update_organisation(office, certificate_signer_name="Hồ Thị Ánh")
    settings = cert.load_settings(office)
    assert settings.offset_x_mm == 0 and settings.signer_name == "Hồ Thị Ánh"


@pytest.mark.poppler
def test_wording_setting_with_year_placeholder(demo_office, tmp_path):
    cert.save_settings(demo_office, wording_cell_recognition="Được công nhận đạt “Chi bộ 4 tốt” "
                                                             "năm {năm} <xuất sắc>")
    target = tmp_path / "w.pdf"
    cert.write_certificates(demo_office, 2023, target, ["TDP01"])
    assert "Được công nhận đạt “Chi bộ 4 tốt” năm 2023 <xuất sắc>" in page_lines(target, 1)


def test_preprinted_paper_prints_only_the_text_shifted(demo_office):
    certificates, settings = cert.year_certificates(demo_office, 2023, ["TDP01"])
    plain = cert.certificate_page(certificates[0], settings)
    cert.save_settings(demo_office, paper="preprinted", offset_x_mm=10, offset_y_mm=-5)
    settings = cert.load_settings(demo_office, dt.date(2024, 1, 12))
    printed = cert.certificate_page(certificates[0], settings)
    plain_texts = {t.text: t for t in plain.texts()}
    printed_texts = {t.text: t for t in printed.texts()}
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in plain_texts and "GIẤY CHỨNG NHẬN" in plain_texts
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" not in printed_texts
    assert "GIẤY CHỨNG NHẬN" not in printed_texts
    assert all(isinstance(item, Text) for item in printed.items)  # no border art
    assert any(isinstance(item, Group) for item in plain.items)
    for text, item in printed_texts.items():
        assert item.x == pytest.approx(plain_texts[text].x + 10 * 72 / 25.4)
        assert item.y == pytest.approx(plain_texts[text].y - 5 * 72 / 25.4)


@pytest.mark.poppler
def test_certificate_renders_to_png(demo_office, tmp_path):
    target = tmp_path / "c.pdf"
    cert.write_certificates(demo_office, 2023, target, ["TDP06"])
    result = subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(target),
                             str(tmp_path / "page")], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr
    png = next(tmp_path.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- forms
@pytest.mark.poppler
def test_registration_form_text(demo_office, tmp_path):
    target = tmp_path / "dk.pdf"
    pages = write_registration_form(demo_office, 2023, "TDP06", target)
    assert pages == page_count(target) == 1
    width, height = page_size(target)
    assert (round(width), round(height)) == (595, 842)
    lines = page_lines(target, 1)
    text = " ".join(lines)
    cell = queries.cell_by_code(demo_office, "TDP06")
    registration = queries.registration(demo_office, cell.id, 2023)
    for expected in ("ĐẢNG BỘ PHƯỜNG TÂN GIANG", "CHI BỘ TỔ DÂN PHỐ 6", "*",
                     "ĐẢNG CỘNG SẢN VIỆT NAM", "BẢN ĐĂNG KÝ THI ĐUA",
                     "Xây dựng “Chi bộ 4 tốt” năm 2023", "Kính gửi: Đảng ủy phường Tân Giang",
                     "T/M CHI BỘ", "BÍ THƯ", cell.secretary,
                     "1. Lãnh đạo hoàn thành tốt nhiệm vụ chính trị"):
        assert expected in lines, expected
    day = registration.received_on
    assert f"Tân Giang, ngày {day.day:02d} tháng 3 năm 2023" in lines
    for commitment in registration.commitments():
        assert commitment in text


@pytest.mark.poppler
def test_registration_form_long_commitments_flow_to_numbered_pages(office, tmp_path):
    cell = add_cell(office, "A1", "Chi bộ Khối phố <Đông> & Tây", secretary="Phan Văn Long")
    long_text = "\n".join(f"Chỉ tiêu số {n}: tổ chức thực hiện tốt các nhiệm vụ chính trị "
                          f"được giao, bảo đảm chất lượng và tiến độ của năm." for n in range(40))
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 9),
                             commitment_1=long_text, commitment_2="Sinh hoạt đủ 12 kỳ.")
    target = tmp_path / "long.pdf"
    pages = write_registration_form(office, 2023, "A1", target)
    assert pages == page_count(target) >= 2
    all_text = " ".join(" ".join(page_lines(target, n)) for n in range(1, pages + 1))
    for n in range(40):
        assert f"Chỉ tiêu số {n}:" in all_text
    assert "CHI BỘ KHỐI PHỐ <ĐÔNG> & TÂY" in page_lines(target, 1)
    assert "2" in page_lines(target, 2)[:1]
    # Commitment groups 3 and 4 were left empty: dotted lines to fill in by hand.
    assert "....." in all_text
    assert "Phan Văn Long" in page_lines(target, pages)


@pytest.mark.poppler
def test_blank_registration_form(demo_office, tmp_path):
    target = tmp_path / "blank.pdf"
    # Tổ dân phố 9 did not register in 2023: its blank form, to fill in by hand.
    assert write_registration_form(demo_office, 2023, "TDP09", target, blank=True) == 1
    lines = page_lines(target, 1)
    cell = queries.cell_by_code(demo_office, "TDP09")
    assert "Tân Giang, ngày ..... tháng ..... năm 2023" in lines
    assert "CHI BỘ TỔ DÂN PHỐ 9" in lines and cell.secretary in lines
    assert sum(1 for line in lines if set(line) == {"."}) == 12  # 3 lines for each group
    registered = queries.registration(demo_office, queries.cell_by_code(demo_office, "TDP01").id, 2023)
    write_registration_form(demo_office, 2023, "TDP01", target, blank=True)
    assert registered.commitment_1 not in " ".join(page_lines(target, 1))


def test_registration_form_of_a_dissolved_cell(office):
    cell = add_cell(office, "OLD", "Chi bộ Tổ dân phố cũ")
    dissolve_cell(office, cell.id, dt.date(2022, 12, 31))
    with pytest.raises(UserError, match="không thuộc năm 2023"):
        registration_form_pages(office, 2023, "OLD", blank=True)


def test_registration_form_bad_input(demo_office, tmp_path):
    with pytest.raises(NotFoundError):
        registration_form_pages(demo_office, 2023, "NOPE")
    with pytest.raises(UserError, match="chưa có bản đăng ký"):
        registration_form_pages(demo_office, 2023, "TDP09")


@pytest.mark.poppler
def test_proposal_list_text(demo_office, tmp_path):
    target = tmp_path / "ds.pdf"
    pages = write_proposal_list(demo_office, 2023, target)
    assert pages == page_count(target)
    all_lines = [line for n in range(1, pages + 1) for line in page_lines(target, n)]
    text = " ".join(all_lines)
    for expected in ("ĐẢNG BỘ THÀNH PHỐ HÀ TĨNH", "ĐẢNG ỦY PHƯỜNG TÂN GIANG",
                     "ĐẢNG CỘNG SẢN VIỆT NAM", "DANH SÁCH ĐỀ NGHỊ",
                     "Tân Giang, ngày 15 tháng 12 năm 2023",
                     "I. Đề nghị công nhận “Chi bộ 4 tốt”", "II. Đề nghị tặng Giấy khen",
                     "III. Đề nghị công nhận “Đảng bộ cơ sở 4 tốt”", "T/M BAN THƯỜNG VỤ"):
        assert expected in all_lines, expected
    recognitions = [a for a in queries.awards(demo_office, 2023)
                    if a.kind == AwardKind.CELL_RECOGNITION.value]
    for award in recognitions:
        assert award.cell.name in text
    assert f"Tổng cộng: {len(recognitions):02d} chi bộ đề nghị công nhận “Chi bộ 4 tốt”" in text
    assert "HTXSNV" in all_lines


@pytest.mark.poppler
def test_proposal_list_many_rows_repeat_the_header(office, tmp_path):
    for n in range(1, 61):
        cell = qualifying_cell(office, f"C{n}", f"Chi bộ Tổ dân phố {n}", members=20 + n)
        propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value, dt.date(2023, 12, 2))
    target = tmp_path / "many.pdf"
    pages = write_proposal_list(office, 2023, target, date=dt.date(2023, 12, 5))
    assert pages == page_count(target) >= 3
    for n in range(1, pages):
        assert "Tên tổ chức đảng" in page_lines(target, n)
    all_text = " ".join(" ".join(page_lines(target, n)) for n in range(1, pages + 1))
    for n in range(1, 61):
        assert f"Chi bộ Tổ dân phố {n} " in all_text + " "
    assert "Tân Giang, ngày 05 tháng 12 năm 2023" in page_lines(target, 1)


def test_proposal_list_without_proposals(office):
    with pytest.raises(UserError, match="chưa có đề nghị"):
        proposal_list_pages(office, 2024)


# ------------------------------------------------------------------------ command line
@pytest.mark.poppler
def test_cli_certificates_form_and_list(demo_office, db_path, tmp_path, capsys):
    out = tmp_path / "gk.pdf"
    assert main(["certificates", "--data", str(db_path), "--year", "2023", str(out),
                 "--cell", "TDP06", "--cell", "TDP12"]) == 0
    assert page_count(out) == 4
    assert "4 trang" in capsys.readouterr().out
    assert main(["form", "--data", str(db_path), "--year", "2023", "--cell", "TDP01",
                 str(tmp_path / "f.pdf")]) == 0
    assert "CHI BỘ TỔ DÂN PHỐ 1" in page_lines(tmp_path / "f.pdf", 1)
    assert main(["proposal-list", "--data", str(db_path), "--year", "2023",
                 "--date", "20/12/2023", str(tmp_path / "d.pdf")]) == 0
    assert "Tân Giang, ngày 20 tháng 12 năm 2023" in page_lines(tmp_path / "d.pdf", 1)
    assert main(["form", "--data", str(db_path), "--year", "2023", "--cell", "TDP09", "--blank",
                 str(tmp_path / "b.pdf")]) == 0
    assert "Tân Giang, ngày ..... tháng ..... năm 2023" in page_lines(tmp_path / "b.pdf", 1)


@pytest.mark.parametrize("argv, message", [
    (["certificates", "--year", "2023", "--cell", "XX", "OUT"], "Không có chi bộ mã 'XX'"),
    (["certificates", "--year", "2026", "OUT"], "chưa có khen thưởng nào"),
    (["certificates", "--year", "2019", "OUT"], "không thuộc giai đoạn"),
    (["form", "--year", "2023", "--cell", "TDP09", "OUT"], "chưa có bản đăng ký"),
    (["form", "--year", "2023", "--cell", "ZZ", "OUT"], "Không có chi bộ mã 'ZZ'"),
    (["proposal-list", "--year", "2026", "OUT"], "chưa có đề nghị"),
    (["proposal-list", "--year", "2023", "--date", "31/02/2024", "OUT"], "không tồn tại"),
    (["certificates", "--year", "2023", "out.txt"], "phải có đuôi .pdf"),
    (["certificates", "--year", "2023", "missing/dir/out.pdf"], "không có"),
])
def test_cli_bad_input_exits_2(demo_office, db_path, tmp_path, monkeypatch, capsys, argv,
                               message):
    monkeypatch.chdir(tmp_path)
    argv = [("c.pdf" if arg == "OUT" else arg) for arg in argv]
    assert main([argv[0], "--data", str(db_path), *argv[1:]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Lỗi: ") and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "c.pdf").exists()


def test_selected_awards_certificates(demo_office):
    awards = [a for a in queries.awards(demo_office, 2023) if a.is_decided]
    certificates, _ = cert.award_certificates(demo_office, awards[:2])
    assert [c.recipient_parts[0] for c in certificates] == [a.cell.name for a in awards[:2]]
    with pytest.raises(UserError, match="Chưa chọn"):
        cert.award_certificates(demo_office, [])
