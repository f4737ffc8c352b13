"""Durability: a change reported saved survives the program being killed at any moment.

A child process (tests/crash_child.py) edits the data file in a loop and logs each change
after its commit returned; the parent kills it with SIGKILL at a random moment, then checks
that the file passes integrity_check and that every logged change is there. Repeated
CRASH_TRIALS times (100 by default) on the same file, so each trial also starts from the
state - and the stale lock - the previous killed child left.
"""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.setup import create_organisation, create_phase
from chibo4tot_desktop.safety.opening import open_for_writing

CHILD = Path(__file__).with_name("crash_child.py")
ROOT = Path(__file__).resolve().parent.parent
TRIALS = int(os.environ.get("CRASH_TRIALS", "100"))

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")]


def _prepare(path: Path) -> None:
    db = open_database(path)
    try:
        office = Office(db)
        create_organisation(office, "TG", "Đảng bộ phường Tân Giang")
        create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025)
        for number in range(1, 5):
            add_cell(office, f"BASE{number}", f"Chi bộ gốc {number}")
    finally:
        db.close()


def _verify(path: Path, log: Path, trial: int) -> list[str]:
    """What the killed child reported saved but the file does not hold (empty: all good)."""
    errors = []
    connection = sqlite3.connect(path)
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
        if result != [("ok",)]:
            return [f"integrity_check: {result[:3]}"]
        codes = {row[0] for row in connection.execute("SELECT code FROM cells")}
        secretaries = dict(connection.execute("SELECT id, secretary FROM cells"))
        notes = dict(connection.execute(
            "SELECT cell_id, notes FROM evaluations WHERE year = 2024 AND cell_id IS NOT NULL"))
        signers = dict(connection.execute(
            "SELECT cell_id, signer FROM registrations WHERE year = 2024"))
        evaluations_without_scores = connection.execute(
            "SELECT count(*) FROM evaluations e WHERE e.year = 2024 AND NOT EXISTS "
            "(SELECT 1 FROM scores s WHERE s.evaluation_id = e.id)").fetchone()[0]
    finally:
        connection.close()

    def sequence(text):
        return int(text.rsplit(" ", 1)[-1]) if text and text[-1].isdigit() else -1

    latest: dict[tuple[str, int], int] = {}
    logged_codes = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        kind, key, number = line.split(" ")
        if kind == "cell":
            logged_codes.add(key)
            if key not in codes:
                errors.append(f"lost cell {key}")
        else:
            latest[(kind, int(key))] = int(number)
    for (kind, cell_id), number in latest.items():
        stored = {"secretary": secretaries, "evaluation": notes,
                  "registration": signers}[kind].get(cell_id)
        if sequence(stored) < number:
            errors.append(f"lost {kind} of cell {cell_id}: {stored!r} < {number}")
    unlogged = {code for code in codes if code.startswith(f"K{trial}-")} - logged_codes
    if len(unlogged) > 1:   # at most the one change in flight when the child died
        errors.append(f"cells nobody logged: {sorted(unlogged)}")
    if evaluations_without_scores:
        errors.append("an evaluation committed without its scores")
    return errors


def _run_trials(tmp_path: Path, trials: int, seed: int, **extra_env):
    """Run the trials; return (failures, changes logged, the data file)."""
    path = tmp_path / "data.sqlite3"
    log = tmp_path / "commits.log"
    _prepare(path)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               **extra_env)
    rng = random.Random(seed)
    failures = []
    for trial in range(trials):
        child = subprocess.Popen([sys.executable, str(CHILD), str(path), str(log), str(trial)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        try:
            ready = child.stdout.readline().decode().strip()
            assert ready == "ready", child.stderr.read().decode()
            time.sleep(rng.uniform(0.0, 0.35))
            if child.poll() is not None:   # it must still be working when killed
                pytest.fail(f"trial {trial}: child ended early: {child.stderr.read().decode()}")
            child.send_signal(signal.SIGKILL)
            child.wait(10)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
            child.stderr.close()
        errors = _verify(path, log, trial)
        if errors:
            failures.append((trial, errors))
    return failures, len(log.read_text(encoding="utf-8").splitlines()), path


def test_killed_at_random_moments_loses_no_saved_change(tmp_path):
    started = time.monotonic()
    failures, changes, path = _run_trials(tmp_path, TRIALS,
                                          int(os.environ.get("CRASH_SEED", "6")))
    elapsed = time.monotonic() - started
    print(f"\ncrash trials: {TRIALS}, failures: {len(failures)}, changes logged: {changes}, "
          f"time: {elapsed:.0f} s")
    assert failures == []
    assert changes > TRIALS          # the children really were writing when killed
    # The file still opens normally for writing, and the office reads it.
    db = open_for_writing(path)
    try:
        assert len(queries.cells(Office(db))) >= 4
    finally:
        db.close()


def test_the_crash_check_catches_a_program_that_says_saved_too_early(tmp_path):
    """Negative control: logging before the commit must show up as lost changes."""
    failures, changes, _path = _run_trials(tmp_path, 20, 7, CRASH_LOG_EARLY="1")
    assert changes > 20
    assert failures, "the verifier did not notice changes reported before their commit"
    assert any("lost" in error for _trial, errors in failures for error in errors)
