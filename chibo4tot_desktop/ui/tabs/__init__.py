"""Tabs of the main window (each a self-contained widget).

``TABS``: the main window's tabs in their order, each with the window's attribute that holds
it and its title. A tab's module is imported when the tab is first built (``TabKind.load``):
the window shows with the tab it opens on, and the others' modules (their dialogs, their
operations) are not part of the start.
"""

from __future__ import annotations

import sys
from importlib import import_module
from typing import NamedTuple


class TabKind(NamedTuple):
    name: str           # the main window's attribute that holds the tab, and its module's
    title: str
    class_name: str

    @property
    def module(self) -> str:
        return f"{__name__}.{self.name}"

    def loaded(self) -> bool:
        """Whether the tab's module is imported."""
        return self.module in sys.modules

    def load(self) -> type:
        """The tab's class (its module imported now if it is not yet)."""
        return getattr(import_module(self.module), self.class_name)


TABS = (TabKind("overview_tab", "Tổng quan", "OverviewTab"),
        TabKind("cells_tab", "Chi bộ", "CellsTab"),
        TabKind("registrations_tab", "Đăng ký thi đua", "RegistrationsTab"),
        TabKind("scoring_tab", "Chấm điểm", "ScoringTab"),
        TabKind("awards_tab", "Khen thưởng", "AwardsTab"))
TITLES = {tab.name: tab.title for tab in TABS}
