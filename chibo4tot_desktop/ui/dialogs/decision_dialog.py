"""Record the upper committee's decision on one or several proposals: one number, date and
issuer (register numbers follow one another from the first, in the order shown), and what
their certificates print of it: the place of its date line and who signed it (by default
those of the organisation's identity in force on the decision's date)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QListWidget

from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops.awards import decision_defaults, record_decision
from chibo4tot_desktop.ui.common import DateField
from chibo4tot_desktop.ui.dialogs.base import FormDialog


def _unit_name(award) -> str:
    return award.cell.name if award.cell is not None else "Đảng bộ"


class DecisionDialog(FormDialog):
    def __init__(self, office, awards, default_issuer: str = "", parent=None):
        # one award, or several (a plain row is a tuple itself: see db.plain)
        awards = [awards] if hasattr(awards, "decision_number") else list(awards)
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
        decided = first.is_decided
        defaults = decision_defaults(office, self.issuer.text(), self._day())
        self.place = QLineEdit(first.decision_place if decided else defaults.place)
        self.place.setPlaceholderText("ví dụ: Hà Tĩnh")
        self.place.setToolTip("Địa danh trên dòng ngày tháng của quyết định (in trên giấy khen).")
        self.signer_title = QLineEdit(first.signer_title if decided else defaults.signer_title)
        self.signer_name = QLineEdit(first.signer_name if decided else defaults.signer_name)
        self._place_typed = decided
        self._signer_typed = decided
        self.place.textEdited.connect(self._place_edited)
        self.signer_title.textEdited.connect(self._signer_edited)
        self.signer_name.textEdited.connect(self._signer_edited)
        self.issuer.textEdited.connect(self._defaults_changed)
        self.date.textEdited.connect(lambda _text: self._defaults_changed(self.issuer.text()))
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
        self.form.addRow("Địa danh:", self.place)
        self.form.addRow("Chức vụ người ký:", self.signer_title)
        self.form.addRow("Họ tên người ký:", self.signer_name)
        self.form.addRow("Số sổ khen thưởng:" if not many else "Số sổ đầu tiên:",
                         self.register)

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
            self.office, [a.id for a in self.awards], decision_number=self.number.text(),
            decision_date=self.date.date(), issuer=self.issuer.text(),
            first_register_number=self.register.text(), place=self.place.text(),
            signer_title=self.signer_title.text(), signer_name=self.signer_name.text(),
            expected_versions={a.id: a.version for a in self.awards})
