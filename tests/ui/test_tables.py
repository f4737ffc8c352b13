"""The table models and the Vietnamese sort/filter proxy."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt

from chibo4tot_desktop.ui.common import make_table
from chibo4tot_desktop.ui.models.cells_table_model import CellsTableModel


def cell(i, name, members=0):
    return SimpleNamespace(id=i, code=f"C{i}", name=name, kind="residential", secretary="",
                           members_count=members, is_pilot=False, dissolved_on=None,
                           started_on=None)


def test_proxy_sorts_vietnamese_with_numbers(qtbot):
    model = CellsTableModel()
    names = ["Chi bộ Tổ dân phố 10", "Chi bộ Đông", "Chi bộ Dương", "Chi bộ Ăn", "Chi bộ An",
             "Chi bộ Tổ dân phố 2", "Chi bộ Ân", "Chi bộ Ô", "chi bộ Ơ", "Chi bộ O"]
    model.set_rows([cell(i, n) for i, n in enumerate(names)])
    view, proxy = make_table(model)
    qtbot.addWidget(view)
    view.sortByColumn(CellsTableModel.NAME, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(r, CellsTableModel.NAME).data() for r in range(proxy.rowCount())]
    assert shown == ["Chi bộ An", "Chi bộ Ăn", "Chi bộ Ân", "Chi bộ Dương", "Chi bộ Đông",
                     "Chi bộ O", "Chi bộ Ô", "chi bộ Ơ", "Chi bộ Tổ dân phố 2",
                     "Chi bộ Tổ dân phố 10"]


def test_proxy_sorts_numbers_by_value_and_searches_without_accents(qtbot):
    model = CellsTableModel()
    model.set_rows([cell(1, "Chi bộ Đồng Xuân", 9), cell(2, "Chi bộ Bắc Hà", 40),
                    cell(3, "Chi bộ Nam Hà", 100)])
    view, proxy = make_table(model)
    qtbot.addWidget(view)
    view.sortByColumn(CellsTableModel.MEMBERS, Qt.SortOrder.DescendingOrder)
    assert [proxy.index(r, 4).data() for r in range(3)] == ["100", "40", "9"]
    proxy.set_search("dong xuan")
    assert proxy.rowCount() == 1
    proxy.set_search("hà")
    assert proxy.rowCount() == 2
    proxy.set_search("")
    assert proxy.rowCount() == 3


def test_ten_thousand_rows_load_and_sort(qtbot):
    model = CellsTableModel()
    model.set_rows([cell(i, f"Chi bộ Tổ dân phố {10000 - i}", i % 50) for i in range(10000)])
    view, proxy = make_table(model)
    qtbot.addWidget(view)
    view.sortByColumn(CellsTableModel.NAME, Qt.SortOrder.AscendingOrder)
    assert proxy.index(0, 1).data() == "Chi bộ Tổ dân phố 1"
    assert proxy.index(9999, 1).data() == "Chi bộ Tổ dân phố 10000"
    proxy.set_search("dan pho 10000")
    assert proxy.rowCount() == 1
