"""Đăng ký thi đua: every active cell of the year with its registration; late ones and
missing ones stand out and can be filtered; add or edit a registration in a dialog.

The table is the lazy listing (``listings.RegistrationListing``): a province's or a city's
tens of thousands of cells open and sort without holding the window."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from chibo4tot_desktop.db import changes
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.listings import STATE_LATE, STATE_MISSING, RegistrationListing
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.registrations import delete_registration
from chibo4tot_desktop.reports import Deadline
from chibo4tot_desktop.ui.common import (
    confirm,
    make_table,
    run_action,
    selected_ids,
    show_error,
)
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from chibo4tot_desktop.ui.models.listing_model import ListingModel
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab

FILTERS = (("Tất cả chi bộ", None), ("Đăng ký muộn", "late"), ("Chưa đăng ký", "missing"),
           ("Đã đăng ký", "registered"))
CODE, NAME, RECEIVED, STATE, TITLE, MEMBERS, SIGNER = range(7)
RED, ORANGE = QColor("#b00020"), QColor("#c05000")


def _colour(tag: str, column: int):
    if tag == STATE_MISSING:
        return RED
    if tag == STATE_LATE and column in (RECEIVED, STATE):
        return ORANGE
    return None


class RegistrationsTab(BaseTab):
    TOPICS = frozenset({changes.CELLS, changes.REGISTRATIONS,
                        changes.SETTINGS})

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.add_button = self.button_row.add_button("Nhập bản đăng ký", self.add)
        self.edit_button = self.button_row.add_button("Sửa", self.edit)
        self.delete_button = self.button_row.add_button("Xóa", self.delete)
        self.filter = QComboBox()
        for label, _ in FILTERS:
            self.filter.addItem(label)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm chi bộ…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.button_row.addWidget(QLabel("Hiện:"))
        self.button_row.addWidget(self.filter)
        self.button_row.addWidget(self.search)
        self.summary = QLabel()
        self.layout_.addWidget(self.summary)
        self.model = ListingModel(parent=self, colour=_colour)
        self.model.idsReady.connect(self._show_summary)
        self.model.failed.connect(lambda text: show_error(self, text))
        self.view = make_table(self.model, self)
        self.layout_.addWidget(self.view)
        self.search.textChanged.connect(self.model.set_search)
        self.filter.currentIndexChanged.connect(
            lambda i: self.model.set_filter(FILTERS[i][1]))
        self.view.doubleClicked.connect(lambda *_: self.edit())

    @property
    def listing(self) -> RegistrationListing | None:
        return self.model.listing

    def refresh(self) -> None:
        self.stale = False
        year = self.year()
        if year is None:
            return
        # Read again with the year's schedule and rules (a change may be to them: the
        # deadline, whether its day is on time, the day that makes up the year); the order,
        # filter and search stay.
        self.model.set_listing(RegistrationListing(self.office, year))

    def _show_summary(self) -> None:
        listing = self.listing
        if listing is None:
            return
        counts = listing.counts
        deadline = listing.deadline
        days = None if deadline is None else (deadline - dt.date.today()).days
        text = Deadline("Hạn đăng ký thi đua", deadline, days).describe()
        self.summary.setText(f"{text}. Đã đăng ký {counts['registered']}/{counts['active']}"
                             f", muộn {counts['late']}, chưa đăng ký {counts['missing']}.")

    def selected_rows(self):
        """The ``listings.RegistrationRow`` of each selected row."""
        return [row for row in (self.model.item(row_id) for row_id in selected_ids(self.view))
                if row is not None]

    def _open(self, cell_id):
        year = self.year()
        if year is None or self.listing is None:
            return
        phase = queries.phase_for_year(self.office, year)
        titles = [g.title for g in phase.catalogue(year, Scope.CELL)]
        RegistrationDialog(self.office, year, self.listing.cells(), cell_id, parent=self,
                           group_titles=titles).exec()

    def add(self) -> bool:
        rows = self.selected_rows()
        missing = [row for row in rows if not row.registered]
        self._open(missing[0].id if missing else None)
        return True

    def edit(self) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            show_error(self, "Hãy chọn một chi bộ.")
            return
        self._open(rows[0].id)

    def find(self) -> bool:
        self.search.setFocus()
        self.search.selectAll()
        return True

    def delete(self) -> bool:
        rows = [row for row in self.selected_rows() if row.registered]
        if len(rows) != 1:
            show_error(self, "Hãy chọn một bản đăng ký để xóa.")
            return True
        row = rows[0]
        if confirm(self, f"Xóa bản đăng ký năm {self.year()} của {row.name}?"):
            run_action(self, delete_registration, self.office, row.registration_id)
        return True
