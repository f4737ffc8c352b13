"""Long work from the window: a core function run in a worker thread behind a modal progress
dialog with a "Hủy" button (``chibo4tot_desktop.progress`` is the core side).

    path = run_long(main, "Xuất Excel", lambda progress: exports.export(..., progress=progress))

``work(progress)`` runs in a QThreadPool thread (as the overviews and the long listings do):
it reads and writes the database through its own sessions, and the change notices it causes
reach the window through ``DataBridge``, whose signal Qt queues to the GUI thread. The GUI
thread waits in a nested event loop, so the window keeps drawing. For the first
``SHOW_AFTER_MS`` no dialog is shown (quick work does not flash one) and the user's clicks
and keys wait; then the dialog appears: the action as its title, the work's last message as
its label, a bar that fills when the work tells its total (a busy bar otherwise), "Hủy".

"Hủy" (or closing the dialog) asks the work to stop (``ProgressState.cancel``); it stops at
its next report, leaving nothing written, and the user is told so in a plain message:
``run_long`` then returns None. Any other error is raised again on the GUI thread, so the
caller shows it as it shows the errors of quick work. Work that finished although "Hủy" came
too late returns its result as usual (it has been written).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import (
    QEventLoop,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QPushButton, QWidget

from chibo4tot_desktop.progress import Cancelled, Progress, ProgressState

T = TypeVar("T")

SHOW_AFTER_MS = 500   # work that ends sooner shows no dialog
STEPS = 200           # reports forwarded to the dialog at most this many times a run


class _Signals(QObject):
    report = Signal(int, int, str)    # done, total (-1: unknown), message
    finished = Signal()


class _Job(QRunnable):
    def __init__(self, work: Callable[[Progress], object], state: ProgressState,
                 signals: _Signals, outcome: dict):
        super().__init__()
        self.setAutoDelete(False)       # the GUI thread reads ``outcome`` after the end
        self.work, self.state, self.signals, self.outcome = work, state, signals, outcome

    def run(self) -> None:
        try:
            self.outcome["result"] = self.work(self.state)
        except BaseException as error:  # noqa: BLE001 - raised again on the GUI thread
            self.outcome["error"] = error
        self.signals.finished.emit()


class _Reports:
    """Forwards the work's reports to the GUI thread, only when they would show a change
    (another message, another step of ``STEPS``): a row-by-row report stays cheap."""

    def __init__(self, signals: _Signals):
        self.signals = signals
        self.lock = threading.Lock()
        self.last: tuple | None = None

    def __call__(self, done: int, total: int | None, message: str) -> None:
        step = done * STEPS // total if total else None
        key = (step, total, message)
        with self.lock:
            if key == self.last:
                return
            self.last = key
        self.signals.report.emit(done, -1 if total is None else total, message)


def progress_dialog(parent: QWidget | None, title: str) -> QProgressDialog:
    dialog = QProgressDialog("Đang bắt đầu…", "Hủy", 0, 0, parent)
    dialog.cancel_button = QPushButton("Hủy")
    dialog.setCancelButton(dialog.cancel_button)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setAutoClose(False)        # it stays up until the work has really stopped
    dialog.setAutoReset(False)
    dialog.setMinimumDuration(2 ** 30)  # shown by ``run_long``, not by Qt's own timer
    dialog.setMinimumWidth(420)
    return dialog


def run_long(parent: QWidget | None, title: str, work: Callable[[Progress], T], *,
             pool: QThreadPool | None = None) -> T | None:
    """Run ``work(progress)`` off the GUI thread behind a progress dialog titled ``title``.

    Returns its result; None when the user cancelled (told in a message box). Raises again
    whatever else the work raised.
    """
    signals = _Signals()
    state = ProgressState(_Reports(signals))
    outcome: dict = {}
    dialog = progress_dialog(parent, title)
    loop = QEventLoop()

    def report(done: int, total: int, message: str) -> None:
        if state.cancelled:
            return
        if message:
            dialog.setLabelText(message)
        if total < 0:
            dialog.setRange(0, 0)
        else:
            dialog.setRange(0, max(total, 1))
            dialog.setValue(min(done, max(total, 1)))

    def cancel() -> None:
        state.cancel()
        dialog.setLabelText("Đang hủy…")
        dialog.cancel_button.setEnabled(False)

    def finished() -> None:
        outcome["finished"] = True
        loop.quit()

    def show() -> None:
        if "finished" not in outcome:
            dialog.show()
            loop.quit()                 # go on waiting with the user's input allowed

    signals.report.connect(report)
    signals.finished.connect(finished)
    dialog.canceled.connect(cancel)
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(show)
    job = _Job(work, state, signals, outcome)
    timer.start(SHOW_AFTER_MS)
    (pool or QThreadPool.globalInstance()).start(job)
    # First the user's clicks wait (no dialog is up yet to make the wait modal), then, once
    # the dialog is shown, they go to it.
    if "finished" not in outcome:
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    while "finished" not in outcome:
        loop.exec()
    timer.stop()
    dialog.hide()
    dialog.deleteLater()
    error = outcome.get("error")
    if isinstance(error, Cancelled):
        QMessageBox.information(parent, title, str(error))
        return None
    if error is not None:
        raise error
    return outcome.get("result")
