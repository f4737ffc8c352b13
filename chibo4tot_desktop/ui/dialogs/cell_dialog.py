"""Add or edit a cell (chi bộ): code, name, kind, secretary, members, pilot flag, and the day
it was founded (a cell founded after a year's review day is not part of that year)."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QSpinBox

from chibo4tot_desktop.db.models import CELL_KIND_LABELS
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.ui.common import DateField
from chibo4tot_desktop.ui.dialogs.base import FormDialog


class CellDialog(FormDialog):
    def __init__(self, office, cell=None, parent=None):
        super().__init__("Sửa chi bộ" if cell else "Thêm chi bộ", parent)
        self.office = office
        self.cell = cell
        self.code = QLineEdit(cell.code if cell else "")
        self.name = QLineEdit(cell.name if cell else "")
        self.name.setMinimumWidth(360)
        self.kind = QComboBox()
        for kind, label in CELL_KIND_LABELS.items():
            self.kind.addItem(label, kind.value)
        if cell:
            self.kind.setCurrentIndex(max(0, self.kind.findData(cell.kind)))
        self.secretary = QLineEdit(cell.secretary if cell else "")
        self.members = QSpinBox()
        self.members.setRange(0, 100000)
        self.members.setValue(cell.members_count or 0 if cell else 0)
        self.pilot = QCheckBox("Chi bộ điểm")
        self.pilot.setChecked(bool(cell and cell.is_pilot))
        self.started = DateField(cell.started_on if cell else None, "ngày thành lập",
                                 required=False)
        self.started.setToolTip("Để trống nếu chi bộ có từ trước. Chi bộ thành lập sau ngày "
                                "sơ kết của một năm thì không thuộc năm đó.")
        self.form.addRow("Mã chi bộ:", self.code)
        self.form.addRow("Tên chi bộ:", self.name)
        self.form.addRow("Loại chi bộ:", self.kind)
        self.form.addRow("Bí thư chi bộ:", self.secretary)
        self.form.addRow("Số đảng viên hiện nay:", self.members)
        self.form.addRow("Ngày thành lập:", self.started)
        self.form.addRow("", self.pilot)

    def values(self) -> dict:
        return {"code": self.code.text(), "name": self.name.text(),
                "kind": self.kind.currentData(), "secretary": self.secretary.text(),
                "members_count": self.members.value(), "is_pilot": self.pilot.isChecked(),
                "started_on": self.started.date()}

    def apply(self):
        if self.cell is None:
            return add_cell(self.office, confirm=self.confirm, **self.values())
        return update_cell(self.office, self.cell.id, expected_version=self.cell.version,
                           confirm=self.confirm, **self.values())
