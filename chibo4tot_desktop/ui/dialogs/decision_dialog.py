"""Record the upper committee's decision on one or several proposals: one number, date and
issuer; register numbers follow one another from the first, in the order shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QListWidget

from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.ops.awards import record_decision
from chibo4tot_desktop.ui.common import DateField
from chibo4tot_desktop.ui.dialogs.base import FormDialog


def _unit_name(award) -> str:
    return award.cell.name if award.cell is not None else "Đảng bộ"


class DecisionDialog(FormDialog):
    def __init__(self, office, awards, default_issuer: str = "", parent=None):
        awards = list(awards) if isinstance(awards, (list, tuple)) else [awards]
        many = len(awards) > 1
        super().__init__("Ghi một quyết định cho nhiều đề nghị" if many
                         else "Ghi quyết định khen thưởng", parent)
        self.office = office
        self.awards = awards
        first = awards[0]
        self.number = QLineEdit(first.decision_number)
        self.number.setPlaceholderText("ví dụ: 1250-QĐ/Th.U")
        self.date = DateField(first.decision_date, "ngày quyết định")
        self.issuer = QLineEdit(first.issuer or default_issuer)
        self.issuer.setMinimumWidth(320)
        self.register = QLineEdit(first.register_number)
        if many:
            units = QListWidget()
            units.addItems([f"{_unit_name(a)} – {AwardKind(a.kind).label}" for a in awards])
            units.setMaximumHeight(160)
            self.units = units
            self.form.addRow(f"Đề nghị ({len(awards)}):", units)
            self.register.setPlaceholderText("số sổ của đề nghị đầu; các đề nghị sau đánh "
                                             "tiếp")
        self.form.addRow("Số quyết định:", self.number)
        self.form.addRow("Ngày quyết định:", self.date)
        self.form.addRow("Cơ quan ban hành:", self.issuer)
        self.form.addRow("Số sổ khen thưởng:" if not many else "Số sổ đầu tiên:",
                         self.register)

    def apply(self):
        return record_decision(
            self.office, [a.id for a in self.awards], decision_number=self.number.text(),
            decision_date=self.date.date(), issuer=self.issuer.text(),
            first_register_number=self.register.text(),
            expected_versions={a.id: a.version for a in self.awards})
