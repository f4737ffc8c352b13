"""Decisions sent down: a ward takes in the decisions its upper level recorded.

The upper level makes a decision packet (``packets.export_decisions``: numbers, dates, issuer,
register numbers and the scans) signed with its key; the ward registered that key once. Here,
inside the import's one transaction, each decision is recorded on the ward's own award with
the rules of the decision dialog (``ops.awards``: number, date and issuer together, not
before the proposal, register numbers unique), marked as coming from above
(``DecisionSource.UPPER``, with the time its packet was made), and its scans attached. A
proposal the ward no longer has is recreated: the decision made above stands. A decision
already received from a newer packet is not replaced by an older one, and the ward cannot
edit a decision made above (``ops.awards``); the next packet from above may.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from chibo4tot_desktop.db.models import (
    Award,
    Cell,
    DecisionSource,
    ImportedPacket,
    Organisation,
)
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops.awards import _decide, _decision_values
from chibo4tot_desktop.ops.packet_rules import attach_packet_evidence, decision_problems
from chibo4tot_desktop.packets import ImportOutcome, Packet, PacketError


def _refuse(packet: Packet, why: str) -> PacketError:
    return PacketError(f"Gói quyết định '{packet.source}' bị từ chối: {why}; không nhập gì.")


def receive_decisions(session: Session, packet: Packet, now: dt.datetime) -> ImportOutcome:
    organisation = session.scalar(select(Organisation).where(
        Organisation.code == packet.organisation_code))
    if organisation is None:
        raise _refuse(packet, f"gói gửi cho đảng bộ mã '{packet.organisation_code}' "
                              f"({packet.organisation_name}), không có trong tệp dữ liệu này")
    received = session.scalar(select(ImportedPacket.id).where(
        ImportedPacket.organisation_id == organisation.id).limit(1))
    if received is not None:
        raise _refuse(packet, f"{organisation.name} trong tệp này là dữ liệu nhận từ cấp "
                              "dưới; quyết định chỉ nhập vào tệp của chính đảng bộ đó")
    cells = {cell.code: cell for cell in session.scalars(
        select(Cell).where(Cell.organisation_id == organisation.id))}
    latest = packet.exported_at.date() + dt.timedelta(days=1)
    applied, unchanged, older = 0, 0, 0
    records: dict[tuple, Award] = {}
    for row in packet.data["decisions"]:
        unit = "đảng bộ" if row["cell"] is None else f"chi bộ {row['cell']}"
        if row["cell"] is not None and row["cell"] not in cells:
            raise _refuse(packet, f"không có chi bộ mã '{row['cell']}' trong tệp dữ liệu này")
        problems = decision_problems(row, latest)
        if problems:
            raise _refuse(packet, f"quyết định của {unit}: {problems[0]}")
        cell_id = cells[row["cell"]].id if row["cell"] is not None else None
        award = session.scalar(select(Award).where(
            Award.organisation_id == organisation.id, Award.year == packet.year,
            Award.kind == row["kind"],
            Award.cell_id.is_(None) if cell_id is None else Award.cell_id == cell_id))
        if award is None:
            award = Award(organisation_id=organisation.id, cell_id=cell_id, year=packet.year,
                          kind=row["kind"], proposed_on=row["proposed_on"], notes=row["notes"])
            session.add(award)
            session.flush()
        elif award.decision_source == DecisionSource.UPPER.value and \
                award.decision_packet_at is not None and \
                award.decision_packet_at >= packet.exported_at:
            older += award.decision_packet_at > packet.exported_at
            unchanged += award.decision_packet_at == packet.exported_at
            continue
        try:
            number, date, issuer = _decision_values(row["decision_number"],
                                                    row["decision_date"], row["issuer"])
            _decide(session, award, number, date, issuer, row["register_number"])
        except ValidationError as error:
            raise _refuse(packet, f"quyết định của {unit}: "
                                  f"{str(error).rstrip('.')[:1].lower()}"
                                  f"{str(error).rstrip('.')[1:]}") from None
        award.decision_source = DecisionSource.UPPER.value
        award.decision_packet_at = packet.exported_at
        session.flush()
        records[("decision", row["cell"], row["kind"])] = award
        applied += 1
    attach_packet_evidence(session, organisation.id, packet, records, skip_existing=True)
    notes = []
    if unchanged:
        notes.append(f"{unchanged} quyết định đã nhận đúng gói này, không đổi.")
    if older:
        notes.append(f"{older} quyết định đã có bản mới hơn, không đổi.")
    return ImportOutcome(packet.source, organisation.code, organisation.name, packet.year,
                         "decisions", applied, tuple(notes))
