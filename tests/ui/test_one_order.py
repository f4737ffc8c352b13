"""The window, the command line and Excel list cells in one Vietnamese order (text.sort_key)."""

from __future__ import annotations

import pytest

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.excel.exports import export
from chibo4tot_desktop.ops.cells import add_cell
from tests.test_excel_export import read

NAME = 1   # the cells tab's name column

# Names the window (QCollator) and the core (sort_key) used to put in different places.
NAMES = [
    "Chi bộ - Khối cơ quan",
    "Chi bộ “Khu A”",
    "Chi bộ (cũ) Tổ dân phố 3",
    "Chi bộ 1",
    "Chi bộ Dương Liễu",
    "Chi bộ Đảng ủy",
    "Chi bộ Khối cơ quan",
    "chi bộ Khối dân vận",
    "Chi bộ Tổ dân phố 2",
    "Chi bộ Tổ dân phố 12",
]


@pytest.fixture
def cells(office):
    # Added in another order, with codes that sort otherwise, so no order is there by chance.
    for number, name in enumerate(reversed(NAMES)):
        add_cell(office, f"C{number:02d}", name)
    return NAMES


def window_names(window) -> list[str]:
    window.show_tab(window.cells_tab)
    window.cells_tab.refresh()
    model = window.cells_tab.model
    return [model.index(row, NAME).data() for row in range(model.rowCount())]


def test_window_command_line_and_excel_list_cells_in_one_order(window, cells, db_path, tmp_path,
                                                               capsys):
    shown = window_names(window)
    assert shown == cells

    assert main(["cells", "--data", str(db_path)]) == 0
    printed = capsys.readouterr().out.splitlines()
    codes = {f"C{number:02d}": name for number, name in enumerate(reversed(NAMES))}
    listed = [codes[line.split()[0]] for line in printed if line.split()[:1]
              and line.split()[0] in codes]
    assert listed == shown

    _, _, rows = read(export(window.office, "cells", 2023, tmp_path / "chi-bo.xlsx"))
    assert [row[2] for row in rows if isinstance(row[0], int)] == shown


def test_clicking_the_name_header_keeps_the_order(window, cells):
    from PySide6.QtCore import Qt

    window_names(window)
    view = window.cells_tab.view
    model = window.cells_tab.model
    view.sortByColumn(NAME, Qt.SortOrder.DescendingOrder)
    assert [model.index(r, NAME).data() for r in range(model.rowCount())] == cells[::-1]
    view.sortByColumn(NAME, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, NAME).data() for r in range(model.rowCount())] == cells
