"""Start-up stays light: opening the window on a data file imports none of the heavy libraries
(they are imported when their feature is used). Run in a fresh interpreter, the way the
program starts; benchmarks/startup_bench.py measures the time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "xlsxwriter", "reportlab", "alembic", "mako", "PIL", "python_calamine",
         "defusedxml", "docx", "lxml")

PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    def report():
        # the start frame first ("Đang mở tệp dữ liệu…"), then the main window
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        if not any(type(w).__name__ == "MainWindow" for w in shown):
            QTimer.singleShot(5, report)
            return
        heavy = [name for name in {heavy!r} if name in sys.modules]
        print("WINDOW", True, "HEAVY", ",".join(heavy) or "-",
              "FRAME", any(w.objectName() == "startFrame" for w in shown))
        app.quit()
    QTimer.singleShot(0, report)
    from chibo4tot_desktop.cli import main
    sys.exit(main(["--data", sys.argv[1]]))
""")


def test_opening_the_window_imports_no_heavy_library(tmp_path, demo_office):
    # The demo ward (an empty file would open the first-run dialog, which waits for a person).
    db = demo_office.db
    db.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CHIBO4TOT_DATA_DIR": str(tmp_path / "appdata")}
    result = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), str(db.path)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "WINDOW True HEAVY - FRAME False" in result.stdout, result.stdout + result.stderr


FRAME_PROBE = textwrap.dedent("""
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    seen = []
    def look():
        frame = [w for w in QApplication.topLevelWidgets()
                 if w.objectName() == "startFrame" and w.isVisible()]
        if frame and not seen:
            seen.append(1)
            print("FRAME", frame[0].windowTitle(), "|", frame[0].centralWidget().text(),
                  "| SQLALCHEMY", "sqlalchemy" in sys.modules, "| COMMANDS",
                  any(name.startswith("chibo4tot_desktop.cli.commands_")
                      for name in sys.modules), flush=True)
        if any(type(w).__name__ == "MainWindow" and w.isVisible()
               for w in QApplication.topLevelWidgets()):
            app.quit()
        else:
            QTimer.singleShot(1, look)
    QTimer.singleShot(0, look)
    from chibo4tot_desktop.cli import main
    sys.exit(main(["--data", sys.argv[1]]))
""")


def test_the_program_shows_its_frame_before_loading_the_core(tmp_path, demo_office):
    """What the user sees within a moment of starting: the program's window, "Đang mở tệp
    dữ liệu…", before SQLAlchemy is even imported; the main window then takes its place."""
    db = demo_office.db
    db.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CHIBO4TOT_DATA_DIR": str(tmp_path / "appdata")}
    result = subprocess.run([sys.executable, "-c", FRAME_PROBE, str(db.path)],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    # Nor the subcommands' modules: "--data FILE" alone opens the window.
    assert ("FRAME Chi bộ 4 tốt | Đang mở tệp dữ liệu… | SQLALCHEMY False | COMMANDS False"
            in result.stdout), result.stdout + result.stderr


@pytest.mark.parametrize("argv, window", [
    ([], True), (["--data", "a.sqlite3"], True), (["--data=a b.sqlite3"], True),
    (["--database-url", "postgresql+psycopg://u@h/db", "--data", "x"], True),
    (["--data"], False), (["--data", "--version"], False), (["--dat", "x"], False),
    (["--data", "x", "status"], False), (["status"], False), (["--version"], False),
    (["--self-test"], False), (["-h"], False)])
def test_only_the_window_options_skip_the_subcommands(argv, window):
    from chibo4tot_desktop.cli import build_parser, opens_the_window

    assert opens_the_window(argv) is window
    if window:        # what the whole parser reads: no command, the same file or server
        args = build_parser().parse_args(argv)
        assert args.command is None and not args.self_test


def test_the_window_options_reach_the_window(monkeypatch):
    from chibo4tot_desktop.cli import main
    from chibo4tot_desktop.ui import app

    opened = []
    monkeypatch.setattr(app, "run", lambda target: opened.append(target) or 0)
    assert main(["--data", "some.sqlite3"]) == 0
    assert main(["--data=other.sqlite3"]) == 0
    assert opened == ["some.sqlite3", "other.sqlite3"]


DATABASE_CODE = ("sqlalchemy", "sqlite3", "psycopg", "chibo4tot_desktop.db",
                 "chibo4tot_desktop.ops", "chibo4tot_desktop.safety", "PySide6")


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["status", "--help"],
                                  ["cells", "add", "--help"], ["packet", "import", "--help"]])
def test_commands_that_need_no_data_file_load_no_database_code(argv):
    code = textwrap.dedent(f"""
        import sys
        from chibo4tot_desktop.cli import main
        try:
            main({argv!r})
        except SystemExit:
            pass
        print("LOADED", [m for m in sys.modules if m.startswith({DATABASE_CODE!r})])
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert "LOADED []" in result.stdout, result.stdout[-500:] + result.stderr[-2000:]


def test_pyside_reads_no_source_of_modules_that_never_use_qt():
    """PySide6's import hook would read the source of every module imported after it; the
    program answers for its core and libraries by name (``ui.app.narrow_feature_scan``)."""
    code = textwrap.dedent("""
        import inspect, sys
        import PySide6.QtWidgets
        from PySide6.support import feature
        from chibo4tot_desktop.ui.app import narrow_feature_scan
        narrow_feature_scan()
        read = []
        real = inspect.getsource
        inspect.getsource = lambda module: read.append(module.__name__) or real(module)
        import dataclasses, sqlalchemy.sql
        from chibo4tot_desktop import rules
        from chibo4tot_desktop.ui import screen
        print([name for name in read if not name.startswith("PySide6")])
        print(feature.pyside_feature_dict.get('sqlalchemy'),
              feature.pyside_feature_dict.get('chibo4tot_desktop'),
              feature.pyside_feature_dict.get('chibo4tot_desktop.ui'))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen",
                                 "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
                            check=True)
    read, marks = result.stdout.strip().splitlines()
    # Only the window's own package is read (it names PySide6); the rest answered by name.
    assert read == "['chibo4tot_desktop.ui']"
    assert marks.split()[:2] == ["-1", "-1"]      # "does not use PySide6", as read would say


def test_the_objects_of_the_start_are_kept_from_the_collector_until_the_program_ends():
    import gc

    from chibo4tot_desktop.ui.app import keep_from_collector

    before = gc.get_freeze_count()
    undo = keep_from_collector()
    try:
        assert gc.get_freeze_count() > before     # the start's objects set aside
    finally:
        undo()
    assert gc.get_freeze_count() == 0


COLLECTOR_PROBE = textwrap.dedent("""
    import gc
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication(sys.argv[:1])
    seen = []
    def look():
        shown = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        if any(w.objectName() == "startFrame" for w in shown) and not seen:
            seen.append(1)
            print("FRAME COLLECTING", gc.isenabled(), flush=True)
        if any(type(w).__name__ == "MainWindow" for w in shown):
            print("WINDOW COLLECTING", gc.isenabled(), "FROZEN", gc.get_freeze_count() > 0,
                  flush=True)
            app.quit()
        else:
            QTimer.singleShot(1, look)
    QTimer.singleShot(0, look)
    from chibo4tot_desktop.cli import main
    code = main(["--data", sys.argv[1]])
    print("AFTER COLLECTING", gc.isenabled(), flush=True)
    sys.exit(code)
""")


def test_the_collector_waits_until_the_main_window_shows(tmp_path, demo_office):
    """The start makes long-lived objects and next to no garbage: no collector passes over
    them until the main window shows; from then on it collects (the start's objects set
    aside), and a caller that goes on finds it as it was."""
    db = demo_office.db
    db.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen",
           "CHIBO4TOT_DATA_DIR": str(tmp_path / "appdata")}
    result = subprocess.run([sys.executable, "-c", COLLECTOR_PROBE, str(db.path)],
                            check=False, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "FRAME COLLECTING False" in out, out + result.stderr
    assert "WINDOW COLLECTING True FROZEN True" in out, out + result.stderr
    assert "AFTER COLLECTING True" in out, out + result.stderr


def test_pauses_of_the_collector_nest_and_restore_its_state():
    import gc

    from chibo4tot_desktop.collector import paused_gc

    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()        # the outer pause still holds
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()        # it was off before: it stays off
    finally:
        gc.enable()
