"""The pictures of the user guide: the real main window and key dialogs on the demo ward,
rendered offscreen.

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [out_dir]

The demo is built in a temporary data file. Every picture is taken at 1366×768 into
``resources/guide/images/`` (the guide shows these); the main window's tabs also at 1920×1080
into ``images/1920x1080/``. Run it again whenever the window changes, look at the PNGs and
commit them.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SMALL, LARGE = (1366, 768), (1920, 1080)


def _bad_list(path: Path) -> None:
    """A consolidated list as an office types it, with the usual mistakes."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Tên chi bộ", "Ngày đăng ký", "Số đảng viên"])
    sheet.append(["Chi bộ Tổ dân phố 2", "05/3/2025", 31])
    sheet.append(["Chi bộ Tổ dân phố 99", "06/3/2025", 20])
    sheet.append(["Chi bộ Tổ dân phố 3", "31/02/2025", 28])
    book.save(path)


def _shrink(path: Path) -> None:
    """A window has few colours: a 256-colour palette keeps the text sharp at a third of
    the size."""
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                              dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.demo import build_demo
    from chibo4tot_desktop.ops import Office, queries
    from chibo4tot_desktop.ui.dialogs.backups_dialog import BackupsDialog
    from chibo4tot_desktop.ui.dialogs.first_run_dialog import FirstRunDialog
    from chibo4tot_desktop.ui.dialogs.import_dialog import ImportDialog
    from chibo4tot_desktop.ui.dialogs.keys_dialog import KeysDialog
    from chibo4tot_desktop.ui.dialogs.merge_dialog import MergeDialog
    from chibo4tot_desktop.ui.dialogs.papers_dialog import PapersDialog
    from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
    from chibo4tot_desktop.ui.main_window import MainWindow
    from chibo4tot_desktop.ui.theme import apply_theme

    out = Path(argv[0]) if argv else ROOT / "resources" / "guide" / "images"
    (out / "1920x1080").mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    app.setOrganizationName("Chibo4tot-screenshots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    apply_theme(app)

    def save(widget, name: str, size=SMALL, folder: Path = out) -> None:
        widget.resize(*size)
        widget.show()
        app.processEvents()
        path = folder / f"{name}.png"
        widget.grab().save(str(path))
        _shrink(path)
        print(path)

    with tempfile.TemporaryDirectory() as folder:
        os.environ["CHIBO4TOT_DATA_DIR"] = folder
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        db = open_database(Path(folder) / "demo.sqlite3")
        office = Office(db)
        build_demo(office)
        window = MainWindow(office)
        # The status bar as on an office's computer, not the temporary folder of this script.
        window.file_label.setText("Tệp dữ liệu: C:\\Users\\VanPhong\\AppData\\Roaming\\"
                                  "Chibo4tot\\chibo4tot.sqlite3")
        tabs = (("cua-so-tong-quan", window.overview_tab), ("tab-chi-bo", window.cells_tab),
                ("tab-dang-ky", window.registrations_tab), ("tab-cham-diem", window.scoring_tab))
        for size, folder_out in ((SMALL, out), (LARGE, out / "1920x1080")):
            for name, tab in tabs:
                window.tabs.setCurrentWidget(tab)
                if tab is window.scoring_tab:
                    # 2025 is scored under Quy định 366-QĐ/TW: the pilot cell's sheet shows
                    # the HTXSNV conditions the committee confirms.
                    window.set_year(2025)
                    window.scoring_tab.select_cell(queries.cell_by_code(office, "TDP06").id)
                else:
                    window.set_year(2024)
                save(window, name, size, folder_out)
        window.set_year(2023)            # the year with decided awards
        window.tabs.setCurrentWidget(window.awards_tab)
        save(window, "tab-khen-thuong")

        dialog = SettingsDialog(office, 2025, window)
        for title, name, size in (("Đảng bộ", "thiet-lap-dang-bo", (1000, 700)),
                                  ("Quy định và ngưỡng theo năm", "thiet-lap-quy-dinh",
                                   (1000, 700)),
                                  ("Giấy tờ, người ký", "thiet-lap-nguoi-ky", (1000, 340)),
                                  ("Tiêu chí chi bộ", "thiet-lap-tieu-chi", (1000, 700))):
            titles = [dialog.pages.tabText(index) for index in range(dialog.pages.count())]
            if title not in titles:      # the dialog changed: the guide's picture would lie
                raise SystemExit(f"Thiết lập has no page '{title}' (pages: {titles})")
            dialog.pages.setCurrentIndex(titles.index(title))
            save(dialog, name, size)
        dialog.close()

        from chibo4tot_desktop.db.models import AwardKind
        from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog

        recognitions = [award for award in queries.awards(office, 2025)
                        if award.kind == AwardKind.CELL_RECOGNITION.value][:6]
        decision = DecisionDialog(office, recognitions, parent=window)
        save(decision, "ghi-quyet-dinh", (640, 520))
        decision.close()

        empty_db = open_database(Path(folder) / "empty.sqlite3")
        first = FirstRunDialog(Office(empty_db), window)
        save(first, "khai-bao-dau-tien", (640, 420))
        first.close()

        listing = Path(folder) / "dang-ky-tong-hop.xlsx"
        _bad_list(listing)
        importer = ImportDialog(office, 2025, [listing], window)
        save(importer, "nhap-excel", (1000, 560))
        importer.close()

        papers = PapersDialog(office, window, 2023)
        save(papers, "giay-to", (760, 520))
        papers.close()

        backups = BackupsDialog(db.path, window)
        save(backups, "sao-luu", (900, 520))
        backups.close()

        keys = KeysDialog(office, window)
        save(keys, "khoa-chu-ky", (900, 520))
        keys.close()

        cells = [c for c in queries.cells(office) if c.dissolved_on is None]
        merge = MergeDialog(office, cells, {cells[0].id, cells[1].id}, window)
        save(merge, "sap-nhap-chi-bo", (760, 560))
        merge.close()

        from chibo4tot_desktop.ui.help import show_help

        help_window = show_help(window, "cham-diem")
        save(help_window, "huong-dan", (1100, 700))
        help_window.close()
        window.close()
        empty_db.close()
        db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
