"""Fuzzing the Excel import with hostile workbooks (a seeded generator, tests/hostile_files.py):
far cells with and without <dimension>, cells without addresses, shared strings used
thousands of times, declared counts, truncated zips, bit flips, odd row numbers, cells inside
cells, zip tricks, parts that inflate to more than they declare.

Whatever the file: the importer returns or raises a UserError (a Vietnamese sentence, never a
traceback), the database is unchanged, and no reading process grows past a bound. The long
version, through the real command and thousands of files: benchmarks/fuzz_import.py.
"""

from __future__ import annotations

import collections
import sys

import pytest

from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.excel import importer
from chibo4tot_desktop.safety.check import table_checksum
from tests import hostile_files

SEED = 18_000
CASES = 200
YEAR = 2023
READER_PEAK_BOUND = 512 * 1024 * 1024


def children_peak() -> int | None:
    """The largest resident size of any child this process has waited for (bytes)."""
    if sys.platform == "win32":
        return None
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def test_hostile_workbooks_are_refused_and_change_nothing(demo_office, db_path, tmp_path):
    before = table_checksum(db_path)
    peak_before = children_peak()
    seen = collections.Counter()
    for case in range(CASES):
        family, path = hostile_files.fuzz_case(SEED + case, tmp_path / f"{case}.xlsx",
                                               ["KHONG-CO"])
        try:
            _plan, outcome = importer.import_files(demo_office, YEAR, [path])
        except UserError as error:
            message = str(error)
            assert message.strip() and "Traceback" not in message, (case, family)
            seen[family, "refused"] += 1
        else:
            assert not outcome.added and not outcome.updated, (case, family, outcome)
            seen[family, "nothing"] += 1
        assert table_checksum(db_path) == before, f"case {SEED + case} ({family})"
        path.unlink()
    assert {family for family, _ in seen} == set(hostile_files.FUZZ_FAMILIES), seen
    peak = children_peak()
    if peak is not None:
        assert peak <= max(peak_before, READER_PEAK_BOUND), f"{peak // 2**20} MB"


@pytest.mark.parametrize("seed", range(12))
def test_the_generator_is_reproducible(tmp_path, seed):
    first = hostile_files.fuzz_case(seed, tmp_path / "a.xlsx", ["X"])
    second = hostile_files.fuzz_case(seed, tmp_path / "b.xlsx", ["X"])
    assert first[0] == second[0]
    assert first[1].read_bytes() == second[1].read_bytes()


def test_reading_while_measuring_answers_every_hostile_file_alike(tmp_path, monkeypatch):
    """A child that reads while the file is measured (POSIX, a large file: here every file)
    gives what a child reading after the measure gives: the same values, or the same
    sentence (the measure's when it refuses, the child's own when the measure passed)."""
    from chibo4tot_desktop.excel import reader

    monkeypatch.setattr(reader, "EARLY_START_BYTES", 0)
    answers = collections.Counter()
    for case in range(100):
        family, path = hostile_files.fuzz_case(SEED + case, tmp_path / f"{case}.xlsx",
                                               ["TDP01", "TDP02"])
        outcomes = []
        for while_measuring in (False, True):
            monkeypatch.setattr(reader, "READ_WHILE_MEASURING", while_measuring)
            try:
                outcomes.append([(sheet.name, sheet.rows) for sheet in reader.read_workbook(path)])
            except UserError as error:
                outcomes.append(str(error))
        assert outcomes[0] == outcomes[1], f"case {SEED + case} ({family})"
        answers["refused" if isinstance(outcomes[1], str) else "read"] += 1
    assert answers["refused"] and answers["read"], answers
