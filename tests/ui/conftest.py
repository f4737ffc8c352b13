"""Window fixtures: recent-file settings kept in the test's folder; message boxes patched."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from chibo4tot_desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _private_qsettings(tmp_path, qapp):
    qapp.setOrganizationName("Chibo4tot-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    QSettings().clear()


class Boxes:
    """Records every message box; ``answer`` is what question() returns."""

    def __init__(self):
        self.shown: list[tuple[str, str]] = []
        self.answer = QMessageBox.StandardButton.Yes

    def warning(self, parent, title, text, *args, **kwargs):
        self.shown.append(("warning", text))
        return QMessageBox.StandardButton.Ok

    def question(self, parent, title, text, *args, **kwargs):
        self.shown.append(("question", text))
        return self.answer


@pytest.fixture
def boxes(monkeypatch):
    recorder = Boxes()
    monkeypatch.setattr(QMessageBox, "warning", recorder.warning)
    monkeypatch.setattr(QMessageBox, "critical", recorder.warning)
    monkeypatch.setattr(QMessageBox, "information", recorder.warning)
    monkeypatch.setattr(QMessageBox, "question", recorder.question)
    return recorder


@pytest.fixture
def window(qtbot, office, boxes):
    main = MainWindow(office)
    qtbot.addWidget(main)
    main.set_year(2023)
    return main


@pytest.fixture
def demo_window(qtbot, demo_office, boxes):
    main = MainWindow(demo_office)
    qtbot.addWidget(main)
    main.set_year(2024)
    return main
