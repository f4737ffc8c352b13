"""Small Qt helpers shared by the tabs and dialogs: error boxes, the table view of a listing,
date fields and the button row every tab carries."""

from __future__ import annotations

import datetime as dt
import sys
import traceback

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLineEdit,
                               QMessageBox, QPushButton, QTableView, QWidget)

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import DecidedYearError, UserError, ValidationError
from chibo4tot_desktop.text import DateParseError, format_date, parse_date
from chibo4tot_desktop.ui.widgets.flow_layout import FlowLayout

ID_ROLE = Qt.ItemDataRole.UserRole + 2   # the row's id (``ListingModel``)


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


def make_table(model, parent=None) -> QTableView:
    """A read-only table of rows over a ``ListingModel`` (sorting by header click asks the
    model, which orders in the program's Vietnamese order)."""
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setHighlightSections(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.setWordWrap(False)
    shaped = []        # the columns the widths were set for

    def shape() -> None:
        columns = getattr(model, "columns", ())
        if columns and columns != (shaped[0] if shaped else None):
            shaped[:] = [columns]
            for number, column in enumerate(columns):
                view.setColumnWidth(number, column.width)
            query = getattr(model, "query", None)
            keys = [column.key for column in columns]
            if query is not None and query.column in keys:
                header = view.horizontalHeader()
                header.blockSignals(True)        # shows the order; does not ask it again
                header.setSortIndicator(keys.index(query.column), Qt.SortOrder.DescendingOrder
                                        if query.descending else Qt.SortOrder.AscendingOrder)
                header.blockSignals(False)

    model.modelReset.connect(shape)
    shape()
    listing = getattr(model, "listing", None)
    view.setSortingEnabled(listing is None or listing.sortable)
    return view


def selected_ids(view: QTableView) -> list:
    rows = view.selectionModel().selectedRows() if view.selectionModel() else []
    return [index.data(ID_ROLE) for index in sorted(rows, key=lambda i: i.row())]


def select_ids(view: QTableView, ids) -> None:
    """Select the rows whose ``ID_ROLE`` is in ``ids`` and show the first (once the
    ``ListingModel``'s order is ready, when it is being computed)."""
    model, selection = view.model(), view.selectionModel()
    if model.busy:
        def when_ready() -> None:
            model.idsReady.disconnect(when_ready)
            select_ids(view, ids)

        model.idsReady.connect(when_ready)
        return
    selection.clearSelection()
    first = None
    # ``ListingModel.row_of``: the row of an id without reading the rows' pages
    rows = sorted(row for row in map(model.row_of, set(ids)) if row is not None)
    for row in rows:
        index = model.index(row, 0)
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
