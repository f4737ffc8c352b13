"""Save a PNG of every tab (and the settings dialog) on the demo ward, offscreen.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [out_dir]

The demo is built in a temporary data file; the PNGs land in ``screenshots/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from chibo4tot_desktop.ops import queries

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.demo import build_demo
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
    from chibo4tot_desktop.ui.main_window import MainWindow
    from chibo4tot_desktop.ui.theme import apply_theme

    out = Path(argv[0] if argv else "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setOrganizationName("Chibo4tot-screenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    apply_theme(app)
    with tempfile.TemporaryDirectory() as folder:
        os.environ["CHIBO4TOT_DATA_DIR"] = folder
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        db = open_database(Path(folder) / "demo.sqlite3")
        office = Office(db)
        build_demo(office)
        window = MainWindow(office)
        window.resize(1366, 860)
        window.set_year(2024)
        window.show()
        names = ("1-tong-quan", "2-chi-bo", "3-dang-ky", "4-cham-diem", "5-khen-thuong")
        for index, name in enumerate(names):
            window.tabs.setCurrentIndex(index)
            if window.tabs.currentWidget() is window.scoring_tab:
                window.scoring_tab.select_cell(queries.cell_by_code(office, "TDP07").id)
            app.processEvents()
            path = out / f"{name}.png"
            window.grab().save(str(path))
            print(path)
        window.set_year(2023)            # the year with decided awards
        app.processEvents()
        path = out / "5b-khen-thuong-2023.png"
        window.grab().save(str(path))
        print(path)
        dialog = SettingsDialog(office, 2024, window)
        for index, name in ((1, "6-thiet-lap-nguong"), (3, "7-thiet-lap-tieu-chi")):
            dialog.pages.setCurrentIndex(index)
            dialog.show()
            app.processEvents()
            path = out / f"{name}.png"
            dialog.grab().save(str(path))
            print(path)
        dialog.close()
        window.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
