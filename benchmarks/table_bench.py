"""A table of 100,000 registrations: open, sort, scroll, with the window's responsiveness and the
peak memory.

    PYTHONPATH=. python benchmarks/table_bench.py [--cells 20000] [--years 5]

Makes (once, reused) benchmarks/out/reg100k.sqlite3 with make_city_db.py (20,000 cells x 5
years = 100,000 registrations, no scores), then in one process with a QTableView on
``ui.models.registrations_model.RegistrationsTableModel``:
- open: from creating the model to the first rows shown (ordering by cell name in Vietnamese
  collation runs in a worker thread);
- sort by each column (header click -> new order in place), ascending then descending;
- scroll: jump to 100 places across the table, each reading the page of rows on screen;
- GUI stall: a 10 ms QTimer runs on the GUI thread throughout; the longest gap between two of
  its ticks, minus 10 ms, is the longest time the window could not answer (the goal is that no
  step freezes it: stalls well under 100 ms);
- memory: the process's peak resident size (ru_maxrss) and Python's peak allocation
  (tracemalloc, which slows the run; --no-tracemalloc to time without it).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class StallMeter:
    """Ticks every 10 ms on the GUI thread; reports the longest gap since the last reset."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.reset()
        self.timer.start()

    def reset(self):
        self.last = time.perf_counter()
        self.worst = 0.0

    def _tick(self):
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last - 0.010)
        self.last = now

    def take(self) -> float:
        self._tick()
        worst = self.worst
        self.reset()
        return max(worst, 0.0)


def current_rss_mb() -> float:
    """The resident size now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def wait_ready(model, app, timeout: float = 120.0) -> None:
    start = time.perf_counter()
    while model.busy:
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > timeout:
            raise TimeoutError("ordering did not finish")
    app.processEvents()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=20000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--no-tracemalloc", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    data = ROOT / "benchmarks" / "out" / f"reg{args.cells * args.years // 1000}k.sqlite3"
    if not data.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_city_db.py"),
                        str(data), "--cells", str(args.cells), "--years", str(args.years),
                        "--no-scores"], check=True)
    if not args.no_tracemalloc:
        import tracemalloc

        tracemalloc.start()

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableView

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.listings import RegistrationListing
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ui.models.registrations_model import RegistrationsTableModel

    app = QApplication.instance() or QApplication([])
    db = open_database(data)
    office = Office(db)
    view = QTableView()
    view.resize(1200, 800)
    view.show()
    stall = StallMeter()
    results = []
    app.processEvents()
    baseline_rss = current_rss_mb()

    start = time.perf_counter()
    model = RegistrationsTableModel(RegistrationListing(db, office.organisation_id))
    view.setModel(model)
    created = time.perf_counter() - start
    wait_ready(model, app)
    view.scrollToTop()
    app.processEvents()
    opened = time.perf_counter() - start
    results.append(("open (model created, ordered by name, first rows shown)", opened,
                    stall.take(), f"model created in {created * 1000:.0f} ms"))
    rows = model.rowCount()

    for column, spec in enumerate(model.columns):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            start = time.perf_counter()
            view.sortByColumn(column, order)
            wait_ready(model, app)
            elapsed = time.perf_counter() - start
            label = "desc" if order == Qt.SortOrder.DescendingOrder else "asc"
            results.append((f"sort by {spec.key} ({label})", elapsed, stall.take(), ""))

    start = time.perf_counter()
    for step in range(100):
        row = step * (rows - 1) // 99
        view.scrollTo(model.index(row, 0))
        app.processEvents()
    scrolled = time.perf_counter() - start
    results.append(("scroll to 100 places (pages read on demand)", scrolled, stall.take(),
                    f"{scrolled * 10:.1f} ms each"))

    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB (Linux)
    traced = ""
    if not args.no_tracemalloc:
        import tracemalloc

        _current, peak = tracemalloc.get_traced_memory()
        traced = f", Python peak allocation (tracemalloc) {peak / 1e6:.0f} MB"
    db.close()

    flag = " --no-tracemalloc" if args.no_tracemalloc else ""
    print(f"Table of {rows:,} registrations ({data.name}); command: PYTHONPATH=. python "
          f"benchmarks/table_bench.py --cells {args.cells} --years {args.years}{flag}")
    print(f"  {'step':<58} {'time':>9}  {'longest GUI stall':>17}")
    for label, elapsed, worst, note in results:
        print(f"  {label:<58} {elapsed * 1000:7.0f} ms  {worst * 1000:14.0f} ms  {note}")
    worst_stall = max(result[2] for result in results)
    print(f"  longest GUI stall overall: {worst_stall * 1000:.0f} ms; "
          f"peak resident memory {peak_rss:.0f} MB (before the table: {baseline_rss:.0f} MB)"
          f"{traced}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
