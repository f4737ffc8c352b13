"""The organisation's Party cells: add, edit, dissolve, merge, reactivate, delete.

A cell lives in time: founded on ``started_on`` (empty: before the records begin), ended on
``dissolved_on`` (dissolved, or merged into one or more successors, ``cell_links``). Which
years it belongs to follows the year rule (``timeline``); a date that would take the cell out
of a year where it has records is refused, and a change that moves a decided year needs a
written reason (``ops.history``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.changes import CELLS
from chibo4tot_desktop.db.models import (
    Award,
    Cell,
    CellKind,
    CellLink,
    Evaluation,
    Registration,
)
from chibo4tot_desktop.errors import ConflictError, NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.history import keeping_decided_years
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.text import fold

CELL_FIELDS = ("code", "name", "kind", "secretary", "members_count", "is_pilot", "started_on")
NEW_CELL_HINT = ("Chi bộ không ghi ngày thành lập thì coi như có từ trước, thuộc cả các năm cũ; "
                 "nếu là chi bộ mới thành lập, hãy ghi ngày thành lập.")


def cell_values(values: Mapping) -> dict:
    """The cell's fields, checked."""
    result = {}
    for key, value in values.items():
        if key == "code":
            result[key] = checks.required(value, "mã chi bộ", "code", 40)
        elif key == "name":
            result[key] = checks.required(value, "tên chi bộ", "name")
        elif key == "kind":
            try:
                result[key] = CellKind(value).value
            except ValueError:
                raise ValidationError(f"Loại chi bộ '{value}' không hợp lệ.", "kind") from None
        elif key == "secretary":
            result[key] = checks.optional(value, "tên bí thư", "secretary", 120)
        elif key == "members_count":
            result[key] = checks.count(value, "Số đảng viên", key)
        elif key == "is_pilot":
            result[key] = bool(value)
        elif key == "started_on":
            result[key] = checks.date(value, "ngày thành lập", key, required_=False)
        else:
            raise ValueError(key)
    return result


def get_for_update(session: Session, model, row_id: int, expected_version: int | None,
                   label: str):
    """The row (of this organisation: the session is scoped), checked against the version
    the caller read."""
    row = session.get(model, row_id)
    if row is None:
        raise NotFoundError(f"Không tìm thấy {label} (có thể đã bị xóa).")
    if expected_version is not None and row.version != expected_version:
        raise ConflictError(
            f"{label[0].upper() + label[1:]} vừa được người khác sửa; hãy mở lại để xem "
            "thay đổi mới nhất rồi nhập lại.")
    return row


def _check_unique(session: Session, code: str | None, name: str | None,
                  cell_id: int | None) -> None:
    """A code is unique as typed; a name whatever its case ("Chi bộ Ủy" = "chi bộ ủy": SQL's
    lower() folds only ASCII letters, so names are compared with ``text.fold``)."""
    others = select(Cell.id, Cell.code, Cell.name)
    if cell_id is not None:
        others = others.where(Cell.id != cell_id)
    for _id, other_code, other_name in session.execute(others):
        if code is not None and other_code == code:
            raise ValidationError(f"Mã chi bộ '{code}' đã có.", "code")
        if name is not None and fold(other_name) == fold(name):
            raise ValidationError(f"Tên chi bộ '{name}' đã có.", "name")


def record_years(session: Session, cell_id: int) -> dict[int, str]:
    """The years a cell has records in -> what they are ("đăng ký", "phiếu chấm"...)."""
    found: dict[int, list[str]] = {}
    for model, what in ((Registration, "đăng ký"), (Evaluation, "phiếu chấm điểm"),
                        (Award, "khen thưởng")):
        for year in session.scalars(select(model.year).distinct()
                                    .where(model.cell_id == cell_id)):
            found.setdefault(year, []).append(what)
    return {year: ", ".join(whats) for year, whats in sorted(found.items())}


def check_life(session: Session, cell: Cell, started_on: dt.date | None,
               ended_on: dt.date | None) -> None:
    """Refuse a life (start, end) that would take the cell out of a year where it has
    records: they would vanish from that year's lists and verdicts."""
    if started_on is not None and ended_on is not None and ended_on < started_on:
        raise ValidationError(f"Ngày kết thúc {format_date(ended_on)} trước ngày thành lập "
                              f"{format_date(started_on)} của {cell.name}.", "dissolved_on")
    if cell.id is None:
        return
    rule = queries.year_rule_in(session)
    review_days = queries.review_days_in(session)
    for year, what in record_years(session, cell.id).items():
        review_day = review_days.get(year)
        if timeline.in_year(started_on, ended_on, year, rule, review_day):
            continue
        if started_on is not None and started_on > timeline.reference_day(
                year, rule, review_day):
            change = f"ngày thành lập {format_date(started_on)}"
        else:
            change = f"ngày kết thúc {format_date(ended_on)}"
        raise ValidationError(
            f"{cell.name} đã có hồ sơ thi đua năm {year} ({what}); với {change} chi bộ không "
            f"còn thuộc năm {year} (chi bộ thuộc một năm khi còn hoạt động vào "
            f"{timeline.describe_rule_day(year, rule, review_day)}). Hãy chọn ngày khác hoặc "
            f"xóa hồ sơ năm {year} trước.", "dissolved_on" if "kết thúc" in change
            else "started_on")


def changed_years(session: Session, before: tuple, after: tuple) -> set[int]:
    """The years whose cells change when a cell's life goes from ``before`` to ``after``
    ((started_on, ended_on) each; None for a cell that does not exist)."""
    rule = queries.year_rule_in(session)
    years = set()
    for year, review_day in queries.review_days_in(session).items():
        was = before is not None and timeline.in_year(*before, year, rule, review_day)
        now = after is not None and timeline.in_year(*after, year, rule, review_day)
        if was != now:
            years.add(year)
    return years


def years_from(session: Session, year: int) -> set[int]:
    """``year`` and every later year of the organisation's phases."""
    return {other for other in queries.review_days_in(session) if other >= year}


def add_cell(office: Office, code: str, name: str, kind: str = CellKind.RESIDENTIAL.value,
             secretary: str = "", members_count: int = 0, is_pilot: bool = False,
             started_on: dt.date | None = None, confirm: str | None = None) -> Cell:
    """A new cell. Founded on ``started_on`` (empty: before the records begin, so it belongs
    to every year), which the year rule reads: a cell founded today is not part of past
    years."""
    values = cell_values({"code": code, "name": name, "kind": kind, "secretary": secretary,
                          "members_count": members_count, "is_pilot": is_pilot,
                          "started_on": started_on})
    with office.write(CELLS) as session:
        _check_unique(session, values["code"], values["name"], None)
        years = changed_years(session, None, (values["started_on"], None))
        with keeping_decided_years(office, session, confirm, years, hint=NEW_CELL_HINT):
            cell = Cell(organisation_id=office.require_org(), **values)
            session.add(cell)
    return cell


def update_cell(office: Office, cell_id: int, expected_version: int | None = None,
                confirm: str | None = None, **changes) -> Cell:
    values = cell_values(changes)
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, expected_version, "chi bộ")
        _check_unique(session, values.get("code"), values.get("name"), cell_id)
        years: set[int] = set()
        if "started_on" in values:
            check_life(session, cell, values["started_on"], cell.dissolved_on)
            years = changed_years(session, (cell.started_on, cell.dissolved_on),
                                  (values["started_on"], cell.dissolved_on))
        with keeping_decided_years(office, session, confirm, years):
            for key, value in values.items():
                setattr(cell, key, value)
    return cell


def dissolve_cell(office: Office, cell_id: int, on: dt.date,
                  confirm: str | None = None) -> Cell:
    """The cell ends on ``on`` (dissolved, no successor)."""
    on = checks.date(on, "ngày giải thể", "dissolved_on")
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, None, "chi bộ")
        if cell.dissolved_on is not None:
            raise ValidationError(f"{cell.name} đã kết thúc hoạt động ngày "
                                  f"{format_date(cell.dissolved_on)}.", "dissolved_on")
        check_life(session, cell, cell.started_on, on)
        years = changed_years(session, (cell.started_on, None), (cell.started_on, on))
        with keeping_decided_years(office, session, confirm, years):
            cell.dissolved_on = on
    return cell


def merge_cells(office: Office, cell_ids: Sequence[int], on: dt.date, *,
                into: Sequence[int] = (), new_cell: Mapping | None = None,
                confirm: str | None = None) -> list[Cell]:
    """The cells ``cell_ids`` end on ``on``, merged into the successors: the existing cells
    ``into`` and/or a new cell (``new_cell``: code, name, kind, secretary, members_count,
    is_pilot), founded that day. One predecessor and two successors is a split. Returns the
    successors. The successors show their predecessors' records, and their consecutive years
    may run through the merge (setting ``cells.streak_through_merge``)."""
    on = checks.date(on, "ngày sáp nhập", "dissolved_on")
    if not cell_ids:
        raise ValidationError("Chưa chọn chi bộ nào để sáp nhập.", "cell")
    if len(set(cell_ids)) != len(cell_ids) or len(set(into)) != len(into):
        raise ValidationError("Một chi bộ được chọn hai lần.", "cell")
    if set(cell_ids) & set(into):
        raise ValidationError("Một chi bộ không sáp nhập vào chính nó.", "cell")
    if not into and not new_cell:
        raise ValidationError("Chưa chọn chi bộ nhận sáp nhập (hoặc chi bộ mới).", "into")
    new_values = None
    if new_cell:
        new_values = cell_values({"kind": CellKind.RESIDENTIAL.value, **new_cell,
                                  "started_on": on})
        for key in ("code", "name"):
            if key not in new_values:
                raise ValidationError(f"Chưa nhập {'mã' if key == 'code' else 'tên'} chi bộ "
                                      "mới.", key)
    with office.write(CELLS) as session:
        ending = [get_for_update(session, Cell, cell_id, None, "chi bộ") for cell_id in cell_ids]
        successors = [get_for_update(session, Cell, cell_id, None, "chi bộ")
                      for cell_id in into]
        for cell in ending:
            if cell.dissolved_on is not None:
                raise ValidationError(f"{cell.name} đã kết thúc hoạt động ngày "
                                      f"{format_date(cell.dissolved_on)}.", "cell")
            check_life(session, cell, cell.started_on, on)
        for cell in successors:
            if cell.dissolved_on is not None and cell.dissolved_on <= on:
                raise ValidationError(f"{cell.name} đã kết thúc hoạt động ngày "
                                      f"{format_date(cell.dissolved_on)}, không nhận sáp nhập "
                                      "được.", "into")
            if cell.started_on is not None and cell.started_on > on:
                raise ValidationError(f"{cell.name} thành lập ngày "
                                      f"{format_date(cell.started_on)}, sau ngày sáp nhập.",
                                      "into")
        if new_values is not None:
            _check_unique(session, new_values["code"], new_values["name"], None)
        # The cells of the merge year on, and the successors' consecutive years after it.
        with keeping_decided_years(office, session, confirm, years_from(session, on.year)):
            if new_values is not None:
                created = Cell(organisation_id=office.require_org(), **new_values)
                session.add(created)
                session.flush()
                successors.append(created)
            for cell in ending:
                cell.dissolved_on = on
                for successor in successors:
                    session.add(CellLink(organisation_id=office.require_org(),
                                         predecessor_id=cell.id, successor_id=successor.id))
    return successors


def reactivate_cell(office: Office, cell_id: int, confirm: str | None = None) -> Cell:
    """The cell goes on (its end, and the merge links to its successors, are removed)."""
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, None, "chi bộ")
        years = years_from(session, cell.dissolved_on.year) if cell.dissolved_on else set()
        with keeping_decided_years(office, session, confirm, years):
            cell.dissolved_on = None
            for link in session.scalars(select(CellLink)
                                        .where(CellLink.predecessor_id == cell_id)):
                session.delete(link)
    return cell


def delete_cell(office: Office, cell_id: int) -> None:
    """Only a cell with no history can be deleted; others are dissolved instead."""
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, None, "chi bộ")
        for model in (Registration, Evaluation, Award):
            used = session.scalar(select(func.count()).select_from(model)
                                  .where(model.cell_id == cell_id))
            if used:
                raise ValidationError(
                    f"Chi bộ '{cell.name}' đã có hồ sơ thi đua nên không xóa được; "
                    "hãy chọn “Giải thể” thay vì xóa.", "cell")
        linked = session.scalar(select(func.count()).select_from(CellLink).where(
            (CellLink.predecessor_id == cell_id) | (CellLink.successor_id == cell_id)))
        if linked:
            raise ValidationError(f"Chi bộ '{cell.name}' có liên kết sáp nhập nên không xóa "
                                  "được.", "cell")
        session.delete(cell)
