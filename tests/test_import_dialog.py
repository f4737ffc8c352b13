"""The import preview dialog and the Excel actions of the window (pytest-qt)."""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ui.dialogs import import_dialog
from chibo4tot_desktop.ui.dialogs.import_dialog import (
    ImportDialog,
    export_list,
    save_template,
)

YEAR = 2024


@pytest.fixture
def cells_office(office):
    for number in (1, 2, 3):
        add_cell(office, f"TDP{number:02d}", f"Chi bộ Tổ dân phố {number}", "residential",
                        f"Bí thư {number}", 20)
    return office


def write_list(path, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Tên chi bộ", "Ngày đăng ký", "Số đảng viên"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def tab_titles(dialog):
    return [dialog.tabs.tabText(index) for index in range(dialog.tabs.count())]


def tab_rows(dialog, prefix):
    index = next(i for i in range(dialog.tabs.count()) if dialog.tabs.tabText(i).startswith(prefix))
    return dialog.tabs.widget(index).model().rows


def test_problems_block_the_import_until_the_user_skips_them(qtbot, cells_office, tmp_path):
    path = write_list(tmp_path / "a.xlsx", [["Chi bộ Tổ dân phố 1", "05/03/2024", 20],
                                            ["Chi bộ Tổ dân phố 2", "31/02/2024", 20]])
    dialog = ImportDialog(cells_office, YEAR, [path])
    qtbot.addWidget(dialog)
    assert tab_titles(dialog) == ["Lỗi (1)", "Thêm mới (1)", "Cập nhật (0)", "Không đổi (0)"]
    assert tab_rows(dialog, "Lỗi") == [["a.xlsx", "Sheet", "3", "B", "31/02/2024",
                                        "ngày '31/02/2024' không tồn tại"]]
    assert tab_rows(dialog, "Thêm mới")[0][:2] == ["Chi bộ Tổ dân phố 1", "05/03/2024"]
    assert not dialog.import_button.isEnabled()
    assert not dialog.only_good.isHidden()
    dialog.only_good.setChecked(True)
    assert dialog.import_button.isEnabled()
    dialog.import_button.click()
    assert dialog.result() == QDialog.Accepted
    assert (dialog.outcome.added, dialog.outcome.skipped) == (1, 1)
    assert [row.cell.code for row in queries.registrations(cells_office, YEAR)] == ["TDP01"]


def test_a_clean_file_imports_and_the_second_time_nothing_is_new(qtbot, cells_office, tmp_path):
    path = write_list(tmp_path / "b.xlsx", [["Chi bộ Tổ dân phố 1", dt.date(2024, 3, 5), 20],
                                            ["chi bộ tổ dân phố 3 ", "6-3-2024", "21"]])
    dialog = ImportDialog(cells_office, YEAR, [path])
    qtbot.addWidget(dialog)
    assert tab_titles(dialog)[0] == "Thêm mới (2)" and dialog.only_good.isHidden()
    dialog.import_button.click()
    assert dialog.outcome.added == 2 and len(queries.registrations(cells_office, YEAR)) == 2

    again = ImportDialog(cells_office, YEAR, [path])
    qtbot.addWidget(again)
    assert "Không đổi (2)" in tab_titles(again)
    assert not again.import_button.isEnabled()
    assert "Không có gì mới" in again.notes_label.text()


def test_a_change_in_between_is_reported_and_the_plan_reloaded(qtbot, cells_office, tmp_path):
    path = write_list(tmp_path / "c.xlsx", [["Chi bộ Tổ dân phố 2", "05/03/2024", 20]])
    dialog = ImportDialog(cells_office, YEAR, [path])
    qtbot.addWidget(dialog)
    save_registration(cells_office, queries.cell_by_code(cells_office, "TDP02").id, YEAR,
                                   received_on=dt.date(2024, 3, 1))
    dialog.import_button.click()
    assert dialog.outcome is None and dialog.result() != QDialog.Accepted
    assert "vừa được người khác thêm hoặc sửa" in dialog.error_label.text()
    assert "Cập nhật (1)" in tab_titles(dialog)        # the plan now sees the new row
    assert queries.registration(cells_office, queries.cell_by_code(cells_office, "TDP02").id, YEAR).received_on \
        == dt.date(2024, 3, 1)


def test_an_unsafe_file_is_listed_as_a_problem(qtbot, cells_office, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    dialog = ImportDialog(cells_office, YEAR, [bad])
    qtbot.addWidget(dialog)
    assert "đời cũ" in tab_rows(dialog, "Lỗi")[0][5]
    assert not dialog.import_button.isEnabled()


@pytest.mark.parametrize("measured", [True, False], ids=["measured", "reader-dies"])
def test_a_file_that_would_take_the_window_down_is_one_problem(qtbot, cells_office, tmp_path,
                                                               monkeypatch, measured):
    """One cell at XFD1048576 used to make the reader abort the window's process. Refused
    by the measure; and were the measure skipped, only the reading process dies."""
    from chibo4tot_desktop.excel import extent
    from tests import hostile_files

    if not measured:
        monkeypatch.setattr(extent, "scan_workbook", lambda *args, **kwargs: None)
    far = hostile_files.far_cell(tmp_path / "xa.xlsx", ["TDP01"])
    good = write_list(tmp_path / "tot.xlsx", [["Chi bộ Tổ dân phố 2", "01/03/2024", 20]])
    dialog = ImportDialog(cells_office, YEAR, [far, good])
    qtbot.addWidget(dialog)
    problem = tab_rows(dialog, "Lỗi")[0]
    assert problem[0] == "xa.xlsx"
    assert problem[5].startswith("Tệp 'xa.xlsx'") and (
        "quá lớn: có ô XFD1048576" in problem[5] if measured
        else "quá lớn hoặc hỏng, không đọc được" in problem[5])
    assert "Thêm mới (1)" in tab_titles(dialog)        # the other file was read
    assert not dialog.import_button.isEnabled()


def test_template_and_export_actions(qtbot, demo_office, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    path = save_template(None, demo_office, 2025, "TDP06", tmp_path / "mau.xlsx")
    assert openpyxl.load_workbook(path).sheetnames[-1] == "TDP06"
    path = export_list(None, demo_office, "results", 2023, tmp_path / "kq.xlsx")
    assert openpyxl.load_workbook(path).worksheets[0]["A5"].value.startswith("KẾT QUẢ")
    assert export_list(None, demo_office, "results", 2023, tmp_path / "kq.pdf") is None
    assert warnings == ["Tên tệp 'kq.pdf' phải có đuôi .xlsx."]

    monkeypatch.setattr(import_dialog.QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "tu chon"), ""))
    path = export_list(None, demo_office, "awards", 2023)
    assert path == tmp_path / "tu chon.xlsx" and path.exists()


def test_the_windows_excel_menu(qtbot, demo_office, tmp_path, monkeypatch):
    """The real window's Excel menu: template, import, and one export per list."""
    from chibo4tot_desktop.ui.main_window import MainWindow

    window = MainWindow(demo_office, ask_first_run=False)
    qtbot.addWidget(window)
    window.set_year(2023)
    menu = window.excel_menu
    actions = [action.text() for action in menu.actions()]
    assert actions[:2] == ["Lập mẫu đăng ký thi đua…", "Nhập đăng ký từ Excel…"]
    export_menu = menu.actions()[2].menu()
    export_menu.aboutToShow.emit()
    assert len(export_menu.actions()) == 7
    monkeypatch.setattr(import_dialog.QFileDialog, "getSaveFileName",
                        lambda *args: (str(tmp_path / "tong-hop.xlsx"), ""))
    export_menu.actions()[-1].trigger()
    assert (tmp_path / "tong-hop.xlsx").exists()
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileNames", lambda *args: ([], ""))
    menu.actions()[1].trigger()        # cancelled file choice: nothing happens
