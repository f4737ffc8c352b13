"""The year's proposals and awards: unit, kind, proposal date, decision, register number, and
what the decision was made on (kept with it; today's computation beside it when it differs)."""

from __future__ import annotations

from PySide6.QtGui import QColor

from chibo4tot_desktop.db.models import AWARD_KIND_LABELS, AwardKind
from chibo4tot_desktop.reports import DecisionFacts
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import RowsTableModel


class AwardsTableModel(RowsTableModel):
    UNIT, KIND, PROPOSED, NUMBER, DATE, ISSUER, REGISTER, STATE, KEPT = range(9)
    HEADERS = ("Đơn vị", "Hình thức", "Ngày đề nghị", "Số quyết định", "Ngày quyết định",
               "Cơ quan ban hành", "Số sổ", "Tình trạng", "Kết quả khi quyết định")

    def __init__(self, organisation_name: str = "", parent=None):
        super().__init__(parent)
        self.organisation_name = organisation_name
        self.overview = None      # the year's overview (today's computation)

    def changed(self, award) -> tuple[DecisionFacts, DecisionFacts | None] | None:
        """(kept, today's) when the decided facts differ from today's computation."""
        kept = DecisionFacts.kept(award) if award.is_decided else None
        if kept is None or self.overview is None:
            return None
        now = self.overview.facts(award)
        return None if now == kept else (kept, now)

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
        if column == self.KEPT:
            kept = DecisionFacts.kept(award) if award.is_decided else None
            if kept is None:
                return ""
            change = self.changed(award)
            if change is None:
                return kept.describe()
            now = change[1]
            return (f"{kept.describe()} (tính lại hôm nay: "
                    f"{now.describe() if now else 'không còn thuộc năm'})")
        if not award.is_decided:
            return "Chờ quyết định"
        return "Đã có quyết định" + (" – kết quả tính lại khác" if self.changed(award) else "")

    def sort_value(self, award, column):
        if column == self.PROPOSED:
            return award.proposed_on.toordinal() if award.proposed_on else None
        if column == self.DATE:
            return award.decision_date.toordinal() if award.decision_date else None
        return self.display(award, column)

    def foreground(self, award, column):
        if column == self.STATE and not award.is_decided:
            return QColor("#c05000")
        if column in (self.STATE, self.KEPT) and self.changed(award):
            return QColor("#b00020")
        return None
