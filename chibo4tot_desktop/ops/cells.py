"""The organisation's Party cells: add, edit, dissolve, reactivate, delete."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chibo4tot_desktop.db.changes import CELLS
from chibo4tot_desktop.db.models import Award, Cell, CellKind, Evaluation, Registration
from chibo4tot_desktop.errors import ConflictError, NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks
from chibo4tot_desktop.ops.base import Office

CELL_FIELDS = ("code", "name", "kind", "secretary", "members_count", "is_pilot")


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
    for column, value, label in ((Cell.code, code, "Mã"), (Cell.name, name, "Tên")):
        if value is None:
            continue
        query = select(Cell.id)
        if column is Cell.name:
            query = query.where(func.lower(Cell.name) == value.lower())
        else:
            query = query.where(column == value)
        if cell_id is not None:
            query = query.where(Cell.id != cell_id)
        if session.scalar(query.limit(1)) is not None:
            raise ValidationError(f"{label} chi bộ '{value}' đã có.", column.key)


def add_cell(office: Office, code: str, name: str, kind: str = CellKind.RESIDENTIAL.value,
             secretary: str = "", members_count: int = 0, is_pilot: bool = False) -> Cell:
    values = cell_values({"code": code, "name": name, "kind": kind, "secretary": secretary,
                          "members_count": members_count, "is_pilot": is_pilot})
    with office.write(CELLS) as session:
        _check_unique(session, values["code"], values["name"], None)
        cell = Cell(organisation_id=office.require_org(), **values)
        session.add(cell)
    return cell


def update_cell(office: Office, cell_id: int, expected_version: int | None = None,
                **changes) -> Cell:
    values = cell_values(changes)
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, expected_version, "chi bộ")
        _check_unique(session, values.get("code"), values.get("name"), cell_id)
        for key, value in values.items():
            setattr(cell, key, value)
    return cell


def dissolve_cell(office: Office, cell_id: int, on: dt.date) -> Cell:
    on = checks.date(on, "ngày giải thể", "dissolved_on")
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, None, "chi bộ")
        cell.dissolved_on = on
    return cell


def reactivate_cell(office: Office, cell_id: int) -> Cell:
    with office.write(CELLS) as session:
        cell = get_for_update(session, Cell, cell_id, None, "chi bộ")
        cell.dissolved_on = None
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
        session.delete(cell)
