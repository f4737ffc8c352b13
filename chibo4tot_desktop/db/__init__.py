"""Storage: the models, the engine with its SQLite settings, migrations and the audit log.

The package itself imports nothing: ``db.sqlite_file`` (plain sqlite3) is read before
SQLAlchemy is loaded, while the window starts. ``Database`` and ``open_database`` live in
``db.engine``.
"""
