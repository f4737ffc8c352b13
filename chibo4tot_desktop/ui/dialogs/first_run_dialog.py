"""A new, empty data file: declare the organisation (đảng bộ) and the phase (giai đoạn)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QLineEdit, QSpinBox

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import create_organisation, create_phase
from chibo4tot_desktop.ui.dialogs.base import FormDialog


class FirstRunDialog(FormDialog):
    def __init__(self, office, parent=None):
        has_org = office.has_organisation()
        super().__init__("Thêm giai đoạn thi đua" if has_org
                         else "Khai báo đảng bộ và giai đoạn thi đua", parent)
        self.office = office
        year = dt.date.today().year
        phases = queries.phases(office) if has_org else []
        if phases:
            year = max(year, phases[-1].last_year + 1)
        self.code = QLineEdit()
        self.code.setPlaceholderText("ví dụ: TANGIANG")
        self.name = QLineEdit()
        self.name.setPlaceholderText("ví dụ: Đảng bộ phường Tân Giang")
        self.name.setMinimumWidth(380)
        self.upper = QLineEdit()
        self.upper.setPlaceholderText("ví dụ: Thành ủy Hà Tĩnh")
        self.place = QLineEdit()
        self.place.setPlaceholderText("ví dụ: Tân Giang")
        self.phase_title = QLineEdit(
            f"Xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai đoạn {year} - {year + 2}")
        self.first_year = QSpinBox()
        self.first_year.setRange(2000, 2100)
        self.first_year.setValue(year)
        self.last_year = QSpinBox()
        self.last_year.setRange(2000, 2100)
        self.last_year.setValue(year + 2)
        self.plan = QLineEdit()
        self.plan.setPlaceholderText("ví dụ: Kế hoạch số 98-KH/Th.U")
        if not has_org:
            self.form.addRow("Mã đảng bộ:", self.code)
            self.form.addRow("Tên đảng bộ:", self.name)
            self.form.addRow("Cấp ủy cấp trên:", self.upper)
            self.form.addRow("Địa danh (dòng ngày tháng):", self.place)
        self.form.addRow("Tên giai đoạn:", self.phase_title)
        self.form.addRow("Năm bắt đầu:", self.first_year)
        self.form.addRow("Năm kết thúc:", self.last_year)
        self.form.addRow("Văn bản thực hiện:", self.plan)

    def apply(self):
        if not self.office.has_organisation():
            create_organisation(self.office, self.code.text(), self.name.text(),
                                            self.upper.text(), self.place.text())
        return create_phase(self.office, self.phase_title.text(), self.first_year.value(),
                                        self.last_year.value(), self.plan.text())
