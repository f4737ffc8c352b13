"""Proposals (đề nghị) and the upper body's decisions (quyết định khen thưởng).

The rule lives here, not in a dialog: a proposal is made only for what qualifies that year
(“Chi bộ 4 tốt” and Giấy khen for a cell that earns “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt”
for an organisation that earns it). One decision may cover many proposals; their register
numbers then follow one another in the order given.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from chibo4tot_desktop.db.changes import AWARDS
from chibo4tot_desktop.db.models import Award, AwardKind, Cell, DecisionSource
from chibo4tot_desktop.errors import NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.cells import get_for_update


def award_kind(kind: str) -> AwardKind:
    try:
        return AwardKind(kind)
    except ValueError:
        raise ValidationError(f"Hình thức khen thưởng '{kind}' không hợp lệ.", "kind") from None


def _refusal(name: str, kind: AwardKind, year: int, reasons: str) -> ValidationError:
    return ValidationError(f"{name} chưa đạt “{_title(kind)}” năm {year}, không lập đề nghị "
                           f"{kind.label} được: {reasons}.", "kind")


def _title(kind: AwardKind) -> str:
    return "Đảng bộ cơ sở 4 tốt" if kind is AwardKind.ORG_RECOGNITION else "Chi bộ 4 tốt"


def propose(office: Office, cell_id: int | None, year: int, kind: str,
            proposed_on: dt.date | None = None, notes: str = "") -> Award:
    """Propose a cell (or, with None, the organisation itself) for ``kind``."""
    return propose_many(office, year, kind, [cell_id], proposed_on, notes)[0]


def propose_many(office: Office, year: int, kind: str, cell_ids: Sequence[int | None],
                 proposed_on: dt.date | None = None, notes: str = "") -> list[Award]:
    """One proposal per unit, all in one transaction; refused as a whole if any unit does
    not qualify or already has that proposal. ``proposed_on`` defaults to the year's review
    date."""
    from chibo4tot_desktop.reports import year_overview

    kind = award_kind(kind)
    notes = checks.multiline(notes)
    if not cell_ids:
        raise ValidationError("Chưa chọn chi bộ nào để lập đề nghị.", "cell")
    if len(set(cell_ids)) != len(cell_ids):
        raise ValidationError("Một chi bộ được chọn hai lần.", "cell")
    for cell_id in cell_ids:
        if kind is AwardKind.ORG_RECOGNITION and cell_id is not None:
            raise ValidationError("“Đảng bộ cơ sở 4 tốt” chỉ dành cho đảng bộ.", "kind")
        if kind is not AwardKind.ORG_RECOGNITION and cell_id is None:
            raise ValidationError(f"“{kind.label}” chỉ dành cho chi bộ.", "kind")
    overview = year_overview(office, year)
    if proposed_on is None:
        proposed_on = queries.phase_year(office, year).review_deadline
    states = {state.cell.id: state for state in overview.cells}
    for cell_id in cell_ids:
        if cell_id is None:
            verdict = overview.organisation_result.verdict
            if not verdict.passed:
                raise _refusal("Đảng bộ", kind, year, verdict.summary())
            continue
        state = states.get(cell_id)
        if state is None:
            raise NotFoundError("Không tìm thấy chi bộ trong danh sách chi bộ của năm "
                                f"{year}.")
        if not state.qualifies:
            raise _refusal(state.cell.name, kind, year, state.result.verdict.summary())
    awards = []
    with office.write(AWARDS) as session:
        for cell_id in cell_ids:
            query = select(Award.id).where(Award.year == year, Award.kind == kind.value)
            query = query.where(Award.cell_id.is_(None) if cell_id is None
                                else Award.cell_id == cell_id)
            if session.scalar(query) is not None:
                name = "đảng bộ" if cell_id is None else states[cell_id].cell.name
                raise ValidationError(f"Đã có đề nghị {kind.label} năm {year} cho {name}.",
                                      "kind")
            award = Award(organisation_id=office.require_org(), cell_id=cell_id, year=year,
                          kind=kind.value, proposed_on=proposed_on, notes=notes)
            session.add(award)
            awards.append(award)
        session.flush()
        for award in awards:
            award.cell = session.get(Cell, award.cell_id) if award.cell_id else None
    return awards


def next_register_numbers(first: str, count: int) -> list[str]:
    """"01/2023", 3 -> ["01/2023", "02/2023", "03/2023"]: the first run of digits counts up,
    keeping its zero padding; empty stays empty."""
    first = checks.optional(first, "số sổ", "register_number", 40)
    if not first:
        return [""] * count
    match = re.search(r"\d+", first)
    if match is None:
        if count > 1:
            raise ValidationError(f"Số sổ đầu tiên '{first}' không có chữ số để đánh tiếp.",
                                  "register_number")
        return [first]
    start = int(match.group())
    width = len(match.group())
    return [first[:match.start()] + str(start + offset).zfill(width) + first[match.end():]
            for offset in range(count)]


def _keep_facts(award: Award, facts) -> None:
    """What the decision rests on, as computed now (``reports.DecisionFacts``)."""
    award.decided_points = facts.points if facts else None
    award.decided_classification = facts.classification if facts else None
    award.decided_verdict = facts.verdict if facts else None
    award.decided_members = facts.members if facts else None
    award.decided_streak = facts.streak if facts else None
    award.decided_cells = facts.cells if facts else None


def _decide(session: Session, award: Award, number: str, date: dt.date, issuer: str,
            register: str) -> None:
    if award.proposed_on and date < award.proposed_on:
        raise ValidationError(
            f"Ngày quyết định {date:%d/%m/%Y} trước ngày đề nghị {award.proposed_on:%d/%m/%Y}.",
            "decision_date")
    if register:
        clash = session.scalar(select(Award.id).where(Award.register_number == register,
                                                      Award.id != award.id))
        if clash is not None:
            raise ValidationError(f"Số sổ '{register}' đã dùng cho khen thưởng khác.",
                                  "register_number")
    award.decision_number = number
    award.decision_date = date
    award.issuer = issuer
    award.register_number = register


def _refuse_upper(award: Award) -> None:
    """A decision sent down by the upper level is changed only by its next packet."""
    if award.decision_source == DecisionSource.UPPER.value:
        unit = award.cell.name if award.cell is not None else "đảng bộ"
        raise ValidationError(f"Quyết định khen thưởng của {unit} do cấp trên gửi xuống "
                              f"(số {award.decision_number}); không sửa hay bỏ ở đây.",
                              "decision_number")


def _decision_values(decision_number, decision_date, issuer) -> tuple[str, dt.date, str]:
    return (checks.required(decision_number, "số quyết định", "decision_number", 60),
            checks.date(decision_date, "ngày quyết định", "decision_date"),
            checks.required(issuer, "cơ quan ban hành", "issuer"))


def record_decision(office: Office, award_ids: Sequence[int], *, decision_number: str,
                    decision_date: dt.date, issuer: str, first_register_number: str = "",
                    expected_versions: Mapping[int, int] | None = None) -> list[Award]:
    """One decision (number, date, issuer) for one or many proposals, in one transaction;
    register numbers follow one another from ``first_register_number`` in the order given.
    ``expected_versions``: award id -> the version the caller read (a conflict otherwise)."""
    number, date, issuer = _decision_values(decision_number, decision_date, issuer)
    if not award_ids:
        raise ValidationError("Chưa chọn đề nghị nào.", "award")
    if len(set(award_ids)) != len(award_ids):
        raise ValidationError("Một đề nghị được chọn hai lần.", "award")
    registers = next_register_numbers(first_register_number, len(award_ids))
    versions = expected_versions or {}
    with office.write(AWARDS) as session:
        awards = [get_for_update(session, Award, award_id, versions.get(award_id),
                                 "khen thưởng") for award_id in award_ids]
        for award, register in zip(awards, registers):
            _refuse_upper(award)
            _decide(session, award, number, date, issuer, register)
            award.decision_source = DecisionSource.TYPED.value
            award.decision_packet_at = None
            session.flush()
        _keep_decided_facts(office, session, awards)
        for award in awards:
            _ = award.cell
    return awards


def _keep_decided_facts(office: Office, session: Session, awards: Sequence[Award]) -> None:
    """Store on each award the facts of its unit as they stand with the decision recorded
    (the consecutive years count it)."""
    from chibo4tot_desktop.reports import overview_in

    reader = office.db.session_on(session.connection(), office.organisation_id)
    try:
        overviews = {year: overview_in(reader, year) for year in {a.year for a in awards}}
        facts = {award.id: overviews[award.year].facts(award) for award in awards}
    finally:
        reader.close()
    for award in awards:
        _keep_facts(award, facts[award.id])


def clear_decision(office: Office, award_id: int) -> Award:
    with office.write(AWARDS) as session:
        award = get_for_update(session, Award, award_id, None, "khen thưởng")
        _refuse_upper(award)
        award.decision_number = ""
        award.decision_date = None
        award.register_number = ""
        _keep_facts(award, None)
        award.decision_source = DecisionSource.TYPED.value
        session.flush()
        _ = award.cell
    return award


def withdraw(office: Office, award_id: int) -> None:
    """Remove a proposal (a decided award must have its decision cleared first)."""
    with office.write(AWARDS) as session:
        award = get_for_update(session, Award, award_id, None, "khen thưởng")
        if award.is_decided:
            raise ValidationError("Khen thưởng đã có quyết định; hãy bỏ quyết định trước khi "
                                  "rút đề nghị.", "award")
        session.delete(award)
