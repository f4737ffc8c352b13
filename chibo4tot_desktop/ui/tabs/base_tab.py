"""What every tab has: the main window it belongs to, the topics it shows, a button row
(``self.button_row``, where "Xuất Excel" / "In" buttons can be added) and ``refresh()``."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from chibo4tot_desktop.ui.common import ButtonRow


class BaseTab(QWidget):
    TOPICS: frozenset[str] = frozenset()

    def __init__(self, main, parent=None):
        super().__init__(parent)
        self.main = main
        self.stale = True
        self.layout_ = QVBoxLayout(self)
        self.button_row = ButtonRow()
        self.layout_.addLayout(self.button_row)

    @property
    def office(self):
        return self.main.office

    def year(self) -> int | None:
        return self.main.current_year()

    def data_changed(self, topics) -> None:
        """A change notice about the tab's topics (``db.changes.Change``), before it is
        drawn again; a tab that keeps what does not change with some topics overrides it."""

    def refresh(self) -> None:
        """Read again what the tab shows (called when it is visible and stale)."""
        raise NotImplementedError

    # Edit-menu actions; a tab that supports one overrides it and returns True.
    def add(self) -> bool:
        return False

    def delete(self) -> bool:
        return False

    def find(self) -> bool:
        return False

    def save(self) -> bool:
        return False
