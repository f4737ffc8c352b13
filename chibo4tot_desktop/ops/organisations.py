"""Ward mergers: a new ward's file takes in an old ward's file (or a ward received by
packets) as a predecessor organisation. Both histories stay in the one file, each read and
printed as it was (its own identity versions, catalogues, cells and decisions): the window
and every command can open a predecessor (``Office(db, its id)``, ``--organisation MÃ``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from chibo4tot_desktop.db.changes import AWARDS, CELLS, EVALUATIONS, REGISTRATIONS, SETTINGS
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import (
    Award,
    CatalogueVersion,
    Cell,
    CellLink,
    CriteriaGroup,
    CriteriaItem,
    Evaluation,
    Organisation,
    OrganisationIdentity,
    Phase,
    PhaseYear,
    Registration,
    Score,
    Setting,
)
from chibo4tot_desktop.errors import DataFileError, NotFoundError, UserError, ValidationError
from chibo4tot_desktop.ops import checks
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.text import format_date

# Copied in this order; each model's foreign keys -> the model whose new ids they take.
COPIED = (
    (OrganisationIdentity, {"organisation_id": Organisation}),
    (Phase, {"organisation_id": Organisation}),
    (PhaseYear, {"phase_id": Phase}),
    (CatalogueVersion, {"phase_id": Phase}),
    (CriteriaGroup, {"phase_id": Phase, "version_id": CatalogueVersion}),
    (CriteriaItem, {"group_id": CriteriaGroup}),
    (Cell, {"organisation_id": Organisation}),
    (CellLink, {"organisation_id": Organisation, "predecessor_id": Cell,
                "successor_id": Cell}),
    (Registration, {"cell_id": Cell}),
    (Evaluation, {"organisation_id": Organisation, "cell_id": Cell}),
    (Score, {"evaluation_id": Evaluation, "item_id": CriteriaItem}),
    (Award, {"organisation_id": Organisation, "cell_id": Cell}),
    (Setting, {"organisation_id": Organisation}),
)


def set_predecessor(office: Office, organisation_id: int, merged_on: dt.date) -> Organisation:
    """Mark an organisation of this file (e.g. a ward received by packets) as merged into
    this office's on ``merged_on``."""
    day = checks.date(merged_on, "ngày hợp nhất", "merged_on")
    with office.db.transaction(SETTINGS) as session:
        row = session.get(Organisation, organisation_id)
        if row is None:
            raise NotFoundError("Không tìm thấy đảng bộ.")
        if row.id == office.require_org():
            raise ValidationError("Một đảng bộ không hợp nhất vào chính nó.", "organisation")
        current = session.get(Organisation, office.organisation_id)
        if current.merged_into_id == row.id:
            raise ValidationError(f"{current.name} đã hợp nhất vào {row.name}.", "organisation")
        row.merged_into_id = office.organisation_id
        row.merged_on = day
    return row


def _columns(row) -> dict:
    return {attr.key: getattr(row, attr.key) for attr in inspect(row).mapper.column_attrs
            if attr.key != "id"}


def take_in_file(office: Office, path: str | os.PathLike, merged_on: dt.date) -> Organisation:
    """Copy the organisation of another data file (an old ward's), with all its records, into
    this file as a predecessor merged into this office's organisation on ``merged_on``.

    The other file is read from a copy (an older one is upgraded there first) and never
    changed. Refused, with nothing written: a file that is not ours, holds no organisation or
    several current ones, or whose organisation code this file already has."""
    day = checks.date(merged_on, "ngày hợp nhất", "merged_on")
    office.require_org()
    source_path = Path(path)
    if not source_path.is_file():
        raise DataFileError(f"Không tìm thấy tệp dữ liệu '{source_path}'.")
    if office.db.path is not None and source_path.resolve() == office.db.path.resolve():
        raise ValidationError("Không hợp nhất một tệp dữ liệu vào chính nó.", "path")
    with tempfile.TemporaryDirectory(prefix="hop-nhat-") as folder:
        copy = Path(folder) / "nguon.sqlite3"
        shutil.copyfile(source_path, copy)
        source = open_database(copy, create=False)
        try:
            with source.session() as reader:
                return _copy_in(office, reader, day, source_path.name)
        finally:
            source.close()


def _copy_in(office: Office, reader: Session, day: dt.date, file_name: str) -> Organisation:
    organisations = list(reader.scalars(select(Organisation).order_by(Organisation.id)))
    current = [row for row in organisations if row.merged_into_id is None]
    if not organisations:
        raise UserError(f"Tệp '{file_name}' chưa có đảng bộ nào; không hợp nhất được.")
    if len(current) != 1:
        raise UserError(f"Tệp '{file_name}' chứa nhiều đảng bộ độc lập (tệp tổng hợp của cấp "
                        "trên?); chỉ hợp nhất được tệp của một đảng bộ.")
    with office.db.transaction(SETTINGS, CELLS, REGISTRATIONS, EVALUATIONS, AWARDS) as session:
        target = session.get(Organisation, office.organisation_id)
        codes = {row.code for row in organisations}
        taken = set(session.scalars(select(Organisation.code).where(Organisation.code.in_(codes))))
        if taken:
            raise ValidationError(f"Tệp này đã có đảng bộ mã '{sorted(taken)[0]}'; không hợp "
                                  "nhất lại.", "code")
        new_ids: dict[type, dict[int, int]] = {Organisation: {}}
        for row in organisations:
            values = _columns(row)
            values["merged_into_id"] = None
            copy = Organisation(**values)
            session.add(copy)
            session.flush()
            new_ids[Organisation][row.id] = copy.id
        for row in organisations:
            copy = session.get(Organisation, new_ids[Organisation][row.id])
            if row.merged_into_id is not None:
                copy.merged_into_id = new_ids[Organisation][row.merged_into_id]
            else:
                copy.merged_into_id = target.id
                copy.merged_on = day
        for model, keys in COPIED:
            new_ids[model] = {}
            rows = [row for row in reader.scalars(select(model).order_by(model.id))
                    if model is not Setting or row.organisation_id is not None]
            copies = []
            for row in rows:
                values = _columns(row)
                for key, parent in keys.items():
                    if values.get(key) is not None:
                        values[key] = new_ids[parent][values[key]]
                copies.append((row.id, model(**values)))
            session.add_all([copy for _, copy in copies])
            session.flush()
            new_ids[model] = {old: copy.id for old, copy in copies}
        result = session.get(Organisation, new_ids[Organisation][current[0].id])
    return result


def organisation_by_code(db, code: str) -> Organisation:
    """An organisation of the file by its code (NotFoundError listing the codes)."""
    from chibo4tot_desktop.text import clean

    with db.session() as session:
        rows = list(session.scalars(select(Organisation).order_by(Organisation.id)))
    for row in rows:
        if row.code.casefold() == clean(code).casefold():
            return row
    raise NotFoundError(f"Tệp dữ liệu không có đảng bộ mã '{clean(code)}' (các mã: "
                        + ", ".join(row.code for row in rows) + ").")


def describe(organisation: Organisation) -> str:
    """"Đảng bộ phường Bắc Hà (hợp nhất từ 01/07/2025)"."""
    if organisation.merged_on:
        return f"{organisation.name} (hợp nhất từ {format_date(organisation.merged_on)})"
    return organisation.name
