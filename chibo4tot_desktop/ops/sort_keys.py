"""The cells' stored sort keys (``Cell.name_key``, ``Cell.code_key``): their names and codes in
the program's Vietnamese order, as bytes the database orders (``text.stored_sort_key``).

They are derived data: every write of a name or code keeps them right (``db.models``), they are
never audited, and they are only as good as the order of the program that made them. The file
keeps that order's version (``text.SORT_KEY_VERSION``) in ``safety_meta``; opening a file for
writing whose version differs, or that has none (a file just migrated or created), makes every
key again, in one transaction (``bring_up_to_date``, called by ``db.engine.open_database``).
"""

from __future__ import annotations

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from chibo4tot_desktop.db import bulk
from chibo4tot_desktop.db.models import Cell, SafetyMeta
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.text import SORT_KEY_VERSION, stored_sort_key

VERSION_KEY = "sort_key_version"


def stored_version(session) -> str | None:
    """The version of the order the file's keys were made in (None: never made)."""
    return session.scalar(select(SafetyMeta.value).where(SafetyMeta.key == VERSION_KEY))


def keys_current(session) -> bool:
    """Whether the file's keys are in this program's order."""
    return stored_version(session) == str(SORT_KEY_VERSION)


def bring_up_to_date(db, progress: Progress = null_progress) -> int:
    """Make every cell's keys again if the file's are of another order or missing; returns
    the number of cells whose keys were written (0: they were current)."""
    if db.readonly:
        return 0
    with db.session() as session:
        if keys_current(session):
            return 0
    cells = Cell.__table__
    meta = SafetyMeta.__table__
    try:
        with db.transaction() as session:
            connection = session.connection()
            if keys_current(session):   # made meanwhile by another opening of the same server
                return 0
            rows = connection.execute(select(cells.c.id, cells.c.name, cells.c.code)).all()
            progress(0, len(rows), "Đang chuẩn bị thứ tự tên chi bộ…")
            bulk.update_many(connection, cells, {"id": "_id"}, [
                {"_id": row.id, "name_key": stored_sort_key(row.name),
                 "code_key": stored_sort_key(row.code)} for row in rows])
            connection.execute(delete(meta).where(meta.c.key == VERSION_KEY))
            connection.execute(insert(meta).values(key=VERSION_KEY,
                                                   value=str(SORT_KEY_VERSION)))
            progress(len(rows), len(rows))
    except IntegrityError:
        # Another user of the same server made them at the same moment and committed first.
        with db.session() as session:
            if keys_current(session):
                return 0
        raise
    return len(rows)
