"""The window's long lists, read in pieces (no Qt): registrations, cells, results, awards and
the audit log of a province hold thousands of rows, and tens of thousands in a big city.

A ``Listing`` answers these questions for a table:
- ``ordered_ids(query, progress)``: the ids of the rows to show, in the asked order, with
  the filter and the search applied. It reads and sorts every row, so the window runs it
  in a worker thread (``ui.models.listing_model``); it takes a ``Progress`` so that a newer
  order can cancel an older one, and no single step holds Python's lock for long (rows in
  chunks, sorts in short runs, integer keys: ``text.ranks`` gives each distinct text its
  place in the Vietnamese order once).
- ``first_ids(query, count)``: the first of those ids when the database alone orders them
  (Đăng ký thi đua, by the cells' stored sort keys), so that the window shows them while the
  whole order is read; None for a listing ordered in Python.
- ``shown(ids)``: what the table shows of those rows (``Shown``: the values, a state tag the
  window colours, tooltips, and the row itself for the tab's actions), for the page of rows
  on screen.
A table of 100,000 rows keeps only its ordered ids and the pages it has shown.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import (
    ARRAY,
    Integer,
    and_,
    any_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
)

from chibo4tot_desktop import rules, timeline
from chibo4tot_desktop.db import plain
from chibo4tot_desktop.db.models import (
    AWARD_KIND_LABELS,
    CELL_KIND_LABELS,
    AuditEntry,
    Award,
    AwardKind,
    Cell,
    CellKind,
    CellLink,
    Registration,
)
from chibo4tot_desktop.ops import queries, rulebook
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.progress import Progress, check_cancelled, null_progress
from chibo4tot_desktop.reports import DecisionFacts
from chibo4tot_desktop.text import fold, format_date, ranks

TEXT, NUMBER, DATE = "text", "number", "date"
PAGE_ROWS = 500   # ids per IN (...) query (under SQLite's bound-parameter limit)
SORT_RUN = 8192   # items sorted in one C call (a few milliseconds holding the GIL)
FETCH_ROWS = 2000  # rows fetched at once while reading a whole listing


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    kind: str = TEXT     # TEXT (Vietnamese order), NUMBER, DATE
    width: int = 120     # the window's starting width, in pixels


@dataclass(frozen=True)
class Shown:
    """One row as a table shows it."""

    values: tuple                 # per column: text or number (None shows empty)
    tag: str = ""                 # the row's state ("missing", "late", "passed"...)
    item: object = None           # the row itself, for the tab's actions
    tips: tuple | None = None     # per column: a tooltip or None


@dataclass(frozen=True)
class Query:
    column: str
    descending: bool = False
    filter: str | None = None     # one of the listing's ``filters`` keys; None: every row
    search: str = ""              # words found without accents or case in the row's text


class Listing:
    """What every listing has; subclasses give ``columns``, ``filters``, ``_read`` and
    ``_values``, or override ``ordered_ids`` and ``shown`` entirely."""

    columns: tuple[Column, ...] = ()
    filters: dict[str, str] = {}   # key -> Vietnamese label
    default_order = "name"
    sortable = True

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise ValueError(key)

    def column_index(self, key: str) -> int:
        """Where the column ``key`` stands among ``columns`` (the place of its shown value)."""
        return self.columns.index(self.column(key))

    def size_hint(self) -> int:
        """About how many rows (cheap): the window orders small listings at once."""
        raise NotImplementedError

    def ordered_ids(self, query: Query, progress: Progress = null_progress) -> list:
        raise NotImplementedError

    def first_page(self, query: Query, count: int) -> tuple[list, dict] | None:
        """The first ``count`` ids of ``ordered_ids(query)`` and what the table shows of them
        (``shown``), if they can be read quickly without the others (the window shows them
        while the whole order is read); None otherwise."""
        return None

    def ordered_pages(self, query: Query, progress: Progress, numbers: Iterable[int],
                      size: int) -> tuple[list, dict[int, dict]]:
        """``ordered_ids(query, progress)`` and what the table shows of the pages ``numbers``
        of ``size`` rows in that order (page number -> ``shown``); a listing read from the
        database reads them together."""
        ids = self.ordered_ids(query, progress)
        return ids, _pages(ids, numbers, size, self.shown)

    def ids_at_hand(self, query: Query) -> list | None:
        """``ordered_ids(query)`` when the listing has that order without ordering anything
        (its rows are kept in it): the window shows a long list at once, with no worker
        and no second drawing; None otherwise."""
        return None

    def shown(self, ids: Sequence) -> dict:
        raise NotImplementedError


class SnapshotListing(Listing):
    """A listing read whole at each ordering (hundreds to a few thousand rows): the rows of
    the last ordering answer ``shown``. Subclasses give ``_read(progress)`` -> rows (each
    with an ``id``, in tie order: usually by name), ``_sort_value(row, key)``,
    ``_show(row)`` -> Shown, ``_search_text(row)`` and ``_keep(row, filter)``; one whose
    ``_read`` is cheap and gives the rows in ``default_order`` already sets
    ``read_in_default_order``."""

    read_in_default_order = False

    def __init__(self):
        self._rows: dict = {}
        self._folded: dict[str, str] = {}

    def ids_at_hand(self, query: Query) -> list | None:
        if not self.read_in_default_order or query != Query(self.default_order):
            return None
        return [row.id for row in self._read_rows(null_progress)]

    def ordered_ids(self, query: Query, progress: Progress = null_progress) -> list:
        column = self.column(query.column)
        with plain.paused_gc():
            rows = self._read_rows(progress)
            if query.filter is not None:
                rows = [row for row in rows if self._keep(row, query.filter)]
            if query.search:
                rows = search(rows, self._search_text, query.search, self._folded, progress)
            values = [self._sort_value(row, column.key) for row in rows]
            order = order_positions(values, column.kind, query.descending, progress)
            return [rows[index].id for index in order]

    def shown(self, ids: Sequence) -> dict:
        rows = self._rows
        return {row_id: self._show(rows[row_id]) for row_id in ids if row_id in rows}

    def _read_rows(self, progress: Progress) -> list:
        """The rows read again; they answer ``shown`` from now on."""
        rows = self._read(progress)
        self._rows = {row.id: row for row in rows}
        return rows

    def _read(self, progress: Progress) -> list:
        raise NotImplementedError

    def _sort_value(self, row, key: str):
        raise NotImplementedError

    def _show(self, row) -> Shown:
        raise NotImplementedError

    def _search_text(self, row) -> str:
        return ""

    def _keep(self, row, name: str) -> bool:
        return True


# ------------------------------------------------------------------------- ordering
def gil_friendly_sorted(items, key, reverse: bool = False) -> list:
    """``sorted(items, key=key, reverse=reverse)``, stable, in short runs merged in Python.

    One ``sorted()`` of 100,000 items keeps Python's GIL for ~50 ms (longer with tuple keys),
    during which the GUI thread cannot run any Python: the window stutters. Sorting runs of
    ``SORT_RUN`` items and merging them (``heapq.merge`` is stable, and ticks the interpreter
    between items) keeps every hold to a few milliseconds.
    """
    items = list(items)
    if len(items) <= SORT_RUN:
        return sorted(items, key=key, reverse=reverse)
    runs = [sorted(items[start:start + SORT_RUN], key=key, reverse=reverse)
            for start in range(0, len(items), SORT_RUN)]
    return list(heapq.merge(*runs, key=key, reverse=reverse))


def sortable(values: Sequence, kind: str, progress: Progress = null_progress) -> list:
    """``values`` made into keys Python compares quickly: texts become their rank in the
    Vietnamese order, dates their day number; None stays None (no value)."""
    if kind == TEXT:
        rank = ranks(value for value in values if value is not None)
        check_cancelled(progress)
        return [None if value is None else rank[value] for value in values]
    if kind == DATE:
        return [None if value is None else value.toordinal() for value in values]
    return list(values)


def order_positions(values: Sequence, kind: str, descending: bool = False,
                    progress: Progress = null_progress,
                    ties: Sequence[int] | None = None) -> list[int]:
    """The positions of ``values`` in their order (rows without a value last, either way);
    equal values keep the order of ``ties`` (positions; by default as given), also when
    descending."""
    keys = sortable(values, kind, progress)
    base = range(len(keys)) if ties is None else ties
    present = [index for index in base if keys[index] is not None]
    missing = [index for index in base if keys[index] is None]
    check_cancelled(progress)
    present = gil_friendly_sorted(present, keys.__getitem__, reverse=descending)
    return present + missing


def search(rows: Sequence, text_of: Callable, wanted: str, folded: dict[str, str],
           progress: Progress = null_progress) -> list:
    """The rows whose text holds every typed word, without accents or case (the folded form
    of each text is kept in ``folded`` between searches)."""
    words = fold(wanted, accents=False).split()
    if not words:
        return list(rows)
    result = []
    for count, row in enumerate(rows):
        text = text_of(row)
        found = folded.get(text)
        if found is None:
            found = folded[text] = fold(text, accents=False)
        if all(word in found for word in words):
            result.append(row)
        if count % 5000 == 4999:
            check_cancelled(progress)
    return result


def _among(session, column, ids: list):
    """``column IN ids``; on PostgreSQL as one array (``= ANY``): a page's 200 ids as 200
    parameters cost the server's planning and psycopg's sending more than the read itself."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _pages(ids: Sequence, numbers: Iterable[int], size: int,
           shown: Callable[[Sequence], dict]) -> dict[int, dict]:
    """Page number -> ``shown`` of that page of ``ids`` (``size`` rows), for the ``numbers``
    the order reaches."""
    return {number: shown(ids[number * size:(number + 1) * size])
            for number in numbers if number * size < len(ids)}


def _chunks(ids: Sequence, size: int = PAGE_ROWS) -> Iterable[list]:
    for start in range(0, len(ids), size):
        yield list(ids[start:start + size])


# ------------------------------------------------------------------- registrations
class RegistrationRow(NamedTuple):
    """One active cell of the year and its registration (if any)."""

    id: int                   # the cell's id (one row per cell)
    code: str
    name: str
    registration_id: int | None
    received_on: dt.date | None
    title: str | None
    members_count: int | None
    signer: str | None

    @property
    def registered(self) -> bool:
        return self.registration_id is not None


STATE_MISSING, STATE_LATE = "missing", "late"


class RegistrationListing(Listing):
    """Đăng ký thi đua: every active cell of ``year``, registered or not (one row per cell,
    its id the cell's id). Read from the database page by page: it serves 100,000 rows."""

    columns = (
        Column("code", "Mã", TEXT, 80),
        Column("name", "Chi bộ", TEXT, 280),
        Column("received_on", "Ngày nhận", DATE, 100),
        Column("state", "Tình trạng", NUMBER, 120),
        Column("title", "Danh hiệu đăng ký", TEXT, 150),
        Column("members_count", "Số đảng viên", NUMBER, 110),
        Column("signer", "Người ký", TEXT, 160),
    )
    filters = {"late": "Đăng ký muộn", "missing": "Chưa đăng ký", "registered": "Đã đăng ký"}
    _FIELDS = {"code": Cell.code, "name": Cell.name, "received_on": Registration.received_on,
               "title": Registration.title, "members_count": Registration.members_count,
               "signer": Registration.signer}
    # A ``RegistrationRow``'s columns.
    _ROW = (Cell.id, Cell.code, Cell.name, Registration.id, Registration.received_on,
            Registration.title, Registration.members_count, Registration.signer)

    def __init__(self, office: Office, year: int):
        self.office = office
        self.year = year
        office.require_org()
        with office.read() as session:
            # The year's schedule read once (on a server every query is a round trip).
            phase = queries.schedule_in(session, year)
            schedule = queries.phase_year_of(phase, year)
            self.deadline = schedule.registration_deadline
            # whether the deadline day itself is on time (the year's rules)
            self.inclusive = rulebook.rules_in(session, year, phase).deadline_inclusive
            rule = queries.year_rule_in(session)
            review_day = schedule.review_deadline
        self._day = timeline.reference_day(year, rule, review_day)
        # A cell ended on that very day is still in the year under the review-day rule only.
        self._ended_on_day_counts = (rule is not timeline.YearRule.YEAR_END
                                     and review_day is not None)
        # Counts of the last ordering (for the tab's summary line).
        self.counts = {"active": 0, "registered": 0, "late": 0, "missing": 0}
        self._folded: dict[str, str] = {}

    def _select(self, *columns):
        # The organisation's cells of the year by the year rule (``timeline.in_year``), in
        # SQL, with their registrations of the year. The organisation is named here: these
        # statements run on the session's connection (``_execute``), below the session's
        # filter, whose condition on registrations (their cell among the organisation's,
        # a subquery of every cell) cost more than the rest of the query.
        day = self._day
        ended = Cell.dissolved_on >= day if self._ended_on_day_counts \
            else Cell.dissolved_on > day
        return (select(*columns)
                .outerjoin(Registration, and_(Registration.cell_id == Cell.id,
                                              Registration.year == self.year))
                .where(Cell.organisation_id == self.office.organisation_id,
                       or_(Cell.started_on.is_(None), Cell.started_on <= day),
                       or_(Cell.dissolved_on.is_(None), ended)))

    @staticmethod
    def _execute(session, statement):
        return session.connection().execute(statement)

    def size_hint(self) -> int:
        with self.office.read() as session:
            return session.scalar(select(func.count(Cell.id))) or 0

    def days_late(self, received_on: dt.date | None) -> int:
        return rules.days_late(received_on, self.deadline, self.inclusive)

    def _late(self):
        """The SQL condition of a registration received after the last day on time."""
        if self.deadline is None:
            return false()
        last_day = self.deadline if self.inclusive else self.deadline - dt.timedelta(days=1)
        return Registration.received_on > last_day

    def _order_by(self, key: str, descending: bool) -> list:
        """The SQL order of ``key``; rows without a value last either way, and equal values
        by the cell's name (``Cell.name_key``, the Vietnamese order), then id."""
        ties = [Cell.name_key, Cell.id]
        if key == "name":
            return [Cell.name_key.desc() if descending else Cell.name_key, Cell.id]
        if key == "state":   # missing first, then on time, then by days late
            late = self._late()
            state = case((Registration.received_on.is_(None), 0), (late, 2), else_=1)
            received = case((late, Registration.received_on), else_=None)
            if descending:
                return [state.desc(), received.desc(), *ties]
            return [state, received, *ties]
        value = Cell.code_key if key == "code" else self._FIELDS[key]
        return [value.is_(None), value.desc() if descending else value, *ties]

    @staticmethod
    def _in_python(column: Column) -> bool:
        # Titles and signers have no stored key: the database gives them in the order of the
        # names, and they are ordered here by their Vietnamese ranks (stable on that order).
        return column.kind == TEXT and column.key not in ("name", "code")

    def _statement(self, query: Query, *columns):
        """The rows of ``query``'s filter, ordered by the database (by name for a column
        ordered in Python)."""
        column = self.column(query.column)
        order_by = (self._order_by("name", False) if self._in_python(column)
                    else self._order_by(column.key, query.descending))
        statement = self._select(Cell.id, *columns)
        if query.filter == "late":
            statement = statement.where(self._late())
        elif query.filter == "missing":
            statement = statement.where(Registration.received_on.is_(None))
        elif query.filter == "registered":
            statement = statement.where(Registration.received_on.is_not(None))
        return statement.order_by(*order_by)

    def first_page(self, query: Query, count: int) -> tuple[list[int], dict] | None:
        """The first ``count`` rows of ``ordered_ids(query)`` when the database alone orders
        them (no search, no column ordered in Python), read without the rest: their ids and
        rows in one statement."""
        if query.search or self._in_python(self.column(query.column)):
            return None
        with self.office.read() as session:
            rows = [RegistrationRow(*row) for row in self._execute(
                session, self._statement(query, *self._ROW[1:]).limit(count))]
        return [row.id for row in rows], {row.id: self._show(row) for row in rows}

    def ordered_ids(self, query: Query, progress: Progress = null_progress) -> list[int]:
        with self.office.read() as session:
            return self._ordered_in(session, query, progress)

    def ordered_pages(self, query: Query, progress: Progress, numbers: Iterable[int],
                      size: int) -> tuple[list[int], dict[int, dict]]:
        with self.office.read() as session:     # one read: on a server, three round trips
            ids = self._ordered_in(session, query, progress)
            return ids, _pages(ids, numbers, size, lambda page: self._shown_in(session, page))

    def _ordered_in(self, session, query: Query, progress: Progress) -> list[int]:
        column = self.column(query.column)
        in_python = self._in_python(column)
        search_columns = (Cell.code, Cell.name, Registration.signer, Registration.title) \
            if query.search else ()
        value_columns = (self._FIELDS[column.key],) if in_python else ()
        statement = self._statement(query, *value_columns, *search_columns)
        progress(0, None, "Đang đọc danh sách đăng ký…")
        with plain.paused_gc():
            # count(code), not count(id) (the same: a code is never empty): SQLite would
            # read the id from the index of the names and look the registrations up in that
            # order, all over the table; reading the cells themselves, it takes them by id.
            active, registered, late = self._execute(session, self._select(
                func.count(Cell.code), func.count(Registration.received_on),
                func.count(case((self._late(), 1))))).one()
            self.counts = {"active": active, "registered": registered, "late": late,
                           "missing": active - registered}
            if not value_columns and not search_columns:
                # The ids alone, taken in pieces from an ordinary cursor: on a server,
                # ``yield_per`` declares a cursor there and fetches from it, five round trips
                # more for a province's ids (a city's 100,000 ids are a few megabytes).
                ids: list[int] = []
                for part in self._execute(session, statement).partitions(FETCH_ROWS):
                    ids.extend([row[0] for row in part])
                    check_cancelled(progress)
                progress(len(ids), len(ids))
                return ids
            result = self._execute(session, statement.execution_options(yield_per=FETCH_ROWS))
            rows: list[tuple] = []
            for part in result.partitions():
                rows.extend(part)
                check_cancelled(progress)
            first_search = 1 + len(value_columns)
            if query.search:
                rows = search(rows, lambda row: " ".join(
                    str(part) for part in row[first_search:] if part),
                    query.search, self._folded, progress)
            if in_python:
                order = order_positions([row[1] for row in rows], TEXT, query.descending,
                                        progress)
                rows = [rows[index] for index in order]
            progress(len(rows), len(rows))
            return [row[0] for row in rows]

    def shown(self, ids: Sequence[int]) -> dict[int, Shown]:
        with self.office.read() as session:
            return self._shown_in(session, ids)

    def _shown_in(self, session, ids: Sequence[int]) -> dict[int, Shown]:
        result: dict[int, Shown] = {}
        for chunk in _chunks(ids):
            for row in self._execute(session, self._select(*self._ROW)
                                     .where(_among(session, Cell.id, chunk))):
                item = RegistrationRow(*row)
                result[item.id] = self._show(item)
        return result

    def _show(self, row: RegistrationRow) -> Shown:
        if not row.registered:
            return Shown((row.code, row.name, "", "Chưa đăng ký", "", None, ""),
                         STATE_MISSING, row)
        late = self.days_late(row.received_on)
        state = f"Muộn {late} ngày" if late > 0 else "Đúng hạn"
        return Shown((row.code, row.name, format_date(row.received_on), state, row.title,
                      row.members_count, row.signer), STATE_LATE if late > 0 else "", row)

    def cells(self) -> list[tuple[int, str]]:
        """(id, name) of every active cell of the year in Vietnamese order (for a form)."""
        with self.office.read() as session, plain.paused_gc():
            return [tuple(row) for row in self._execute(session,
                self._select(Cell.id, Cell.name).order_by(*self._order_by("name", False)))]


# ---------------------------------------------------------------------------- cells
class CellsListing(SnapshotListing):
    """Chi bộ: every cell of the organisation, dissolved ones included."""

    columns = (
        Column("code", "Mã", TEXT, 80),
        Column("name", "Tên chi bộ", TEXT, 300),
        Column("kind", "Loại", TEXT, 110),
        Column("secretary", "Bí thư", TEXT, 190),
        Column("members_count", "Số đảng viên", NUMBER, 110),
        Column("pilot", "Chi bộ điểm", NUMBER, 100),
        Column("state", "Tình trạng", NUMBER, 150),
    )
    filters = {"active": "Đang hoạt động"}

    def __init__(self, office: Office):
        super().__init__()
        self.office = office

    def size_hint(self) -> int:
        with self.office.read() as session:
            return session.scalar(select(func.count(Cell.id))) or 0

    def _read(self, progress: Progress) -> list:
        with self.office.read() as session:
            rows = plain.rows(session, Cell)
            links = session.execute(select(CellLink.predecessor_id, CellLink.successor_id)
                                    .order_by(CellLink.id)).all()
        names = {row.id: row.name for row in rows}
        self.successors: dict[int, list[str]] = {}   # cell id -> the cells it merged into
        for predecessor, successor in links:
            self.successors.setdefault(predecessor, []).append(names.get(successor, ""))
        order = order_positions([row.name for row in rows], TEXT, False, progress)
        return [rows[index] for index in order]

    def state(self, row) -> str:
        if row.dissolved_on is not None:
            into = self.successors.get(row.id)
            if into:
                return f"Sáp nhập vào {', '.join(into)} từ {format_date(row.dissolved_on)}"
            return f"Giải thể {format_date(row.dissolved_on)}"
        if row.started_on is not None:
            return f"Hoạt động từ {format_date(row.started_on)}"
        return "Đang hoạt động"

    @staticmethod
    def kind_label(kind: str) -> str:
        try:
            return CELL_KIND_LABELS[CellKind(kind)]
        except ValueError:
            return kind

    def _sort_value(self, row, key: str):
        if key == "kind":
            return self.kind_label(row.kind)
        if key == "pilot":
            return 0 if row.is_pilot else 1
        if key == "state":
            return row.dissolved_on.toordinal() if row.dissolved_on else 0
        return getattr(row, key)

    def _show(self, row) -> Shown:
        return Shown((row.code, row.name, self.kind_label(row.kind), row.secretary,
                      row.members_count or 0, "Có" if row.is_pilot else "", self.state(row)),
                     "dissolved" if row.dissolved_on is not None else "", row)

    def _search_text(self, row) -> str:
        return f"{row.code} {row.name} {row.secretary}"

    def _keep(self, row, name: str) -> bool:
        return row.dissolved_on is None


# -------------------------------------------------------------------------- results
class _StateRow(NamedTuple):
    id: int
    state: object   # reports.CellYearState


class ResultsListing(SnapshotListing):
    """Kết quả các chi bộ: the year's result of each active cell, from a computed
    ``reports.YearOverview`` (one row per cell, its id the cell's id)."""

    columns = (
        Column("name", "Chi bộ", TEXT, 260),
        Column("points", "Điểm", NUMBER, 60),
        Column("classification", "Xếp loại", TEXT, 80),
        Column("verdict", "Kết quả", TEXT, 100),
        Column("streak", "Năm liên tục", NUMBER, 100),
        Column("proposal", "Đề nghị", TEXT, 110),
        Column("reasons", "Lý do", TEXT, 300),
    )
    filters = {"qualifying": "Chỉ hiện chi bộ đạt"}
    read_in_default_order = True     # the overview's cells, in the order of their names

    def __init__(self, overview):
        super().__init__()
        self.overview = overview

    def size_hint(self) -> int:
        return len(self.overview.cells)

    def _read(self, progress: Progress) -> list:
        # The overview's cells are in the order of their names already.
        return [_StateRow(state.cell.id, state) for state in self.overview.cells]

    def _sort_value(self, row, key: str):
        state = row.state
        if key == "points":
            return state.result.committee_totals.total if state.scored else None
        if key == "streak":
            return state.consecutive_years
        return self._values(state)[self.column_index(key)]

    def _values(self, state) -> tuple:
        result = state.result
        classification = result.classification
        proposal = "Đã công nhận" if state.recognised else (
            "Đã đề nghị" if state.proposed else "")
        return (state.cell.name,
                rules.fmt_points(result.committee_totals.total) if state.scored else "–",
                _classification(result) if state.scored and classification else "–",
                result.verdict.label if state.evaluated else "Chưa chấm",
                str(state.consecutive_years) if state.consecutive_years else "",
                proposal,
                result.verdict.summary() if state.evaluated else "Chưa có phiếu chấm")

    def _show(self, row) -> Shown:
        state = row.state
        tips = None
        if state.evaluated:
            reasons = "\n".join(f"{r.mark} {r.text}" for r in state.result.verdict.reasons)
            tips = (None,) * (len(self.columns) - 1) + (reasons,)
        tag = ("passed" if state.qualifies else "failed") if state.evaluated else ""
        return Shown(self._values(state), tag, state, tips)

    def _search_text(self, row) -> str:
        return row.state.cell.name

    def _keep(self, row, name: str) -> bool:
        return row.state.qualifies


def _classification(result) -> str:
    """The classification, and the rules' own when the committee decided another."""
    if result.verdict.overridden:
        return (f"{result.classification.value} (theo quy định "
                f"{result.computed_classification.value})")
    return result.classification.value


class RankingListing(SnapshotListing):
    """Xếp hạng HTXSNV: the cells the rules or the committee put at HTXSNV, in the year's
    ranking (``overview.ranking``), one row per cell (its id the cell's id)."""

    columns = (
        Column("position", "Hạng", NUMBER, 50),
        Column("name", "Chi bộ", TEXT, 220),
        Column("total", "Điểm", NUMBER, 60),
        Column("groups", "Điểm nhóm", TEXT, 140),
        Column("status", "Tình trạng", TEXT, 160),
    )
    default_order = "position"
    read_in_default_order = True     # the ranking's cells, by their positions

    def __init__(self, overview):
        super().__init__()
        self.overview = overview

    def size_hint(self) -> int:
        return len(self.overview.ranking.cells)

    def _read(self, progress: Progress) -> list:
        return [_StateRow(ranked.entry.id, ranked) for ranked in self.overview.ranking.cells]

    def _sort_value(self, row, key: str):
        ranked = row.state
        if key == "position":
            return ranked.position
        if key == "total":
            return ranked.entry.total
        return self._values(ranked)[self.column_index(key)]

    @staticmethod
    def _values(ranked) -> tuple:
        entry = ranked.entry
        status = ranked.status + (" (bằng điểm, xếp theo tên)" if ranked.tied else "")
        return (str(ranked.position), entry.name, rules.fmt_points(entry.total),
                " / ".join(rules.fmt_points(points) for points in entry.group_points), status)

    def _show(self, row) -> Shown:
        ranked = row.state
        tag = "over" if ranked.excellent and not ranked.within_cap else ""
        return Shown(self._values(ranked), tag, ranked)

    def _search_text(self, row) -> str:
        return row.state.entry.name


# --------------------------------------------------------------------------- awards
class AwardsListing(SnapshotListing):
    """Đề nghị và quyết định khen thưởng of ``year``: unit, kind, proposal, decision."""

    columns = (
        Column("unit", "Đơn vị", TEXT, 240),
        Column("kind", "Hình thức", TEXT, 210),
        Column("proposed_on", "Ngày đề nghị", DATE, 100),
        Column("decision_number", "Số quyết định", TEXT, 120),
        Column("decision_date", "Ngày quyết định", DATE, 110),
        Column("issuer", "Cơ quan ban hành", TEXT, 220),
        Column("register_number", "Số sổ", TEXT, 80),
        Column("state", "Tình trạng", TEXT, 120),
        Column("kept", "Kết quả khi quyết định", TEXT, 300),
    )
    filters = {"waiting": "Chờ quyết định"}
    default_order = "unit"

    def __init__(self, office: Office, year: int, organisation_name: str, overview=None):
        """``overview``: the year's ``reports.YearOverview`` (today's computation), to show
        where a decision's kept facts differ from it."""
        super().__init__()
        self.office = office
        self.year = year
        self.organisation_name = organisation_name
        self.overview = overview

    def changed(self, award) -> tuple | None:
        """(kept, today's) when the decided facts differ from today's computation."""
        kept = DecisionFacts.kept(award) if award.is_decided else None
        if kept is None or self.overview is None:
            return None
        now = self.overview.facts(award)
        return None if now == kept else (kept, now)

    def kept(self, award) -> str:
        kept = DecisionFacts.kept(award) if award.is_decided else None
        if kept is None:
            return ""
        change = self.changed(award)
        if change is None:
            return kept.describe()
        now = change[1]
        return (f"{kept.describe()} (tính lại hôm nay: "
                f"{now.describe() if now else 'không còn thuộc năm'})")

    def state(self, award) -> str:
        if not award.is_decided:
            return "Chờ quyết định"
        return "Đã có quyết định" + (" – kết quả tính lại khác" if self.changed(award) else "")

    def size_hint(self) -> int:
        if self.overview is not None:
            return len(self.overview.awards)     # the year's awards when it was computed
        with self.office.read() as session:
            return session.scalar(select(func.count(Award.id))
                                  .where(Award.year == self.year)) or 0

    def _read(self, progress: Progress) -> list:
        with self.office.read() as session:
            # In the order they were made (ties keep it); a server gives rows in no order.
            awards = plain.rows(session, Award, Award.year == self.year, order_by=Award.id)
            cell_ids = {award.cell_id for award in awards if award.cell_id is not None}
            cells = {}
            for chunk in _chunks(sorted(cell_ids)):
                cells.update((cell.id, cell) for cell in plain.rows(
                    session, Cell, Cell.id.in_(chunk)))
        for award in awards:
            award.cell = cells.get(award.cell_id)
        order = order_positions([self.unit(award) for award in awards], TEXT, False, progress)
        return [awards[index] for index in order]

    def unit(self, award) -> str:
        return award.cell.name if award.cell is not None else self.organisation_name

    @staticmethod
    def kind_label(kind: str) -> str:
        try:
            return AWARD_KIND_LABELS[AwardKind(kind)]
        except ValueError:
            return kind

    def _sort_value(self, row, key: str):
        if key == "unit":
            return self.unit(row)
        if key == "kind":
            return self.kind_label(row.kind)
        if key == "state":
            return self.state(row)
        if key == "kept":
            return self.kept(row)
        return getattr(row, key)

    def _show(self, row) -> Shown:
        tag = "waiting" if not row.is_decided else ("changed" if self.changed(row) else "")
        return Shown((self.unit(row), self.kind_label(row.kind), format_date(row.proposed_on),
                      row.decision_number, format_date(row.decision_date), row.issuer,
                      row.register_number, self.state(row), self.kept(row)), tag, row)

    def _search_text(self, row) -> str:
        return f"{self.unit(row)} {row.decision_number} {row.register_number}"

    def _keep(self, row, name: str) -> bool:
        return not row.is_decided


# ------------------------------------------------------------------------ audit log
class AuditListing(Listing):
    """Nhật ký thay đổi: every audit row matching a ``safety.audit_query.AuditFilter``,
    newest first. The filter's text is matched without accents or case, as people type."""

    columns = (
        Column("at", "Thời gian", TEXT, 140),
        Column("user", "Người dùng", TEXT, 100),
        Column("action", "Thao tác", TEXT, 70),
        Column("table_name", "Loại hồ sơ", TEXT, 130),
        Column("summary", "Hồ sơ", TEXT, 220),
        Column("change", "Thay đổi", TEXT, 400),
    )
    default_order = "at"
    sortable = False

    def __init__(self, db, filters):
        self.db = db
        self.filters_ = filters
        self._folded: dict[str, str] = {}
        self._names = None

    def names(self):
        """The cells, items and records the rows name (``audit_query.AuditNames``), read once
        for the listing."""
        if self._names is None:
            from chibo4tot_desktop.safety.audit_query import AuditNames

            self._names = AuditNames(self.db)
        return self._names

    def size_hint(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count(AuditEntry.id))) or 0

    def ordered_ids(self, query: Query, progress: Progress = null_progress) -> list[int]:
        from chibo4tot_desktop.safety.audit_query import (
            FIELD_LABELS,
            describe_change,
            describe_record,
            filtered_query,
        )

        text = self.filters_.text
        words = fold(text, accents=False).split() if text else []
        # With a text: whole rows, matched also on the words the viewer shows (the record
        # and the change by name); without: the ids alone.
        columns = plain.columns(AuditEntry) if words else [AuditEntry.id]
        statement = filtered_query(select(*columns), self.filters_)
        ids: list[int] = []
        names = self.names() if words else None
        row_class = plain.plain_class(AuditEntry)
        with self.db.session() as session, plain.paused_gc():
            result = session.execute(statement.execution_options(yield_per=FETCH_ROWS))
            for part in result.partitions():
                if words:
                    for values in part:
                        row = row_class(values)
                        found = fold(" ".join(str(value) for value in (
                            row.summary, row.field, FIELD_LABELS.get(row.field, ""),
                            row.old_value, row.new_value, describe_record(row, names),
                            describe_change(row, 2000, names)) if value), accents=False)
                        if all(word in found for word in words):
                            ids.append(row.id)
                else:
                    ids.extend(row[0] for row in part)
                check_cancelled(progress)
        return ids

    def shown(self, ids: Sequence[int]) -> dict[int, Shown]:
        from chibo4tot_desktop.safety.audit_query import (
            ACTION_LABELS,
            TABLE_LABELS,
            describe_change,
            describe_record,
        )

        names = self.names()        # cells and items by name, not by number
        result = {}
        with self.db.session() as session:
            for chunk in _chunks(ids):
                for row in plain.rows(session, AuditEntry, AuditEntry.id.in_(chunk)):
                    when = (f"{format_date(row.at.date())} {row.at:%H:%M:%S}"
                            if row.at else "")
                    values = (when, row.user, ACTION_LABELS.get(row.action, row.action),
                              TABLE_LABELS.get(row.table_name, row.table_name),
                              describe_record(row, names), describe_change(row, names=names))
                    tips = (None,) * 5 + (describe_change(row, width=2000, names=names),)
                    result[row.id] = Shown(values, row.action, row, tips)
        return result
