"""Many rows in one statement, handed straight to the database driver.

SQLAlchemy's executemany builds and converts each row's parameters in Python, which for the
10,000 rows of an Excel import costs more than SQLite's own work. ``execute_many`` compiles
the statement once for the connection's dialect, converts each value with its column type's
own bind processor (the same conversion SQLAlchemy would do: dates, booleans...), and gives
the rows to the driver's ``executemany``. Only the operations (``ops``) and the audit log use
it, inside their transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table, bindparam


def _processors(table: Table, keys: Sequence[str], dialect) -> list:
    return [table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
            if key in table.c else None for key in keys]


def insert_many(connection, table: Table, rows: Sequence[Mapping]) -> None:
    """INSERT ``rows`` (mappings with the same keys, column names) into ``table``."""
    if not rows:
        return
    keys = list(rows[0])
    statement = table.insert().values({key: bindparam(key) for key in keys})
    _run(connection, statement, keys, _processors(table, keys, connection.dialect), rows)


def update_many(connection, table: Table, where: Mapping[str, str], rows: Sequence[Mapping],
                extra_values: Mapping | None = None) -> int:
    """UPDATE ``table`` once per row: ``where`` maps a column to the row's key holding the
    value it must equal (e.g. {"id": "_id", "version": "_version"}); the row's other keys
    are the columns set; ``extra_values`` adds SQL expressions (``version + 1``). Returns
    the number of rows changed (summed over the rows)."""
    if not rows:
        return 0
    keys = list(rows[0])
    set_keys = [key for key in keys if key not in where.values()]
    statement = table.update().where(*[table.c[column] == bindparam(key)
                                       for column, key in where.items()])
    statement = statement.values({**{key: bindparam(key) for key in set_keys},
                                  **(extra_values or {})})
    processors = _processors(table, [
        next((column for column, name in where.items() if name == key), key) for key in keys],
        connection.dialect)
    if connection.dialect.supports_sane_multi_rowcount:
        return _run(connection, statement, keys, processors, rows)
    return sum(_run(connection, statement, keys, processors, [row]) for row in rows)


# Rows handed to the driver at a time: the converted parameters of 100,000 rows are never all
# in memory at once (one statement, compiled once, executed for each batch).
BATCH_ROWS = 5000


def _run(connection, statement, keys, processors, rows) -> int:
    compiled = statement.compile(dialect=connection.dialect)
    converters = dict(zip(keys, processors))
    order = list(compiled.positiontup) if compiled.positional else list(compiled.params)
    changed = 0
    for start in range(0, len(rows), BATCH_ROWS):
        params = _parameters(compiled, order, converters, rows[start:start + BATCH_ROWS])
        changed += connection.exec_driver_sql(compiled.string, params).rowcount
    return changed


def _parameters(compiled, order, converters, rows) -> list:
    """Column by column (each a list made in one comprehension), then rows: tuples for a
    positional driver (SQLite), mappings for a named one (psycopg)."""
    values = []
    fixed = compiled.params          # binds of the statement itself (the 1 of version + 1)
    for key in order:
        if key not in converters:
            values.append([fixed[key]] * len(rows))
            continue
        convert = converters[key]
        column = [row[key] for row in rows]
        if convert is None:
            values.append(column)
        elif len(set(map(id, column))) == 1:
            # One object in every row (the time of the audit rows): converted once.
            values.append([convert(column[0])] * len(column))
        else:
            values.append(_converted(convert, column))
    params = list(zip(*values))
    if not compiled.positional:
        params = [dict(zip(order, row)) for row in params]
    return params


class Once(dict):
    """``function`` of each distinct value, worked out once: its ``__getitem__`` is the
    function, a value seen before a lookup made in C (a column's few dates, an audit text's
    repeated texts). A value that cannot be a key raises TypeError."""

    def __init__(self, function):
        super().__init__()
        self.function = function

    def __missing__(self, value):
        result = self[value] = self.function(value)
        return result


def _converted(convert, column: list) -> list:
    """``convert`` of every value, each distinct value once when the column holds one type
    (equal values of two types, 1 and True, may convert apart)."""
    if len(set(map(type, column))) == 1:
        try:
            return list(map(Once(convert).__getitem__, column))
        except TypeError:             # a value that cannot be a key
            pass
    return [convert(value) for value in column]
