"""Merge cells (sáp nhập): the cells that end, the day, and where they go: existing cells
(two of them for a split) and/or a new cell founded that day. The core checks it all."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QVBoxLayout,
)

from chibo4tot_desktop.db.models import CELL_KIND_LABELS
from chibo4tot_desktop.ops.cells import merge_cells
from chibo4tot_desktop.ui.common import DateField
from chibo4tot_desktop.ui.dialogs.base import FormDialog


def _checklist(cells, checked: set[int]) -> QListWidget:
    widget = QListWidget()
    for cell in cells:
        item = QListWidgetItem(f"{cell.name} ({cell.code})")
        item.setData(Qt.ItemDataRole.UserRole, cell.id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if cell.id in checked
                           else Qt.CheckState.Unchecked)
        widget.addItem(item)
    widget.setMinimumHeight(120)
    return widget


def _checked(widget: QListWidget) -> list[int]:
    return [widget.item(row).data(Qt.ItemDataRole.UserRole) for row in range(widget.count())
            if widget.item(row).checkState() == Qt.CheckState.Checked]


class MergeDialog(FormDialog):
    def __init__(self, office, cells, selected: set[int], parent=None):
        super().__init__("Sáp nhập chi bộ", parent)
        self.office = office
        active = [cell for cell in cells if cell.dissolved_on is None]
        note = QLabel("Các chi bộ được chọn kết thúc hoạt động vào ngày sáp nhập; chi bộ nhận "
                      "sáp nhập giữ hồ sơ các năm của chúng, số năm liên tục đạt tính nối qua "
                      "sáp nhập (theo thiết lập).")
        note.setWordWrap(True)
        self.form.addRow(note)
        self.ending = _checklist(active, selected)
        self.form.addRow("Chi bộ sáp nhập:", self.ending)
        self.date = DateField(dt.date.today(), "ngày sáp nhập")
        self.form.addRow("Ngày sáp nhập:", self.date)
        self.into = _checklist(active, set())
        self.form.addRow("Vào chi bộ đã có:", self.into)
        self.new_box = QGroupBox("Hoặc vào chi bộ mới thành lập")
        self.new_box.setCheckable(True)
        self.new_box.setChecked(False)
        inner = QVBoxLayout(self.new_box)
        self.new_code = QLineEdit()
        self.new_code.setPlaceholderText("Mã chi bộ mới")
        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText("Tên chi bộ mới")
        self.new_kind = QComboBox()
        for kind, label in CELL_KIND_LABELS.items():
            self.new_kind.addItem(label, kind.value)
        self.new_secretary = QLineEdit()
        self.new_secretary.setPlaceholderText("Bí thư chi bộ")
        self.new_members = QSpinBox()
        self.new_members.setRange(0, 100000)
        self.new_members.setPrefix("Số đảng viên: ")
        for widget in (self.new_code, self.new_name, self.new_kind, self.new_secretary,
                       self.new_members):
            inner.addWidget(widget)
        self.form.addRow(self.new_box)

    def apply(self):
        new_cell = None
        if self.new_box.isChecked():
            new_cell = {"code": self.new_code.text(), "name": self.new_name.text(),
                        "kind": self.new_kind.currentData(),
                        "secretary": self.new_secretary.text(),
                        "members_count": self.new_members.value()}
        return merge_cells(self.office, _checked(self.ending), self.date.date(),
                           into=_checked(self.into), new_cell=new_cell, confirm=self.confirm)
