"""Settings: the organisation's identity versions (name, upper body, place, issuer and signers,
each valid from a date), the phase, the rules of each year (the regulation that governs its
classification, bands, thresholds, HTXSNV conditions and cap, registration and deadline
reading, each with its source), which cells make up a year, the yearly deadlines, the
criteria catalogue (add, edit, reorder items; the points must add up to 100), applied from a
year the user chooses (a scored year keeps its catalogue), and who signs the papers (a page
over the identity version in force today).

Everything is saved in one call of ``ops.setup.save_setup``; only the parts that changed are
written. A change that would move a decided year asks for a written reason. The window holds
no rule: the checks are the core's. The certificates' own settings have their dialog (“Cài
đặt giấy khen…”, a button on the papers page).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import rules, timeline
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.errors import DecidedYearError, UserError, ValidationError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import SetupChanges, YearDates, save_setup
from chibo4tot_desktop.text import DateParseError, format_date, parse_date
from chibo4tot_desktop.ui.common import DateField, ask_reason
from chibo4tot_desktop.ui.screen import ProgramDialog

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

    def __init__(self, groups, scope: Scope, parent=None):
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
        for group in groups:
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


class YearRulesEditor(QWidget):
    """The rules of each year of the phase: a year chooser, then every value with where it
    comes from (plan, regulation, office), and the HTXSNV conditions. ``changes()`` returns
    what ``SetupChanges.rules`` takes (year -> changes), only what was edited."""

    COND_KEY, COND_TEXT, COND_CHECK, COND_SOURCE, COND_NOTE = range(5)

    def __init__(self, by_year: dict[int, rules.YearRules], year: int, parent=None):
        super().__init__(parent)
        self.by_year = by_year
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Năm:"))
        self.year_box = QComboBox()
        for each in by_year:
            self.year_box.addItem(str(each), each)
        top.addWidget(self.year_box)
        top.addStretch(1)
        layout.addLayout(top)
        self.stack = QStackedWidget()
        layout.addWidget(self.stack, 1)
        self.editors: dict[int, dict[str, tuple[QWidget, QComboBox, QLineEdit]]] = {}
        self.conditions: dict[int, QTableWidget] = {}
        for each, year_rules in by_year.items():
            self.stack.addWidget(self._year_page(each, year_rules))
        self.year_box.currentIndexChanged.connect(self.stack.setCurrentIndex)
        index = self.year_box.findData(year)
        self.year_box.setCurrentIndex(max(0, index))

    # ------------------------------------------------------------------------------ building
    def _value_widget(self, spec: rules.RuleField, value) -> QWidget:
        if spec.kind == "text":
            return QLineEdit(str(value))
        if spec.kind == "points":
            box = _points_box()
            box.setValue(value)
            return box
        if spec.kind == "share":
            box = _points_box(100)
            box.setSuffix(" %")
            box.setSingleStep(1)
            box.setValue(value * 100)
            return box
        if spec.kind == "count":
            box = QSpinBox()
            box.setRange(0, 100000)
            box.setMaximumWidth(140)
            box.setValue(value)
            return box
        if spec.kind == "bool":
            box = QCheckBox()
            box.setChecked(bool(value))
            return box
        combo = QComboBox()
        choices = ([(c.value, f"{c.value} – {c.label}") for c in rules.Classification]
                   if spec.kind == "classification" else list(spec.choices))
        for data, label in choices:
            combo.addItem(label, data)
        combo.setCurrentIndex(max(0, combo.findData(getattr(value, "value", value))))
        return combo

    @staticmethod
    def _source_widgets(source: rules.Source) -> tuple[QComboBox, QLineEdit]:
        kind = QComboBox()
        for item in rules.SourceKind:
            kind.addItem(item.label, item.value)
        kind.setCurrentIndex(kind.findData(source.kind.value))
        note = QLineEdit(source.note)
        note.setPlaceholderText("ghi chú nguồn (điều, mục, văn bản...)")
        return kind, note

    def _year_page(self, year: int, year_rules: rules.YearRules) -> QWidget:
        page = QWidget()
        grid = QGridLayout(page)
        for column, title in enumerate(("Thiết lập", "Giá trị", "Nguồn", "Ghi chú nguồn")):
            header = QLabel(f"<b>{title}</b>")
            grid.addWidget(header, 0, column)
        editors = {}
        for row, spec in enumerate(rules.RULE_FIELDS, start=1):
            label = QLabel(spec.label + ":")
            label.setWordWrap(True)
            widget = self._value_widget(spec, getattr(year_rules, spec.key))
            kind, note = self._source_widgets(year_rules.source_of(spec.key))
            grid.addWidget(label, row, 0)
            grid.addWidget(widget, row, 1)
            grid.addWidget(kind, row, 2)
            grid.addWidget(note, row, 3)
            editors[spec.key] = (widget, kind, note)
        self.editors[year] = editors
        row = len(rules.RULE_FIELDS) + 1
        grid.addWidget(QLabel("<b>Điều kiện để tập thể được xếp loại HTXSNV (ngoài số điểm)"
                              "</b>"), row, 0, 1, 4)
        table = QTableWidget(0, 5)
        table.setHorizontalHeaderLabels(["Mã", "Nội dung điều kiện", "Cách xét", "Nguồn",
                                         "Ghi chú nguồn"])
        table.horizontalHeader().setSectionResizeMode(self.COND_TEXT,
                                                      QHeaderView.ResizeMode.Stretch)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setMinimumHeight(150)
        for condition in year_rules.excellent_conditions:
            self._add_condition_row(table, condition.key, condition.text, condition.check,
                                    condition.source)
        self.conditions[year] = table
        grid.addWidget(table, row + 1, 0, 1, 4)
        buttons = QHBoxLayout()
        add = QPushButton("Thêm điều kiện")
        add.clicked.connect(lambda: self._add_condition_row(
            table, "", "Điều kiện mới", rules.ConditionCheck.CONFIRMED, rules.OFFICE_CHOICE))
        remove = QPushButton("Xóa điều kiện")
        remove.clicked.connect(lambda: table.removeRow(table.currentRow())
                               if table.currentRow() >= 0 else None)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        grid.addLayout(buttons, row + 2, 0, 1, 4)
        grid.setColumnStretch(3, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def _add_condition_row(self, table: QTableWidget, key: str, text: str,
                           check: rules.ConditionCheck, source: rules.Source) -> None:
        row = table.rowCount()
        table.insertRow(row)
        key_item = QTableWidgetItem(key)
        key_item.setFlags(key_item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        table.setItem(row, self.COND_KEY, key_item)
        table.setItem(row, self.COND_TEXT, QTableWidgetItem(text))
        check_box = QComboBox()
        for item in rules.ConditionCheck:
            check_box.addItem(item.label, item.value)
        check_box.setCurrentIndex(check_box.findData(check.value))
        table.setCellWidget(row, self.COND_CHECK, check_box)
        kind, note = self._source_widgets(source)
        table.setCellWidget(row, self.COND_SOURCE, kind)
        table.setCellWidget(row, self.COND_NOTE, note)

    # ------------------------------------------------------------------------------ reading
    def editor(self, year: int, key: str) -> QWidget:
        return self.editors[year][key][0]

    def source_editors(self, year: int, key: str) -> tuple[QComboBox, QLineEdit]:
        _widget, kind, note = self.editors[year][key]
        return kind, note

    @staticmethod
    def _value(spec: rules.RuleField, widget: QWidget):
        if spec.kind == "text":
            return widget.text()
        if spec.kind == "points":
            return widget.value()
        if spec.kind == "share":
            return f"{widget.value():g}%"        # the core reads the percentage as typed
        if spec.kind == "count":
            return widget.value()
        if spec.kind == "bool":
            return widget.isChecked()
        return widget.currentData()

    def condition_rows(self, year: int) -> list[dict]:
        table = self.conditions[year]
        result = []
        for row in range(table.rowCount()):
            result.append({
                "key": table.item(row, self.COND_KEY).text(),
                "text": table.item(row, self.COND_TEXT).text(),
                "check": table.cellWidget(row, self.COND_CHECK).currentData(),
                "source": table.cellWidget(row, self.COND_SOURCE).currentData(),
                "note": table.cellWidget(row, self.COND_NOTE).text()})
        return result

    def changes(self) -> dict[int, dict]:
        result = {}
        for year, year_rules in self.by_year.items():
            changes: dict = {}
            sources: dict = {}
            for spec in rules.RULE_FIELDS:
                widget, kind, note = self.editors[year][spec.key]
                before = getattr(year_rules, spec.key)
                before = getattr(before, "value", before)
                value = self._value(spec, widget)
                if spec.kind == "share":
                    if abs(widget.value() - before * 100) > 1e-9:
                        changes[spec.key] = value
                elif spec.kind == "points":
                    if abs(value - before) > 1e-9:
                        changes[spec.key] = value
                elif value != before:
                    changes[spec.key] = value
                source = year_rules.source_of(spec.key)
                if (kind.currentData(), note.text()) != (source.kind.value, source.note):
                    sources[spec.key] = {"kind": kind.currentData(), "note": note.text()}
            if sources:
                changes["sources"] = sources
            rows = self.condition_rows(year)
            before = [{"key": c.key, "text": c.text, "check": c.check.value,
                       "source": c.source.kind.value, "note": c.source.note}
                      for c in year_rules.excellent_conditions]
            if rows != before:
                changes["excellent_conditions"] = rows
            if changes:
                result[year] = changes
        return result


class SettingsDialog(ProgramDialog):
    def __init__(self, office, year: int, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Thiết lập")
        self.office = office
        self.phase = queries.phase_for_year(office, year)
        self.organisation = queries.organisation(office)
        self.resize(1000, 680)
        layout = QVBoxLayout(self)
        self.pages = QTabWidget()
        layout.addWidget(self.pages)
        self.year = year
        self._build_organisation()
        self._build_phase()
        self.rules_editor = YearRulesEditor(
            {item.year: queries.year_rules(office, item.year) for item in self.phase.years},
            year)
        self.pages.addTab(self.rules_editor, "Quy định và ngưỡng theo năm")
        self._build_calendar()
        self._build_papers()
        self.cell_catalogue = CatalogueEditor(self.phase.catalogue(year, Scope.CELL), Scope.CELL)
        self.org_catalogue = CatalogueEditor(self.phase.catalogue(year, Scope.ORGANISATION),
                                             Scope.ORGANISATION)
        self.pages.addTab(self._catalogue_page(self.cell_catalogue), "Tiêu chí chi bộ")
        self.pages.addTab(self._catalogue_page(self.org_catalogue), "Tiêu chí đảng bộ")
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
        """The identity versions side by side: one column per version (from its date on),
        one row per field; an empty field is derived (shown greyed in its tooltip)."""
        page = QWidget()
        layout = QVBoxLayout(page)
        note = QLabel("Mỗi cột là một phiên bản tên gọi, áp dụng từ ngày ghi ở dòng đầu: giấy tờ "
                      "của ngày nào mang tên gọi, cấp trên và người ký của ngày đó (giấy tờ năm "
                      "cũ giữ như cũ). Đổi tên, đổi cấp trên (ví dụ khi hợp nhất phường): thêm "
                      "phiên bản mới từ ngày thay đổi. Ô để trống: suy ra từ cấp trên, địa danh.")
        note.setWordWrap(True)
        layout.addWidget(note)
        layout.addWidget(QLabel(f"Mã đảng bộ: {self.organisation.code}"))
        self.identity_rows = ("valid_from",) + timeline.IDENTITY_FIELDS
        self.identity_table = QTableWidget(len(self.identity_rows), 0)
        self.identity_table.setVerticalHeaderLabels(
            ["Áp dụng từ ngày"] + [timeline.IDENTITY_LABELS[key][0].upper()
                                   + timeline.IDENTITY_LABELS[key][1:]
                                   for key in timeline.IDENTITY_FIELDS])
        self.identity_table.horizontalHeader().setVisible(False)
        self.identity_versions = queries.identities(self.office)
        for version in self.identity_versions:
            self._add_identity_column(version.id, version.valid_from,
                                      {key: getattr(version, key) or ""
                                       for key in timeline.IDENTITY_FIELDS})
        layout.addWidget(self.identity_table)
        buttons = QHBoxLayout()
        add = QPushButton("Thêm thay đổi từ ngày…")
        add.clicked.connect(self.add_identity_version)
        remove = QPushButton("Xóa phiên bản đang chọn")
        remove.clicked.connect(self.remove_identity_version)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.pages.addTab(page, "Đảng bộ")

    def _add_identity_column(self, row_id, valid_from, values: dict) -> None:
        column = self.identity_table.columnCount()
        self.identity_table.insertColumn(column)
        date_item = QTableWidgetItem("từ đầu" if valid_from == timeline.BEGINNING
                                     else format_date(valid_from))
        date_item.setData(Qt.ItemDataRole.UserRole, row_id)
        self.identity_table.setItem(0, column, date_item)
        for row, key in enumerate(timeline.IDENTITY_FIELDS, start=1):
            self.identity_table.setItem(row, column, QTableWidgetItem(values.get(key, "")))
        self.identity_table.setColumnWidth(column, 300)

    def add_identity_version(self, text: str | None = None) -> bool:
        """A new version from a date, starting as a copy of the last one."""
        if text is None:
            text, ok = QInputDialog.getText(self, "Thêm thay đổi tên gọi",
                                            "Áp dụng từ ngày (dd/mm/yyyy):")
            if not ok:
                return False
        try:
            day = parse_date(text)
        except DateParseError as error:
            self.error_label.setText(f"Ngày áp dụng: {error}.")
            self.error_label.show()
            return False
        last = self.identity_table.columnCount() - 1
        values = {key: self.identity_table.item(row, last).text()
                  for row, key in enumerate(timeline.IDENTITY_FIELDS, start=1)} if last >= 0 \
            else {}
        self._add_identity_column(None, day, values)
        self.identity_table.setCurrentCell(1, self.identity_table.columnCount() - 1)
        self._show_paper_fields()
        return True

    def remove_identity_version(self) -> None:
        column = self.identity_table.currentColumn()
        if column >= 0 and self.identity_table.columnCount() > 1:
            self.identity_table.removeColumn(column)
            self._show_paper_fields()

    def identity_versions_edited(self) -> list[dict]:
        """The table as ``SetupChanges.identities`` takes it (ValidationError for a bad
        date)."""
        versions = []
        for column in range(self.identity_table.columnCount()):
            date_item = self.identity_table.item(0, column)
            text = date_item.text().strip()
            if text.casefold() in ("từ đầu", ""):
                day = timeline.BEGINNING
            else:
                try:
                    day = parse_date(text)
                except DateParseError as error:
                    raise ValidationError(f"Ngày áp dụng '{text}': {error}.",
                                          "valid_from") from None
            versions.append({"id": date_item.data(Qt.ItemDataRole.UserRole), "valid_from": day,
                             **{key: self.identity_table.item(row, column).text()
                                for row, key in enumerate(timeline.IDENTITY_FIELDS, start=1)}})
        return versions

    def _identities_changed(self, edited: list[dict]) -> bool:
        before = [{"id": version.id, "valid_from": version.valid_from,
                   **{key: getattr(version, key) or "" for key in timeline.IDENTITY_FIELDS}}
                  for version in self.identity_versions]
        return edited != before

    def _build_phase(self):
        page = QWidget()
        form = QFormLayout(page)
        phase = self.phase
        self.phase_title = QLineEdit(phase.title)
        self.phase_plan = QLineEdit(phase.plan_reference)
        form.addRow("Giai đoạn:", QLabel(f"{phase.first_year} - {phase.last_year}"))
        form.addRow("Tên giai đoạn:", self.phase_title)
        form.addRow("Văn bản thực hiện:", self.phase_plan)
        self.year_rule = QComboBox()
        for rule in timeline.YearRule:
            self.year_rule.addItem(rule.label, rule.value)
        self.stored_rule = timeline.year_rule(queries.setting(self.office,
                                                              timeline.YEAR_RULE_KEY, ""))
        self.year_rule.setCurrentIndex(self.year_rule.findData(self.stored_rule.value))
        self.year_rule.setMaximumWidth(560)
        form.addRow("Chi bộ thuộc năm nào (mọi giai đoạn):", self.year_rule)
        self.stored_streak = timeline.flag(queries.setting(
            self.office, timeline.STREAK_THROUGH_MERGE_KEY, ""))
        self.streak_through_merge = QCheckBox("Số năm liên tục đạt tính nối qua sáp nhập chi bộ")
        self.streak_through_merge.setChecked(self.stored_streak)
        form.addRow("", self.streak_through_merge)
        self.pages.addTab(page, "Giai đoạn")

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

    # The identity fields the papers page shows (those of the version in force today).
    PAPER_FIELDS = (("proposal_signer_title", "Bí thư"), ("proposal_signer_name", "Họ và tên"),
                    ("upper_party_body", "Đảng bộ thành phố Hà Tĩnh"),
                    ("decision_issuer", "Ban Thường vụ Thành ủy Hà Tĩnh"))

    def _build_papers(self):
        """Who signs the ward's papers: the fields of the last identity version (the one in
        force today), the same cells as the last column of the "Đảng bộ" page."""
        page = QWidget()
        form = QFormLayout(page)
        self.papers_since = QLabel()
        self.papers_since.setWordWrap(True)
        form.addRow(self.papers_since)
        self.paper_edits = {}
        for key, placeholder in self.PAPER_FIELDS:
            label = timeline.IDENTITY_LABELS[key]
            edit = QLineEdit()
            edit.setPlaceholderText(placeholder)
            edit.setMinimumWidth(360)
            edit.textChanged.connect(lambda text, key=key: self._paper_edited(key, text))
            self.paper_edits[key] = edit
            form.addRow(label[0].upper() + label[1:] + ":", edit)
        note = QLabel("Người ký này ký danh sách đề nghị, tờ trình, báo cáo và công văn của "
                      "Ban Thường vụ Đảng ủy (T/M BAN THƯỜNG VỤ). Giấy khen in người ký của "
                      "từng quyết định; người ký mặc định của quyết định mới là người ký giấy "
                      "khen của phiên bản tên gọi áp dụng vào ngày quyết định (trang “Đảng "
                      "bộ”). Đổi người ký từ một ngày: thêm phiên bản ở trang “Đảng bộ”.")
        note.setWordWrap(True)
        form.addRow(note)
        certificates = QPushButton("Cài đặt giấy khen…")
        certificates.clicked.connect(self._certificate_settings)
        form.addRow(certificates)
        self.pages.addTab(page, "Giấy tờ, người ký")
        self.identity_table.itemChanged.connect(self._identity_item_changed)
        self._show_paper_fields()

    def _paper_row(self, key: str) -> int:
        return self.identity_rows.index(key)

    def _show_paper_fields(self) -> None:
        """The papers page shows the last version's fields."""
        last = self.identity_table.columnCount() - 1
        if last < 0:
            return
        date_item = self.identity_table.item(0, last)
        since = date_item.text() if date_item is not None else ""
        self.papers_since.setText(
            "Người ký và cấp trên của phiên bản tên gọi mới nhất (áp dụng "
            + ("từ đầu" if since in ("", "từ đầu") else f"từ ngày {since}") + "):")
        for key, edit in self.paper_edits.items():
            item = self.identity_table.item(self._paper_row(key), last)
            text = item.text() if item is not None else ""
            if edit.text() != text:
                edit.blockSignals(True)
                edit.setText(text)
                edit.blockSignals(False)

    def _paper_edited(self, key: str, text: str) -> None:
        last = self.identity_table.columnCount() - 1
        item = self.identity_table.item(self._paper_row(key), last) if last >= 0 else None
        if item is not None and item.text() != text:
            item.setText(text)

    def _identity_item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == self.identity_table.columnCount() - 1:
            self._show_paper_fields()

    def _certificate_settings(self) -> None:
        from chibo4tot_desktop.ui.dialogs.papers_dialog import CertificateSettingsDialog

        if CertificateSettingsDialog(self.office, self).exec():
            # Its issuer, place and signer are the latest identity version's: show them.
            self.identity_versions = queries.identities(self.office)
            self.identity_table.setColumnCount(0)
            for version in self.identity_versions:
                self._add_identity_column(version.id, version.valid_from,
                                          {key: getattr(version, key) or ""
                                           for key in timeline.IDENTITY_FIELDS})
            self._show_paper_fields()

    def _catalogue_page(self, editor: CatalogueEditor) -> QWidget:
        """The editor, which years use this catalogue, and the year a change applies from."""
        page = QWidget()
        layout = QVBoxLayout(page)
        first, last, scored = queries.catalogue_use(self.office, self.phase.id, self.year,
                                                    editor.scope)
        span = f"năm {first}" if first == last else f"các năm {first} - {last}"
        text = f"Bộ tiêu chí dùng cho {span}"
        text += (f"; đã chấm điểm năm {', '.join(map(str, scored))} (các năm này giữ nguyên "
                 "bộ tiêu chí đã chấm)." if scored else "; chưa năm nào chấm điểm.")
        info = QLabel(text)
        info.setWordWrap(True)
        layout.addWidget(info)
        layout.addWidget(editor, 1)
        row = QHBoxLayout()
        row.addWidget(QLabel("Thay đổi áp dụng từ năm:"))
        editor.from_year = QComboBox()
        free = [year.year for year in self.phase.years
                if year.year >= first and not any(done >= year.year for done in scored)]
        for year in free:
            editor.from_year.addItem(str(year), year)
        if not free:
            editor.from_year.addItem("(mọi năm đã chấm điểm)", None)
            editor.from_year.setEnabled(False)
        index = editor.from_year.findData(self.year)
        editor.from_year.setCurrentIndex(index if index >= 0 else 0)
        row.addWidget(editor.from_year)
        row.addStretch(1)
        layout.addLayout(row)
        return page

    def _catalogue_changed(self, editor: CatalogueEditor) -> bool:
        now = editor.groups()
        before = [{"position": g.position, "title": g.title, "pass_points": g.pass_points,
                   "items": [{"id": i.id, "text": i.text, "max_points": i.max_points}
                             for i in g.items]}
                  for g in self.phase.catalogue(self.year, editor.scope)]
        return now != before

    def changes(self) -> SetupChanges:
        """What the dialog changed, as one SetupChanges."""
        identities = self.identity_versions_edited()
        phase_changes = {}
        for key, widget in (("title", self.phase_title), ("plan_reference", self.phase_plan)):
            if widget.text() != getattr(self.phase, key):
                phase_changes[key] = widget.text()
        years = {}
        for year_number, (year, fields) in self.date_fields.items():
            dates = tuple(field.date() for field in fields)
            if dates != (year.launch_date, year.registration_deadline, year.review_deadline):
                years[year_number] = YearDates(*dates)
        edited = [editor for editor in (self.cell_catalogue, self.org_catalogue)
                  if self._catalogue_changed(editor)]
        catalogues = {editor.scope: editor.groups() for editor in edited}
        from_years = {editor.from_year.currentData() for editor in edited}
        if None in from_years:
            raise ValidationError("Mọi năm của giai đoạn đã chấm điểm theo bộ tiêu chí này; "
                                  "không sửa được nữa.", "from_year")
        if len(from_years) > 1:
            raise ValidationError("Hai bộ tiêu chí được sửa với hai năm áp dụng khác nhau; "
                                  "hãy lưu từng bộ một.", "from_year")
        settings = {}
        if self.year_rule.currentData() != self.stored_rule.value:
            settings[timeline.YEAR_RULE_KEY] = self.year_rule.currentData()
        if self.streak_through_merge.isChecked() != self.stored_streak:
            settings[timeline.STREAK_THROUGH_MERGE_KEY] = \
                "1" if self.streak_through_merge.isChecked() else "0"
        return SetupChanges(phase_id=self.phase.id, phase=phase_changes, years=years,
                            catalogues=catalogues, settings=settings,
                            catalogue_year=from_years.pop() if from_years else None,
                            identities=identities if self._identities_changed(identities)
                            else None,
                            rules=self.rules_editor.changes())

    def apply(self, confirm: str | None = None) -> None:
        # One transaction: a refused catalogue leaves the rules as they were too.
        save_setup(self.office, self.changes(), confirm=confirm)

    def accept(self):
        try:
            try:
                self.apply()
            except DecidedYearError as error:
                reason = ask_reason(self, error)
                if reason is None:
                    raise
                self.apply(reason)
        except UserError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return
        super().accept()
