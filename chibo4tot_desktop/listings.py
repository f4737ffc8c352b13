"""Large lists read in pieces, for tables that must stay quick with 100,000 rows (no Qt).

``RegistrationListing`` gives a table the registrations of the office (all years, or one) as
an ordered list of ids, then the shown values of any slice of them. Ordering runs the query
once and sorts in Python by the program's Vietnamese collation (``text.sort_key``, computed
once per distinct value); it takes a ``Progress`` so that a window can run it off the GUI
thread and drop it when a newer order is asked for. Reading values for a page of ids is one
``IN (...)`` query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import Cell, Phase, PhaseYear, Registration, YearRule
from chibo4tot_desktop.progress import Progress, check_cancelled, null_progress
from chibo4tot_desktop.text import format_date, sort_key


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str  # "text" (Vietnamese collation), "number", "date"


REGISTRATION_COLUMNS: tuple[Column, ...] = (
    Column("code", "Mã chi bộ", "text"),
    Column("name", "Chi bộ", "text"),
    Column("year", "Năm", "number"),
    Column("received_on", "Ngày nhận", "date"),
    Column("days_late", "Muộn (ngày)", "number"),
    Column("members_count", "Số đảng viên", "number"),
    Column("signer", "Người ký", "text"),
)
_SQL_COLUMN = {
    "code": Cell.code, "name": Cell.name, "year": Registration.year,
    "received_on": Registration.received_on, "members_count": Registration.members_count,
    "signer": Registration.signer,
}
PAGE_ROWS = 500  # ids per IN (...) query (under SQLite's bound-parameter limit)
SORT_RUN = 8192  # items sorted in one C call (a few milliseconds holding the GIL)


def gil_friendly_sorted(items, key, reverse: bool = False) -> list:
    """``sorted(items, key=key, reverse=reverse)``, stable, in short runs merged in Python.

    One ``sorted()`` of 100,000 items keeps Python's GIL for ~50 ms (longer with tuple keys),
    during which the GUI thread cannot run any Python: the window stutters. Sorting runs of
    ``SORT_RUN`` items and merging them (``heapq.merge`` is stable, and ticks the interpreter
    between items) keeps every hold to a few milliseconds.
    """
    import heapq

    items = list(items)
    if len(items) <= SORT_RUN:
        return sorted(items, key=key, reverse=reverse)
    runs = [sorted(items[start:start + SORT_RUN], key=key, reverse=reverse)
            for start in range(0, len(items), SORT_RUN)]
    return list(heapq.merge(*runs, key=key, reverse=reverse))


class RegistrationListing:
    """The registrations of one organisation (optionally one year) for a lazy table."""

    columns = REGISTRATION_COLUMNS

    def __init__(self, db: Database, organisation_id: int, year: int | None = None):
        self.db = db
        self.organisation_id = organisation_id
        self.year = year
        self._deadlines: dict[int, tuple[dt.date | None, bool]] | None = None
        self._sort_keys: dict[str, tuple] = {}

    def _where(self, query):
        query = query.join(Cell, Registration.cell_id == Cell.id).where(
            Cell.organisation_id == self.organisation_id)
        if self.year is not None:
            query = query.where(Registration.year == self.year)
        return query

    def deadlines(self) -> dict[int, tuple[dt.date | None, bool]]:
        """Registration deadline of each year of the organisation's phases, and whether the
        deadline day itself is on time (the year's rules)."""
        if self._deadlines is None:
            with self.db.session() as session:
                inclusive = dict(session.execute(
                    select(YearRule.year, YearRule.deadline_inclusive)
                    .where(YearRule.organisation_id == self.organisation_id)).all())
                self._deadlines = {
                    year: (deadline, inclusive.get(year, False))
                    for year, deadline in session.execute(
                        select(PhaseYear.year, PhaseYear.registration_deadline)
                        .join(Phase, PhaseYear.phase_id == Phase.id)
                        .where(Phase.organisation_id == self.organisation_id))}
        return self._deadlines

    def _late(self, received: dt.date | None, year: int) -> int:
        deadline, inclusive = self.deadlines().get(year, (None, False))
        return rules.days_late(received, deadline, inclusive)

    def ordered_ids(self, column: str = "name", descending: bool = False,
                    progress: Progress = null_progress) -> list[int]:
        """Every id in the order of ``column`` (ties: cell name, then year, then id).

        Rows without a value come last. Written so that no single step holds Python's GIL for
        long (rows fetched in chunks, sorts on plain integers), which keeps a window
        responsive while a worker thread runs this.
        """
        if column == "days_late":
            value_column = Registration.received_on
        elif column in _SQL_COLUMN:
            value_column = _SQL_COLUMN[column]
        else:
            raise ValueError(column)
        kind = next(c.kind for c in self.columns if c.key == column)
        progress(0, None, "Đang đọc danh sách đăng ký…")
        rows = self._fetch(select(Registration.id, value_column, Cell.name, Registration.year),
                           progress)
        progress(0, len(rows), "Đang sắp xếp…")
        name_rank = self._ranks((row[2] for row in rows), progress)
        # Tie order: one integer per row (name rank, year, id), sorted in C.
        tie = [(name_rank[name] << 48) | ((year & 0xFFFF) << 32) | (row_id & 0xFFFFFFFF)
               for row_id, _value, name, year in rows]
        order = gil_friendly_sorted(range(len(rows)), tie.__getitem__)
        del tie
        check_cancelled(progress)
        if column == "days_late":
            primary = [self._late(received, year) for _id, received, _name, year in rows]
        elif kind == "text":
            ranks = name_rank if column == "name" else self._ranks(
                (row[1] for row in rows), progress)
            primary = [ranks.get(row[1]) if row[1] is not None else None for row in rows]
        elif kind == "date":
            primary = [row[1].toordinal() if row[1] is not None else None for row in rows]
        else:
            primary = [row[1] for row in rows]
        check_cancelled(progress)
        present = [i for i in order if primary[i] is not None]
        missing = [i for i in order if primary[i] is None]
        # stable, also with reverse=True: equal values keep the tie order
        present = gil_friendly_sorted(present, primary.__getitem__, reverse=descending)
        progress(len(rows), len(rows))
        return [rows[i][0] for i in present + missing]

    def _fetch(self, query, progress: Progress, chunk: int = 2000) -> list[tuple]:
        rows: list[tuple] = []
        with self.db.engine.connect() as connection:
            result = connection.execute(self._where(query))
            while True:
                part = result.fetchmany(chunk)
                if not part:
                    break
                rows.extend(tuple(row) for row in part)
                check_cancelled(progress)
        return rows

    def _ranks(self, values, progress: Progress) -> dict[str, int]:
        """Rank of each distinct text in Vietnamese order (sort keys cached between calls)."""
        keys = self._sort_keys
        distinct = {value for value in values if value is not None}
        for count, value in enumerate(distinct - keys.keys()):
            keys[value] = sort_key(value)
            if count % 2000 == 0:
                check_cancelled(progress)
        ordered = gil_friendly_sorted(distinct, keys.__getitem__)
        return {value: rank for rank, value in enumerate(ordered)}

    def count(self) -> int:
        from sqlalchemy import func

        with self.db.session() as session:
            return session.scalar(self._where(select(func.count(Registration.id))))

    def rows(self, ids: Sequence[int]) -> dict[int, tuple]:
        """The shown values (strings, numbers) of ``ids``, by id, in ``columns`` order."""
        result: dict[int, tuple] = {}
        with self.db.session() as session:
            for start in range(0, len(ids), PAGE_ROWS):
                chunk = list(ids[start:start + PAGE_ROWS])
                for (row_id, code, name, year, received, members, signer) in session.execute(
                        select(Registration.id, Cell.code, Cell.name, Registration.year,
                               Registration.received_on, Registration.members_count,
                               Registration.signer)
                        .join(Cell, Registration.cell_id == Cell.id)
                        .where(Registration.id.in_(chunk))):
                    late = self._late(received, year)
                    result[row_id] = (code, name, year, format_date(received), late or None,
                                      members, signer)
        return result
