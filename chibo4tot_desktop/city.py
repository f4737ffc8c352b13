"""The city's view over the wards imported from packets: results by ward, the share of
"Chi bộ 4 tốt" per ward, and the consolidated proposal list across wards.

Every verdict is computed by the same rules as at the ward (``reports.year_overview`` with
each ward's own phase settings), never stored; wards are the Organisations of the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import AwardKind, DecisionSource, ImportedPacket, Organisation
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.text import sort_key

KIND_ORDER = {AwardKind.ORG_RECOGNITION.value: 0, AwardKind.CELL_RECOGNITION.value: 1,
              AwardKind.MERIT.value: 2}


@dataclass(frozen=True)
class WardResult:
    """One ward's year in numbers."""

    ward_code: str
    ward_name: str
    cells: int            # cells taking part in the year
    registered: int
    scored: int
    qualifying: int       # "Chi bộ 4 tốt" by the rules
    proposed: int         # proposals for "Chi bộ 4 tốt"
    recognised: int       # decided "Chi bộ 4 tốt" awards
    organisation_verdict: str

    @property
    def share(self) -> float | None:
        """Share of the ward's cells that reach "Chi bộ 4 tốt" (None without cells)."""
        return self.qualifying / self.cells if self.cells else None

    @property
    def share_text(self) -> str:
        share = self.share
        return "–" if share is None else f"{share * 100:.1f}".replace(".", ",") + "%"


@dataclass(frozen=True)
class ProposalRow:
    """One proposal (đề nghị) of the year, with the cell's scores and verdict."""

    ward_code: str
    ward_name: str
    cell_code: str            # "" for the ward itself
    recipient: str            # the cell's name, or the ward's for "Đảng bộ cơ sở 4 tốt"
    kind: str
    kind_label: str
    members: int | None
    self_total: float | None
    committee_total: float | None
    classification: str       # "HTXSNV" ... or ""
    verdict: str              # "Đạt" / "Không đạt" / "Chưa chấm đủ" / "Chưa chấm"
    consecutive_years: int
    proposed_on: dt.date | None
    decision_number: str
    decision_date: dt.date | None
    register_number: str
    organisation_id: int = 0
    award_id: int = 0
    award_version: int = 0
    decided_here: bool = False    # recorded in this database (by the upper level itself)

    @property
    def decided(self) -> bool:
        return bool(self.decision_number) and self.decision_date is not None


def wards(db: Database) -> list[Organisation]:
    """Every organisation in the database, in Vietnamese order of their names."""
    with db.session() as session:
        rows = list(session.scalars(select(Organisation)))
    return sorted(rows, key=lambda org: sort_key(org.name))


def latest_packet_year(db: Database) -> int | None:
    """The newest year any ward's packet covers (the city tab opens on it)."""
    with db.session() as session:
        return session.scalar(select(func.max(ImportedPacket.year)))


def _ward_overviews(db: Database, year: int):
    """(organisation, overview) of the wards with data for ``year``: a ward that came by
    packets counts for the years of its packets only; one typed in here (no packet) for every
    year of its phases."""
    with db.session() as session:
        packet_years: dict[int, set[int]] = {}
        for organisation_id, packet_year in session.execute(
                select(ImportedPacket.organisation_id, ImportedPacket.year)):
            packet_years.setdefault(organisation_id, set()).add(packet_year)
    for organisation in wards(db):
        if organisation.id in packet_years and year not in packet_years[organisation.id]:
            continue
        office = Office(db, organisation.id)
        try:
            overview = year_overview(office, year)
        except UserError:      # the ward has no phase for this year
            continue
        yield organisation, overview


def results_by_ward(db: Database, year: int) -> list[WardResult]:
    results = []
    for organisation, overview in _ward_overviews(db, year):
        counts = overview.counts
        results.append(WardResult(
            ward_code=organisation.code, ward_name=organisation.name,
            cells=counts["active"], registered=counts["registered"],
            scored=counts["scored"], qualifying=counts["qualifying"],
            proposed=counts["proposed"], recognised=overview.count("recognised"),
            organisation_verdict=overview.organisation_result.verdict.label))
    return results


def consolidated_proposals(db: Database, year: int) -> list[ProposalRow]:
    """Every ward's proposals of the year: by ward (Vietnamese order), then kind, then cell."""
    rows = []
    for organisation, overview in _ward_overviews(db, year):
        for award in overview.organisation_awards:
            result = overview.organisation_result
            rows.append(_row(organisation, award, "", organisation.name, None, result,
                             result.evaluation is not None, 0))
        for state in overview.cells:
            for award in state.awards:
                rows.append(_row(organisation, award, state.cell.code, state.cell.name,
                                 state.cell.members_count, state.result, state.evaluated,
                                 state.consecutive_years))
    rows.sort(key=lambda row: (sort_key(row.ward_name), row.ward_code,
                               KIND_ORDER.get(row.kind, 9), sort_key(row.recipient)))
    return rows


def _row(organisation, award, cell_code, recipient, members, result, evaluated,
         consecutive) -> ProposalRow:
    committee = result.committee_totals
    self_totals = result.self_totals
    classification = result.classification.value if (
        evaluated and committee.complete and result.classification) else ""
    return ProposalRow(
        ward_code=organisation.code, ward_name=organisation.name, cell_code=cell_code,
        recipient=recipient, kind=award.kind, kind_label=AwardKind(award.kind).label,
        members=members,
        self_total=self_totals.total if evaluated and self_totals.complete else None,
        committee_total=committee.total if evaluated and committee.complete else None,
        classification=classification,
        verdict=result.verdict.label if evaluated else "Chưa chấm",
        consecutive_years=consecutive, proposed_on=award.proposed_on,
        decision_number=award.decision_number, decision_date=award.decision_date,
        register_number=award.register_number, organisation_id=organisation.id,
        award_id=award.id, award_version=award.version,
        decided_here=award.decision_source == DecisionSource.TYPED.value)


def points_text(value: float | None) -> str:
    return rules.fmt_points(value)
