"""The real extent of a workbook's sheets, measured from the XML before any grid is built."""

from __future__ import annotations

import random
import time
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from chibo4tot_desktop.excel import extent
from chibo4tot_desktop.excel.extent import column_name, scan_workbook
from chibo4tot_desktop.excel.reader import UnsafeFileError
from tests import hostile_files
from tests.hostile_files import SHEET_HEAD, raw_xlsx, shared_strings_xml


def sheet_xml(body: str) -> str:
    return f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>"


def calamine_size(path) -> tuple[int, int]:
    """Rows and columns of the grid calamine builds (small files only)."""
    with CalamineWorkbook.from_path(str(path)) as workbook:
        rows = workbook.get_sheet_by_name(workbook.sheet_names[0]).to_python(
            skip_empty_area=False)
    return len(rows), len(rows[0]) if rows else 0


@pytest.fixture
def careful_only(monkeypatch):
    """Measure every sheet the careful way (the XML parser), as if none were simple."""
    def not_simple(self, chunks):
        raise extent._NotSimple

    monkeypatch.setattr(extent._QuickSheet, "run", not_simple)


def random_sheet(rng: random.Random, addressed: bool) -> str:
    """Rows with or without r, cells with or without r, empty cells, cells outside rows."""
    parts = []
    for _ in range(rng.randint(0, 7)):
        cells = []
        for _ in range(rng.randint(0, 6)):
            reference = (f' r="{column_name(rng.randint(1, 30))}{rng.randint(1, 40)}"'
                         if addressed or rng.random() < 0.4 else "")
            kind = rng.random()
            if kind < 0.2:
                cells.append(f'<c{reference} s="1"/>')
            elif kind < 0.3:
                cells.append(f'<c{reference} s="1"></c>')
            elif kind < 0.7:
                cells.append(f"<c{reference}><v>{rng.randint(0, 9)}</v></c>")
            else:
                cells.append(f'<c{reference} t="inlineStr"><is><t>x</t></is></c>')
        row = f' r="{rng.randint(1, 40)}"' if rng.random() < 0.5 else ""
        if rng.random() < 0.15:
            parts.append("".join(cells))
        elif rng.random() < 0.1:
            parts.append(f"<row{row}/>")
        else:
            parts.append(f"<row{row}>{''.join(cells)}</row>")
    return sheet_xml("".join(parts))


@pytest.mark.parametrize("addressed", [True, False], ids=["addressed", "mixed"])
def test_the_measure_finds_the_grid_calamine_builds(tmp_path, addressed):
    """Differential: on 150 random layouts the measured extent is calamine's grid, exactly."""
    rng = random.Random(20231 + addressed)
    careful = 0
    for case in range(150):
        path = raw_xlsx(tmp_path / f"{case}.xlsx", random_sheet(rng, addressed))
        sheet = scan_workbook(path).sheets[0]
        careful += sheet.careful
        assert (sheet.rows, sheet.columns) == calamine_size(path), path.read_bytes()
    if addressed:
        assert careful == 0        # every cell addressed: the byte patterns suffice


def test_both_ways_agree_on_a_real_workbook(tmp_path, monkeypatch):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    sheet.append(["STT", "Tên chi bộ", "Ngày đăng ký"])
    for number in range(1, 301):
        sheet.append([number, f"Chi bộ Tổ dân phố {number}", "01/03/2024"])
    sheet["H310"] = "ghi chú"
    workbook.create_sheet("Trống")
    path = tmp_path / "that.xlsx"
    workbook.save(path)
    quick = scan_workbook(path)
    assert [(s.name, s.rows, s.columns, s.careful) for s in quick.sheets] == [
        ("Tổng hợp", 310, 8, False), ("Trống", 0, 0, False)]
    assert quick.sheets[0].cells == 904 and quick.shared_strings == 0   # inline strings

    def not_simple(self, chunks):
        raise extent._NotSimple

    monkeypatch.setattr(extent._QuickSheet, "run", not_simple)
    careful = scan_workbook(path)
    assert [(s.rows, s.columns, s.cells, s.careful) for s in careful.sheets] == [
        (310, 8, 904, True), (0, 0, 0, True)]
    # Both count at least the real text ("Chi bộ Tổ dân phố 300" is 21 characters).
    assert careful.sheets[0].longest_text >= 21 and quick.sheets[0].longest_text >= 21


@pytest.mark.parametrize("reference", ["XFD1048576", "A200001", "SG1", "XFD1"])
def test_a_far_cell_without_dimension_is_refused_naming_file_sheet_and_cell(tmp_path,
                                                                           reference):
    path = hostile_files.far_cell(tmp_path / "xa.xlsx", ["TDP01"], reference)
    with pytest.raises(UnsafeFileError, match=f"'xa.xlsx', trang 'Sheet1' quá lớn: có ô "
                                              f"{reference} ở"):
        scan_workbook(path)


def test_a_grid_too_big_as_a_whole_is_refused(tmp_path):
    path = hostile_files.far_cell(tmp_path / "sf.xlsx", ["TDP01"], "SF199999")
    with pytest.raises(UnsafeFileError, match="199.999 dòng × 500 cột là hơn 5.000.000 ô"):
        scan_workbook(path)


def test_cells_without_addresses_are_placed_as_calamine_places_them(tmp_path):
    path = hostile_files.cells_without_addresses(tmp_path / "khong-dia-chi.xlsx", [], 600)
    with pytest.raises(UnsafeFileError, match="có ô SG1 ở cột SG, tối đa 500 cột"):
        scan_workbook(path)
    body = ('<row r="7"><c r="C7"><v>1</v></c><c><v>2</v></c></row>'
            "<row><c><v>3</v></c></row>")
    path = raw_xlsx(tmp_path / "tiep.xlsx", sheet_xml(body))
    sheet = scan_workbook(path).sheets[0]
    assert sheet.careful and (sheet.rows, sheet.columns) == (8, 4) == calamine_size(path)


def test_a_shared_string_is_counted_in_every_cell_that_uses_it(tmp_path):
    path = hostile_files.shared_string_amplification(tmp_path / "lap.xlsx", [])
    with pytest.raises(UnsafeFileError, match="hơn 100.000.000 ký tự chữ"):
        scan_workbook(path)
    fewer = hostile_files.shared_string_amplification(tmp_path / "it.xlsx", [], 30_000, 100)
    measured = scan_workbook(fewer)
    assert measured.text >= 3_000_000
    assert 30_000 <= measured.longest_shared_string <= 30_010   # bytes of <t>...</t> at most


def test_the_declared_number_of_shared_strings_is_not_trusted(tmp_path):
    path = hostile_files.huge_unique_count(tmp_path / "khai.xlsx", [])
    with pytest.raises(UnsafeFileError, match="khai báo 100.000.000.000.000 đoạn chữ"):
        scan_workbook(path)


@pytest.mark.parametrize("where", ["shared", "inline"])
def test_a_text_longer_than_excel_allows_is_refused(tmp_path, where):
    text = "đ" * 40_000
    if where == "shared":
        path = raw_xlsx(tmp_path / "dai.xlsx",
                        sheet_xml('<row r="1"><c r="A1" t="s"><v>0</v></c></row>'),
                        shared_strings_xml([text]))
        message = "một đoạn chữ dài 40.000 ký tự"
    else:
        path = raw_xlsx(tmp_path / "dai.xlsx", sheet_xml(
            f'<row r="1"><c r="B1" t="inlineStr"><is><t>{text}</t></is></c></row>'))
        message = "có ô B1 dài 40.000 ký tự"
    with pytest.raises(UnsafeFileError, match=message):
        scan_workbook(path)


def test_a_long_text_within_the_limit_is_measured_not_refused(tmp_path):
    text = "đ" * 30_000                      # 60,000 bytes of UTF-8, 30,000 characters
    path = raw_xlsx(tmp_path / "dai.xlsx", sheet_xml(
        f'<row r="1"><c r="B1" t="inlineStr"><is><t>{text}</t></is></c></row>'),
        shared_strings_xml([text]))
    measured = scan_workbook(path)
    assert measured.longest_shared_string == 30_000
    assert measured.sheets[0].careful and measured.sheets[0].longest_text == 30_000


def test_a_big_sheet_of_numbers_is_not_taken_for_text(tmp_path, monkeypatch):
    monkeypatch.setattr(extent, "MAX_TOTAL_TEXT", 200_000)
    monkeypatch.setattr(extent, "TEXT_COUNTED_FROM", 50_000)
    numbers = "".join(f'<row r="{n}"><c r="A{n}" s="1"><v>{n}</v></c>'
                      f'<c r="B{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                      for n in range(1, 8001))          # about 600 KB of XML
    measured = scan_workbook(raw_xlsx(tmp_path / "so.xlsx", sheet_xml(numbers)))
    assert not measured.sheets[0].careful and measured.text < 200_000
    words = "".join(f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{"chữ" * 10}</t></is>'
                    "</c></row>" for n in range(1, 8001))
    with pytest.raises(UnsafeFileError, match="các ô chứa hơn 200.000 ký tự chữ"):
        scan_workbook(raw_xlsx(tmp_path / "chu.xlsx", sheet_xml(words)))


def test_too_many_cells_stop_the_measure(tmp_path, monkeypatch):
    monkeypatch.setattr(extent, "MAX_CELLS", 1000)
    path = raw_xlsx(tmp_path / "nhieu.xlsx", sheet_xml(
        "<row>" + '<c r="A1"><v>1</v></c>' * 1001 + "</row>"))
    with pytest.raises(UnsafeFileError, match="hơn 1.000 ô trong cả tệp"):
        scan_workbook(path)


@pytest.mark.parametrize("body, words", [
    ('<row><c r="A1"><is><t>x</t></is><c r="B1"><v>1</v></c></c></row>', "nằm trong một ô"),
    ('<row><c r="A1"><v>1</v><row/></c></row>', "nằm trong một ô"),
    ('<row><c r="A0"><v>1</v></c></row>', "địa chỉ ô không hợp lệ 'A0'"),
    ('<row><c r="A4294967297"><v>1</v></c></row>', "địa chỉ ô không hợp lệ"),
    ('<row><c r="1A"><v>1</v></c></row>', "địa chỉ ô không hợp lệ"),
    ('<row><c r="A1"><v>1</v></row>', "không phải XML hợp lệ"),
])
def test_the_careful_way_refuses_what_two_readers_could_read_differently(tmp_path, body,
                                                                          words, careful_only):
    path = raw_xlsx(tmp_path / "la.xlsx", sheet_xml(body))
    with pytest.raises(UnsafeFileError, match=words):
        scan_workbook(path)


@pytest.mark.parametrize("body", [
    '<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'r="XFD1"><x:v>1</x:v></x:c>',
    "<c r='XFD1'><v>1</v></c>",
    '<c r = "XFD1" ><v>1</v></c>',
    '<c r="A1" x=">" r2="1"><v>1</v></c><c><v>1</v></c>' + "<c><v>1</v></c>" * 600,
])
def test_unusual_spellings_go_the_careful_way_and_are_still_measured(tmp_path, body):
    path = raw_xlsx(tmp_path / "la.xlsx", sheet_xml(f"<row>{body}</row>"))
    with pytest.raises(UnsafeFileError, match="tối đa 500 cột"):
        scan_workbook(path)


def test_a_cell_hidden_in_a_comment_counts_only_against_the_file(tmp_path):
    """Over-estimating is allowed (a comment's cell counts), under-estimating is not."""
    path = raw_xlsx(tmp_path / "chu-thich.xlsx", sheet_xml(
        '<row><!-- <c r="XFD1"><v>1</v></c> --><c r="B2"><v>1</v></c></row>'))
    with pytest.raises(UnsafeFileError, match="XFD1"):
        scan_workbook(path)


def test_every_part_holding_a_sheet_is_measured_whatever_its_name(tmp_path):
    far = sheet_xml('<row><c r="XFD5"><v>1</v></c></row>').encode()
    small = sheet_xml('<row><c r="A1"><v>1</v></c></row>')
    path = raw_xlsx(tmp_path / "an.xlsx", small, extra={"xl/khac/trang.bin": far})
    with pytest.raises(UnsafeFileError, match="phần 'xl/khac/trang.bin' quá lớn"):
        scan_workbook(path)


def test_a_part_inflating_to_more_than_it_declares_is_refused(tmp_path):
    path = hostile_files.lying_part_size(tmp_path / "noi-doi.xlsx", [])
    with pytest.raises(UnsafeFileError, match="giải nén ra nhiều hơn kích thước đã ghi"):
        scan_workbook(path)


def test_a_part_damaged_inside_is_refused(tmp_path):
    path = raw_xlsx(tmp_path / "hong.xlsx", sheet_xml(
        "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 2000))))
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + 200
    data[start:start + 8] = bytes(8)
    path.write_bytes(bytes(data))
    with pytest.raises(UnsafeFileError, match="bị hỏng"):
        scan_workbook(path)


def test_the_measure_has_a_deadline(tmp_path):
    path = hostile_files.openpyxl_list(tmp_path / "ok.xlsx", [hostile_files.HEADERS])
    with pytest.raises(UnsafeFileError, match="đo kích thước quá lâu"):
        scan_workbook(path, deadline=time.monotonic() - 1)
