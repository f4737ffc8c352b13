"""Reads of one organisation's records, for the window, the commands, the papers and lists.

Rows come back detached from their session with what they need loaded; nothing here writes.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.models import (
    AuditEntry,
    Award,
    AwardKind,
    CatalogueVersion,
    Cell,
    CellLink,
    CriteriaGroup,
    Evaluation,
    Organisation,
    OrganisationIdentity,
    Phase,
    PhaseYear,
    Registration,
    Setting,
)
from chibo4tot_desktop import rules
from chibo4tot_desktop.errors import NotFoundError, UserError
from chibo4tot_desktop.ops import rulebook
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.text import clean, sort_key


# ------------------------------------------------------------------ organisation, phases
def organisation(office: Office) -> Organisation:
    with office.read() as session:
        row = session.get(Organisation, office.require_org())
    if row is None:
        raise NotFoundError("Không tìm thấy đảng bộ.")
    return row


def predecessors(office: Office) -> list[Organisation]:
    """The organisations merged into this one (a ward's file taken in by the new ward),
    oldest merger first."""
    if office.organisation_id is None:
        return []
    with office.db.session() as session:
        return list(session.scalars(
            select(Organisation).where(Organisation.merged_into_id == office.organisation_id)
            .order_by(Organisation.merged_on, Organisation.id)))


def identities_in(session: Session) -> list[OrganisationIdentity]:
    """The identity versions of the session's organisation, oldest first. An organisation
    received from a packet of an older program has none: its own row stands for one."""
    rows = list(session.scalars(select(OrganisationIdentity)
                                .order_by(OrganisationIdentity.valid_from)))
    if rows:
        return rows
    from chibo4tot_desktop.db.scope import ORGANISATION_ID

    organisation = session.get(Organisation, session.info.get(ORGANISATION_ID) or 0)
    if organisation is None:
        return []
    return [OrganisationIdentity(organisation_id=organisation.id,
                                 valid_from=timeline.BEGINNING, name=organisation.name,
                                 upper_body=organisation.upper_body,
                                 place_name=organisation.place_name)]


def identities(office: Office) -> list[OrganisationIdentity]:
    """The organisation's identity versions, oldest first."""
    office.require_org()
    with office.read() as session:
        return identities_in(session)


def identity_on(office: Office, day: dt.date | None) -> timeline.Identity:
    """The name, upper body, place, issuer and signers in force on ``day`` (None: the
    latest version)."""
    return timeline.identity_on(identities(office), day)


def identity_in(session: Session, day: dt.date | None) -> timeline.Identity:
    return timeline.identity_on(identities_in(session), day)


def is_empty(office: Office) -> bool:
    """No organisation at all in the data file (a new file)."""
    with office.db.session() as session:
        return session.scalar(select(func.count()).select_from(Organisation)) == 0


def _phase_query():
    return (select(Phase)
            .options(selectinload(Phase.years),
                     selectinload(Phase.versions).selectinload(CatalogueVersion.groups)
                     .selectinload(CriteriaGroup.items))
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


def _holding(year: int) -> tuple:
    """The conditions of the phase holding ``year``."""
    return Phase.first_year <= year, Phase.last_year >= year


def _no_phase(year: int) -> UserError:
    return UserError(f"Năm {year} không thuộc giai đoạn thi đua nào.")


def phase_in(session: Session, year: int) -> Phase:
    """The phase holding ``year`` in an organisation-scoped session."""
    row = session.scalar(_phase_query().where(*_holding(year)))
    if row is None:
        raise _no_phase(year)
    return row


def schedule_in(session: Session, year: int) -> Phase:
    """The phase holding ``year`` with its years' schedule but not its catalogues, to be
    read inside ``session``: what the year's deadlines and rules need, in two statements
    (``phase_in`` takes three more for the catalogues)."""
    row = session.scalar(select(Phase).options(selectinload(Phase.years))
                         .where(*_holding(year)))
    if row is None:
        raise _no_phase(year)
    return row


def phase_for_year(office: Office, year: int) -> Phase:
    office.require_org()
    with office.read() as session:
        return phase_in(session, year)


def has_phase(office: Office) -> bool:
    """Whether the organisation has declared a phase (one light query)."""
    if office.organisation_id is None:
        return False
    with office.read() as session:
        return session.scalar(select(Phase.id).limit(1)) is not None


def years(office: Office) -> list[int]:
    """Every year of the organisation's phases, in order (one light query: the window asks at
    every start, before the phases and their catalogues are needed)."""
    if office.organisation_id is None:
        return []
    with office.read() as session:
        return list(session.scalars(
            select(PhaseYear.year).join(Phase, PhaseYear.phase_id == Phase.id)
            .order_by(Phase.first_year, PhaseYear.year)))


def phase_heading(office: Office, year: int) -> tuple[str, bool]:
    """The title of the phase holding ``year`` and whether ``year`` is its last (the final
    summary): what the year bar shows, without the phase's catalogue."""
    office.require_org()
    with office.read() as session:
        row = session.execute(select(Phase.title, Phase.last_year)
                              .where(*_holding(year))).first()
    if row is None:
        raise _no_phase(year)
    return row.title, Phase.is_final(row, year)     # the phase's own rule, on its columns


def year_rules(office: Office, year: int) -> rules.YearRules:
    """The rules of ``year`` (its regulation, thresholds, conditions, cap, deadline reading)."""
    office.require_org()
    with office.read() as session:
        return rulebook.rules_in(session, year, phase_in(session, year))


def phase_year(office: Office, year: int) -> PhaseYear:
    return phase_year_of(phase_for_year(office, year), year)


def phase_year_of(phase: Phase, year: int) -> PhaseYear:
    """The schedule of ``year`` in ``phase``, the phase holding it (``phase_in``)."""
    for item in phase.years:
        if item.year == year:
            return item
    raise UserError(f"Năm {year} chưa có lịch thi đua.")


def review_days_in(session: Session) -> dict[int, dt.date | None]:
    """Every year of the organisation's phases -> its review deadline."""
    return dict(session.execute(
        select(PhaseYear.year, PhaseYear.review_deadline)
        .join(Phase, PhaseYear.phase_id == Phase.id)).all())


def year_document_date(office: Office, year: int) -> dt.date:
    """The date a list of ``year`` carries when nothing else dates it: the year's review day
    (31/12 when none is set)."""
    office.require_org()
    with office.read() as session:
        return _document_date_in(session, year)


def _document_date_in(session: Session, year: int) -> dt.date:
    days = review_days_in(session)        # one light query (the window asks often)
    if year not in days:
        phase_year_of(phase_in(session, year), year)     # the error that says why
    return _document_date(year, days[year])


def _document_date(year: int, review_deadline: dt.date | None) -> dt.date:
    return review_deadline or dt.date(year, 12, 31)


def year_identity(office: Office, year: int) -> tuple[dt.date, timeline.Identity]:
    """``year_document_date`` and the identity in force on that day, in one read (on a
    server each read is a round trip to check the connection, one to begin and one to end
    besides its statements)."""
    office.require_org()
    with office.read() as session:
        day = _document_date_in(session, year)
        return day, identity_in(session, day)


class ScoringSheet(NamedTuple):
    phase: Phase                    # the phase holding the year, with its catalogues
    identity: timeline.Identity     # the organisation's, on the year's document date
    evaluation: Evaluation | None   # the unit's saved sheet, with its scores


def scoring_sheet(office: Office, year: int, cell_id: int | None) -> ScoringSheet:
    """What the scoring sheet of a cell (None: the organisation) for ``year`` shows beyond
    the year's overview, in one read (``year_identity``): the phase, the identity on the
    year's document date (the day from the phase's own schedule of the year) and the saved
    evaluation (``evaluation``)."""
    office.require_org()
    with office.read() as session:
        phase = phase_in(session, year)
        day = _document_date(year, phase_year_of(phase, year).review_deadline)
        return ScoringSheet(phase, identity_in(session, day), evaluation_in(session, cell_id,
                                                                            year))


def catalogue_scored_years(session: Session, version: CatalogueVersion) -> list[int]:
    """The years that have scores on the items of ``version`` (they keep it)."""
    from chibo4tot_desktop.db.models import CriteriaItem, Score

    rows = session.execute(
        select(Evaluation.year).distinct()
        .join(Score, Score.evaluation_id == Evaluation.id)
        .join(CriteriaItem, CriteriaItem.id == Score.item_id)
        .join(CriteriaGroup, CriteriaGroup.id == CriteriaItem.group_id)
        .where(CriteriaGroup.version_id == version.id))
    return sorted(year for (year,) in rows)


def catalogue_use(office: Office, phase_id: int, year: int, scope) -> tuple[int, int, list[int]]:
    """The catalogue of ``scope`` in force for ``year``: (its first year, its last year, the
    years scored with it)."""
    with office.read() as session:
        phase = session.scalar(_phase_query().where(Phase.id == phase_id))
        if phase is None:
            raise NotFoundError("Không tìm thấy giai đoạn.")
        version = phase.catalogue_version(year, scope)
        later = [other.first_year for other in phase.versions
                 if other.scope == version.scope and other.first_year > version.first_year]
        last = min(later) - 1 if later else phase.last_year
        return version.first_year, last, catalogue_scored_years(session, version)


# ------------------------------------------------------------------------------- time
def year_rule_in(session: Session) -> timeline.YearRule:
    return timeline.year_rule(session.scalar(
        select(Setting.value).where(Setting.key == timeline.YEAR_RULE_KEY)))


def streak_through_merge_in(session: Session) -> bool:
    return timeline.flag(session.scalar(
        select(Setting.value).where(Setting.key == timeline.STREAK_THROUGH_MERGE_KEY)))


def cell_timeline_in(session: Session) -> timeline.CellTimeline:
    """The cells' lives and merges of the session's organisation."""
    spans = {cell_id: (started, ended) for cell_id, started, ended in session.execute(
        select(Cell.id, Cell.started_on, Cell.dissolved_on))}
    predecessors: dict[int, list[int]] = {}
    for predecessor, successor in session.execute(
            select(CellLink.predecessor_id, CellLink.successor_id).order_by(CellLink.id)):
        predecessors.setdefault(successor, []).append(predecessor)
    return timeline.CellTimeline(spans, predecessors, review_days_in(session),
                                 year_rule_in(session))


def cell_timeline(office: Office) -> timeline.CellTimeline:
    office.require_org()
    with office.read() as session:
        return cell_timeline_in(session)


def cells_in_year(office: Office, year: int) -> list[Cell]:
    """The cells that make up ``year`` (the year rule), in Vietnamese order of names."""
    office.require_org()
    with office.read() as session:
        lives = cell_timeline_in(session)
        rows = [cell for cell in session.scalars(select(Cell)) if lives.in_year(cell.id, year)]
    return sorted(rows, key=lambda cell: sort_key(cell.name))


def links(office: Office) -> list[CellLink]:
    office.require_org()
    with office.read() as session:
        return list(session.scalars(select(CellLink).order_by(CellLink.id)))


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


def recognised_years_in(session: Session) -> dict[int, set[int]]:
    rows = session.execute(
        select(Award.cell_id, Award.year)
        .where(Award.kind == AwardKind.CELL_RECOGNITION.value,
               Award.decision_number != "", Award.decision_date.is_not(None)))
    result: dict[int, set[int]] = {}
    for cell_id, year in rows:
        result.setdefault(cell_id, set()).add(year)
    return result


def recognised_years(office: Office) -> dict[int, set[int]]:
    """cell id -> the years it was recognised "Chi bộ 4 tốt" (decided awards)."""
    office.require_org()
    with office.read() as session:
        return recognised_years_in(session)


def decided_years_in(session: Session) -> set[int]:
    """The years that have at least one decision recorded (they are closed)."""
    return set(session.scalars(select(Award.year).distinct().where(
        Award.decision_number != "", Award.decision_date.is_not(None))))


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
