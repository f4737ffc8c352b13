"""The window's side of dated history: merging cells, a cell's years, a founding date, the
identity versions and catalogue year in the settings, the reason asked before a decided year
moves, and a predecessor ward's records. Each window action and its command reach the same
operation."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog
from sqlalchemy import select

from chibo4tot_desktop.db.models import AuditEntry
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.dialogs.cell_dialog import CellDialog
from chibo4tot_desktop.ui.dialogs.history_dialog import HistoryDialog
from chibo4tot_desktop.ui.dialogs.merge_dialog import MergeDialog
from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
from tests.ui.test_one_door import command, reached  # noqa: F401  (the spy fixture)


def _check(widget, ids) -> None:
    for row in range(widget.count()):
        item = widget.item(row)
        if item.data(Qt.ItemDataRole.UserRole) in ids:
            item.setCheckState(Qt.CheckState.Checked)


def test_merging_cells_in_the_window_and_by_command(demo_window, db_path, reached):
    office = demo_window.office
    window = demo_window
    window.show_tab(window.cells_tab)
    first, second = (queries.cell_by_code(office, code) for code in ("TDP01", "TDP02"))
    dialog = MergeDialog(office, queries.cells(office), {first.id, second.id}, parent=window)
    dialog.date.setText("15/12/2026")
    dialog.new_box.setChecked(True)
    dialog.new_code.setText("TDPBN")
    dialog.new_name.setText("Chi bộ Tổ dân phố Bắc Nam")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error_label.text()
    new = queries.cell_by_code(office, "TDPBN")
    assert new.started_on == dt.date(2026, 12, 15)
    assert set(queries.cell_timeline(office).ancestors(new.id)) == {first.id, second.id}
    command(db_path, "cells", "merge", "TDP05", "--into", "TDP07", "--date", "20/12/2026")
    assert reached[-2:] == ["cells.merge_cells", "cells.merge_cells"]
    window.cells_tab.refresh()
    model = window.cells_tab.model
    states = {model.shown(row).item.code: model.shown(row).values[-1]
              for row in range(model.rowCount())}
    assert states["TDP01"] == "Sáp nhập vào Chi bộ Tổ dân phố Bắc Nam từ 15/12/2026"
    assert states["TDP05"].startswith("Sáp nhập vào Chi bộ Tổ dân phố 7")


def test_a_merge_the_core_refuses_keeps_the_dialog_open(demo_window):
    office = demo_window.office
    first = queries.cell_by_code(office, "TDP01")
    dialog = MergeDialog(office, queries.cells(office), {first.id}, parent=demo_window)
    dialog.date.setText("01/06/2026")          # before the 2026 review: its records stay
    _check(dialog.into, {queries.cell_by_code(office, "TDP02").id})
    dialog.accept()
    assert "đã có hồ sơ thi đua năm 2026" in dialog.error_label.text()
    assert queries.cell(office, first.id).dissolved_on is None


def test_a_cells_years_include_its_predecessors(demo_window):
    office = demo_window.office
    successor = queries.cell_by_code(office, "TDPTT")
    dialog = HistoryDialog(office, successor, parent=demo_window)
    names = [dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())]
    assert names[:4] == ["Chi bộ Tổ dân phố 3 (trước sáp nhập)",
                         "Chi bộ Tổ dân phố 4 (trước sáp nhập)"] * 2
    assert dialog.table.item(4, 1).text() == "Chi bộ Tổ dân phố Tân Tiến"
    assert dialog.table.item(4, 7).text() == "3"


def test_a_new_cell_without_founding_date_asks_before_joining_decided_years(demo_window,
                                                                           monkeypatch):
    office = demo_window.office
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        lambda *args, **kwargs: ("", False))
    dialog = CellDialog(office, parent=demo_window)
    dialog.code.setText("TDP16")
    dialog.name.setText("Chi bộ Tổ dân phố 16")
    dialog.accept()
    assert "ngày thành lập" in dialog.error_label.text()
    assert "TDP16" not in {cell.code for cell in queries.cells(office)}
    dialog.started.setText("30/11/2026")
    dialog.accept()
    cell = queries.cell_by_code(office, "TDP16")
    assert cell.started_on == dt.date(2026, 11, 30)
    assert cell.id not in {c.id for c in queries.cells_in_year(office, 2025)}


def test_a_decided_year_moves_only_with_a_written_reason(demo_window, monkeypatch):
    office = demo_window.office
    window = demo_window
    window.set_year(2023)
    window.show_tab(window.scoring_tab)
    cell = queries.cell_by_code(office, "TDP06")
    window.scoring_tab.select_cell(cell.id)
    own, committee = next(iter(window.scoring_tab.boxes.values()))
    committee.set_points(0)
    before = queries.evaluation(office, cell.id, 2023).version
    answers = iter([("", False), ("Sửa theo biên bản phúc tra", True)])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *a, **k: next(answers))
    assert window.scoring_tab.save() is False
    assert queries.evaluation(office, cell.id, 2023).version == before
    assert window.scoring_tab.save() is True
    assert queries.evaluation(office, cell.id, 2023).version == before + 1
    with office.db.session() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "confirm"))
    assert "Sửa theo biên bản phúc tra" in entry.summary
    window.awards_tab.refresh()
    model = window.awards_tab.awards_model
    row = next(row for row in range(model.rowCount())
               if model.shown(row).item.cell_id == cell.id
               and model.shown(row).item.kind == "cell_recognition")
    kept = [column.key for column in model.columns].index("kept")
    assert "tính lại hôm nay" in model.index(row, kept).data()


def test_settings_add_an_identity_version_and_keep_older_papers(demo_window, db_path,
                                                               reached):
    office = demo_window.office
    dialog = SettingsDialog(office, 2026, demo_window)
    assert dialog.identity_table.columnCount() == 2
    assert dialog.add_identity_version("01/09/2026")
    column = dialog.identity_table.columnCount() - 1
    dialog.identity_table.item(1, column).setText("Đảng bộ phường Thành Sen (mới)")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error_label.text()
    versions = queries.identities(office)
    assert [v.valid_from for v in versions][-1] == dt.date(2026, 9, 1)
    assert queries.identity_on(office, dt.date(2024, 1, 1)).name == "Đảng bộ phường Tân Giang"
    assert queries.identity_on(office, dt.date(2026, 9, 2)).name == \
        "Đảng bộ phường Thành Sen (mới)"
    command(db_path, "settings", "set", "--from", "01/10/2026",
            "organisation.proposal_signer_name=Nguyễn Văn A")
    assert reached[-2:] == ["setup.save_setup", "setup.save_setup"]


def test_settings_refuse_a_bad_identity_date(demo_window):
    dialog = SettingsDialog(demo_window.office, 2026, demo_window)
    dialog.identity_table.item(0, 1).setText("31/02/2025")
    dialog.accept()
    assert "Ngày áp dụng" in dialog.error_label.text()
    assert dialog.add_identity_version("không phải ngày") is False


def test_settings_apply_a_catalogue_edit_from_the_chosen_year(window):
    office = window.office
    dialog = SettingsDialog(office, 2023, window)
    editor = dialog.cell_catalogue
    assert [editor.from_year.itemData(i) for i in range(editor.from_year.count())] == [
        2023, 2024, 2025]
    editor.from_year.setCurrentIndex(editor.from_year.findData(2024))
    group = editor.tree.topLevelItem(0)
    group.child(0).setText(editor.MAX, "10")
    group.child(1).setText(editor.MAX, "2")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted, dialog.error_label.text()
    phase = queries.phase_for_year(office, 2023)
    assert [i.max_points for i in phase.catalogue(2023, "cell")[0].items][:2] == [6, 6]
    assert [i.max_points for i in phase.catalogue(2024, "cell")[0].items][:2] == [10, 2]


def test_the_window_shows_a_predecessor_wards_records(demo_window):
    window = demo_window
    combo = window.organisation_combo
    assert combo.count() == 2 and window.organisation_combo_action.isVisible() is not None
    combo.setCurrentIndex(1)
    assert "Bắc Hà" in window.windowTitle()
    window.show_tab(window.cells_tab)
    window.cells_tab.refresh()
    assert {cell.code for cell in window.cells_tab.model.items()} == {"BH01", "BH02", "BH03"}
    combo.setCurrentIndex(0)
    assert "Thành Sen" in window.windowTitle()
