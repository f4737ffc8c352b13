"""Progress and cancellation of long work, without Qt: the window's worker threads (ordering
a long listing, computing a year's overview) are cancelled through it when a newer request
supersedes them; the window's long actions (imports, exports, PDFs, backups, packets, the
check) report through it to a progress dialog whose "Hủy" cancels them
(``ui/long_work.run_long``); the command line ignores it.

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
            for number, row in enumerate(rows):
                progress(number, len(rows), "Đang ghi bản đăng ký")
                ...
            book.save(temp)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol

from chibo4tot_desktop.errors import UserError


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
