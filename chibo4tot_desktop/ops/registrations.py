"""The cells' yearly registrations (đăng ký thi đua): typed in, deleted, or imported from
the filled templates in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from chibo4tot_desktop.db.changes import REGISTRATIONS
from chibo4tot_desktop.db.models import Cell, Registration, RegistrationSource
from chibo4tot_desktop.errors import ConflictError, NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.cells import get_for_update

REGISTRATION_FIELDS = ("title", "received_on", "members_count", "commitment_1",
                       "commitment_2", "commitment_3", "commitment_4", "signer")
DEFAULT_TITLE = "Chi bộ 4 tốt"
# The titles a cell may register for: what the papers print and the office recognises.
TITLES = (DEFAULT_TITLE,)


def registration_title(value) -> str:
    """One of ``TITLES`` (typed in any case and spacing); anything else is refused."""
    typed = checks.required(value, "danh hiệu đăng ký", "title")
    for title in TITLES:
        if typed.casefold() == title.casefold():
            return title
    listed = ", ".join(f"“{title}”" for title in TITLES)
    raise ValidationError(f"Danh hiệu “{typed}” không có trong danh sách danh hiệu thi đua "
                          f"(chỉ đăng ký được: {listed}).", "title")


def registration_values(values: Mapping) -> dict:
    """A registration's fields, checked."""
    result = {}
    for key, value in values.items():
        if key == "title":
            result[key] = registration_title(value)
        elif key == "received_on":
            result[key] = checks.date(value, "ngày nhận bản đăng ký", key)
        elif key == "members_count":
            result[key] = checks.optional_count(value, "Số đảng viên", key)
        elif key == "signer":
            result[key] = checks.optional(value, "người ký", key, 120)
        elif key.startswith("commitment_") and key in REGISTRATION_FIELDS:
            result[key] = checks.multiline(
                value, label=f"chỉ tiêu, cam kết nhóm {key[-1]}", field=key)
        else:
            raise ValueError(key)
    return result


def _active_cell(cell: Cell | None, year: int) -> Cell:
    if cell is None:
        raise NotFoundError("Không tìm thấy chi bộ.")
    if not cell.active_in(year):
        raise ValidationError(f"Chi bộ '{cell.name}' đã giải thể, không đăng ký năm {year} "
                              "được.", "cell")
    return cell


def save_registration(office: Office, cell_id: int, year: int, *, received_on: dt.date,
                      title: str = DEFAULT_TITLE, expected_version: int | None = None,
                      source: str = RegistrationSource.TYPED.value,
                      source_file: str | None = None, source_row: int | None = None,
                      **fields) -> Registration:
    """Add the cell's registration for ``year``, or update the one it has."""
    values = registration_values({"title": title, "received_on": received_on, **fields})
    with office.write(REGISTRATIONS) as session:
        queries.phase_in(session, year)
        cell = _active_cell(session.get(Cell, cell_id), year)
        registration = session.scalar(select(Registration).where(
            Registration.cell_id == cell_id, Registration.year == year))
        if registration is None:
            registration = Registration(cell_id=cell_id, year=year)
            session.add(registration)
        elif expected_version is not None and registration.version != expected_version:
            raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy mở lại để xem "
                                "thay đổi mới nhất rồi nhập lại.")
        for key, value in values.items():
            setattr(registration, key, value)
        registration.source = RegistrationSource(source).value
        registration.source_file = source_file
        registration.source_row = source_row
        session.flush()
        registration.cell = cell
    return registration


def delete_registration(office: Office, registration_id: int) -> None:
    with office.write(REGISTRATIONS) as session:
        session.delete(get_for_update(session, Registration, registration_id, None,
                                      "bản đăng ký"))


def import_registrations(office: Office, year: int, entries: Sequence[Mapping]
                         ) -> tuple[int, int]:
    """Add or update many registrations of ``year`` in ONE transaction (all or nothing).

    Each entry: {"cell_id", "values" (the REGISTRATION_FIELDS), "source_file",
    "source_row", "expected_version" (None when the plan saw no registration)}. Values
    are checked with the same rules as ``save_registration``; a registration added or
    changed by someone since the plan was made raises ConflictError and nothing is
    written. Returns (added, updated).
    """
    checked = []
    for entry in entries:
        values = registration_values(entry["values"])
        if "received_on" not in values:
            raise ValidationError("Chưa nhập ngày nhận bản đăng ký.", "received_on")
        checked.append((entry, values))
    if len({entry["cell_id"] for entry, _ in checked}) != len(checked):
        raise ValidationError("Một chi bộ có hai bản đăng ký trong cùng lần nhập.", "cell")
    added = updated = 0
    with office.write(REGISTRATIONS) as session:
        queries.phase_in(session, year)
        cells = {cell.id: cell for cell in session.scalars(select(Cell))}
        existing = {row.cell_id: row for row in session.scalars(
            select(Registration).where(Registration.year == year))}
        for entry, values in checked:
            cell = _active_cell(cells.get(entry["cell_id"]), year)
            registration = existing.get(cell.id)
            expected = entry.get("expected_version")
            if (registration is None) != (expected is None) or (
                    registration is not None and registration.version != expected):
                raise ConflictError(
                    f"Bản đăng ký của '{cell.name}' vừa được người khác thêm hoặc sửa; "
                    "hãy đọc lại tệp để xem thay đổi mới nhất.")
            if registration is None:
                registration = Registration(cell_id=cell.id, year=year)
                session.add(registration)
                added += 1
            else:
                updated += 1
            for key, value in values.items():
                setattr(registration, key, value)
            registration.source = RegistrationSource.FILE.value
            registration.source_file = entry.get("source_file")
            registration.source_row = entry.get("source_row")
        try:
            session.flush()
        except StaleDataError:
            raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy đọc lại tệp.") from None
    return added, updated
