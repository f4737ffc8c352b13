"""Durability: a change reported saved survives the program being killed at any moment.

A child process (tests/crash_child.py) edits the data file in a loop and logs each change
after its commit returned; the parent waits for the child's signal (as long as a busy machine
needs), kills it with SIGKILL a random delay later, then checks that the file passes
integrity_check and that every logged change is there. Repeated
CRASH_TRIALS times (100 by default) on the same file, so each trial also starts from the
state - and the stale lock - the previous killed child left.
"""

import os
import random
import select
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
    for line in _log_lines(log):
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


# How long a child may take to start or to make its first change. Only a hung child comes
# near it: a busy machine makes the wait longer, never the test fail.
SIGNAL_TIMEOUT = float(os.environ.get("CRASH_SIGNAL_TIMEOUT", "300"))


def _wait_for(child: subprocess.Popen, word: str, stderr_path: Path, trial: int) -> None:
    """Block until the child prints ``word`` on its own line (see crash_child.py)."""
    deadline = time.monotonic() + SIGNAL_TIMEOUT
    received = b""
    descriptor = child.stdout.fileno()
    while word.encode() not in received.splitlines():
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            pytest.fail(f"trial {trial}: no '{word}' from the child within {SIGNAL_TIMEOUT:.0f} "
                        f"s: {stderr_path.read_text(encoding='utf-8', errors='replace')}")
        readable, _, _ = select.select([descriptor], [], [], remaining)
        if readable:
            chunk = os.read(descriptor, 4096)
            if not chunk:   # the child ended before saying it
                child.wait()
                pytest.fail(f"trial {trial}: the child ended before '{word}': "
                            f"{stderr_path.read_text(encoding='utf-8', errors='replace')}")
            received += chunk


def _trials_in_log(log: Path) -> set[int]:
    """The trials that logged at least one change (sequence = trial * 1,000,000 + step)."""
    return {int(line.rsplit(" ", 1)[-1]) // 1_000_000 for line in _log_lines(log)}


def _log_lines(log: Path) -> list[str]:
    # The parent creates the log and every child appends to it; an empty log is a valid
    # outcome of a child killed before its first change.
    return log.read_text(encoding="utf-8").splitlines()


def _run_trials(tmp_path: Path, trials: int, seed: int, *, killed_while_opening: float,
                **extra_env):
    """Run the trials; return (failures, the trials that waited for a first change, the
    changes logged, the data file).

    Each trial starts a child and waits - as long as the machine needs - for its signal: for a
    share ``killed_while_opening`` of the trials "ready" (imports done; the kill may then land
    while opening the file or while writing), for the others - always the first - "writing"
    (its first change is logged; the kill lands among the writes). Only then does the random delay before SIGKILL
    start, so how fast the machine is decides where in its work the child dies, never whether
    the test holds.
    """
    path = tmp_path / "data.sqlite3"
    log = tmp_path / "commits.log"
    stderr_path = tmp_path / "child-stderr.txt"
    _prepare(path)
    log.touch()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
               **extra_env)
    rng = random.Random(seed)
    failures = []
    writing_trials = set()
    for trial in range(trials):
        from_start_up = rng.random() < killed_while_opening and trial > 0
        signal_word = "ready" if from_start_up else "writing"
        if signal_word == "writing":
            writing_trials.add(trial)
        with stderr_path.open("wb") as stderr:
            child = subprocess.Popen([sys.executable, str(CHILD), str(path), str(log),
                                      str(trial)],
                                     stdout=subprocess.PIPE, stderr=stderr, env=env)
        try:
            _wait_for(child, signal_word, stderr_path, trial)
            time.sleep(rng.uniform(0.0, 0.35))
            if child.poll() is not None:   # it must still be working when killed
                pytest.fail(f"trial {trial}: child ended early: "
                            f"{stderr_path.read_text(encoding='utf-8', errors='replace')}")
            child.send_signal(signal.SIGKILL)
            child.wait()
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            child.stdout.close()
        errors = _verify(path, log, trial)
        if errors:
            failures.append((trial, errors))
    return failures, writing_trials, len(_log_lines(log)), path


def test_killed_at_random_moments_loses_no_saved_change(tmp_path):
    started = time.monotonic()
    failures, writing_trials, changes, path = _run_trials(
        tmp_path, TRIALS, int(os.environ.get("CRASH_SEED", "6")), killed_while_opening=0.25)
    elapsed = time.monotonic() - started
    print(f"\ncrash trials: {TRIALS} ({TRIALS - len(writing_trials)} from start-up), "
          f"failures: {len(failures)}, changes logged: {changes}, time: {elapsed:.0f} s")
    assert failures == []
    # The children really were writing when killed: every trial that waited for a first
    # change has it in the log.
    assert writing_trials <= _trials_in_log(tmp_path / "commits.log")
    # The file still opens normally for writing, and the office reads it.
    db = open_for_writing(path)
    try:
        assert len(queries.cells(Office(db))) >= 4
    finally:
        db.close()


def test_the_crash_check_catches_a_program_that_says_saved_too_early(tmp_path):
    """Negative control: logging before the commit must show up as lost changes."""
    failures, writing_trials, _changes, _path = _run_trials(
        tmp_path, 20, 7, killed_while_opening=0.0, CRASH_LOG_EARLY="1")
    assert writing_trials == set(range(20)) == _trials_in_log(tmp_path / "commits.log")
    assert failures, "the verifier did not notice changes reported before their commit"
    assert any("lost" in error for _trial, errors in failures for error in errors)
