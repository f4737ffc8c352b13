"""Start the window: the QApplication, the data file, the main window."""

from __future__ import annotations

import sys

FRAME_SIZE = (1280, 820)     # the main window's own first size (ui.main_window)


def narrow_feature_scan() -> None:
    """PySide6's ``__feature__`` import hook reads the source of every module an import
    statement names after PySide6 is loaded (``_mod_uses_pyside``: does it name PySide6?),
    the standard library's and SQLAlchemy's included: a sixth of the core's import time at
    start. The answer only matters to modules that select a feature (``from __feature__
    import snake_case``), which neither the program nor its libraries do: every module but
    PySide6's own and the window's is answered "no" by name. Nothing changes with a PySide6
    that has no such hook."""
    try:
        from PySide6.support import feature
    except ImportError:
        return
    scan = getattr(feature, "_mod_uses_pyside", None)
    if scan is None or getattr(scan, "narrowed", False):
        return

    def uses_pyside(module) -> bool:
        name = getattr(module, "__name__", "") or ""
        if name.partition(".")[0] in ("PySide6", "shiboken6") or name.startswith(
                "chibo4tot_desktop.ui"):
            return scan(module)
        return False

    uses_pyside.narrowed = True
    feature._mod_uses_pyside = uses_pyside


def show_frame(app):
    """The program's window as it starts: its title and size, "Đang mở tệp dữ liệu…" in the
    middle, shown before the core (SQLAlchemy, the models, the checks of the data file) is
    even imported; the main window takes its place once the data are read."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QLabel, QMainWindow

    from chibo4tot_desktop import APP_TITLE

    frame = QMainWindow()
    frame.setObjectName("startFrame")
    frame.setWindowTitle(APP_TITLE)
    label = QLabel("Đang mở tệp dữ liệu…")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    frame.setCentralWidget(label)
    frame.resize(*FRAME_SIZE)
    frame.show()
    app.processEvents()          # on screen before the long imports
    return frame


def run(data: str | None = None) -> int:
    # No cyclic garbage collection until the main window shows (``keep_from_collector``):
    # the start makes some hundreds of thousands of objects that live as long as the program
    # (modules, classes, mappers, widgets) and next to no garbage, and the collector's
    # passes over them took a tenth of the start (a quarter of a second on a province's
    # file) to free a few hundred objects. Reference counting frees the rest as always.
    global _start_pause
    from chibo4tot_desktop import collector

    collector.pause()
    _start_pause = True
    try:
        return _run(data)
    finally:
        _end_start_pause()


_start_pause = False


def _end_start_pause() -> None:
    global _start_pause
    if _start_pause:
        from chibo4tot_desktop import collector

        _start_pause = False
        collector.resume()


def _run(data: str | None) -> int:
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop import APP_TITLE

    narrow_feature_scan()
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName("Chibo4tot")
    from chibo4tot_desktop.ui.translation import install_translation

    install_translation(app)
    from chibo4tot_desktop.ui.common import install_excepthook

    install_excepthook()
    from chibo4tot_desktop.ui.theme import apply_theme

    apply_theme(app)
    frame = show_frame(app)
    from chibo4tot_desktop.paths import default_data_file

    target = data or str(default_data_file())
    _begin_check(target)
    try:
        return _open_and_run(app, target, frame)
    finally:
        frame.close()


def keep_from_collector():
    """Set aside from Python's cyclic garbage collector every object made until the main
    window shows (modules, classes, the ORM's mappers, the window and its widgets: some
    hundreds of thousands that live as long as the program), and let it collect again from
    there on (``run`` pauses it for the start). Its full passes walk every object it tracks:
    on a province's file one such pass held the window for a quarter of a second. Reference
    counting still frees whatever is dropped. Returns what undoes it."""
    import gc

    gc.freeze()
    _end_start_pause()
    return gc.unfreeze


def _begin_check(target: str) -> None:
    """The data file's physical check starts now, in a thread, and runs while the core is
    imported; the opening (``safety.opening``) takes its result if the file is unchanged."""
    from chibo4tot_desktop.db.sqlite_file import WRITE_CHECK, begin_early_check, is_url

    if not is_url(target):           # a database server checks itself
        begin_early_check(target, WRITE_CHECK)


def _open_and_run(app, target: str, frame) -> int:
    from chibo4tot_desktop.db.sqlite_file import is_url
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ui.main_window import MainWindow
    from chibo4tot_desktop.ui.safety import open_data_file

    if is_url(target):
        from chibo4tot_desktop.ui.dialogs.database_dialog import open_or_choose

        db = open_or_choose(target)   # a server out of reach: choose again, not locked out
    else:
        from chibo4tot_desktop.db.sqlite_file import drop_early_checks

        # Physical check (damaged: offer the newest good backup), writer lock (second copy:
        # offer read-only), network-share warning; None when the user chose to stop.
        try:
            db = open_data_file(target)
        finally:
            drop_early_checks()
    if db is None:
        return 2
    window = MainWindow(Office(db))
    if db.readonly:
        window.setWindowTitle(window.windowTitle() + " (chỉ đọc)")
    if frame.isVisible():
        window.move(frame.pos())          # where the user already sees the program
    window.show()
    frame.close()
    undo = keep_from_collector()
    try:
        return app.exec()
    finally:
        undo()                            # a caller that goes on (a test) collects again
        window.office.db.close()
        if window.office.db is not db:
            db.close()
