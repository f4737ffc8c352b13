"""The window's long lists (core, no Qt): registrations of a year, cells, results, awards."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chibo4tot_desktop import listings
from chibo4tot_desktop.listings import (
    DATE,
    NUMBER,
    TEXT,
    AwardsListing,
    CellsListing,
    Query,
    RankingListing,
    RegistrationListing,
    ResultsListing,
    order_positions,
)
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.progress import Cancelled, ProgressState
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.text import sort_key


@pytest.fixture
def listing(demo_office):
    return RegistrationListing(demo_office, 2023)


def values(listing, ids, column):
    shown = listing.shown(ids)
    index = [c.key for c in listing.columns].index(column)
    return [shown[row_id].values[index] for row_id in ids]


def test_every_active_cell_of_the_year_in_vietnamese_order(demo_office, listing):
    ids = listing.ordered_ids(Query("name"))
    assert ids == [c.id for c in queries.cells_in_year(demo_office, 2023)]
    assert listing.size_hint() == len(queries.cells(demo_office))
    assert listing.counts == {"active": 16, "registered": 15, "late": 2, "missing": 1}
    assert listing.ordered_ids(Query("name", descending=True)) == ids[::-1]


def test_state_orders_missing_first_then_on_time_then_days_late(demo_office, listing):
    ids = listing.ordered_ids(Query("state", descending=True))
    codes = values(listing, ids, "code")
    states = values(listing, ids, "state")
    # demo 2023 (deadline 10/3): THTG on 16/3, TDP04 on 13/3; TDP09 sent nothing
    assert list(zip(codes[:2], states[:2])) == [("THTG", "Muộn 6 ngày"), ("TDP04", "Muộn 3 ngày")]
    assert (codes[-1], states[-1]) == ("TDP09", "Chưa đăng ký")
    on_time = [code for code, state in zip(codes, states) if state == "Đúng hạn"]
    names = values(listing, [queries.cell_by_code(demo_office, c).id for c in on_time], "name")
    assert names == sorted(names, key=sort_key)          # ties: by name


def test_filters_search_and_the_shown_values(demo_office, listing):
    assert values(listing, listing.ordered_ids(Query("name", filter="late")), "code") == [
        "TDP04", "THTG"]
    assert values(listing, listing.ordered_ids(Query("name", filter="missing")), "code") == [
        "TDP09"]
    assert len(listing.ordered_ids(Query("name", filter="registered"))) == 15
    found = listing.ordered_ids(Query("name", search="truong tieu hoc"))
    assert values(listing, found, "code") == ["THTG"]
    thtg = queries.cell_by_code(demo_office, "THTG")
    registration = queries.registration(demo_office, thtg.id, 2023)
    shown = listing.shown([thtg.id])[thtg.id]
    assert shown.values == ("THTG", thtg.name, "16/03/2023", "Muộn 6 ngày", registration.title,
                            registration.members_count, registration.signer)
    assert shown.tag == listings.STATE_LATE and shown.item.registration_id == registration.id
    tdp09 = queries.cell_by_code(demo_office, "TDP09").id
    assert listing.shown([tdp09])[tdp09].tag == listings.STATE_MISSING
    assert listing.shown([]) == {} and listing.shown([10 ** 9]) == {}


def test_days_late_reads_the_years_deadline_as_its_rules_do(demo_office):
    listing = RegistrationListing(demo_office, 2025)
    ids = listing.ordered_ids(Query("state", descending=True))
    top = list(zip(values(listing, ids, "code"), values(listing, ids, "state")))[:3]
    # demo: the groups that joined in July 2025 (deadline 10/3/2025). From 2024 the demo
    # reads "trước ngày 10/3" as the year rules do by default (the deadline day itself is
    # late): 11/7/2025 is 124 days late, 10/7/2025 123. 2023 keeps the old reading (THTG
    # 16/3/2023: 6 days, above).
    assert top == [("TDP15", "Muộn 124 ngày"), ("TDP13", "Muộn 123 ngày"),
                   ("TDP14", "Muộn 123 ngày")]


def test_numbers_sort_by_value_with_ties_by_name(listing):
    ids = listing.ordered_ids(Query("members_count", descending=True))
    members = values(listing, ids, "members_count")
    present = [m for m in members if m is not None]
    assert present == sorted(present, reverse=True)
    assert members[-1] is None                           # no registration: last, either way
    names = values(listing, ids, "name")
    for (m1, n1), (m2, n2) in zip(zip(members, names), zip(members[1:], names[1:])):
        if m1 == m2:
            assert sort_key(n1) <= sort_key(n2)


def test_a_new_registration_shows_after_reading_again(demo_office):
    # TDP10 is missing in 2026, the demo's open year (2023 is decided and closed: a new
    # registration there would change its verdicts and is refused).
    listing = RegistrationListing(demo_office, 2026)
    listing.ordered_ids(Query("name"))
    missing = listing.counts["missing"]
    cell = queries.cell_by_code(demo_office, "TDP10")
    save_registration(demo_office, cell.id, 2026, received_on=dt.date(2026, 4, 1))
    listing.ordered_ids(Query("name"))
    assert listing.counts["missing"] == missing - 1
    # deadline "trước ngày 10/3/2026": 10/3 itself is late, so 01/04 is 23 days late
    assert values(listing, [cell.id], "state") == ["Muộn 23 ngày"]


def test_ordering_stops_when_cancelled_and_refuses_unknown_columns(listing):
    state = ProgressState()
    state.cancel()
    with pytest.raises(Cancelled):
        listing.ordered_ids(Query("name"), progress=state)
    with pytest.raises(ValueError):
        listing.ordered_ids(Query("commitment_1"))


def test_cells_results_and_awards(demo_office):
    cells = CellsListing(demo_office)
    every = cells.ordered_ids(Query("name"))
    assert len(every) == len(queries.cells(demo_office))
    active = cells.ordered_ids(Query("name", filter="active"))
    assert all(cells.shown(active)[i].tag == "" for i in active)

    overview = year_overview(demo_office, 2023)
    results = ResultsListing(overview)
    ids = results.ordered_ids(Query("points", descending=True))
    points = [overview_state.result.committee_totals.total
              for overview_state in (results.shown(ids)[i].item for i in ids)
              if overview_state.scored]
    assert points == sorted(points, reverse=True)
    qualifying = results.ordered_ids(Query("name", filter="qualifying"))
    assert {i for i in qualifying} == {s.cell.id for s in overview.cells if s.qualifies}
    first = results.shown(qualifying[:1])[qualifying[0]]
    assert first.tag == "passed" and first.tips[-1].startswith("✓ ")

    awards = AwardsListing(demo_office, 2023, queries.organisation(demo_office).name)
    ids = awards.ordered_ids(Query("unit"))
    assert len(ids) == len(queries.awards(demo_office, 2023)) == awards.size_hint()
    units = [awards.shown(ids)[i].values[0] for i in ids]
    assert units == sorted(units, key=sort_key)
    waiting = awards.ordered_ids(Query("unit", filter="waiting"))
    assert all(not awards.shown(waiting)[i].item.is_decided for i in waiting)


def test_results_and_ranking_have_their_default_order_at_hand(demo_office):
    """The year's results and ranking are kept in the order the window first shows (the
    names; the positions): the window shows them whole at once, in exactly that order."""
    # Names whose Vietnamese order differs from the codes' and from Python's.
    for code, name in (("TDP03", "chi bộ Ấp Đông"), ("TDP05", "Chi bộ ấp đông 2"),
                       ("TDP07", "Chi bộ Ap Dong")):
        cell = queries.cell_by_code(demo_office, code)
        update_cell(demo_office, cell.id, name=name, confirm="Đồng ý")
    for year in (2023, 2024):
        overview = year_overview(demo_office, year)
        results = ResultsListing(overview)
        at_hand = results.ids_at_hand(Query("name"))
        assert at_hand == ResultsListing(overview).ordered_ids(Query("name"))
        assert len(at_hand) == len(overview.cells)
        assert results.shown(at_hand[:3])[at_hand[0]].item is overview.cells[0]
        ranking = RankingListing(overview)
        at_hand = ranking.ids_at_hand(Query("position"))
        assert at_hand == RankingListing(overview).ordered_ids(Query("position"))
        assert len(at_hand) == len(overview.ranking.cells)
    assert year_overview(demo_office, 2024).ranking.cells      # the demo ranks some cells
    for query in (Query("name", descending=True), Query("name", filter="qualifying"),
                  Query("name", search="đông"), Query("points")):
        assert results.ids_at_hand(query) is None
    assert ranking.ids_at_hand(Query("total")) is None
    assert AwardsListing(demo_office, 2023, "Đảng bộ").ids_at_hand(Query("unit")) is None


def test_order_positions_puts_missing_values_last_and_keeps_ties():
    assert order_positions([3, None, 1, 3], NUMBER) == [2, 0, 3, 1]
    assert order_positions([3, None, 1, 3], NUMBER, descending=True) == [0, 3, 2, 1]
    assert order_positions(["b", "a", "b"], TEXT, ties=[2, 1, 0]) == [1, 2, 0]
    assert order_positions([dt.date(2024, 1, 2), dt.date(2023, 5, 1)], DATE) == [1, 0]


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=40000), st.booleans())
@settings(max_examples=25, deadline=None)
def test_gil_friendly_sorted_is_a_stable_sort(values, reverse):
    items = list(enumerate(values))
    key = lambda item: item[1]  # noqa: E731
    assert listings.gil_friendly_sorted(items, key, reverse) == sorted(items, key=key,
                                                                       reverse=reverse)


def test_gil_friendly_sorted_merges_runs(monkeypatch):
    monkeypatch.setattr(listings, "SORT_RUN", 7)
    words = ["Đào", "Anh", "Ân", "Bình", "Dũng", "anh", "Ấn", "Dương", "Đức", "Ba"] * 5
    assert listings.gil_friendly_sorted(words, sort_key) == sorted(words, key=sort_key)
    assert listings.gil_friendly_sorted(words, sort_key, True) == sorted(words, key=sort_key,
                                                                         reverse=True)


def test_the_registrations_of_every_year_list_the_cells_of_that_year(demo_office):
    """The listing picks the year's cells in SQL; the year rule (founding, merges, the review
    day) decides the same cells as the overview of every year."""
    from chibo4tot_desktop import timeline
    from chibo4tot_desktop.ops.setup import SetupChanges, save_setup

    for rule in (None, timeline.YearRule.YEAR_END.value):
        if rule is not None:
            save_setup(demo_office, SetupChanges(settings={timeline.YEAR_RULE_KEY: rule}),
                       confirm="Thử quy tắc năm khác")
        for year in queries.years(demo_office):
            ids = RegistrationListing(demo_office, year).ordered_ids(Query("name"))
            assert ids == [s.cell.id for s in year_overview(demo_office, year).cells], year
