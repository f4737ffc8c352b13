"""Reads of one organisation's records, for the window, the commands, the papers and lists.

Rows come back detached from their session with what they need loaded; nothing here writes.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop.db.models import (
    AuditEntry,
    Award,
    AwardKind,
    Cell,
    CriteriaGroup,
    Evaluation,
    Organisation,
    Phase,
    PhaseYear,
    Registration,
    Setting,
)
from chibo4tot_desktop.errors import NotFoundError, UserError
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.text import clean, sort_key


# ------------------------------------------------------------------ organisation, phases
def organisation(office: Office) -> Organisation:
    with office.read() as session:
        row = session.get(Organisation, office.require_org())
    if row is None:
        raise NotFoundError("Không tìm thấy đảng bộ.")
    return row


def is_empty(office: Office) -> bool:
    """No organisation at all in the data file (a new file)."""
    with office.db.session() as session:
        return session.scalar(select(func.count()).select_from(Organisation)) == 0


def _phase_query():
    return (select(Phase)
            .options(selectinload(Phase.years),
                     selectinload(Phase.groups).selectinload(CriteriaGroup.items))
            .order_by(Phase.first_year))


def phases(office: Office) -> list[Phase]:
    if office.organisation_id is None:
        return []
    with office.read() as session:
        return list(session.scalars(_phase_query()))


def phase(office: Office, phase_id: int) -> Phase:
    with office.read() as session:
        row = session.scalar(_phase_query().where(Phase.id == phase_id))
    if row is None:
        raise NotFoundError("Không tìm thấy giai đoạn.")
    return row


def phase_in(session: Session, year: int) -> Phase:
    """The phase holding ``year`` in an organisation-scoped session."""
    row = session.scalar(_phase_query().where(Phase.first_year <= year, Phase.last_year >= year))
    if row is None:
        raise UserError(f"Năm {year} không thuộc giai đoạn thi đua nào.")
    return row


def phase_for_year(office: Office, year: int) -> Phase:
    office.require_org()
    with office.read() as session:
        return phase_in(session, year)


def years(office: Office) -> list[int]:
    return [item.year for row in phases(office) for item in row.years]


def phase_year(office: Office, year: int) -> PhaseYear:
    for item in phase_for_year(office, year).years:
        if item.year == year:
            return item
    raise UserError(f"Năm {year} chưa có lịch thi đua.")


# ---------------------------------------------------------------------------------- cells
def cells(office: Office, include_dissolved: bool = True) -> list[Cell]:
    """The organisation's cells in Vietnamese order of their names."""
    if office.organisation_id is None:
        return []
    query = select(Cell)
    if not include_dissolved:
        query = query.where(Cell.dissolved_on.is_(None))
    with office.read() as session:
        rows = list(session.scalars(query))
    return sorted(rows, key=lambda cell: sort_key(cell.name))


def cell_count(office: Office) -> int:
    """How many cells the organisation has (dissolved ones included)."""
    if office.organisation_id is None:
        return 0
    with office.read() as session:
        return session.scalar(select(func.count(Cell.id))) or 0


def cell(office: Office, cell_id: int) -> Cell:
    with office.read() as session:
        row = session.get(Cell, cell_id)
    if row is None:
        raise NotFoundError("Không tìm thấy chi bộ.")
    return row


def cell_by_code(office: Office, code: str) -> Cell:
    office.require_org()
    with office.read() as session:
        row = session.scalar(select(Cell).where(Cell.code == clean(code)))
    if row is None:
        raise NotFoundError(f"Không có chi bộ mã '{clean(code)}'.")
    return row


# -------------------------------------------------------------------------- registrations
def registrations(office: Office, year: int) -> list[Registration]:
    """The year's registrations (with their cell loaded), in order of cell name."""
    office.require_org()
    with office.read() as session:
        rows = list(session.scalars(
            select(Registration).where(Registration.year == year)
            .options(selectinload(Registration.cell))))
    return sorted(rows, key=lambda row: sort_key(row.cell.name))


def registration(office: Office, cell_id: int, year: int) -> Registration | None:
    with office.read() as session:
        return session.scalar(
            select(Registration).where(Registration.cell_id == cell_id, Registration.year == year)
            .options(selectinload(Registration.cell)))


# ---------------------------------------------------------------------------- evaluations
def evaluation_in(session: Session, cell_id: int | None, year: int) -> Evaluation | None:
    query = (select(Evaluation).where(Evaluation.year == year)
             .options(selectinload(Evaluation.scores)))
    if cell_id is None:
        query = query.where(Evaluation.cell_id.is_(None))
    else:
        query = query.where(Evaluation.cell_id == cell_id)
    return session.scalar(query)


def evaluation(office: Office, cell_id: int | None, year: int) -> Evaluation | None:
    """The evaluation of a cell (or, with None, of the organisation) for ``year``."""
    office.require_org()
    with office.read() as session:
        return evaluation_in(session, cell_id, year)


def evaluations(office: Office, year: int) -> list[Evaluation]:
    """Every evaluation of the year (cells and organisation), with scores loaded."""
    office.require_org()
    with office.read() as session:
        return list(session.scalars(
            select(Evaluation).where(Evaluation.year == year)
            .options(selectinload(Evaluation.scores))))


# --------------------------------------------------------------------------------- awards
def awards(office: Office, year: int | None = None) -> list[Award]:
    office.require_org()
    query = select(Award).options(selectinload(Award.cell))
    if year is not None:
        query = query.where(Award.year == year)
    with office.read() as session:
        rows = list(session.scalars(query))
    return sorted(rows, key=lambda a: (a.year, a.kind, sort_key(a.cell.name if a.cell else "")))


def recognised_years(office: Office) -> dict[int, set[int]]:
    """cell id -> the years it was recognised "Chi bộ 4 tốt" (decided awards)."""
    office.require_org()
    with office.read() as session:
        rows = session.execute(
            select(Award.cell_id, Award.year)
            .where(Award.kind == AwardKind.CELL_RECOGNITION.value,
                   Award.decision_number != "", Award.decision_date.is_not(None)))
        result: dict[int, set[int]] = {}
        for cell_id, year in rows:
            result.setdefault(cell_id, set()).add(year)
    return result


# ------------------------------------------------------------------------------- settings
def setting(office: Office, key: str, default: str = "") -> str:
    office.require_org()
    with office.read() as session:
        value = session.scalar(select(Setting.value).where(Setting.key == key))
    return default if value is None else value


def settings(office: Office, prefix: str = "") -> dict[str, str]:
    office.require_org()
    with office.read() as session:
        rows = session.execute(select(Setting.key, Setting.value)
                               .where(Setting.key.startswith(prefix, autoescape=True)))
        return dict(rows.all())


def audit_log(office: Office, limit: int = 1000, table: str | None = None) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if table:
        query = query.where(AuditEntry.table_name == table)
    with office.db.session() as session:
        return list(session.scalars(query))
