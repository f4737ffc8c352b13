"""Record the upper committee's decision on a proposal: number, date, issuer, register number,
and what its certificates print of it: the place of its date line and who signed it."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from chibo4tot_desktop.ops.awards import decision_defaults, record_decision
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
        defaults = decision_defaults(office, self.issuer.text())
        decided = award.is_decided
        self.place = QLineEdit(award.decision_place if decided else defaults.place)
        self.place.setPlaceholderText("ví dụ: Hà Tĩnh")
        self.place.setToolTip("Địa danh trên dòng ngày tháng của quyết định (in trên giấy khen).")
        self.signer_title = QLineEdit(award.signer_title if decided else defaults.signer_title)
        self.signer_name = QLineEdit(award.signer_name if decided else defaults.signer_name)
        self._place_typed = decided
        self.place.textEdited.connect(self._place_edited)
        self.issuer.textEdited.connect(self._issuer_edited)
        self.form.addRow("Số quyết định:", self.number)
        self.form.addRow("Ngày quyết định:", self.date)
        self.form.addRow("Cơ quan ban hành:", self.issuer)
        self.form.addRow("Địa danh:", self.place)
        self.form.addRow("Chức vụ người ký:", self.signer_title)
        self.form.addRow("Họ tên người ký:", self.signer_name)
        self.form.addRow("Số sổ khen thưởng:", self.register)

    def _place_edited(self, _text: str) -> None:
        self._place_typed = True

    def _issuer_edited(self, text: str) -> None:
        """The place follows the issuer ("... Thành ủy Hà Tĩnh" -> "Hà Tĩnh") until typed."""
        if not self._place_typed:
            self.place.setText(decision_defaults(self.office, text).place)

    def apply(self):
        return record_decision(
            self.office, [self.award.id], decision_number=self.number.text(),
            decision_date=self.date.date(), issuer=self.issuer.text(),
            first_register_number=self.register.text(), place=self.place.text(),
            signer_title=self.signer_title.text(), signer_name=self.signer_name.text(),
            expected_versions={self.award.id: self.award.version})[0]
