"""Record the upper committee's decision on a proposal: number, date, issuer, register number."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from chibo4tot_desktop.ops.awards import record_decision
from chibo4tot_desktop.ui.common import DateField
from chibo4tot_desktop.ui.dialogs.base import FormDialog


class DecisionDialog(FormDialog):
    def __init__(self, office, award, default_issuer: str = "", parent=None):
        super().__init__("Ghi quyết định khen thưởng", parent)
        self.office = office
        self.award = award
        self.number = QLineEdit(award.decision_number)
        self.number.setPlaceholderText("ví dụ: 1250-QĐ/Th.U")
        self.date = DateField(award.decision_date, "ngày quyết định")
        self.issuer = QLineEdit(award.issuer or default_issuer)
        self.issuer.setMinimumWidth(320)
        self.register = QLineEdit(award.register_number)
        self.form.addRow("Số quyết định:", self.number)
        self.form.addRow("Ngày quyết định:", self.date)
        self.form.addRow("Cơ quan ban hành:", self.issuer)
        self.form.addRow("Số sổ khen thưởng:", self.register)

    def apply(self):
        return record_decision(
            self.office, [self.award.id], decision_number=self.number.text(),
            decision_date=self.date.date(), issuer=self.issuer.text(),
            first_register_number=self.register.text(),
            expected_versions={self.award.id: self.award.version})[0]
