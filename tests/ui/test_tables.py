"""The window's table model over a listing: Vietnamese order, numbers, search without
accents, filters; long lists ordered off the GUI thread."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from chibo4tot_desktop.listings import (
    NUMBER,
    TEXT,
    Column,
    Query,
    Shown,
    SnapshotListing,
)
from chibo4tot_desktop.ui.common import ID_ROLE, make_table
from chibo4tot_desktop.ui.models.listing_model import ListingModel


class People(SnapshotListing):
    """A listing of rows held in memory (the real ones read the database)."""

    columns = (Column("name", "Tên", TEXT), Column("members", "Số", NUMBER))
    filters = {"big": "Từ 50"}

    def __init__(self, rows):
        super().__init__()
        self.rows = rows
        self.reads = 0

    def size_hint(self):
        return len(self.rows)

    def _read(self, progress):
        self.reads += 1
        return list(self.rows)

    def _sort_value(self, row, key):
        return getattr(row, key)

    def _show(self, row):
        return Shown((row.name, row.members), "big" if row.members >= 50 else "", row)

    def _search_text(self, row):
        return row.name

    def _keep(self, row, name):
        return row.members >= 50


def person(number, name, members=0):
    return SimpleNamespace(id=number, name=name, members=members)


def shown(model, column=0):
    return [model.index(row, column).data() for row in range(model.rowCount())]


def test_the_view_sorts_in_vietnamese_order_with_numbers(qtbot):
    names = ["Chi bộ Tổ dân phố 10", "Chi bộ Đông", "Chi bộ Dương", "Chi bộ Ăn", "Chi bộ An",
             "Chi bộ Tổ dân phố 2", "Chi bộ Ân", "Chi bộ Ô", "chi bộ Ơ", "Chi bộ O"]
    model = ListingModel(People([person(i, n) for i, n in enumerate(names)]))
    view = make_table(model)
    qtbot.addWidget(view)
    assert shown(model) == ["Chi bộ An", "Chi bộ Ăn", "Chi bộ Ân", "Chi bộ Dương",
                            "Chi bộ Đông", "Chi bộ O", "Chi bộ Ô", "chi bộ Ơ",
                            "Chi bộ Tổ dân phố 2", "Chi bộ Tổ dân phố 10"]
    view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
    assert shown(model)[0] == "Chi bộ Tổ dân phố 10"


def test_numbers_by_value_search_without_accents_filters_and_colours(qtbot):
    listing = People([person(1, "Chi bộ Đồng Xuân", 9), person(2, "Chi bộ Bắc Hà", 40),
                      person(3, "Chi bộ Nam Hà", 100)])
    model = ListingModel(listing, colour=lambda tag, column: QColor("red") if tag else None)
    view = make_table(model)
    qtbot.addWidget(view)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert shown(model, 1) == [100, 40, 9]
    assert model.index(0, 1).data(Qt.ItemDataRole.TextAlignmentRole) == int(
        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole) == QColor("red")
    assert model.index(1, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert model.index(0, 0).data(ID_ROLE) == 3
    model.set_search("dong xuan")
    assert shown(model) == ["Chi bộ Đồng Xuân"]
    model.set_search("hà")
    assert shown(model) == ["Chi bộ Nam Hà", "Chi bộ Bắc Hà"]     # still by number
    model.set_filter("big")
    assert shown(model) == ["Chi bộ Nam Hà"]
    model.set_search("")
    model.set_filter(None)
    assert model.rowCount() == 3 and model.item(2).name == "Chi bộ Bắc Hà"


def test_a_long_list_is_ordered_off_the_gui_thread(qtbot):
    rows = [person(i, f"Chi bộ Tổ dân phố {10000 - i}", i % 50) for i in range(10000)]
    model = ListingModel(People(rows), inline_rows=1000)
    assert model.busy and model.rowCount() == 0          # asked; the worker answers
    assert model.wait_until_ready(60000)
    assert model.index(0, 0).data() == "Chi bộ Tổ dân phố 1"
    assert model.index(9999, 0).data() == "Chi bộ Tổ dân phố 10000"
    with qtbot.waitSignal(model.idsReady, timeout=60000):
        model.set_search("dan pho 10000")
    assert shown(model) == ["Chi bộ Tổ dân phố 10000"]


def test_a_new_order_keeps_the_selection_and_a_newer_one_wins(qtbot):
    rows = [person(i, f"Chi bộ {i}", i) for i in range(3000)]
    model = ListingModel(People(rows), inline_rows=0)
    assert model.wait_until_ready(60000)
    view = make_table(model)
    qtbot.addWidget(view)
    view.selectRow(5)
    chosen = model.row_id(5)
    applied = []
    model.idsReady.connect(lambda: applied.append(model.query.column))
    model.order_by("members", True)
    model.order_by("name", True)
    assert model.wait_until_ready(60000)
    qtbot.wait(50)
    assert applied == ["name"]                    # the older order was thrown away
    assert model.index(0, 0).data() == "Chi bộ 2999"
    current = view.selectionModel().selectedRows()[0].row()
    assert model.row_id(current) == chosen


def test_a_new_order_brings_the_rows_on_screen_read_in_its_worker(qtbot):
    import threading

    rows = [person(i, f"Chi bộ {i:04}", i) for i in range(3000)]
    listing = People(rows)
    model = ListingModel(listing, inline_rows=0)
    assert model.wait_until_ready(60000)
    view = make_table(model)
    qtbot.addWidget(view)
    view.resize(600, 400)
    view.show()
    view.scrollTo(model.index(1500, 0))
    qtbot.waitUntil(lambda: model.index(1500, 0).data() == "Chi bộ 1500", timeout=60000)
    readers = []
    real = listing.shown
    listing.shown = lambda ids: readers.append(threading.current_thread()) or real(ids)
    view.sortByColumn(1, Qt.SortOrder.DescendingOrder)
    assert model.wait_until_ready(60000)
    qtbot.wait(50)                           # drawn in the new order
    assert model.index(1500, 0).data() == "Chi bộ 1499"
    assert model.index(0, 0).data() == "Chi bộ 2999"
    assert readers and threading.main_thread() not in readers


def test_another_listing_keeps_the_order_and_an_error_is_reported(qtbot):
    model = ListingModel(People([person(1, "B", 1), person(2, "A", 2)]))
    model.order_by("members", True)
    model.set_listing(People([person(3, "C", 5), person(4, "D", 9)]))
    assert shown(model) == ["D", "C"]

    class Broken(People):
        def _read(self, progress):
            raise RuntimeError("hỏng")

    errors = []
    model.failed.connect(errors.append)
    model.set_listing(Broken([]))
    assert errors == ["hỏng"]


def test_an_empty_table_shows_the_first_page_while_the_whole_order_is_read(qtbot):
    import threading

    from chibo4tot_desktop.ui.models import listing_model

    release = threading.Event()

    class Slow(People):
        """The database gives the first page at once; the whole order waits for the test."""

        def first_page(self, query, count):
            first = [row.id for row in self.rows[:count]]
            return first, self.shown(first)

        def ordered_ids(self, query, progress=None):
            release.wait(30)
            return super().ordered_ids(query)

        def shown(self, ids):
            return {row_id: self._show(self.rows[row_id]) for row_id in ids}

    rows = [person(i, f"Chi bộ {i:05d}", i) for i in range(5000)]
    model = ListingModel(Slow(rows), inline_rows=0)
    try:
        qtbot.waitUntil(lambda: model.rowCount() == listing_model.PAGE, timeout=30000)
        assert model.busy                                 # the rest of the order is still read
        assert model.index(0, 0).data() == "Chi bộ 00000"
        view = make_table(model)
        qtbot.addWidget(view)
        view.selectRow(3)
        inserted = []
        model.rowsInserted.connect(lambda *args: inserted.append(args[1:]))
        release.set()
        assert model.wait_until_ready(60000)
        assert model.rowCount() == 5000 and inserted == [(listing_model.PAGE, 4999)]
        assert model.row_id(view.selectionModel().selectedRows()[0].row()) == 3
        # A table already showing rows keeps them until a new order is whole.
        release.clear()
        model.order_by("members", True)
        qtbot.wait(100)
        assert model.busy and model.index(0, 0).data() == "Chi bộ 00000"
        release.set()
        assert model.wait_until_ready(60000)
        assert model.index(0, 0).data() == "Chi bộ 04999"
    finally:
        release.set()


def test_a_long_list_kept_in_its_order_shows_whole_at_once(qtbot):
    """A listing that has its default order at hand (the year's results, already in the
    order of the names) fills the table on the spot, every row, with no worker; another
    order of it is still computed off the GUI thread."""

    class InOrder(People):
        read_in_default_order = True

    rows = [person(i, f"Chi bộ {i:05d}", i % 70) for i in range(5000)]
    listing = InOrder(rows)
    model = ListingModel(listing, inline_rows=10)
    assert not model.busy and model.rowCount() == 5000
    assert model.ids == [row.id for row in rows] == listing.ordered_ids(Query("name"))
    assert model.index(4999, 0).data() == "Chi bộ 04999"
    assert model.item(4321).members == 4321 % 70
    model.order_by("name", descending=True)
    assert model.busy                                 # not at hand: ordered in the worker
    assert model.wait_until_ready(60000)
    assert model.index(0, 0).data() == "Chi bộ 04999"
    model.order_by("name")
    assert not model.busy and model.index(0, 0).data() == "Chi bộ 00000"
    model.set_filter("big")
    assert model.wait_until_ready(60000)
    assert model.rowCount() == sum(1 for row in rows if row.members >= 50)
