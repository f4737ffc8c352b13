"""A received packet's content, checked with the rules typed input goes through.

``packets.read_packet`` checks that a packet is intact, signed by a registered sender and
well-formed. Here its values meet the office's own rules before ``ops.exchange`` writes
anything:

- ``content_problems``: every value as if it were typed: the catalogue adds up to 100 with
  group thresholds within their groups (``setup.check_catalogue``), thresholds and bands
  (``setup.phase_value``, ``check_bands``), the calendar (``check_year_dates``), cells
  (``cells.cell_values``, unique codes and names), registrations of cells that take part
  that year (``registrations.registration_values``), scores within their item's maximum
  (``checks.points``), disciplined members within the cell's members, whole decisions
  (``awards`` rules: number, date, issuer, not before the proposal), register numbers
  unique, and no date after the packet was made.
- ``dependency_problems``: a packet carries one year, so it may not change what the other
  years already received depend on: the phase's thresholds and catalogue (removing an item
  would delete the other years' scores with it), those years' calendar, a cell's
  dissolution before a year in which it has records, a register number another year uses.

Each returns Vietnamese sentences; ``ops.exchange`` refuses the packet with the first ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from chibo4tot_desktop import evidence as evidence_files
from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.models import (
    Award,
    AwardKind,
    Cell,
    Evaluation,
    EvidenceTarget,
    Organisation,
    Phase,
    Registration,
    Scope,
)
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import checks
from chibo4tot_desktop.ops.awards import _decision_values
from chibo4tot_desktop.ops.cells import cell_values
from chibo4tot_desktop.ops.evidence import DuplicateEvidence, link, store_blob
from chibo4tot_desktop.ops.registrations import registration_values
from chibo4tot_desktop.ops.setup import (
    YearDates,
    check_bands,
    check_catalogue,
    check_year_dates,
    phase_value,
)
from chibo4tot_desktop.packets import Packet, PacketError

SHOWN_PROBLEMS = 3
THRESHOLDS = ("overall_pass", "band_excellent", "band_good", "band_pass",
              "min_classification", "max_disciplined", "org_cell_share", "excellent_share_cap")
PHASE_WIDE = ("title", "plan_reference", "last_year", *THRESHOLDS)


@dataclass(frozen=True)
class _Item:
    label: str
    max_points: float


def _message(error: ValidationError) -> str:
    return str(error).rstrip(".")


class _Problems(list):
    def check(self, where: str, action) -> object:
        try:
            return action()
        except ValidationError as error:
            self.append(f"{where}: {_message(error)}")
            return None


def content_problems(data: dict, year: int, exported_at: dt.datetime) -> list[str]:
    """Every value of a year packet checked as typed input would be."""
    problems = _Problems()
    latest = exported_at.date() + dt.timedelta(days=1)
    phase = data["phase"]
    problems.check("giai đoạn", lambda: [phase_value(key, phase[key])
                                         for key in ("title", "plan_reference", *THRESHOLDS)])
    problems.check("giai đoạn", lambda: check_bands(phase["band_excellent"],
                                                    phase["band_good"], phase["band_pass"]))
    for row in phase["years"]:
        problems.check(f"lịch năm {row['year']}", lambda row=row: check_year_dates(
            row["year"], YearDates(row["launch_date"], row["registration_deadline"],
                                   row["review_deadline"])))
    items: dict[tuple, _Item] = {}
    for scope in Scope:
        groups = sorted((g for g in phase["groups"] if g["scope"] == scope.value),
                        key=lambda g: g["position"])
        where = "bộ tiêu chí của " + ("chi bộ" if scope is Scope.CELL else "đảng bộ")
        if not groups:
            problems.append(f"{where}: chưa có nhóm tiêu chí nào")
            continue
        problems.check(where, lambda groups=groups: check_catalogue(groups))
        for group in groups:
            for item in group["items"]:
                items[(scope.value, group["position"], item["position"])] = _Item(
                    f"{group['position']}.{item['position']}", item["max_points"])

    cells = {}
    names = set()
    for row in data["cells"]:
        where = f"chi bộ {row['code']}"
        problems.check(where, lambda row=row: cell_values(
            {key: row[key] for key in ("code", "name", "kind", "secretary", "members_count",
                                       "is_pilot")}))
        if row["name"].casefold() in names:
            problems.append(f"{where}: tên chi bộ '{row['name']}' trùng với chi bộ khác")
        names.add(row["name"].casefold())
        cells[row["code"]] = row

    # A cell belongs to the year by the ward's own year rule (timeline.in_year), as at home.
    rule = timeline.year_rule(data["settings"].get(timeline.YEAR_RULE_KEY))
    review_day = next((row["review_deadline"] for row in data["phase"]["years"]
                       if row["year"] == year), None)

    def active(code: str) -> bool:
        cell = cells[code]
        return timeline.in_year(cell.get("started_on"), cell["dissolved_on"], year, rule,
                                review_day)

    for row in data["registrations"]:
        where = f"bản đăng ký của chi bộ {row['cell']}"
        commitments = row["commitments"]
        problems.check(where, lambda row=row, commitments=commitments: registration_values({
            "title": row["title"] or "Chi bộ 4 tốt", "received_on": row["received_on"],
            "members_count": row["members_count"], "signer": row["signer"],
            **{f"commitment_{n + 1}": commitments[n] for n in range(4)}}))
        if not active(row["cell"]):
            problems.append(f"{where}: chi bộ không thuộc năm {year} (chưa thành lập hoặc đã "
                            "kết thúc hoạt động), không đăng ký năm đó được")
        if row["received_on"] > latest:
            problems.append(f"{where}: ngày nhận {row['received_on']:%d/%m/%Y} sau ngày tạo gói")
    for row in data["evaluations"]:
        where = "phiếu chấm của " + (f"chi bộ {row['cell']}" if row["cell"] else "đảng bộ")
        problems.check(where, lambda row=row: checks.count(
            row["disciplined_members"], "Số đảng viên bị kỷ luật", "disciplined_members"))
        if row["cell"] is not None:
            members = cells[row["cell"]]["members_count"]
            if members and row["disciplined_members"] > members:
                problems.append(f"{where}: số đảng viên bị kỷ luật ({row['disciplined_members']})"
                                f" lớn hơn số đảng viên của chi bộ ({members})")
        for score in row["scores"]:
            item = items.get(tuple(score["item"]))
            if item is None:
                continue      # the shape check already refused unknown items
            for key, who in (("self_points", "chi bộ tự chấm"),
                             ("committee_points", "Đảng ủy chấm")):
                problems.check(where, lambda score=score, key=key, who=who, item=item:
                               checks.points(score[key], item, who))
    registers: dict[str, str] = {}
    for row in data["awards"]:
        kind = AwardKind(row["kind"])
        where = f"khen thưởng ({kind.label}) của " + (f"chi bộ {row['cell']}" if row["cell"]
                                                      else "đảng bộ")
        if (kind is AwardKind.ORG_RECOGNITION) != (row["cell"] is None):
            problems.append(f"{where}: hình thức không hợp với đơn vị")
        problems.extend(f"{where}: {text}" for text in decision_problems(row, latest))
        register = row["register_number"]
        if register:
            if register in registers:
                problems.append(f"{where}: số sổ '{register}' trùng với {registers[register]}")
            registers[register] = where
    return list(problems)


def decision_problems(row: dict, latest: dt.date) -> list[str]:
    """A decision as the decision dialog would take it (number, date and issuer together,
    not before the proposal, not after the packet was made); empty for a proposal only."""
    if not (row["decision_number"] or row["decision_date"] or row["register_number"]):
        return []
    problems = _Problems()
    problems.check("quyết định", lambda: _decision_values(row["decision_number"],
                                                         row["decision_date"], row["issuer"]))
    date = row["decision_date"]
    if date is not None and row["proposed_on"] is not None and date < row["proposed_on"]:
        problems.append(f"ngày quyết định {date:%d/%m/%Y} trước ngày đề nghị "
                        f"{row['proposed_on']:%d/%m/%Y}")
    if date is not None and date > latest:
        problems.append(f"ngày quyết định {date:%d/%m/%Y} sau ngày tạo gói")
    return [text.removeprefix("quyết định: ") for text in problems]


# ------------------------------------------------------------------------ other years
def _years_with_records(session: Session, organisation: Organisation, first: int,
                        last: int) -> dict[int, set[int | None]]:
    """year -> the cells (None for the organisation) with records that year."""
    found: dict[int, set[int | None]] = {}
    queries = (
        select(Registration.year, Registration.cell_id).join(Cell)
        .where(Cell.organisation_id == organisation.id),
        select(Evaluation.year, Evaluation.cell_id)
        .where(Evaluation.organisation_id == organisation.id),
        select(Award.year, Award.cell_id).where(Award.organisation_id == organisation.id),
    )
    for query in queries:
        for year, cell_id in session.execute(query):
            if first <= year <= last:
                found.setdefault(year, set()).add(cell_id)
    return found


def dependency_problems(session: Session, organisation: Organisation, data: dict,
                        year: int) -> list[str]:
    """What a year packet would change that other years of the same ward depend on."""
    phase_data = data["phase"]
    phase = session.scalar(
        select(Phase).where(Phase.organisation_id == organisation.id,
                            Phase.first_year == phase_data["first_year"])
        .options(selectinload(Phase.years)))
    problems: list[str] = []
    if phase is not None:
        records = _years_with_records(session, organisation, phase.first_year,
                                      max(phase.last_year, phase_data["last_year"]))
        others = sorted(y for y in records if y != year)
        if others:
            years_text = ", ".join(str(y) for y in others)
            # The catalogue is not compared: a packet's catalogue is its year's, and other
            # years keep the version they were scored with (exchange._catalogue_of_year).
            changed = [key for key in PHASE_WIDE if getattr(phase, key) != phase_data[key]]
            if changed:
                problems.append(
                    f"gói năm {year} thay đổi phần chung của giai đoạn ({', '.join(changed)}) "
                    f"mà dữ liệu năm {years_text} đã nhận đang dựa vào; một gói của một năm "
                    "không được thay đổi các năm khác")
            packet_years = {row["year"]: row for row in phase_data["years"]}
            for row in phase.years:
                if row.year not in others:
                    continue
                other = packet_years.get(row.year)
                if other is None or (other["launch_date"], other["registration_deadline"],
                                     other["review_deadline"]) != (
                        row.launch_date, row.registration_deadline, row.review_deadline):
                    problems.append(f"gói năm {year} thay đổi lịch thi đua năm {row.year} "
                                    "đã nhận")
        cells = {cell.code: cell for cell in session.scalars(
            select(Cell).where(Cell.organisation_id == organisation.id))}
        for row in data["cells"]:
            cell = cells.get(row["code"])
            dissolved = row["dissolved_on"]
            if cell is None or dissolved is None or dissolved == cell.dissolved_on:
                continue
            used = sorted(y for y, ids in records.items()
                          if y != year and cell.id in ids and y >= dissolved.year)
            if used:
                problems.append(f"gói năm {year} ghi chi bộ {row['code']} giải thể ngày "
                                f"{dissolved:%d/%m/%Y}, trong khi chi bộ có hồ sơ năm "
                                f"{', '.join(str(y) for y in used)} đã nhận")
    registers = [row["register_number"] for row in data["awards"] if row["register_number"]]
    if registers:
        clashes = session.execute(select(Award.register_number, Award.year).where(
            Award.organisation_id == organisation.id, Award.year != year,
            or_(*(Award.register_number == value for value in registers)))).all()
        problems.extend(f"số sổ '{number}' đã dùng cho khen thưởng năm {other}"
                        for number, other in clashes)
    return problems


# ------------------------------------------------------------------------- refusing
def refusal(packet: Packet, problems: list[str]) -> PacketError:
    """The packet refused for ``problems`` (the first few named, and how many more)."""
    shown = "; ".join(problems[:SHOWN_PROBLEMS])
    more = f" (và {len(problems) - SHOWN_PROBLEMS} lỗi khác)" if len(problems) > SHOWN_PROBLEMS \
        else ""
    return PacketError(f"Gói dữ liệu '{packet.source}' bị từ chối: {shown}{more}; không nhập gì.")


def attach_packet_evidence(session: Session, organisation_id: int, packet: Packet,
                           records: dict[tuple, object], skip_existing: bool = False) -> int:
    """Attach the packet's evidence to the records it names ((target, cell code, kind) ->
    record), each file checked by content as a file attached by hand. Returns how many."""
    count = 0
    for entry in packet.data["evidence"]:
        record = records.get((entry["target"], entry["cell"], entry.get("kind")))
        if record is None:
            continue
        content = packet.evidence_bytes(entry["sha256"])
        try:
            checked = evidence_files.check(entry["file_name"], content)
        except ValidationError as error:
            raise refusal(packet, [str(error).rstrip(".")]) from None
        blob = store_blob(session, checked)
        target = EvidenceTarget(entry["target"])
        try:
            with session.begin_nested():
                link(session, organisation_id, target, record.id, blob, checked.name,
                     entry["note"], entry["attached_at"])
                session.flush()
        except DuplicateEvidence:
            if not skip_existing:
                raise
            continue
        except ValidationError as error:
            raise refusal(packet, [str(error).rstrip(".")]) from None
        count += 1
    return count
