"""Hostile and broken files against the Excel importer (when it exists): each one gets a clear
message (a UserError, never a crash) and the database is unchanged, row for row (checksum)."""

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.safety.check import table_checksum
from tests import hostile_files

importer = pytest.importorskip("chibo4tot_desktop.excel.importer")

YEAR = 2024
SECONDS_PER_FILE = 30


def attempt(office, path):
    """Import ``path``; return "refused", "nothing" (accepted, nothing written) or raise."""
    try:
        _plan, outcome = importer.import_files(office, YEAR, [path])
    except UserError as error:
        message = str(error)
        assert message.strip(), "an empty error message"
        assert "Traceback" not in message
        return "refused"
    added = getattr(outcome, "added", None)
    updated = getattr(outcome, "updated", None)
    assert not added and not updated, f"{path.name} was imported: {outcome}"
    return "nothing"


@pytest.mark.parametrize("name", sorted(hostile_files.GENERATORS))
def test_hostile_file_is_refused_and_changes_nothing(demo_office, db_path, tmp_path, name):
    codes = [cell.code for cell in queries.cells(demo_office)]
    path = hostile_files.GENERATORS[name](tmp_path / f"{name}.xlsx", codes)
    before = table_checksum(db_path)
    started = time.monotonic()
    attempt(demo_office, path)
    assert time.monotonic() - started < SECONDS_PER_FILE
    assert table_checksum(db_path) == before


def test_a_valid_list_does_import(demo_office, db_path, tmp_path):
    """The control: the same kind of file, all rows good, changes the database."""
    codes = [cell.code for cell in queries.cells(demo_office)][:3]
    path = hostile_files.openpyxl_list(
        tmp_path / "tot.xlsx",
        [hostile_files.HEADERS] + [[i + 1, code, "", "05/03/2026", 30, "Người ký mới"]
                                   for i, code in enumerate(codes)])
    before = table_checksum(db_path)
    importer.import_files(demo_office, 2026, [path])     # the demo's open year
    assert table_checksum(db_path) != before


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4000))
def test_random_bytes_are_refused(demo_office, db_path, tmp_path, data):
    path = tmp_path / "ngau-nhien.xlsx"
    path.write_bytes(data)
    before = table_checksum(db_path)
    assert attempt(demo_office, path) in ("refused", "nothing")
    assert table_checksum(db_path) == before


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), flips=st.integers(1, 200))
def test_randomly_damaged_workbooks_are_refused(demo_office, db_path, tmp_path, seed, flips):
    path = hostile_files.mutated_xlsx(tmp_path / "hong.xlsx", ["KHONG-CO"], seed, flips)
    before = table_checksum(db_path)
    attempt(demo_office, path)
    assert table_checksum(db_path) == before
