"""What a tab reads when it is shown, read in one session (on a database server every read
is a ping, a BEGIN and a ROLLBACK besides its statements): the reads together say what the
separate queries say, for each organisation of a file, each year, a cell and the ward."""

from __future__ import annotations

import pytest

from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, queries


def _offices(demo_office) -> list[Office]:
    predecessor, = queries.predecessors(demo_office)
    return [demo_office, Office(demo_office.db, predecessor.id)]


def _scores(evaluation) -> list | None:
    if evaluation is None:
        return None
    return sorted((score.item_id, score.self_points, score.committee_points)
                  for score in evaluation.scores)


def test_the_scoring_sheet_read_agrees_with_the_separate_queries(demo_office):
    checked = 0
    for office in _offices(demo_office):
        units = [cell.id for cell in queries.cells(office)][:3] + [None]
        for year in queries.years(office):
            phase = queries.phase_for_year(office, year)
            identity = queries.identity_on(office, queries.year_document_date(office, year))
            for unit in units:
                sheet = queries.scoring_sheet(office, year, unit)
                assert sheet.phase.id == phase.id
                for scope in ("cell", "organisation"):
                    assert ([item.id for group in sheet.phase.catalogue(year, scope)
                             for item in group.items]
                            == [item.id for group in phase.catalogue(year, scope)
                                for item in group.items])
                assert [item.year for item in sheet.phase.years] == \
                    [item.year for item in phase.years]
                assert sheet.identity == identity
                evaluation = queries.evaluation(office, unit, year)
                assert (sheet.evaluation is None) == (evaluation is None)
                if evaluation is not None:
                    assert (sheet.evaluation.id, sheet.evaluation.version) == \
                        (evaluation.id, evaluation.version)
                    checked += 1
                assert _scores(sheet.evaluation) == _scores(evaluation)
    assert checked     # some of the sheets were saved ones


def test_the_year_identity_read_agrees_with_the_separate_queries(demo_office):
    names = set()
    for office in _offices(demo_office):
        for year in queries.years(office):
            day = queries.year_document_date(office, year)
            assert queries.year_identity(office, year) == (day,
                                                           queries.identity_on(office, day))
            names.add(queries.year_identity(office, year)[1].name)
    assert len(names) > 1     # the two organisations' names


def test_a_year_without_a_phase_is_refused_as_before(demo_office):
    year = max(queries.years(demo_office)) + 5
    with pytest.raises(UserError) as separate:
        queries.year_document_date(demo_office, year)
    with pytest.raises(UserError) as together:
        queries.year_identity(demo_office, year)
    assert str(together.value) == str(separate.value)
    with pytest.raises(UserError) as separate:
        queries.phase_for_year(demo_office, year)
    with pytest.raises(UserError) as together:
        queries.scoring_sheet(demo_office, year, None)
    assert str(together.value) == str(separate.value)


def _sessions_while(monkeypatch, action) -> int:
    opened = []
    session = Database.session

    def counted(self, *args, **kwargs):
        opened.append(1)
        return session(self, *args, **kwargs)

    monkeypatch.setattr(Database, "session", counted)
    action()
    monkeypatch.setattr(Database, "session", session)
    return len(opened)


def test_the_scoring_tab_shown_reads_its_sheet_in_one_session(qtbot, demo_window,
                                                             monkeypatch):
    window = demo_window
    qtbot.waitUntil(lambda: window.overviews.get(window.current_year()) is not None)
    tab = window.tab("scoring_tab")           # built (not read) before it is shown
    assert _sessions_while(monkeypatch, lambda: window.show_tab(tab)) == 1
    assert not tab.stale and tab.boxes and tab.evaluation is not None
    assert tab.evaluation.version == queries.evaluation(window.office, tab.cell_id(),
                                                        window.current_year()).version
    # Another unit: its sheet alone is read.
    assert _sessions_while(monkeypatch, lambda: tab.unit.setCurrentIndex(1)) == 1


def test_the_awards_tab_shown_reads_its_date_and_name_once(qtbot, demo_window, monkeypatch):
    window = demo_window
    qtbot.waitUntil(lambda: window.overviews.get(window.current_year()) is not None)
    tab = window.tab("awards_tab")
    # The year's date and the ward's name, then the awards' rows.
    assert _sessions_while(monkeypatch, lambda: window.show_tab(tab)) == 2
    assert not tab.stale and tab.awards_model.rowCount()


def test_a_registration_list_reads_its_order_with_the_page_on_screen(qtbot, demo_office,
                                                                    monkeypatch):
    from chibo4tot_desktop.listings import Query, RegistrationListing
    from chibo4tot_desktop.ui.models.listing_model import ListingModel

    listing = RegistrationListing(demo_office, 2024)
    model = ListingModel(inline_rows=0)          # every order computed by the worker

    def shown_rows():
        return [[model.index(row, column).data() for column in range(model.columnCount())]
                for row in range(model.rowCount())]

    def expected(query):
        ids = listing.ordered_ids(query)
        rows = listing.shown(ids)
        return [["" if value is None else value for value in rows[row_id].values]
                for row_id in ids]

    # An empty table: its size, the first page, then the order (the first page not read
    # again): three reads.
    assert _sessions_while(monkeypatch, lambda: (model.set_listing(listing),
                                                 model.wait_until_ready())) == 3
    assert shown_rows() == expected(Query("name"))
    # Another order: the order and the page on screen in one read.
    assert _sessions_while(monkeypatch, lambda: (model.order_by("code", True),
                                                 model.wait_until_ready())) == 1
    assert shown_rows() == expected(Query("code", True))
