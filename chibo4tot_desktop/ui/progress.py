"""Long work with a progress dialog: the core function runs in a worker thread (QThreadPool),
reports through ``chibo4tot_desktop.progress`` and is cancelled with the dialog's “Hủy” button.

    from chibo4tot_desktop.ui.progress import run_with_progress
    try:
        path = run_with_progress(self, "Xuất Excel", "Đang ghi danh sách đăng ký…",
                                 lambda progress: export(office, year, target, progress=progress))
    except Cancelled:
        self.statusBar().showMessage("Đã hủy; không có gì được ghi.")
    except UserError as error:
        QMessageBox.warning(self, "Xuất Excel", str(error))

The call returns the work's result once it has finished (the window keeps painting and
answering meanwhile; the dialog is window-modal), raises ``Cancelled`` if the user cancelled,
or re-raises the work's own exception. The work must not touch widgets: it gets only the
``Progress`` callback. What it writes is written only when it is not cancelled (see the core
module: one transaction, ``files.atomic_write``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEventLoop, QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from chibo4tot_desktop.progress import Progress, ProgressState, Throttle

T = TypeVar("T")


class _Signals(QObject):
    progressed = Signal(int, int, str)   # done, total (-1: unknown), message
    finished = Signal()


class _Job(QRunnable):
    def __init__(self, work: Callable[[Progress], object], state: ProgressState,
                 signals: _Signals):
        super().__init__()
        self.setAutoDelete(False)
        self.work, self.state, self.signals = work, state, signals
        self.result = None
        self.error: BaseException | None = None
        self.done = False

    def run(self) -> None:
        try:
            self.result = self.work(self.state)
        except BaseException as error:  # noqa: BLE001 - handed back to the GUI thread
            self.error = error
        finally:
            self.done = True
            self.signals.finished.emit()


class ProgressRunner:
    """Runs one piece of work with a QProgressDialog; ``run()`` blocks in a local event loop.

    ``dialog`` is available (for tests, or to tweak it) once ``run()`` has started.
    """

    def __init__(self, parent: QWidget | None, title: str, label: str, *,
                 minimum_duration_ms: int = 400, pool: QThreadPool | None = None):
        self.parent, self.title, self.label = parent, title, label
        self.minimum_duration_ms = minimum_duration_ms
        self.pool = pool or QThreadPool.globalInstance()
        self.dialog: QProgressDialog | None = None
        self.state: ProgressState | None = None
        # What the dialog showed last: (value, maximum, label); kept after it is closed.
        self.shown: tuple[int, int, str] = (0, 0, label)

    def run(self, work: Callable[[Progress], T]) -> T:
        signals = _Signals()
        throttle = Throttle()

        def forward(done: int, total: int | None, message: str) -> None:
            if throttle(done, total):
                signals.progressed.emit(done, -1 if total is None else total, message)

        state = self.state = ProgressState(forward)
        dialog = self.dialog = QProgressDialog(self.label, "Hủy", 0, 0, self.parent)
        dialog.setWindowTitle(self.title)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(self.minimum_duration_ms)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)

        def remember() -> None:
            self.shown = (dialog.value(), dialog.maximum(), dialog.labelText())

        def on_cancel() -> None:
            state.cancel()
            dialog.setLabelText("Đang hủy…")
            remember()

        def on_progress(done: int, total: int, message: str) -> None:
            if state.cancelled:
                return
            if total >= 0:
                dialog.setMaximum(max(total, 1))
                dialog.setValue(min(done, max(total, 1)))
            else:
                dialog.setMaximum(0)
            if message:
                dialog.setLabelText(message)
            remember()

        dialog.canceled.connect(on_cancel)
        signals.progressed.connect(on_progress)
        job = _Job(work, state, signals)
        loop = QEventLoop()
        signals.finished.connect(loop.quit)
        self.pool.start(job)
        if not job.done:
            loop.exec()
        # a last queued "finished" may still be pending; the job is done either way
        dialog.canceled.disconnect(on_cancel)
        dialog.close()
        dialog.deleteLater()
        if job.error is not None:
            raise job.error
        # Cancelled too late (the work had finished, its data written): the result stands.
        return job.result  # type: ignore[return-value]


def run_with_progress(parent: QWidget | None, title: str, label: str,
                      work: Callable[[Progress], T], *, minimum_duration_ms: int = 400) -> T:
    """Run ``work(progress)`` off the GUI thread with a progress dialog (see module doc)."""
    return ProgressRunner(parent, title, label,
                          minimum_duration_ms=minimum_duration_ms).run(work)
