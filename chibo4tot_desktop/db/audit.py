"""The audit log: one row for every inserted or deleted record and every changed field.

Installed on the session factory, it runs inside each flush, so the audit rows belong to the
same transaction as the change itself: both are committed or neither is.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import operator
from collections.abc import Mapping, Sequence
from enum import Enum

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from chibo4tot_desktop.db.bulk import Once, insert_many
from chibo4tot_desktop.db.models import AuditEntry, Base

# The row version, and the sort keys of a cell (derived from its name and code, not typed).
SKIPPED_FIELDS = {"version", "name_key", "code_key"}
# session.info key: table name -> ids touched in this unit of work (``db.changes.Change``).
CHANGED_ROWS = "changed_rows"
# session.info key: a note put before every audit row's summary (e.g. the repairs of check).
AUDIT_NOTE = "audit_note"
_user_name: str | None = None


def current_user() -> str:
    global _user_name
    if _user_name is None:
        try:
            _user_name = getpass.getuser()
        except Exception:  # no login name (service account, odd environment)
            _user_name = ""
    return _user_name


SECRET = "(bí mật, không ghi vào nhật ký)"


def _plain(value):
    if value is None:
        return None
    if isinstance(value, (bytes, bytearray, memoryview)):
        # File contents and keys are never copied into the log, only their size.
        return f"({len(value)} byte)"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


def _text(value) -> str | None:
    value = _plain(value)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _is_secret(attr) -> bool:
    return any(column.info.get("secret") for column in attr.columns)


def _columns(obj) -> dict:
    state = inspect(obj)
    result = {}
    for attr in state.mapper.column_attrs:
        if attr.key in SKIPPED_FIELDS:
            continue
        if _is_secret(attr):
            result[attr.key] = SECRET
        elif attr.key in state.unloaded:
            continue   # a deferred column (a file's bytes) is not loaded just for the log
        else:
            result[attr.key] = _plain(getattr(obj, attr.key))
    return result


def label(obj) -> str:
    """A short human description built from the row's own columns (no lazy loads); ``obj``
    is a model object or a mapping of its columns."""
    # A dict (the bulk writes' rows) is known without the slower abstract Mapping check.
    get = obj.get if obj.__class__ is dict or isinstance(obj, Mapping) else (
        lambda key: getattr(obj, key, None))
    for name in ("name", "title", "text", "key", "file_name"):
        value = get(name)
        if isinstance(value, str) and value:
            return value[:200]
    parts = [f"{key}={get(key)}" for key in ("cell_id", "year", "item_id", "kind")
             if get(key) is not None]
    return ", ".join(parts)


def _after_flush(session: Session, _context) -> None:
    now = dt.datetime.now().replace(microsecond=0)
    user = current_user()
    rows = []

    changed = session.info.setdefault(CHANGED_ROWS, {})
    note = session.info.get(AUDIT_NOTE)

    def add(action, obj, field="", old=None, new=None):
        row_id = getattr(obj, "id", None)
        if row_id is not None:
            changed.setdefault(obj.__tablename__, set()).add(row_id)
        rows.append({
            "at": now, "user": user, "action": action,
            "table_name": obj.__tablename__, "row_id": row_id,
            "summary": f"{note}: {label(obj)}"[:300] if note else label(obj),
            "field": field, "old_value": old, "new_value": new,
        })

    for obj in session.new:
        if isinstance(obj, Base) and not isinstance(obj, AuditEntry):
            add("insert", obj, new=json.dumps(_columns(obj), ensure_ascii=False))
    for obj in session.deleted:
        if isinstance(obj, Base) and not isinstance(obj, AuditEntry):
            add("delete", obj, old=json.dumps(_columns(obj), ensure_ascii=False))
    for obj in session.dirty:
        if not isinstance(obj, Base) or isinstance(obj, AuditEntry):
            continue
        state = inspect(obj)
        for attr in state.mapper.column_attrs:
            if attr.key in SKIPPED_FIELDS:
                continue
            history = state.attrs[attr.key].history
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if _plain(old) == _plain(new) and not _is_secret(attr):
                continue
            if _is_secret(attr):
                old, new = (SECRET if old is not None else None), SECRET
            add("update", obj, attr.key, _text(old), _text(new))
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


def install(factory: sessionmaker) -> None:
    # The mark lives on the factory itself: ``event.contains`` answers True for a new factory
    # that reuses the id() of a freed one, which left later databases without an audit log.
    if getattr(factory, "_audit_installed", False):
        return
    event.listen(factory, "after_flush", _after_flush)
    factory._audit_installed = True


# ------------------------------------------------------------------------ bulk writes
# An operation that writes thousands of rows at once (the Excel import) uses one INSERT or
# UPDATE statement for all of them, which no flush sees; it records them here instead, in the
# same transaction and in the same form as ``_after_flush`` would have.

def column_defaults(model) -> dict:
    """Every column of ``model`` but the primary key, with its scalar default (what an INSERT
    without it would store) or None."""
    values = {}
    for column in model.__table__.columns:
        if column.primary_key:
            continue
        default = column.default
        values[column.key] = (default.arg if default is not None and default.is_scalar
                              else None)
    return values


def _encode_other(value):
    plain = _plain(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return plain


def _row_encoder(default, quote=json.encoder.encode_basestring):
    """json.dumps(..., ensure_ascii=False) as the flush writes it, calling ``default`` only
    for what JSON has no form of and ``quote`` for a text (a key or a value): json's C
    encoder, made once (``JSONEncoder.encode`` makes one anew at every call, which costs as
    much as the encoding of a row). No check for cycles: a row's values are plain."""
    return json.encoder.c_make_encoder(
        None, default, quote, None, ": ", ", ", False, False, True)


_ENCODE_ROW = _row_encoder(_encode_other)


def row_texts():
    """A function giving a row's audit text (a dict of its columns): the text the flush
    writes, ``json.dumps`` of the plain values with ``ensure_ascii=False``."""
    join = "".join
    # Each distinct value converted (a year's days, an enum member) and each distinct text
    # quoted (column names, a list's repeated values) once. A value that cannot be a key (a
    # bytearray) raises TypeError: the row is then encoded by ``_ENCODE_ROW`` (the same text,
    # or the same error).
    encode = _row_encoder(Once(_encode_other).__getitem__,
                          Once(json.encoder.encode_basestring).__getitem__)

    def text(values: dict) -> str:
        try:
            return join(encode(values, 0))
        except TypeError:
            return join(_ENCODE_ROW(values, 0))
    return text


# Audit rows are made and written this many at a time: 100,000 imported rows never have all
# their audit texts in memory at once.
AUDIT_BATCH = 5000


def record_inserts(session: Session, model, rows: Sequence[Mapping]) -> None:
    """Audit rows for ``rows`` (each with its new ``id`` and every column) inserted into
    ``model``'s table."""
    keys = [attr.key for attr in inspect(model).column_attrs if attr.key not in SKIPPED_FIELDS]
    # A row's columns in the model's order, as a tuple (made in C).
    take = operator.itemgetter(*keys) if len(keys) > 1 else (lambda row: (row[keys[0]],))
    text = row_texts()
    now = _now()         # one time for all of them, as one flush has
    for start in range(0, len(rows), AUDIT_BATCH):
        _write(session, model.__tablename__, [
            ("insert", row["id"], row, "", None, text(dict(zip(keys, take(row)))))
            for row in rows[start:start + AUDIT_BATCH]], now)


def record_updates(session: Session, model, changes: Sequence[tuple[object, Mapping]]
                   ) -> None:
    """Audit rows for updates of ``model``'s rows: (the row as it was - a plain row or an
    object with its columns -, the values written); one per field that changed."""
    entries = []
    for before, values in changes:
        for key, new in values.items():
            if key in SKIPPED_FIELDS:
                continue
            old = getattr(before, key)
            if _plain(old) == _plain(new):
                continue
            after = {**{k: getattr(before, k) for k in ("name", "title", "text", "key",
                                                         "cell_id", "year", "item_id", "kind")
                        if hasattr(before, k)}, **values}
            entries.append(("update", before.id, after, key, _text(old), _text(new)))
    _write(session, model.__tablename__, entries)


def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _write(session: Session, table: str, entries: list[tuple],
           now: dt.datetime | None = None) -> None:
    if not entries:
        return
    now = now or _now()
    user = current_user()
    note = session.info.get(AUDIT_NOTE)
    changed = session.info.setdefault(CHANGED_ROWS, {}).setdefault(table, set())
    rows = []
    for action, row_id, values, field, old, new in entries:
        changed.add(row_id)
        summary = label(values)
        rows.append({
            "at": now, "user": user, "action": action, "table_name": table, "row_id": row_id,
            "summary": f"{note}: {summary}"[:300] if note else summary,
            "field": field, "old_value": old, "new_value": new,
        })
    insert_many(session.connection(), AuditEntry.__table__, rows)
