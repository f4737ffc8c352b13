"""A lazy table model of registrations: it holds only the ordered list of ids and the values
of the pages of rows that have been shown; ordering (which reads and sorts every row) runs in
a worker thread, so 100,000 rows open and sort without freezing the window.

    model = RegistrationsTableModel(RegistrationListing(office.db, office.organisation_id))
    view.setModel(model); view.setSortingEnabled(True)   # header clicks call sort()
    model.reload()                                       # after the data changed

While an order is being computed the old one stays on screen and ``busyChanged(True)`` is
emitted (show it in the status bar); a newer request supersedes an older one, whose result
is thrown away. ``idsReady`` is emitted each time a new order is in place.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from PySide6.QtCore import (
    QAbstractTableModel,
    QEventLoop,
    QModelIndex,
    QObject,
    QRunnable,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
)

from chibo4tot_desktop.listings import RegistrationListing
from chibo4tot_desktop.progress import Cancelled, ProgressState

PAGE = 200          # rows read at once when the view needs one of them
CACHED_PAGES = 50   # pages kept (10,000 rows); older ones are forgotten


class _OrderSignals(QObject):
    # Only the generation crosses threads; the result waits in ``_OrderJob.results`` (Python
    # objects carried by queued signals are best avoided).
    done = Signal(int)


class _OrderJob(QRunnable):
    def __init__(self, listing: RegistrationListing, column: str, descending: bool,
                 generation: int, state: ProgressState, signals: _OrderSignals,
                 results: dict, lock: threading.Lock):
        super().__init__()
        self.listing, self.column, self.descending = listing, column, descending
        self.generation, self.state, self.signals = generation, state, signals
        self.results, self.lock = results, lock

    def run(self) -> None:
        try:
            outcome = (self.listing.ordered_ids(self.column, self.descending, self.state), None)
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - shown by the window
            outcome = (None, str(error) or type(error).__name__)
        with self.lock:
            self.results[self.generation] = outcome
        self.signals.done.emit(self.generation)


class RegistrationsTableModel(QAbstractTableModel):
    busyChanged = Signal(bool)
    idsReady = Signal()
    failed = Signal(str)

    def __init__(self, listing: RegistrationListing, parent: QObject | None = None, *,
                 pool: QThreadPool | None = None, load: bool = True):
        super().__init__(parent)
        self.listing = listing
        self.columns = listing.columns
        self._ids: list[int] = []
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, dict[int, tuple]] = OrderedDict()
        self._generation = 0
        self._running: ProgressState | None = None
        self._results: dict[int, tuple] = {}
        self._lock = threading.Lock()
        self._signals = _OrderSignals()
        self._signals.done.connect(self._order_done)
        self._pool = pool or QThreadPool.globalInstance()
        self.sort_column, self.sort_descending = "name", False
        if load:
            self.reload()

    # --------------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.columns[section].title
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.row_values(index.row())[index.column()]
            return "" if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if self.columns[index.column()].kind == "number":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.UserRole:
            return self._ids[index.row()]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self.order_by(self.columns[column].key, order == Qt.SortOrder.DescendingOrder)

    # ------------------------------------------------------------------------ our API
    @property
    def busy(self) -> bool:
        return self._running is not None

    def registration_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, registration_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {row_id: row for row, row_id in enumerate(self._ids)}
        return self._row_of.get(registration_id)

    def row_values(self, row: int) -> tuple:
        """The shown values of ``row`` (its page is read from the database when first needed)."""
        page_number = row // PAGE
        page = self._pages.get(page_number)
        if page is None:
            page = self._pages[page_number] = self.listing.rows(
                self._ids[page_number * PAGE:(page_number + 1) * PAGE])
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        values = page.get(self._ids[row])
        return values if values is not None else ("",) * len(self.columns)

    def reload(self) -> None:
        """Read the order again (the data changed); the rows on screen stay until it is ready."""
        self.order_by(self.sort_column, self.sort_descending)

    def order_by(self, column: str, descending: bool = False) -> None:
        self.sort_column, self.sort_descending = column, descending
        if self._running is not None:
            self._running.cancel()  # the older order is no longer wanted
        self._generation += 1
        self._running = ProgressState()
        job = _OrderJob(self.listing, column, descending, self._generation, self._running,
                        self._signals, self._results, self._lock)
        self.busyChanged.emit(True)
        self._pool.start(job)

    def _order_done(self, generation: int) -> None:
        with self._lock:
            ids, error = self._results.pop(generation, (None, None))
        if generation != self._generation:
            return  # superseded
        self._running = None
        self.busyChanged.emit(False)
        if error is not None:
            self.failed.emit(error)
            return
        self._apply(ids)
        self.idsReady.emit()

    def _apply(self, ids: list[int]) -> None:
        if len(ids) != len(self._ids) or not self._ids:
            self.beginResetModel()
            self._ids, self._row_of = ids, None
            self._pages.clear()
            self.endResetModel()
            return
        # Same rows, new order: keep the selection and current row on the same records.
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old_ids = [self._ids[index.row()] if index.isValid() else None for index in persistent]
        self._ids, self._row_of = ids, None
        self._pages.clear()
        new_indexes = []
        for index, row_id in zip(persistent, old_ids):
            row = self.row_of(row_id) if row_id is not None else None
            new_indexes.append(QModelIndex() if row is None
                               else self.index(row, index.column()))
        self.changePersistentIndexList(persistent, new_indexes)
        self.layoutChanged.emit()

    def wait_until_ready(self, timeout_ms: int = 60000) -> bool:
        """Run the event loop until no order is being computed; for scripts and tests."""
        if not self.busy:
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)

        def on_busy(busy: bool) -> None:
            if not busy:
                loop.quit()

        self.busyChanged.connect(on_busy)
        timer.start(timeout_ms)
        loop.exec()
        self.busyChanged.disconnect(on_busy)
        return not self.busy
