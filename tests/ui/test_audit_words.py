"""The audit log viewer speaks plainly: who, when, which cell or item by name, old → new."""

from __future__ import annotations

import re

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ui.dialogs.audit_dialog import AuditDialog
from tests.ui.test_flows import add_cell, register, score_all, select_row

TECHNICAL = re.compile(r"\w+_id\b|\bid=|\w+=\w|[{}\[\]]|\"\w+\":|cell_recognition|merit\b|"
                       r"\d{4}-\d{2}-\d{2}|\btrue\b|\bfalse\b|\bnull\b")


def shown_rows(dialog):
    model = dialog.model
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_audit_rows_name_cells_items_and_values(qtbot, window, boxes):
    cell = add_cell(window)
    register(window, cell, "01/03/2023")        # the year's rules recognise registered cells
    tab = window.scoring_tab
    window.show_tab(tab)
    tab.select_cell(cell.id)
    score_all(tab, 0.9)
    assert tab.save()
    own, committee = next(iter(tab.boxes.values()))
    committee.set_points(4.5)
    assert tab.save()
    window.show_tab(window.awards_tab)
    select_row(window.awards_tab.results_view, cell.id)
    window.awards_tab.proposal_date.setText("15/12/2023")
    window.awards_tab.propose_selected()
    assert queries.awards(window.office, 2023), boxes.shown

    dialog = AuditDialog(window.office.db)
    qtbot.addWidget(dialog)
    rows = shown_rows(dialog)
    for row in rows:
        assert not TECHNICAL.search(row[4]), row
        assert not TECHNICAL.search(row[5]), row
    maximum = committee.maximum()
    before = f"{maximum * 0.9:g}".replace(".", ",")
    assert ["Sửa", "Điểm chấm", "Chi bộ Tổ dân phố 6, năm 2023, mục 1.1",
            f"điểm Đảng ủy chấm: {before} → 4,5"] in [r[2:] for r in rows]
    award = next(r for r in rows if r[3] == "Đề nghị, khen thưởng")
    assert award[4] == "Chi bộ Tổ dân phố 6, năm 2023, Công nhận “Chi bộ 4 tốt”"
    assert "ngày đề nghị: 15/12/2023" in award[5]
    evaluation = next(r for r in rows if r[3] == "Phiếu chấm điểm" and r[2] == "Thêm")
    assert evaluation[4] == "Chi bộ Tổ dân phố 6, năm 2023"
    dialog.text_edit.setText("to dan pho 6, nam 2023, muc 1.1")   # found by the words shown
    qtbot.waitUntil(lambda: 0 < dialog.model.rowCount() < len(rows), timeout=3000)
    assert all("mục 1.1" in row[4] for row in shown_rows(dialog))


def test_every_audited_column_and_table_has_words():
    from chibo4tot_desktop.db.models import Base
    from chibo4tot_desktop.safety.audit_query import FIELD_LABELS, HIDDEN_FIELDS, TABLE_LABELS

    for table in Base.metadata.sorted_tables:
        if table.name in ("audit_log", "safety_meta"):     # never audited
            continue
        assert table.name in TABLE_LABELS, table.name
        for column in table.columns:
            if column.name in HIDDEN_FIELDS or column.name.endswith("_id"):
                continue
            assert column.name in FIELD_LABELS, f"{table.name}.{column.name}"
