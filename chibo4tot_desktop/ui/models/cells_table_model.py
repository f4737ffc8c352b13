"""The cells (chi bộ) as a table: code, name, kind, secretary, members, pilot, state."""

from __future__ import annotations

from PySide6.QtGui import QColor

from chibo4tot_desktop.db.models import CELL_KIND_LABELS, CellKind
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import RowsTableModel


class CellsTableModel(RowsTableModel):
    CODE, NAME, KIND, SECRETARY, MEMBERS, PILOT, STATE = range(7)
    HEADERS = ("Mã", "Tên chi bộ", "Loại", "Bí thư", "Số đảng viên", "Chi bộ điểm", "Tình trạng")
    NUMERIC = frozenset({MEMBERS})

    def __init__(self, parent=None):
        super().__init__(parent)
        self.successors: dict[int, list[str]] = {}   # cell id -> names it merged into

    def display(self, cell, column):
        if column == self.CODE:
            return cell.code
        if column == self.NAME:
            return cell.name
        if column == self.KIND:
            try:
                return CELL_KIND_LABELS[CellKind(cell.kind)]
            except ValueError:
                return cell.kind
        if column == self.SECRETARY:
            return cell.secretary
        if column == self.MEMBERS:
            return str(cell.members_count or 0)
        if column == self.PILOT:
            return "Có" if cell.is_pilot else ""
        if cell.dissolved_on is not None:
            into = self.successors.get(cell.id)
            if into:
                return f"Sáp nhập vào {', '.join(into)} từ {format_date(cell.dissolved_on)}"
            return f"Giải thể {format_date(cell.dissolved_on)}"
        if cell.started_on is not None:
            return f"Hoạt động từ {format_date(cell.started_on)}"
        return "Đang hoạt động"

    def sort_value(self, cell, column):
        if column == self.MEMBERS:
            return cell.members_count or 0
        if column == self.PILOT:
            return 0 if cell.is_pilot else 1
        if column == self.STATE:
            return cell.dissolved_on.toordinal() if cell.dissolved_on else 0
        return self.display(cell, column)

    def foreground(self, cell, column):
        if cell.dissolved_on is not None:
            return QColor("#808080")
        return None
