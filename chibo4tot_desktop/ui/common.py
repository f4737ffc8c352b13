"""Small Qt helpers shared by the tabs and dialogs: error boxes, the Vietnamese sort/filter
proxy, the base table model, date fields and the button row every tab carries."""

from __future__ import annotations

import datetime as dt
import sys
import traceback

from PySide6.QtCore import (QAbstractTableModel, QItemSelectionModel, QModelIndex,
                            QSortFilterProxyModel, Qt)
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLineEdit,
                               QMessageBox, QPushButton, QTableView, QWidget)

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import DecidedYearError, UserError, ValidationError
from chibo4tot_desktop.text import DateParseError, fold, format_date, parse_date, sort_key
from chibo4tot_desktop.ui.widgets.flow_layout import FlowLayout

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2


def show_error(parent: QWidget | None, error: Exception | str) -> None:
    """A Vietnamese message box for an error the user can act on, pointing to the guide's
    section about it ("Xem hướng dẫn" opens it)."""
    from chibo4tot_desktop.ui.help import offer_help

    offer_help(parent, error)


def confirm(parent: QWidget | None, question: str) -> bool:
    answer = QMessageBox.question(parent, APP_TITLE, question,
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                  QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


def ask_reason(parent: QWidget | None, error: DecidedYearError) -> str | None:
    """The written reason to go on with a change that moves a decided year (None: the user
    keeps the year as it was)."""
    from PySide6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getMultiLineText(
        parent, APP_TITLE, f"{error}\n\nLý do thay đổi (ghi vào nhật ký):", "")
    return text if ok and text.strip() else None


def confirmed(parent: QWidget | None, action, *args, **kwargs):
    """Call a core operation; when it would move a decided year, ask for the reason and call
    it again with ``confirm=`` (DecidedYearError again when the user declines)."""
    try:
        return action(*args, **kwargs)
    except DecidedYearError as error:
        reason = ask_reason(parent, error)
        if reason is None:
            raise
        return action(*args, **{**kwargs, "confirm": reason})


def run_action(parent: QWidget | None, action, *args, **kwargs):
    """Call a core operation; a UserError becomes a message box. Returns None on error. A
    change that moves a decided year asks for a written reason first."""
    try:
        return confirmed(parent, action, *args, **kwargs)
    except DecidedYearError:
        return None         # the user chose to keep the decided year as it was
    except UserError as error:
        show_error(parent, error)
        return None


def unexpected_error_box(kind, value, tb) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE,
                      "Đã xảy ra lỗi không mong muốn. Dữ liệu đã lưu trước đó không bị ảnh "
                      "hưởng; hãy kiểm tra lại thao tác vừa làm.\nNếu lỗi lặp lại, hãy gửi "
                      "phần “Chi tiết” cho người hỗ trợ kỹ thuật.")
    box.setDetailedText("".join(traceback.format_exception(kind, value, tb)))
    return box


def excepthook(kind, value, tb) -> None:
    """Unexpected errors become a Vietnamese message box (the details stay folded away);
    an error the user can act on shows its own Vietnamese message."""
    if isinstance(value, UserError):
        show_error(None, value)
        return
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    traceback.print_exception(kind, value, tb)
    unexpected_error_box(kind, value, tb).exec()


def install_excepthook() -> None:
    sys.excepthook = excepthook


class RowsTableModel(QAbstractTableModel):
    """A table over a list of row objects; subclasses give HEADERS, ``display`` and
    ``sort_value``. Values are computed only for the rows the view asks for."""

    HEADERS: tuple[str, ...] = ()
    NUMERIC: frozenset[int] = frozenset()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self._search: list[str] | None = None
        self._sorted_by: tuple[int, Qt.SortOrder] | None = None
        self._text_keys: dict[str, tuple] = {}   # sort key of each text met, kept across sorts

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self._search = None
        if len(self._text_keys) > 8 * len(self.rows) + 1000:   # texts of rows long gone
            self._text_keys.clear()
        if self._sorted_by is not None:
            self.rows = self._ordered(*self._sorted_by)
        self.endResetModel()

    def _key(self, row, column):
        value = self.sort_value(row, column)
        if value is None:
            return (0, 0)
        if isinstance(value, str):
            key = self._text_keys.get(value)
            if key is None:
                key = self._text_keys[value] = sort_key(value)
            return (2, key)
        return (1, value)

    def _ordered(self, column: int, order: Qt.SortOrder) -> list:
        keys = [self._key(row, column) for row in self.rows]
        index = sorted(range(len(self.rows)), key=keys.__getitem__,
                       reverse=order == Qt.SortOrder.DescendingOrder)
        return [self.rows[i] for i in index]

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """The program's Vietnamese order (``text.sort_key``, the one the command line, Excel
        and PDF use), numbers by value, None first.

        One key per row (text keys cached by value), then Python's sort: 10,000 rows sort in
        tens of milliseconds, where a per-comparison ``lessThan`` would take about a second."""
        if not 0 <= column < len(self.HEADERS):
            return
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        before = [self.rows[index.row()] for index in persistent]
        self.rows = self._ordered(column, order)
        self._search = None
        self._sorted_by = (column, order)
        position = {id(row): number for number, row in enumerate(self.rows)}
        self.changePersistentIndexList(
            persistent, [self.index(position[id(row)], index.column())
                         for row, index in zip(before, persistent)])
        self.layoutChanged.emit()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.HEADERS[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display(row, column)
        if role == SORT_ROLE:
            return self.sort_value(row, column)
        if role == ID_ROLE:
            return self.row_id(row)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self.foreground(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tooltip(row, column)
        return None

    def display(self, row, column: int) -> str:
        raise NotImplementedError

    def sort_value(self, row, column: int):
        return self.display(row, column)

    def row_id(self, row):
        return row.id

    def foreground(self, row, column: int):
        return None

    def tooltip(self, row, column: int):
        return None

    def search_text(self, source_row: int) -> str:
        """The row's text folded (no accents, lower case) for the search box."""
        if self._search is None:
            self._search = [None] * len(self.rows)
        text = self._search[source_row]
        if text is None:
            row = self.rows[source_row]
            text = fold(" ".join(str(self.display(row, c)) for c in range(len(self.HEADERS))),
                        accents=False)
            self._search[source_row] = text
        return text


class VietnameseSortProxy(QSortFilterProxyModel):
    """Sorts in the program's Vietnamese order (``text.sort_key``, numbers by value; the work
    is done by the source model with cached sort keys) and filters rows by an
    accent-insensitive search over every column (``text.fold(..., accents=False)``)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSortRole(SORT_ROLE)
        self._pattern = ""
        self.row_filter = None   # optional callable(row object) -> bool

    def _refilter(self, change) -> None:
        if hasattr(self, "beginFilterChange"):      # Qt >= 6.9
            self.beginFilterChange()
            change()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            change()
            self.invalidateRowsFilter()

    def set_search(self, text: str) -> None:
        self._refilter(lambda: setattr(self, "_pattern", fold(text or "", accents=False)))

    def set_row_filter(self, predicate) -> None:
        self._refilter(lambda: setattr(self, "row_filter", predicate))

    def filterAcceptsRow(self, source_row, source_parent):
        model = self.sourceModel()
        if self.row_filter is not None and not self.row_filter(model.rows[source_row]):
            return False
        if not self._pattern:
            return True
        return all(word in model.search_text(source_row) for word in self._pattern.split())

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        """The source model sorts itself (Vietnamese collation, see RowsTableModel.sort);
        the proxy keeps the source's order and only filters."""
        self.sourceModel().sort(column, order)
        super().sort(-1)


def make_table(model: RowsTableModel, parent=None) -> tuple[QTableView, VietnameseSortProxy]:
    proxy = VietnameseSortProxy(parent)
    proxy.setSourceModel(model)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    return view, proxy


def set_column_widths(view: QTableView, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        view.setColumnWidth(column, width)


def selected_ids(view: QTableView) -> list:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return [index.data(ID_ROLE) for index in sorted(rows, key=lambda i: i.row())]


def select_ids(view: QTableView, ids) -> None:
    """Select the rows whose ``ID_ROLE`` is in ``ids`` and show the first."""
    wanted = set(ids)
    model, selection = view.model(), view.selectionModel()
    selection.clearSelection()
    first = None
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(ID_ROLE) in wanted:
            selection.select(index, QItemSelectionModel.SelectionFlag.Select
                             | QItemSelectionModel.SelectionFlag.Rows)
            first = first or index
    if first is not None:
        view.scrollTo(first)
        selection.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)


class ButtonRow(FlowLayout):
    """The row of buttons above a tab's table; it wraps onto a second line on a narrow
    screen. Other parts add theirs ("Xuất Excel", "In") with ``add_button``."""

    def add_button(self, text: str, slot=None, tooltip: str = "") -> QPushButton:
        button = QPushButton(text)
        if slot is not None:
            button.clicked.connect(slot)
        if tooltip:
            button.setToolTip(tooltip)
        self.addWidget(button)
        return button

    def add_widget(self, widget: QWidget) -> None:
        self.addWidget(widget)


class DateField(QLineEdit):
    """A date typed as dd/mm/yyyy; ``date()`` raises ValidationError in Vietnamese."""

    def __init__(self, value: dt.date | None = None, label: str = "ngày", required=True,
                 parent=None):
        super().__init__(parent)
        self.label = label
        self.required = required
        self.setPlaceholderText("dd/mm/yyyy")
        self.setMaximumWidth(130)
        self.set_date(value)

    def set_date(self, value: dt.date | None) -> None:
        self.setText(format_date(value))

    def date(self) -> dt.date | None:
        if not self.text().strip():
            if self.required:
                raise ValidationError(f"Chưa nhập {self.label}.", "date")
            return None
        try:
            return parse_date(self.text())
        except DateParseError as error:
            raise ValidationError(f"{self.label[0].upper() + self.label[1:]}: {error}.",
                                  "date") from None
