"""The main window (bootstrap: title and status bar; the tabs come with the window issue)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QMainWindow

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.office import Office


class MainWindow(QMainWindow):
    def __init__(self, office: Office):
        super().__init__()
        self.office = office
        name = office.organisation().name if office.has_organisation() else "Chưa có đảng bộ"
        self.setWindowTitle(f"{APP_TITLE} – {name}")
        self.setCentralWidget(QLabel(name))
        self.statusBar().showMessage(f"Tệp dữ liệu: {office.db.target}")
        self.resize(1200, 800)
