"""Real flows through the window on a temporary data file."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QItemSelectionModel
from PySide6.QtWidgets import QDialog

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import propose, record_decision
from chibo4tot_desktop.ops.scoring import evaluation_result
from chibo4tot_desktop.rules import VerdictState
from chibo4tot_desktop.ui.common import ID_ROLE
from chibo4tot_desktop.ui.dialogs.cell_dialog import CellDialog
from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
from chibo4tot_desktop.ui.main_window import MainWindow
from chibo4tot_desktop.ui.tabs import registrations_tab as registrations


def add_cell(window, code="TDP06", name="Chi bộ Tổ dân phố 6", members=30):
    dialog = CellDialog(window.office, parent=window)
    dialog.code.setText(code)
    dialog.name.setText(name)
    dialog.secretary.setText("Võ Thị Thu")
    dialog.members.setValue(members)
    dialog.pilot.setChecked(True)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    return dialog.result_value


def register(window, cell, text):
    year = window.current_year()
    dialog = RegistrationDialog(window.office, year,
                                [(c.id, c.name) for c in queries.cells(window.office)], cell.id,
                                parent=window)
    dialog.received.setText(text)
    dialog.commitments[0].setPlainText("Hoàn thành 100% chỉ tiêu được giao.")
    dialog.accept()
    return dialog


def select_row(view, row_id):
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(ID_ROLE) == row_id:
            view.selectionModel().select(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            return
    raise AssertionError(f"row {row_id} not shown")


def score_all(tab, share=0.8):
    for item_id, (own, committee) in tab.boxes.items():
        maximum = committee.maximum()
        own.set_points(maximum * share)
        committee.set_points(maximum * share)


def test_add_cell_shows_in_table_and_overview(window):
    window.show_tab(window.cells_tab)
    add_cell(window)
    rows = window.cells_tab.model.items()
    assert [c.name for c in rows] == ["Chi bộ Tổ dân phố 6"]
    assert window.cells_tab.model.index(0, 5).data() == "Có"
    window.show_tab(window.overview_tab)
    assert window.overview_tab.count_labels["missing"].text() == "1"


def test_cell_dialog_refuses_bad_input_at_the_field(window):
    dialog = CellDialog(window.office, parent=window)
    dialog.code.setText("X1")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.error_label.text() == "Chưa nhập tên chi bộ."
    assert queries.cells(window.office) == []
    add_cell(window, code="A", name="Chi bộ A")
    dup = CellDialog(window.office, parent=window)
    dup.code.setText("A")
    dup.name.setText("Chi bộ khác")
    dup.accept()
    assert "Mã chi bộ 'A' đã có." in dup.error_label.text()


def test_late_registration_is_flagged(window):
    cell = add_cell(window)
    window.show_tab(window.registrations_tab)
    tab = window.registrations_tab
    assert tab.model.index(0, registrations.STATE).data() == "Chưa đăng ký"
    dialog = register(window, cell, "15/3/2023")
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    # "trước ngày 10/3": 9/3 is the last day on time, so 15/3 is six days late
    assert tab.model.index(0, registrations.STATE).data() == "Muộn 6 ngày"
    assert tab.model.index(0, registrations.RECEIVED).data() == "15/03/2023"
    tab.filter.setCurrentIndex(1)   # "Đăng ký muộn"
    assert tab.model.rowCount() == 1
    tab.filter.setCurrentIndex(2)   # "Chưa đăng ký"
    assert tab.model.rowCount() == 0
    window.show_tab(window.overview_tab)
    assert window.overview_tab.count_labels["late"].text() == "1"


def test_registration_refuses_impossible_date(window):
    cell = add_cell(window)
    dialog = register(window, cell, "31/02/2023")
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "không tồn tại" in dialog.error_label.text()
    assert queries.registration(window.office, cell.id, 2023) is None


def test_scoring_verdict_changes_at_threshold_and_saves(window):
    cell = add_cell(window)
    register(window, cell, "08/03/2023")
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    assert tab.result.verdict.state is VerdictState.INCOMPLETE
    score_all(tab, 0.8)          # 24 + 16 + 20 + 20 = 80: exactly the threshold
    assert tab.result.committee_totals.total == 80
    assert tab.result.verdict.state is VerdictState.PASSED
    assert tab.verdict_label.text().startswith("“Chi bộ 4 tốt”: Đạt")
    first_id = next(iter(tab.boxes))
    own, committee = tab.boxes[first_id]
    committee.set_points(committee.points() - 0.5)
    assert tab.result.verdict.state is VerdictState.FAILED
    texts = [tab.reasons.item(i).text() for i in range(tab.reasons.count())]
    assert "✗ Tổng điểm 79,5/100, dưới ngưỡng 80" in texts
    assert tab.dirty
    window.save_action.trigger()   # Ctrl+S
    assert not tab.dirty
    saved = evaluation_result(window.office, cell.id, 2023)
    assert saved.committee_totals.total == 79.5
    assert saved.verdict.state is VerdictState.FAILED


def test_scoring_refuses_disciplined_above_members(window, boxes):
    cell = add_cell(window, members=3)
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    tab.disciplined.setValue(5)
    assert not tab.save()
    assert "lớn hơn số đảng viên" in boxes.shown[-1][1]
    assert queries.evaluation(window.office, cell.id, 2023) is None


def test_threshold_change_in_settings_recomputes_verdicts(window, boxes):
    cell = add_cell(window)
    register(window, cell, "08/03/2023")
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    score_all(tab, 0.8)
    committee = next(iter(tab.boxes.values()))[1]
    committee.set_points(committee.points() - 0.5)
    assert tab.save()
    window.show_tab(window.awards_tab)
    assert not window.awards_tab.results_model.items()[0].qualifies
    dialog = SettingsDialog(window.office, 2023, window)
    dialog.rules_editor.editor(2023, "overall_pass").setValue(79)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert window.awards_tab.results_model.items()[0].qualifies
    window.show_tab(window.scoring_tab)
    assert tab.result.verdict.state is VerdictState.PASSED


def test_settings_refuses_catalogue_not_adding_to_100(window):
    dialog = SettingsDialog(window.office, 2023, window)
    editor = dialog.cell_catalogue
    first = editor.tree.topLevelItem(0).child(0)
    first.setText(editor.MAX, "7")
    assert "phải bằng 100" in editor.total_label.text()
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "phải bằng 100" in dialog.error_label.text()
    phase = queries.phase_for_year(window.office, 2023)
    assert phase.groups[0].items[0].max_points == 6


def test_settings_dialog_saves_all_or_nothing(window):
    """A refused catalogue leaves the thresholds, the organisation and the calendar unsaved
    too: the dialog is one transaction."""
    from chibo4tot_desktop.safety.check import table_checksum

    before = table_checksum(window.office.db.path)
    audit = len(queries.audit_log(window.office))
    name = queries.organisation(window.office).name
    dialog = SettingsDialog(window.office, 2023, window)
    dialog.rules_editor.editor(2023, "overall_pass").setValue(75)
    dialog.identity_table.item(dialog.identity_rows.index("name"),
                               dialog.identity_table.columnCount() - 1).setText(name + " (mới)")
    dialog.cell_catalogue.tree.topLevelItem(0).child(0).setText(dialog.cell_catalogue.MAX, "7")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert queries.year_rules(window.office, 2023).overall_pass == 80
    assert queries.organisation(window.office).name == name
    assert len(queries.audit_log(window.office)) == audit
    assert table_checksum(window.office.db.path) == before


def test_settings_catalogue_reorder_and_edit(window):
    dialog = SettingsDialog(window.office, 2023, window)
    editor = dialog.cell_catalogue
    group = editor.tree.topLevelItem(0)
    second_text = group.child(1).text(0)
    editor.tree.setCurrentItem(group.child(1))
    editor.move(-1)
    group.child(1).setText(editor.MAX, "5")
    group.child(0).setText(editor.MAX, "7")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    phase = queries.phase_for_year(window.office, 2023)
    items = [g for g in phase.groups if g.scope == Scope.CELL.value][0].items
    assert items[0].text == second_text
    assert (items[0].max_points, items[1].max_points) == (7, 5)


def test_settings_refuses_bad_deadline(window):
    dialog = SettingsDialog(window.office, 2023, window)
    _, fields = dialog.date_fields[2023]
    fields[1].setText("10/13/2023")
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "hạn đăng ký năm 2023" in dialog.error_label.text().lower()


def test_propose_and_record_award(window):
    cell = add_cell(window)
    register(window, cell, "08/03/2023")
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(cell.id)
    score_all(window.scoring_tab, 0.9)
    assert window.scoring_tab.save()
    window.show_tab(window.awards_tab)
    tab = window.awards_tab
    select_row(tab.results_view, cell.id)
    tab.propose_selected()
    assert [a.kind for a in tab.awards_model.items()] == [AwardKind.CELL_RECOGNITION.value]
    award = tab.awards_model.items()[0]
    assert tab.awards_model.index(0, 7).data() == "Chờ quyết định"
    bad = DecisionDialog(window.office, award, "Ban Thường vụ Thành ủy Hà Tĩnh", window)
    bad.number.setText("1250-QĐ/Th.U")
    bad.date.setText("12/1/24x")
    bad.accept()
    assert bad.result() != QDialog.DialogCode.Accepted
    assert bad.error_label.isVisibleTo(bad)
    dialog = DecisionDialog(window.office, award, "Ban Thường vụ Thành ủy Hà Tĩnh", window)
    dialog.number.setText("1250-QĐ/Th.U")
    decided = dt.date.today() + dt.timedelta(days=1)   # the proposal is dated today
    dialog.date.setText(decided.strftime("%d/%m/%Y"))
    dialog.register.setText("01/2023")
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert tab.awards_model.index(0, 4).data() == decided.strftime("%d/%m/%Y")
    assert tab.awards_model.index(0, 7).data() == "Đã có quyết định"
    assert tab.results_model.items()[0].recognised


def test_delete_asks_first(window, boxes):
    cell = add_cell(window)
    window.show_tab(window.cells_tab)
    select_row(window.cells_tab.view, cell.id)
    boxes.answer = boxes.answer.No
    window.delete_action.trigger()
    assert [c.id for c in queries.cells(window.office)] == [cell.id]
    assert boxes.shown[-1][0] == "question"
    boxes.answer = boxes.answer.Yes
    window.delete_action.trigger()
    assert queries.cells(window.office) == []
    assert window.cells_tab.model.items() == []


def test_reopen_file_keeps_everything(qtbot, window, db_path, boxes):
    cell = add_cell(window)
    register(window, cell, "12/03/2023")
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(cell.id)
    score_all(window.scoring_tab, 0.9)
    assert window.scoring_tab.save()
    award = propose(window.office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value,
                                  dt.date(2023, 12, 15))
    record_decision(window.office, [award.id], decision_number="1250-QĐ/Th.U",
                                  decision_date=dt.date(2024, 1, 12), issuer="BTV Thành ủy")
    window.close()
    window.office.db.close()
    db = open_database(db_path)
    try:
        again = MainWindow(Office(db))
        qtbot.addWidget(again)
        again.set_year(2023)
        again.show_tab(again.registrations_tab)
        # "trước ngày 10/3": received on 12/3 is three days late
        assert again.registrations_tab.model.index(0, 3).data() == "Muộn 3 ngày"
        again.show_tab(again.awards_tab)
        state = again.awards_tab.results_model.items()[0]
        assert state.result.committee_totals.total == 90
        assert state.recognised
        assert again.awards_tab.awards_model.items()[0].decision_number == "1250-QĐ/Th.U"
        assert str(db_path.resolve()) in again.recent_files()
        again.close()
    finally:
        db.close()


def test_open_bad_file_keeps_current(window, tmp_path, boxes):
    bad = tmp_path / "not-ours.sqlite3"
    bad.write_text("hello")
    before = window.office
    assert not window.open_file(str(bad))
    assert window.office is before
    assert "không phải là tệp dữ liệu" in boxes.shown[-1][1]


def test_first_run_declares_organisation_and_phase(qtbot, tmp_path, boxes, monkeypatch):
    from chibo4tot_desktop.ui.dialogs.first_run_dialog import FirstRunDialog

    def fill(dialog):
        dialog.code.setText("TG")
        dialog.name.setText("Đảng bộ phường Tân Giang")
        dialog.first_year.setValue(2023)
        dialog.last_year.setValue(2025)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fill)
    db = open_database(tmp_path / "new.sqlite3")
    try:
        main = MainWindow(Office(db))
        qtbot.addWidget(main)
        assert [main.year_combo.itemText(i) for i in range(main.year_combo.count())] == \
            ["2023", "2024", "2025"]
        assert "Tân Giang" in main.windowTitle()
        main.close()
    finally:
        db.close()


def test_demo_walk_every_tab(demo_window):
    for index in range(demo_window.tabs.count()):
        demo_window.tabs.setCurrentIndex(index)
        assert not demo_window.tabs.currentWidget().stale
    counts = demo_window.overview_tab.overview.counts
    # 2024: TDP 11 missing; TDP 3, CA and TDP 9 (on 10/3, "trước ngày 10/3") late
    assert counts["missing"] == 1 and counts["late"] == 3
    demo_window.set_year(2023)
    assert demo_window.awards_tab.awards_model.items()   # 2023 has decided awards


def test_settings_add_item_and_group_keeping_100_points(window):
    dialog = SettingsDialog(window.office, 2023, window)
    editor = dialog.cell_catalogue
    group = editor.tree.topLevelItem(0)
    editor.tree.setCurrentItem(group.child(4))
    editor.add_item()
    group.child(5).setText(editor.TEXT, "Phát triển đảng viên trẻ")
    group.child(5).setText(editor.MAX, "2")
    new_group = editor.add_group()
    new_group.setText(editor.TEXT, "Nhóm bổ sung")
    new_group.child(0).setText(editor.MAX, "4")
    for i in range(3):
        group.child(i).setText(editor.MAX, "4")   # 6 -> 4 three times: -6 points
    assert editor.total_label.text() == "Tổng điểm: 100/100"
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    phase = queries.phase_for_year(window.office, 2023)
    groups = [g for g in phase.groups if g.scope == Scope.CELL.value]
    assert [g.title for g in groups][-1] == "Nhóm bổ sung"
    assert groups[0].items[5].text == "Phát triển đảng viên trẻ"
    assert sum(i.max_points for g in groups for i in g.items) == 100
