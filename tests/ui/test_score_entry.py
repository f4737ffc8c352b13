"""Score entry through the real sheet: typed with "," or "." under any locale, never altered,
refused values shown red and not saved, the wheel and the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.main_window import MainWindow
from chibo4tot_desktop.ui.widgets.score_edit import ScoreEdit
from tests.ui.test_flows import add_cell


@pytest.fixture
def sheet(qtbot, window):
    cell = add_cell(window)
    window.resize(1000, 600)
    show_active(qtbot, window)
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(cell.id)
    return window.scoring_tab, cell


def show_active(qtbot, window):
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def type_into(qtbot, box, text):
    box.setFocus(Qt.FocusReason.TabFocusReason)
    box.selectAll()
    qtbot.keyClicks(box, text)


def saved_points(office, cell_id):
    evaluation = queries.evaluation(office, cell_id, 2023)
    return {s.item_id: (s.self_points, s.committee_points) for s in evaluation.scores}


@pytest.mark.parametrize("locale", ["vi_VN", "en_US"])
def test_both_decimal_marks_under_any_locale(qtbot, office, boxes, locale):
    before = QLocale()
    QLocale.setDefault(QLocale(locale))
    try:
        window = MainWindow(office)
        qtbot.addWidget(window)
        window.set_year(2023)
        cell = add_cell(window)
        show_active(qtbot, window)
        window.show_tab(window.scoring_tab)
        tab = window.scoring_tab
        tab.select_cell(cell.id)
        (first, second), (third, _) = list(tab.boxes.values())[:2]
        type_into(qtbot, first, "5,5")
        type_into(qtbot, second, "5.5")
        type_into(qtbot, third, "0,25")
        third.clearFocus()
        assert (first.points(), second.points(), third.points()) == (5.5, 5.5, 0.25)
        assert (first.text(), second.text(), third.text()) == ("5,5", "5,5", "0,25")
        assert tab.save()
        saved = saved_points(office, cell.id)
        ids = list(tab.boxes)
        assert saved[ids[0]] == (5.5, 5.5)
        assert saved[ids[1]][0] == 0.25
    finally:
        QLocale.setDefault(before)


def test_above_maximum_is_marked_and_not_saved(qtbot, sheet, boxes):
    tab, cell = sheet
    item_id, (own, committee) = next(iter(tab.boxes.items()))
    over = own.maximum() + 1
    type_into(qtbot, committee, str(int(over)))
    committee.clearFocus()
    assert committee.text() == str(int(over))        # kept as typed, not clamped
    assert committee.points() is None
    assert "vượt điểm tối đa" in committee.error()
    assert "#b00020" in committee.styleSheet()
    assert tab.problem_label.isVisible()
    assert "vượt điểm tối đa" in tab.problem_label.text()
    assert not tab.save()
    assert "vượt điểm tối đa" in boxes.shown[-1][1]
    assert queries.evaluation(tab.office, cell.id, 2023) is None
    type_into(qtbot, committee, "3")
    assert committee.error() is None and committee.styleSheet() == ""
    assert not tab.problem_label.isVisible()
    assert tab.save()
    assert saved_points(tab.office, cell.id)[item_id] == (None, 3.0)


def test_too_many_decimals_is_marked_not_rounded(qtbot, sheet, boxes):
    tab, cell = sheet
    own = next(iter(tab.boxes.values()))[0]
    type_into(qtbot, own, "2,255")
    own.clearFocus()
    assert own.text() == "2,255"
    assert "chữ số thập phân" in own.error()
    assert not tab.save()
    assert queries.evaluation(tab.office, cell.id, 2023) is None


def wheel(widget, up=True):
    delta = 120 if up else -120
    event = QWheelEvent(QPointF(5, 5), QPointF(widget.mapToGlobal(QPoint(5, 5))), QPoint(),
                        QPoint(0, delta), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def test_wheel_scrolls_the_sheet_unless_the_box_has_focus(qtbot, sheet):
    tab, _cell = sheet
    boxes = [box for pair in tab.boxes.values() for box in pair]
    target = boxes[2]
    tab.table.setFocus()
    target.set_points(3)
    bar = tab.table.verticalScrollBar()
    assert bar.maximum() > 0
    start = bar.value()
    wheel(target, up=False)
    assert target.text() == "3" and target.points() == 3
    assert bar.value() > start                       # the sheet scrolled instead
    target.setFocus(Qt.FocusReason.MouseFocusReason)
    wheel(target, up=True)
    assert target.points() == 3.5 and target.text() == "3,5"


def test_whole_sheet_from_the_keyboard(qtbot, sheet):
    tab, cell = sheet
    window = tab.main
    pairs = list(tab.boxes.values())
    pairs[0][0].setFocus(Qt.FocusReason.TabFocusReason)
    expected = {}
    for index, (item_id, (own, committee)) in enumerate(tab.boxes.items()):
        for box, value in ((own, "1,5"), (committee, "1.5" if index % 2 else "1")):
            assert QApplication.focusWidget() is box
            qtbot.keyClicks(box, value)
            key = Qt.Key.Key_Return if index % 3 == 0 else Qt.Key.Key_Tab
            qtbot.keyClick(box, key)
        expected[item_id] = (1.5, 1.5 if index % 2 else 1.0)
    assert QApplication.focusWidget() is tab.disciplined
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not tab.dirty
    assert saved_points(tab.office, cell.id) == expected


def test_arrows_walk_the_column_across_groups(qtbot, sheet):
    tab, _cell = sheet
    committees = [pair[1] for pair in tab.boxes.values()]
    committees[0].setFocus(Qt.FocusReason.TabFocusReason)
    for box in committees[1:]:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
        assert QApplication.focusWidget() is box
    last = committees[-1]
    row = tab.table.indexAt(last.parentWidget().pos()).row()
    assert tab.table.rowViewportPosition(row) >= 0    # scrolled into view
    qtbot.keyClick(last, Qt.Key.Key_Up)
    assert QApplication.focusWidget() is committees[-2]
    assert isinstance(QApplication.focusWidget(), ScoreEdit)


def test_a_box_is_restyled_only_when_its_state_changes(qtbot):
    from types import SimpleNamespace

    from PySide6.QtWidgets import QLineEdit

    from chibo4tot_desktop.ui.widgets.score_edit import INVALID_STYLE

    box = ScoreEdit(SimpleNamespace(label="1.1", max_points=10), "Đảng ủy chấm")
    qtbot.addWidget(box)
    styles = []
    box.setStyleSheet = lambda style: styles.append(style) or QLineEdit.setStyleSheet(box, style)
    box.setText("5")
    box.setText("6,5")
    assert styles == []                      # valid, then valid: nothing to restyle
    box.setText("11")
    assert styles == [INVALID_STYLE] and box.error() and box.text() == "11"
    box.setText("12")
    box.setText("7")
    assert styles == [INVALID_STYLE, ""] and box.points() == 7
