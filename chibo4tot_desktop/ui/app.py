"""Start the window: the QApplication, the data file, the main window."""

from __future__ import annotations

import sys


def run(data: str | None = None) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from chibo4tot_desktop import APP_TITLE
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.errors import UserError
    from chibo4tot_desktop.office import Office
    from chibo4tot_desktop.paths import default_data_file
    from chibo4tot_desktop.ui.common import install_excepthook
    from chibo4tot_desktop.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName("Chibo4tot")
    install_excepthook()
    from chibo4tot_desktop.ui.theme import apply_theme

    apply_theme(app)
    target = data or str(default_data_file())
    try:
        db = open_database(target)
    except UserError as error:
        QMessageBox.critical(None, APP_TITLE, str(error))
        return 2
    window = MainWindow(Office(db))
    window.show()
    try:
        return app.exec()
    finally:
        window.office.db.close()
