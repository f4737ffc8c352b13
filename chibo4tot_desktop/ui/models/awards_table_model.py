"""The year's proposals and awards: unit, kind, proposal date, decision, register number."""

from __future__ import annotations

from PySide6.QtGui import QColor

from chibo4tot_desktop.db.models import AWARD_KIND_LABELS, AwardKind
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import RowsTableModel


class AwardsTableModel(RowsTableModel):
    UNIT, KIND, PROPOSED, NUMBER, DATE, ISSUER, REGISTER, STATE = range(8)
    HEADERS = ("Đơn vị", "Hình thức", "Ngày đề nghị", "Số quyết định", "Ngày quyết định",
               "Cơ quan ban hành", "Số sổ", "Tình trạng")

    def __init__(self, organisation_name: str = "", parent=None):
        super().__init__(parent)
        self.organisation_name = organisation_name

    def display(self, award, column):
        if column == self.UNIT:
            return award.cell.name if award.cell is not None else self.organisation_name
        if column == self.KIND:
            try:
                return AWARD_KIND_LABELS[AwardKind(award.kind)]
            except ValueError:
                return award.kind
        if column == self.PROPOSED:
            return format_date(award.proposed_on)
        if column == self.NUMBER:
            return award.decision_number
        if column == self.DATE:
            return format_date(award.decision_date)
        if column == self.ISSUER:
            return award.issuer
        if column == self.REGISTER:
            return award.register_number
        return "Đã có quyết định" if award.is_decided else "Chờ quyết định"

    def sort_value(self, award, column):
        if column == self.PROPOSED:
            return award.proposed_on.toordinal() if award.proposed_on else None
        if column == self.DATE:
            return award.decision_date.toordinal() if award.decision_date else None
        return self.display(award, column)

    def foreground(self, award, column):
        if column == self.STATE and not award.is_decided:
            return QColor("#c05000")
        return None
