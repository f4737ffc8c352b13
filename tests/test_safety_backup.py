"""Backups: the backup API snapshot, names, thinning on fixed dates, automatic backups,
backup before migrating an older file, restore returning exactly the data of that moment."""

import datetime as dt
import os
import sqlite3
import time

import pytest
from sqlalchemy import text

from chibo4tot_desktop.db.engine import (
    HEAD_REVISION,
    make_engine,
    open_database,
    run_migrations,
)
from chibo4tot_desktop.errors import DataFileError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.safety import backup as backup_module
from chibo4tot_desktop.safety.backup import (
    AutoBackup,
    ThinPolicy,
    backup_name,
    keep_set,
    list_backups,
    make_backup,
    parse_backup_name,
    thin_backups,
)
from chibo4tot_desktop.safety.check import table_checksum
from chibo4tot_desktop.safety.lock import DataFileLockedError, WriterLock
from chibo4tot_desktop.safety.opening import open_for_writing
from chibo4tot_desktop.safety.restore import restore_backup

D = dt.datetime


# ------------------------------------------------------------------------------- thinning
def test_keep_set_recent_daily_weekly_monthly_on_fixed_dates():
    now = D(2025, 3, 20, 12, 0)          # a Thursday
    times = [
        D(2025, 3, 20, 11, 0), D(2025, 3, 20, 10, 0), D(2025, 3, 20, 9, 0),
        D(2025, 3, 20, 8, 0), D(2025, 3, 20, 7, 0), D(2025, 3, 20, 6, 0),  # 6 today
        D(2025, 3, 19, 18, 0), D(2025, 3, 19, 9, 0),                        # yesterday
        D(2025, 3, 10, 9, 0),                                               # 10 days ago
        D(2025, 3, 5, 17, 0), D(2025, 3, 5, 8, 0),                          # 15 days ago
        D(2025, 2, 26, 9, 0),                                               # 4th week back
        D(2025, 1, 2, 9, 0), D(2025, 1, 30, 9, 0),                          # January
        D(2023, 4, 1, 9, 0), D(2023, 4, 15, 9, 0),                          # 23 months back
        D(2023, 3, 31, 9, 0),                                               # 24 months back
    ]
    policy = ThinPolicy(recent=5, days=14, weeks=8, months=24)
    keep = keep_set(times, now, policy)
    # The five newest, whatever their age.
    assert {D(2025, 3, 20, h, 0) for h in (11, 10, 9, 8, 7)} <= keep
    assert D(2025, 3, 20, 6, 0) not in keep          # 6th of the day, day bucket has 11:00
    assert D(2025, 3, 19, 18, 0) in keep and D(2025, 3, 19, 9, 0) not in keep
    assert D(2025, 3, 10, 9, 0) in keep               # its own day within 14 days
    # 5 March is 15 days back: outside the daily window; its week (3-9 March) keeps its newest.
    assert D(2025, 3, 5, 17, 0) in keep and D(2025, 3, 5, 8, 0) not in keep
    assert D(2025, 2, 26, 9, 0) in keep               # a week of its own
    # January: the newest copy of the month only (both are older than 8 weeks).
    assert D(2025, 1, 30, 9, 0) in keep and D(2025, 1, 2, 9, 0) not in keep
    # April 2023 is 23 months back (kept: its newest); March 2023 is the 25th month.
    assert D(2023, 4, 15, 9, 0) in keep and D(2023, 4, 1, 9, 0) not in keep
    assert D(2023, 3, 31, 9, 0) not in keep


def test_keep_set_week_boundary_is_monday():
    now = D(2025, 3, 17, 8, 0)            # Monday
    sunday, saturday = D(2025, 3, 16, 20, 0), D(2025, 3, 15, 20, 0)
    keep = keep_set([now, sunday, saturday], now, ThinPolicy(recent=1, days=0, weeks=2,
                                                             months=0))
    # Sunday and Saturday are in last week: only its newest (Sunday) stays.
    assert keep == {now, sunday}


def test_keep_set_never_drops_future_times_or_the_newest():
    now = D(2025, 1, 1)
    future = D(2030, 1, 1)
    old = D(2000, 1, 1)
    assert keep_set([future, old], now, ThinPolicy(recent=0, days=0, weeks=0, months=0)) \
        == {future}
    assert keep_set([old], now, ThinPolicy(recent=1, days=0, weeks=0, months=0)) == {old}
    assert keep_set([], now) == set()


def test_keep_set_bounds_the_number_of_copies():
    now = D(2025, 12, 31, 23, 0)
    hourly_for_three_years = [now - dt.timedelta(hours=h) for h in range(3 * 365 * 24)]
    keep = keep_set(hourly_for_three_years, now)
    assert len(keep) <= 5 + 14 + 8 + 24
    assert max(hourly_for_three_years) in keep


def test_backup_names_round_trip_and_foreign_files_are_ignored(tmp_path):
    data = tmp_path / "du-lieu.sqlite3"
    name = backup_name(data, D(2025, 3, 1, 7, 5, 9), "tu-dong")
    assert name == "du-lieu-2025-03-01_070509-tu-dong.sqlite3"
    assert parse_backup_name(name, "du-lieu") == (D(2025, 3, 1, 7, 5, 9), "tu-dong")
    assert parse_backup_name("du-lieu-2025-03-01_070509-tu-dong-2.sqlite3", "du-lieu") == (
        D(2025, 3, 1, 7, 5, 9), "tu-dong")
    assert parse_backup_name(name, "khac") is None
    assert parse_backup_name("du-lieu-2025-13-01_070509-x.sqlite3") is None
    assert parse_backup_name("ghi-chu.txt") is None


def test_thin_backups_deletes_files_outside_the_keep_set(tmp_path, db_path, db):
    folder = backup_module.backups_dir(db_path)
    folder.mkdir()
    now = D(2025, 6, 30, 12, 0)
    times = [now - dt.timedelta(days=d) for d in range(0, 120)]
    for moment in times:
        (folder / backup_name(db_path, moment, "tu-dong")).write_bytes(b"x")
    (folder / "ghi-chu.txt").write_text("không phải bản sao lưu")
    deleted = thin_backups(db_path, now)
    left = {info.taken_at for info in list_backups(db_path)}
    assert left == keep_set(times, now)
    assert len(deleted) == 120 - len(left)
    assert (folder / "ghi-chu.txt").exists()


def test_thinning_removes_temporaries_left_by_a_crash_but_not_fresh_ones(db_path, db):
    folder = backup_module.backups_dir(db_path)
    folder.mkdir()
    stale = folder / ".data-2025-01-01_000000-tu-dong.sqlite3.4242.tmp"
    fresh = folder / ".data-2025-01-01_000001-tu-dong.sqlite3.4243.tmp"
    stale.write_bytes(b"half a backup")
    fresh.write_bytes(b"being written")
    old = time.time() - 2 * backup_module.STALE_TEMPORARY_SECONDS
    os.utime(stale, (old, old))
    thin_backups(db_path)
    assert not stale.exists() and fresh.exists()


# ---------------------------------------------------------------------------- the snapshot
def test_backup_holds_committed_changes_still_in_the_wal(office, db_path):
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    wal = db_path.with_name(db_path.name + "-wal")
    assert wal.exists() and wal.stat().st_size > 0   # the change is in the WAL only
    info = make_backup(db_path, "thu-cong")
    assert info.path.parent == db_path.parent / "backups"
    with sqlite3.connect(info.path) as connection:
        assert connection.execute("SELECT code FROM cells").fetchall() == [("TDP01",)]
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    # Self-contained: no WAL beside it, no temporary files left behind.
    assert sorted(p.name for p in info.path.parent.iterdir()) == [info.path.name]
    assert table_checksum(info.path) == table_checksum(db_path)


def test_failed_backup_leaves_no_file(db_path, db, monkeypatch):
    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backup_module.os, "replace", broken_replace)
    with pytest.raises(DataFileError, match="Không ghi được bản sao lưu"):
        make_backup(db_path, "thu-cong")
    assert list(backup_module.backups_dir(db_path).iterdir()) == []


def test_two_backups_in_the_same_second_keep_both(db_path, db):
    moment = D(2025, 5, 5, 5, 5, 5)
    first = make_backup(db_path, "thu-cong", now=moment)
    second = make_backup(db_path, "thu-cong", now=moment)
    assert first.path != second.path and first.path.exists() and second.path.exists()


# ------------------------------------------------------------------------------ automatic
class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def test_auto_backup_only_when_changed_and_at_most_daily(office, db_path):
    clock = Clock(D(2025, 3, 1, 8, 0))
    auto = AutoBackup(db_path, clock)
    assert auto.changed()                      # the organisation and phase were created
    first = auto.run_if_due()
    assert first is not None and first.reason == "tu-dong"
    assert not auto.changed() and auto.run_if_due() is None and auto.on_close() is None

    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    clock.now = D(2025, 3, 1, 20, 0)           # changed, but the last backup is 12 h old
    assert auto.changed() and auto.run_if_due() is None
    clock.now = D(2025, 3, 2, 8, 0)            # a day later
    second = auto.run_if_due()
    assert second is not None and second.taken_at == D(2025, 3, 2, 8, 0)

    add_cell(office, "TDP02", "Chi bộ Tổ dân phố 2")
    clock.now = D(2025, 3, 2, 9, 0)
    closing = auto.on_close()                  # on close: whenever something changed
    assert closing is not None and closing.reason == "khi-dong"
    with sqlite3.connect(closing.path) as connection:
        assert connection.execute("SELECT count(*) FROM cells").fetchone()[0] == 2
    assert auto.on_close() is None
    assert [b.reason for b in list_backups(db_path)] == ["khi-dong", "tu-dong", "tu-dong"]


def test_auto_backup_ignores_an_empty_new_file(db_path, db):
    assert AutoBackup(db_path).on_close() is None
    assert list_backups(db_path) == []


# ------------------------------------------------------------------------------ migration
def _file_at_revision_0001(path):
    engine = make_engine(path)
    run_migrations(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organisations (code, name, upper_body, place_name, created_at) "
            "VALUES ('TG', 'Đảng bộ phường Tân Giang', '', '', '2024-01-01 00:00:00')"))
    engine.dispose()


def test_older_schema_is_migrated_only_after_a_backup(db_path):
    _file_at_revision_0001(db_path)
    before = table_checksum(db_path)
    db = open_database(db_path)
    try:
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT version_num FROM alembic_version")
                                      ).scalar() == HEAD_REVISION
        assert queries.organisation(Office(db)).name == "Đảng bộ phường Tân Giang"
    finally:
        db.close()
    backups = list_backups(db_path)
    assert [b.reason for b in backups] == ["truoc-nang-cap"]
    with sqlite3.connect(backups[0].path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == "0001"
    assert table_checksum(backups[0].path) == before


def test_no_migration_when_the_backup_cannot_be_written(db_path):
    _file_at_revision_0001(db_path)
    backup_module.backups_dir(db_path).write_text("một tệp chắn chỗ thư mục backups")
    with pytest.raises(DataFileError, match="sao lưu"):
        open_database(db_path)
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == "0001"


def test_new_file_and_head_file_take_no_backup(db_path):
    open_database(db_path).close()
    open_database(db_path).close()
    assert list_backups(db_path) == []


# -------------------------------------------------------------------------------- restore
def test_restore_returns_exactly_the_data_of_that_moment(demo_office, db_path):
    moment = table_checksum(db_path)
    taken = make_backup(db_path, "thu-cong")
    cell = queries.cells(demo_office)[0]
    update_cell(demo_office, cell.id, secretary="Người khác")
    add_cell(demo_office, "MOI", "Chi bộ mới", started_on=dt.date(2026, 11, 1))
    changed = table_checksum(db_path)
    assert changed != moment
    demo_office.db.close()

    result = restore_backup(taken.path, db_path)
    assert table_checksum(db_path) == moment
    # The replaced file was kept first, with the later changes in it.
    assert table_checksum(result.previous_saved_to) == changed
    reopened = open_database(db_path)
    try:
        assert "MOI" not in {c.code for c in queries.cells(Office(reopened))}
    finally:
        reopened.close()
    assert not any(p.name.endswith(".tmp") for p in db_path.parent.iterdir())


def test_restore_never_lets_an_old_wal_reach_the_restored_file(office, db_path):
    taken = make_backup(db_path, "thu-cong")
    moment = table_checksum(taken.path)
    for index in range(30):
        add_cell(office, f"C{index:02d}", f"Chi bộ {index}")
    # The writer is still open: its committed pages sit in the WAL.
    office.db.engine.dispose()
    result = restore_backup(taken.path, db_path)
    assert not db_path.with_name(db_path.name + "-wal").exists()
    assert table_checksum(db_path) == moment
    with sqlite3.connect(db_path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert table_checksum(result.previous_saved_to) != moment


@pytest.mark.parametrize("damage", ["not-sqlite", "corrupt", "newer", "foreign"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(office, db_path, tmp_path, damage):
    bad = tmp_path / "bad.sqlite3"
    if damage == "not-sqlite":
        bad.write_bytes(b"PK\x03\x04 a spreadsheet")
    elif damage == "foreign":
        with sqlite3.connect(bad) as connection:
            connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    else:
        make_backup(db_path, "thu-cong", target=bad)
        if damage == "newer":
            with sqlite3.connect(bad) as connection:
                connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        else:
            data = bytearray(bad.read_bytes())
            for offset in range(4096, len(data), 4096):
                data[offset + 8:offset + 200] = os.urandom(192)
            bad.write_bytes(bytes(data))
    before = table_checksum(db_path)
    with pytest.raises(DataFileError, match="Không khôi phục được"):
        restore_backup(bad, db_path)
    assert table_checksum(db_path) == before
    assert list_backups(db_path) == []   # refused before backing the current file up


def test_restore_reports_a_file_it_cannot_replace(office, db_path, monkeypatch):
    from chibo4tot_desktop.safety import restore as restore_module

    taken = make_backup(db_path, "thu-cong")
    add_cell(office, "SAU", "Chi bộ sau")
    before = table_checksum(db_path)

    real_replace = os.replace

    def refused(src, dst):   # Windows, while another program has the data file open
        if os.fspath(dst) == os.fspath(db_path):
            raise PermissionError(13, "The process cannot access the file")
        real_replace(src, dst)

    monkeypatch.setattr(restore_module.os, "replace", refused)
    with pytest.raises(DataFileError, match="chưa bị thay đổi"):
        restore_backup(taken.path, db_path)
    assert table_checksum(db_path) == before
    assert not any(p.name.endswith(".tmp") for p in db_path.parent.iterdir())


def test_restore_refuses_while_the_file_is_open_for_writing(office, db_path):
    taken = make_backup(db_path, "thu-cong")
    holder = WriterLock(db_path).acquire()
    try:
        with pytest.raises(DataFileLockedError):
            restore_backup(taken.path, db_path)
    finally:
        holder.release()


def test_restore_over_a_damaged_file_keeps_its_bytes(office, db_path):
    taken = make_backup(db_path, "thu-cong")
    office.db.close()
    data = bytearray(db_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    db_path.write_bytes(bytes(data))
    for extra in ("-wal", "-shm"):
        db_path.with_name(db_path.name + extra).unlink(missing_ok=True)
    result = restore_backup(taken.path, db_path)
    assert result.previous_saved_to.read_bytes() == bytes(data)
    assert table_checksum(db_path) == table_checksum(taken.path)


def test_restore_and_reopen_hands_back_an_open_file_when_it_fails(office, db_path,
                                                                 monkeypatch):
    from chibo4tot_desktop.safety.opening import restore_and_reopen

    taken = make_backup(db_path, "thu-cong")
    add_cell(office, "SAU", "Chi bộ sau")
    real_replace = os.replace

    def refused(src, dst):
        if os.fspath(dst) == os.fspath(db_path):
            raise PermissionError(13, "busy")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", refused)
    with pytest.raises(DataFileError) as caught:
        restore_and_reopen(office.db, taken.path)
    reopened = caught.value.database
    try:
        assert reopened.lock.held
        assert "SAU" in {c.code for c in queries.cells(Office(reopened))}
    finally:
        reopened.close()
    # A bad backup is refused before the open file is even closed.
    bad = db_path.parent / "bad.sqlite3"
    bad.write_bytes(b"not a database at all")
    db = open_for_writing(db_path)
    try:
        with pytest.raises(DataFileError, match="Không khôi phục được"):
            restore_and_reopen(db, bad)
        assert db.lock.held and queries.cells(Office(db))
    finally:
        db.close()


def test_a_new_session_factory_always_gets_the_audit_listener():
    """Regression: the change counter of the automatic backups is the audit log.

    ``audit.install`` used ``event.contains``, which answers True for a new session factory
    that reuses the id() of a freed one; such a database (reopened after a restore, say)
    saved changes without audit rows.
    """
    import gc

    from sqlalchemy import create_engine, event, func, select
    from sqlalchemy.orm import sessionmaker

    from chibo4tot_desktop.db import audit
    from chibo4tot_desktop.db.models import AuditEntry, Base, Organisation

    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    stale = 0
    for attempt in range(40):
        old = sessionmaker(engine)
        audit.install(old)
        del old
        gc.collect()
        factory = sessionmaker(engine)
        # What fooled the old check: the registry still "contains" the freed factory's entry.
        stale += event.contains(factory, "after_flush", audit._after_flush)
        audit.install(factory)
        with factory() as session:
            session.add(Organisation(code=f"O{attempt}", name="Đảng bộ"))
            session.flush()
            written = session.scalar(select(func.count()).select_from(AuditEntry))
            session.rollback()
        assert written == 1, f"no audit row (attempt {attempt})"
    assert stale, "no stale registration seen; the test did not exercise the bug"
