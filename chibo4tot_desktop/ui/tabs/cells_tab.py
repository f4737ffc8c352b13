"""Chi bộ: the cells in a table; add, edit, dissolve, merge, reactivate, delete, the records of
the years (a successor's include its predecessors'); search; pilot flag."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QInputDialog, QLineEdit

from chibo4tot_desktop.db import changes
from chibo4tot_desktop.listings import CellsListing
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import delete_cell, dissolve_cell, reactivate_cell
from chibo4tot_desktop.text import DateParseError, parse_date
from chibo4tot_desktop.ui.common import (
    confirm,
    make_table,
    run_action,
    selected_ids,
    show_error,
)
from chibo4tot_desktop.ui.dialogs.cell_dialog import CellDialog
from chibo4tot_desktop.ui.dialogs.history_dialog import HistoryDialog
from chibo4tot_desktop.ui.dialogs.merge_dialog import MergeDialog
from chibo4tot_desktop.ui.models.listing_model import ListingModel
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab

GREY = QColor("#808080")


class CellsTab(BaseTab):
    TOPICS = frozenset({changes.CELLS})

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.add_button = self.button_row.add_button("Thêm chi bộ", self.add)
        self.edit_button = self.button_row.add_button("Sửa", self.edit)
        self.dissolve_button = self.button_row.add_button("Giải thể", self.dissolve)
        self.merge_button = self.button_row.add_button("Sáp nhập…", self.merge)
        self.history_button = self.button_row.add_button("Hồ sơ các năm", self.history)
        self.reactivate_button = self.button_row.add_button("Khôi phục", self.reactivate)
        self.delete_button = self.button_row.add_button("Xóa", self.delete)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Tìm chi bộ (mã, tên, bí thư)…")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(260)
        self.show_dissolved = QCheckBox("Hiện chi bộ đã giải thể, sáp nhập")
        self.show_dissolved.setChecked(True)
        self.button_row.addWidget(self.search)
        self.button_row.addWidget(self.show_dissolved)
        self.model = ListingModel(parent=self,
                                  colour=lambda tag, _column: GREY if tag == "dissolved" else None)
        self.model.failed.connect(lambda text: show_error(self, text))
        self.view = make_table(self.model, self)
        self.layout_.addWidget(self.view)
        self.search.textChanged.connect(self.model.set_search)
        self.show_dissolved.toggled.connect(self._apply_dissolved_filter)
        self.view.doubleClicked.connect(lambda *_: self.edit())

    def _apply_dissolved_filter(self, show: bool) -> None:
        self.model.set_filter(None if show else "active")

    def refresh(self) -> None:
        self.stale = False
        listing = self.model.listing
        if listing is None or listing.office is not self.office:
            self.model.set_listing(CellsListing(self.office))
        else:
            self.model.reload()

    def _selected(self):
        """The selected cells (plain rows of ``db.plain``)."""
        return [cell for cell in (self.model.item(row_id) for row_id in selected_ids(self.view))
                if cell is not None]

    def add(self) -> bool:
        CellDialog(self.office, parent=self).exec()
        return True

    def edit(self) -> None:
        cells = self._selected()
        if len(cells) != 1:
            show_error(self, "Hãy chọn một chi bộ để sửa.")
            return
        CellDialog(self.office, queries.cell(self.office, cells[0].id), parent=self).exec()

    def find(self) -> bool:
        self.search.setFocus()
        self.search.selectAll()
        return True

    def dissolve(self) -> None:
        cells = [c for c in self._selected() if c.dissolved_on is None]
        if len(cells) != 1:
            show_error(self, "Hãy chọn một chi bộ đang hoạt động để giải thể.")
            return
        cell = cells[0]
        text, ok = QInputDialog.getText(self, "Giải thể chi bộ",
                                        f"Ngày giải thể {cell.name} (dd/mm/yyyy):",
                                        text=dt.date.today().strftime("%d/%m/%Y"))
        if not ok:
            return
        try:
            on = parse_date(text)
        except DateParseError as error:
            show_error(self, f"Ngày giải thể: {error}.")
            return
        run_action(self, dissolve_cell, self.office, cell.id, on)

    def merge(self) -> None:
        selected = {cell.id for cell in self._selected() if cell.dissolved_on is None}
        MergeDialog(self.office, queries.cells(self.office), selected, parent=self).exec()

    def history(self) -> None:
        cells = self._selected()
        if len(cells) != 1:
            show_error(self, "Hãy chọn một chi bộ để xem hồ sơ các năm.")
            return
        HistoryDialog(self.office, cells[0], parent=self).exec()

    def reactivate(self) -> None:
        cells = [c for c in self._selected() if c.dissolved_on is not None]
        if len(cells) != 1:
            show_error(self, "Hãy chọn một chi bộ đã giải thể để khôi phục.")
            return
        run_action(self, reactivate_cell, self.office, cells[0].id)

    def delete(self) -> bool:
        cells = self._selected()
        if len(cells) != 1:
            show_error(self, "Hãy chọn một chi bộ để xóa.")
            return True
        cell = cells[0]
        if confirm(self, f"Xóa hẳn {cell.name}? Chỉ xóa được chi bộ chưa có hồ sơ thi đua."):
            run_action(self, delete_cell, self.office, cell.id)
        return True
