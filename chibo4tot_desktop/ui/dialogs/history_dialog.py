"""A cell's records year by year, with those of the cells merged into it (read only)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.reports import cell_history
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.screen import ProgramDialog

HEADERS = ("Năm", "Chi bộ", "Đăng ký", "Số đảng viên", "Điểm", "Xếp loại", "Kết quả",
           "Số năm liên tục", "Khen thưởng")


def history_rows(office, cell_id: int) -> list[tuple[str, ...]]:
    """The table's rows (texts), as the dialog shows them."""
    rows = []
    for entry in cell_history(office, cell_id):
        state = entry.state
        totals = state.result.committee_totals
        rows.append((
            str(entry.year), entry.name + ("" if entry.own else " (trước sáp nhập)"),
            format_date(state.registration.received_on) if state.registration else "–",
            "" if state.members is None else str(state.members),
            rules.fmt_points(totals.total) if state.scored else "–",
            state.result.classification.value if state.scored and state.result.classification
            else "–",
            state.result.verdict.label if state.evaluated else "Chưa chấm",
            str(state.consecutive_years or ""),
            "; ".join((a.decision_number if a.is_decided else "đề nghị")
                      + f" ({AwardKind(a.kind).label})" for a in state.awards)))
    return rows


class HistoryDialog(ProgramDialog):
    def __init__(self, office, cell, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Hồ sơ các năm – {cell.name}")
        self.resize(1000, 420)
        layout = QVBoxLayout(self)
        life = []
        if cell.started_on:
            life.append(f"thành lập ngày {format_date(cell.started_on)}")
        if cell.dissolved_on:
            life.append(f"kết thúc hoạt động ngày {format_date(cell.dissolved_on)}")
        layout.addWidget(QLabel(f"{cell.name} ({cell.code})"
                                + (": " + ", ".join(life) if life else "")
                                + ". Các dòng “trước sáp nhập” là hồ sơ của chi bộ đã sáp "
                                  "nhập vào chi bộ này."))
        rows = history_rows(office, cell.id)
        self.table = QTableWidget(len(rows), len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        for row, values in enumerate(rows):
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.horizontalHeader().setSectionResizeMode(8, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnsToContents()
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Đóng")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
