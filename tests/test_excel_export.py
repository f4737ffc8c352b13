"""Excel out: every list read back with openpyxl; the text guard; atomic writing; the CLI."""

from __future__ import annotations

import datetime as dt
import subprocess
import zipfile

import openpyxl
import pytest
import xlsxwriter

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel import exports
from chibo4tot_desktop.excel.exports import HEADER_ROW, export
from chibo4tot_desktop.excel.importer import UNCHANGED, build_plan
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.text import sort_key
from tests.datafiles import copy_data_file
from tests.office_suite import needs_soffice


def read(path):
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    return sheet, rows[HEADER_ROW - 1], rows[HEADER_ROW:]


def test_every_kind_is_office_ready(demo_office, tmp_path):
    for kind in exports.KINDS:
        path = export(demo_office, kind, 2023, tmp_path / f"{kind}.xlsx")
        sheet, header, rows = read(path)
        assert sheet["A1"].value == "ĐẢNG BỘ THÀNH PHỐ HÀ TĨNH", kind
        assert sheet["A2"].value == "ĐẢNG ỦY PHƯỜNG TÂN GIANG", kind
        assert sheet["A3"].value == "*"
        right = [cell.value for cell in sheet[1] if cell.value][-1]
        assert right == "ĐẢNG CỘNG SẢN VIỆT NAM"
        assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
        assert sheet.page_setup.orientation == "landscape"
        assert int(sheet.page_setup.paperSize) == 9
        # A fixed scale, never fit to the page: nothing prints under 10 pt.
        assert not sheet.sheet_properties.pageSetUpPr.fitToPage
        scale = sheet.page_setup.scale or 100      # no scale written: 100%, the default
        smallest = min(cell.font.sz for row in sheet.iter_rows() for cell in row
                       if cell.value is not None and cell.font and cell.font.sz)
        assert smallest * scale / 100 >= 10, (kind, smallest, scale)
        # 36-HD/VPTW: the upper body regular, the issuing committee bold.
        assert not sheet["A1"].font.b and sheet["A2"].font.b
        assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        assert all(sheet.cell(row=HEADER_ROW, column=c).border.left.style == "thin"
                   for c in range(1, len(header) + 1))
        assert sheet.cell(row=HEADER_ROW, column=1).font.name == "Times New Roman"
        assert rows, kind
        assert not list(tmp_path.glob(".*.tmp"))


def test_registrations_list_content_sort_dates_and_totals(demo_office, tmp_path):
    path = export(demo_office, "registrations", 2023, tmp_path / "dk.xlsx")
    sheet, header, rows = read(path)
    assert header[:6] == ("STT", "Mã chi bộ", "Tên chi bộ", "Danh hiệu đăng ký", "Ngày đăng ký",
                          "Số đảng viên")
    data = [row for row in rows if isinstance(row[0], int)]
    stored = queries.registrations(demo_office, 2023)
    assert len(data) == len(stored) == 15
    names = [row[2] for row in data]
    assert names == sorted(names, key=sort_key)
    assert names.index("Chi bộ Tổ dân phố 2") < names.index("Chi bộ Tổ dân phố 10")
    by_name = {row.cell.name: row for row in stored}
    for row in data:
        assert row[4].date() == by_name[row[2]].received_on
        assert row[5] == by_name[row[2]].members_count
    late = {row[2]: row[11] for row in data}
    assert late["Chi bộ Tổ dân phố 4"] == "Muộn 3 ngày"
    date_cell = sheet.cell(row=HEADER_ROW + 1, column=5)
    assert date_cell.is_date and date_cell.number_format == "dd/mm/yyyy"
    total = rows[len(data)]
    assert total[1] == "Tổng cộng" and total[2] == "15 chi bộ"
    assert total[5] == sum(row.members_count for row in stored)
    notes = [row[0] for row in rows[len(data) + 1:] if row and row[0]]
    assert "Chưa đăng ký (1): Chi bộ Tổ dân phố 9." in notes


def test_registrations_list_holds_only_its_organisations_rows(demo_office, tmp_path):
    # The list reads its rows by the Core, naming the organisation itself: another
    # organisation of the same file (its cells registered the same year) stays out.
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.cells import add_cell
    from chibo4tot_desktop.ops.setup import create_organisation, create_phase

    before = read(export(demo_office, "registrations", 2023, tmp_path / "before.xlsx"))[2]
    other = Office(demo_office.db)
    create_organisation(other, "HP", "Đảng bộ phường Hà Phương")
    create_phase(other, "Giai đoạn 2023 - 2025", 2023, 2025)
    for number in (1, 2):
        cell = add_cell(other, f"HP{number}", f"Chi bộ Hà Phương {number}", members_count=9)
        save_registration(other, cell.id, 2023, received_on=dt.date(2023, 3, 1), signer="X")
    after = read(export(demo_office, "registrations", 2023, tmp_path / "after.xlsx"))[2]
    assert after == before
    assert not any("Hà Phương" in str(value) for row in after for value in row)
    theirs = read(export(other, "registrations", 2023, tmp_path / "theirs.xlsx"))[2]
    assert [row[2] for row in theirs if isinstance(row[0], int)] == [
        "Chi bộ Hà Phương 1", "Chi bộ Hà Phương 2"]


def test_the_cells_not_registered_are_those_of_the_year_in_vietnamese_order(demo_office,
                                                                           tmp_path):
    # The cells without a registration of the year are named in the note in Vietnamese
    # order, a cell founded after the year left out (the year rule); the registered rows are
    # numbered without gaps.
    from chibo4tot_desktop.ops.cells import add_cell

    reason = "Chi bộ có từ trước, chưa đăng ký"
    add_cell(demo_office, "AP2", "Chi bộ Ấp 2", members_count=5, confirm=reason)
    add_cell(demo_office, "AN1", "Chi bộ An Bình", members_count=5, confirm=reason)
    add_cell(demo_office, "MOI", "Chi bộ Mới lập", members_count=5,
             started_on=dt.date(2024, 5, 1), confirm=reason)
    _, _, rows = read(export(demo_office, "registrations", 2023, tmp_path / "dk.xlsx"))
    data = [row for row in rows if isinstance(row[0], int)]
    assert [row[0] for row in data] == list(range(1, 16))
    notes = [row[0] for row in rows[len(data) + 1:] if row and row[0]]
    missing = ["Chi bộ An Bình", "Chi bộ Ấp 2", "Chi bộ Tổ dân phố 9"]
    assert sorted(missing, key=sort_key) == missing
    assert f"Chưa đăng ký (3): {', '.join(missing)}." in notes


def test_exported_registrations_reimport_as_unchanged(demo_office, tmp_path):
    path = export(demo_office, "registrations", 2023, tmp_path / "dk.xlsx")
    plan = build_plan(demo_office, 2023, [path])
    assert plan.problems == []
    assert len(plan.rows) == 15 and {row.action for row in plan.rows} == {UNCHANGED}


def test_results_scores_proposals_awards_summary_content(demo_office, tmp_path):
    _, header, rows = read(export(demo_office, "results", 2023, tmp_path / "kq.xlsx"))
    results = {row[2]: row for row in rows if isinstance(row[0], int)}
    assert results["Chi bộ Tổ dân phố 8"][7] == "Không đạt"
    assert "kỷ luật" in results["Chi bộ Tổ dân phố 8"][8]
    assert results["Chi bộ Tổ dân phố 6"][5] == "HTXSNV"
    assert results["Chi bộ Tổ dân phố 9"][7] == "Chưa chấm"

    _, header, rows = read(export(demo_office, "scores", 2023, tmp_path / "cd.xlsx"))
    assert header == ("Đơn vị", "Mục", "Nội dung tiêu chí", "Điểm tối đa", "Tự chấm",
                      "Đảng ủy chấm")
    totals = [row for row in rows if row[1] == "Cộng"]
    assert len(totals) == 15 and all(row[3] == 100 for row in totals)
    tdp6 = [row for row in rows if row[0] == "Chi bộ Tổ dân phố 6" and row[1] != "Cộng"]
    total6 = next(row for row in totals if row[0] == "Chi bộ Tổ dân phố 6")
    assert sum(row[5] for row in tdp6) == pytest.approx(total6[5])

    _, _, rows = read(export(demo_office, "proposals", 2023, tmp_path / "dn.xlsx"))
    units = [row[1] for row in rows if isinstance(row[0], int)]
    assert units[0] == "Đảng bộ phường Tân Giang"
    assert units.count("Chi bộ Tổ dân phố 6") == 2      # recognition and Giấy khen

    _, header, rows = read(export(demo_office, "awards", 2023, tmp_path / "kt.xlsx"))
    awards = [row for row in rows if isinstance(row[0], int)]
    assert all(row[5] in ("1250-QĐ/Th.U", "1251-QĐ/Th.U", "1252-QĐ/Th.U") for row in awards)
    assert awards[0][1] == "01/2023" and awards[0][6] == dt.datetime(2024, 1, 12)

    _, header, rows = read(export(demo_office, "summary", 2025, tmp_path / "tk.xlsx"))
    assert header == ("Nội dung", "Năm 2023", "Năm 2024", "Năm 2025")
    counts = {row[0]: row[1:] for row in rows}
    assert counts["Chi bộ tham gia"] == (16, 16, 18)      # 3 groups joined in 2025
    assert counts["Đã đăng ký"][:2] == (15, 15)
    _, header, _ = read(export(demo_office, "summary", 2024, tmp_path / "tk24.xlsx"))
    assert header == ("Nội dung", "Năm 2024")


def test_text_that_looks_like_a_formula_stays_text(demo_office, tmp_path):
    cell = queries.cell_by_code(demo_office, "TDP10")
    update_cell(demo_office, cell.id, secretary="=HYPERLINK(\"http://x\",\"y\")")
    save_registration(demo_office, cell.id, 2026, received_on=dt.date(2026, 3, 5),
                                  commitment_1="+1 đảng viên", commitment_2="-tốt",
                                  commitment_3="@all", commitment_4="=SUM(A1:A9)",
                                  signer="=1+2")
    path = export(demo_office, "registrations", 2026, tmp_path / "dk.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    sheet, _, rows = read(path)
    index, row = next((i, r) for i, r in enumerate(rows) if r[1] == "TDP10")
    assert row[6:11] == ("+1 đảng viên", "-tốt", "@all", "=SUM(A1:A9)", "=1+2")
    guarded = sheet.cell(row=HEADER_ROW + 1 + index, column=11)
    assert guarded.data_type == "s" and guarded.quotePrefix
    path = export(demo_office, "cells", 2026, tmp_path / "cb.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_a_tab_at_the_start_is_guarded_too(demo_office, tmp_path):
    from chibo4tot_desktop.excel.common import needs_text_guard

    assert needs_text_guard("\t=cmd") and not needs_text_guard("Chi bộ")
    table = exports.Table("a", "Thử", "", [exports.Column("Nội dung", 20)],
                          [["\t=cmd"], [" -1"], ["Chi bộ"]])
    path = exports.write_tables(demo_office, [table], tmp_path / "a.xlsx")
    sheet, _, rows = read(path)
    assert [row[0] for row in rows] == ["\t=cmd", " -1", "Chi bộ"]
    marked = [sheet.cell(row=HEADER_ROW + n, column=1).quotePrefix for n in (1, 2, 3)]
    assert marked == [True, True, False]


def test_each_body_row_is_as_high_as_its_text_needs(demo_office, tmp_path):
    # One line, wrapped, line breaks, a character the font lacks, a word cut in pieces: each
    # body row gets the height of ``common.row_height``, one-line rows included.
    from chibo4tot_desktop.excel.common import row_height

    columns = [exports.Column("Mã", 8), exports.Column("Tên", 24),
               exports.Column("Nội dung", 28, exports.WRAP), exports.Column("Số", 6, exports.INT)]
    body = [["A1", "Chi bộ 1", "Ngắn", 1], ["A2", "Chi bộ 2", "Một câu dài " * 8, 2],
            ["CB000012345", "Chi bộ 3", "x", 3], ["A4", "dòng một\ndòng hai", "", None],
            ["A5", "漢字 🙂", "Ngắn", 5], ["A1", "Chi bộ 1", "Ngắn", 6]]
    table = exports.Table("a", "Thử", "", columns, body)
    sheet, _, _ = read(exports.write_tables(demo_office, [table], tmp_path / "h.xlsx"))
    widths = [column.width for column in columns]
    for number, row in enumerate(body, start=HEADER_ROW + 1):
        expected = row_height(row, widths)
        written = sheet.row_dimensions[number].height
        if expected <= exports.DEFAULT_ROW + 1:
            assert written is None, (row, written)
        else:       # written in whole pixels (0.75 pt)
            assert written is not None and abs(written - expected) <= 0.375, (row, written)


def test_a_failed_write_leaves_no_half_file(demo_office, tmp_path, monkeypatch):
    target = tmp_path / "dk.xlsx"
    target.write_bytes(b"old content")

    def broken(self):
        with open(self.filename, "wb") as handle:
            handle.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(xlsxwriter.Workbook, "close", broken)
    with pytest.raises(UserError, match="Không ghi được tệp .*dk.xlsx"):
        export(demo_office, "registrations", 2023, target)
    assert target.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir() if "dk" in p.name) == ["dk.xlsx"]


def test_bad_target_names(demo_office, tmp_path):
    with pytest.raises(UserError, match="đuôi .xlsx"):
        export(demo_office, "cells", 2023, tmp_path / "a.csv")
    with pytest.raises(UserError, match="Không có thư mục"):
        export(demo_office, "cells", 2023, tmp_path / "no" / "a.xlsx")
    with pytest.raises(UserError, match="Không có loại danh sách"):
        export(demo_office, "nothing", 2023, tmp_path / "a.xlsx")


# ------------------------------------------------------------------------------- the CLI
def run(capsys, *args):
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_template_import_export(tmp_path, capsys, demo_template):
    data = tmp_path / "demo.sqlite3"
    copy_data_file(demo_template, data)
    code, out, _ = run(capsys, "template", "--data", data, "--year", 2026, tmp_path / "m.xlsx",
                       "--cell", "TDP10")
    assert code == 0 and "Đã lập mẫu đăng ký năm 2026" in out
    workbook = openpyxl.load_workbook(tmp_path / "m.xlsx")
    workbook["TDP10"]["B12"] = "31/02/2026"
    workbook.save(tmp_path / "m.xlsx")
    code, out, err = run(capsys, "import", "--data", data, "--year", 2026, tmp_path / "m.xlsx")
    assert code == 2 and "Dòng 12, cột B: ngày '31/02/2026' không tồn tại" in out
    assert "chưa nhập gì" in err
    workbook["TDP10"]["B12"] = "05/03/2026"
    workbook.save(tmp_path / "m.xlsx")
    code, out, _ = run(capsys, "import", "--data", data, "--year", 2026, tmp_path / "m.xlsx",
                       "--dry-run")
    assert code == 0 and "Thêm mới: 1" in out and "chưa ghi gì" in out
    code, out, _ = run(capsys, "import", "--data", data, "--year", 2026, tmp_path / "m.xlsx")
    assert code == 0 and "Đã nhập: thêm 1" in out
    code, out, _ = run(capsys, "import", "--data", data, "--year", 2026, tmp_path / "m.xlsx")
    assert code == 0 and "Không có gì mới" in out
    code, out, _ = run(capsys, "export", "--data", data, "registrations", "--year", 2026,
                       tmp_path / "dk.xlsx")
    assert code == 0 and "Đã xuất" in out
    _, _, rows = read(tmp_path / "dk.xlsx")
    row = next(r for r in rows if r[1] == "TDP10")
    assert row[2] == "Chi bộ Tổ dân phố 10" and row[4] == dt.datetime(2026, 3, 5)
    bad = tmp_path / "x.xlsx"
    bad.write_text("hello")
    code, out, _ = run(capsys, "import", "--data", data, "--year", 2026, bad, "--only-good")
    assert code == 2 and "không phải là tệp Excel .xlsx" in out


@needs_soffice
def test_libreoffice_opens_the_exports(demo_office, tmp_path):
    paths = [export(demo_office, kind, 2023, tmp_path / f"{kind}.xlsx")
             for kind in ("registrations", "results")]
    out = tmp_path / "csv"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(out),
         *map(str, paths)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = (out / "registrations.csv").read_text(encoding="utf-8")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text
    assert "Chi bộ Tổ dân phố 12" in text and "13/03/2023" in text
    assert "Không đạt" in (out / "results.csv").read_text(encoding="utf-8")


@needs_soffice
def test_a_template_filled_and_saved_by_libreoffice_imports(demo_office, tmp_path):
    from chibo4tot_desktop.excel.template import write_template

    path = write_template(demo_office, 2026, tmp_path / "mau.xlsx", cell_code="TDP10")
    workbook = openpyxl.load_workbook(path)
    workbook["TDP10"]["B12"] = "4/3/2026"
    workbook["TDP10"]["B14"] = "Kết nạp 02 đảng viên"
    workbook.save(path)
    out = tmp_path / "lo-out"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless",
         "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(path)],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    plan = build_plan(demo_office, 2026, [out / "mau.xlsx"])
    assert plan.problems == [] and len(plan.to_add) == 1
    assert plan.to_add[0].values["received_on"] == dt.date(2026, 3, 4)
    assert plan.to_add[0].values["commitment_1"] == "Kết nạp 02 đảng viên"


# ----------------------------------------------------------------- lists that print
def test_lists_carry_their_own_date_not_today(demo_office, tmp_path):
    expected = {"proposals": "Tân Giang, ngày 15 tháng 12 năm 2023",
                "awards": "Tân Giang, ngày 12 tháng 01 năm 2024",
                "summary": "Tân Giang, ngày 10 tháng 12 năm 2023",
                "results": "Tân Giang, ngày 10 tháng 12 năm 2023",
                "cells": "Tân Giang, ngày 06 tháng 3 năm 2023"}
    for kind, line in expected.items():
        sheet, _, _ = read(export(demo_office, kind, 2023, tmp_path / f"{kind}.xlsx"))
        assert [cell.value for cell in sheet[2] if cell.value][-1] == line, kind
    sheet, _, _ = read(export(demo_office, "proposals", 2023, tmp_path / "d.xlsx",
                              dt.date(2023, 12, 20)))
    assert "Tân Giang, ngày 20 tháng 12 năm 2023" in [cell.value for cell in sheet[2]]


def test_wrapped_text_gets_the_height_it_needs(demo_office, tmp_path):
    sheet, _, rows = read(export(demo_office, "registrations", 2023, tmp_path / "dk.xlsx"))
    for number in range(HEADER_ROW + 1, HEADER_ROW + 1 + 15):
        height = sheet.row_dimensions[number].height
        assert height and height >= 4 * 12 * 1.2, number     # four lines of commitments
    text_columns = [index for index, column in enumerate(exports.REGISTRATION_COLUMNS, start=1)
                    if column.kind in (exports.TEXT, exports.WRAP)]
    assert all(sheet.cell(row=HEADER_ROW + 1, column=c).alignment.wrap_text
               for c in text_columns)
    # More pages across rather than smaller text: the first columns repeat on each page.
    assert sheet.page_setup.scale >= 84 and sheet.print_title_cols == "$A:$C"


def test_the_summary_header_has_room_on_two_columns(demo_office, tmp_path):
    from chibo4tot_desktop.pdf.layout import measure

    sheet, header, _ = read(export(demo_office, "summary", 2023, tmp_path / "tk.xlsx"))
    assert header == ("Nội dung", "Năm 2023")
    ranges = {str(r) for r in sheet.merged_cells.ranges}
    assert "B1:B1" not in ranges
    right = sheet.column_dimensions["B"].width
    points = (right * 8 + 5) * 0.75
    assert points >= measure("Tân Giang, ngày 10 tháng 12 năm 2023", "italic", 14)
    assert points >= measure("ĐẢNG CỘNG SẢN VIỆT NAM", "bold", 15)


def test_the_proposal_list_is_signed_and_keeps_its_end_together(demo_office, tmp_path):
    sheet, _, rows = read(export(demo_office, "proposals", 2023, tmp_path / "dn.xlsx"))
    values = [value for row in rows for value in row if isinstance(value, str)]
    assert {"Nơi nhận:", "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Lê Văn Quang"} <= set(values)
    room = [sheet.row_dimensions[n].height for n in range(1, sheet.max_row + 1)]
    # 30 mm to sign, to the pixel (row heights are whole pixels, 0.75 pt)
    assert any(abs(height - exports.SIGNATURE_ROOM) <= 0.375 for height in room if height)


def test_a_list_to_sign_without_a_signer_needs_force(demo_office, db_path, tmp_path, capsys):
    from chibo4tot_desktop.ops.setup import update_organisation
    from chibo4tot_desktop.timeline import BEGINNING

    update_organisation(demo_office, valid_from=BEGINNING, proposal_signer_name="")
    target = tmp_path / "dn.xlsx"
    assert main(["export", "--data", str(db_path), "proposals", "--year", "2023",
                 str(target)]) == 2
    assert "Cảnh báo: Danh sách đề nghị chưa có họ tên người ký" in capsys.readouterr().err
    assert not target.exists()
    assert main(["export", "--data", str(db_path), "proposals", "--year", "2023",
                 "--force", "--date", "20/12/2023", str(target)]) == 0
    assert target.exists()


def test_every_list_prints_readably_in_libreoffice(demo_office, tmp_path):
    from chibo4tot_desktop.excel.template import write_template
    from tests.office_suite import page_count, page_lines, smallest_text, to_pdf

    paths = [export(demo_office, kind, 2023, tmp_path / f"{kind}.xlsx")
             for kind in exports.KINDS]
    paths.append(write_template(demo_office, 2025, tmp_path / "template.xlsx"))
    pdfs = to_pdf(paths, tmp_path)
    for name, pdf in pdfs.items():
        # Liberation Serif at 10 pt draws words about 11 points high.
        assert smallest_text(pdf) >= 10.5, name
        first = page_lines(pdf, 2 if name == "template" else 1)   # after its instructions
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first, name
    summary = page_lines(pdfs["summary"], 1)
    assert "Tân Giang, ngày 10 tháng 12 năm 2023" in summary
    last = page_lines(pdfs["proposals"], page_count(pdfs["proposals"]))
    assert "Lê Văn Quang" in last and any("Tổng cộng" in line for line in last)
    # The template: one page per form, with the secretary's name under the signature.
    assert page_count(pdfs["template"]) == 1 + len(queries.cells_in_year(demo_office, 2025))
    form = page_lines(pdfs["template"], 2)
    assert "T/M CHI BỘ" in form and "Nguyễn Thị Ân" in form


# ------------------------------------------------------------------ the writer's styles
def test_a_list_reads_back_with_the_styles_of_a_paper(demo_office, tmp_path):
    """What the office sees and prints, read back with openpyxl: fonts, bold header, borders,
    dates, widths, merged header blocks, frozen and repeated header row, A4 print setup."""
    path = export(demo_office, "registrations", 2023, tmp_path / "dk.xlsx")
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Đăng ký"]
    # The workbook's default font is the papers' own (column widths count its digits) and no
    # font follows the theme (Excel would show the theme's Calibri instead).
    assert workbook._named_styles["Normal"].font.name == "Times New Roman"
    assert workbook._named_styles["Normal"].font.sz == 12
    with zipfile.ZipFile(path) as archive:
        assert b"<scheme" not in archive.read("xl/styles.xml")
    header = [sheet.cell(row=HEADER_ROW, column=c) for c in range(1, 13)]
    first = [sheet.cell(row=HEADER_ROW + 1, column=c) for c in range(1, 13)]
    for cell in header + first:
        assert cell.font.name == "Times New Roman" and cell.font.sz == 12, cell.coordinate
        sides = (cell.border.left, cell.border.right, cell.border.top, cell.border.bottom)
        assert all(side.style == "thin" and side.color.rgb.endswith("000000")
                   for side in sides), cell.coordinate
    assert all(cell.font.b for cell in header) and not any(cell.font.b for cell in first)
    assert all(cell.alignment.horizontal == "center" and cell.alignment.wrap_text
               for cell in header)
    number, date, members, commitment = first[0], first[4], first[5], first[6]
    assert number.number_format == "0" and number.alignment.horizontal == "right"
    assert date.is_date and date.number_format == "dd/mm/yyyy"
    assert date.alignment.horizontal == "center"
    assert isinstance(members.value, int) and members.alignment.horizontal == "right"
    assert commitment.alignment.vertical == "top" and commitment.alignment.wrap_text
    total = next(row for row in sheet.iter_rows(min_row=HEADER_ROW + 1)
                 if row[1].value == "Tổng cộng")
    assert total[1].font.b and total[5].font.b and total[5].number_format == "0.##"
    # The Party header: bold committee, underlined party name, italic place-date line,
    # each a merged block; the title merged over the page's columns.
    assert sheet["A2"].font.b and sheet["A2"].font.sz == 14 and not sheet["A1"].font.b
    right = sheet.cell(row=1, column=next(c.column for c in sheet[1][1:] if c.value))
    assert right.font.b and right.font.u == "single" and right.font.sz == 15
    assert sheet.cell(row=2, column=right.column).font.i
    merged = {str(block) for block in sheet.merged_cells.ranges}
    assert {"A1:D1", "A2:D2", "A3:D3", "A5:H5", "A6:H6"} <= merged
    assert sheet["A5"].font.b and sheet["A5"].font.sz == 15
    assert sheet["A5"].value == "DANH SÁCH CHI BỘ ĐĂNG KÝ THI ĐUA"
    widths = {letter: sheet.column_dimensions[letter].width for letter in "ABCG"}
    assert widths == {"A": 5, "B": 8, "C": 24, "G": 28}
    # Print: A4 landscape at a fixed scale, the list's margins, the header row repeated and
    # the first columns too (this list is wider than a page), the header row frozen.
    assert int(sheet.page_setup.paperSize) == 9 and sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.scale == 84 and not sheet.sheet_properties.pageSetUpPr.fitToPage
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.6, 0.5, 0.6, 0.6)
    assert sheet.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert sheet.print_title_cols == "$A:$C"
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    # A list one page wide is centred on it.
    cells = openpyxl.load_workbook(export(demo_office, "cells", 2023,
                                          tmp_path / "cb.xlsx")).worksheets[0]
    assert cells.print_options.horizontalCentered and cells.print_title_cols is None


def _cells_of(path):
    """Every cell's value and look, to compare two files."""
    found = {}
    for sheet in openpyxl.load_workbook(path).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                font, border, alignment = cell.font, cell.border, cell.alignment
                found[sheet.title, cell.coordinate] = (
                    cell.value, font.name, font.sz, font.b, font.i, font.u,
                    border.left.style, alignment.horizontal, alignment.vertical,
                    alignment.wrap_text, cell.number_format, cell.quotePrefix)
        found[sheet.title, "rows"] = {n: d.height for n, d in sheet.row_dimensions.items()}
        found[sheet.title, "merged"] = sorted(map(str, sheet.merged_cells.ranges))
    return found


def test_a_long_list_in_constant_memory_mode_is_the_same_list(demo_office, tmp_path,
                                                              monkeypatch):
    """Lists over CONSTANT_MEMORY_CELLS cells are written a row at a time: the same file."""
    save_registration(demo_office, queries.cell_by_code(demo_office, "TDP10").id, 2023,
                      received_on=dt.date(2023, 3, 5), signer="=1+2",
                      commitment_1="Kết nạp 02 đảng viên\nvà  giữ  khoảng trắng ")
    for kind in ("registrations", "scores", "proposals"):
        in_memory = export(demo_office, kind, 2023, tmp_path / f"{kind}-1.xlsx")
        monkeypatch.setattr(exports, "CONSTANT_MEMORY_CELLS", 0)
        by_rows = export(demo_office, kind, 2023, tmp_path / f"{kind}-2.xlsx")
        monkeypatch.undo()
        assert _cells_of(by_rows) == _cells_of(in_memory), kind
        with zipfile.ZipFile(by_rows) as archive:
            assert "xl/sharedStrings.xml" not in archive.namelist()    # inline texts


@pytest.mark.parametrize("constant_memory", [False, True])
def test_a_stopped_list_leaves_no_file_anywhere(demo_office, tmp_path, monkeypatch,
                                                constant_memory):
    """Neither the list nor the temporary files of the writer (in their own folder)."""
    from chibo4tot_desktop.progress import Cancelled, ProgressState

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    if constant_memory:
        monkeypatch.setattr(exports, "CONSTANT_MEMORY_CELLS", 0)
    progress = ProgressState(lambda done, total, message: progress.cancel() if done == 5
                             else None)
    (tmp_path / "out").mkdir()
    with pytest.raises(Cancelled):
        export(demo_office, "registrations", 2023, tmp_path / "out" / "dk.xlsx",
               progress=progress)
    assert list((tmp_path / "out").iterdir()) == [] and list(scratch.iterdir()) == []
    export(demo_office, "registrations", 2023, tmp_path / "out" / "dk.xlsx")
    assert list(scratch.iterdir()) == []


def test_a_text_longer_than_a_cell_holds_is_refused_not_cut(demo_office, tmp_path):
    table = exports.Table("a", "Thử", "", [exports.Column("Nội dung", 20, exports.WRAP)],
                          [["x" * 32767], ["y" * 32768]])
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "a.xlsx"
    with pytest.raises(UserError, match="32768 ký tự, quá 32767"):
        exports.write_tables(demo_office, [table], target)
    assert list(target.parent.iterdir()) == []
    table.rows.pop()
    sheet, _, rows = read(exports.write_tables(demo_office, [table], target))
    assert rows[0][0] == "x" * 32767
    # Excel's tallest row: a cell's text beyond it is still all there (scrolled in the cell).
    assert sheet.row_dimensions[HEADER_ROW + 1].height == exports.MAX_ROW_HEIGHT


def test_the_guard_asks_its_question_on_the_first_character():
    """The list's writer checks the first character before asking ``needs_text_guard``."""
    from chibo4tot_desktop.excel.common import FORMULA_STARTS

    assert all(len(start) == 1 for start in FORMULA_STARTS)


def test_list_row_heights_are_those_of_common_row_height():
    # The list's heights add up the font's character widths themselves: the same heights as
    # ``common.row_height`` for every kind of text (one line, wrapped, a word cut in pieces,
    # line breaks, a character the font lacks, a text just as wide as its column).
    from chibo4tot_desktop.excel.common import row_height, text_room
    from chibo4tot_desktop.pdf.layout import measure

    widths = [8, 24, 28, 11]
    exact = "i" * 200
    while measure(exact, "regular", 12) > text_room(24):
        exact = exact[:-1]
    texts = ["CB00001", "Chi bộ Tổ dân phố 12", "Nguyễn Thị Ánh Tuyết", "x" * 90, exact,
             exact + "i", "Hoàn thành 100% chỉ tiêu kinh tế - xã hội năm 2024, kết nạp 2 đảng "
             + "viên mới.", "dòng một\ndòng hai\ndòng ba", "漢字 🙂 chi bộ", "", "W" * 40,
             "Đảng bộ " * 12]
    rows = [[texts[(n + k) % len(texts)] for k in range(len(widths))]
            for n in range(len(texts))]
    for bold in (False, True):
        heights = exports._RowHeights(widths)
        for row in rows + rows:
            assert heights(row, bold) == row_height(row, widths, bold=bold), (row, bold)



def test_a_date_is_written_as_the_number_write_datetime_stores(tmp_path):
    # The body writes each day's number itself (worked out once per day): the number
    # xlsxwriter's write_datetime stores for the same date, around Excel's 29/2/1900 too.
    import re

    days = [dt.date(1899, 12, 31), dt.date(1900, 1, 1), dt.date(1900, 2, 28),
            dt.date(1900, 3, 1), dt.date(2000, 2, 29), dt.date(2024, 3, 10),
            dt.date(2099, 12, 31)]
    path = tmp_path / "days.xlsx"
    workbook = xlsxwriter.Workbook(str(path), exports.WORKBOOK_OPTIONS)
    sheet = workbook.add_worksheet()
    for row, day in enumerate(days):
        sheet.write_datetime(row, 0, day)
    workbook.close()
    with zipfile.ZipFile(path) as archive:
        stored = re.findall(r"<v>([^<]*)</v>", archive.read("xl/worksheets/sheet1.xml").decode())
    assert stored == [str(exports.excel_serial(day)) for day in days]
