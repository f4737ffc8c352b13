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
from chibo4tot_desktop.db.models import Cell, Phase, PhaseYear, Registration
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


class RegistrationListing:
    """The registrations of one organisation (optionally one year) for a lazy table."""

    columns = REGISTRATION_COLUMNS

    def __init__(self, db: Database, organisation_id: int, year: int | None = None):
        self.db = db
        self.organisation_id = organisation_id
        self.year = year
        self._deadlines: dict[int, dt.date | None] | None = None

    def _where(self, query):
        query = query.join(Cell, Registration.cell_id == Cell.id).where(
            Cell.organisation_id == self.organisation_id)
        if self.year is not None:
            query = query.where(Registration.year == self.year)
        return query

    def deadlines(self) -> dict[int, dt.date | None]:
        """Registration deadline of each year of the organisation's phases."""
        if self._deadlines is None:
            with self.db.session() as session:
                self._deadlines = dict(session.execute(
                    select(PhaseYear.year, PhaseYear.registration_deadline)
                    .join(Phase, PhaseYear.phase_id == Phase.id)
                    .where(Phase.organisation_id == self.organisation_id)).all())
        return self._deadlines

    def ordered_ids(self, column: str = "name", descending: bool = False,
                    progress: Progress = null_progress) -> list[int]:
        """Every id in the order of ``column`` (ties: cell name, then year, then id)."""
        progress(0, None, "Đang đọc danh sách đăng ký…")
        if column == "days_late":
            value_column = Registration.received_on
        elif column in _SQL_COLUMN:
            value_column = _SQL_COLUMN[column]
        else:
            raise ValueError(column)
        with self.db.session() as session:
            rows = session.execute(self._where(select(
                Registration.id, value_column, Cell.name, Registration.year))).all()
        check_cancelled(progress)
        progress(0, len(rows), "Đang sắp xếp…")
        keys: dict[object, tuple] = {}

        def text_key(value):
            key = keys.get(value)
            if key is None:
                key = keys[value] = sort_key(value)
            return key

        kind = next(c.kind for c in self.columns if c.key == column)
        if column == "days_late":
            deadlines = self.deadlines()
            values = [rules.days_late(received, deadlines.get(year))
                      for _id, received, _name, year in rows]
        else:
            values = [row[1] for row in rows]
        check_cancelled(progress)
        if kind == "text":
            primary = [text_key(value) for value in values]
        else:
            primary = values
        check_cancelled(progress)
        names = [text_key(row[2]) for row in rows]
        check_cancelled(progress)
        # None (no value) always last; the tie-breakers always ascending.
        order = list(range(len(rows)))
        order.sort(key=lambda i: (names[i], rows[i][3], rows[i][0]))
        check_cancelled(progress)
        present = [i for i in order if primary[i] is not None]
        missing = [i for i in order if primary[i] is None]
        # stable, also with reverse=True: equal keys keep the tie-breaking order
        present.sort(key=primary.__getitem__, reverse=descending)
        progress(len(rows), len(rows))
        return [rows[i][0] for i in present + missing]

    def count(self) -> int:
        from sqlalchemy import func

        with self.db.session() as session:
            return session.scalar(self._where(select(func.count(Registration.id))))

    def rows(self, ids: Sequence[int]) -> dict[int, tuple]:
        """The shown values (strings, numbers) of ``ids``, by id, in ``columns`` order."""
        deadlines = self.deadlines()
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
                    late = rules.days_late(received, deadlines.get(year))
                    result[row_id] = (code, name, year, format_date(received), late or None,
                                      members, signer)
        return result
