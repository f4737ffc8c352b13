"""Start-up time: a new process until the program's window is on screen, and until it shows
the year's figures, for the program on the demo data and on a province-sized data file,
against a bare PySide6 window started the same way.

    PYTHONPATH=. python benchmarks/startup_bench.py [--runs 7] [--platform offscreen|xcb]

Each figure is one new Python process (`python benchmarks/startup_bench.py --probe ...`): the
parent notes the time, starts it, and the child prints the time when Qt first reports a
window exposed (QEvent.Expose with isExposed()). "bare" builds a QMainWindow with five tabs
(the anchor the speed targets name: the program's five tab titles, a label in the first) and a
status bar, the size of ours, and quits there. "demo"/"province" run the program's own
entry point (`chibo4tot_desktop.cli.main(["--data", FILE])`): its first window is the frame
it shows before the core is imported (`ui.app.show_frame`); the child then waits for the main
window to show the year's figures (its overview computed, the Tổng quan tab filled) and
prints that moment too: it looks for the main window every 2 ms until it is shown, then waits
for the window's own signal that the overview is ready (a timer firing every 2 ms meanwhile
would take Python's lock from the thread computing it, and slow what is measured). The files
are made first (benchmarks/out/, reused): demo.sqlite3 (the demo ward) and province.sqlite3
(make_city_db.py: 3,000 cells, 5 years, every registration and score). Runs are interleaved;
the median and the best are printed. The file cache is warm (every run after a first,
unmeasured one): the start a user sees the second time they open the program in a session;
the first time is mostly disk.

--platform xcb starts one Xvfb server for all runs (a real X11 window, drawn); the default,
offscreen, draws without a display. Targets: the frame within 1.5x of the bare window, the
demo ward's figures within 3x, the province's within 4x. With each run the child also reports
which heavy libraries were imported by the time the first window showed (they should not be:
openpyxl, reportlab, alembic, PIL, mako, SQLAlchemy).
"""

from __future__ import annotations

import sys
import time

HEAVY = ("openpyxl", "reportlab", "alembic", "PIL", "mako", "calamine", "python_calamine",
         "sqlalchemy")
TARGETS = {"demo": 3.0, "province": 4.0}     # the figures shown, against the bare window
FRAME_TARGET = 1.5


def probe(mode: str, data: str) -> None:
    """Child process: start a window, print when it is first exposed (EXPOSED) and, for the
    program, when its main window shows the year's figures (DATA), then quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    state = {"exposed": False, "window": None}

    def main_window():
        for widget in QApplication.topLevelWidgets():
            if type(widget).__name__ == "MainWindow" and widget.isVisible():
                return widget
        return None

    def shown_figures(window) -> bool:
        return not window.overviews.busy and not window.overview_tab.stale

    def figures_shown() -> None:
        if state.get("done"):
            return
        state["done"] = True
        app.processEvents()          # the figures painted
        print(f"DATA {time.time():.6f}", flush=True)
        app.quit()

    def ready(_year=None) -> None:
        if shown_figures(state["window"]):
            figures_shown()
        else:                        # another year's, or the tab not filled yet: look again
            QTimer.singleShot(2, ready)

    def poll() -> None:
        # Polled only until the main window is shown (the event loop does not run while the
        # core is imported, so this costs nothing there); from then on the probe waits for
        # the window's own signal that a year's overview is ready, connected after the
        # window's slot that fills the tab. A timer polling every few milliseconds while the
        # overview is computed in its thread would take Python's lock from it at each turn.
        window = main_window()
        if window is None:
            QTimer.singleShot(2, poll)
            return
        state["window"] = window
        if shown_figures(window):
            figures_shown()
        else:
            window.overviews.ready.connect(ready)

    class Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if (not state["exposed"] and event.type() == QEvent.Type.Expose
                    and isinstance(obj, QWindow) and obj.isExposed()):
                state["exposed"] = True
                stamp = time.time()
                heavy = ",".join(name for name in HEAVY if name in sys.modules) or "-"
                print(f"EXPOSED {stamp:.6f} {heavy}", flush=True)
                if mode == "bare":
                    QTimer.singleShot(0, app.quit)
                else:
                    app.removeEventFilter(self)   # from here on the program runs alone
                    QTimer.singleShot(0, poll)
            return False

    watcher = Watcher()
    app.installEventFilter(watcher)
    if mode == "bare":
        from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

        window = QMainWindow()
        window.setWindowTitle("Chi bộ 4 tốt – cửa sổ trống")
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.addTab(QLabel("Đảng bộ phường Tân Giang"), "Tổng quan")
        for title in ("Chi bộ", "Đăng ký thi đua", "Chấm điểm", "Khen thưởng"):
            tabs.addTab(QLabel(), title)
        window.setCentralWidget(tabs)
        window.statusBar().showMessage("Tệp dữ liệu: " + data)
        window.resize(1280, 820)
        window.show()
        app.exec()
    else:
        from chibo4tot_desktop.cli import main

        main(["--data", data])


def _prepare(out) -> dict[str, str]:
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out.mkdir(parents=True, exist_ok=True)
    files = {"demo": out / "demo.sqlite3", "province": out / "province-3000x5.sqlite3"}
    env = _env(root)
    if not files["demo"].exists():
        subprocess.run([sys.executable, "-m", "chibo4tot_desktop", "demo", "--data",
                        str(files["demo"])], check=True, env=env, capture_output=True)
    if not files["province"].exists():
        subprocess.run([sys.executable, str(root / "benchmarks" / "make_city_db.py"),
                        str(files["province"]), "--cells", "3000", "--years", "5"],
                       check=True, env=env)
    return {"bare": str(files["demo"]), "demo": str(files["demo"]),
            "province": str(files["province"])}


def _env(root, extra: dict | None = None) -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"]
                                     if env.get("PYTHONPATH") else "")
    env.update(extra or {})
    return env


def _start_xvfb():
    import shutil
    import subprocess

    if not shutil.which("Xvfb"):
        raise SystemExit("Xvfb is not installed (apt-get install xvfb)")
    display = ":47"
    server = subprocess.Popen(["Xvfb", display, "-screen", "0", "1920x1080x24", "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    return server, display


def run_once(mode: str, data: str, env: dict) -> tuple[float, float | None, str]:
    """(seconds to the first window, seconds to the figures or None, heavy imports then)."""
    import subprocess

    start = time.time()
    child = subprocess.Popen([sys.executable, __file__, "--probe", mode, data], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate(timeout=300)
    exposed = shown = None
    heavy = "-"
    for line in out.splitlines():
        if line.startswith("EXPOSED "):
            _tag, stamp, heavy = line.split(" ", 2)
            exposed = float(stamp) - start
        elif line.startswith("DATA "):
            shown = float(line.split()[1]) - start
    if exposed is None or (mode != "bare" and shown is None):
        raise RuntimeError(f"{mode}: no window shown (exit {child.returncode}): {err[-2000:]}")
    return exposed, shown, heavy


def main(argv=None) -> int:
    import argparse
    import statistics
    import subprocess
    from pathlib import Path

    parser = argparse.ArgumentParser(description="start-up time to the main window")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", choices=("offscreen", "xcb"), default="offscreen")
    parser.add_argument("--probe", nargs=2, metavar=("MODE", "DATA"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.probe:
        probe(*args.probe)
        return 0
    root = Path(__file__).resolve().parent.parent
    files = _prepare(root / "benchmarks" / "out")
    server = None
    extra = {"QT_QPA_PLATFORM": args.platform}
    if args.platform == "xcb":
        server, display = _start_xvfb()
        extra["DISPLAY"] = display
    import tempfile

    # The program's own settings (QSettings: the tab it reopens on, recent files) in a folder
    # of this run: each start opens on Tổng quan, whatever this machine's user left.
    settings_home = tempfile.TemporaryDirectory()
    extra["XDG_CONFIG_HOME"] = settings_home.name
    env = _env(root, extra)
    try:
        # The program's modules compiled (.pyc), as an installed program has them (pip and
        # PyInstaller compile them; Python writes them at a first start) - written explicitly,
        # since a machine with PYTHONDONTWRITEBYTECODE set would otherwise compile them anew
        # at every start, which no user sees. PySide6 in site-packages is compiled by pip.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(root / "chibo4tot_desktop")],
                       check=True)
        for mode in files:  # first, unmeasured runs: warm the file cache
            run_once(mode, files[mode], env)
        times = {mode: [] for mode in files}
        figures = {mode: [] for mode in files}
        heavy = {}
        for _ in range(args.runs):
            for mode in files:
                exposed, shown, loaded = run_once(mode, files[mode], env)
                times[mode].append(exposed)
                if shown is not None:
                    figures[mode].append(shown)
                heavy[mode] = loaded
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    command = (f"PYTHONPATH=. {Path(sys.executable).name} benchmarks/startup_bench.py "
               f"--runs {args.runs} --platform {args.platform}")
    print(f"Start of the program ({args.platform}, {args.runs} runs each, "
          f"Python {sys.version.split()[0]}); command: {command}")
    bare = statistics.median(times["bare"])
    labels = {"bare": "bare PySide6 window", "demo": "program, demo ward",
              "province": "program, province (3,000 cells x 5 years)"}

    def line(label, values, target):
        median = statistics.median(values)
        ratio = median / bare
        verdict = "" if target is None else (
            f"  within {target:g}x" if ratio <= target else f"  MISSES {target:g}x")
        return (f"  {label:<58} median {median * 1000:7.0f} ms  best "
                f"{min(values) * 1000:7.0f} ms  x{ratio:.2f}{verdict}")

    print(line(labels["bare"] + " exposed", times["bare"], None))
    for mode in ("demo", "province"):
        print(line(f"{labels[mode]}: its window exposed", times[mode], FRAME_TARGET)
              + f"  heavy imports: {heavy[mode]}")
        print(line(f"{labels[mode]}: the year's figures shown", figures[mode],
                   TARGETS[mode]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
