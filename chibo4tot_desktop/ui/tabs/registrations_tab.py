"""Đăng ký thi đua: every active cell of the year with its registration; late ones and
missing ones stand out and can be filtered; add or edit a registration in a dialog."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit

from chibo4tot_desktop.db import changes
from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.registrations import delete_registration
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.ui.common import (
    confirm,
    make_table,
    run_action,
    selected_ids,
    set_column_widths,
    show_error,
)
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from chibo4tot_desktop.ui.models.registrations_table_model import (
    RegistrationsTableModel,
)
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab

FILTERS = (("Tất cả chi bộ", None),
           ("Đăng ký muộn", lambda s: s.late),
           ("Chưa đăng ký", lambda s: s.registration is None),
           ("Đã đăng ký", lambda s: s.registration is not None))


class RegistrationsTab(BaseTab):
    TITLE = "Đăng ký thi đua"
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
        self.model = RegistrationsTableModel(self)
        self.view, self.proxy = make_table(self.model, self)
        self.layout_.addWidget(self.view)
        self.search.textChanged.connect(self.proxy.set_search)
        self.filter.currentIndexChanged.connect(
            lambda i: self.proxy.set_row_filter(FILTERS[i][1]))
        self.view.doubleClicked.connect(lambda *_: self.edit())
        set_column_widths(self.view, {0: 80, 1: 280, 2: 100, 3: 120, 4: 150, 5: 110})
        self.view.sortByColumn(RegistrationsTableModel.NAME,
                               Qt.SortOrder.AscendingOrder)

    def refresh(self) -> None:
        self.stale = False
        year = self.year()
        if year is None:
            self.model.set_rows([])
            return
        overview = year_overview(self.office, year)
        self.model.set_rows(overview.cells)
        counts = overview.counts
        deadline = overview.deadlines[1].describe()
        self.summary.setText(f"{deadline}. Đã đăng ký {counts['registered']}/{counts['active']}"
                             f", muộn {counts['late']}, chưa đăng ký {counts['missing']}.")

    def _selected_states(self):
        ids = set(selected_ids(self.view))
        return [state for state in self.model.rows if state.cell.id in ids]

    def _open(self, cell_id):
        year = self.year()
        if year is None:
            return
        phase = queries.phase_for_year(self.office, year)
        titles = [g.title for g in phase.catalogue(year, Scope.CELL)]
        cells = [s.cell for s in self.model.rows]
        RegistrationDialog(self.office, year, cells, cell_id, parent=self,
                           group_titles=titles).exec()

    def add(self) -> bool:
        states = self._selected_states()
        missing = [s for s in states if s.registration is None]
        self._open(missing[0].cell.id if missing else None)
        return True

    def edit(self) -> None:
        states = self._selected_states()
        if len(states) != 1:
            show_error(self, "Hãy chọn một chi bộ.")
            return
        self._open(states[0].cell.id)

    def find(self) -> bool:
        self.search.setFocus()
        self.search.selectAll()
        return True

    def delete(self) -> bool:
        states = [s for s in self._selected_states() if s.registration is not None]
        if len(states) != 1:
            show_error(self, "Hãy chọn một bản đăng ký để xóa.")
            return True
        state = states[0]
        if confirm(self, f"Xóa bản đăng ký năm {self.year()} của {state.cell.name}?"):
            run_action(self, delete_registration, self.office, state.registration.id)
        return True
