"""The year overviews of the open data file, for the tabs: computed off the GUI thread and
kept until the data change (``chibo4tot_desktop.overviews``).

    overview = main.overviews.get(year)   # None: being computed; ``ready(year)`` follows
    main.overviews.changed(change)        # every change notice, before the tabs redraw

A small office (``inline_cells`` cells or fewer) is computed on the spot, in a few
milliseconds, and so is the update of the cells a save touched. A bigger office runs both in
a QThreadPool thread while the window keeps answering: even the update of one cell ranks and
counts all of a year's cells again (on a province's 3,000 cells it held the window for half
a second after every saved sheet).
"""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from chibo4tot_desktop.db.plain import paused_gc
from chibo4tot_desktop.overviews import YearOverviews
from chibo4tot_desktop.progress import Cancelled

INLINE_CELLS = 300    # a year of this many cells is read and judged in tens of milliseconds


class _Signals(QObject):
    done = Signal(int, int)   # year, generation


class _Job(QRunnable):
    def __init__(self, cache: YearOverviews, year: int, generation: int, signals: _Signals,
                 errors: dict, lock: threading.Lock):
        super().__init__()
        self.cache, self.year, self.generation = cache, year, generation
        self.signals, self.errors, self.lock = signals, errors, lock

    def run(self) -> None:
        try:
            # A year's overview is some 150,000 objects on a province's file, kept until the
            # data change, and none of them in a reference cycle (reference counting frees
            # them when dropped). The cyclic collector is kept from scanning them again and
            # again while they are made, and from its full passes afterwards: such a pass,
            # run in this thread, holds the window as long as it lasts (half a second over
            # two years' overviews). After an update of some cells (a saved sheet), what the
            # computation left as garbage (the read's session and transaction form reference
            # cycles, some 100 objects) is collected first, by a pass over the young objects
            # (a few milliseconds): set aside with the rest, it would be kept for good, some
            # more after every saved sheet of the day. Not after a whole year: the pass would
            # walk the year's 150,000 new objects, 65-90 ms that the window would wait for.
            with paused_gc():
                update = self.cache.pending(self.year) is not None
                self.cache.compute(self.year)
                if update:
                    gc.collect(1)
                gc.freeze()
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - shown by the window
            with self.lock:
                self.errors[self.year] = error
        self.signals.done.emit(self.year, self.generation)


class OverviewService(QObject):
    ready = Signal(int)          # the year's overview is up to date: ask again
    failed = Signal(int, str)    # the year could not be computed (the reason, Vietnamese)
    busyChanged = Signal(bool)

    def __init__(self, office, parent: QObject | None = None, *,
                 pool: QThreadPool | None = None, inline_cells: int = INLINE_CELLS):
        super().__init__(parent)
        self.inline_cells = inline_cells
        self._pool = pool or QThreadPool.globalInstance()
        self._signals = _Signals()
        self._signals.done.connect(self._done)
        self._lock = threading.Lock()
        self._errors: dict[int, Exception] = {}
        self._running: dict[int, int] = {}     # year -> generation being computed
        self._generation = 0
        self.attach(office)

    def attach(self, office) -> None:
        """Follow another office (another data file): nothing kept from the old one."""
        self.office = office
        self.cache = YearOverviews(office)
        self._running.clear()
        self._cells = None

    def _size(self) -> int:
        if self._cells is None:
            from chibo4tot_desktop.ops import queries

            self._cells = queries.cell_count(self.office)
        return self._cells

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def get(self, year: int):
        """The year's overview when it is up to date; otherwise None, and it is being
        computed (``ready(year)`` follows) - or computed now when the office is small."""
        overview = self.cache.current(year)
        if overview is not None:
            return overview
        if year in self._running:
            return None       # being computed; once more when done if the data changed
        if self._size() <= self.inline_cells:
            return self.cache.compute(year)
        self._start(year)
        return None

    def _start(self, year: int) -> None:
        self._generation += 1
        was_busy = self.busy
        self._running[year] = self._generation
        if not was_busy:
            self.busyChanged.emit(True)
        self._pool.start(_Job(self.cache, year, self._generation, self._signals,
                              self._errors, self._lock))

    def _done(self, year: int, generation: int) -> None:
        if self._running.get(year) != generation:
            return            # another file, or a newer computation of the year
        del self._running[year]
        with self._lock:
            error = self._errors.pop(year, None)
        if not self._running:
            self.busyChanged.emit(False)
        if error is not None:
            self.failed.emit(year, str(error))
            return
        if self.cache.current(year) is None:
            self._start(year)   # the data changed meanwhile: once more
            return
        self.ready.emit(year)

    def changed(self, change) -> None:
        """A change notice: what it touched is read again when next asked."""
        rows = getattr(change, "rows", None)
        if not rows or "cells" in rows:
            self._cells = None        # the number of cells may have changed
        self.cache.changed(change)
