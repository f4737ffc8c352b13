"""Menus, first run, unsaved changes, and the error hook."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QDialog, QMessageBox

from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.scoring import evaluation_result
from chibo4tot_desktop.ui import common
from chibo4tot_desktop.ui.dialogs.first_run_dialog import FirstRunDialog
from chibo4tot_desktop.ui.main_window import TABS
from tests.ui.test_flows import add_cell, register, score_all


def test_menus_and_public_attributes(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles == ["&Tệp", "&Sửa", "&Excel", "&Văn bản (Word)", "&Công cụ", "&Trợ giúp"]
    assert window.file_menu.title() == "&Tệp" and window.tools_menu.title() == "&Công cụ"
    assert window.add_action.shortcut().toString() == "Ctrl+N"
    assert window.find_action.shortcut().toString() == "Ctrl+F"
    assert window.save_action.shortcut().toString() == "Ctrl+S"
    assert window.delete_action.shortcut().toString() == "Del"
    assert window.current_year() == 2023
    assert "Tệp dữ liệu:" in window.file_label.text()
    for tab in [window.tab(kind.name) for kind in TABS]:      # every one built
        button = tab.button_row.add_button("Xuất Excel")
        assert button.parent() is tab


def test_shortcut_actions_follow_the_tab(window):
    window.show_tab(window.scoring_tab)
    assert window.save_action.isEnabled() and not window.add_action.isEnabled()
    window.show_tab(window.cells_tab)
    assert window.add_action.isEnabled() and not window.save_action.isEnabled()
    window.find_action.trigger()
    assert window.cells_tab.search.hasFocus() or window.cells_tab.search.isVisibleTo(window)


def test_unsaved_scores_are_asked_about_when_switching_cell(window, boxes):
    first = add_cell(window, "A", "Chi bộ A")
    second = add_cell(window, "B", "Chi bộ B")
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(first.id)
    score_all(tab, 0.9)
    boxes.answer = QMessageBox.StandardButton.Yes      # save before switching
    tab.select_cell(second.id)
    assert "chưa được lưu" in boxes.shown[-1][1]
    assert tab.cell_id() == second.id and not tab.dirty
    assert evaluation_result(window.office, first.id, 2023).committee_totals.total == 90
    score_all(tab, 0.5)
    boxes.answer = QMessageBox.StandardButton.No       # discard
    tab.select_cell(first.id)
    assert queries.evaluation(window.office, second.id, 2023) is None


def test_registration_dialog_will_not_overwrite_existing(window):
    cell = add_cell(window)
    assert register(window, cell, "08/03/2023").result() == QDialog.DialogCode.Accepted
    from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog

    cells = [(c.id, c.name) for c in queries.cells(window.office)]
    dialog = RegistrationDialog(window.office, 2023, cells, None, window)
    dialog.received.setText("20/03/2023")
    dialog.accept()
    assert "đã có bản đăng ký" in dialog.error_label.text()
    assert queries.registration(window.office, cell.id, 2023).received_on.day == 8


def test_add_next_phase_from_tools_menu(window, monkeypatch):
    def fill(dialog):
        assert dialog.first_year.value() == 2026
        dialog.last_year.setValue(2030)
        dialog.phase_title.setText("Giai đoạn 2026 - 2030")
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fill)
    window.new_phase_action.trigger()
    assert window.current_year() == 2026
    assert window.year_combo.count() == 8
    assert "2026 - 2030" in window.phase_label.text()


def test_excepthook_shows_vietnamese_boxes(monkeypatch, boxes):
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append(
        (self.text(), self.detailedText())))
    monkeypatch.setattr(sys, "stderr", open("/dev/null", "w"))
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        common.excepthook(*sys.exc_info())
    assert shown[0][0].startswith("Đã xảy ra lỗi không mong muốn")
    assert "RuntimeError: boom" in shown[0][1]
    common.excepthook(ValidationError, ValidationError("Chưa nhập tên chi bộ."), None)
    assert boxes.shown[-1] == ("warning", "Chưa nhập tên chi bộ. (xem HD-16 trong Hướng dẫn "
                                          "sử dụng)")


def test_dissolve_cell_refuses_bad_date_then_dissolves(window, boxes, monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from tests.ui.test_flows import select_row

    cell = add_cell(window)
    window.show_tab(window.cells_tab)
    select_row(window.cells_tab.view, cell.id)
    answers = iter([("30/02/2024", True), ("15/06/2024", True)])
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: next(answers))
    window.cells_tab.dissolve()
    assert "không tồn tại" in boxes.shown[-1][1]
    assert queries.cell(window.office, cell.id).dissolved_on is None
    window.cells_tab.dissolve()
    assert window.cells_tab.model.index(0, 6).data() == "Giải thể 15/06/2024"
    window.cells_tab.show_dissolved.setChecked(False)
    assert window.cells_tab.model.rowCount() == 0
    window.set_year(2024)
    window.show_tab(window.registrations_tab)
    assert window.registrations_tab.model.items() == []   # dissolved in 2024: not in 2024


def test_organisation_sheet_counts_cells(window):
    cell = add_cell(window)
    register(window, cell, "01/03/2023")        # the year's rules recognise registered cells
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    score_all(tab, 0.9)
    assert tab.save()
    tab.select_cell(None)
    assert tab.cell_id() is None
    score_all(tab, 0.9)
    texts = [tab.reasons.item(i).text() for i in range(tab.reasons.count())]
    assert "✓ 1/1 chi bộ đạt “Chi bộ 4 tốt” (100%), từ 70% trở lên" in texts
    assert tab.result.verdict.passed
    assert tab.save()
    window.show_tab(window.awards_tab)
    assert window.awards_tab.org_propose_button.isEnabled()
    window.awards_tab.propose_organisation()
    assert not window.awards_tab.org_propose_button.isEnabled()
    assert window.awards_tab.org_award.text().startswith("Đã đề nghị")


def test_changing_year_with_unsaved_scores_asks(window, boxes):
    cell = add_cell(window)
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(cell.id)
    score_all(window.scoring_tab, 0.9)
    boxes.answer = QMessageBox.StandardButton.No     # keep editing
    window.set_year(2024)
    assert window.current_year() == 2023 and window.scoring_tab.dirty
    boxes.answer = QMessageBox.StandardButton.Yes    # discard
    window.set_year(2024)
    assert window.current_year() == 2024 and not window.scoring_tab.dirty
    assert queries.evaluation(window.office, cell.id, 2023) is None


def test_ctrl_s_key_saves_and_override_changes_verdict(qtbot, window):
    from PySide6.QtCore import Qt

    from chibo4tot_desktop.rules import VerdictState

    cell = add_cell(window)
    register(window, cell, "01/03/2023")        # the year's rules recognise registered cells
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    score_all(tab, 0.9)
    assert tab.result.verdict.state is VerdictState.PASSED
    tab.classification.setCurrentIndex(tab.classification.findData("HTNV"))
    assert tab.result.verdict.state is VerdictState.FAILED
    assert any("chưa đạt mức" in tab.reasons.item(i).text() for i in range(tab.reasons.count()))
    tab.reason.setText("Chi bộ để xảy ra đơn thư kéo dài")   # a decision against the rules
    box = next(iter(tab.boxes.values()))[1]
    box.setFocus()
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not tab.dirty
    saved = queries.evaluation(window.office, cell.id, 2023)
    assert saved is not None and saved.classification == "HTNV"
    assert saved.classification_reason == "Chi bộ để xảy ra đơn thư kéo dài"


def test_delete_key_in_search_box_edits_text_not_rows(qtbot, window, boxes):
    from PySide6.QtCore import Qt

    from tests.ui.test_flows import select_row

    cell = add_cell(window)
    register(window, cell, "01/03/2023")        # the year's rules recognise registered cells
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    window.show_tab(window.cells_tab)
    select_row(window.cells_tab.view, cell.id)
    search = window.cells_tab.search
    search.setFocus()
    search.setText("abc")
    search.setCursorPosition(0)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Delete)
    assert search.text() == "bc"
    assert not [kind for kind, _ in boxes.shown if kind == "question"]
    search.clear()
    select_row(window.cells_tab.view, cell.id)
    window.cells_tab.view.setFocus()
    boxes.answer = QMessageBox.StandardButton.No
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Delete)
    assert boxes.shown[-1][0] == "question"
    assert queries.cells(window.office)


def test_the_final_year_stays_named_after_a_settings_change(window):
    """The office's phase 2023-2025: 2025 is the phase's final review; saving the settings
    (here the organisation's name) keeps the words under the year box."""
    from chibo4tot_desktop.ops.setup import update_organisation

    window.set_year(2025)
    assert window.phase_label.text().endswith("(năm tổng kết)")
    update_organisation(window.office, name="Đảng bộ phường Mới")
    assert window.phase_label.text().endswith("(năm tổng kết)")
    assert window.windowTitle().endswith("Đảng bộ phường Mới")


def test_the_window_reopens_on_the_tab_it_was_left_on(qtbot, demo_office, boxes):
    """Only the tab on show reads its data: reopened on Đăng ký thi đua, the year's overview
    is not computed until a tab that shows it is opened."""
    from chibo4tot_desktop.ui.main_window import MainWindow

    first = MainWindow(demo_office)
    qtbot.addWidget(first)
    first.show_tab(first.registrations_tab)
    first.close()

    again = MainWindow(demo_office)
    qtbot.addWidget(again)
    again.show()
    assert again.tabs.currentWidget() is again.registrations_tab
    qtbot.waitUntil(lambda: again.registrations_tab.model.rowCount() > 0)
    assert "Đã đăng ký" in again.registrations_tab.summary.text()
    year = again.current_year()
    assert again.overviews.cache.current(year) is None and not again.overviews.busy
    again.show_tab(again.overview_tab)
    qtbot.waitUntil(lambda: again.overviews.cache.current(year) is not None)
    again.show_tab(again.cells_tab)
    again.close()

    last = MainWindow(demo_office)
    qtbot.addWidget(last)
    assert last.tabs.currentWidget() is last.cells_tab


def test_the_unit_box_lists_the_years_cells_then_the_ward(qtbot, demo_window):
    window = demo_window
    tab = window.scoring_tab
    window.show_tab(tab)
    qtbot.waitUntil(lambda: not tab.stale)
    overview = window.overviews.get(window.current_year())
    names = [state.cell.name for state in overview.cells]
    box = tab.unit
    assert [box.itemText(row) for row in range(box.count())][:-1] == names
    assert "tự chấm “Đảng bộ cơ sở 4 tốt”" in box.itemText(box.count() - 1)
    last = overview.cells[-1].cell
    tab.select_cell(last.id)
    assert box.currentText() == last.name and tab.cell_id() == last.id
    tab.select_cell(None)
    assert tab.cell_id() is None and box.currentIndex() == box.count() - 1
