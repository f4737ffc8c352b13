"""Settings: the organisation, the phase and its thresholds, the yearly deadlines, the
criteria catalogue (add, edit, reorder items; the points must add up to 100), and who signs
the papers (the ward's signer, the header's upper body, the default issuer of decisions).

Every change is saved in one transaction through ``ops.setup.save_setup``; only the parts
that changed are written. The certificates' own settings have their dialog (“Cài đặt giấy
khen…”, a button on the papers page).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.errors import UserError, ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import PAPER_SETTINGS, SetupChanges, YearDates, save_setup
from chibo4tot_desktop.ui.common import DateField

ID_ROLE = Qt.ItemDataRole.UserRole + 10


def _points_box(maximum: float = 1000, decimals: int = 2) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(0, maximum)
    box.setDecimals(decimals)
    box.setSingleStep(0.5)
    box.setLocale(_vi_locale())
    box.setMaximumWidth(140)
    return box


def _vi_locale():
    from PySide6.QtCore import QLocale
    return QLocale(QLocale.Language.Vietnamese, QLocale.Country.Vietnam)


class CatalogueEditor(QWidget):
    """The criteria of one scope as a tree: groups (title, pass points) holding items (text,
    max points). Edits in place; ``groups()`` returns what ``Office.save_catalogue`` takes."""

    TEXT, MAX, PASS = range(3)

    def __init__(self, phase, scope: Scope, parent=None):
        super().__init__(parent)
        self.scope = scope
        layout = QVBoxLayout(self)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Nhóm / mục tiêu chí", "Điểm tối đa", "Ngưỡng nhóm"])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.tree.setColumnWidth(1, 110)
        self.tree.setColumnWidth(2, 110)
        self.tree.setWordWrap(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setStyleSheet("QTreeWidget::item { padding: 3px 0; }")
        self.tree.setEditTriggers(QTreeWidget.EditTrigger.DoubleClicked
                                  | QTreeWidget.EditTrigger.EditKeyPressed
                                  | QTreeWidget.EditTrigger.SelectedClicked)
        layout.addWidget(self.tree)
        buttons = QHBoxLayout()
        for text, slot in (("Thêm nhóm", self.add_group), ("Thêm mục", self.add_item),
                           ("Xóa mục", self.remove_item),
                           ("Lên", lambda: self.move(-1)), ("Xuống", lambda: self.move(1))):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.total_label = QLabel()
        buttons.addWidget(self.total_label)
        layout.addLayout(buttons)
        for group in phase.groups:
            if group.scope != scope.value:
                continue
            node = QTreeWidgetItem([group.title, "", rules.fmt_points(group.pass_points)])
            node.setData(0, ID_ROLE, group.position)
            font = node.font(0)
            font.setBold(True)
            for column in range(3):
                node.setFont(column, font)
            node.setFlags(node.flags() | Qt.ItemFlag.ItemIsEditable)
            self.tree.addTopLevelItem(node)
            for item in group.items:
                self._add_child(node, item.text, item.max_points, item.id)
            node.setExpanded(True)
        self.tree.itemChanged.connect(lambda *_: self.update_totals())
        self.update_totals()

    def _add_child(self, node, text, points, item_id=None, index=None):
        child = QTreeWidgetItem([text, rules.fmt_points(points), ""])
        child.setData(0, ID_ROLE, item_id)
        child.setFlags(child.flags() | Qt.ItemFlag.ItemIsEditable)
        child.setToolTip(0, text)
        if index is None:
            node.addChild(child)
        else:
            node.insertChild(index, child)
        return child

    @staticmethod
    def _number(text: str, what: str) -> float:
        try:
            value = float(text.strip().replace(",", "."))
        except ValueError:
            raise ValidationError(f"{what} '{text}' không phải là số.", "max_points") from None
        if value < 0:
            raise ValidationError(f"{what} không được âm.", "max_points")
        return value

    def groups(self) -> list[dict]:
        result = []
        for g in range(self.tree.topLevelItemCount()):
            node = self.tree.topLevelItem(g)
            items = []
            for i in range(node.childCount()):
                child = node.child(i)
                items.append({"id": child.data(0, ID_ROLE), "text": child.text(self.TEXT),
                              "max_points": self._number(child.text(self.MAX),
                                                         f"Điểm tối đa mục {g + 1}.{i + 1}")})
            result.append({"position": node.data(0, ID_ROLE), "title": node.text(self.TEXT),
                           "pass_points": self._number(node.text(self.PASS) or "0",
                                                       f"Ngưỡng nhóm {g + 1}"),
                           "items": items})
        return result

    def update_totals(self) -> None:
        self.tree.blockSignals(True)
        total = 0.0
        ok = True
        for g in range(self.tree.topLevelItemCount()):
            node = self.tree.topLevelItem(g)
            group_total = 0.0
            for i in range(node.childCount()):
                try:
                    group_total += self._number(node.child(i).text(self.MAX), "")
                except ValidationError:
                    ok = False
            node.setText(self.MAX, rules.fmt_points(group_total))
            total += group_total
        self.tree.blockSignals(False)
        good = ok and abs(total - 100) < 1e-6
        self.total_label.setText(f"Tổng điểm: {rules.fmt_points(total)}/100"
                                 + ("" if good else " (phải bằng 100)"))
        self.total_label.setStyleSheet("" if good else "color: #b00020; font-weight: bold;")

    def _current(self):
        item = self.tree.currentItem()
        if item is None:
            return None, None
        if item.parent() is None:
            return item, None
        return item.parent(), item

    def add_group(self) -> QTreeWidgetItem:
        """A new group at the end, with one item (a group cannot be empty)."""
        positions = [self.tree.topLevelItem(i).data(0, ID_ROLE)
                     for i in range(self.tree.topLevelItemCount())]
        node = QTreeWidgetItem(["Nhóm tiêu chí mới", "", "0"])
        node.setData(0, ID_ROLE, max(positions, default=0) + 1)
        node.setFlags(node.flags() | Qt.ItemFlag.ItemIsEditable)
        font = node.font(0)
        font.setBold(True)
        for column in range(3):
            node.setFont(column, font)
        self.tree.addTopLevelItem(node)
        self._add_child(node, "Mục tiêu chí mới", 0)
        node.setExpanded(True)
        self.tree.setCurrentItem(node)
        self.update_totals()
        return node

    def add_item(self) -> None:
        node, child = self._current()
        if node is None:
            node = self.tree.topLevelItem(self.tree.topLevelItemCount() - 1)
            if node is None:
                return
        index = node.indexOfChild(child) + 1 if child else node.childCount()
        new = self._add_child(node, "Mục tiêu chí mới", 0, None, index)
        self.tree.setCurrentItem(new)
        self.tree.editItem(new, self.TEXT)
        self.update_totals()

    def remove_item(self) -> None:
        node, child = self._current()
        if child is not None:
            node.removeChild(child)
            self.update_totals()

    def move(self, step: int) -> None:
        node, child = self._current()
        if child is None:
            return
        index = node.indexOfChild(child)
        target = index + step
        if not 0 <= target < node.childCount():
            return
        node.takeChild(index)
        node.insertChild(target, child)
        self.tree.setCurrentItem(child)


class SettingsDialog(QDialog):
    THRESHOLDS = (("overall_pass", "Tổng điểm tối thiểu đạt “4 tốt”"),
                  ("band_excellent", "Mức HTXSNV (từ ... điểm)"),
                  ("band_good", "Mức HTTNV (từ ... điểm)"),
                  ("band_pass", "Mức HTNV (từ ... điểm)"))

    def __init__(self, office, year: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Thiết lập")
        self.office = office
        self.phase = queries.phase_for_year(office, year)
        self.organisation = queries.organisation(office)
        self.resize(900, 620)
        layout = QVBoxLayout(self)
        self.pages = QTabWidget()
        layout.addWidget(self.pages)
        self._build_organisation()
        self._build_phase()
        self._build_calendar()
        self._build_papers()
        self.cell_catalogue = CatalogueEditor(self.phase, Scope.CELL)
        self.org_catalogue = CatalogueEditor(self.phase, Scope.ORGANISATION)
        self.pages.addTab(self.cell_catalogue, "Tiêu chí chi bộ")
        self.pages.addTab(self.org_catalogue, "Tiêu chí đảng bộ")
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020;")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        layout.addWidget(self.error_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Lưu")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _build_organisation(self):
        page = QWidget()
        form = QFormLayout(page)
        org = self.organisation
        self.org_name = QLineEdit(org.name)
        self.org_upper = QLineEdit(org.upper_body)
        self.org_place = QLineEdit(org.place_name)
        form.addRow("Mã đảng bộ:", QLabel(org.code))
        form.addRow("Tên đảng bộ:", self.org_name)
        form.addRow("Cấp ủy cấp trên:", self.org_upper)
        form.addRow("Địa danh (dòng ngày tháng):", self.org_place)
        self.pages.addTab(page, "Đảng bộ")

    def _build_phase(self):
        page = QWidget()
        form = QFormLayout(page)
        phase = self.phase
        self.phase_title = QLineEdit(phase.title)
        self.phase_plan = QLineEdit(phase.plan_reference)
        form.addRow("Giai đoạn:", QLabel(f"{phase.first_year} - {phase.last_year}"))
        form.addRow("Tên giai đoạn:", self.phase_title)
        form.addRow("Văn bản thực hiện:", self.phase_plan)
        self.threshold_boxes = {}
        for key, label in self.THRESHOLDS:
            box = _points_box()
            box.setValue(getattr(phase, key))
            self.threshold_boxes[key] = box
            form.addRow(label + ":", box)
        self.min_classification = QComboBox()
        for c in rules.Classification:
            self.min_classification.addItem(f"{c.value} – {c.label}", c.value)
        self.min_classification.setCurrentIndex(
            self.min_classification.findData(phase.min_classification))
        form.addRow("Xếp loại tối thiểu của “Chi bộ 4 tốt”:", self.min_classification)
        self.max_disciplined = QSpinBox()
        self.max_disciplined.setMaximumWidth(140)
        self.max_disciplined.setRange(0, 1000)
        self.max_disciplined.setValue(phase.max_disciplined)
        form.addRow("Số đảng viên bị kỷ luật cho phép:", self.max_disciplined)
        self.org_cell_share = QSpinBox()
        self.org_cell_share.setMaximumWidth(140)
        self.org_cell_share.setRange(0, 100)
        self.org_cell_share.setSuffix(" %")
        self.org_cell_share.setValue(round(phase.org_cell_share * 100))
        form.addRow("Tỷ lệ chi bộ “4 tốt” để đảng bộ đạt:", self.org_cell_share)
        self.excellent_cap = QSpinBox()
        self.excellent_cap.setMaximumWidth(140)
        self.excellent_cap.setRange(0, 100)
        self.excellent_cap.setSuffix(" %")
        self.excellent_cap.setValue(round(phase.excellent_share_cap * 100))
        form.addRow("Tỷ lệ HTXSNV tối đa:", self.excellent_cap)
        self.pages.addTab(page, "Giai đoạn và ngưỡng")

    def _build_calendar(self):
        self.calendar = QTableWidget(len(self.phase.years), 4)
        self.calendar.setHorizontalHeaderLabels(["Năm", "Phát động", "Hạn đăng ký",
                                                 "Hạn sơ kết/tổng kết"])
        self.calendar.verticalHeader().setVisible(False)
        self.calendar.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.calendar.verticalHeader().setDefaultSectionSize(32)
        self.date_fields = {}
        for row, year in enumerate(self.phase.years):
            label = QLabel(str(year.year))
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.calendar.setCellWidget(row, 0, label)
            fields = (DateField(year.launch_date, f"ngày phát động năm {year.year}", False),
                      DateField(year.registration_deadline, f"hạn đăng ký năm {year.year}",
                                False),
                      DateField(year.review_deadline, f"hạn sơ kết năm {year.year}", False))
            for column, field in enumerate(fields, start=1):
                field.setMaximumWidth(16777215)
                self.calendar.setCellWidget(row, column, field)
            self.date_fields[year.year] = (year, fields)
        self.pages.addTab(self.calendar, "Lịch thi đua")

    def _build_papers(self):
        page = QWidget()
        form = QFormLayout(page)
        stored = queries.settings(self.office)
        self.paper_edits = {}
        placeholders = {"proposal.upper_body": "Đảng bộ thành phố Hà Tĩnh",
                        "proposal.signer_title": "Bí thư", "proposal.signer_name": "Họ và tên",
                        "award.issuer": "Ban Thường vụ Thành ủy Hà Tĩnh"}
        for key, label in PAPER_SETTINGS.items():
            edit = QLineEdit(stored.get(key, ""))
            edit.setPlaceholderText(placeholders.get(key, ""))
            edit.setMinimumWidth(360)
            self.paper_edits[key] = edit
            form.addRow(label[0].upper() + label[1:] + ":", edit)
        note = QLabel("Người ký này ký danh sách đề nghị, tờ trình, báo cáo và công văn của "
                      "Ban Thường vụ Đảng ủy (T/M BAN THƯỜNG VỤ). Giấy khen in người ký của "
                      "từng quyết định; người ký mặc định của quyết định mới ở “Cài đặt giấy "
                      "khen”.")
        note.setWordWrap(True)
        form.addRow(note)
        certificates = QPushButton("Cài đặt giấy khen…")
        certificates.clicked.connect(self._certificate_settings)
        form.addRow(certificates)
        self.pages.addTab(page, "Giấy tờ, người ký")

    def _certificate_settings(self) -> None:
        from chibo4tot_desktop.ui.dialogs.papers_dialog import CertificateSettingsDialog

        CertificateSettingsDialog(self.office, self).exec()

    def _catalogue_changed(self, editor: CatalogueEditor) -> bool:
        now = editor.groups()
        before = [{"position": g.position, "title": g.title, "pass_points": g.pass_points,
                   "items": [{"id": i.id, "text": i.text, "max_points": i.max_points}
                             for i in g.items]}
                  for g in self.phase.groups if g.scope == editor.scope.value]
        return now != before

    def apply(self) -> None:
        office = self.office
        org = self.organisation
        org_changes = {key: widget.text() for key, widget in
                       (("name", self.org_name), ("upper_body", self.org_upper),
                        ("place_name", self.org_place))
                       if widget.text() != getattr(org, key)}
        phase_changes = {}
        for key, widget in (("title", self.phase_title), ("plan_reference", self.phase_plan)):
            if widget.text() != getattr(self.phase, key):
                phase_changes[key] = widget.text()
        for key, box in self.threshold_boxes.items():
            if abs(box.value() - getattr(self.phase, key)) > 1e-9:
                phase_changes[key] = box.value()
        if self.min_classification.currentData() != self.phase.min_classification:
            phase_changes["min_classification"] = self.min_classification.currentData()
        if self.max_disciplined.value() != self.phase.max_disciplined:
            phase_changes["max_disciplined"] = self.max_disciplined.value()
        for key, box in (("org_cell_share", self.org_cell_share),
                         ("excellent_share_cap", self.excellent_cap)):
            if round(getattr(self.phase, key) * 100) != box.value():
                phase_changes[key] = box.value() / 100
        years = {}
        for year_number, (year, fields) in self.date_fields.items():
            dates = tuple(field.date() for field in fields)
            if dates != (year.launch_date, year.registration_deadline, year.review_deadline):
                years[year_number] = YearDates(*dates)
        catalogues = {editor.scope: editor.groups() for editor in
                      (self.cell_catalogue, self.org_catalogue)
                      if self._catalogue_changed(editor)}
        stored = queries.settings(office)
        settings = {key: edit.text() for key, edit in self.paper_edits.items()
                    if edit.text() != stored.get(key, "")}
        # One transaction: a refused catalogue leaves the thresholds as they were too.
        save_setup(office, SetupChanges(organisation=org_changes, phase_id=self.phase.id,
                                        phase=phase_changes, years=years,
                                        catalogues=catalogues, settings=settings))

    def accept(self):
        try:
            self.apply()
        except UserError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        super().accept()
