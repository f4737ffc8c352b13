"""The to-do list opens the place where the work is done; Ctrl+P prints the paper of the tab
in front; the ward's own scoring sheet says who scores it."""

from __future__ import annotations

from PySide6.QtCore import Qt

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.common import selected_ids


def show_active(qtbot, window):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def click_todo(qtbot, window, starts):
    todo = window.overview_tab.todo
    item = next(todo.item(i) for i in range(todo.count()) if starts in todo.item(i).text())
    qtbot.mouseClick(todo.viewport(), Qt.MouseButton.LeftButton,
                     pos=todo.visualItemRect(item).center())


def test_todo_lines_open_the_work(qtbot, demo_window):
    window = demo_window
    show_active(qtbot, window)
    window.show_tab(window.overview_tab)
    office = window.office
    missing = queries.cell_by_code(office, "TDP11")
    unscored = queries.cell_by_code(office, "TDP02")
    click_todo(qtbot, window, "chưa đăng ký thi đua")
    assert window.tabs.currentWidget() is window.registrations_tab
    assert selected_ids(window.registrations_tab.view) == [missing.id]
    window.show_tab(window.overview_tab)
    click_todo(qtbot, window, "chưa chấm đủ điểm")
    assert window.tabs.currentWidget() is window.scoring_tab
    assert window.scoring_tab.cell_id() == unscored.id


def test_ctrl_p_prints_the_paper_of_the_tab_in_front(qtbot, demo_window, monkeypatch):
    from chibo4tot_desktop.ui import printing
    from chibo4tot_desktop.ui.dialogs import papers_dialog

    window = demo_window
    show_active(qtbot, window)
    printed, opened = [], []
    monkeypatch.setattr(printing, "preview", lambda parent, job: printed.append(job.title))
    monkeypatch.setattr(papers_dialog, "open_papers_dialog",
                        lambda parent, office, year: opened.append(year))
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(queries.cell_by_code(window.office, "TDP01").id)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert printed == ["Phiếu chấm điểm năm 2024"]
    window.show_tab(window.overview_tab)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert opened == [2024]


def test_the_wards_own_sheet_names_its_scorers(qtbot, demo_window):
    window = demo_window
    tab = window.scoring_tab
    window.show_tab(tab)

    def headers():
        return [tab.table.horizontalHeaderItem(c).text() for c in (tab.SELF, tab.COMMITTEE)]

    tab.select_cell(queries.cell_by_code(window.office, "TDP01").id)
    assert headers() == ["Chi bộ tự chấm", "Đảng ủy chấm"]
    tab.select_cell(None)
    upper = queries.identity_on(window.office, queries.year_document_date(window.office,
                                                                          2024)).upper_body
    assert upper
    assert headers() == ["Đảng bộ tự chấm", f"{upper} chấm"]
    assert "Chi bộ tự chấm" not in tab.totals_label.text()
    assert "Đảng ủy chấm" not in tab.totals_label.text()
    assert tab.totals_label.text().startswith("Đảng bộ tự chấm:")
    assert tab.form_box.title() == "Đánh giá của cấp trên"
