"""The year's registrations, one row per active cell: received on time, late, or missing."""

from __future__ import annotations

from PySide6.QtGui import QColor

from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import RowsTableModel


class RegistrationsTableModel(RowsTableModel):
    """Rows are ``reports.CellYearState`` objects of the year overview."""

    CODE, NAME, RECEIVED, STATE, TITLE, MEMBERS, SIGNER = range(7)
    HEADERS = ("Mã", "Chi bộ", "Ngày nhận", "Tình trạng", "Danh hiệu đăng ký", "Số đảng viên",
               "Người ký")
    NUMERIC = frozenset({MEMBERS})

    def row_id(self, state):
        return state.cell.id

    @staticmethod
    def state_text(state) -> str:
        if state.registration is None:
            return "Chưa đăng ký"
        if state.late:
            return f"Muộn {state.days_late} ngày"
        return "Đúng hạn"

    def display(self, state, column):
        registration = state.registration
        if column == self.CODE:
            return state.cell.code
        if column == self.NAME:
            return state.cell.name
        if column == self.STATE:
            return self.state_text(state)
        if registration is None:
            return ""
        if column == self.RECEIVED:
            return format_date(registration.received_on)
        if column == self.TITLE:
            return registration.title
        if column == self.MEMBERS:
            return "" if registration.members_count is None else str(registration.members_count)
        return registration.signer

    def sort_value(self, state, column):
        registration = state.registration
        if column == self.RECEIVED:
            return registration.received_on.toordinal() if registration else None
        if column == self.STATE:
            return -1 if registration is None else state.days_late
        if column == self.MEMBERS:
            return registration.members_count if registration else None
        return self.display(state, column)

    def foreground(self, state, column):
        if state.registration is None:
            return QColor("#b00020")
        if state.late and column in (self.RECEIVED, self.STATE):
            return QColor("#c05000")
        return None
