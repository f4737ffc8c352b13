"""Start the window: the QApplication, the data file, the main window."""

from __future__ import annotations

import sys


def run(data: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop import APP_TITLE
    from chibo4tot_desktop.office import Office
    from chibo4tot_desktop.paths import default_data_file
    from chibo4tot_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName("Chibo4tot")
    target = data or str(default_data_file())
    from chibo4tot_desktop.ui.dialogs.database_dialog import open_or_choose

    db = open_or_choose(target)   # a server out of reach: choose again, not locked out
    if db is None:
        return 2
    window = MainWindow(Office(db))
    window.show()
    try:
        return app.exec()
    finally:
        db.close()
