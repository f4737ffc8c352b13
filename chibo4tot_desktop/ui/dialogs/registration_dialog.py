"""Add or edit a cell's registration (bản đăng ký thi đua) for a year, with its commitments
per criteria group."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QPlainTextEdit, QSpinBox

from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ui.common import DateField, confirm
from chibo4tot_desktop.ui.dialogs.base import FormDialog


class CellChoices(QAbstractListModel):
    """(id, name) of the cells to choose from, for the combo box: a model over the list, so a
    city's tens of thousands of cells fill it at once."""

    def __init__(self, cells, parent=None):
        super().__init__(parent)
        self.cells = list(cells)
        self.row_of = {cell_id: row for row, (cell_id, _name) in enumerate(self.cells)}

    def rowCount(self, parent=QModelIndex()):  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.cells)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells[index.row()][1]
        if role == Qt.ItemDataRole.UserRole:
            return self.cells[index.row()][0]
        return None


class RegistrationDialog(FormDialog):
    def __init__(self, office, year: int, cells, cell_id: int | None = None, parent=None,
                 group_titles: list[str] | None = None):
        """``cells``: (id, name) of the cells to choose from, in the order to show."""
        super().__init__(f"Bản đăng ký thi đua năm {year}", parent)
        self.office = office
        self.year = year
        self.registration = queries.registration(office, cell_id, year) if cell_id else None
        reg = self.registration
        self.cell = QComboBox()
        choices = CellChoices(cells, self.cell)
        self.cell.setModel(choices)
        if cell_id is not None:
            self.cell.setCurrentIndex(choices.row_of.get(cell_id, 0))
            self.cell.setEnabled(reg is None)
        self.cell.currentIndexChanged.connect(self._cell_changed)
        today = dt.date.today()
        self.received = DateField(reg.received_on if reg else
                                  (today if today.year == year else None),
                                  "ngày nhận bản đăng ký")
        self.title_edit = QLineEdit(reg.title if reg else "Chi bộ 4 tốt")
        self.members = QSpinBox()
        self.members.setRange(0, 100000)
        self.members.setValue(reg.members_count or 0 if reg else 0)
        self.signer = QLineEdit(reg.signer if reg else "")
        self.form.addRow("Chi bộ:", self.cell)
        self.form.addRow("Ngày nhận:", self.received)
        self.form.addRow("Danh hiệu đăng ký:", self.title_edit)
        self.form.addRow("Số đảng viên:", self.members)
        self.commitments = []
        titles = group_titles or []
        for number in range(1, 5):
            edit = QPlainTextEdit(getattr(reg, f"commitment_{number}") if reg else "")
            edit.setTabChangesFocus(True)
            edit.setMinimumWidth(480)
            edit.setFixedHeight(64)
            title = titles[number - 1] if number <= len(titles) else ""
            edit.setToolTip(title)
            self.commitments.append(edit)
            self.form.addRow(f"Chỉ tiêu nhóm {number}:", edit)
        self.form.addRow("Bí thư ký:", self.signer)
        if reg is None:
            self._cell_changed()

    def _cell_changed(self):
        cell_id = self.cell.currentData()
        if cell_id is None or self.registration is not None:
            return
        cell = queries.cell(self.office, cell_id)
        self.members.setValue(cell.members_count or 0)
        self.signer.setText(cell.secretary)

    def accept(self):
        """A receiving date outside the registration's year is kept only when confirmed."""
        try:
            question = checks.outside_year(self.received.date(), self.year, "ngày nhận")
        except ValidationError as error:
            self.show_error(str(error))
            return
        if question and not confirm(self, question):
            self.show_error("Hãy sửa ngày nhận cho đúng năm của bản đăng ký.")
            self.received.setFocus()
            return
        super().accept()

    def apply(self):
        cell_id = self.cell.currentData()
        if cell_id is None:
            raise ValidationError("Chưa chọn chi bộ.", "cell")
        if self.registration is None and queries.registration(self.office, cell_id, self.year):
            raise ValidationError(f"{self.cell.currentText()} đã có bản đăng ký năm "
                                  f"{self.year}; hãy chọn chi bộ đó rồi bấm “Sửa”.", "cell")
        fields = {f"commitment_{n}": edit.toPlainText()
                  for n, edit in enumerate(self.commitments, start=1)}
        return save_registration(self.office,
            cell_id, self.year, received_on=self.received.date(), title=self.title_edit.text(),
            members_count=self.members.value(), signer=self.signer.text(),
            expected_version=self.registration.version if self.registration else None,
            confirm=self.confirm, **fields)
