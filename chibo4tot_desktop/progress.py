"""Progress and cancellation of long work (imports, exports, certificate batches, backups),
without Qt: the window shows it in a dialog (``ui/progress.py``), the command line ignores it.

A long function takes ``progress: Progress = null_progress`` and calls
``progress(done, total, message)`` as it goes; the call raises ``Cancelled`` once the user
has asked to stop. The function must then leave nothing half-written, which comes free when:

- database writes happen inside one ``Database.transaction()``: ``Cancelled`` is an exception,
  so the transaction rolls back;
- files are written with ``files.atomic_write(target, progress)``: the data goes to a
  temporary file beside the target, renamed over it only at the end and only when not
  cancelled; on cancellation or any error the temporary file is removed and the target is
  untouched.

    def export_registrations(office, year, target, progress=null_progress):
        rows = queries.registrations(office, year)
        with atomic_write(target, progress) as temp:
            book = Workbook()
            for row in track(rows, progress, "Đang ghi bản đăng ký"):
                ...
            book.save(temp)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Protocol, TypeVar

from chibo4tot_desktop.errors import UserError

T = TypeVar("T")


class Cancelled(UserError):
    """The user stopped the work; nothing was written."""

    def __init__(self, message: str = "Đã hủy theo yêu cầu; không có gì được ghi."):
        super().__init__(message)


class Progress(Protocol):
    """Called by long work as it goes; raises ``Cancelled`` when the user has asked to stop.

    ``total`` None means "unknown" (a busy indicator); ``message`` None keeps the last one.
    """

    def __call__(self, done: int, total: int | None = None,
                 message: str | None = None) -> None: ...


def null_progress(done: int, total: int | None = None, message: str | None = None) -> None:
    """The progress of work nobody watches (the command line, tests): never cancels."""


class ProgressState:
    """A ``Progress`` that remembers the last report and that another thread can cancel.

    ``on_report(done, total, message)`` is called on every report (from the working thread);
    the Qt bridge uses it to forward reports to the dialog.
    """

    def __init__(self, on_report: Callable[[int, int | None, str], None] | None = None):
        self._on_report = on_report
        self._cancel = threading.Event()
        self.done = 0
        self.total: int | None = None
        self.message = ""

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def check(self) -> None:
        """Raise ``Cancelled`` if the user has asked to stop."""
        if self._cancel.is_set():
            raise Cancelled()

    def __call__(self, done: int, total: int | None = None,
                 message: str | None = None) -> None:
        self.check()
        self.done, self.total = done, total
        if message is not None:
            self.message = message
        if self._on_report is not None:
            self._on_report(done, total, self.message)


def check_cancelled(progress: Progress) -> None:
    """Raise ``Cancelled`` if ``progress`` has been cancelled (without reporting a step)."""
    check = getattr(progress, "check", None)
    if check is not None:
        check()


def track(items: Iterable[T], progress: Progress, message: str | None = None,
          total: int | None = None, every: int = 1) -> Iterator[T]:
    """Yield ``items``, reporting the count done before each one (and at the end).

    ``every`` reports only each n-th item (plus the first and the last), for tight loops.
    """
    if total is None:
        try:
            total = len(items)  # type: ignore[arg-type]
        except TypeError:
            total = None
    progress(0, total, message)
    done = 0
    for item in items:
        if done and done % every == 0:
            progress(done, total)
        yield item
        done += 1
    progress(done, total if total is not None else done)


class Throttle:
    """Let through at most one report per ``interval`` seconds (and every final one)."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> bool:
        now = time.monotonic()
        if total is not None and done >= total or now - self._last >= self.interval:
            self._last = now
            return True
        return False
