"""Packets received: the upper level takes in a ward's year; a ward takes in the decisions
sent down to it.

Every packet is read and checked first (``packets.read_packet``: intact, signed by a
registered sender, well-formed), then its content with the rules typed input goes through
(``ops.packet_rules``); then all of them are written in one transaction, so a refusal anywhere
writes nothing. Each ward is its own organisation (matched by its code). A newer packet of a
ward's year replaces that year's registrations, evaluations, awards and evidence - row by row
through the session, so the audit log records every deletion - except the decisions the upper
level recorded itself, which a ward's packet never overwrites; an identical or older packet is
reported and changes nothing. A decision packet goes to ``ops.decisions``.
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
    EVIDENCE,
    PACKETS,
    REGISTRATIONS,
    SETTINGS,
)
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.db.models import (
    Award,
    CatalogueVersion,
    Cell,
    CellLink,
    CriteriaGroup,
    CriteriaItem,
    DecisionSource,
    Evaluation,
    EvidenceFile,
    EvidenceTarget,
    ImportedPacket,
    Organisation,
    OrganisationIdentity,
    Phase,
    PhaseYear,
    Registration,
    Score,
    Setting,
)
from chibo4tot_desktop import rules
from chibo4tot_desktop.errors import ConflictError
from chibo4tot_desktop.ops import queries, rulebook
from chibo4tot_desktop.timeline import BEGINNING, IDENTITY_FIELDS
from chibo4tot_desktop.ops import keys as office_keys
from chibo4tot_desktop.ops.decisions import receive_decisions
from chibo4tot_desktop.ops.packet_rules import (
    attach_packet_evidence,
    content_problems,
    dependency_problems,
    refusal,
)
from chibo4tot_desktop.ops.setup import MOVED_TO_IDENTITY
from chibo4tot_desktop.packets import (
    DECIDED_FIELDS,
    DECISIONS,
    THRESHOLD_FIELDS,
    ImportOutcome,
    Packet,
    PacketError,
    read_packet,
)
from chibo4tot_desktop.progress import Progress, null_progress


def import_packets(db: Database, paths: Sequence[str | os.PathLike],
                   now: dt.datetime | None = None,
                   progress: Progress = null_progress) -> list[ImportOutcome]:
    """Check every packet, then import them all in one transaction (all or nothing; also on
    ``Cancelled`` from ``progress``, which hears of every packet read and written)."""
    keyring = office_keys.keyring(db)
    steps = 2 * len(paths)
    packets = []
    for number, path in enumerate(paths):
        progress(number, steps, "Đang đọc và kiểm tra các gói dữ liệu…")
        packets.append(read_packet(path, keyring))
    for packet in packets:
        if packet.kind != DECISIONS:
            problems = content_problems(packet.data, packet.year, packet.exported_at)
            if problems:
                raise refusal(packet, problems)
    # Several packets of one ward and year in one go: the newest wins, in the order made.
    packets.sort(key=lambda p: p.exported_at)
    now = now or dt.datetime.now().replace(microsecond=0)
    outcomes = []
    try:
        with db.transaction(PACKETS, SETTINGS, CELLS, REGISTRATIONS, EVALUATIONS,
                            AWARDS, EVIDENCE) as session:
            for number, packet in enumerate(packets, start=len(packets)):
                progress(number, steps, "Đang nhập các gói dữ liệu…")
                if packet.kind == DECISIONS:
                    outcomes.append(receive_decisions(session, packet, now))
                else:
                    outcomes.append(_import_one(session, packet, now))
            # The last report inside the transaction: a "Hủy" after it comes too late.
            progress(steps, steps)
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

    def outcome(action, notes=()):
        return ImportOutcome(packet.source, packet.organisation_code, org_data["name"],
                             packet.year, action, cells_count, tuple(notes))

    if previous is not None:
        if previous.sha256 == packet.sha256:
            return outcome("identical")
        if packet.exported_at <= previous.exported_at:
            return outcome("older")
    problems = dependency_problems(session, organisation, data, packet.year)
    if problems:
        raise refusal(packet, problems)
    for key in ("name", "upper_body", "place_name"):
        if getattr(organisation, key) != org_data[key]:
            setattr(organisation, key, org_data[key])
    _sync_identities(session, organisation, data)
    items = _sync_phase(session, organisation, data["phase"], packet.year)
    _sync_rules(session, organisation, packet.year, data)
    _sync_settings(session, organisation, data["settings"])
    cell_ids = _sync_cells(session, organisation, data["cells"], data["links"])
    kept = _replace_year(session, organisation, packet, cell_ids, items, now)
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
    notes = [f"Giữ nguyên {kept} quyết định khen thưởng do cấp trên ghi."] if kept else []
    return outcome(action, notes)


def _sync_identities(session: Session, organisation: Organisation, data: dict) -> None:
    """The ward's identity versions as the packet gives them (a packet of an older program
    has none: its organisation block becomes the only version)."""
    versions = data["identities"]
    if not versions:
        old = {field: data["settings"].get(key, "")
               for key, field in MOVED_TO_IDENTITY.items()}
        versions = [{"valid_from": BEGINNING, **{
            key: data["organisation"].get(key, old.get(key, "")) or old.get(key, "")
            for key in IDENTITY_FIELDS}}]
    existing = {row.valid_from: row for row in session.scalars(
        select(OrganisationIdentity).where(
            OrganisationIdentity.organisation_id == organisation.id))}
    for version in versions:
        row = existing.pop(version["valid_from"], None)
        if row is None:
            row = OrganisationIdentity(organisation_id=organisation.id,
                                       valid_from=version["valid_from"], name="")
            session.add(row)
        for key in IDENTITY_FIELDS:
            if getattr(row, key) != version[key]:
                setattr(row, key, version[key])
    for row in existing.values():
        session.delete(row)


def _sync_phase(session: Session, organisation: Organisation, data: dict, year: int
                ) -> dict[tuple, int]:
    """The ward's phase as in the packet (matched by first year), with the packet's year
    scored on the catalogue it carries; returns item key -> id."""
    phase = session.scalar(
        select(Phase).where(Phase.organisation_id == organisation.id,
                            Phase.first_year == data["first_year"])
        .options(selectinload(Phase.years),
                 selectinload(Phase.versions).selectinload(CatalogueVersion.groups)
                 .selectinload(CriteriaGroup.items)))
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
    session.flush()
    items: dict[tuple, int] = {}
    for scope in sorted({group["scope"] for group in data["groups"]}):
        wanted = sorted((group for group in data["groups"] if group["scope"] == scope),
                        key=lambda group: group["position"])
        version = _catalogue_of_year(session, organisation, phase, scope, year, wanted)
        items.update({(scope, group.position, item.position): item.id
                      for group in version.groups for item in group.items})
    return items


def _catalogue_of_year(session: Session, organisation: Organisation, phase: Phase,
                       scope: str, year: int, wanted: list[dict]) -> CatalogueVersion:
    """The catalogue version ``year`` is scored with, equal to the packet's: the one in force
    if it already is, else that one edited (nothing else scored with it) or a new version
    from ``year``. Other years keep theirs."""
    versions = [version for version in phase.versions if version.scope == scope]
    version = phase.catalogue_version(year, scope) if versions else None
    if version is not None and _content(version.groups) == _content(wanted):
        return version
    if version is not None:
        others = [other for other in queries.catalogue_scored_years(session, version)
                  if other != year]
        if any(other > year for other in others):
            raise PacketError(
                f"Bộ tiêu chí năm {year} trong gói của {organisation.name} khác bộ tiêu chí "
                f"các năm sau đã nhập ({', '.join(map(str, others))}); hãy nhập các gói theo "
                "thứ tự năm, không nhập gì.")
        if version.first_year == year or (not others and version.first_year <= year):
            for group in list(version.groups):
                version.groups.remove(group)
            session.flush()
            _fill(version, phase, wanted)
            session.flush()
            return version
    created = CatalogueVersion(phase_id=phase.id, scope=scope,
                               first_year=year if versions else phase.first_year)
    phase.versions.append(created)
    _fill(created, phase, wanted)
    session.flush()
    return created


def _fill(version: CatalogueVersion, phase: Phase, wanted: list[dict]) -> None:
    for group_data in wanted:
        group = CriteriaGroup(phase_id=phase.id, scope=version.scope,
                              position=group_data["position"], title=group_data["title"],
                              pass_points=group_data["pass_points"])
        for item_data in group_data["items"]:
            group.items.append(CriteriaItem(position=item_data["position"],
                                            text=item_data["text"],
                                            max_points=item_data["max_points"]))
        version.groups.append(group)


def _content(groups) -> list:
    """What a catalogue says, row ids aside (ORM groups or the packet's dicts)."""
    def get(obj, key):
        return obj[key] if isinstance(obj, dict) else getattr(obj, key)

    return [(get(group, "position"), get(group, "title"), float(get(group, "pass_points")),
             [(get(item, "position"), get(item, "text"), float(get(item, "max_points")))
              for item in (group["items"] if isinstance(group, dict) else group.items)])
            for group in groups]


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
        if key in MOVED_TO_IDENTITY:      # an older program's: now in the identity versions
            continue
        row = existing.get(key)
        if row is None:
            session.add(Setting(organisation_id=organisation.id, key=key, value=value))
        elif row.value != value:
            row.value = value


def _sync_cells(session: Session, organisation: Organisation, cells: list[dict],
                links: list[list[str]]) -> dict[str, int]:
    existing = {cell.code: cell for cell in session.scalars(
        select(Cell).where(Cell.organisation_id == organisation.id))}
    for data in cells:
        cell = existing.get(data["code"])
        if cell is None:
            cell = Cell(organisation_id=organisation.id, code=data["code"])
            session.add(cell)
            existing[data["code"]] = cell
        for key in ("name", "kind", "secretary", "members_count", "is_pilot", "started_on",
                    "dissolved_on"):
            if getattr(cell, key) != data.get(key):
                setattr(cell, key, data.get(key))
    session.flush()
    ids = {code: cell.id for code, cell in existing.items()}
    have = {(row.predecessor_id, row.successor_id): row for row in session.scalars(
        select(CellLink).where(CellLink.organisation_id == organisation.id))}
    for predecessor, successor in links:
        pair = (ids[predecessor], ids[successor])
        if have.pop(pair, None) is None:
            session.add(CellLink(organisation_id=organisation.id, predecessor_id=pair[0],
                                 successor_id=pair[1]))
    for row in have.values():
        session.delete(row)
    return ids


def _replace_year(session: Session, organisation: Organisation, packet: Packet,
                  cell_ids: dict[str, int], items: dict[tuple, int], now: dt.datetime) -> int:
    """The year's registrations, evaluations, awards and evidence become exactly the packet's,
    except the decisions recorded here (by the upper level itself): those awards stay, with
    their decision and its scans. Returns how many such decisions were kept."""
    year, data = packet.year, packet.data
    org_cells = select(Cell.id).where(Cell.organisation_id == organisation.id)
    awards = list(session.scalars(select(Award).where(Award.organisation_id == organisation.id,
                                                      Award.year == year)))
    kept = {(award.cell_id, award.kind): award for award in awards
            if award.decision_source == DecisionSource.TYPED.value and award.is_decided}
    # Deleted row by row through the session, so the audit log records every one.
    doomed = [
        *session.scalars(select(Registration).where(Registration.year == year,
                                                    Registration.cell_id.in_(org_cells))),
        *session.scalars(select(Evaluation).where(Evaluation.organisation_id == organisation.id,
                                                  Evaluation.year == year)
                         .options(selectinload(Evaluation.scores))),
        *(award for award in awards if (award.cell_id, award.kind) not in kept),
        *session.scalars(select(EvidenceFile).where(
            EvidenceFile.award_id.in_([award.id for award in kept.values()]),
            EvidenceFile.target == EvidenceTarget.PROPOSAL.value)),
    ]
    for row in doomed:
        session.delete(row)
    session.flush()
    records: dict[tuple, int] = {}
    for row in data["registrations"]:
        commitments = row["commitments"]
        registration = Registration(
            cell_id=cell_ids[row["cell"]], year=year, title=row["title"] or "Chi bộ 4 tốt",
            received_on=row["received_on"], members_count=row["members_count"],
            commitment_1=commitments[0], commitment_2=commitments[1],
            commitment_3=commitments[2], commitment_4=commitments[3],
            signer=row["signer"], source=row["source"])
        session.add(registration)
        records[("registration", row["cell"], None)] = registration
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
        records[("evaluation", row["cell"], None)] = evaluation
    for row in data["awards"]:
        cell_id = cell_ids[row["cell"]] if row["cell"] is not None else None
        award = kept.get((cell_id, row["kind"]))
        if award is not None:
            # The upper level's decision stands; the ward's proposal details follow the packet.
            for key in ("proposed_on", "notes"):
                if getattr(award, key) != row[key]:
                    setattr(award, key, row[key])
        else:
            award = Award(
                organisation_id=organisation.id, cell_id=cell_id, year=year, kind=row["kind"],
                proposed_on=row["proposed_on"], decision_number=row["decision_number"],
                decision_date=row["decision_date"], issuer=row["issuer"],
                register_number=row["register_number"], notes=row["notes"],
                decision_place=row["decision_place"], signer_title=row["signer_title"],
                signer_name=row["signer_name"], decision_source=DecisionSource.WARD.value,
                **{key: row.get(key) for key in DECIDED_FIELDS})
            session.add(award)
        records[("proposal", row["cell"], row["kind"])] = award
        records[("decision", row["cell"], row["kind"])] = award
    session.flush()
    attach_packet_evidence(session, organisation.id, packet, records, skip_existing=True)
    session.flush()
    return len(kept)
