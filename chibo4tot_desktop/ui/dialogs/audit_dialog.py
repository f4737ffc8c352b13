"""Nhật ký thay đổi: who changed what and when, filterable (record kind, user, action, dates,
text without diacritics). Read-only; the rows come from ``listings.AuditListing`` page by
page, so a log of a hundred thousand changes opens and filters without holding the window."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.listings import AuditListing
from chibo4tot_desktop.safety.audit_query import (
    ACTION_LABELS,
    TABLE_LABELS,
    AuditFilter,
    audit_tables,
    audit_users,
)
from chibo4tot_desktop.ui.common import make_table, show_error
from chibo4tot_desktop.ui.models.listing_model import ListingModel
from chibo4tot_desktop.ui.screen import ProgramDialog


def _to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


class AuditDialog(ProgramDialog):
    def __init__(self, db: Database, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle("Nhật ký thay đổi dữ liệu")
        self.resize(1100, 600)

        self.table_combo = QComboBox()
        self.table_combo.addItem("Tất cả", None)
        for name in audit_tables(db):
            self.table_combo.addItem(TABLE_LABELS.get(name, name), name)
        self.user_combo = QComboBox()
        self.user_combo.addItem("Tất cả", None)
        for user in audit_users(db):
            self.user_combo.addItem(user, user)
        self.action_combo = QComboBox()
        self.action_combo.addItem("Tất cả", None)
        for action, label in ACTION_LABELS.items():
            self.action_combo.addItem(label, action)
        self.text_edit = QLineEdit()
        self.text_edit.setPlaceholderText("Tìm (gõ có dấu hay không dấu đều được)")
        self.text_edit.setClearButtonEnabled(True)
        today = QDate.currentDate()
        self.since_check = QCheckBox("Từ ngày")
        self.since_edit = QDateEdit(today.addMonths(-1))
        self.until_check = QCheckBox("Đến ngày")
        self.until_edit = QDateEdit(today)
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
        self.since_check.toggled.connect(self.since_edit.setEnabled)
        self.until_check.toggled.connect(self.until_edit.setEnabled)

        filters = QGridLayout()
        filters.addWidget(QLabel("Loại hồ sơ"), 0, 0)
        filters.addWidget(self.table_combo, 0, 1)
        filters.addWidget(QLabel("Người dùng"), 0, 2)
        filters.addWidget(self.user_combo, 0, 3)
        filters.addWidget(QLabel("Thao tác"), 0, 4)
        filters.addWidget(self.action_combo, 0, 5)
        filters.addWidget(self.text_edit, 1, 0, 1, 2)
        filters.addWidget(self.since_check, 1, 2)
        filters.addWidget(self.since_edit, 1, 3)
        filters.addWidget(self.until_check, 1, 4)
        filters.addWidget(self.until_edit, 1, 5)

        self.model = ListingModel(AuditListing(db, AuditFilter()), self)
        self.model.idsReady.connect(self._show_count)
        self.model.failed.connect(lambda text: show_error(self, text))
        self.table = make_table(self.model, self)
        self.count_label = QLabel()
        close_button = QPushButton("Đóng")
        close_button.clicked.connect(self.accept)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        bottom = QGridLayout()
        bottom.addWidget(self.count_label, 0, 0)
        bottom.addWidget(close_button, 0, 1, Qt.AlignmentFlag.AlignRight)
        layout.addLayout(bottom)

        # Typing waits a moment before searching; the other filters apply at once.
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(300)
        self._typing.timeout.connect(self.refresh)
        self.text_edit.textChanged.connect(self._typing.start)
        for combo in (self.table_combo, self.user_combo, self.action_combo):
            combo.currentIndexChanged.connect(self.refresh)
        for widget in (self.since_check, self.until_check):
            widget.toggled.connect(self.refresh)
        for edit in (self.since_edit, self.until_edit):
            edit.dateChanged.connect(self.refresh)
        self._show_count()

    def current_filter(self) -> AuditFilter:
        return AuditFilter(
            table=self.table_combo.currentData(),
            user=self.user_combo.currentData(),
            action=self.action_combo.currentData(),
            text=self.text_edit.text(),
            since=_to_date(self.since_edit.date()) if self.since_check.isChecked() else None,
            until=_to_date(self.until_edit.date()) if self.until_check.isChecked() else None)

    def refresh(self) -> None:
        self.model.set_listing(AuditListing(self.db, self.current_filter()))

    @property
    def rows(self) -> list:
        """The audit rows listed, newest first (the rows of ``db.plain``)."""
        return [self.model.shown(row).item for row in range(self.model.rowCount())]

    def _show_count(self) -> None:
        self.count_label.setText(f"{self.model.rowCount()} dòng")
