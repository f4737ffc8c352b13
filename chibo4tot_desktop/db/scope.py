"""The per-organisation filter: a session that works for one organisation sees only its rows.

One database may hold several organisations (a city office holding its wards' packets; a new
ward holding the file of a ward merged into it). ``ops.Office`` marks its sessions with the
organisation's id (``session.info[ORGANISATION_ID]``); every ORM query of such a session then
gets ``WHERE organisation_id = :id`` on the organisation's own tables, including relationship
loads and ``Session.get`` - a row of another organisation is simply not there. Sessions
without the mark (the city's consolidated views, the packet importer) see everything.
"""

from __future__ import annotations

import functools

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, sessionmaker, with_loader_criteria

from chibo4tot_desktop.db.models import (
    Award,
    CatalogueVersion,
    Cell,
    CellLink,
    Evaluation,
    OrganisationIdentity,
    EvidenceFile,
    Phase,
    Registration,
    Setting,
    YearRule,
)

ORGANISATION_ID = "organisation_id"
OWNED = (Phase, Cell, CellLink, Evaluation, Award, Setting, OrganisationIdentity, EvidenceFile,
         YearRule)


def _filter(state: ORMExecuteState) -> None:
    if state.is_select and not state.is_column_load:
        state.statement = scoped(state.session, state.statement)


def scoped(session, statement):
    """``statement`` (an ORM select) with the organisation filter of ``session``: what its
    ORM queries get, for a select run on the session's connection (``db.plain``)."""
    organisation_id = session.info.get(ORGANISATION_ID)
    if organisation_id is None:
        return statement
    return statement.options(*_options(organisation_id))


@functools.lru_cache(maxsize=64)
def _options(organisation_id: int) -> tuple:
    """The criteria of one organisation (made once: building them for every query cost more
    than many of the queries themselves)."""
    options = [
        with_loader_criteria(model, lambda cls: cls.organisation_id == organisation_id,
                             include_aliases=True)
        for model in OWNED
    ]
    options.append(with_loader_criteria(
        CatalogueVersion,
        lambda cls: cls.phase_id.in_(
            select(Phase.id).where(Phase.organisation_id == organisation_id)),
        include_aliases=True))
    options.append(with_loader_criteria(
        Registration,
        lambda cls: cls.cell_id.in_(
            select(Cell.id).where(Cell.organisation_id == organisation_id)),
        include_aliases=True))
    return tuple(options)


def install(factory: sessionmaker) -> None:
    if getattr(factory, "_scope_installed", False):
        return
    event.listen(factory, "do_orm_execute", _filter)
    factory._scope_installed = True
