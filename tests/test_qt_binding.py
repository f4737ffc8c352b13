"""The Qt binding itself: PySide6-Essentials 6.12.0 on Python 3.11 drops a reference to None on
every call that returns nothing (and on every invalid QVariant it hands back), so that after a
few thousand calls None is freed and the program aborts ("Fatal Python error: none_dealloc").
pyproject.toml keeps PySide6 below 6.12; this test fails on a binding with that bug."""

from __future__ import annotations

import sys

import pytest


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None is immortal from Python 3.12")
def test_calls_returning_nothing_keep_none_alive(qtbot):
    from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
    from PySide6.QtWidgets import QApplication, QWidget

    widget = QWidget()
    qtbot.addWidget(widget)

    class Model(QAbstractTableModel):
        def rowCount(self, parent=QModelIndex()):  # noqa: B008, N802
            return 0 if parent.isValid() else 10

        def columnCount(self, parent=QModelIndex()):  # noqa: B008, N802
            return 0 if parent.isValid() else 1

        def data(self, index, role=Qt.ItemDataRole.DisplayRole):
            return "x" if role == Qt.ItemDataRole.DisplayRole else None

    model = Model()
    before = sys.getrefcount(None)
    for _ in range(500):
        widget.update()                     # a method returning nothing
        QApplication.processEvents()
        model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)   # an invalid QVariant
    assert sys.getrefcount(None) - before > -50
