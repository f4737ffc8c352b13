"""Chấm điểm: pick a cell (or the organisation itself), enter for every criteria item the
cell's own score and the committee's score; the totals, the classification under the year's
regulation and the verdict with its reasons follow as you type. The committee confirms the
year's HTXSNV conditions here, and may decide a classification with its written reason. All of
it is computed by ``ops.verdicts.evaluate`` (the rules live in the core); saving goes through
``ops.scoring.save_evaluation`` with the version read."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QAbstractListModel, QModelIndex, Qt, QTimer
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
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
from chibo4tot_desktop.ops.verdicts import ScoreInput, confirmed_conditions, evaluate
from chibo4tot_desktop.ui.common import confirm, confirmed, show_error
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab
from chibo4tot_desktop.ui.widgets.score_edit import ScoreEdit

ORGANISATION = -1   # combo data for the organisation's own evaluation
_UNREAD = object()  # a unit's saved sheet not read yet (``ScoringTab.load``)


def _centred(box: QWidget) -> QWidget:
    """The score box at its natural height, centred in a tall (wrapped-text) row."""
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 0, 4, 0)
    layout.addWidget(box, 0, Qt.AlignmentFlag.AlignVCenter)
    return holder


class UnitsModel(QAbstractListModel):
    """The units to score (every cell of the year, then the ward) for the unit box: one list,
    read by the box for the rows it shows (a province's 3,000 or 100,000 names are not made
    into one item each); the place of a unit found by its id in a dict."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._units: list[tuple[str, int]] = []
        self._rows: dict[int, int] = {}

    def set_units(self, units: list[tuple[str, int]]) -> None:
        if units == self._units:
            return
        self.beginResetModel()
        self._units = units
        self._rows = {unit_id: row for row, (_name, unit_id) in enumerate(units)}
        self.endResetModel()

    def row_of(self, unit_id) -> int:
        return self._rows.get(unit_id, -1) if unit_id is not None else -1

    def rowCount(self, parent=QModelIndex()) -> int:      # noqa: B008 - Qt's
        return 0 if parent.isValid() else len(self._units)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._units):
            return None
        name, unit_id = self._units[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return name
        if role == Qt.ItemDataRole.UserRole:
            return unit_id
        return None


class ScoringTab(BaseTab):
    TOPICS = frozenset({changes.CELLS, changes.EVALUATIONS,
                        changes.SETTINGS})
    NUMBER, TEXT, MAX, SELF, COMMITTEE = range(5)

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.unit = QComboBox()
        self.units_model = UnitsModel(self.unit)
        self.unit.setModel(self.units_model)
        # Sized by a name's usual length, not by measuring every name; the list's rows all
        # one height, so it draws the rows on screen only.
        self.unit.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.unit.setMinimumContentsLength(32)
        self.unit.view().setUniformItemSizes(True)
        self.unit.setMinimumWidth(260)
        self.button_row.insertWidget(0, QLabel("Đơn vị được chấm:"))
        self.button_row.insertWidget(1, self.unit)
        self.save_button = self.button_row.add_button("Lưu phiếu chấm (Ctrl+S)", self.save)
        self.reload_button = self.button_row.add_button("Bỏ thay đổi", self.discard)
        self.phase = None
        self.overview = None
        self.evaluation = None
        self.dirty = False
        self._loading = False
        self.boxes: dict[int, tuple[ScoreEdit, ScoreEdit]] = {}
        self.group_rows: dict[int, int] = {}
        self.current_unit = None
        self._shape = None          # what the sheet's rows were built for (see load)
        self._read_for = None       # (office, year) of the phase and identity read
        self._identity = None
        self.upper_body = ""

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
        self.table.setTabKeyNavigation(False)   # Tab walks the score boxes
        self.problem_label = QLabel()
        self.problem_label.setObjectName("scoreProblems")
        self.problem_label.setWordWrap(True)
        self.problem_label.setStyleSheet("color: #b00020; font-weight: bold;")
        self.problem_label.hide()
        sheet = QWidget()
        sheet_layout = QVBoxLayout(sheet)
        sheet_layout.setContentsMargins(0, 0, 0, 0)
        sheet_layout.addWidget(self.table, 1)
        sheet_layout.addWidget(self.problem_label)
        splitter.addWidget(sheet)

        side = _Panel(self._fit_form_soon)
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
        form_box = self.form_box = QGroupBox("Đánh giá của Đảng ủy")
        form = QFormLayout(form_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.disciplined = QSpinBox()
        self.disciplined.setRange(0, 100000)
        self.disciplined.setMaximumWidth(100)
        self.disciplined_from_cells = QLabel()
        self.disciplined_from_cells.setObjectName("disciplinedFromCells")
        self.disciplined_from_cells.setWordWrap(True)
        self.regulation_label = QLabel()
        self.regulation_label.setObjectName("regulation")
        # Its short name ("Quy định 124-QĐ/TW") on one line: a wrapped label in this form row
        # was cut to half its height at 1366×768. The citation is its tooltip.
        self.conditions_box = QWidget()
        self.conditions_layout = QVBoxLayout(self.conditions_box)
        self.conditions_layout.setContentsMargins(0, 0, 0, 0)
        self.condition_checks: dict[str, QCheckBox] = {}
        self._condition_rows: list[QWidget] = []
        self.classification = QComboBox()
        self.classification.addItem("Theo quy định (tự động)", None)
        for c in rules.Classification:
            self.classification.addItem(f"{c.value} – {c.label}", c.value)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("bắt buộc khi xếp loại khác kết quả theo quy định")
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(70)
        self.notes.setTabChangesFocus(True)
        form.addRow("Quy định xếp loại:", self.regulation_label)
        form.addRow("Đảng viên bị kỷ luật:", self.disciplined)
        form.addRow("", self.disciplined_from_cells)
        # The conditions take the form's whole width: their texts are long and the panel is
        # narrow at 1366×768.
        form.addRow(QLabel("Điều kiện HTXSNV Đảng ủy xác nhận:"))
        form.addRow(self.conditions_box)
        form.addRow("Xếp loại quyết định:", self.classification)
        form.addRow("Lý do quyết định:", self.reason)
        form.addRow("Ghi chú:", self.notes)
        side_layout.addWidget(form_box, 0)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([960, 360])     # the sheet first: a whole group at 1366×768
        self.layout_.addWidget(splitter, 1)

        self.unit.currentIndexChanged.connect(self._unit_changed)
        header.sectionResized.connect(self._fit_rows)
        self.disciplined.valueChanged.connect(self._edited)
        self.classification.currentIndexChanged.connect(self._edited)
        self.reason.textChanged.connect(self._edited)
        self.notes.textChanged.connect(self._edited)

    # ------------------------------------------------------------------------------ loading
    def refresh(self) -> None:
        year = self.year()
        if year is None:
            self.stale = False
            return
        overview = self.main.overviews.get(year)
        if overview is None:
            # Still stale: drawn again when the overview is ready. A sheet of the year and
            # of this data file on screen stays as it is meanwhile (after its own save, the
            # year is being updated).
            if self.overview is None or self.overview.year != year \
                    or self.current_unit is None or self._read_for is None \
                    or self._read_for[0] is not self.office:
                self.verdict_label.setText(f"Năm {year}: đang tổng hợp…")
            return
        self.stale = False
        self.overview = overview
        units = [(state.cell.name, state.cell.id) for state in overview.cells]
        # The unit shown stays if it is still in the year; otherwise the first.
        unit = self.current_unit
        if unit != ORGANISATION and unit not in {cell_id for _name, cell_id in units}:
            unit = units[0][1] if units else ORGANISATION
        evaluation = _UNREAD
        if self._read_for is None or self._read_for[0] is not self.office \
                or self._read_for[1] != year:
            # The phase, the identity and the unit's saved sheet in one read.
            self.phase, self._identity, evaluation = queries.scoring_sheet(
                self.office, year, None if unit == ORGANISATION else unit)
            self._read_for = (self.office, year)
        identity = self._identity
        self.upper_body = identity.upper_body
        units.append((f"{identity.name} (tự chấm “Đảng bộ cơ sở 4 tốt”)", ORGANISATION))
        self.unit.blockSignals(True)
        self.units_model.set_units(units)     # a province's names: one list, no item each
        self.unit.setCurrentIndex(self.units_model.row_of(unit))
        self.unit.blockSignals(False)
        if self.dirty and unit == self.current_unit and self._same_catalogue():
            self.recompute()
        else:
            self.load(evaluation)

    def data_changed(self, topics) -> None:
        # The year's phase and the ward's identity are read again unless only scoring sheets
        # changed (a saved sheet leaves them as they were).
        if set(topics) - {changes.EVALUATIONS}:
            self._read_for = None

    def _same_catalogue(self) -> bool:
        ids = {item.id for g in self.phase.catalogue(self.year(), self.scope())
               for item in g.items}
        return ids == set(self.boxes)

    def words(self) -> tuple[str, str]:
        """Who scores the sheet shown, as its columns say: a cell and the ward's committee,
        or, on the ward's own sheet, the ward and the level above it."""
        if self.scope() is Scope.ORGANISATION:
            upper = self.upper_body or "cấp trên"
            return "Đảng bộ tự chấm", f"{upper[0].upper()}{upper[1:]} chấm"
        return "Chi bộ tự chấm", "Đảng ủy chấm"

    def scope(self) -> Scope:
        return Scope.ORGANISATION if self.unit.currentData() == ORGANISATION else Scope.CELL

    def cell_id(self) -> int | None:
        unit = self.unit.currentData()
        return None if unit == ORGANISATION else unit

    def select_cell(self, cell_id: int | None) -> None:
        """Show the scoring sheet of ``cell_id`` (None: the organisation)."""
        index = self.units_model.row_of(ORGANISATION if cell_id is None else cell_id)
        if index >= 0:
            self.unit.setCurrentIndex(index)

    def _unit_changed(self, _index) -> None:
        if self.dirty and self.current_unit is not None:
            if confirm(self, "Phiếu chấm đang sửa chưa được lưu. Lưu trước khi chuyển?"):
                previous = self.unit.currentData()
                self.unit.blockSignals(True)
                self.unit.setCurrentIndex(self.units_model.row_of(self.current_unit))
                self.unit.blockSignals(False)
                if not self.save():
                    return
                self.unit.setCurrentIndex(self.units_model.row_of(previous))
                return
        self.load()

    def load(self, evaluation=_UNREAD) -> None:
        """Build the sheet of the selected unit from the database (``evaluation``: its saved
        sheet, already read with the phase)."""
        year = self.year()
        if year is None or self.unit.currentData() is None:
            return
        self._loading = True
        self.current_unit = self.unit.currentData()
        self.evaluation = queries.evaluation(self.office, self.cell_id(), year) \
            if evaluation is _UNREAD else evaluation
        scores = {s.item_id: s for s in self.evaluation.scores} if self.evaluation else {}
        groups = self.phase.catalogue(year, self.scope())
        own_words, upper_words = self.words()
        self.table.setHorizontalHeaderLabels(["Mục", "Nội dung tiêu chí", "Tối đa", own_words,
                                              upper_words])
        self.form_box.setTitle("Đánh giá của cấp trên" if self.scope() is Scope.ORGANISATION
                               else "Đánh giá của Đảng ủy")
        # The sheet's rows and boxes are built again only when its items or its words
        # change: another unit with the same catalogue, or the same sheet read again after
        # a save, only takes the new values.
        shape = (own_words, upper_words,
                 tuple((group.position, tuple((item.id, item.position, item.text,
                                               item.max_points) for item in group.items))
                       for group in groups))
        if shape != self._shape:
            self._build_sheet(groups, own_words, upper_words)
            self._shape = shape
        for item_id, (own, committee) in self.boxes.items():
            score = scores.get(item_id)
            own.set_points(score.self_points if score else None)
            committee.set_points(score.committee_points if score else None)
        typed = self.disciplined_typed()
        self.disciplined.setVisible(typed)
        self.disciplined.setValue(self.evaluation.disciplined_members
                                  if typed and self.evaluation else 0)
        self._build_conditions()
        decided = self.evaluation.classification if self.evaluation else None
        self.classification.setCurrentIndex(max(0, self.classification.findData(decided)))
        self.reason.setText(self.evaluation.classification_reason if self.evaluation else "")
        self.notes.setPlainText(self.evaluation.notes if self.evaluation else "")
        self._loading = False
        self.dirty = False
        self.recompute()

    def _build_sheet(self, groups, own_words: str, upper_words: str) -> None:
        """A row for each group and item of the catalogue, with its two score boxes."""
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
                shown = SimpleNamespace(label=f"{group.position}.{item.position}",
                                        max_points=item.max_points)
                own = ScoreEdit(shown, own_words[0].lower() + own_words[1:])
                committee = ScoreEdit(shown, upper_words)
                for column, box in ((self.SELF, own), (self.COMMITTEE, committee)):
                    box.edited.connect(self._edited)
                    box.moved.connect(lambda step, r=row, c=column: self._move(r, c, step))
                    box.focused.connect(lambda r=row, c=column: self._show_cell(r, c))
                self.table.setCellWidget(row, self.SELF, _centred(own))
                self.table.setCellWidget(row, self.COMMITTEE, _centred(committee))
                self.boxes[item.id] = (own, committee)
        self._fit_rows()
        self._chain_focus()

    def _build_conditions(self) -> None:
        """A check box for each HTXSNV condition of the year the committee confirms."""
        for widget in self._condition_rows:
            self.conditions_layout.removeWidget(widget)
            widget.deleteLater()
        self._condition_rows.clear()
        self.condition_checks.clear()
        year_rules = self.overview.year_rules
        # the short name on the sheet, the whole citation on hover (the papers print it)
        self.regulation_label.setText(year_rules.regulation_name)
        self.regulation_label.setToolTip(year_rules.regulation_citation)
        confirmed = confirmed_conditions(self.evaluation)
        for condition in year_rules.excellent_conditions:
            if condition.check is not rules.ConditionCheck.CONFIRMED:
                continue
            # The text wraps beside its box (a check box's own text does not): the panel is
            # narrow at 1366×768.
            box = QCheckBox()
            box.setAccessibleName(condition.text)
            text = _ClickLabel(condition.text, box)
            for widget in (box, text):
                widget.setToolTip(f"Nguồn: {condition.source.describe()}")
            box.setChecked(condition.key in confirmed)
            box.toggled.connect(self._edited)
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            row_layout.addWidget(box, 0, Qt.AlignmentFlag.AlignTop)
            row_layout.addWidget(text, 1)
            self.conditions_layout.addWidget(row)
            self.condition_checks[condition.key] = box
            self._condition_rows.append(row)
        if not self.condition_checks:
            box = QLabel("(năm này không có điều kiện cần Đảng ủy xác nhận)")
            box.setEnabled(False)
            box.setWordWrap(True)
            self.conditions_layout.addWidget(box)
            self.condition_checks[""] = box
            self._condition_rows.append(box)
        self._fit_form_soon()

    def _fit_form_soon(self) -> None:
        """After the layout has placed the rows at their widths (the next turn of the loop)."""
        QTimer.singleShot(0, self, self._fit_form)

    def _fit_form(self) -> None:
        """Give the committee's form the height its wrapped texts need at the panel's width
        (a vertical layout hands out sizes by hints that assume a wider panel)."""
        form_box = self.form_box
        for row in self._condition_rows:
            text = row.findChild(_ClickLabel)
            if text is not None and text.width() > 0:
                text.setMinimumHeight(max(text.heightForWidth(text.width()), 0))
                row.layout().invalidate()
        self.conditions_layout.invalidate()
        form_box.layout().invalidate()
        form_box.setMinimumHeight(0)
        needed = form_box.heightForWidth(max(form_box.width(), 1))
        if needed > 0:
            form_box.setMinimumHeight(needed)

    def confirmed(self) -> list[str]:
        return [key for key, box in self.condition_checks.items()
                if key and box.isChecked()]

    def _fit_rows(self, *_args) -> None:
        """Rows tall enough for the wrapped item text and the spin boxes."""
        self.table.resizeRowsToContents()
        for row in range(self.table.rowCount()):
            self.table.setRowHeight(row, max(self.table.rowHeight(row) + 4, 32))

    def _chain_focus(self) -> None:
        """Tab and Enter walk the sheet row by row: own score, committee score, next item."""
        chain = [box for pair in self.boxes.values() for box in pair]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)
        if chain:
            QWidget.setTabOrder(chain[-1], self.disciplined)

    def _move(self, row: int, column: int, step: int) -> None:
        """Up/Down: the box of the same column in the item above or below."""
        row += step
        while 0 <= row < self.table.rowCount():
            holder = self.table.cellWidget(row, column)
            if holder is not None:
                holder.findChild(ScoreEdit).setFocus(Qt.FocusReason.OtherFocusReason)
                return
            row += step

    def _show_cell(self, row: int, column: int) -> None:
        self.table.scrollTo(self.table.model().index(row, column))

    # ---------------------------------------------------------------------------- editing
    def _edited(self, *_args) -> None:
        self._show_problems()
        if self._loading:
            return
        self.dirty = True
        self.recompute()

    def problems(self) -> list[tuple[ScoreEdit, str]]:
        """The boxes whose text the core refuses, with the reason."""
        return [(box, box.error()) for pair in self.boxes.values() for box in pair
                if box.error()]

    def _show_problems(self) -> None:
        problems = self.problems()
        self.problem_label.setVisible(bool(problems))
        if problems:
            more = f" (và {len(problems) - 1} ô khác)" if len(problems) > 1 else ""
            self.problem_label.setText(f"Chưa lưu được: {problems[0][1]}{more}")

    def disciplined_typed(self) -> bool:
        """A cell's sheet takes its disciplined members; the organisation's only where the
        year's rules read its own figure instead of counting its cells'."""
        return (self.scope() is Scope.CELL or self.overview is None
                or not self.overview.year_rules.org_disciplined_from_cells)

    def draft(self) -> SimpleNamespace:
        """What is on the screen, shaped like an Evaluation for ``office.evaluate``."""
        scores = [SimpleNamespace(item_id=item_id, self_points=own.points(),
                                  committee_points=committee.points())
                  for item_id, (own, committee) in self.boxes.items()]
        return SimpleNamespace(scores=scores, disciplined_members=self.disciplined.value(),
                               classification=self.classification.currentData(),
                               classification_reason=self.decision_reason(),
                               conditions_met=self.confirmed())

    def decision_reason(self) -> str:
        """The reason is the decision's: with no decision there is none to save."""
        return self.reason.text() if self.classification.currentData() else ""

    def recompute(self):
        if self.phase is None:
            return None
        self.reason.setEnabled(self.classification.currentData() is not None)
        result = evaluate(self.phase, self.overview.year_rules, self.draft(), self.scope(),
                          self.overview.context_of(self.cell_id()), year=self.year())
        if self.scope() is Scope.ORGANISATION and self.disciplined_typed():
            self.disciplined_from_cells.setText(
                f"Năm {self.year()}: số trên phiếu chấm của đảng bộ (theo quy định của năm)")
        elif self.scope() is Scope.ORGANISATION:
            detail = self.overview.context_of(None).disciplined_detail
            listed = "; ".join(f"{name}: {count}" for name, count in detail)
            self.disciplined_from_cells.setText(
                f"Đảng bộ: {result.disciplined}, cộng từ phiếu chấm các chi bộ"
                + (f" ({listed})" if listed else ""))
        else:
            self.disciplined_from_cells.setText("")
        self.form_box.layout().setRowVisible(self.disciplined_from_cells,
                                             bool(self.disciplined_from_cells.text()))
        own_words, upper_words = self.words()
        for own, group in zip(result.self_totals.groups, result.committee_totals.groups):
            row = self.group_rows.get(group.position)
            if row is None:
                continue
            mark = "" if group.missing else (" ✓" if group.passed else " ✗")
            self.table.item(row, 0).setText(
                f"Nhóm {group.position}. {group.title} — tự chấm "
                f"{rules.fmt_points(own.points)}/{rules.fmt_points(own.max_points)}, "
                f"{upper_words} {rules.fmt_points(group.points)}/"
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
        lines = [f"{own_words}: {rules.fmt_points(result.self_totals.total)}/"
                 f"{rules.fmt_points(result.self_totals.max_total)}",
                 f"{upper_words}: {rules.fmt_points(committee.total)}/"
                 f"{rules.fmt_points(committee.max_total)}"]
        if result.computed_classification is not None:
            c = result.computed_classification
            lines.append(f"Xếp loại theo {result.rules.regulation_name}: {c.value} – {c.label}")
        if verdict.classification is not None and committee.complete:
            decided = " (Đảng ủy quyết định)" if verdict.overridden else ""
            lines.append(f"Xếp loại: {verdict.classification.value} – "
                         f"{verdict.classification.label}{decided}")
        self.totals_label.setText("\n".join(lines))
        self.reasons.clear()
        for reason in verdict.reasons:
            item = QListWidgetItem(f"{reason.mark} {reason.text}")
            item.setForeground(QColor("#b00020") if not reason.ok else
                               QColor("#9a6700") if reason.warning else QColor("#1b7a1b"))
            self.reasons.addItem(item)
        self.result = result
        return result

    # ----------------------------------------------------------------------------- saving
    def save(self) -> bool:
        year = self.year()
        if year is None or self.current_unit is None:
            return False
        problems = self.problems()
        if problems:
            box, reason = problems[0]
            show_error(self, reason)
            box.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        scores = {item_id: ScoreInput(own.points(), committee.points())
                  for item_id, (own, committee) in self.boxes.items()}
        try:
            confirmed(self, save_evaluation, self.office,
                      self.cell_id(), year, scores=scores, notes=self.notes.toPlainText(),
                      disciplined_members=(self.disciplined.value() if self.disciplined_typed()
                                           else 0),
                      classification=self.classification.currentData(),
                      classification_reason=self.decision_reason(),
                      conditions_met=self.confirmed(),
                      expected_version=self.evaluation.version if self.evaluation else None)
        except DecidedYearError:
            return False
        except UserError as error:
            show_error(self, error)
            return False
        self.dirty = False
        self.main.show_status(f"Đã lưu phiếu chấm của {self.unit.currentText()}.")
        # The sheet as saved, with its new version: the change notice came while the sheet
        # was still being edited (it was only recomputed), and a second save must not be
        # taken for someone else's change.
        self.evaluation = queries.evaluation(self.office, self.cell_id(), year)
        self.recompute()
        # The change notice marked this tab stale: it is drawn again once the year's overview
        # has read again the cells the save touched (at once in a small office).
        if self.stale:
            self.refresh()
        return True

    def discard(self) -> None:
        if self.dirty and not confirm(self, "Bỏ các thay đổi chưa lưu của phiếu chấm này?"):
            return
        self.dirty = False
        self.load()


class _Panel(QWidget):
    """The side panel: tells the tab when its width changes (the form's height follows)."""

    def __init__(self, resized):
        super().__init__()
        self._resized = resized

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._resized()


class _ClickLabel(QLabel):
    """A condition's wrapped text: a click on it ticks its box, as a check box's text does."""

    def __init__(self, text: str, box: QCheckBox):
        super().__init__(text)
        self.setWordWrap(True)
        self.box = box

    def mousePressEvent(self, event) -> None:
        if self.box.isEnabled():
            self.box.toggle()
        super().mousePressEvent(event)
