"""Packets received from the wards: the city's database takes in a ward's year.

Every packet is read and checked first (``packets.read_packet``); then all of them are
written in one transaction, so a refusal anywhere writes nothing. Each ward is its own
organisation (matched by its code). A newer packet of a ward's year replaces that year's
registrations, evaluations and awards - row by row through the session, so the audit log
records every deletion; an identical or older one is reported and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop.db.changes import (
    AWARDS,
    CELLS,
    EVALUATIONS,
    PACKETS,
    REGISTRATIONS,
    SETTINGS,
)
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    Award,
    Cell,
    CriteriaGroup,
    CriteriaItem,
    Evaluation,
    ImportedPacket,
    Organisation,
    Phase,
    PhaseYear,
    Registration,
    Score,
    Setting,
)
from chibo4tot_desktop import rules
from chibo4tot_desktop.errors import ConflictError
from chibo4tot_desktop.ops import rulebook
from chibo4tot_desktop.packets import (
    THRESHOLD_FIELDS,
    ImportOutcome,
    Packet,
    PacketError,
    read_packet,
)


def import_packets(db: Database, paths: Sequence[str | os.PathLike],
                   now: dt.datetime | None = None) -> list[ImportOutcome]:
    """Check every packet, then import them all in one transaction (all or nothing)."""
    packets = [read_packet(path) for path in paths]
    # Several packets of one ward and year in one go: the newest wins, in the order made.
    packets.sort(key=lambda p: p.exported_at)
    now = now or dt.datetime.now().replace(microsecond=0)
    outcomes = []
    try:
        with db.transaction(PACKETS, SETTINGS, CELLS, REGISTRATIONS, EVALUATIONS,
                            AWARDS) as session:
            for packet in packets:
                outcomes.append(_import_one(session, packet, now))
    except IntegrityError:
        # Another person imported the same ward at the same moment.
        raise ConflictError("Gói dữ liệu của đảng bộ này vừa được người khác nhập cùng lúc; "
                            "chưa nhập gì, hãy thử lại.") from None
    return outcomes


def _import_one(session: Session, packet: Packet, now: dt.datetime) -> ImportOutcome:
    data = packet.data
    org_data = data["organisation"]
    organisation = session.scalar(select(Organisation).where(
        Organisation.code == packet.organisation_code))
    previous = None
    if organisation is None:
        organisation = Organisation(code=org_data["code"], name=org_data["name"],
                                    upper_body=org_data["upper_body"],
                                    place_name=org_data["place_name"])
        session.add(organisation)
        session.flush()
    else:
        packet_years = {row.year: row for row in session.scalars(select(ImportedPacket).where(
            ImportedPacket.organisation_id == organisation.id))}
        if not packet_years:
            # Typed in here, not received by packets (e.g. the ward's own file): a packet
            # must never overwrite it.
            raise PacketError(
                f"{organisation.name} ({organisation.code}) trong cơ sở dữ liệu này được nhập "
                "trực tiếp, không phải từ gói dữ liệu; không ghi đè, không nhập gì.")
        previous = packet_years.get(packet.year)
    cells_count = len(data["cells"])

    def outcome(action):
        return ImportOutcome(packet.source, packet.organisation_code, org_data["name"],
                             packet.year, action, cells_count)

    if previous is not None:
        if previous.sha256 == packet.sha256:
            return outcome("identical")
        if packet.exported_at <= previous.exported_at:
            return outcome("older")
    for key in ("name", "upper_body", "place_name"):
        if getattr(organisation, key) != org_data[key]:
            setattr(organisation, key, org_data[key])
    items = _sync_phase(session, organisation, data["phase"])
    _sync_rules(session, organisation, packet.year, data)
    _sync_settings(session, organisation, data["settings"])
    cell_ids = _sync_cells(session, organisation, data["cells"])
    _replace_year(session, organisation, packet.year, data, cell_ids, items)
    if previous is None:
        session.add(ImportedPacket(organisation_id=organisation.id, year=packet.year,
                                   exported_at=packet.exported_at, sha256=packet.sha256,
                                   imported_at=now, file_name=packet.source[:300]))
        action = "new"
    else:
        previous.exported_at = packet.exported_at
        previous.sha256 = packet.sha256
        previous.imported_at = now
        previous.file_name = packet.source[:300]
        action = "updated"
    session.flush()
    return outcome(action)


def _sync_phase(session: Session, organisation: Organisation, data: dict
                ) -> dict[tuple, int]:
    """The ward's phase as in the packet (matched by first year); returns item key -> id."""
    phase = session.scalar(
        select(Phase).where(Phase.organisation_id == organisation.id,
                            Phase.first_year == data["first_year"])
        .options(selectinload(Phase.years),
                 selectinload(Phase.groups).selectinload(CriteriaGroup.items)))
    if phase is None:
        overlapping = session.scalar(select(Phase.id).where(
            Phase.organisation_id == organisation.id,
            Phase.first_year <= data["last_year"], Phase.last_year >= data["first_year"]))
        if overlapping is not None:
            raise PacketError(f"Giai đoạn {data['first_year']} - {data['last_year']} trong gói "
                              f"của {organisation.name} chồng lên giai đoạn khác đã nhập; "
                              "không nhập gì.")
        phase = Phase(organisation_id=organisation.id, first_year=data["first_year"],
                      last_year=data["last_year"], title=data["title"])
        session.add(phase)
    for key in ("title", "plan_reference", "last_year"):
        if getattr(phase, key) != data[key]:
            setattr(phase, key, data[key])
    years = {item.year: item for item in phase.years}
    for item in data["years"]:
        row = years.pop(item["year"], None)
        if row is None:
            row = PhaseYear(year=item["year"])
            phase.years.append(row)
        for key in ("launch_date", "registration_deadline", "review_deadline"):
            if getattr(row, key) != item[key]:
                setattr(row, key, item[key])
    for row in years.values():
        phase.years.remove(row)
    groups = {(group.scope, group.position): group for group in phase.groups}
    for group_data in data["groups"]:
        group = groups.pop((group_data["scope"], group_data["position"]), None)
        if group is None:
            group = CriteriaGroup(scope=group_data["scope"], position=group_data["position"],
                                  title=group_data["title"])
            phase.groups.append(group)
        for key in ("title", "pass_points"):
            if getattr(group, key) != group_data[key]:
                setattr(group, key, group_data[key])
        items = {item.position: item for item in group.items}
        for item_data in group_data["items"]:
            item = items.pop(item_data["position"], None)
            if item is None:
                item = CriteriaItem(position=item_data["position"], text=item_data["text"],
                                    max_points=item_data["max_points"])
                group.items.append(item)
            for key in ("text", "max_points"):
                if getattr(item, key) != item_data[key]:
                    setattr(item, key, item_data[key])
        for item in items.values():
            group.items.remove(item)
    for group in groups.values():
        phase.groups.remove(group)
    session.flush()
    return {(group.scope, group.position, item.position): item.id
            for group in phase.groups for item in group.items}


def _sync_rules(session: Session, organisation: Organisation, year: int, data: dict) -> None:
    """The rules of the packet's year as the ward has them; a packet of an older program
    carries only its phase's thresholds: the year's defaults take the rest."""
    phase = data["phase"]
    row = rulebook.row_in(session, year, organisation.id)
    if row is None:
        review = next((item["review_deadline"] for item in phase["years"]
                       if item["year"] == year), None)
        row = rulebook.default_row(organisation.id, year, review)
        session.add(row)
    given = data.get("rules")
    if given is None:
        values = {rule: phase[key] for key, rule in THRESHOLD_FIELDS.items()}
        sources = None
        conditions = None
    else:
        values = {key: given[key] for key in rules.RULE_FIELD_KEYS}
        sources = rulebook.sources_json(given["sources"])
        conditions = rulebook.conditions_json(given["excellent_conditions"])
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    if sources is not None and row.sources != sources:
        row.sources = sources
    if conditions is not None and row.excellent_conditions != conditions:
        row.excellent_conditions = conditions


def _sync_settings(session: Session, organisation: Organisation, values: dict) -> None:
    existing = {row.key: row for row in session.scalars(
        select(Setting).where(Setting.organisation_id == organisation.id))}
    for key, value in values.items():
        row = existing.get(key)
        if row is None:
            session.add(Setting(organisation_id=organisation.id, key=key, value=value))
        elif row.value != value:
            row.value = value


def _sync_cells(session: Session, organisation: Organisation, cells: list[dict]
                ) -> dict[str, int]:
    existing = {cell.code: cell for cell in session.scalars(
        select(Cell).where(Cell.organisation_id == organisation.id))}
    for data in cells:
        cell = existing.get(data["code"])
        if cell is None:
            cell = Cell(organisation_id=organisation.id, code=data["code"])
            session.add(cell)
            existing[data["code"]] = cell
        for key in ("name", "kind", "secretary", "members_count", "is_pilot", "dissolved_on"):
            if getattr(cell, key) != data[key]:
                setattr(cell, key, data[key])
    session.flush()
    return {code: cell.id for code, cell in existing.items()}


def _replace_year(session: Session, organisation: Organisation, year: int, data: dict,
                  cell_ids: dict[str, int], items: dict[tuple, int]) -> None:
    """The year's registrations, evaluations and awards become exactly the packet's."""
    org_cells = select(Cell.id).where(Cell.organisation_id == organisation.id)
    # Deleted row by row through the session, so the audit log records every one.
    doomed = [
        *session.scalars(select(Registration).where(Registration.year == year,
                                                    Registration.cell_id.in_(org_cells))),
        *session.scalars(select(Evaluation).where(Evaluation.organisation_id == organisation.id,
                                                  Evaluation.year == year)
                         .options(selectinload(Evaluation.scores))),
        *session.scalars(select(Award).where(Award.organisation_id == organisation.id,
                                             Award.year == year)),
    ]
    for row in doomed:
        session.delete(row)
    session.flush()
    for row in data["registrations"]:
        commitments = row["commitments"]
        session.add(Registration(
            cell_id=cell_ids[row["cell"]], year=year, title=row["title"] or "Chi bộ 4 tốt",
            received_on=row["received_on"], members_count=row["members_count"],
            commitment_1=commitments[0], commitment_2=commitments[1],
            commitment_3=commitments[2], commitment_4=commitments[3],
            signer=row["signer"], source=row["source"]))
    for row in data["evaluations"]:
        evaluation = Evaluation(
            organisation_id=organisation.id,
            cell_id=cell_ids[row["cell"]] if row["cell"] is not None else None, year=year,
            notes=row["notes"], disciplined_members=row["disciplined_members"],
            classification=row["classification"],
            classification_reason=row["classification_reason"],
            conditions_met=json.dumps(row["conditions_met"], ensure_ascii=False))
        for score in row["scores"]:
            evaluation.scores.append(Score(item_id=items[tuple(score["item"])],
                                           self_points=score["self_points"],
                                           committee_points=score["committee_points"]))
        session.add(evaluation)
    for row in data["awards"]:
        session.add(Award(
            organisation_id=organisation.id,
            cell_id=cell_ids[row["cell"]] if row["cell"] is not None else None, year=year,
            kind=row["kind"], proposed_on=row["proposed_on"],
            decision_number=row["decision_number"], decision_date=row["decision_date"],
            issuer=row["issuer"], register_number=row["register_number"], notes=row["notes"]))
    session.flush()
