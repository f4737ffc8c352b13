"""Excel in: the safe reader, the registration template, the import plan and its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import unicodedata
import zipfile

import openpyxl
import pytest
from sqlalchemy import text

from chibo4tot_desktop.errors import ConflictError, UserError
from chibo4tot_desktop.excel import reader
from chibo4tot_desktop.excel.importer import (
    ADD,
    UNCHANGED,
    UPDATE,
    apply_plan,
    build_plan,
    closing_text,
    header_field,
    to_date,
)
from chibo4tot_desktop.excel.reader import (
    UnsafeFileError,
    check_workbook,
    read_workbook,
)
from chibo4tot_desktop.excel.template import write_template
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell, dissolve_cell
from chibo4tot_desktop.ops.registrations import import_registrations, save_registration

YEAR = 2024


@pytest.fixture
def cells_office(office):
    for number in (1, 2, 6, 12):
        add_cell(office, f"TDP{number:02d}", f"Chi bộ Tổ dân phố {number}", "residential",
                        f"Bí thư {number}", 20 + number)
    add_cell(office, "CQ", "Chi bộ Cơ quan phường", "agency", "Lê Văn Minh", 18)
    return office


def db_fingerprint(office) -> str:
    """Every row of every table, hashed: equal before and after means nothing was written."""
    digest = hashlib.sha256()
    with office.db.engine.connect() as connection:
        for table in ("cells", "registrations", "audit_log", "evaluations", "awards"):
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")):
                digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def plain_list(path, header, rows, title_rows=True):
    """A consolidated list as an office types it: title rows, merged cells, then a header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    start = 1
    if title_rows:
        sheet["A1"] = "ĐẢNG ỦY PHƯỜNG TÂN GIANG"
        sheet.merge_cells("A1:D1")
        sheet["A3"] = "DANH SÁCH CHI BỘ ĐĂNG KÝ THI ĐUA NĂM 2024"
        sheet.merge_cells("A3:H3")
        start = 5
    for column, title in enumerate(header, start=1):
        sheet.cell(row=start, column=column, value=title)
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=start + offset, column=column, value=value)
            if isinstance(value, dt.date):
                cell.number_format = "dd/mm/yyyy"
    workbook.save(path)
    return path


# ------------------------------------------------------------------------------ reader
def write_zip(path, members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def minimal_members(sheet_xml: bytes) -> dict[str, bytes]:
    """The parts of a real (openpyxl) workbook with sheet1.xml replaced."""
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = sheet_xml
    return members


def test_openpyxl_parses_through_defusedxml(monkeypatch):
    from openpyxl import xml as openpyxl_xml

    assert openpyxl_xml.DEFUSEDXML is True
    reader.require_defused_openpyxl()
    monkeypatch.setattr(openpyxl_xml, "DEFUSEDXML", False)
    with pytest.raises(UnsafeFileError, match="defusedxml"):
        reader.require_defused_openpyxl()


def test_refuses_a_text_file_named_xlsx(tmp_path):
    path = tmp_path / "danh sach.xlsx"
    path.write_text("Mã,Tên\nTDP01,Chi bộ\n", encoding="utf-8")
    with pytest.raises(UnsafeFileError, match="không phải là tệp Excel .xlsx"):
        check_workbook(path)


def test_refuses_an_empty_file(tmp_path):
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    with pytest.raises(UnsafeFileError, match="rỗng"):
        check_workbook(path)


def test_refuses_a_password_protected_workbook(tmp_path):
    path = tmp_path / "mat khau.xlsx"
    path.write_bytes(reader.OLE_SIGNATURE + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le")
                     + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 2000)
    with pytest.raises(UnsafeFileError, match="mật khẩu"):
        check_workbook(path)


def test_refuses_an_old_xls_with_advice(tmp_path):
    path = tmp_path / "cu.xls"
    path.write_bytes(reader.OLE_SIGNATURE + b"\0" * 504 + "Workbook".encode("utf-16-le")
                     + b"\0" * 2000)
    with pytest.raises(UnsafeFileError, match=r"đời cũ \(.xls\)"):
        check_workbook(path)


def test_refuses_a_truncated_file(tmp_path):
    good = tmp_path / "good.xlsx"
    openpyxl.Workbook().save(good)
    damaged = tmp_path / "hong.xlsx"
    damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(UnsafeFileError, match="bị hỏng"):
        check_workbook(damaged)


def test_refuses_a_workbook_with_a_corrupted_part(tmp_path):
    workbook = openpyxl.Workbook()
    for row in range(1, 400):
        workbook.active.append([f"Chi bộ {row}", row, "đăng ký thi đua"])
    good = tmp_path / "good.xlsx"
    workbook.save(good)
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 40
    data[start:start + 64] = bytes(64)          # the directory is intact, the data is not
    damaged = tmp_path / "hong.xlsx"
    damaged.write_bytes(bytes(data))
    with pytest.raises(UnsafeFileError, match="bị hỏng"):
        read_workbook(damaged)


def test_refuses_a_zip_that_is_not_a_workbook(tmp_path):
    path = write_zip(tmp_path / "khac.xlsx", {"readme.txt": b"hello"})
    with pytest.raises(UnsafeFileError, match="thiếu thành phần"):
        check_workbook(path)
    ods = write_zip(tmp_path / "bang.xlsx", {"mimetype": b"application/vnd.oasis."
                                             b"opendocument.spreadsheet", "content.xml": b"<a/>"})
    with pytest.raises(UnsafeFileError, match="OpenDocument"):
        check_workbook(ods)


def test_refuses_a_zip_bomb_from_the_directory_sizes(tmp_path):
    members = minimal_members(b'<?xml version="1.0"?><worksheet/>')
    members["xl/media/padding.bin"] = b"\0" * (3 * 1024 * 1024)   # ratio ~ 1000:1
    path = write_zip(tmp_path / "bom.xlsx", members)
    with pytest.raises(UnsafeFileError, match="bom nén"):
        check_workbook(path)


def test_refuses_an_xml_bomb(tmp_path):
    bomb = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
            b'</sheetData></worksheet>')
    path = write_zip(tmp_path / "bom xml.xlsx", minimal_members(bomb))
    with pytest.raises(UnsafeFileError, match="DOCTYPE"):
        check_workbook(path)
    with pytest.raises(UnsafeFileError):
        read_workbook(path)


def test_refuses_a_doctype_hidden_after_a_long_prolog(tmp_path):
    padded = (b'<?xml version="1.0"?>\n<!--' + b"x" * (reader.HEAD_BYTES + 10) + b'-->'
              b'<!DOCTYPE a [<!ENTITY e "e">]><worksheet/>')
    path = write_zip(tmp_path / "an.xlsx", minimal_members(padded))
    with pytest.raises(UnsafeFileError, match="bất thường"):
        check_workbook(path)


def test_the_declared_dimension_is_not_trusted_either_way(tmp_path):
    """What a sheet declares (<dimension>) decides nothing: its real cells do."""
    head = (b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            b'spreadsheetml/2006/main">')
    huge_but_empty = head + b'<dimension ref="A1:XFD1048576"/><sheetData/></worksheet>'
    path = write_zip(tmp_path / "khai-lon.xlsx", minimal_members(huge_but_empty))
    assert read_workbook(path)[0].rows == []
    small_but_far = (head + b'<dimension ref="A1"/><sheetData><row r="300000">'
                     b'<c r="B300000"><v>1</v></c></row></sheetData></worksheet>')
    path = write_zip(tmp_path / "khai-nho.xlsx", minimal_members(small_but_far))
    with pytest.raises(UnsafeFileError, match="B300000.*200.000 dòng"):
        read_workbook(path)


def test_reads_values_from_a1_with_hidden_flags(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active["C3"] = "x"
    hidden = workbook.create_sheet("an")
    hidden.sheet_state = "hidden"
    workbook.save(tmp_path / "ok.xlsx")
    sheets = read_workbook(tmp_path / "ok.xlsx")
    assert sheets[0].rows[2][2] == "x" and sheets[0].visible
    assert sheets[1].name == "an" and not sheets[1].visible


# ---------------------------------------------------------------------------- template
def test_template_for_all_cells_is_a_protected_printable_form(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames[:3] == ["Hướng dẫn", "DanhMuc", "_chibo4tot"]
    assert workbook["DanhMuc"].sheet_state == "hidden"
    assert workbook["_chibo4tot"].sheet_state == "veryHidden"
    marker = {row[0]: row[1:] for row in workbook["_chibo4tot"].iter_rows(values_only=True)}
    assert marker["kind"][0] == "registration-template" and marker["year"][0] == YEAR
    # Vietnamese order of names: Cơ quan before Tổ dân phố 1, 2, 6, 12.
    assert workbook.sheetnames[3:] == ["CQ", "TDP01", "TDP02", "TDP06", "TDP12"]
    sheet = workbook["TDP06"]
    assert sheet["A1"].value == "ĐẢNG BỘ PHƯỜNG TÂN GIANG"
    assert sheet["A2"].value == "CHI BỘ TỔ DÂN PHỐ 6" and sheet["A3"].value == "*"
    assert sheet["B1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM" and sheet["B1"].font.b
    assert sheet["B1"].font.name == "Times New Roman" and sheet["B1"].font.sz == 15
    assert sheet["A7"].value == "Kính gửi: Đảng ủy phường Tân Giang"
    labels = {sheet.cell(row=row, column=1).value: sheet.cell(row=row, column=2)
              for row in range(9, 19)}
    assert labels["Mã chi bộ"].value == "TDP06" and labels["Mã chi bộ"].protection.locked
    assert labels["Tên chi bộ"].value == "Chi bộ Tổ dân phố 6"
    date_cell = labels["Ngày đăng ký (ngày/tháng/năm)"]
    assert not date_cell.protection.locked and date_cell.number_format == "dd/mm/yyyy"
    assert sheet["B22"].value == "Bí thư 6"           # typed under the signature
    assert sheet.protection.sheet
    formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation]
    assert "DanhMuc!$A$1:$A$1" in formulas
    date_rule = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "date")
    assert (date_rule.formula1, date_rule.formula2) == ("44927", "45657")   # 01/01/2023-31/12/2024
    assert "B12" in str(date_rule.sqref)
    assert int(sheet.page_setup.paperSize) == 9   # A4


def test_template_for_one_cell_and_for_an_unknown_code(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mot.xlsx", cell_code="TDP12")
    assert openpyxl.load_workbook(path).sheetnames[3:] == ["TDP12"]
    with pytest.raises(UserError, match="Không có chi bộ mã 'XYZ'"):
        write_template(cells_office, YEAR, tmp_path / "x.xlsx", cell_code="XYZ")
    assert not (tmp_path / "x.xlsx").exists()


def fill(sheet, **values):
    rows = {"received_on": 12, "members_count": 13, "commitment_1": 14, "commitment_2": 15,
            "commitment_3": 16, "commitment_4": 17, "signer": 22, "title": 11}
    for key, value in values.items():
        sheet.cell(row=rows[key], column=2, value=value)


def test_round_trip_template_filled_with_real_world_mistakes(cells_office, tmp_path):
    template = write_template(cells_office, YEAR, tmp_path / "mau.xlsx")
    workbook = openpyxl.load_workbook(template)
    nfd = unicodedata.normalize("NFD", "Sinh hoạt đủ 12 kỳ, chất lượng tốt  ")
    fill(workbook["TDP01"], received_on="15/3/2024", members_count=" 30 ",
         commitment_1="Hoàn thành 100% chỉ tiêu   ", commitment_2=nfd)
    fill(workbook["TDP02"], received_on="15-03-2024", commitment_1="Kết nạp 01 đảng viên")
    fill(workbook["TDP06"], received_on=45366, commitment_1="Dẫn đầu")   # serial of 15/03/2024
    fill(workbook["TDP12"], received_on=dt.date(2024, 3, 8), commitment_1="Giữ vững")
    workbook.save(tmp_path / "da dien.xlsx")

    plan = build_plan(cells_office, YEAR, [tmp_path / "da dien.xlsx"])
    assert plan.problems == []
    assert len(plan.to_add) == 4 and not plan.to_update
    assert any("1 trang chưa điền" in note and "CQ" in note for note in plan.notes)
    outcome = apply_plan(cells_office, plan)
    assert (outcome.added, outcome.updated) == (4, 0)

    stored = {row.cell.code: row for row in queries.registrations(cells_office, YEAR)}
    assert {code: row.received_on for code, row in stored.items()} == {
        "TDP01": dt.date(2024, 3, 15), "TDP02": dt.date(2024, 3, 15),
        "TDP06": dt.date(2024, 3, 15), "TDP12": dt.date(2024, 3, 8)}
    assert stored["TDP01"].members_count == 30
    assert stored["TDP01"].commitment_1 == "Hoàn thành 100% chỉ tiêu"
    assert stored["TDP01"].commitment_2 == "Sinh hoạt đủ 12 kỳ, chất lượng tốt"
    assert unicodedata.is_normalized("NFC", stored["TDP01"].commitment_2)
    assert stored["TDP06"].members_count == 26          # pre-filled from the cell
    assert stored["TDP01"].source == "file" and stored["TDP01"].source_file == "da dien.xlsx"
    assert queries.audit_log(cells_office, table="registrations")

    again = build_plan(cells_office, YEAR, [tmp_path / "da dien.xlsx"])
    assert [row.action for row in again.rows] == [UNCHANGED] * 4
    assert "Không có gì mới" in "\n".join(again.report_lines())
    before = db_fingerprint(cells_office)
    outcome = apply_plan(cells_office, again)
    assert (outcome.added, outcome.updated, outcome.unchanged) == (0, 0, 4)
    assert "Không có gì mới" in outcome.message()
    assert db_fingerprint(cells_office) == before


def test_template_of_another_year_or_office_is_refused(cells_office, tmp_path):
    path = write_template(cells_office, 2023, tmp_path / "2023.xlsx")
    workbook = openpyxl.load_workbook(path)
    fill(workbook["TDP01"], received_on="06/03/2023", commitment_1="x")
    workbook.save(path)
    plan = build_plan(cells_office, YEAR, [path])
    assert not plan.rows
    assert plan.problems[0].message == ("Tệp '2023.xlsx' là mẫu đăng ký năm 2023, không nhập "
                                        "vào năm 2024.")
    workbook["_chibo4tot"]["B5"] = "KHAC"
    workbook["_chibo4tot"]["B4"] = YEAR
    workbook.save(path)
    assert "đảng bộ khác" in build_plan(cells_office, YEAR, [path]).problems[0].message
    workbook["_chibo4tot"]["B2"] = "scores-template"
    workbook.save(path)
    assert "không phải mẫu đăng ký" in build_plan(cells_office, YEAR, [path]).problems[0].message


def test_edited_code_and_removed_sheet_in_a_template(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook["TDP01"]["B9"] = "TDP02"
    fill(workbook["TDP01"], received_on="06/03/2024")
    del workbook["TDP12"]
    workbook.save(path)
    problems = [p.full_text() for p in build_plan(cells_office, YEAR, [path]).problems]
    assert "mau.xlsx, trang 'TDP01': Dòng 9, cột B: mã chi bộ đã bị sửa (mẫu ghi 'TDP01')" \
        in problems
    assert any("Thiếu trang 'TDP12'" in problem for problem in problems)


# -------------------------------------------------------------------------- plain lists
HEADER = ["STT", "Ngày đăng ký", "Tên chi bộ", "Số ĐV", "Chỉ tiêu nhóm 1", "Cam kết nhóm 2",
          "Người ký", "Ghi chú"]


def test_plain_list_in_any_column_order_after_title_rows(cells_office, tmp_path):
    rows = [
        [1, dt.date(2024, 3, 6), "chi bộ tổ dân phố  1 ", 31.0, "Chỉ tiêu A", "Cam kết B",
         "Bí thư 1", ""],
        [],
        [2, "7/3/2024", "CHI BỘ TỔ DÂN PHỐ 2", "22", "A", "", "", "ghi chú"],
        [3, "08.03.2024", "Tổ dân phố 6", None, "", "", "", ""],
        [4, 45360, "Chi bộ Cơ quan phường", 18, "", "", "", ""],
        [5, "08/03/2024", unicodedata.normalize("NFD", "Chi bộ Tổ dân phố 12"), 30,
         unicodedata.normalize("NFD", "Giữ vững đoàn kết"), "", "", ""],
    ]
    path = plain_list(tmp_path / "tong hop.xlsx", HEADER, rows)
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == []
    by_code = {row.cell_code: row for row in plan.rows}
    assert set(by_code) == {"TDP01", "TDP02", "TDP06", "CQ", "TDP12"}
    assert by_code["TDP12"].values["commitment_1"] == "Giữ vững đoàn kết"   # NFC again
    assert by_code["TDP01"].values["members_count"] == 31
    assert by_code["TDP01"].values["commitment_2"] == "Cam kết B"
    assert by_code["TDP02"].values["received_on"] == dt.date(2024, 3, 7)
    assert by_code["TDP06"].values["received_on"] == dt.date(2024, 3, 8)
    assert by_code["CQ"].values["received_on"] == dt.date(2024, 3, 9)
    assert by_code["TDP02"].row == 8      # the empty row 7 is skipped, numbering stays Excel's


def test_every_bad_value_is_reported_with_its_place(cells_office, tmp_path):
    header = ["STT", "Tên chi bộ", "Ngày đăng ký", "Số đảng viên"]
    rows = [
        [1, "Chi bộ Tổ dân phố 1", "31/02/2024", 20],
        [2, "Chi bộ Tổ dân phố 99", "06/03/2024", 20],
        [3, "Chi bộ Tổ dân phố 2", "hôm qua", "hai mươi"],
        [4, "Chi bộ Tổ dân phố 6", "", -3],
        [5, "", "06/03/2024", 1],
        [6, "Chi bộ Tổ dân phố 12", "06/03/2019", 2.5],
    ]
    path = plain_list(tmp_path / "loi.xlsx", header, rows, title_rows=False)
    texts = [problem.text() for problem in build_plan(cells_office, YEAR, [path]).problems]
    assert "Dòng 2, cột C: ngày '31/02/2024' không tồn tại" in texts
    assert "Dòng 3, cột B: không có chi bộ 'Chi bộ Tổ dân phố 99' trong danh sách chi bộ" \
        in texts
    assert "Dòng 4, cột C: 'hôm qua' không phải là ngày (cần dạng ngày/tháng/năm)" in texts
    assert "Dòng 4, cột D: số đảng viên 'hai mươi' không phải là số nguyên" in texts
    assert "Dòng 5, cột C: chưa nhập ngày đăng ký" in texts
    assert "Dòng 5, cột D: số đảng viên không được âm" in texts
    assert "Dòng 6, cột B: chưa ghi tên chi bộ" in texts
    assert "Dòng 7, cột C: ngày '06/03/2019' không thuộc năm 2024" in texts
    assert "Dòng 7, cột D: số đảng viên '2.5' không phải là số nguyên" in texts


def test_a_bad_value_repeated_is_reported_on_every_row_in_order(cells_office, tmp_path):
    """Each distinct value is converted and checked once per plan: the rows that repeat it
    get the same problem each, what could not be read before what the rules refuse, and a
    value equal to another of another kind (1 and 1.0) is its own."""
    header = ["Tên chi bộ", "Ngày đăng ký", "Số đảng viên", "Bí thư"]
    rows = [
        ["Chi bộ Tổ dân phố 1", "hôm qua", -3, "Bí thư 🌟"],
        ["Chi bộ Tổ dân phố 2", "hôm qua", -3, "Bí thư 🌟"],
        ["Chi bộ Tổ dân phố 6", "06/03/2024", 21.0, "Bí thư 6"],
        ["Chi bộ Tổ dân phố 12", "06/03/2024", 21.5, "Bí thư 12"],
    ]
    path = plain_list(tmp_path / "lap.xlsx", header, rows, title_rows=False)
    plan = build_plan(cells_office, YEAR, [path])
    places = [(problem.row, problem.column) for problem in plan.problems]
    assert places == [(2, "B"), (2, "C"), (2, "D"), (3, "B"), (3, "C"), (3, "D"), (5, "C")]
    assert plan.problems[0].message == plan.problems[3].message
    assert "U+1F31F" in plan.problems[5].message
    assert [(row.cell_code, row.values["members_count"]) for row in plan.rows] == [("TDP06", 21)]


def test_the_same_cell_twice(cells_office, tmp_path):
    header = ["Mã chi bộ", "Tên chi bộ", "Ngày đăng ký"]
    rows = [["TDP01", "Chi bộ Tổ dân phố 1", "06/03/2024"],
            ["tdp01 ", "chi bộ tổ dân phố 1", dt.date(2024, 3, 6)],   # identical: once
            ["TDP02", "", "06/03/2024"],
            ["", "Chi bộ Tổ dân phố 2", "07/03/2024"],                  # differs: both refused
            ["TDP06", "Chi bộ Tổ dân phố 12", "07/03/2024"]]            # code and name disagree
    path = plain_list(tmp_path / "trung.xlsx", header, rows, title_rows=False)
    plan = build_plan(cells_office, YEAR, [path])
    assert [row.cell_code for row in plan.rows] == ["TDP01"]
    assert any("trùng với" in note and "dòng 2" in note for note in plan.notes)
    texts = [problem.text() for problem in plan.problems]
    assert any(text.startswith("Dòng 5: chi bộ 'Chi bộ Tổ dân phố 2' đã có ở") for text in texts)
    assert any(text.startswith("Dòng 4: chi bộ 'Chi bộ Tổ dân phố 2' có thêm") for text in texts)
    assert any("mã 'TDP06' là của 'Chi bộ Tổ dân phố 6'" in text for text in texts)


def test_a_file_without_a_header_row(cells_office, tmp_path):
    path = plain_list(tmp_path / "trong.xlsx", ["Họ tên", "Địa chỉ"], [["a", "b"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert "không tìm thấy dòng tiêu đề" in plan.problems[0].message


def test_refused_import_leaves_the_database_unchanged(cells_office, tmp_path):
    save_registration(cells_office, queries.cell_by_code(cells_office, "TDP01").id, YEAR,
                                   received_on=dt.date(2024, 3, 1))
    header = ["Tên chi bộ", "Ngày đăng ký"]
    rows = [["Chi bộ Tổ dân phố 1", "05/03/2024"], ["Chi bộ Tổ dân phố 2", "05/03/2024"],
            ["Chi bộ Tổ dân phố 6", "32/03/2024"]]
    path = plain_list(tmp_path / "mot loi.xlsx", header, rows)
    plan = build_plan(cells_office, YEAR, [path])
    assert [row.action for row in plan.rows] == [UPDATE, ADD] and len(plan.problems) == 1
    assert plan.rows[0].changes == ["ngày đăng ký"]
    before = db_fingerprint(cells_office)
    with pytest.raises(UserError, match="có 1 lỗi trong tệp; chưa nhập gì".capitalize()):
        apply_plan(cells_office, plan)
    assert db_fingerprint(cells_office) == before
    outcome = apply_plan(cells_office, plan, only_good=True)
    assert (outcome.added, outcome.updated, outcome.skipped) == (1, 1, 1)
    assert queries.registration(cells_office, queries.cell_by_code(cells_office, "TDP01").id, YEAR).received_on \
        == dt.date(2024, 3, 5)


def test_unsafe_file_among_several_refuses_the_lot(cells_office, tmp_path):
    good = plain_list(tmp_path / "tot.xlsx", ["Tên chi bộ", "Ngày đăng ký"],
                      [["Chi bộ Tổ dân phố 1", "05/03/2024"]])
    bad = tmp_path / "xau.xlsx"
    bad.write_bytes(b"not a zip at all")
    before = db_fingerprint(cells_office)
    plan = build_plan(cells_office, YEAR, [good, bad])
    assert len(plan.to_add) == 1 and "không phải là tệp Excel" in plan.problems[0].message
    with pytest.raises(UserError):
        apply_plan(cells_office, plan)
    assert db_fingerprint(cells_office) == before


def test_a_change_made_after_the_plan_is_a_conflict_and_writes_nothing(cells_office, tmp_path):
    path = plain_list(tmp_path / "a.xlsx", ["Tên chi bộ", "Ngày đăng ký"],
                      [["Chi bộ Tổ dân phố 1", "05/03/2024"],
                       ["Chi bộ Tổ dân phố 2", "05/03/2024"]])
    plan = build_plan(cells_office, YEAR, [path])
    save_registration(cells_office, queries.cell_by_code(cells_office, "TDP02").id, YEAR,
                                   received_on=dt.date(2024, 3, 2))
    before = db_fingerprint(cells_office)
    with pytest.raises(ConflictError, match="Chi bộ Tổ dân phố 2"):
        apply_plan(cells_office, plan)
    assert db_fingerprint(cells_office) == before


def test_dissolved_cell_is_a_problem(cells_office, tmp_path):
    dissolve_cell(cells_office, queries.cell_by_code(cells_office, "TDP12").id, dt.date(2023, 6, 1))
    path = plain_list(tmp_path / "a.xlsx", ["Mã chi bộ", "Ngày đăng ký"],
                      [["TDP12", "05/03/2024"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert "không thuộc năm 2024" in plan.problems[0].message


def test_header_words_and_dates():
    assert header_field("Ngày\nđăng ký") == "received_on"
    assert header_field("TÊN CHI BỘ") == "name"
    assert header_field("Chỉ tiêu, cam kết nhóm 3") == "commitment_3"
    assert header_field("Ma chi bo") == "code"
    assert header_field("Địa chỉ") is None
    assert to_date(45366.0) == dt.date(2024, 3, 15)
    assert to_date("45366") == dt.date(2024, 3, 15)
    assert to_date(dt.datetime(2024, 3, 15, 8, 30)) == dt.date(2024, 3, 15)
    with pytest.raises(ValueError):
        to_date(True)


def test_a_year_column_must_match_the_year_imported(cells_office, tmp_path):
    path = plain_list(tmp_path / "nam.xlsx", ["Năm", "Mã chi bộ", "Ngày đăng ký"],
                      [[2024, "TDP01", "05/03/2024"], ["2023", "TDP02", "05/03/2024"]],
                      title_rows=False)
    plan = build_plan(cells_office, YEAR, [path])
    assert [row.cell_code for row in plan.rows] == ["TDP01"]
    assert [p.text() for p in plan.problems] == [
        "Dòng 3, cột A: năm '2023' khác năm đang nhập (2024)"]


def test_a_damaged_or_newer_template_marker_is_refused(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx", cell_code="TDP01")
    workbook = openpyxl.load_workbook(path)
    fill(workbook["TDP01"], received_on="05/03/2024")
    workbook["_chibo4tot"]["B3"] = 99
    workbook.save(path)
    assert "phiên bản chương trình mới hơn" in \
        build_plan(cells_office, YEAR, [path]).problems[0].message
    workbook["_chibo4tot"]["B4"] = "năm nay"
    workbook.save(path)
    assert "bị sửa hỏng" in build_plan(cells_office, YEAR, [path]).problems[0].message


def test_an_unfilled_template_imports_nothing_and_says_so(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx")
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.rows == [] and plan.problems == []
    assert plan.notes == ["Tệp 'mau.xlsx': chưa có trang nào được điền."]


def test_bulk_import_refuses_bad_entries_as_a_whole(cells_office):
    from chibo4tot_desktop.errors import ValidationError

    first = queries.cell_by_code(cells_office, "TDP01").id
    second = queries.cell_by_code(cells_office, "TDP02").id
    good = {"cell_id": first, "values": {"received_on": dt.date(2024, 3, 5)},
            "expected_version": None}
    before = db_fingerprint(cells_office)
    with pytest.raises(ValidationError, match="hai bản đăng ký"):
        import_registrations(cells_office, YEAR, [good, dict(good)])
    with pytest.raises(ValidationError, match="Chưa nhập ngày"):
        import_registrations(cells_office, YEAR, [good, {"cell_id": second, "values": {},
                                                        "expected_version": None}])
    with pytest.raises(ValidationError, match="không phải là số nguyên"):
        import_registrations(cells_office, YEAR, [good, {
            "cell_id": second, "expected_version": None,
            "values": {"received_on": dt.date(2024, 3, 5), "members_count": "x"}}])
    assert db_fingerprint(cells_office) == before
    dissolve_cell(cells_office, second, dt.date(2024, 1, 2))
    before = db_fingerprint(cells_office)
    with pytest.raises(ValidationError, match="đã kết thúc hoạt động ngày 02/01/2024"):
        import_registrations(cells_office, YEAR, [good, {
            "cell_id": second, "values": {"received_on": dt.date(2024, 3, 5)},
            "expected_version": None}])
    assert db_fingerprint(cells_office) == before
    assert import_registrations(cells_office, YEAR, [good]) == (1, 0)
    entries = queries.audit_log(cells_office, table="registrations")
    assert [entry.action for entry in entries] == ["insert"]


# ------------------------------------------------------------- what offices really type
def test_the_template_is_locked_offers_only_the_list_and_leaves_room_to_sign(cells_office,
                                                                            tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx", cell_code="TDP06")
    workbook = openpyxl.load_workbook(path)
    assert workbook.security is not None and workbook.security.lockStructure
    assert [row[0] for row in workbook["DanhMuc"].iter_rows(values_only=True)] == \
        ["Chi bộ 4 tốt"]
    sheet = workbook["TDP06"]
    column_b = [sheet.cell(row=row, column=2).value for row in range(18, 24)]
    assert column_b[1:5] == ["T/M CHI BỘ", "BÍ THƯ", None, "Bí thư 6"]
    name = sheet["B22"]                          # the secretary's name, typed under the room
    assert not name.protection.locked and sheet["A22"].value == "Họ tên bí thư (người ký):"
    assert sheet.row_dimensions[21].height >= 85             # 30 mm to sign and stamp
    assert "Nơi nhận:" in [sheet.cell(row=row, column=1).value for row in range(18, 24)]
    with zipfile.ZipFile(path) as archive:                  # no formula anywhere
        assert not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name)
                       for name in archive.namelist() if name.endswith(".xml"))
    fill(sheet, received_on="06/03/2024", commitment_1="x", signer="Trần Văn Mới")
    workbook.save(path)
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == [] and plan.to_add[0].values["signer"] == "Trần Văn Mới"
    assert not sheet["A1"].font.b and sheet["A2"].font.b      # 36-HD weights
    assert not sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.page_setup.scale == 100


def test_a_renamed_form_sheet_is_found_by_its_code(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx")
    workbook = openpyxl.load_workbook(path)
    workbook.security.lockStructure = False      # as if someone lifted the lock
    workbook["TDP06"].title = "Tổ 6"
    fill(workbook["Tổ 6"], received_on="06/03/2024", commitment_1="Dẫn đầu")
    workbook.save(path)
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == []
    assert [(row.cell_code, row.sheet) for row in plan.to_add] == [("TDP06", "Tổ 6")]


def test_a_title_outside_the_list_is_refused_on_import(cells_office, tmp_path):
    path = write_template(cells_office, YEAR, tmp_path / "mau.xlsx", cell_code="TDP06")
    workbook = openpyxl.load_workbook(path)
    fill(workbook["TDP06"], received_on="06/03/2024", title="Chi bộ 5 tốt", commitment_1="x")
    workbook.save(path)
    plan = build_plan(cells_office, YEAR, [path])
    assert not plan.rows
    assert [p.text() for p in plan.problems] == [
        "Dòng 11, cột B: danh hiệu “Chi bộ 5 tốt” không có trong danh sách danh hiệu thi đua "
        "(chỉ đăng ký được: “Chi bộ 4 tốt”)"]


def test_emoji_in_an_imported_list_is_a_problem_of_its_row(cells_office, tmp_path):
    path = plain_list(tmp_path / "ds.xlsx", ["Tên chi bộ", "Ngày đăng ký", "Bí thư"], [
        ["Chi bộ Tổ dân phố 1", "06/03/2024", "Bí thư 1 🌟"],
        ["Chi bộ Tổ dân phố 2", "06/03/2024", "Bí thư 2"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert [row.cell_code for row in plan.rows] == ["TDP02"]
    assert "U+1F31F" in plan.problems[0].message and plan.problems[0].column == "C"


@pytest.mark.parametrize("heading", ["Bí thư", "Họ tên Bí thư", "Bí thư chi bộ",
                                     "Họ và tên bí thư chi bộ", "Đồng chí Bí thư (ký)"])
def test_the_usual_headings_of_the_signer_are_read(cells_office, tmp_path, heading):
    path = plain_list(tmp_path / "ds.xlsx", ["TT", "Tên tổ chức đảng", "Ngày nhận bản đăng ký",
                                             "Số lượng đảng viên", heading], [
        [1, "Chi bộ Tổ dân phố 1", "06/03/2024", 30, "Nguyễn Văn An"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == []
    assert plan.rows[0].values["signer"] == "Nguyễn Văn An"
    assert plan.rows[0].values["members_count"] == 30


def test_group_titles_as_commitment_headings_and_written_dates(cells_office, tmp_path):
    titles = [group.title for group in queries.phase_for_year(cells_office, YEAR).groups
              if group.scope == "cell"]
    path = plain_list(tmp_path / "ds.xlsx", ["Chi bộ", "Ngày đăng ký", *titles], [
        ["Tổ dân phố 2", "ngày 05 tháng 3 năm 2024", "A", "B", "C", "D"],
        ["Tổ dân phố 6", "Tân Giang, ngày 7 tháng 3 năm 2024", "E", "F", "G", "H"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == []
    values = {row.cell_code: row.values for row in plan.rows}
    assert values["TDP02"]["received_on"] == dt.date(2024, 3, 5)
    assert values["TDP06"]["received_on"] == dt.date(2024, 3, 7)
    assert [values["TDP02"][f"commitment_{n}"] for n in range(1, 5)] == ["A", "B", "C", "D"]


def test_the_closing_lines_of_a_typed_list_are_passed_over(cells_office, tmp_path):
    path = plain_list(tmp_path / "ds.xlsx", ["STT", "Tên chi bộ", "Ngày đăng ký"], [
        [1, "Chi bộ Tổ dân phố 1", "06/03/2024"],
        [2, "Chi bộ Tổ dân phố 2", "07/03/2024"],
        [None, "Tổng cộng", None],
        [None, None, None],
        [None, None, "Tân Giang, ngày 12 tháng 3 năm 2024"],
        ["Người lập biểu", None, "T/M ĐẢNG ỦY"],
        [None, None, "BÍ THƯ"],
        [None, "Trần Thị Lan", "Nguyễn Văn Quang"]])
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == []
    assert [row.cell_code for row in plan.rows] == ["TDP01", "TDP02"]
    # A place-date line typed under the names, in the name column, too.
    path = plain_list(tmp_path / "ds2.xlsx", ["Tên chi bộ", "Ngày đăng ký"], [
        ["Chi bộ Tổ dân phố 6", "06/03/2024"],
        ["Tân Giang, ngày 12 tháng 3 năm 2025", None]])
    plan = build_plan(cells_office, YEAR, [path])
    assert plan.problems == [] and [row.cell_code for row in plan.rows] == ["TDP06"]


@pytest.mark.parametrize("value, closing", [
    ("T/M ĐẢNG ỦY", True), ("  t/m  dang uy", True), ("TM. BCH", True), ("T.M Chi bo", True),
    ("\tKT. BI THU", True), ("kt\u00a0bí thư", True), ("Nơi nhận:", True),
    ("Tân Giang, ngày 12 tháng 3 năm 2024", True), ("Tan Giang, ngay 12 thang 3 nam 2024", False),
    ("TDP01", False), ("Tổ dân phố 1", False), ("  ", False), ("", False), ("Kim Lien", False),
    ("Tm", False), ("\u212at. Bí thư", True), (12, False), (None, False)])
def test_closing_texts(value, closing):
    """The closing block's cells, ASCII or not (ASCII text is answered without cleaning)."""
    assert closing_text(value) is closing


def test_header_words_offices_use():
    assert header_field("Họ tên Bí thư") == "signer"
    assert header_field("Tên tổ chức đảng") == "name"
    assert header_field("Số lượng đảng viên") == "members_count"
    assert header_field("Ngày nhận bản đăng ký thi đua") == "received_on"
    assert header_field("Danh hiệu đăng ký thi đua năm 2024") == "title"
    assert header_field("Chỉ tiêu, cam kết của chi bộ") == "skip"
    assert header_field("Lãnh đạo hoàn thành tốt nhiệm vụ chính trị",
                        ["Lãnh đạo hoàn thành tốt nhiệm vụ chính trị", "Chất lượng"]) == \
        "commitment_1"


def test_the_bulk_write_audits_exactly_as_a_form_save_does(cells_office, tmp_path):
    """The import writes with one statement per kind; its audit rows must be the ones the
    ordinary save (an ORM flush) writes: every column of a new row, one row per changed
    field with the old and new text, the ids in the change notice."""
    import json

    from chibo4tot_desktop.db.audit import _columns
    from chibo4tot_desktop.db.models import Registration

    first = queries.cell_by_code(cells_office, "TDP01").id
    second = queries.cell_by_code(cells_office, "TDP02").id
    typed = save_registration(cells_office, second, YEAR, received_on=dt.date(2024, 3, 1),
                              signer="Bí thư 2", members_count=22)
    changes = []
    cells_office.db.subscribe(changes.append)
    import_registrations(cells_office, YEAR, [
        {"cell_id": first, "values": {"received_on": dt.date(2024, 3, 5),
                                      "commitment_1": "Kết nạp 2 đảng viên"},
         "source_file": "a.xlsx", "source_row": 7, "expected_version": None},
        {"cell_id": second, "values": {"received_on": dt.date(2024, 3, 9),
                                       "signer": "Bí thư 2", "members_count": 25},
         "source_file": "a.xlsx", "source_row": 8, "expected_version": typed.version}])
    added = queries.registration(cells_office, first, YEAR)
    entries = [e for e in queries.audit_log(cells_office, table="registrations")
               if e.id > max(e.id for e in queries.audit_log(cells_office)
                             if e.row_id == typed.id and e.action == "insert")]
    inserts = [e for e in entries if e.action == "insert"]
    assert [e.row_id for e in inserts] == [added.id]
    assert json.loads(inserts[0].new_value) == json.loads(
        json.dumps(_columns(added), ensure_ascii=False))
    assert inserts[0].summary == "Chi bộ 4 tốt"
    updates = {(e.row_id, e.field): (e.old_value, e.new_value)
               for e in entries if e.action == "update"}
    assert updates == {(typed.id, "received_on"): ("2024-03-01", "2024-03-09"),
                       (typed.id, "members_count"): ("22", "25"),
                       (typed.id, "source"): ("typed", "file"),
                       (typed.id, "source_file"): (None, "a.xlsx"),
                       (typed.id, "source_row"): (None, "8")}
    assert queries.registration(cells_office, second, YEAR).version == typed.version + 1
    assert changes[-1].ids("registrations") == {added.id, typed.id}
    assert "registrations" in changes[-1]
    assert isinstance(added, Registration)


def test_a_write_in_batches_is_the_same_write(cells_office, monkeypatch):
    """Large imports hand their rows and audit rows to the database in batches (bounded
    memory): with batches of two rows, five new registrations are all written, each with its
    audit row, all the audit rows with the one time of the import."""
    import json

    from chibo4tot_desktop.db import audit, bulk

    monkeypatch.setattr(bulk, "BATCH_ROWS", 2)
    monkeypatch.setattr(audit, "AUDIT_BATCH", 2)
    ids = [queries.cell_by_code(cells_office, code).id
           for code in ("TDP01", "TDP02", "TDP06", "TDP12", "CQ")]
    import_registrations(cells_office, YEAR, [
        {"cell_id": cell_id, "values": {"received_on": dt.date(2024, 3, 1 + number),
                                        "signer": f"Bí thư {number}"},
         "source_file": "a.xlsx", "source_row": 4 + number, "expected_version": None}
        for number, cell_id in enumerate(ids)])
    added = [queries.registration(cells_office, cell_id, YEAR) for cell_id in ids]
    assert [row.signer for row in added] == [f"Bí thư {number}" for number in range(5)]
    inserts = [entry for entry in queries.audit_log(cells_office, table="registrations")
               if entry.action == "insert"]
    assert sorted(entry.row_id for entry in inserts) == sorted(row.id for row in added)
    assert len({entry.at for entry in inserts}) == 1
    by_row = {entry.row_id: json.loads(entry.new_value) for entry in inserts}
    assert [by_row[row.id]["source_row"] for row in added] == [4, 5, 6, 7, 8]


def test_a_list_that_fails_half_way_adds_nothing_but_its_refusal(cells_office, tmp_path,
                                                               monkeypatch):
    """A list's rows are checked as the reading child sends them; when the child then fails
    (a limit, a crash), what the file's first rows added to the plan is taken back, and the
    rows of the files before it stay."""
    import contextlib

    from chibo4tot_desktop.excel import importer

    good = plain_list(tmp_path / "a.xlsx", ["Tên chi bộ", "Ngày đăng ký"], [
        ["Chi bộ Tổ dân phố 1", "06/03/2024"], ["Chi bộ Tổ dân phố 2", "07/03/2024"]])
    real = importer.reading_workbook
    header = ["Tên chi bộ", "Ngày đăng ký"]

    class Failing:
        def pieces(self):
            yield "sheets", [("Trang 1", True)]
            yield "sheet", reader.SheetValues("Trang 1", True, [])
            # A different row for TDP02 (takes TDP02 of a.xlsx out of the plan as a
            # conflict), a new one for TDP06, a bad date and a duplicate note.
            yield "rows", [header, ["Chi bộ Tổ dân phố 2", "08/03/2024"],
                           ["Chi bộ Tổ dân phố 6", "08/03/2024"],
                           ["Chi bộ Tổ dân phố 12", "hôm qua"],
                           ["Chi bộ Tổ dân phố 1", "06/03/2024"]] + [["", ""]] * 40
            raise UnsafeFileError("Tệp 'b.xlsx' quá lớn hoặc hỏng, không đọc được: thử.")

    @contextlib.contextmanager
    def reading(path):
        if str(path).endswith("b.xlsx"):
            yield Failing()
        else:
            with real(path) as values:
                yield values

    monkeypatch.setattr(importer, "reading_workbook", reading)
    alone = build_plan(cells_office, YEAR, [good])
    plan = build_plan(cells_office, YEAR, [good, tmp_path / "b.xlsx"])
    assert [(row.file, row.cell_code, row.values) for row in plan.rows] == \
        [(row.file, row.cell_code, row.values) for row in alone.rows]
    assert [row.cell_code for row in plan.rows] == ["TDP01", "TDP02"]
    assert [problem.full_text() for problem in plan.problems] == [
        "b.xlsx: Tệp 'b.xlsx' quá lớn hoặc hỏng, không đọc được: thử."]
    assert plan.notes == alone.notes
    # The same list twice: its rows once (the second file only repeats them).
    plan = build_plan(cells_office, YEAR, [good, good])
    assert [row.cell_code for row in plan.rows] == ["TDP01", "TDP02"]
