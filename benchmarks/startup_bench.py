"""Start-up time: a new process until its main window is on screen, for the program (on the
demo data and on a city-sized data file) against a bare PySide6 window started the same way.

    PYTHONPATH=. python benchmarks/startup_bench.py [--runs 7] [--platform offscreen|xcb]

Each figure is one new Python process (`python benchmarks/startup_bench.py --probe ...`): the
parent notes the time, starts it, and the child prints the time when Qt first reports the main
window exposed (QEvent.Expose with isExposed()), then quits. "bare" builds a QMainWindow with a
label and a status bar, the size of ours; "demo"/"city" run the program's own entry point
(`chibo4tot_desktop.cli.main(["--data", FILE])`) — argument parsing, opening the data file and
checking its schema, the main window. The files are made first (benchmarks/out/, reused):
demo.sqlite3 (the demo ward) and city.sqlite3 (make_city_db.py: 200 cells, 5 years, every
registration and score). Runs are interleaved; the median and the best are printed. The file
cache is warm (every run after a first, unmeasured one): this is the start a user sees the
second time they open the program in a session, and the first time is mostly disk.

"frame-first" is a prototype of a faster start, not the program: a frame is shown before the
core (SQLAlchemy) is imported, and the data is opened and shown once it is on screen; its
line gives both moments.

--platform xcb starts one Xvfb server for all runs (a real X11 window, drawn); the default,
offscreen, draws without a display. The goal of issue 7 is the program within 2.5x of the
bare window. With each run the child also reports which heavy libraries were imported by the
time the window showed (they should not be: openpyxl, reportlab, alembic, PIL, mako).
"""

from __future__ import annotations

import sys
import time

from chibo4tot_desktop.ops import queries

HEAVY = ("openpyxl", "reportlab", "alembic", "PIL", "mako", "calamine", "python_calamine")


def probe(mode: str, data: str) -> None:
    """Child process: start a window, print when it is exposed, quit."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    state = {"done": False}

    class Watcher(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt API
            if (not state["done"] and event.type() == QEvent.Type.Expose
                    and isinstance(obj, QWindow) and obj.isExposed()):
                state["done"] = True
                stamp = time.time()
                heavy = ",".join(name for name in HEAVY if name in sys.modules) or "-"
                print(f"EXPOSED {stamp:.6f} {heavy}", flush=True)
                QTimer.singleShot(0, app.quit)
            return False

    watcher = Watcher()
    app.installEventFilter(watcher)
    if mode == "frame-first":
        _frame_first(app, data)
    elif mode == "bare":
        from PySide6.QtWidgets import QLabel, QMainWindow

        window = QMainWindow()
        window.setWindowTitle("Chi bộ 4 tốt – cửa sổ trống")
        window.setCentralWidget(QLabel("Đảng bộ phường Tân Giang"))
        window.statusBar().showMessage("Tệp dữ liệu: " + data)
        window.resize(1200, 800)
        window.show()
        app.exec()
    else:
        from chibo4tot_desktop.cli import main

        main(["--data", data])


def _frame_first(app, data: str) -> None:
    """Prototype (not the program's code): the window's frame is shown before the core is
    imported; the data file is opened once it is on screen, then its content is filled in.
    Prints FRAME (exposed, as the other modes) and DATA (the content set and painted)."""
    from PySide6.QtWidgets import QLabel, QMainWindow

    frame = QMainWindow()
    frame.setWindowTitle("Chi bộ 4 tốt")
    frame.statusBar().showMessage("Đang mở tệp dữ liệu…")
    frame.resize(1200, 800)

    def load():
        from chibo4tot_desktop.db.engine import open_database
        from chibo4tot_desktop.ops import Office

        office = Office(open_database(data))
        name = queries.organisation(office).name
        frame.setWindowTitle(f"Chi bộ 4 tốt – {name}")
        frame.setCentralWidget(QLabel(name))
        frame.statusBar().showMessage(f"Tệp dữ liệu: {data}")
        frame.repaint()
        print(f"DATA {time.time():.6f}", flush=True)

    app.aboutToQuit.connect(load)  # the watcher quits after the first expose: load then
    frame.show()
    app.exec()


def _prepare(out) -> dict[str, str]:
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out.mkdir(parents=True, exist_ok=True)
    files = {"demo": out / "demo.sqlite3", "city": out / "city.sqlite3"}
    env = _env(root)
    if not files["demo"].exists():
        subprocess.run([sys.executable, "-m", "chibo4tot_desktop", "demo", "--data",
                        str(files["demo"])], check=True, env=env, capture_output=True)
    if not files["city"].exists():
        subprocess.run([sys.executable, str(root / "benchmarks" / "make_city_db.py"),
                        str(files["city"])], check=True, env=env)
    return {"bare": str(files["demo"]), "demo": str(files["demo"]),
            "city": str(files["city"]), "frame-first": str(files["city"])}


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


def run_once(mode: str, data: str, env: dict) -> tuple[float, str]:
    import subprocess

    start = time.time()
    child = subprocess.Popen([sys.executable, __file__, "--probe", mode, data], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = child.communicate(timeout=120)
    data_line = [line for line in out.splitlines() if line.startswith("DATA ")]
    for line in out.splitlines():
        if line.startswith("EXPOSED "):
            _tag, stamp, heavy = line.split(" ", 2)
            if data_line:
                heavy += f"; content shown at {1000 * (float(data_line[0].split()[1]) - start):.0f} ms"
            return float(stamp) - start, heavy
    raise RuntimeError(f"{mode}: no window shown (exit {child.returncode}): {err[-2000:]}")


def main(argv=None) -> int:
    import argparse
    import statistics
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
    env = _env(root, extra)
    try:
        for mode in files:  # first, unmeasured runs: compile .pyc files, warm the file cache
            run_once(mode, files[mode], env)
        times = {mode: [] for mode in files}
        heavy = {}
        for _ in range(args.runs):
            for mode in files:
                elapsed, loaded = run_once(mode, files[mode], env)
                times[mode].append(elapsed)
                heavy[mode] = loaded
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    command = (f"PYTHONPATH=. {Path(sys.executable).name} benchmarks/startup_bench.py "
               f"--runs {args.runs} --platform {args.platform}")
    print(f"Start to main window exposed ({args.platform}, {args.runs} runs each, "
          f"Python {sys.version.split()[0]}); command: {command}")
    bare = statistics.median(times["bare"])
    labels = {"bare": "bare PySide6 window", "demo": "program, demo data",
              "city": "program, city data (200 cells x 5 years)",
              "frame-first": "prototype: frame first, then city data"}
    for mode, values in times.items():
        median = statistics.median(values)
        ratio = median / bare
        verdict = "" if mode == "bare" else (
            "  within 2.5x" if ratio <= 2.5 else "  MISSES 2.5x")
        print(f"  {labels[mode]:<44} median {median * 1000:7.0f} ms  best "
              f"{min(values) * 1000:7.0f} ms  x{ratio:.2f}{verdict}  heavy imports: "
              f"{heavy[mode]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
