"""A 1366×768 laptop: the window fits, no button is cut, the scoring sheet shows a whole
group, the awards panes keep the sizes the user gave them, dialogs fit the screen."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QPushButton

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.main_window import TABS, MainWindow
from chibo4tot_desktop.ui.screen import ProgramDialog

LAPTOP = (1366, 768 - 40)       # the task bar takes the rest


def laptop_window(qtbot, office):
    window = MainWindow(office)
    qtbot.addWidget(window)
    window.set_year(2024)
    window.resize(*LAPTOP)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_every_tab_fits_and_no_button_is_cut(qtbot, demo_office, boxes):
    window = laptop_window(qtbot, demo_office)
    assert window.minimumSizeHint().width() <= LAPTOP[0]
    assert window.width() == LAPTOP[0]
    for tab in [window.tab(kind.name) for kind in TABS]:      # every one built
        window.show_tab(tab)
        qtbot.wait(1)
        area = QRect(0, 0, tab.width(), tab.height())
        buttons = [b for b in tab.findChildren(QPushButton) if b.isVisibleTo(tab)]
        assert buttons
        for button in buttons:
            where = QRect(button.mapTo(tab, button.rect().topLeft()), button.size())
            assert area.contains(where), (type(tab).__name__, button.text(), where, area)
            assert button.width() >= button.sizeHint().width(), (type(tab).__name__, button.text())
    # The scoring tab's regulation is shown whole (a wrapped label there was cut in half).
    label = window.scoring_tab.regulation_label
    window.show_tab(window.scoring_tab)
    qtbot.waitUntil(lambda: label.text().startswith("Quy định"))
    assert label.height() >= label.sizeHint().height()
    assert label.width() >= label.sizeHint().width(), label.text()


def test_scoring_sheet_shows_a_whole_group(qtbot, demo_office, boxes):
    window = laptop_window(qtbot, demo_office)
    tab = window.scoring_tab
    window.show_tab(tab)
    tab.select_cell(queries.cells(demo_office)[0].id)
    qtbot.wait(1)
    table = tab.table
    first_group, second_group = sorted(tab.group_rows.values())[:2]
    last_row = second_group - 1                  # the first group's last item
    bottom = table.rowViewportPosition(last_row) + table.rowHeight(last_row)
    assert table.rowViewportPosition(first_group) >= 0
    assert bottom <= table.viewport().height(), (bottom, table.viewport().height())


def test_awards_panes_keep_their_sizes(qtbot, demo_office, boxes):
    window = laptop_window(qtbot, demo_office)
    window.show_tab(window.awards_tab)
    splitter = window.awards_tab.splitter
    before = splitter.sizes()
    splitter.moveSplitter(before[0] - 40, 1)    # as a drag of the first handle does
    moved = splitter.sizes()
    assert moved[0] < before[0]
    again = laptop_window(qtbot, demo_office)
    again.show_tab(again.awards_tab)
    assert again.awards_tab.splitter.sizes() == moved


def test_dialogs_fit_the_screen(qtbot, qapp):
    area = qapp.primaryScreen().availableGeometry()
    dialog = ProgramDialog()
    qtbot.addWidget(dialog)
    dialog.resize(area.width() + 300, area.height() + 400)
    dialog.move(area.x() - 50, area.y() - 40)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.width() <= area.width() and dialog.height() <= area.height()
    assert area.contains(dialog.frameGeometry())

