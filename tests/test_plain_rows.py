"""Plain rows (``db.plain``) are read on the session's connection, past the ORM's row
loading: the organisation filter and the session's pending changes must still apply."""

from __future__ import annotations

from sqlalchemy import select

from chibo4tot_desktop.db import plain
from chibo4tot_desktop.db.models import (
    Award,
    Cell,
    Evaluation,
    Organisation,
    Registration,
    Score,
)
from chibo4tot_desktop.ops import Office
from chibo4tot_desktop.reports import year_overview
from tests.test_city import city  # noqa: F401  (fixture)
from tests.test_packets import ward  # noqa: F401  (fixture)

READS = [(Cell, ()), (Registration, (Registration.year == 2023,)),
         (Evaluation, (Evaluation.year == 2023,)), (Award, (Award.year == 2023,)),
         (Score, (Score.evaluation_id.in_(select(Evaluation.id).where(Evaluation.year == 2023)),))]


def test_each_ward_reads_only_its_own_rows(city):  # noqa: F811
    with city.session() as session:
        wards = session.scalars(select(Organisation.id).order_by(Organisation.id)).all()
    assert len(wards) == 3
    for model, where in READS:
        with city.session() as session:       # no organisation: every ward's rows
            everything = {row.id for row in plain.rows(session, model, *where)}
        seen: set[int] = set()
        for ward_id in wards:
            with Office(city, ward_id).read() as session:
                own = {row.id for row in plain.rows(session, model, *where)}
                # the same rows as the ORM's own query of the ward's session
                assert own == set(session.scalars(select(model.id).where(*where)))
            assert own, model
            assert not own & seen, model
            seen |= own
        assert seen == everything, model
    for ward_id in wards:
        office = Office(city, ward_id)
        with office.read() as session:
            own_cells = set(session.scalars(select(Cell.id)))
        overview = year_overview(office, 2023)
        assert {state.cell.id for state in overview.cells} <= own_cells
        assert {award.cell_id for award in overview.awards} <= own_cells | {None}


def test_the_sessions_pending_changes_are_read(office):
    with office.write("cells") as session:
        session.add(Cell(organisation_id=office.organisation_id, code="MOI", name="Chi bộ mới"))
        assert [row.code for row in plain.rows(session, Cell)] == ["MOI"]
        session.rollback()
    with office.read() as session:
        assert plain.rows(session, Cell) == []
