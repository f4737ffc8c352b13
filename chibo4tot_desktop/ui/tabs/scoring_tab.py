"""Chấm điểm: pick a cell (or the organisation itself), enter for every criteria item the
cell's own score and the committee's score; the totals, the classification and the verdict
with its reasons follow as you type. All of it is computed by ``office.evaluate`` (the rules
live in the core); saving goes through ``Office.save_evaluation`` with the version read."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import rules
from chibo4tot_desktop.db import changes
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.errors import DecidedYearError, UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput, evaluate
from chibo4tot_desktop.ui.common import confirm, confirmed, show_error
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab

ORGANISATION = -1   # combo data for the organisation's own evaluation
NOT_SCORED = -0.5   # the spin boxes' minimum, shown as "–"


class PointsBox(QDoubleSpinBox):
    """Points between 0 and the item's maximum; the minimum (shown "–") means not scored."""

    def __init__(self, maximum: float, parent=None):
        super().__init__(parent)
        self.setRange(NOT_SCORED, maximum)
        self.setDecimals(2)
        self.setSingleStep(0.5)
        self.setSpecialValueText("–")
        self.setKeyboardTracking(True)
        self.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.setButtonSymbols(QDoubleSpinBox.ButtonSymbols.UpDownArrows)
        self.setValue(NOT_SCORED)

    def points(self) -> float | None:
        value = self.value()
        return None if value <= NOT_SCORED / 2 else value

    def set_points(self, value: float | None) -> None:
        self.setValue(NOT_SCORED if value is None else value)

    def textFromValue(self, value):
        return rules.fmt_points(value)

    def valueFromText(self, text):
        text = text.strip().replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return NOT_SCORED


def _centred(box: QWidget) -> QWidget:
    """The spin box at its natural height, centred in a tall (wrapped-text) row."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 0, 4, 0)
    layout.addWidget(box, 0, Qt.AlignmentFlag.AlignVCenter)
    return holder


class ScoringTab(BaseTab):
    TITLE = "Chấm điểm"
    TOPICS = frozenset({changes.CELLS, changes.EVALUATIONS,
                        changes.SETTINGS})
    NUMBER, TEXT, MAX, SELF, COMMITTEE = range(5)

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.unit = QComboBox()
        self.unit.setMinimumWidth(320)
        self.button_row.insertWidget(0, QLabel("Đơn vị được chấm:"))
        self.button_row.insertWidget(1, self.unit)
        self.save_button = self.button_row.add_button("Lưu phiếu chấm (Ctrl+S)", self.save)
        self.reload_button = self.button_row.add_button("Bỏ thay đổi", self.discard)
        self.phase = None
        self.evaluation = None
        self.cells_passed = 0
        self.cells_total = 0
        self.dirty = False
        self._loading = False
        self.boxes: dict[int, tuple[PointsBox, PointsBox]] = {}
        self.group_rows: dict[int, int] = {}
        self.current_unit = None
        self._units: list[tuple[str, int]] = []

        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["Mục", "Nội dung tiêu chí", "Tối đa",
                                              "Chi bộ tự chấm", "Đảng ủy chấm"])
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.TEXT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((self.NUMBER, 50), (self.MAX, 64), (self.SELF, 116),
                              (self.COMMITTEE, 116)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            self.table.setColumnWidth(column, width)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        splitter.addWidget(self.table)

        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        result_box = QGroupBox("Kết quả")
        result_layout = QVBoxLayout(result_box)
        self.totals_label = QLabel()
        self.totals_label.setWordWrap(True)
        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("verdict")
        self.verdict_label.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.verdict_label.setWordWrap(True)
        self.reasons = QListWidget()
        self.reasons.setWordWrap(True)
        result_layout.addWidget(self.verdict_label)
        result_layout.addWidget(self.totals_label)
        result_layout.addWidget(self.reasons, 1)
        side_layout.addWidget(result_box, 3)
        form_box = QGroupBox("Đánh giá của Đảng ủy")
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.disciplined = QSpinBox()
        self.disciplined.setRange(0, 100000)
        self.disciplined.setMaximumWidth(100)
        self.classification = QComboBox()
        self.classification.addItem("Theo điểm (tự động)", None)
        for c in rules.Classification:
            self.classification.addItem(f"{c.value} – {c.label}", c.value)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        self.notes.setTabChangesFocus(True)
        form.addRow("Đảng viên bị kỷ luật:", self.disciplined)
        form.addRow("Xếp loại quyết định:", self.classification)
        form.addRow("Ghi chú:", self.notes)
        side_layout.addWidget(form_box, 0)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([780, 420])
        self.layout_.addWidget(splitter, 1)

        self.unit.currentIndexChanged.connect(self._unit_changed)
        header.sectionResized.connect(self._fit_rows)
        self.disciplined.valueChanged.connect(self._edited)
        self.classification.currentIndexChanged.connect(self._edited)
        self.notes.textChanged.connect(self._edited)

    # ------------------------------------------------------------------------------ loading
    def refresh(self) -> None:
        year = self.year()
        if year is None:
            self.stale = False
            return
        overview = self.main.overviews.get(year)
        if overview is None:
            self.verdict_label.setText(f"Năm {year}: đang tổng hợp…")
            return          # still stale: shown when the overview is ready
        self.stale = False
        self.phase = queries.phase_for_year(self.office, year)
        self.cells_passed = overview.count("qualifies")
        self.cells_total = len(overview.cells)
        wanted = self.current_unit
        units = [(state.cell.name, state.cell.id) for state in overview.cells]
        name = queries.identity_on(self.office, queries.year_document_date(self.office,
                                                                           year)).name
        units.append((f"{name} (tự chấm “Đảng bộ cơ sở 4 tốt”)", ORGANISATION))
        self.unit.blockSignals(True)
        if units != self._units:     # a province's 3,000 names: refilled only when changed
            self._units = units
            self.unit.clear()
            for name, unit_id in units:
                self.unit.addItem(name, unit_id)
        index = self.unit.findData(wanted) if wanted is not None else -1
        self.unit.setCurrentIndex(index if index >= 0 else 0)
        self.unit.blockSignals(False)
        unit = self.unit.currentData()
        if self.dirty and unit == self.current_unit and self._same_catalogue():
            self.recompute()
        else:
            self.load()

    def _same_catalogue(self) -> bool:
        ids = {item.id for g in self.phase.catalogue(self.year(), self.scope())
               for item in g.items}
        return ids == set(self.boxes)

    def scope(self) -> Scope:
        return Scope.ORGANISATION if self.unit.currentData() == ORGANISATION else Scope.CELL

    def cell_id(self) -> int | None:
        unit = self.unit.currentData()
        return None if unit == ORGANISATION else unit

    def select_cell(self, cell_id: int | None) -> None:
        """Show the scoring sheet of ``cell_id`` (None: the organisation)."""
        index = self.unit.findData(ORGANISATION if cell_id is None else cell_id)
        if index >= 0:
            self.unit.setCurrentIndex(index)

    def _unit_changed(self, _index) -> None:
        if self.dirty and self.current_unit is not None:
            if confirm(self, "Phiếu chấm đang sửa chưa được lưu. Lưu trước khi chuyển?"):
                previous = self.unit.currentData()
                self.unit.blockSignals(True)
                self.unit.setCurrentIndex(self.unit.findData(self.current_unit))
                self.unit.blockSignals(False)
                if not self.save():
                    return
                self.unit.setCurrentIndex(self.unit.findData(previous))
                return
        self.load()

    def load(self) -> None:
        """Build the sheet of the selected unit from the database."""
        year = self.year()
        if year is None or self.unit.currentData() is None:
            return
        self._loading = True
        self.current_unit = self.unit.currentData()
        self.evaluation = queries.evaluation(self.office, self.cell_id(), year)
        scores = {s.item_id: s for s in self.evaluation.scores} if self.evaluation else {}
        groups = self.phase.catalogue(year, self.scope())
        self.table.setRowCount(0)
        self.boxes.clear()
        self.group_rows.clear()
        bold = QFont(self.table.font())
        bold.setBold(True)
        for group in groups:
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setSpan(row, 0, 1, 5)
            header = QTableWidgetItem()
            header.setFont(bold)
            header.setBackground(QColor("#e8eef7"))
            self.table.setItem(row, 0, header)
            self.group_rows[group.position] = row
            for item in group.items:
                row = self.table.rowCount()
                self.table.insertRow(row)
                self.table.setItem(row, self.NUMBER,
                                   QTableWidgetItem(f"{group.position}.{item.position}"))
                text = QTableWidgetItem(item.text)
                text.setToolTip(item.text)
                self.table.setItem(row, self.TEXT, text)
                maximum = QTableWidgetItem(rules.fmt_points(item.max_points))
                maximum.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                self.table.setItem(row, self.MAX, maximum)
                own, committee = PointsBox(item.max_points), PointsBox(item.max_points)
                score = scores.get(item.id)
                own.set_points(score.self_points if score else None)
                committee.set_points(score.committee_points if score else None)
                own.valueChanged.connect(self._edited)
                committee.valueChanged.connect(self._edited)
                self.table.setCellWidget(row, self.SELF, _centred(own))
                self.table.setCellWidget(row, self.COMMITTEE, _centred(committee))
                self.boxes[item.id] = (own, committee)
        self._fit_rows()
        self.disciplined.setValue(self.evaluation.disciplined_members if self.evaluation else 0)
        decided = self.evaluation.classification if self.evaluation else None
        self.classification.setCurrentIndex(max(0, self.classification.findData(decided)))
        self.notes.setPlainText(self.evaluation.notes if self.evaluation else "")
        self._loading = False
        self.dirty = False
        self.recompute()

    def _fit_rows(self, *_args) -> None:
        """Rows tall enough for the wrapped item text and the spin boxes."""
        self.table.resizeRowsToContents()
        for row in range(self.table.rowCount()):
            self.table.setRowHeight(row, max(self.table.rowHeight(row) + 4, 32))

    # ---------------------------------------------------------------------------- editing
    def _edited(self, *_args) -> None:
        if self._loading:
            return
        self.dirty = True
        self.recompute()

    def draft(self) -> SimpleNamespace:
        """What is on the screen, shaped like an Evaluation for ``office.evaluate``."""
        scores = [SimpleNamespace(item_id=item_id, self_points=own.points(),
                                  committee_points=committee.points())
                  for item_id, (own, committee) in self.boxes.items()]
        return SimpleNamespace(scores=scores, disciplined_members=self.disciplined.value(),
                               classification=self.classification.currentData())

    def recompute(self):
        if self.phase is None:
            return None
        result = evaluate(self.phase, self.draft(), self.scope(), self.cells_passed,
                          self.cells_total, year=self.year())
        for own, group in zip(result.self_totals.groups, result.committee_totals.groups):
            row = self.group_rows.get(group.position)
            if row is None:
                continue
            mark = "" if group.missing else (" ✓" if group.passed else " ✗")
            self.table.item(row, 0).setText(
                f"Nhóm {group.position}. {group.title} — tự chấm "
                f"{rules.fmt_points(own.points)}/{rules.fmt_points(own.max_points)}, "
                f"Đảng ủy chấm {rules.fmt_points(group.points)}/"
                f"{rules.fmt_points(group.max_points)} (ngưỡng "
                f"{rules.fmt_points(group.pass_points)}){mark}")
        verdict = result.verdict
        colour = {"passed": "#1b7a1b", "failed": "#b00020"}.get(verdict.state.value, "#666666")
        self.verdict_label.setStyleSheet(f"font-size: 13pt; font-weight: bold; color: {colour};")
        title = "“Đảng bộ cơ sở 4 tốt”" if self.scope() is Scope.ORGANISATION \
            else "“Chi bộ 4 tốt”"
        self.verdict_label.setText(f"{title}: {verdict.label}"
                                   + (" (chưa lưu)" if self.dirty else ""))
        committee = result.committee_totals
        lines = [f"Chi bộ tự chấm: {rules.fmt_points(result.self_totals.total)}/"
                 f"{rules.fmt_points(result.self_totals.max_total)}",
                 f"Đảng ủy chấm: {rules.fmt_points(committee.total)}/"
                 f"{rules.fmt_points(committee.max_total)}"]
        if result.computed_classification is not None:
            c = result.computed_classification
            lines.append(f"Xếp loại theo điểm: {c.value} – {c.label}")
        if verdict.classification is not None and committee.complete:
            lines.append(f"Xếp loại: {verdict.classification.value} – "
                         f"{verdict.classification.label}")
        self.totals_label.setText("\n".join(lines))
        self.reasons.clear()
        for reason in verdict.reasons:
            item = QListWidgetItem(("✓ " if reason.ok else "✗ ") + reason.text)
            item.setForeground(QColor("#1b7a1b") if reason.ok else QColor("#b00020"))
            self.reasons.addItem(item)
        self.result = result
        return result

    # ----------------------------------------------------------------------------- saving
    def save(self) -> bool:
        year = self.year()
        if year is None or self.current_unit is None:
            return False
        scores = {item_id: ScoreInput(own.points(), committee.points())
                  for item_id, (own, committee) in self.boxes.items()}
        try:
            confirmed(self, save_evaluation, self.office,
                      self.cell_id(), year, scores=scores, notes=self.notes.toPlainText(),
                      disciplined_members=self.disciplined.value(),
                      classification=self.classification.currentData(),
                      expected_version=self.evaluation.version if self.evaluation else None)
        except DecidedYearError:
            return False
        except UserError as error:
            show_error(self, error)
            return False
        self.dirty = False
        self.main.show_status(f"Đã lưu phiếu chấm của {self.unit.currentText()}.")
        # The change notice of the save marks this tab stale and redraws it (and the few
        # cells it touched are read again in the year's overview).
        if self.stale:
            self.refresh()
        return True

    def discard(self) -> None:
        if self.dirty and not confirm(self, "Bỏ các thay đổi chưa lưu của phiếu chấm này?"):
            return
        self.dirty = False
        self.load()
