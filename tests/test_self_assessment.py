"""The self-assessment sheets: the template read back, the import of filled sheets into
"Chi bộ tự chấm" (plan, problems with file, sheet, row and column, all or nothing, the good
sheets only), and the printed scoring sheet read back."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.errors import ConflictError, UserError
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.excel.common import MARKER_SHEET
from chibo4tot_desktop.excel.selfassess import (
    FIRST_ROW,
    SELF_KIND,
    apply_self_plan,
    build_self_plan,
    write_self_template,
)
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import save_catalogue
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.pdf.scoring_sheet import scoring_sheet_pages, write_scoring_sheets
from chibo4tot_desktop.safety.check import table_checksum
from tests.builders import qualifying_cell

YEAR = 2023


@pytest.fixture
def cells(office):
    """Two cells with nothing scored yet, and a third dissolved in 2022."""
    from chibo4tot_desktop.ops.cells import add_cell, dissolve_cell

    first = add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1", secretary="Nguyễn Văn Hùng",
                     members_count=30)
    second = add_cell(office, "TDP02", "Chi bộ Tổ dân phố 2", members_count=25)
    gone = add_cell(office, "TDP03", "Chi bộ Tổ dân phố 3")
    dissolve_cell(office, gone.id, dt.date(2022, 6, 1))
    return first, second


def _item_rows(sheet):
    return [row for row in sheet.iter_rows(min_row=FIRST_ROW + 1)
            if isinstance(row[0].value, str) and "." in row[0].value]


def fill(template, target, values):
    """values: sheet name -> {label: value} (a callable value gets the item's maximum)."""
    workbook = load_workbook(template)
    for sheet_name, scores in values.items():
        for row in _item_rows(workbook[sheet_name]):
            value = scores.get(row[0].value, scores.get("*"))
            if callable(value):
                value = value(row[2].value)
            if value is not None:
                row[3].value = value
    workbook.save(target)
    return target


def test_template_has_the_years_catalogue_header_checks_and_protection(office, cells,
                                                                      tmp_path):
    path = write_self_template(office, YEAR, tmp_path / "mau.xlsx")
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["Hướng dẫn", MARKER_SHEET, "TDP01", "TDP02"]  # not TDP03
    marker = {row[0]: row[1:] for row in workbook[MARKER_SHEET].iter_rows(values_only=True)}
    assert marker["kind"][0] == SELF_KIND and marker["year"][0] == YEAR
    assert workbook[MARKER_SHEET].sheet_state == "veryHidden"
    sheet = workbook["TDP01"]
    assert sheet["A1"].value == "ĐẢNG BỘ PHƯỜNG TÂN GIANG"
    assert sheet["C1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM" and sheet["C1"].font.b
    assert sheet["A2"].value == "CHI BỘ TỔ DÂN PHỐ 1" and sheet["A3"].value == "*"
    assert sheet["A5"].value == "PHIẾU TỰ CHẤM ĐIỂM"
    phase = queries.phase_for_year(office, YEAR)
    items = [(f"{g.position}.{i.position}", i.text, i.max_points) for g in phase.groups
             if g.scope == "cell" for i in g.items]
    rows = _item_rows(sheet)
    assert [(r[0].value, r[1].value, r[2].value) for r in rows] == items
    assert sheet.protection.sheet
    assert all(r[3].protection.locked is False for r in rows)
    assert all(r[0].protection.locked is not False for r in rows)
    validations = sheet.data_validations.dataValidation
    covered = {ref for v in validations for ref in str(v.sqref).split()}
    assert {r[3].coordinate for r in rows} <= covered
    first = next(v for v in validations if rows[0][3].coordinate in str(v.sqref).split())
    assert (first.type, first.operator, first.formula1, float(first.formula2)) == (
        "decimal", "between", "0", items[0][2])
    signature = [c.value for row in sheet.iter_rows() for c in row if c.value in
                 ("T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng")]
    assert signature == ["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng"]
    with pytest.raises(UserError, match="giải thể"):
        write_self_template(office, YEAR, tmp_path / "x.xlsx", "TDP03")


def test_filled_sheets_import_into_the_cells_own_scores(office, cells, tmp_path):
    first, second = cells
    template = write_self_template(office, YEAR, tmp_path / "mau.xlsx")
    filled = fill(template, tmp_path / "da-dien.xlsx",
                  {"TDP01": {"*": lambda top: top - 0.5}, "TDP02": {"1.1": "4,5"}})
    plan = build_self_plan(office, YEAR, [filled])
    assert plan.problems == [] and len(plan.to_add) == 2
    # The committee had scored TDP02 already: its scores stay, only the cell's own change.
    phase = queries.phase_for_year(office, YEAR)
    item = phase.groups[0].items[0]
    save_evaluation(office, second.id, YEAR, scores={item.id: ScoreInput(None, 5)})
    plan = build_self_plan(office, YEAR, [filled])
    outcome = apply_self_plan(office, plan)
    assert (outcome.added, outcome.updated) == (1, 1)
    own = queries.evaluation(office, first.id, YEAR)
    assert sorted(s.self_points for s in own.scores) == sorted(
        i.max_points - 0.5 for g in phase.groups if g.scope == "cell" for i in g.items)
    assert all(s.committee_points is None for s in own.scores)
    theirs = queries.evaluation(office, second.id, YEAR)
    assert [(s.self_points, s.committee_points) for s in theirs.scores] == [(4.5, 5)]
    # The same file again: nothing new.
    again = build_self_plan(office, YEAR, [filled])
    assert len(again.unchanged) == 2 and not again.has_changes
    assert "Không có gì mới" in apply_self_plan(office, again).message()


def test_problems_name_file_sheet_row_and_column_and_nothing_is_written(office, cells,
                                                                       tmp_path, db_path):
    template = write_self_template(office, YEAR, tmp_path / "mau.xlsx")
    filled = fill(template, tmp_path / "loi.xlsx",
                  {"TDP01": {"1.1": 99, "1.2": "-1", "1.3": "năm", "1.4": 1.234},
                   "TDP02": {"1.1": 3}})
    plan = build_self_plan(office, YEAR, [filled])
    texts = [p.full_text() for p in plan.problems]
    first_row = next(r for r in range(FIRST_ROW, FIRST_ROW + 5)
                     if load_workbook(filled)["TDP01"][f"A{r}"].value == "1.1")
    assert texts == [
        f"loi.xlsx, trang 'TDP01': Dòng {first_row}, cột D: điểm chi bộ tự chấm 99 vượt điểm "
        "tối đa 6 của mục 1.1",
        f"loi.xlsx, trang 'TDP01': Dòng {first_row + 1}, cột D: điểm chi bộ tự chấm của mục "
        "1.2 không được âm",
        f"loi.xlsx, trang 'TDP01': Dòng {first_row + 2}, cột D: điểm chi bộ tự chấm 'năm' "
        "không phải là số",
        f"loi.xlsx, trang 'TDP01': Dòng {first_row + 3}, cột D: điểm chi bộ tự chấm '1,234' "
        "của mục 1.4 có quá 2 chữ số thập phân"]
    before = table_checksum(db_path)
    with pytest.raises(UserError, match="Có 4 lỗi"):
        apply_self_plan(office, plan)
    assert table_checksum(db_path) == before
    outcome = apply_self_plan(office, plan, only_good=True)
    assert (outcome.added, outcome.skipped) == (1, 4)
    assert queries.evaluation(office, cells[0].id, YEAR) is None
    assert queries.evaluation(office, cells[1].id, YEAR) is not None


def test_wrong_or_stale_files_are_refused(office, cells, tmp_path):
    template = write_self_template(office, YEAR, tmp_path / "mau.xlsx")
    other_year = write_self_template(office, 2024, tmp_path / "2024.xlsx")
    from chibo4tot_desktop.excel.template import write_template

    registration = write_template(office, YEAR, tmp_path / "dang-ky.xlsx")
    (tmp_path / "rac.xlsx").write_bytes(b"not a workbook")
    plan = build_self_plan(office, YEAR, [other_year, registration, tmp_path / "rac.xlsx"])
    messages = [p.message for p in plan.problems]
    assert "là mẫu tự chấm năm 2024, không nhập vào năm 2023" in messages[0]
    assert "không phải mẫu phiếu tự chấm" in messages[1]
    assert len(messages) == 3 and not plan.rows
    # The catalogue changed after the template was made: the sheet is stale.
    filled = fill(template, tmp_path / "cu.xlsx", {"TDP01": {"*": 1}})
    phase = queries.phase_for_year(office, YEAR)
    groups = [{"position": g.position, "title": g.title, "pass_points": g.pass_points,
               "items": [{"id": i.id, "text": i.text, "max_points": i.max_points}
                         for i in g.items]} for g in phase.groups if g.scope == "cell"]
    groups[0]["items"][0]["max_points"] += 1
    groups[0]["items"][1]["max_points"] -= 1
    groups[1]["items"][0]["text"] = "Nội dung mới"
    save_catalogue(office, phase.id, Scope.CELL, groups)
    plan = build_self_plan(office, YEAR, [filled])
    texts = [p.message for p in plan.problems]
    assert any("điểm tối đa của mục 1.1 nay là 7; mẫu đã cũ" in t for t in texts)
    assert any("nội dung mục 2.1 khác bộ tiêu chí" in t for t in texts)
    # A row deleted from the sheet is a problem, not a silent gap.
    workbook = load_workbook(template)
    sheet = workbook["TDP02"]
    for row in _item_rows(sheet)[:1]:
        row[3].value = 1
    sheet.delete_rows(_item_rows(sheet)[-1][0].row)
    workbook.save(tmp_path / "thieu.xlsx")
    plan = build_self_plan(office, YEAR, [tmp_path / "thieu.xlsx"])
    assert any("thiếu mục" in p.message for p in plan.problems)


def test_a_sheet_changed_meanwhile_is_a_conflict(office, cells, tmp_path):
    template = write_self_template(office, YEAR, tmp_path / "mau.xlsx")
    plan = build_self_plan(office, YEAR, [fill(template, tmp_path / "a.xlsx",
                                               {"TDP01": {"1.1": 2}})])
    phase = queries.phase_for_year(office, YEAR)
    save_evaluation(office, cells[0].id, YEAR,
                    scores={phase.groups[0].items[1].id: ScoreInput(None, 3)})
    with pytest.raises(ConflictError, match="vừa được người khác sửa"):
        apply_self_plan(office, plan)
    assert [s.self_points for s in queries.evaluation(office, cells[0].id, YEAR).scores] == \
        [None]


def test_commands(office, cells, tmp_path, db_path, capsys):
    data = ["--data", str(db_path)]
    assert main(["self-template", *data, "--year", str(YEAR), str(tmp_path / "mau.xlsx")]) == 0
    filled = fill(tmp_path / "mau.xlsx", tmp_path / "dien.xlsx",
                  {"TDP01": {"1.1": 5, "1.2": 99}, "TDP02": {"1.1": 4}})
    assert main(["self-import", *data, "--year", str(YEAR), str(filled)]) == 2
    captured = capsys.readouterr()
    assert "cột D: điểm chi bộ tự chấm 99 vượt" in captured.out and "chưa nhập gì" in captured.err
    assert main(["self-import", *data, "--year", str(YEAR), "--dry-run", str(filled)]) == 2
    assert main(["self-import", *data, "--year", str(YEAR), "--only-good", str(filled)]) == 0
    assert "Đã nhập: thêm 1" in capsys.readouterr().out


# ------------------------------------------------------------------- printed scoring sheet
def test_scoring_sheet_pages(office, tmp_path):
    cell = qualifying_cell(office, "TDP06", "Chi bộ Tổ dân phố 6")
    pages = scoring_sheet_pages(office, YEAR, "TDP06")
    texts = [t.text for page in pages for t in page.texts()]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in texts and "PHIẾU CHẤM ĐIỂM" in texts
    assert "CHI BỘ TỔ DÂN PHỐ 6" in texts
    assert texts.count("T/M CHI BỘ") == 1 and texts.count("T/M ĐẢNG ỦY") == 1
    assert {"Chi bộ tự", "Đảng ủy chấm"} & set(texts)
    evaluation = queries.evaluation(office, cell.id, YEAR)
    total = sum(s.committee_points for s in evaluation.scores)
    assert f"{total:g}".replace(".", ",") in texts
    blank = [t.text for page in scoring_sheet_pages(office, YEAR, "TDP06", blank=True)
             for t in page.texts()]
    assert f"{total:g}".replace(".", ",") not in blank
    target = tmp_path / "phieu.pdf"
    assert write_scoring_sheets(office, YEAR, ["TDP06"], target) == len(pages)
    assert target.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(target), "-"], capture_output=True,
                              text=True, check=True).stdout
        assert "PHIẾU CHẤM ĐIỂM" in text and "T/M ĐẢNG ỦY" in text
    with pytest.raises(UserError, match="Không có chi bộ mã"):
        scoring_sheet_pages(office, YEAR, "KHONG")


def test_scoring_sheet_command(office, tmp_path, db_path, capsys):
    qualifying_cell(office, "TDP06", "Chi bộ Tổ dân phố 6")
    out = tmp_path / "p.pdf"
    assert main(["score-sheet", "--data", str(db_path), "--year", str(YEAR), str(out)]) == 0
    assert "phiếu chấm điểm năm 2023" in capsys.readouterr().out
    assert main(["score-sheet", "--data", str(db_path), "--year", str(YEAR),
                 str(tmp_path / "p.txt")]) == 2
