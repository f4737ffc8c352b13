"""Record the upper committee's decision on a proposal: number, date, issuer, register number,
and what its certificates print of it: the place of its date line and who signed it (by
default those of the organisation's identity in force on the decision's date)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from chibo4tot_desktop.errors import ValidationError
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
        decided = award.is_decided
        defaults = decision_defaults(office, self.issuer.text(), self._day())
        self.place = QLineEdit(award.decision_place if decided else defaults.place)
        self.place.setPlaceholderText("ví dụ: Hà Tĩnh")
        self.place.setToolTip("Địa danh trên dòng ngày tháng của quyết định (in trên giấy khen).")
        self.signer_title = QLineEdit(award.signer_title if decided else defaults.signer_title)
        self.signer_name = QLineEdit(award.signer_name if decided else defaults.signer_name)
        self._place_typed = decided
        self._signer_typed = decided
        self.place.textEdited.connect(self._place_edited)
        self.signer_title.textEdited.connect(self._signer_edited)
        self.signer_name.textEdited.connect(self._signer_edited)
        self.issuer.textEdited.connect(self._defaults_changed)
        self.date.textEdited.connect(lambda _text: self._defaults_changed(self.issuer.text()))
        self.form.addRow("Số quyết định:", self.number)
        self.form.addRow("Ngày quyết định:", self.date)
        self.form.addRow("Cơ quan ban hành:", self.issuer)
        self.form.addRow("Địa danh:", self.place)
        self.form.addRow("Chức vụ người ký:", self.signer_title)
        self.form.addRow("Họ tên người ký:", self.signer_name)
        self.form.addRow("Số sổ khen thưởng:", self.register)

    def _day(self):
        """The decision's date as typed (None while it is not a date yet)."""
        try:
            return self.date.date()
        except ValidationError:
            return None

    def _place_edited(self, _text: str) -> None:
        self._place_typed = True

    def _signer_edited(self, _text: str) -> None:
        self._signer_typed = True

    def _defaults_changed(self, issuer: str) -> None:
        """Until typed, the place follows the issuer ("... Thành ủy Hà Tĩnh" -> "Hà Tĩnh") and
        the signer the identity in force on the decision's date."""
        defaults = decision_defaults(self.office, issuer, self._day())
        if not self._place_typed:
            self.place.setText(defaults.place)
        if not self._signer_typed:
            self.signer_title.setText(defaults.signer_title)
            self.signer_name.setText(defaults.signer_name)

    def apply(self):
        return record_decision(
            self.office, [self.award.id], decision_number=self.number.text(),
            decision_date=self.date.date(), issuer=self.issuer.text(),
            first_register_number=self.register.text(), place=self.place.text(),
            signer_title=self.signer_title.text(), signer_name=self.signer_name.text(),
            expected_versions={self.award.id: self.award.version})[0]
