"""How quickly the window's tables fill and sort with many rows (prints figures).

    PYTHONPATH=. QT_QPA_PLATFORM=offscreen python benchmarks/ui_tables.py [cells]

Builds a temporary data file with N cells (default 10,000), each registered for 2023, then
times: the cells tab refresh (read + model reset), sorting by name (``text.sort_key``, the
program's one Vietnamese order), an accent-insensitive search, and the registrations tab
refresh (year overview of N cells).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from chibo4tot_desktop.ops.setup import create_organisation, create_phase

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def timed(label: str, action) -> None:
    start = time.perf_counter()
    action()
    print(f"{label:<52} {1000 * (time.perf_counter() - start):8.0f} ms")


def main(count: int) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.db.models import Cell, Registration
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CHIBO4TOT_DATA_DIR"] = folder
        db = open_database(Path(folder) / "big.sqlite3")
        office = Office(db)
        create_organisation(office, "TG", "Đảng bộ phường Tân Giang")
        create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025)
        with db.transaction() as session:   # bulk rows for the benchmark only
            cells = [Cell(organisation_id=office.organisation_id, code=f"C{i:05d}",
                          name=f"Chi bộ Tổ dân phố {i}", secretary="Nguyễn Văn Ân",
                          members_count=i % 60) for i in range(1, count + 1)]
            session.add_all(cells)
            session.flush()
            session.add_all(Registration(cell_id=c.id, year=2023,
                                         received_on=dt.date(2023, 3, 5 + c.id % 10))
                            for c in cells)
        window = MainWindow(office)
        window.resize(1280, 800)
        window.show()
        window.set_year(2023)
        print(f"{count} cells, PySide6 offscreen")
        window.show_tab(window.cells_tab)
        timed("cells tab refresh (read + model reset)", window.cells_tab.refresh)
        view = window.cells_tab.view
        timed("sort by name, Vietnamese collation",
              lambda: view.sortByColumn(1, Qt.SortOrder.DescendingOrder))
        timed("sort by members (numbers)", lambda: view.sortByColumn(4, Qt.SortOrder.AscendingOrder))
        timed("search 'to dan pho 999' (no accents)",
              lambda: window.cells_tab.search.setText("to dan pho 999"))
        timed("clear search", lambda: window.cells_tab.search.setText(""))
        window.show_tab(window.registrations_tab)
        timed("registrations tab refresh (year overview)", window.registrations_tab.refresh)
        window.show_tab(window.overview_tab)
        timed("overview tab refresh (counts, todo, chart)", window.overview_tab.refresh)
        timed("paint the window", lambda: (window.repaint(), app.processEvents()))
        window.close()
        db.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)
