"""Storage: the models, the engine with its SQLite settings, migrations and the audit log."""

from chibo4tot_desktop.db.engine import Database, open_database

__all__ = ["Database", "open_database"]
