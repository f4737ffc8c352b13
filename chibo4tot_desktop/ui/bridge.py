"""Turns the database's change notifications (``Database.subscribe``) into a Qt signal, so
every tab redraws only what an Office call changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class DataBridge(QObject):
    changed = Signal(object)   # a db.changes.Change: topics ("cells"...) and rows by table

    def __init__(self, parent=None):
        super().__init__(parent)
        self._db = None

    def attach(self, db) -> None:
        self.detach()
        self._db = db
        db.subscribe(self._on_change)

    def detach(self) -> None:
        if self._db is not None:
            self._db.unsubscribe(self._on_change)
            self._db = None

    def _on_change(self, change: frozenset[str]) -> None:
        # Emitted from the thread that committed (a worker for long work): Qt queues it to
        # the window's thread.
        self.changed.emit(change)
