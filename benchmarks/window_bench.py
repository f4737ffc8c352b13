"""The real window on a big data file: switching tabs, changing year, sorting and scrolling the
registrations, with the longest time the window could not answer and the peak memory.

    PYTHONPATH=. python benchmarks/window_bench.py [--cells 2000] [--years 5] [--no-scores]
    PYTHONPATH=. python benchmarks/window_bench.py --cells 100000 --years 1 --no-scores

Makes (once, reused) benchmarks/out/window-CELLSxYEARS[-noscores].sqlite3 with make_city_db.py,
then in one process builds ``ui.main_window.MainWindow`` on it, as the program does, and times:
- the window built and shown, its first tab (Tổng quan) with the year's figures;
- each tab switch (Đăng ký, Chấm điểm, Khen thưởng, Chi bộ, Tổng quan): from the click to
  the tab showing its data (the year's overview and the tab's lists computed; they run in
  worker threads where they are long);
- a year change on the Đăng ký tab, and the Khen thưởng tab of that year;
- the Đăng ký table sorted by each column (header click), and scrolled to 100 places.
For each step: the time, and the longest GUI stall - a 10 ms QTimer ticks on the GUI thread
throughout, the longest gap between two ticks less 10 ms is the longest the window could not
answer (the anchor: 100 ms, the most a person does not notice). Peak memory: the process's
peak resident size (ru_maxrss, what ``/usr/bin/time -v`` reports), and with --tracemalloc
Python's peak allocation (which slows the run).
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
ANCHOR_MS = 100


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


def rss_mb() -> float:
    """The resident size now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def ready(main, tab) -> bool:
    """The tab shows its data: nothing of it is still being computed."""
    from chibo4tot_desktop.ui.models.listing_model import ListingModel

    return (not tab.stale and not main.overviews.busy
            and not any(model.busy for model in tab.findChildren(ListingModel)))


def wait(app, done, timeout: float = 300.0) -> None:
    start = time.perf_counter()
    app.processEvents()
    while not done():
        app.processEvents()
        time.sleep(0.001)
        if time.perf_counter() - start > timeout:
            raise TimeoutError("the window did not finish")
    app.processEvents()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=2000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--no-scores", action="store_true")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument("--open-on", choices=("overview", "registrations"), default="overview",
                        help="the tab the window was left on (it reopens there; "
                             "registrations: the Đăng ký list alone is read at start)")
    parser.add_argument("--first-only", action="store_true",
                        help="measure the opening of the window only")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    suffix = "-noscores" if args.no_scores else ""
    data = ROOT / "benchmarks" / "out" / f"window-{args.cells}x{args.years}{suffix}.sqlite3"
    if not data.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_city_db.py"),
                        str(data), "--cells", str(args.cells), "--years", str(args.years)]
                       + (["--no-scores"] if args.no_scores else []), check=True)
    if args.tracemalloc:
        import tracemalloc

        tracemalloc.start()

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops import Office, queries
    from chibo4tot_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    import tempfile

    from PySide6.QtCore import QSettings

    from chibo4tot_desktop.ui.main_window import TAB_KEY

    # The window's settings in a folder of this run (not the user's): the tab it reopens on.
    settings_dir = tempfile.TemporaryDirectory()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings_dir.name)
    QSettings().setValue(TAB_KEY, "RegistrationsTab" if args.open_on == "registrations"
                         else "OverviewTab")
    db = open_database(data)
    office = Office(db)
    stall = StallMeter()
    results = []

    def step(label, action, tab, note=""):
        start = time.perf_counter()
        action()
        wait(app, lambda: ready(window, tab))
        results.append((label, time.perf_counter() - start, stall.take(), note))

    app.processEvents()
    before = rss_mb()
    stall.reset()
    start = time.perf_counter()
    window = MainWindow(office, ask_first_run=False)
    window.show()
    first = window.tabs.currentWidget()
    wait(app, lambda: ready(window, first))
    opened = time.perf_counter() - start
    peak_opened = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    results.append((("window built and shown, Tổng quan with the year's figures"
                     if first is window.overview_tab else
                     f"window built and shown on {first.TITLE}, its list filled"),
                    opened, stall.take(), f"peak memory then {peak_opened:.0f} MiB"))
    year = window.current_year()
    for tab in () if args.first_only else (window.registrations_tab, window.scoring_tab, window.awards_tab,
                window.cells_tab, window.overview_tab):
        step(f"switch to {tab.TITLE} ({year})", lambda tab=tab: window.show_tab(tab), tab)

    years = queries.years(office)
    other = years[0] if years[0] != year else years[-1]
    if other != year and not args.first_only:
        window.show_tab(window.registrations_tab)
        wait(app, lambda: ready(window, window.registrations_tab))
        stall.take()
        step(f"change year {year} -> {other} on Đăng ký thi đua",
             lambda: window.set_year(other), window.registrations_tab)
        step(f"switch to Khen thưởng ({other})",
             lambda: window.show_tab(window.awards_tab), window.awards_tab)

    window.show_tab(window.registrations_tab)
    wait(app, lambda: ready(window, window.registrations_tab))
    stall.take()
    tab = window.registrations_tab
    view, model = tab.view, tab.model
    rows = model.rowCount()
    for column, spec in enumerate(() if args.first_only else model.columns):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            label = "desc" if order == Qt.SortOrder.DescendingOrder else "asc"
            step(f"Đăng ký: sort by {spec.key} ({label})",
                 lambda column=column, order=order: view.sortByColumn(column, order), tab)
    start = time.perf_counter()
    for number in range(0 if args.first_only else 100):
        view.scrollTo(model.index(number * max(rows - 1, 0) // 99, 0))
        app.processEvents()
    scrolled = time.perf_counter() - start
    if not args.first_only:
        results.append(("Đăng ký: scroll to 100 places (pages read on demand)", scrolled,
                        stall.take(), f"{scrolled * 10:.1f} ms each"))

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024   # KiB -> MiB (Linux)
    traced = ""
    if args.tracemalloc:
        import tracemalloc

        traced = f", Python peak allocation (tracemalloc) {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MiB"
    window.close()
    db.close()

    flags = (" --no-scores" if args.no_scores else "") + (" --tracemalloc" if args.tracemalloc
                                                          else "")
    flags += f" --open-on {args.open_on}" if args.open_on != "overview" else ""
    flags += " --first-only" if args.first_only else ""
    print(f"The window on {data.name} ({rows:,} rows in Đăng ký thi đua {other}); command: "
          f"PYTHONPATH=. python benchmarks/window_bench.py --cells {args.cells} "
          f"--years {args.years}{flags}")
    print(f"  {'step':<62} {'time':>9}  {'longest GUI stall':>17}")
    for label, elapsed, worst, note in results:
        print(f"  {label:<62} {elapsed * 1000:7.0f} ms  {worst * 1000:14.0f} ms  {note}")
    worst = max(result[2] for result in results)
    print(f"  longest GUI stall overall: {worst * 1000:.0f} ms (anchor: {ANCHOR_MS} ms); peak "
          f"resident memory {peak:.0f} MiB (before the window: {before:.0f} MiB){traced}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
