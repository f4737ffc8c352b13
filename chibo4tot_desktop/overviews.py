"""The year overviews an open window shows, kept until the data under them change (no Qt).

``reports.year_overview`` reads and judges a whole year: a second for a province's 3,000
cells. The window asks for it on every tab and after every save; ``YearOverviews`` keeps each
year's overview with the data version it was computed from, and reads each ``db.changes``
notice: a change to some cells' registrations, scores, evaluations or awards marks just those
cells to read again (``reports.update_overview``); any other change (cells, merges,
settings, catalogue, a notice without rows, awards of a merged cell) drops the kept
overviews. ``compute`` is safe to run in a
worker thread: a result computed while the data changed is not kept.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

from sqlalchemy import select

from chibo4tot_desktop.db.models import Award, Cell, CellLink, Evaluation, Registration, Score
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.reports import YearOverview, update_overview, year_overview

# Tables whose rows belong to one cell and year: a change to them is followed cell by cell.
CELL_TABLES = ("registrations", "evaluations", "scores", "awards")
# More changed cells than this: reading the whole year again is as quick.
MAX_CELLS = 200


class YearOverviews:
    def __init__(self, office: Office):
        self.office = office
        self._lock = threading.Lock()
        self._kept: dict[int, YearOverview] = {}
        self._stale: dict[int, set[int]] = {}   # year -> cells to read again
        self._today = dt.date.today()
        self.version = 0                         # one more at every change

    def current(self, year: int) -> YearOverview | None:
        """The year's overview if it is kept and up to date."""
        with self._lock:
            if self._today != dt.date.today():   # deadlines count days from today
                self._kept.clear()
                self._stale.clear()
                self._today = dt.date.today()
            if year in self._stale:
                return None
            return self._kept.get(year)

    def pending(self, year: int) -> set[int] | None:
        """What computing the year would read: None for the whole year, else the cells of
        the kept overview to read again (an empty set: the organisation's own result)."""
        with self._lock:
            if year not in self._kept:
                return None
            return set(self._stale.get(year, ()))

    def compute(self, year: int, progress: Progress = null_progress) -> YearOverview:
        """The year's overview, read again where the data changed (whole, or the changed
        cells); kept unless the data changed meanwhile."""
        with self._lock:
            version = self.version
            kept = self._kept.get(year)
            stale = set(self._stale[year]) if kept is not None and year in self._stale \
                else None
        progress(0, None, f"Đang tổng hợp năm {year}…")
        if kept is not None and stale is None:
            return kept
        if kept is not None:        # an empty set: only the organisation's own result
            overview = update_overview(self.office, kept, stale)
        else:
            overview = year_overview(self.office, year)
        with self._lock:
            if self.version == version:
                self._kept[year] = overview
                self._stale.pop(year, None)
        return overview

    # ---------------------------------------------------------------------- changes
    def changed(self, change: Iterable[str]) -> None:
        """Read a change notice (``db.changes.Change``; a plain set of topics drops all)."""
        rows = getattr(change, "rows", None)
        cells = self._cells_of(rows) if rows else None
        with self._lock:
            self.version += 1
            if cells is None:
                self._kept.clear()
                self._stale.clear()
                return
            for year in self._kept:
                self._stale.setdefault(year, set()).update(cells)

    def _cells_of(self, rows) -> set[int] | None:
        """The cells a change touched, or None when it is more than cells' records (or too
        many to follow one by one)."""
        if any(table not in CELL_TABLES for table in rows):
            return None
        if sum(len(ids) for ids in rows.values()) > MAX_CELLS:
            return None
        cells: set[int] = set()
        found: dict[str, set[int]] = {}
        with self.office.read() as session:
            for table, model in (("registrations", Registration), ("evaluations", Evaluation),
                                 ("awards", Award)):
                ids = rows.get(table)
                if ids:
                    for row_id, cell_id in session.execute(
                            select(model.id, model.cell_id).where(model.id.in_(ids))):
                        found.setdefault(table, set()).add(row_id)
                        if cell_id is not None:
                            cells.add(cell_id)
            ids = rows.get("scores")
            if ids:
                for row_id, cell_id in session.execute(
                        select(Score.id, Evaluation.cell_id)
                        .join(Evaluation, Score.evaluation_id == Evaluation.id)
                        .where(Score.id.in_(ids))):
                    found.setdefault("scores", set()).add(row_id)
                    if cell_id is not None:
                        cells.add(cell_id)
            gone = {table: set(ids) - found.get(table, set()) for table, ids in rows.items()}
            if any(gone.values()):
                # Deleted rows: their cell is known only from what was kept.
                known = self._kept_rows()
                for table, ids in gone.items():
                    for row_id in ids:
                        if (table, row_id) not in known:
                            return None
                        if known[table, row_id] is not None:
                            cells.add(known[table, row_id])
            # Only cells of this organisation (a stray id would mean an unexpected change).
            if cells and len(set(session.scalars(
                    select(Cell.id).where(Cell.id.in_(cells))))) != len(cells):
                return None
            # A merged cell's awards count in its successors' consecutive years: read the
            # whole year again rather than follow the merges.
            if "awards" in rows and cells and session.scalar(
                    select(CellLink.id).where(CellLink.predecessor_id.in_(cells)).limit(1)):
                return None
        return cells

    def _kept_rows(self) -> dict[tuple[str, int], int | None]:
        """(table, id) -> cell id of every row the kept overviews hold."""
        with self._lock:
            overviews = list(self._kept.values())
        known: dict[tuple[str, int], int | None] = {}
        for overview in overviews:
            for state in overview.cells:
                cell_id = state.cell.id
                if state.registration is not None:
                    known["registrations", state.registration.id] = cell_id
                evaluation = state.result.evaluation
                if evaluation is not None:
                    known["evaluations", evaluation.id] = cell_id
                    for score in evaluation.scores:
                        known["scores", score.id] = cell_id
                for award in state.awards:
                    known["awards", award.id] = cell_id
            evaluation = overview.organisation_result.evaluation
            if evaluation is not None:
                known["evaluations", evaluation.id] = None
                for score in evaluation.scores:
                    known["scores", score.id] = None
            for award in overview.organisation_awards:
                known["awards", award.id] = None
        return known
