"""The year's rules in the window: the regulation named, the ranking panel and its Giấy khen
(the same operation as the command), a decision against the rules refused without its reason,
the ward's disciplined members from its cells, the HTXSNV conditions, the rules editor."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import withdraw
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
from tests.builders import full_scores
from tests.ui.test_one_door import command, reached  # noqa: F401  (fixture)


def test_the_overview_names_the_regulation_of_each_year(demo_window):
    window = demo_window
    window.show_tab(window.overview_tab)
    assert "Quy định số 124-QĐ/TW" in window.overview_tab.regulation.text()
    window.set_year(2025)
    assert "Quy định số 366-QĐ/TW ngày 30/08/2025" in window.overview_tab.regulation.text()


def test_the_ranking_panel_and_the_giay_khen_of_the_leading_cells(demo_window, db_path,
                                                                   reached):
    window = demo_window
    office = window.office
    window.show_tab(window.awards_tab)
    tab = window.awards_tab
    model = tab.ranking_model

    def shown(row, column):
        return model.data(model.index(row, column))

    rows = [shown(row, 1) for row in range(model.rowCount())]
    assert rows == ["Chi bộ Tổ dân phố 12", "Chi bộ Tổ dân phố 6", "Chi bộ Cơ quan phường"]
    assert shown(2, 4) == "Vượt tỷ lệ"
    assert model.data(model.index(2, 4), Qt.ItemDataRole.ForegroundRole) is not None   # red
    assert model.data(model.index(1, 4), Qt.ItemDataRole.ForegroundRole) is None
    assert "bảng xếp hạng là tạm thời" in tab.ranking_label.text()
    assert not tab.leading_button.isEnabled()          # 2024 is not fully scored yet
    assert year_overview(office, 2024).warnings == []   # the cap waits for the year's end
    cell = queries.cell_by_code(office, "TDP02")
    save_evaluation(office, cell.id, 2024, scores=full_scores(office, 2024, 0.85))
    # TDP 2 scored HTTNV: 15 cells at HTTNV or better now allow three.
    assert "Đang xếp loại HTXSNV: 3, tối đa 3." in tab.ranking_label.text()
    assert shown(2, 4) == "Trong tỷ lệ"
    assert tab.leading_button.isEnabled()
    def merits():
        return {a.id: a for a in queries.awards(office, 2024) if a.kind == AwardKind.MERIT.value}

    before = merits()                   # the pilot cells' Giấy khen, decided by the demo
    assert all(award.is_decided for award in before.values())
    tab.leading_button.click()
    assert reached[-1] == "awards.propose_leading"
    after = merits()
    assert sorted(a.cell.code for a in after.values()) == ["CQ", "TDP06", "TDP12"]
    added = [award for award_id, award in after.items() if award_id not in before]
    assert added and not any(award.is_decided for award in added)
    for award in added:
        withdraw(office, award.id)
    command(db_path, "awards", "propose", "--year", "2024", "--kind", "merit", "--leading")
    assert reached[-1] == "awards.propose_leading"      # the command: the same operation


def test_a_decision_against_the_rules_needs_its_reason_in_the_window(demo_window, boxes):
    window = demo_window
    office = window.office
    cell = queries.cell_by_code(office, "MNTG")             # 1 member disciplined in 2024
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(cell.id)
    assert not tab.reason.isEnabled()
    tab.classification.setCurrentIndex(tab.classification.findData("HTXSNV"))
    assert tab.reason.isEnabled()
    texts = [tab.reasons.item(i).text() for i in range(tab.reasons.count())]
    assert any(text.startswith("✗ Đảng ủy quyết định xếp loại Hoàn thành xuất sắc nhiệm vụ")
               and text.endswith("chưa ghi lý do") for text in texts)
    assert not tab.save()
    assert "hãy ghi lý do của quyết định" in boxes.shown[-1][1]
    assert queries.evaluation(office, cell.id, 2024).classification is None
    tab.reason.setText("Thành tích đột xuất được Thành ủy biểu dương")
    assert tab.save()
    stored = queries.evaluation(office, cell.id, 2024)
    assert (stored.classification, stored.classification_reason) == (
        "HTXSNV", "Thành tích đột xuất được Thành ủy biểu dương")
    assert "(Đảng ủy quyết định)" in tab.totals_label.text()
    assert "Xếp loại theo Quy định 124-QĐ/TW: HTTNV" in tab.totals_label.text()
    window.show_tab(window.awards_tab)
    model = window.awards_tab.results_model
    assert model.index(model.row_of(cell.id), 2).data() == "HTXSNV (theo quy định HTTNV)"


def test_the_wards_sheet_shows_its_disciplined_members_from_the_cells(demo_window):
    window = demo_window                                # 2024: the kindergarten's member
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(None)
    assert tab.disciplined.isHidden()
    assert tab.disciplined_from_cells.text() == (
        "Đảng bộ: 1, cộng từ phiếu chấm các chi bộ (Chi bộ Trường Mầm non Tân Giang: 1)")
    texts = [tab.reasons.item(i).text() for i in range(tab.reasons.count())]
    assert "✗ Có 1 đảng viên bị kỷ luật trong năm (cộng từ phiếu chấm các chi bộ: Chi bộ " \
           "Trường Mầm non Tân Giang: 1)" in texts
    assert texts[0] == "✗ Còn 1 chi bộ chưa chấm đủ điểm (Chi bộ Tổ dân phố 2): chưa kết " \
                       "luận được"
    assert tab.verdict_label.text() == "“Đảng bộ cơ sở 4 tốt”: Chưa chấm đủ"


def test_the_366_conditions_are_ticked_on_the_sheet(demo_window):
    window = demo_window
    office = window.office
    window.set_year(2026)          # the open year (2025 is decided), also under 366-QĐ/TW
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    cell = queries.cell_by_code(office, "TDP06")
    tab.select_cell(cell.id)
    for item_id, (own, committee) in tab.boxes.items():
        own.set_points(committee.maximum())
        committee.set_points(committee.maximum())
    assert tab.regulation_label.text() == "Quy định 366-QĐ/TW"
    assert tab.regulation_label.toolTip().startswith("Quy định số 366-QĐ/TW ngày 30/08/2025")
    assert tab.result.computed_classification is rules.Classification.HTTNV
    assert set(tab.condition_checks) == {"nv", "lđ"}
    for box in tab.condition_checks.values():
        box.setChecked(True)
    assert tab.result.computed_classification is rules.Classification.HTXSNV
    assert tab.save()
    assert sorted(tab.confirmed()) == ["lđ", "nv"]


def test_the_rules_editor_saves_values_and_sources(demo_window, db_path, reached):
    window = demo_window
    office = window.office
    before = next(s for s in year_overview(office, 2024).cells if s.cell.code == "TDP09")
    assert before.days_late == 1                      # 10/3 under "trước ngày 10/3"
    dialog = SettingsDialog(office, 2024, window)
    editor = dialog.rules_editor
    assert editor.year_box.currentData() == 2024
    editor.editor(2024, "deadline_inclusive").setChecked(True)
    kind, note = editor.source_editors(2024, "deadline_inclusive")
    kind.setCurrentIndex(kind.findData("office"))
    note.setText("Đảng ủy nhận bản nộp trong ngày 10/3")
    editor.editor(2025, "cap_share").setValue(19.9)
    dialog.accept()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error_label.text()
    assert reached[-1] == "setup.save_setup"
    year_2024 = queries.year_rules(office, 2024)
    assert year_2024.deadline_inclusive
    assert year_2024.source_of("deadline_inclusive").describe() == \
        "Văn phòng tự chọn: Đảng ủy nhận bản nộp trong ngày 10/3"
    year_2025 = queries.year_rules(office, 2025)
    assert year_2025.cap_share == 0.199
    assert year_2025.source_of("cap_share").note == "văn phòng đã đổi từ 0,2"
    window.show_tab(window.overview_tab)
    state = next(s for s in window.overview_tab.overview.cells if s.cell.code == "TDP09")
    assert state.days_late == 0
    command(db_path, "settings", "set", "--year", "2024", "rules.deadline_inclusive=không")
    assert reached[-1] == "setup.save_setup"                # the command: the same operation
    assert not queries.year_rules(office, 2024).deadline_inclusive


def test_the_rules_editor_refuses_bad_rules_and_saves_nothing(demo_window):
    office = demo_window.office
    dialog = SettingsDialog(office, 2024, demo_window)
    dialog.rules_editor.editor(2024, "band_good").setValue(95)
    dialog.rules_editor.editor(2024, "overall_pass").setValue(70)
    dialog.accept()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "giảm dần" in dialog.error_label.text()
    assert queries.year_rules(office, 2024).overall_pass == 80



def test_a_conditions_text_wraps_and_a_click_on_it_ticks_its_box(demo_window, qtbot):
    window = demo_window
    window.set_year(2026)
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    tab.select_cell(queries.cell_by_code(window.office, "TDP06").id)
    box = tab.condition_checks["nv"]
    text = next(label for label in tab.conditions_box.findChildren(QLabel)
                if getattr(label, "box", None) is box)
    assert text.text().startswith("Hoàn thành 100% nhiệm vụ")
    assert text.wordWrap() and not box.isChecked()
    qtbot.mouseClick(text, Qt.MouseButton.LeftButton)
    assert box.isChecked() and tab.dirty
