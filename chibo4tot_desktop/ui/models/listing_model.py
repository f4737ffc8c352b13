"""The window's table model for every long list (``chibo4tot_desktop.listings``): it holds
only the ordered ids and the pages of rows that have been shown. Ordering, filtering and
searching read every row, so they run in a worker thread when the list is long; a short
list (``inline_rows``) is ordered at once, which keeps small offices free of any flicker.

    model = ListingModel(RegistrationListing(office, year))
    view.setModel(model)                     # header clicks call sort()
    model.set_filter("late"); model.set_search("tổ 6")
    model.set_listing(other)                 # another year; model.reload() after a change

While an order is being computed the old one stays on screen and ``busyChanged(True)`` is
emitted; the worker also reads, in the new order, the pages on screen, so that the window
draws the new order without reading the database (an empty table shows the first page of the
new order as soon as the listing reads it, ``Listing.first_page``, and the other rows are added
when the whole order is there). A newer request supersedes an older one, whose result is
thrown away. ``idsReady`` is emitted each time a new order is in place. Each row's ``tag``
(its state: "missing", "late"...) is coloured by ``colour(tag, column) -> QColor | None``,
given by the tab.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

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

from chibo4tot_desktop.listings import NUMBER, Listing, Query, Shown
from chibo4tot_desktop.progress import Cancelled, ProgressState
from chibo4tot_desktop.ui.common import ID_ROLE

PAGE = 200          # rows read at once when the view needs one of them
CACHED_PAGES = 50   # pages kept (10,000 rows); older ones are forgotten
INLINE_ROWS = 2000  # a listing this short is ordered on the spot (a few milliseconds)
SHOWN_PAGES = 2     # pages read again with a new order, in its worker: those on screen
_DISPLAY, _FOREGROUND, _ALIGNMENT, _TOOLTIP = (int(Qt.ItemDataRole.DisplayRole),
                                               int(Qt.ItemDataRole.ForegroundRole),
                                               int(Qt.ItemDataRole.TextAlignmentRole),
                                               int(Qt.ItemDataRole.ToolTipRole))
_ROLES = frozenset({_DISPLAY, _FOREGROUND, _ALIGNMENT, _TOOLTIP, int(ID_ROLE)})
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


class _OrderSignals(QObject):
    # Only the generation crosses threads; the result waits in ``_OrderJob.results``.
    done = Signal(int)
    first = Signal(int)     # the first page of the order is there (``_OrderJob.firsts``)


class _OrderJob(QRunnable):
    """Orders the listing, then reads in the new order the pages the view showed (the view
    keeps its place), so that the window does not read them while it draws."""

    def __init__(self, listing: Listing, query: Query, generation: int, state: ProgressState,
                 signals: _OrderSignals, results: dict, lock: threading.Lock,
                 pages: tuple[int, ...] = (0,), firsts: dict | None = None):
        super().__init__()
        self.listing, self.query, self.generation = listing, query, generation
        self.state, self.signals, self.results, self.lock = state, signals, results, lock
        self.pages = pages
        self.firsts = firsts   # given: read the first page first, for an empty table

    def run(self) -> None:
        try:
            first = self.listing.first_page(self.query, PAGE) if self.firsts is not None \
                else None
            if first and first[0]:
                with self.lock:
                    self.firsts[self.generation] = first
                self.signals.first.emit(self.generation)
            else:
                first = None
            # The first page read just now is not read again if the order begins with it.
            numbers = [number for number in self.pages if number or first is None]
            ids, pages = self.listing.ordered_pages(self.query, self.state, numbers, PAGE)
            if first is not None and 0 in self.pages and ids:
                pages[0] = first[1] if ids[:PAGE] == first[0] else self.listing.shown(ids[:PAGE])
            outcome = ((ids, pages), None)
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - shown by the window
            outcome = (None, str(error) or type(error).__name__)
        with self.lock:
            self.results[self.generation] = outcome
        self.signals.done.emit(self.generation)


class ListingModel(QAbstractTableModel):
    busyChanged = Signal(bool)
    idsReady = Signal()
    failed = Signal(str)

    def __init__(self, listing: Listing | None = None, parent: QObject | None = None, *,
                 pool: QThreadPool | None = None, inline_rows: int = INLINE_ROWS,
                 colour: Callable[[str, int], object] | None = None):
        super().__init__(parent)
        self.listing = listing
        self.columns = listing.columns if listing is not None else ()
        self.colour = colour
        self.inline_rows = inline_rows
        self._ids: list = []
        self._row_of: dict | None = None
        self._pages: OrderedDict[int, dict] = OrderedDict()
        self._generation = 0
        self._running: ProgressState | None = None
        self._results: dict[int, tuple] = {}
        self._firsts: dict[int, list] = {}
        self._lock = threading.Lock()
        self._signals = _OrderSignals()
        self._signals.done.connect(self._order_done)
        self._signals.first.connect(self._first_done)
        self._pool = pool or QThreadPool.globalInstance()
        self.query = Query(listing.default_order if listing is not None else "")
        if listing is not None:
            self.reload()

    # --------------------------------------------------------------------- Qt model API
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.columns):
            return self.columns[section].title
        return None

    def data(self, index: QModelIndex, role=_DISPLAY):
        # Asked some eight times per cell at every paint, mostly for roles no row gives
        # (font, background, check state...): those are answered first.
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        if row >= len(self._ids):
            return None
        if role == _DISPLAY:
            value = self.shown(row).values[index.column()]
            return "" if value is None else value
        if role == _FOREGROUND:
            tag = self.shown(row).tag
            return self.colour(tag, index.column()) if tag and self.colour is not None \
                else None
        if role == _ALIGNMENT:
            return _RIGHT if self.columns[index.column()].kind == NUMBER else None
        if role == ID_ROLE:
            return self._ids[row]
        tips = self.shown(row).tips             # the tooltip
        return tips[index.column()] if tips is not None else None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        if self.listing is None or not self.listing.sortable or \
                not 0 <= column < len(self.columns):
            return
        key, descending = self.columns[column].key, order == Qt.SortOrder.DescendingOrder
        if (key, descending) != (self.query.column, self.query.descending):
            self.order_by(key, descending)   # (the view asks again for the order it shows)

    # ------------------------------------------------------------------------ our API
    @property
    def busy(self) -> bool:
        return self._running is not None

    @property
    def ids(self) -> list:
        return self._ids

    def row_id(self, row: int):
        return self._ids[row]

    def row_of(self, row_id) -> int | None:
        if self._row_of is None:
            self._row_of = {value: row for row, value in enumerate(self._ids)}
        return self._row_of.get(row_id)

    def shown(self, row: int) -> Shown:
        """What the table shows of ``row`` (its page is read when first needed)."""
        page_number = row // PAGE
        page = self._pages.get(page_number)
        if page is None:
            page = self._pages[page_number] = self.listing.shown(
                self._ids[page_number * PAGE:(page_number + 1) * PAGE])
            while len(self._pages) > CACHED_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(page_number)
        shown = page.get(self._ids[row])
        return shown if shown is not None else Shown(("",) * len(self.columns))

    def items(self) -> list:
        """The row object of every row, in the order shown (reads every page: for short
        lists, such as the rows a person selected)."""
        return [self.shown(row).item for row in range(len(self._ids))]

    def item(self, row_id):
        """The listing's row object of ``row_id`` (None when it is not shown)."""
        row = self.row_of(row_id)
        return None if row is None else self.shown(row).item

    def set_listing(self, listing: Listing) -> None:
        """Show another listing (another year...) with the same order, filter and search."""
        same_columns = listing.columns == self.columns
        self.listing = listing
        if not same_columns:
            self.beginResetModel()
            self.columns = listing.columns
            self._ids, self._row_of = [], None
            self._pages.clear()
            self.endResetModel()
            self.query = Query(listing.default_order)
        self.reload()

    def set_filter(self, name: str | None) -> None:
        self._ask(Query(self.query.column, self.query.descending, name, self.query.search))

    def set_search(self, text: str) -> None:
        self._ask(Query(self.query.column, self.query.descending, self.query.filter,
                        text or ""))

    def order_by(self, column: str, descending: bool = False) -> None:
        self._ask(Query(column, descending, self.query.filter, self.query.search))

    def reload(self) -> None:
        """Read the order again (the data changed); the rows on screen stay until it is ready."""
        self._ask(self.query)

    def _ask(self, query: Query) -> None:
        self.query = query
        if self.listing is None:
            return
        if self._running is not None:
            self._running.cancel()  # the older order is no longer wanted
        self._generation += 1
        generation = self._generation
        ids = self.listing.ids_at_hand(query)     # a long list already in this order
        if ids is not None or (len(self._ids) <= self.inline_rows
                               and self.listing.size_hint() <= self.inline_rows):
            was_busy = self._running is not None
            self._running = None
            try:
                if ids is None:
                    ids = self.listing.ordered_ids(query)
            except Exception as error:  # noqa: BLE001 - shown by the window
                self.failed.emit(str(error) or type(error).__name__)
                return
            if was_busy:
                self.busyChanged.emit(False)
            self._apply(ids)
            self.idsReady.emit()
            return
        self._running = ProgressState()
        # The pages drawn last (most recently read last): those on screen; and the first,
        # where the view goes when the number of rows changes. An empty table (a window
        # opening on a long list) shows the first page of the order as soon as it is read; a
        # table already showing rows keeps them until the new order.
        pages = tuple(dict.fromkeys((*list(self._pages)[-SHOWN_PAGES:], 0)))
        job = _OrderJob(self.listing, query, generation, self._running, self._signals,
                        self._results, self._lock, pages, self._firsts if not self._ids else None)
        self.busyChanged.emit(True)
        self._pool.start(job)

    def _first_done(self, generation: int) -> None:
        with self._lock:
            first = self._firsts.pop(generation, None)
        if generation == self._generation and first is not None and not self._ids:
            ids, page = first
            self._apply(ids, {0: page})

    def _order_done(self, generation: int) -> None:
        with self._lock:
            outcome, error = self._results.pop(generation, (None, None))
            self._firsts.pop(generation, None)
        if generation != self._generation:
            return  # superseded
        self._running = None
        self.busyChanged.emit(False)
        if error is not None:
            self.failed.emit(error)
            return
        ids, pages = outcome
        self._apply(ids, pages)
        self.idsReady.emit()

    def _apply(self, ids: list, pages: dict | None = None) -> None:
        """The new order, with the pages already read in it (page number -> rows)."""
        if self._ids and len(ids) > len(self._ids) and ids[:len(self._ids)] == self._ids:
            # The rest of an order whose first page is shown: the rows on screen stay.
            self.beginInsertRows(QModelIndex(), len(self._ids), len(ids) - 1)
            self._ids, self._row_of = ids, None
            for number, page in (pages or {}).items():
                self._pages.setdefault(number, page)
            self.endInsertRows()
            return
        if len(ids) != len(self._ids) or not self._ids:
            self.beginResetModel()
            self._ids, self._row_of = ids, None
            self._pages.clear()
            self._pages.update(pages or {})
            self.endResetModel()
            return
        # As many rows (a new order, or the rows read again): keep the selection and the
        # current row on the same records where they are still there.
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        old_ids = [self._ids[index.row()] if index.isValid() else None for index in persistent]
        self._ids, self._row_of = ids, None
        self._pages.clear()
        self._pages.update(pages or {})
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
