"""Real dates and many at once through the window: the registration's receiving date, the
proposal date, one decision for several proposals."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from tests.ui.test_flows import add_cell, register, score_all, select_row


def scored_cells(window, count):
    """Cells registered in time and scored 90%: the year's rules recognise registered cells
    that assessed themselves."""
    cells = [add_cell(window, code=f"TDP{n:02d}", name=f"Chi bộ Tổ dân phố {n}")
             for n in range(1, count + 1)]
    for cell in cells:
        dialog = register(window, cell, "01/03/2023")
        assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    window.show_tab(window.scoring_tab)
    for cell in cells:
        window.scoring_tab.select_cell(cell.id)
        score_all(window.scoring_tab, 0.9)
        assert window.scoring_tab.save()
    window.show_tab(window.awards_tab)
    return cells


def test_registration_date_starts_inside_its_year_and_asks_outside(qtbot, window, boxes):
    cell = add_cell(window)
    choices = [(c.id, c.name) for c in queries.cells(window.office)]
    dialog = RegistrationDialog(window.office, 2023, choices, cell.id, window)
    if dt.date.today().year != 2023:
        assert dialog.received.text() == ""
    dialog.commitments[0].setPlainText("Hoàn thành 100% chỉ tiêu.")
    qtbot.keyClicks(dialog.received, "05/01/2024")
    boxes.answer = boxes.answer.No
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert boxes.shown[-1] == ("question", "Ngày nhận 05/01/2024 không thuộc năm 2023. "
                                           "Vẫn lưu ngày này?")
    assert queries.registration(window.office, cell.id, 2023) is None
    boxes.answer = boxes.answer.Yes
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert queries.registration(window.office, cell.id, 2023).received_on == \
        dt.date(2024, 1, 5)


def test_registration_inside_its_year_asks_nothing(qtbot, window, boxes):
    cell = add_cell(window)
    choices = [(c.id, c.name) for c in queries.cells(window.office)]
    dialog = RegistrationDialog(window.office, 2023, choices, cell.id, window)
    dialog.received.setText("08/03/2023")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert not [kind for kind, _text in boxes.shown if kind == "question"]


def test_proposal_date_defaults_to_review_day_and_is_typed(qtbot, window, boxes):
    cell, = scored_cells(window, 1)
    tab = window.awards_tab
    review = queries.year_document_date(window.office, 2023)
    assert tab.proposal_date.text() == review.strftime("%d/%m/%Y")
    tab.proposal_date.clear()
    qtbot.keyClicks(tab.proposal_date, "15/12/2023")
    select_row(tab.results_view, cell.id)
    tab.propose_selected()
    assert len(queries.awards(window.office, 2023)) == 1, boxes.shown
    award, = queries.awards(window.office, 2023)
    assert award.proposed_on == dt.date(2023, 12, 15)
    early = DecisionDialog(window.office, award, "Ban Thường vụ Thành ủy", window)
    early.number.setText("1250-QĐ/Th.U")
    early.date.setText("14/12/2023")
    early.accept()
    assert early.result() != QDialog.DialogCode.Accepted
    assert "trước ngày đề nghị" in early.error_label.text()
    dialog = DecisionDialog(window.office, award, "Ban Thường vụ Thành ủy", window)
    dialog.number.setText("1250-QĐ/Th.U")
    dialog.date.setText("20/12/2023")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert queries.awards(window.office, 2023)[0].decision_date == dt.date(2023, 12, 20)


def test_bad_proposal_date_proposes_nothing(qtbot, window, boxes):
    cell, = scored_cells(window, 1)
    tab = window.awards_tab
    tab.proposal_date.setText("31/02/2023")
    select_row(tab.results_view, cell.id)
    tab.propose_merit()
    assert "ngày đề nghị" in boxes.shown[-1][1].lower()
    assert queries.awards(window.office, 2023) == []


def test_many_proposals_and_one_decision_for_them(qtbot, window, boxes):
    scored_cells(window, 3)
    tab = window.awards_tab
    tab.results_view.selectAll()
    tab.propose_merit()
    assert sorted(a.kind for a in queries.awards(window.office, 2023)) == \
        [AwardKind.MERIT.value] * 3
    tab.awards_view.selectAll()
    seen = []

    def fill():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.units.count())
        dialog.number.setText("1250-QĐ/Th.U")
        dialog.date.setText("20/12/2023")
        dialog.register.setText("07/2023")
        dialog.accept()
        seen.append(dialog.result())

    QTimer.singleShot(0, fill)
    tab.record()
    assert seen == [3, QDialog.DialogCode.Accepted]
    shown = [tab.awards_model.index(row, 0).data() for row in range(3)]
    awards = {a.cell.name: a for a in queries.awards(window.office, 2023)}
    assert [awards[name].register_number for name in shown] == \
        ["07/2023", "08/2023", "09/2023"]
    assert {a.decision_number for a in awards.values()} == {"1250-QĐ/Th.U"}
    assert {a.decision_date for a in awards.values()} == {dt.date(2023, 12, 20)}
