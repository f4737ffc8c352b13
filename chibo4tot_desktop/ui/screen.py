"""Fitting the window to the screen it is on (a 1366×768 laptop as well as a large screen):
dialogs never open taller or wider than the screen, and the panes the user resized keep
their sizes from one session to the next (QSettings)."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings
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


class DialogsFitScreen(QObject):
    """Application event filter: every dialog, ours or Qt's (print preview, file dialog),
    is fitted to the screen when it is shown."""

    def eventFilter(self, watched, event):          # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.Show and isinstance(watched, QDialog):
            fit_to_screen(watched)
        return False


def install_screen_fit(app: QApplication) -> DialogsFitScreen:
    fitter = DialogsFitScreen(app)
    app.installEventFilter(fitter)
    return fitter


def remember_splitter(splitter: QSplitter, key: str) -> None:
    """Restore the panes' sizes saved under ``key`` and save them whenever the user moves
    a handle."""
    state = QSettings().value(key)
    if isinstance(state, QByteArray) and not state.isEmpty():
        splitter.restoreState(state)
    splitter.splitterMoved.connect(lambda *_: QSettings().setValue(key, splitter.saveState()))
