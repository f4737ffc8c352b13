"""The cells' stored sort keys: bytes the database orders as the program's Vietnamese order,
kept right by every write, made again when a file's keys are of another order, never audited;
and the registrations list ordered by them in SQL exactly as the program orders in Python."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from chibo4tot_desktop import text as text_module
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AuditEntry, Cell
from chibo4tot_desktop.listings import TEXT, Query, RegistrationListing
from chibo4tot_desktop.ops import Office, sort_keys
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.text import SORT_KEY_VERSION, fold, sort_key, stored_sort_key
from tests.test_collation import ALPHABET, pairs


def sign(a, b) -> int:
    return (a > b) - (a < b)


@settings(max_examples=300, deadline=None)
@given(pairs())
@example(("Chi bộ Tổ dân phố 2", "Chi bộ Tổ dân phố 12"))
@example(("Chi bộ Dân", "Chi bộ Đảng"))
@example(("Chi bộ An", "Chi bộ an"))
@example(("Chi bộ", "Chi bộ A"))
@example(("a b", "ab"))
@example(("", "a"))
def test_stored_key_orders_as_the_sort_key_on_vietnamese_names(pair):
    a, b = pair
    assert sign(stored_sort_key(a), stored_sort_key(b)) == sign(sort_key(a), sort_key(b))


@settings(max_examples=500, deadline=None)
@given(st.text(), st.text())
def test_stored_key_orders_as_the_sort_key_on_any_text(a, b):
    assert sign(stored_sort_key(a), stored_sort_key(b)) == sign(sort_key(a), sort_key(b))
    assert sign(stored_sort_key(a + b), stored_sort_key(a)) == sign(sort_key(a + b),
                                                                     sort_key(a))


def test_stored_key_of_nfd_is_that_of_nfc_and_the_separator_is_below_every_weight():
    name = "Chi bộ Tổ dân phố Đông Hà"
    assert stored_sort_key(unicodedata.normalize("NFD", name)) == stored_sort_key(name)
    weights = {char for value in ALPHABET + ["Chi bộ 12", "ß", "中", "½", "\u20ab"]
               for level in sort_key(value) for char in level}
    assert min(weights) > text_module._LEVEL_SEPARATOR


def keys_of(office, cell_id):
    with office.read() as session:
        return session.execute(select(Cell.name, Cell.code, Cell.name_key, Cell.code_key)
                               .where(Cell.id == cell_id)).one()


def test_adding_and_renaming_a_cell_keep_its_keys_and_the_log_has_none(office):
    cell = add_cell(office, "CB1", "Chi bộ Tổ dân phố 2")
    name, code, name_key, code_key = keys_of(office, cell.id)
    assert (name_key, code_key) == (stored_sort_key(name), stored_sort_key(code))
    update_cell(office, cell.id, name="Chi bộ Đảng viên", code="Đ1")
    name, code, name_key, code_key = keys_of(office, cell.id)
    assert name == "Chi bộ Đảng viên"
    assert (name_key, code_key) == (stored_sort_key("Chi bộ Đảng viên"), stored_sort_key("Đ1"))
    with office.read() as session:
        entries = session.execute(select(AuditEntry.action, AuditEntry.field,
                                         AuditEntry.new_value)
                                  .where(AuditEntry.table_name == "cells",
                                         AuditEntry.row_id == cell.id)).all()
    assert {entry.field for entry in entries if entry.action == "update"} == {"name", "code"}
    inserted = json.loads(next(e.new_value for e in entries if e.action == "insert"))
    assert "name_key" not in inserted and "code_key" not in inserted


def test_a_core_insert_of_cells_writes_their_keys(office):
    # As the benchmarks' city and any bulk path write cells: one INSERT for many rows.
    with office.write("cells") as session:
        session.execute(insert(Cell.__table__), [
            {"organisation_id": office.organisation_id, "code": f"K{number}",
             "name": f"Chi bộ Khối {number}", "version": 1} for number in (3, 12, 1)])
    with office.read() as session:
        rows = session.execute(select(Cell.name, Cell.code, Cell.name_key, Cell.code_key)).all()
    assert len(rows) == 3
    for row in rows:
        assert (row.name_key, row.code_key) == (stored_sort_key(row.name),
                                                stored_sort_key(row.code))


def test_keys_of_another_order_version_are_made_again_when_the_file_is_opened(db, office):
    first = add_cell(office, "CB1", "Chi bộ Ân")
    second = add_cell(office, "CB2", "Chi bộ An")
    with office.read() as session:
        assert sort_keys.stored_version(session) == str(SORT_KEY_VERSION)
    with db.engine.begin() as connection:   # as an older program's order would have left it
        connection.execute(text("UPDATE cells SET name_key = NULL WHERE id = :id"),
                           {"id": first.id})
        connection.execute(text("UPDATE cells SET code_key = :key WHERE id = :id"),
                           {"id": second.id, "key": b"\x00"})
        connection.execute(text("UPDATE safety_meta SET value = '0' WHERE key = :key"),
                           {"key": sort_keys.VERSION_KEY})
    audit_rows = _audit_count(office)
    other = open_database(db.target)
    try:
        office_again = Office(other)
        assert keys_of(office_again, first.id)[2] == stored_sort_key("Chi bộ Ân")
        assert keys_of(office_again, second.id)[3] == stored_sort_key("CB2")
        with office_again.read() as session:
            assert sort_keys.keys_current(session)
        assert _audit_count(office_again) == audit_rows      # derived data: not a change
        assert sort_keys.bring_up_to_date(other) == 0          # current: nothing written
    finally:
        other.close()


def _audit_count(office) -> int:
    with office.read() as session:
        return len(session.scalars(select(AuditEntry.id)).all())


# Names and codes that the byte order of plain text gets wrong.
TRICKY = [
    ("CB10", "Chi bộ Tổ dân phố 12"), ("CB9", "Chi bộ Tổ dân phố 2"),
    ("cb1", "Chi bộ Tổ dân phố 02 B"), ("Đ1", "Chi bộ Đảng"), ("D2", "Chi bộ Dân"),
    ("E1", "chi bộ an"), ("E2", "Chi bộ Án"), ("E3", "Chi bộ ân"), ("e4", "Chi bộ Ấp"),
    ("F1", unicodedata.normalize("NFD", "Chi bộ Tổ dân phố 3")), ("F2", "Chi bộ - Khối cơ quan"),
    ("F3", "Chi bộ “Khu A”"), ("F4", "CHI BỘ ZEN"), ("F5", "Chi bộ Ỷ"), ("F6", "Chi bộ Y"),
]


def python_order(listing, rows, column, descending):
    """The order the program gave in Python before the database did: rows without a value
    last either way; equal values by name (Vietnamese order), then id."""
    by_name = sorted(sorted(rows, key=lambda row: row["id"]), key=lambda row: sort_key(row["name"]))
    if column == "name":
        return [row["id"] for row in sorted(by_name, key=lambda row: sort_key(row["name"]),
                                            reverse=descending)]

    def value(row):
        if column == "state":
            return -1 if row["received_on"] is None else listing.days_late(row["received_on"])
        return row[column]

    kind = listing.column(column).kind
    present = [row for row in by_name if value(row) is not None]
    missing = [row for row in by_name if value(row) is None]
    present.sort(key=(lambda row: sort_key(value(row))) if kind == TEXT else value,
                 reverse=descending)
    return [row["id"] for row in present + missing]


def test_the_database_orders_the_registrations_as_the_program_does(office):
    cells = [add_cell(office, code, name) for code, name in TRICKY]
    signers = ["Nguyễn Văn Ân", "nguyễn văn an", "Đỗ Thị B", "Lê C", "Lê C"]
    days = [dt.date(2023, 3, day) for day in (1, 10, 11, 12, 12, 30, 9, 10)]
    for number, cell in enumerate(cells):
        if number % 5 == 4:
            continue                                   # no registration: missing
        fields = {"signer": signers[number % len(signers)]} if number % 3 else {}
        if number % 4:
            fields["members_count"] = 10 + number % 3
        save_registration(office, cell.id, 2023, received_on=days[number % len(days)],
                          **fields)
    listing = RegistrationListing(office, 2023)
    rows = []
    for cell in cells:
        shown = listing.shown([cell.id])[cell.id].item
        rows.append({"id": cell.id, "code": shown.code, "name": shown.name,
                     "received_on": shown.received_on, "title": shown.title,
                     "members_count": shown.members_count, "signer": shown.signer})
    for column in listing.columns:
        for descending in (False, True):
            ids = listing.ordered_ids(Query(column.key, descending))
            assert ids == python_order(listing, rows, column.key, descending), (
                column.key, descending)
    late = [row["id"] for row in rows if listing.days_late(row["received_on"]) > 0]
    assert late and sorted(listing.ordered_ids(Query("name", filter="late"))) == sorted(late)
    missing = [row["id"] for row in rows if row["received_on"] is None]
    assert listing.ordered_ids(Query("code", filter="missing")) == [
        row_id for row_id in python_order(listing, rows, "code", False) if row_id in missing]
    assert listing.counts == {"active": len(rows), "registered": len(rows) - len(missing),
                              "late": len(late), "missing": len(missing)}
    found = listing.ordered_ids(Query("signer", True, search="van an"))
    wanted = {row["id"] for row in rows if all(word in fold(" ".join(
        row[key] for key in ("code", "name", "signer", "title") if row[key]), accents=False)
        for word in ("van", "an"))}
    assert found and found == [row_id for row_id in python_order(listing, rows, "signer", True)
                               if row_id in wanted]
    assert [name for _id, name in listing.cells()] == [
        next(row["name"] for row in rows if row["id"] == row_id)
        for row_id in python_order(listing, rows, "name", False)]


@pytest.mark.parametrize("inclusive", [True, False])
def test_late_in_sql_reads_the_deadline_day_as_the_rules_do(office, inclusive):
    listing = RegistrationListing(office, 2023)
    if listing.deadline is None:
        pytest.skip("no deadline")
    listing.inclusive = inclusive
    cells = [add_cell(office, f"L{number}", f"Chi bộ L{number}") for number in range(3)]
    for offset, cell in zip((-1, 0, 1), cells):
        save_registration(office, cell.id, 2023,
                          received_on=listing.deadline + dt.timedelta(days=offset))
    late = listing.ordered_ids(Query("name", filter="late"))
    assert late == [cell.id for cell in cells if listing.days_late(
        listing.shown([cell.id])[cell.id].item.received_on) > 0]
    assert len(late) == (1 if inclusive else 2)
