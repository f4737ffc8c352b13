"""Plain rows: read-only copies of a model's rows for reads of thousands of them at once.

An ORM object costs tens of microseconds to make (identity map, instance state, history) and
keeps the garbage collector busy; a year of a province (3,000 cells, their registrations,
evaluations, 50,000 scores) is a few hundred thousand of them. ``rows(session, Model, ...)``
gives tuples instead, with the model's columns as attributes and the model's own plain methods
and properties (``Cell.active_in``, ``Award.is_decided``...), made in C. They read like the
model's objects but are not in any session: nothing written to them is saved (the one door
for writes stays ``ops``). The query is an ORM select, compiled by the ORM with the
session's organisation filter (``db.scope.scoped``): an organisation's session still sees
only its rows.

``paused_gc()`` (from ``collector``) keeps Python's cyclic garbage collector from running while
a bulk read makes its many small objects (it would scan them again and again; none of them
forms a cycle).
"""

from __future__ import annotations

import operator

from sqlalchemy import inspect, select

try:        # CPython's descriptor of a namedtuple's fields: half the time of a property
    from _collections import _tuplegetter
except ImportError:     # pragma: no cover - other Pythons
    def _tuplegetter(index, doc):
        return property(operator.itemgetter(index), doc=doc)

from chibo4tot_desktop.collector import paused_gc
from chibo4tot_desktop.db import scope

__all__ = ["columns", "executed", "paused_gc", "plain_class", "rows"]

_CLASSES: dict[type, type] = {}


def plain_class(model: type) -> type:
    """The plain-row class of ``model`` (made once)."""
    cls = _CLASSES.get(model)
    if cls is not None:
        return cls
    keys = [attr.key for attr in inspect(model).column_attrs]
    namespace: dict = {"_keys": tuple(keys), "__module__": __name__,
                       "__doc__": f"A read-only row of {model.__name__} (see db.plain)."}
    for index, key in enumerate(keys):
        namespace[key] = _tuplegetter(index, None)
    for klass in reversed(model.__mro__):
        for name, value in vars(klass).items():
            if name.startswith("__") or name in namespace:
                continue
            if isinstance(value, (property, staticmethod, classmethod)) or (
                    callable(value) and getattr(value, "__module__", "") == model.__module__
                    and type(value).__name__ == "function"):
                namespace[name] = value
    namespace["__repr__"] = lambda self: (
        f"{model.__name__}Row(" + ", ".join(f"{k}={v!r}" for k, v in zip(keys, self)) + ")")
    # No __slots__: the tuple holds the columns, and a row may take extra attributes
    # (``scores`` of an evaluation, ``cell`` of a registration) in an instance dict.
    cls = _CLASSES[model] = type(f"{model.__name__}Row", (tuple,), namespace)
    return cls


def columns(model: type) -> list:
    """The model's columns as ORM attributes (so the organisation filter applies)."""
    return [getattr(model, key) for key in plain_class(model)._keys]


def rows(session, model: type, *where, join=None, order_by=None) -> list:
    """Every row of ``model`` matching ``where`` (``join``: (target, on) to filter by another
    table's columns), as plain rows."""
    cls = plain_class(model)
    query = select(*columns(model))
    if join is not None:
        query = query.join(*join)
    if where:
        query = query.where(*where)
    if order_by is not None:
        query = query.order_by(order_by)
    result = executed(session, query)
    with paused_gc():
        return list(map(cls, result.all()))


def executed(session, query):
    """The result of ``query`` (an ORM select), its rows SQLAlchemy's own (tuples with the
    columns by name), run on the session's connection, past the ORM's row loading (a quarter
    of the read's work): the statement still goes through the ORM's compiler, so the
    organisation's filter, added here as ``session.execute`` adds it, is in the SQL. And as
    ``session.execute`` does, the session's pending changes are written first (an operation
    reads the year's overview again after its change, in its transaction)."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(scope.scoped(session, query))
