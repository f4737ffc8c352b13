"""The cells' yearly registrations (đăng ký thi đua): typed in, deleted, or imported from
the filled templates in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from sqlalchemy import select

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db import audit, bulk, plain
from chibo4tot_desktop.db.changes import REGISTRATIONS
from chibo4tot_desktop.db.models import Cell, Registration, RegistrationSource
from chibo4tot_desktop.errors import ConflictError, NotFoundError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.cells import get_for_update
from chibo4tot_desktop.ops.history import keeping_decided_years
from chibo4tot_desktop.progress import Progress, check_cancelled, null_progress
from chibo4tot_desktop.text import format_date

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


_FIELD_CHECKS = {
    "title": registration_title,
    "received_on": lambda value: checks.date(value, "ngày nhận bản đăng ký", "received_on"),
    "members_count": lambda value: checks.optional_count(value, "Số đảng viên",
                                                         "members_count"),
    "signer": lambda value: checks.optional(value, "người ký", "signer", 120),
    **{key: (lambda value, key=key: checks.multiline(
        value, label=f"chỉ tiêu, cam kết nhóm {key[-1]}", field=key))
       for key in REGISTRATION_FIELDS if key.startswith("commitment_")},
}


def registration_values(values: Mapping) -> dict:
    """A registration's fields, checked."""
    return {key: registration_value(key, value) for key, value in values.items()}


def registration_value(key: str, value):
    """One field of a registration, checked (ValidationError naming it)."""
    check = _FIELD_CHECKS.get(key)
    if check is None:
        raise ValueError(key)
    return check(value)


def absence(cell: Cell) -> str:
    """Why a cell is not part of a year: "đã giải thể ngày …" or "thành lập ngày …"."""
    if cell.dissolved_on is not None:
        return f"đã giải thể ngày {format_date(cell.dissolved_on)}"
    return f"thành lập ngày {format_date(cell.started_on)}"


def year_rule_of(session, year: int) -> tuple:
    """(the year rule, the year's review day): what ``cell_of_year`` checks a cell against."""
    return queries.year_rule_in(session), queries.review_days_in(session).get(year)


def cell_of_year(session, cell: Cell | None, year: int, rule: tuple | None = None) -> Cell:
    """The cell, if it belongs to ``year`` (the year rule); refused otherwise. ``rule``:
    ``year_rule_of(session, year)``, read once by an operation that checks many cells."""
    if cell is None:
        raise NotFoundError("Không tìm thấy chi bộ.")
    rule, review_day = rule if rule is not None else year_rule_of(session, year)
    if not timeline.in_year(cell.started_on, cell.dissolved_on, year, rule, review_day):
        if cell.started_on is not None and cell.started_on > timeline.reference_day(
                year, rule, review_day):
            why = f"thành lập ngày {format_date(cell.started_on)}"
        else:
            why = f"đã kết thúc hoạt động ngày {format_date(cell.dissolved_on)}"
        raise ValidationError(f"Chi bộ '{cell.name}' {why}, không thuộc năm {year} (chi bộ "
                              "thuộc một năm khi còn hoạt động vào "
                              f"{timeline.describe_rule_day(year, rule, review_day)}).", "cell")
    return cell


def save_registration(office: Office, cell_id: int, year: int, *, received_on: dt.date,
                      title: str = DEFAULT_TITLE, expected_version: int | None = None,
                      source: str = RegistrationSource.TYPED.value,
                      source_file: str | None = None, source_row: int | None = None,
                      confirm: str | None = None, **fields) -> Registration:
    """Add the cell's registration for ``year``, or update the one it has. Its number of
    members is the year's own figure (every paper of the year prints it)."""
    values = registration_values({"title": title, "received_on": received_on, **fields})
    with office.write(REGISTRATIONS) as session:
        queries.phase_in(session, year)
        cell = cell_of_year(session, session.get(Cell, cell_id), year)
        registration = session.scalar(select(Registration).where(
            Registration.cell_id == cell_id, Registration.year == year))
        if registration is not None and expected_version is not None \
                and registration.version != expected_version:
            raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy mở lại để xem "
                                "thay đổi mới nhất rồi nhập lại.")
        with keeping_decided_years(office, session, confirm, [year]):
            if registration is None:
                registration = Registration(cell_id=cell_id, year=year)
                session.add(registration)
            for key, value in values.items():
                setattr(registration, key, value)
            registration.source = RegistrationSource(source).value
            registration.source_file = source_file
            registration.source_row = source_row
            session.flush()
        registration.cell = cell
    return registration


def delete_registration(office: Office, registration_id: int,
                        confirm: str | None = None) -> None:
    with office.write(REGISTRATIONS) as session:
        registration = get_for_update(session, Registration, registration_id, None,
                                      "bản đăng ký")
        with keeping_decided_years(office, session, confirm, [registration.year]):
            session.delete(registration)


class CheckedValues(dict):
    """A registration's fields as ``registration_values`` returned them: the import's plan
    checks each row once with the same rules as the form, and ``import_registrations`` takes
    these as they are instead of checking them a second time."""


def checked_values(values: Mapping) -> CheckedValues:
    """``registration_values``, marked as checked (see ``CheckedValues``)."""
    return CheckedValues(registration_values(values))


def import_registrations(office: Office, year: int, entries: Sequence[Mapping],
                         progress: Progress = null_progress,
                         confirm: str | None = None) -> tuple[int, int]:
    """Add or update many registrations of ``year`` in ONE transaction (all or nothing).

    Each entry: {"cell_id", "values" (the REGISTRATION_FIELDS, checked here unless they are
    ``CheckedValues``), "source_file", "source_row", "expected_version" (None when the plan
    saw no registration)}. Values follow the same rules as ``save_registration``; a
    registration added or changed by someone since the plan was made raises ConflictError and
    nothing is written. Rows are written with one statement per kind (insert, update) and
    audited in the same transaction, as every change is. Returns (added, updated).
    """
    checked = []
    for entry in entries:
        values = entry["values"]
        if not isinstance(values, CheckedValues):
            values = registration_values(values)
        if "received_on" not in values:
            raise ValidationError("Chưa nhập ngày nhận bản đăng ký.", "received_on")
        checked.append((entry, values))
    if len({entry["cell_id"] for entry, _ in checked}) != len(checked):
        raise ValidationError("Một chi bộ có hai bản đăng ký trong cùng lần nhập.", "cell")
    progress(0, len(checked), "Đang ghi các bản đăng ký…")
    added: list[dict] = []
    updated: list[tuple] = []
    # The collector paused over the commit and its listeners too: the rows just written are
    # still alive there, and a pass would walk them all.
    with plain.paused_gc(), office.write(REGISTRATIONS) as session, \
            keeping_decided_years(office, session, confirm, [year]):
        queries.schedule_in(session, year)     # a year of no phase refused (no catalogues)
        # What ``cell_of_year`` and the messages use of a cell, not its every column.
        cells = {cell.id: cell for cell in plain.executed(
            session, select(Cell.id, Cell.name, Cell.started_on, Cell.dissolved_on)).all()}
        existing = {row.cell_id: row for row in plain.rows(
            session, Registration, Registration.year == year)}
        rule = year_rule_of(session, year)
        # Every column of a new row (defaults filled in), for one executemany.
        defaults = audit.column_defaults(Registration)
        source = RegistrationSource.FILE.value
        of_year = set()     # the (start, end) of cells found in the year: checked once each
        for entry, values in checked:
            cell = cells.get(entry["cell_id"])
            if cell is None or (cell.started_on, cell.dissolved_on) not in of_year:
                cell = cell_of_year(session, cell, year, rule)     # refuses another year's
                of_year.add((cell.started_on, cell.dissolved_on))
            registration = existing.get(cell.id)
            expected = entry.get("expected_version")
            if (registration is None) != (expected is None) or (
                    registration is not None and registration.version != expected):
                raise ConflictError(
                    f"Bản đăng ký của '{cell.name}' vừa được người khác thêm hoặc sửa; "
                    "hãy đọc lại tệp để xem thay đổi mới nhất.")
            if registration is None:
                added.append({**defaults, "cell_id": cell.id, "year": year, **values,
                              "source": source, "source_file": entry.get("source_file"),
                              "source_row": entry.get("source_row")})
            else:
                updated.append((registration, {
                    **values, "source": source, "source_file": entry.get("source_file"),
                    "source_row": entry.get("source_row")}))
        check_cancelled(progress)
        if added:
            # One executemany, then the new ids by cell: a cell has one registration a year.
            bulk.insert_many(session.connection(), Registration.__table__, added)
            new_ids = dict(plain.executed(session, select(
                Registration.cell_id, Registration.id).where(Registration.year == year)).all())
            for row in added:
                row["id"] = new_ids[row["cell_id"]]
            audit.record_inserts(session, Registration, added)
        progress(len(added), len(checked))
        if updated:
            batches: dict[frozenset, list[dict]] = {}   # one statement per set of fields
            for before, row in updated:
                batches.setdefault(frozenset(row), []).append(
                    {"_id": before.id, "_version": before.version, **row})
            table = Registration.__table__
            changed = sum(bulk.update_many(session.connection(), table,
                                           {"id": "_id", "version": "_version"}, params,
                                           {"version": table.c.version + 1})
                          for params in batches.values())
            if changed != len(updated):
                raise ConflictError("Bản đăng ký vừa được người khác sửa; hãy đọc lại tệp.")
            audit.record_updates(session, Registration, updated)
        # The last report inside the transaction: a "Hủy" after it comes too late to undo.
        progress(len(checked), len(checked))
    return len(added), len(updated)
