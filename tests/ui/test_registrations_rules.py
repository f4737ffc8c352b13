"""Đăng ký thi đua follows the year's rules as they change: the deadline day read as on time
or late, once the rules are changed with the tab on screen."""

from __future__ import annotations

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.setup import update_year_rules


def _state(qtbot, tab) -> str:
    qtbot.waitUntil(lambda: not tab.stale and not tab.model.busy and tab.model.rowCount())
    model = tab.model
    return model.data(model.index(0, tab.listing.column_index("state")))


def test_the_deadline_day_read_as_the_years_rules_say_after_they_change(qtbot, window):
    office = window.office
    cell = add_cell(office, "A", "Chi bộ A")
    deadline = queries.phase_year(office, 2023).registration_deadline
    save_registration(office, cell.id, 2023, received_on=deadline)
    tab = window.tab("registrations_tab")
    window.show_tab(tab)
    assert _state(qtbot, tab) == "Muộn 1 ngày"      # the plan's reading: the day is late
    update_year_rules(office, 2023, deadline_inclusive=True)
    assert _state(qtbot, tab) == "Đúng hạn"
    assert "muộn 0" in tab.summary.text()
    update_year_rules(office, 2023, deadline_inclusive=False)
    assert _state(qtbot, tab) == "Muộn 1 ngày"
    assert "muộn 1" in tab.summary.text()
