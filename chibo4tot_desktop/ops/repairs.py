"""What ``check`` repairs by itself, through the same unit of work as every other change:
rows whose parent is gone (orphans) are deleted as the parent's deletion would have done, and
text not in Unicode NFC is normalised. Both go through the session, so the audit log records
every row (its note says it was a repair), and all of it is one transaction.

The scans read the file with SQLite's own checks (``PRAGMA foreign_key_check``) and are also
what ``safety.check`` reports.
"""

from __future__ import annotations

import sqlite3
import unicodedata

from sqlalchemy.exc import IntegrityError

from chibo4tot_desktop.db.audit import AUDIT_NOTE
from chibo4tot_desktop.db.changes import (AWARDS, CELLS, EVALUATIONS, REGISTRATIONS,
                                          SETTINGS)
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import Base

REPAIR_NOTE = "Sửa tự động khi kiểm tra tệp dữ liệu"
# Tables that hold the office's data (the audit log keeps old text as it was written).
SKIPPED_TEXT_TABLES = {"audit_log", "alembic_version", "safety_meta"}
_MODELS = {mapper.class_.__tablename__: mapper.class_ for mapper in Base.registry.mappers}


def text_columns(connection: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    result = {}
    for table in tables:
        if table in SKIPPED_TEXT_TABLES:
            continue
        columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')
                   if any(kind in (row[2] or "").upper() for kind in ("CHAR", "TEXT", "CLOB"))]
        if columns:
            result[table] = columns
    return result


def orphans(connection: sqlite3.Connection) -> list[tuple[str, int, str]]:
    """(table, rowid, missing parent table) of every row whose parent is gone."""
    rows = connection.execute("PRAGMA foreign_key_check").fetchall()
    return [(table, rowid, parent) for table, rowid, parent, _fkid in rows]


def not_nfc(connection: sqlite3.Connection) -> list[tuple[str, str, int, str]]:
    """(table, column, rowid, value) of every text not in NFC."""
    found = []
    for table, columns in text_columns(connection).items():
        for column in columns:
            for rowid, value in connection.execute(
                    f'SELECT rowid, "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'):
                if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
                    found.append((table, column, rowid, value))
    return found


def repair(db: Database) -> dict[str, int]:
    """Apply the safe repairs in one transaction; return how many rows each fixed."""
    done = {"orphans": 0, "not_nfc": 0}
    with db.transaction(CELLS, REGISTRATIONS, EVALUATIONS, AWARDS, SETTINGS) as session:
        session.info[AUDIT_NOTE] = REPAIR_NOTE
        raw = session.connection().connection.driver_connection
        for _round in range(10):   # deleting an orphan cascades to its own children
            found = orphans(raw)
            if not found:
                break
            for table, rowid, _parent in found:
                row = session.get(_MODELS[table], rowid)
                if row is not None:
                    session.delete(row)
                    done["orphans"] += 1
            session.flush()
        for table, column, rowid, value in not_nfc(raw):
            row = session.get(_MODELS[table], rowid)
            if row is None:
                continue
            try:
                with session.begin_nested():
                    setattr(row, column, unicodedata.normalize("NFC", value))
                    session.flush()
                done["not_nfc"] += 1
            except IntegrityError:
                # Normalising would clash with another row: a person must choose.
                session.expire(row)
    return done
