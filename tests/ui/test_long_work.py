"""A big office's tabs: the year and the long lists are computed off the GUI thread (here
forced for the demo ward), the window shows them when they are ready, and a save reads again
only the cells it touched, in the worker too."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QEvent, QObject

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ui.main_window import MainWindow
from chibo4tot_desktop.ui.models.listing_model import ListingModel


@pytest.fixture
def big_window(qtbot, demo_office, boxes):
    """The demo ward, with every "small enough to do at once" limit set to nothing."""
    main = MainWindow(demo_office)
    qtbot.addWidget(main)
    main.overviews.inline_cells = -1
    for model in main.findChildren(ListingModel):
        model.inline_rows = -1
    main.awards_tab.later_cells = -1
    return main


def test_tabs_wait_for_the_year_computed_in_a_worker(qtbot, big_window):
    window = big_window
    with qtbot.waitSignal(window.overviews.ready, timeout=60000):
        window.set_year(2024)
        assert window.overview_tab.heading.text() == "Năm 2024: đang tổng hợp số liệu…"
        assert window.overviews.busy and window.busy_label.text() == "Đang tính…"
    qtbot.waitUntil(lambda: "đang tổng hợp" not in window.overview_tab.heading.text(),
                    timeout=60000)
    assert window.overview_tab.heading.text().startswith("Năm 2024: ")
    assert window.overview_tab.count_labels["active"].text() == "16"
    qtbot.waitUntil(lambda: window.busy_label.text() == "", timeout=60000)

    window.show_tab(window.registrations_tab)
    model = window.registrations_tab.model
    qtbot.waitUntil(lambda: not model.busy and model.rowCount() == 16, timeout=60000)
    assert "Đã đăng ký 15/16" in window.registrations_tab.summary.text()
    window.show_tab(window.awards_tab)
    results = window.awards_tab.results_model
    qtbot.waitUntil(lambda: results.rowCount() == 16 and not results.busy, timeout=60000)


def test_a_big_office_draws_the_awards_tab_then_fills_its_lists(qtbot, big_window):
    """Khen thưởng in a big office: the tab is drawn, then its three lists are filled in
    the next turn of the event loop, every row of them; a newer refresh (another year)
    drops the fill an older one had asked for."""
    window = big_window
    window.show()
    qtbot.waitExposed(window)
    for year in (2024, 2023):
        window.set_year(year)
        qtbot.waitUntil(lambda year=year: window.overviews.cache.current(year) is not None,
                        timeout=60000)
    tab = window.awards_tab
    models = (tab.results_model, tab.ranking_model, tab.awards_model)
    rows_when_drawn = []

    class Drawn(QObject):
        def eventFilter(self, watched, event):
            if event.type() == QEvent.Type.Paint:
                rows_when_drawn.append(tab.results_model.rowCount())
            return False

    drawn = Drawn()
    tab.org_verdict.installEventFilter(drawn)
    window.show_tab(tab)
    assert tab.stale and tab.results_model.rowCount() == 0      # the lists come after
    assert tab.org_verdict.text().startswith("Năm 2023: ")
    qtbot.waitUntil(lambda: not tab.stale and not any(m.busy for m in models), timeout=60000)
    assert rows_when_drawn and rows_when_drawn[0] == 0           # drawn before the lists
    overview = window.overviews.cache.current(2023)
    assert tab.results_model.ids == [state.cell.id for state in overview.cells]
    assert [tab.results_model.item(state.cell.id) for state in overview.cells] == \
        overview.cells
    assert tab.ranking_model.ids == [ranked.entry.id for ranked in overview.ranking.cells]
    assert sorted(tab.awards_model.ids) == sorted(award.id for award in overview.awards)
    assert tab.awards_model.ids                                   # 2023 has awards

    # Another year asked for before the lists of this one are filled, and still being
    # computed: this one's lists never come, the other's do once it is computed.
    window.set_year(2024)
    assert tab.stale
    window.set_year(2025)
    assert window.overviews.cache.current(2025) is None
    qtbot.waitUntil(lambda: not tab.stale and not any(m.busy for m in models), timeout=60000)
    later = window.overviews.cache.current(2025)
    assert tab.overview is later and tab.org_verdict.text().startswith("Năm 2025: ")
    assert [tab.results_model.item(state.cell.id) for state in later.cells] == later.cells
    assert tab.ranking_model.ids == [ranked.entry.id for ranked in later.ranking.cells]
    tab.org_verdict.removeEventFilter(drawn)


def test_a_save_reads_again_only_the_cell_it_touched(qtbot, big_window, monkeypatch):
    from chibo4tot_desktop import overviews

    window = big_window
    # 2026: the demo's open year (the years before are decided: a new registration there
    # would move their verdicts and is refused).
    window.set_year(2026)
    qtbot.waitUntil(lambda: window.overviews.cache.current(2026) is not None, timeout=60000)
    window.show_tab(window.overview_tab)
    qtbot.waitUntil(lambda: not window.overview_tab.stale, timeout=60000)
    missing = int(window.overview_tab.count_labels["missing"].text())
    assert missing >= 1
    updates = []
    real = overviews.update_overview
    monkeypatch.setattr(overviews, "update_overview",
                        lambda office, kept, cells: updates.append(set(cells))
                        or real(office, kept, cells))
    cell = queries.cell_by_code(window.office, "TDP10")     # not registered in 2026
    with qtbot.waitSignal(window.overviews.ready, timeout=60000):
        save_registration(window.office, cell.id, 2026, received_on=dt.date(2026, 3, 2))
        # A big office: even one cell's update ranks all the cells again, in the worker.
        assert window.overviews.busy
    qtbot.waitUntil(lambda: not window.overview_tab.stale, timeout=60000)
    assert updates == [{cell.id}]
    assert not window.overviews.busy and window.overviews.cache.current(2026) is not None
    assert window.overview_tab.count_labels["missing"].text() == str(missing - 1)


def test_a_saved_sheet_stays_on_screen_and_saves_again(qtbot, big_window, boxes,
                                                       monkeypatch):
    from chibo4tot_desktop.ops.scoring import evaluation_result
    from chibo4tot_desktop.ui.tabs import scoring_tab

    window = big_window
    window.set_year(2026)
    window.show_tab(window.scoring_tab)
    tab = window.scoring_tab
    qtbot.waitUntil(lambda: not tab.stale and not window.overviews.busy, timeout=60000)
    cell = queries.cell_by_code(window.office, "TDP10")
    tab.select_cell(cell.id)
    first_id = next(iter(tab.boxes))
    own, committee = tab.boxes[first_id]
    phases = []
    real_phase = scoring_tab.queries.phase_for_year
    monkeypatch.setattr(scoring_tab.queries, "phase_for_year",
                        lambda office, year: phases.append(year) or real_phase(office, year))
    for points in (committee.maximum(), committee.maximum() - 0.5):
        committee.setText(f"{points:g}".replace(".", ","))
        assert tab.dirty
        with qtbot.waitSignal(window.overviews.ready, timeout=60000):
            tab.save_button.click()
            # The year is updated in the worker; the sheet stays as saved meanwhile.
            assert not tab.dirty and "(chưa lưu)" not in tab.verdict_label.text()
            assert tab.boxes[first_id] == (own, committee)
        qtbot.waitUntil(lambda: not tab.stale, timeout=60000)
        # Drawn again from the saved sheet: the same boxes, holding what was saved.
        assert tab.boxes[first_id] == (own, committee)
        assert committee.points() == points
        saved = evaluation_result(window.office, cell.id, 2026)
        assert saved.committee_totals.total == points
    assert boxes.shown == []      # the second save was not taken for someone else's
    assert phases == []           # a saved sheet leaves the year's phase as it was


def test_a_year_computed_in_the_worker_is_kept_from_the_collector(qtbot, demo_office):
    import gc
    import weakref

    from chibo4tot_desktop.ui.overviews import OverviewService

    service = OverviewService(demo_office, inline_cells=-1)
    frozen = gc.get_freeze_count()
    with qtbot.waitSignal(service.ready, timeout=60000):
        assert service.get(2024) is None
    overview = service.get(2024)
    assert overview is not None and gc.get_freeze_count() > frozen
    # Set aside, yet freed by reference counting once the data change drop it: it holds
    # no reference cycle that only the collector could break.
    kept = weakref.ref(overview)
    del overview
    service.changed({"cells"})
    assert kept() is None


def test_the_worker_sets_aside_no_garbage_after_a_saved_sheet(qtbot, demo_office):
    """After an update of some cells (a saved sheet or record), the objects the collector is
    kept from are the year's, not the garbage its reading left (the read's session and its
    transaction form reference cycles): that garbage is collected before the rest is set
    aside, or every saved sheet of a day would keep some for good."""
    import gc

    from chibo4tot_desktop.db.changes import Change
    from chibo4tot_desktop.ui.overviews import OverviewService

    service = OverviewService(demo_office, inline_cells=-1)
    with qtbot.waitSignal(service.ready, timeout=60000):
        assert service.get(2024) is None
    saved = [state.registration.id for state in service.get(2024).cells
             if state.registration is not None]
    gc.collect()
    gc.unfreeze()          # what the whole year and earlier tests set aside, looked at again
    gc.collect()
    try:
        for registration_id in saved[:5]:    # a saved record: its cell read again
            service.changed(Change({"registrations"},
                                   rows={"registrations": [registration_id]}))
            assert service.cache.pending(2024)        # an update of one cell, not the year
            with qtbot.waitSignal(service.ready, timeout=60000):
                assert service.get(2024) is None
        assert gc.get_freeze_count() > 0
        gc.collect()       # garbage made since the last update was set aside: not set aside
    finally:
        gc.unfreeze()
    assert gc.collect() == 0
