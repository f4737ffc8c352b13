"""Fitting the window to the screen it is on (a 1366×768 laptop as well as a large screen):
the program's dialogs (``ProgramDialog``) never open taller or wider than the screen, and
the panes the user resized keep their sizes from one session to the next (QSettings).

Each dialog fits itself when it shows (and binds F1 to the guide): no application-wide
event filter, which would make every event of the program pass through Python."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QSplitter, QWidget

MARGIN = 0.95      # of the screen's free area (without the task bar)


def fit_to_screen(widget: QWidget) -> None:
    """Shrink ``widget`` to the free area of its screen and move it fully onto it."""
    screen = widget.screen() or QApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    width = min(widget.width(), int(area.width() * MARGIN))
    height = min(widget.height(), int(area.height() * MARGIN))
    if (width, height) != (widget.width(), widget.height()):
        widget.resize(width, height)
    frame = widget.frameGeometry()
    x = min(max(frame.x(), area.x()), area.right() - frame.width() + 1)
    y = min(max(frame.y(), area.y()), area.bottom() - frame.height() + 1)
    if (x, y) != (frame.x(), frame.y()):
        widget.move(max(x, area.x()), max(y, area.y()))


class ProgramDialog(QDialog):
    """Every dialog of the program: fitted to the free area of its screen when it shows, and
    F1 opens the guide at its section (``ui.help``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from chibo4tot_desktop.ui.help import bind_f1

        bind_f1(self)

    def showEvent(self, event):                     # noqa: N802 - Qt's name
        fit_to_screen(self)
        super().showEvent(event)


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore the panes' sizes saved under ``key`` and save them whenever the user moves
    a handle."""
    state = QSettings().value(key)
    if isinstance(state, QByteArray) and not state.isEmpty():
        splitter.restoreState(state)
    splitter.splitterMoved.connect(lambda *_: QSettings().setValue(key, splitter.saveState()))
