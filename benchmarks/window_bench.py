"""The real window on a big data file: switching tabs, changing year, sorting and scrolling the
registrations, with the longest time the window could not answer and the peak memory.

    PYTHONPATH=. python benchmarks/window_bench.py [--cells 2000] [--years 5] [--no-scores]
    PYTHONPATH=. python benchmarks/window_bench.py --cells 100000 --years 1 --no-scores
    bash scripts/with_postgres.sh .venv/bin/python benchmarks/window_bench.py --cells 3000 --pg
        [--compare [ROUNDS]]      # or --database-url postgresql+psycopg://USER@HOST/DB

Makes (once, reused) benchmarks/out/window-CELLSxYEARS[-noscores].sqlite3 with make_city_db.py,
then in one process builds ``ui.main_window.MainWindow`` on it, as the program does, and times:
- the window built and shown, its first tab (Tổng quan) with the year's figures;
- the other tabs built at idle time after that (one per turn of the event loop);
- each tab switch (Đăng ký, Chấm điểm, Khen thưởng, Chi bộ, Tổng quan): from the click to
  the tab showing its data (the year's overview and the tab's lists computed; they run in
  worker threads where they are long);
- a scoring sheet saved on the Chấm điểm tab (a committee score typed, then "Lưu phiếu
  chấm" clicked), until the sheet shows its saved figures; the run works on a copy of the
  file, which stays as made;
- a year change on the Đăng ký tab, and the Khen thưởng tab of that year;
- the Đăng ký table sorted by each column (header click), and scrolled to 100 places.
For each step: the time, and the longest GUI stall - a 10 ms QTimer ticks on the GUI thread
throughout, the longest gap between two ticks less 10 ms is the longest the window could not
answer (the anchor: 100 ms, the most a person does not notice). Peak memory: the process's
peak resident size (ru_maxrss, what ``/usr/bin/time -v`` reports), and with --tracemalloc
Python's peak allocation (which slows the run).

With --database-url URL (or --pg: the URL in CHIBO4TOT_TEST_DATABASE_URL, which
scripts/with_postgres.sh sets) the window runs on a database server instead: a fresh schema
is created there, the same city is made in it by make_city_db.py, and the schema is dropped
at the end. --compare [ROUNDS] (with --pg or --database-url) runs the SQLite file and the
server in turn, each in its own process, ROUNDS times each (default 2), and prints each step's
best time on both and their ratio against the target (the server within 1.5x of SQLite).
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ANCHOR_MS = 100
SERVER_TARGET = 1.5     # the server's times within this factor of SQLite's


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
    add_database_options(parser)
    args = parser.parse_args(argv)
    if args.compare:
        return compare(args, sys.argv[1:] if argv is None else list(argv))
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    suffix = "-noscores" if args.no_scores else ""
    data = ROOT / "benchmarks" / "out" / f"window-{args.cells}x{args.years}{suffix}.sqlite3"
    if server_url(args):
        data = server_database(args)
    elif not data.exists():
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_city_db.py"),
                        str(data), "--cells", str(args.cells), "--years", str(args.years)]
                       + (["--no-scores"] if args.no_scores else []), check=True)
    if isinstance(data, Path) and not args.first_only:
        # The run saves a scoring sheet: on a copy, so that the file made once stays as made.
        import shutil
        import tempfile

        copy_dir = tempfile.TemporaryDirectory()
        data = Path(shutil.copy(data, Path(copy_dir.name) / data.name))
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
    from chibo4tot_desktop.ui.app import keep_from_collector

    keep_from_collector()          # as the program does once its window shows (ui.app)
    first = window.tabs.currentWidget()

    def title(tab) -> str:          # as the window shows it
        return window.tabs.tabText(window.tabs.indexOf(tab))
    # A long list shows its first rows while the rest of its order is read.
    from chibo4tot_desktop.ui.models.listing_model import ListingModel

    models = first.findChildren(ListingModel)
    wait(app, lambda: ready(window, first) or any(model.rowCount() for model in models))
    first_rows = time.perf_counter() - start
    wait(app, lambda: ready(window, first))
    opened = time.perf_counter() - start
    peak_opened = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if models:
        results.append((f"window built and shown on {title(first)}, its first rows shown",
                        first_rows, 0.0, ""))
    results.append((("window built and shown, Tổng quan with the year's figures"
                     if first is window.overview_tab else
                     f"window built and shown on {title(first)}, its list filled"),
                    opened, stall.take(), f"peak memory then {peak_opened:.0f} MiB"))
    if not args.first_only:
        # The tabs not shown at start are built once the figures are shown, one per turn of
        # the event loop (ui.main_window); a user who looks at the figures finds them ready.
        start = time.perf_counter()
        wait(app, window.tabs_built)
        results.append(("the other tabs built at idle time (one per turn)",
                        time.perf_counter() - start, stall.take(), ""))
    year = window.current_year()
    for tab in () if args.first_only else (window.registrations_tab, window.scoring_tab, window.awards_tab,
                window.cells_tab, window.overview_tab):
        step(f"switch to {title(tab)} ({year})", lambda tab=tab: window.show_tab(tab), tab)

    if not args.first_only:
        window.show_tab(window.scoring_tab)
        wait(app, lambda: ready(window, window.scoring_tab))
        typed = type_a_score(window.scoring_tab)
        stall.take()
        step(f"save a scoring sheet on Chấm điểm ({year}; typed {typed})",
             window.scoring_tab.save_button.click, window.scoring_tab)

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
    save_results(args, results, rows, peak)
    print(f"The window on {shown(data)} ({rows:,} rows in Đăng ký thi đua {other}); command: "
          f"PYTHONPATH=. python benchmarks/window_bench.py --cells {args.cells} "
          f"--years {args.years}{flags}")
    print(f"  {'step':<62} {'time':>9}  {'longest GUI stall':>17}")
    for label, elapsed, worst, note in results:
        print(f"  {label:<62} {elapsed * 1000:7.0f} ms  {worst * 1000:14.0f} ms  {note}")
    worst = max(result[2] for result in results)
    print(f"  longest GUI stall overall: {worst * 1000:.0f} ms (anchor: {ANCHOR_MS} ms); peak "
          f"resident memory {peak:.0f} MiB (before the window: {before:.0f} MiB){traced}")
    return 0


def type_a_score(tab) -> str:
    """Type, as a person would, another committee score for the first item of the sheet shown
    (its maximum, or half a point less when it has it); returns what was typed."""
    from chibo4tot_desktop import rules

    _own, committee = next(iter(tab.boxes.values()))
    maximum = committee.maximum()
    points = maximum - 0.5 if committee.points() == maximum else maximum
    typed = rules.fmt_points(points)
    committee.setFocus()
    committee.selectAll()
    committee.insert(typed)
    return typed


def add_database_options(parser) -> None:
    server = parser.add_mutually_exclusive_group()
    server.add_argument("--database-url", default="",
                        help="run on this database server (a fresh schema, dropped afterwards)")
    server.add_argument("--pg", action="store_true",
                        help="run on the server in CHIBO4TOT_TEST_DATABASE_URL")
    parser.add_argument("--compare", nargs="?", type=int, const=2, default=0, metavar="ROUNDS",
                        help="run SQLite and the server in turn, ROUNDS times each; the ratios")
    parser.add_argument("--schema-ready", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--results-json", default="", help=argparse.SUPPRESS)


def server_url(args) -> str:
    if args.pg:
        url = os.environ.get("CHIBO4TOT_TEST_DATABASE_URL", "")
        if not url:
            sys.exit("--pg: CHIBO4TOT_TEST_DATABASE_URL is not set (scripts/with_postgres.sh)")
        return url
    return args.database_url


def shown(data) -> str:
    """The data file's name, or the URL without its password."""
    if isinstance(data, Path):
        return data.name
    from sqlalchemy.engine import make_url

    return make_url(data).render_as_string(hide_password=True)


def fresh_schema(url: str) -> str:
    """A new schema on the server, dropped when the process ends; returns a URL whose
    connections use only it."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "window_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))

    def drop():
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()

    atexit.register(drop)
    return make_url(url).update_query_dict({"options": f"-csearch_path={name}"}) \
        .render_as_string(hide_password=False)


def make_on_server(args, url: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "make_city_db.py"), url,
                    "--cells", str(args.cells), "--years", str(args.years)]
                   + (["--no-scores"] if args.no_scores else []), check=True)
    # The planner's statistics, as the server's autovacuum makes them once the rows settle
    # (not in the middle of the measured steps).
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()


def server_database(args) -> str:
    """The URL to run on: a fresh schema holding the city (or, with --schema-ready, the
    schema the URL names, where --compare made the city)."""
    if args.schema_ready:
        return args.database_url
    url = fresh_schema(server_url(args))
    make_on_server(args, url)
    return url


def save_results(args, results, rows: int, peak: float) -> None:
    if args.results_json:
        Path(args.results_json).write_text(json.dumps(
            {"results": results, "rows": rows, "peak": peak}), encoding="utf-8")


def compare(args, argv: list[str]) -> int:
    """SQLite and the server in turn, each run in its own process; each step's best times."""
    import statistics
    import tempfile

    url = server_url(args)
    if not url:
        sys.exit("--compare needs --pg or --database-url")
    rest, skip = [], False
    for index, token in enumerate(argv):
        if skip:
            skip = False
        elif token == "--compare":
            skip = index + 1 < len(argv) and argv[index + 1].isdigit()
        elif token == "--database-url":
            skip = True
        elif token.startswith(("--compare=", "--database-url=")) or token == "--pg":
            pass
        else:
            rest.append(token)
    schema = fresh_schema(url)
    make_on_server(args, schema)
    command = [sys.executable, str(Path(__file__).resolve()), *rest]
    runs = {"SQLite": [], "PostgreSQL": []}
    with tempfile.TemporaryDirectory() as folder:
        for number in range(args.compare):
            for name, extra in (("SQLite", []),
                                ("PostgreSQL", ["--database-url", schema, "--schema-ready"])):
                out = Path(folder) / f"{name}-{number}.json"
                subprocess.run([*command, *extra, "--results-json", str(out)], check=True,
                               stdout=subprocess.DEVNULL)
                runs[name].append(json.loads(out.read_text(encoding="utf-8")))
                print(f"  round {number + 1}, {name}: done", flush=True)
    print(f"The window on SQLite and on PostgreSQL ({shown(url)}), {args.cells} cells x "
          f"{args.years} years, best of {args.compare} runs each, in turn; target: "
          f"PostgreSQL within {SERVER_TARGET}x of SQLite")
    print(f"  {'step':<62} {'SQLite':>9} {'PostgreSQL':>10} {'ratio':>6}  "
          f"{'longest GUI stall SQLite / PostgreSQL':>37}")
    labels = [result[0] for result in runs["SQLite"][0]["results"]]
    ratios = []
    for index, label in enumerate(labels):
        best = {name: min(run["results"][index][1] for run in done)
                for name, done in runs.items()}
        stall = {name: statistics.median(run["results"][index][2] for run in done)
                 for name, done in runs.items()}
        ratio = best["PostgreSQL"] / best["SQLite"] if best["SQLite"] else float("inf")
        ratios.append(ratio)
        mark = "" if ratio <= SERVER_TARGET else f"  over {SERVER_TARGET}x"
        print(f"  {label:<62} {best['SQLite'] * 1000:6.0f} ms {best['PostgreSQL'] * 1000:7.0f} ms "
              f"{ratio:5.2f}x  {stall['SQLite'] * 1000:20.0f} / {stall['PostgreSQL'] * 1000:.0f}"
              f" ms{mark}")
    peaks = {name: statistics.median(run["peak"] for run in done) for name, done in runs.items()}
    print(f"  ratios {min(ratios):.2f}x - {max(ratios):.2f}x (median "
          f"{statistics.median(ratios):.2f}x); {sum(r > SERVER_TARGET for r in ratios)} of "
          f"{len(ratios)} steps over {SERVER_TARGET}x; peak resident memory "
          f"{peaks['SQLite']:.0f} / {peaks['PostgreSQL']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
