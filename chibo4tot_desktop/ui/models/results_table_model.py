"""The year's results per cell (awards tab): points, classification, verdict, proposal."""

from __future__ import annotations

from PySide6.QtGui import QColor

from chibo4tot_desktop import rules
from chibo4tot_desktop.ui.common import RowsTableModel


class ResultsTableModel(RowsTableModel):
    """Rows are ``reports.CellYearState`` objects."""

    NAME, POINTS, CLASSIFICATION, VERDICT, STREAK, PROPOSAL, REASONS = range(7)
    HEADERS = ("Chi bộ", "Điểm", "Xếp loại", "Kết quả", "Năm liên tục", "Đề nghị",
               "Lý do")
    NUMERIC = frozenset({POINTS, STREAK})

    def row_id(self, state):
        return state.cell.id

    def display(self, state, column):
        result = state.result
        if column == self.NAME:
            return state.cell.name
        if column == self.POINTS:
            return rules.fmt_points(result.committee_totals.total) if state.scored else "–"
        if column == self.CLASSIFICATION:
            c = result.classification
            if not (state.scored and c):
                return "–"
            if result.verdict.overridden:
                return f"{c.value} (theo quy định {result.computed_classification.value})"
            return c.value
        if column == self.VERDICT:
            return result.verdict.label if state.evaluated else "Chưa chấm"
        if column == self.STREAK:
            return str(state.consecutive_years) if state.consecutive_years else ""
        if column == self.PROPOSAL:
            if state.recognised:
                return "Đã công nhận"
            return "Đã đề nghị" if state.proposed else ""
        if not state.evaluated:
            return "Chưa có phiếu chấm"
        return state.result.verdict.summary()

    def sort_value(self, state, column):
        if column == self.POINTS:
            return state.result.committee_totals.total if state.scored else None
        if column == self.STREAK:
            return state.consecutive_years
        return self.display(state, column)

    def foreground(self, state, column):
        if column == self.VERDICT and state.evaluated:
            return QColor("#1b7a1b") if state.qualifies else QColor("#b00020")
        return None

    def tooltip(self, state, column):
        if column == self.REASONS and state.evaluated:
            return "\n".join(f"{r.mark} {r.text}" for r in state.result.verdict.reasons)
        return None
