"""Opening a data file (``safety.opening``) and the commands built on it: one writer, the start
checks for every command, paths taken as paths, refused files left untouched, messages that
say what is really wrong, and the temporaries of interrupted work removed."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import socket
import sqlite3
import time

import pytest

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.demo import build_demo
from chibo4tot_desktop.errors import (
    DataFileDamagedError,
    DataFileEmptyError,
    DataFileMissingError,
    DataFileNewerError,
    DataFileNotOursError,
    DataFileReadOnlyError,
)
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.safety.backup import list_backups, make_backup
from chibo4tot_desktop.safety.check import table_checksum
from chibo4tot_desktop.safety.lock import (
    DataFileLockedError,
    LockLostError,
    WriterLock,
    holder_of,
    lock_path,
)
from chibo4tot_desktop.safety.opening import open_for_reading, open_for_writing
from tests import hostile_files
from tests.lock_holder import held_by_another_program
from tests.permissions import no_root_powers, readonly, writable


def run(capsys, *args):
    code = main([str(arg) for arg in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def demo_file(tmp_path):
    """A closed data file holding the demo ward."""
    path = tmp_path / "phuong.sqlite3"
    db = open_database(path)
    build_demo(Office(db))
    db.close()
    return path


def scribble(path):
    """Overwrite the start of every page after the second one (a damaged disk)."""
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    for offset in range(2 * 4096, len(data), 4096):
        data[offset:offset + 64] = b"\x07" * 64
    path.write_bytes(bytes(data))


def foreign_sqlite(path):
    """Another program's database, in rollback-journal mode (header bytes 18-19 = 1)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE khach_hang (id INTEGER PRIMARY KEY, ten TEXT)")
    connection.execute("INSERT INTO khach_hang (ten) VALUES ('An')")
    connection.commit()
    connection.close()
    return path


def newer_schema(path):
    """A data file as a newer version of the program would leave it, in rollback mode."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode = DELETE")
    connection.execute("UPDATE alembic_version SET version_num = '9999_tuong_lai'")
    connection.commit()
    connection.close()
    return path


def registration_list(path, codes):
    return hostile_files.openpyxl_list(
        path, [hostile_files.HEADERS] + [[i + 1, code, "", "05/03/2026", 30, "Người ký mới"]
                                         for i, code in enumerate(codes)])


# ------------------------------------------------------------------ one writer, everywhere
def test_write_commands_are_refused_while_another_program_holds_the_file(
        tmp_path, demo_file, capsys):
    # 2026: the demo's open year (the years before are decided).
    ward = Office(open_database(demo_file))
    codes = [cell.code for cell in queries.cells(ward)][:3]
    ward.db.close()
    sheet = registration_list(tmp_path / "dang-ky.xlsx", codes)
    backup = make_backup(demo_file, "thu-cong").path
    packet = tmp_path / "goi.zip"
    assert run(capsys, "packet", "export", "--data", demo_file, "--year", "2023", packet)[0] == 0
    city = tmp_path / "thanh-pho.sqlite3"
    fresh = tmp_path / "moi.sqlite3"
    before = table_checksum(demo_file)

    with held_by_another_program(demo_file), held_by_another_program(city), \
            held_by_another_program(fresh):
        for args in (["import", "--data", demo_file, "--year", "2026", sheet],
                     ["restore", "--data", demo_file, backup],
                     ["packet", "import", "--data", city, packet],
                     ["demo", "--data", fresh],
                     ["cells", "add", "--data", demo_file, "--code", "TDP99", "--name",
                      "Chi bộ mới"],
                     ["settings", "set", "--data", demo_file, "--year", "2024",
                      "proposal.signer_name=Nguyễn Văn An"]):
            code, _out, err = run(capsys, *args)
            assert code == 2, (args, err)
            assert f"hoa trên máy {socket.gethostname()}" in err, err
            assert "đóng chương trình đang mở tệp" in err
            assert len(err.strip().splitlines()) == 1
        # Reading is not writing: the same file can be read meanwhile.
        code, out, err = run(capsys, "status", "--data", demo_file, "--year", "2023")
        assert code == 0, err
        assert run(capsys, "import", "--data", demo_file, "--year", "2026", "--dry-run",
                   sheet)[0] == 0
    assert table_checksum(demo_file) == before
    assert not city.exists() and not fresh.exists()
    # Once the other program has closed, the same commands work.
    assert run(capsys, "import", "--data", demo_file, "--year", "2026", sheet)[0] == 0
    _city_trusts_the_ward(city, demo_file)
    assert run(capsys, "packet", "import", "--data", city, packet)[0] == 0


def _city_trusts_the_ward(city, ward_file) -> None:
    """The city registers the ward's signing key (packets prove their sender)."""
    from tests.builders import trust_office

    city_db, ward_db = open_database(city), open_database(ward_file)
    try:
        trust_office(city_db, Office(ward_db))
    finally:
        city_db.close()
        ward_db.close()


def test_a_write_command_holds_the_lock_while_it_writes(demo_file, monkeypatch, capsys):
    """The window opening the file while a command writes is told who has it."""
    seen = []

    def build(office):
        seen.append(holder_of(office.db.path))

    monkeypatch.setattr("chibo4tot_desktop.demo.build_demo", build)
    fresh = demo_file.with_name("moi.sqlite3")
    assert run(capsys, "demo", "--data", fresh)[0] == 0
    assert seen and seen[0] is not None and seen[0].pid == os.getpid()
    assert holder_of(fresh) is None          # released at the end


def test_read_commands_open_read_only_without_the_lock(demo_file, capsys):
    with held_by_another_program(demo_file):
        db = open_for_reading(demo_file)
        try:
            assert db.readonly and db.lock is None
            assert queries.cells(Office(db))
        finally:
            db.close()
        for args in (["cells"], ["status", "--year", "2023"]):
            code, _out, err = run(capsys, *args, "--data", demo_file)
            assert code == 0, err


@pytest.mark.parametrize("args", [["status", "--year", "2023"], ["cells"],
                                  ["export", "cells", "--year", "2023", "ra.xlsx"]])
def test_read_commands_refuse_a_damaged_file(demo_file, tmp_path, capsys, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    scribble(demo_file)
    code, out, err = run(capsys, *args, "--data", demo_file)
    assert code == 2
    assert "bị hỏng" in err and "Traceback" not in err
    assert "Không tìm thấy bản sao lưu tốt" in err
    assert not (tmp_path / "ra.xlsx").exists()


def test_a_damaged_file_names_the_newest_good_backup(demo_file, capsys):
    good = make_backup(demo_file, "thu-cong")
    scribble(demo_file)
    with pytest.raises(DataFileDamagedError) as caught:
        open_for_writing(demo_file)
    assert caught.value.backup is not None and caught.value.backup.path == good.path
    assert str(good.path) in str(caught.value) and "restore" in str(caught.value)
    assert holder_of(demo_file) is None     # the refusal released the lock
    code, _out, err = run(capsys, "cells", "--data", demo_file)
    assert code == 2 and str(good.path) in err


def test_missing_file_is_created_only_when_asked(tmp_path):
    path = tmp_path / "chua-co" / "du-lieu.sqlite3"
    with pytest.raises(DataFileMissingError, match="Không tìm thấy tệp dữ liệu"):
        open_for_writing(path)
    with pytest.raises(DataFileMissingError):
        open_for_reading(path)
    assert not path.parent.exists()
    db = open_for_writing(path, create=True)
    try:
        assert db.lock.held and path.exists()
    finally:
        db.close()


def test_an_older_file_is_upgraded_before_a_read_command(tmp_path, capsys):
    from chibo4tot_desktop.db.engine import HEAD_REVISION, make_engine, run_migrations

    path = tmp_path / "cu.sqlite3"
    engine = make_engine(path)
    run_migrations(engine, "0001")
    engine.dispose()
    db = open_for_reading(path)
    try:
        with db.engine.connect() as connection:
            from chibo4tot_desktop.db.engine import current_revision

            assert current_revision(connection) == HEAD_REVISION
    finally:
        db.close()
    assert any(info.reason == "truoc-nang-cap" for info in list_backups(path))


# ---------------------------------------------------------------------- the lock file
def test_a_deleted_lock_file_is_noticed_at_the_next_write(office, db_path):
    office.db.close()
    db = open_for_writing(db_path)
    mine = Office(db)
    lock_path(db_path).unlink()             # a sync tool or an antivirus
    with pytest.raises(LockLostError, match="đã bị xóa hoặc bị thay.*đã lấy lại khóa"):
        add_cell(mine, "TDP01", "Chi bộ Tổ dân phố 1")
    assert queries.cells(mine) == []               # refused: nothing written
    assert db.lock.still_held()
    add_cell(mine, "TDP01", "Chi bộ Tổ dân phố 1")   # the lock is ours again
    assert [cell.code for cell in queries.cells(mine)] == ["TDP01"]
    with pytest.raises(DataFileLockedError):
        open_for_writing(db_path)
    db.close()
    assert not lock_path(db_path).exists()


def test_after_a_deleted_lock_file_two_writers_never_both_write(office, db_path):
    office.db.close()
    first = open_for_writing(db_path)
    lock_path(db_path).unlink()
    second = open_for_writing(db_path)       # nothing tells it the first is there ...
    try:
        with pytest.raises(LockLostError, match="đang được .* mở để ghi"):
            add_cell(Office(first), "A", "Chi bộ A")   # ... but the first stops writing
        add_cell(Office(second), "B", "Chi bộ B")
        token = json.loads(lock_path(db_path).read_text(encoding="utf-8"))["token"]
        first.close()
        # The first closing did not delete the second's lock file: a third is refused.
        assert lock_path(db_path).exists()
        assert json.loads(lock_path(db_path).read_text(encoding="utf-8"))["token"] == token
        with pytest.raises(DataFileLockedError):
            open_for_writing(db_path)
        assert [cell.code for cell in queries.cells(Office(second))] == ["B"]
    finally:
        second.close()
    assert not lock_path(db_path).exists()


def test_a_replaced_lock_file_is_noticed_and_left_alone(office, db_path):
    office.db.close()
    db = open_for_writing(db_path)
    path = lock_path(db_path)
    copy = path.with_name("khoa-cu.tmp")
    copy.write_text(json.dumps({"user": "lan", "host": "may-khac", "pid": 1, "since": "",
                                "token": "khong-phai-cua-ta"}), encoding="utf-8")
    os.replace(copy, path)                  # e.g. a sync tool bringing back an old copy
    assert not db.lock.still_held()
    with pytest.raises(LockLostError):
        add_cell(Office(db), "A", "Chi bộ A")
    # The replaced file was not locked by anyone: the program took the lock again.
    assert db.lock.still_held()
    db.lock.release()
    db.lock = None
    db.close()
    assert not path.exists()                # our own file (taken again) is removed on close


def test_release_never_deletes_a_lock_file_that_is_not_ours(db_path, db):
    first = WriterLock(db_path).acquire()
    lock_path(db_path).unlink()
    second = WriterLock(db_path).acquire()
    try:
        first.release()
        assert lock_path(db_path).exists() and second.still_held()
        with pytest.raises(DataFileLockedError):
            WriterLock(db_path).acquire()
    finally:
        second.release()
    assert not lock_path(db_path).exists()


def test_a_folder_where_the_lock_file_goes_is_a_message(demo_file, capsys):
    lock_path(demo_file).mkdir()
    with pytest.raises(DataFileReadOnlyError, match="thư mục tên 'phuong.sqlite3.lock'"):
        open_for_writing(demo_file)
    code, _out, err = run(capsys, "demo", "--data", demo_file)
    assert code == 2 and "chiếm chỗ tệp khóa" in err and "Traceback" not in err
    # Reading needs no lock file.
    assert run(capsys, "cells", "--data", demo_file)[0] == 0


# --------------------------------------------------------------------- permissions
@pytest.fixture
def restore_modes():
    changed = []
    yield changed.append
    for path in reversed(changed):
        if path.exists():
            writable(path)


def test_a_read_only_lock_file_is_a_message(demo_file, capsys, restore_modes):
    path = lock_path(demo_file)
    path.write_text("{}")
    readonly(path)
    restore_modes(path)
    with no_root_powers():
        with pytest.raises(DataFileReadOnlyError, match="Tệp khóa .* chỉ đọc"):
            open_for_writing(demo_file)
        code, _out, err = run(capsys, "import", "--data", demo_file, "--year", "2024",
                              demo_file.with_name("khong-co.xlsx"))
    assert code == 2 and "chỉ đọc" in err and "Traceback" not in err


def test_a_read_only_folder_is_not_a_damaged_file(demo_file, tmp_path, capsys, restore_modes):
    folder = tmp_path / "chi-doc"
    folder.mkdir()
    path = folder / "phuong.sqlite3"
    shutil.copy(demo_file, path)            # a WAL file without its -shm, as copied by hand
    readonly(folder)
    restore_modes(folder)
    with no_root_powers():
        with pytest.raises(DataFileReadOnlyError) as caught:
            open_for_writing(path)
        message = str(caught.value)
        assert "chỉ đọc" in message and "hỏng" not in message
        # It can still be read and checked where it lies.
        code, out, err = run(capsys, "status", "--data", path, "--year", "2023")
        assert code == 0, err
        code, out, err = run(capsys, "check", "--data", path)
        assert code in (0, 1) and "Traceback" not in err
        assert "integrity_check): tốt" in out and "không sửa" in out
    assert sorted(p.name for p in folder.iterdir()) == ["phuong.sqlite3"]


def test_a_read_only_data_file_is_said_so(demo_file, capsys, restore_modes):
    readonly(demo_file)
    restore_modes(demo_file)
    with no_root_powers():
        with pytest.raises(DataFileReadOnlyError, match="'phuong.sqlite3' chỉ đọc") as caught:
            open_for_writing(demo_file)
        assert "hỏng" not in str(caught.value)
        code, _out, err = run(capsys, "demo", "--data", demo_file)
        assert code == 2 and "chỉ đọc" in err
        assert run(capsys, "cells", "--data", demo_file)[0] == 0


def test_a_write_refused_by_the_disk_is_a_message(demo_file, restore_modes):
    """Behind the opening's own check: a file that cannot be written when the change is
    saved (made read-only meanwhile, a medium gone read-only) is a message, not a crash."""
    readonly(demo_file)
    restore_modes(demo_file)
    with no_root_powers():
        db = open_database(demo_file)       # the bare opener, without the opening's checks
        try:
            with pytest.raises(DataFileReadOnlyError, match="chỉ đọc. Thay đổi chưa được lưu"):
                add_cell(Office(db), "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
        finally:
            db.close()


def test_an_unwritable_restore_source_is_not_called_damaged(demo_file, tmp_path, capsys,
                                                            restore_modes):
    source_folder = tmp_path / "dia-ngoai"
    source_folder.mkdir()
    source = source_folder / "ban-chep.sqlite3"
    shutil.copy(demo_file, source)          # a copy of the data file itself, in WAL mode
    db = open_database(demo_file)
    add_cell(Office(db), "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
    db.close()
    readonly(source)
    readonly(source_folder)
    restore_modes(source_folder)
    restore_modes(source)
    with no_root_powers():
        code, out, err = run(capsys, "restore", "--data", demo_file, source)
    assert code == 0, err
    assert "hỏng" not in err
    db = open_for_reading(demo_file)
    try:
        assert "MOI" not in {cell.code for cell in queries.cells(Office(db))}
    finally:
        db.close()


# -------------------------------------------------------------------------- words
def test_a_zero_byte_file_is_empty_not_missing(tmp_path, capsys, demo_file):
    empty = tmp_path / "rong.sqlite3"
    empty.write_bytes(b"")
    for opener in (open_for_writing, open_for_reading):
        with pytest.raises(DataFileEmptyError) as caught:
            opener(empty)
        assert "rỗng (0 byte)" in str(caught.value)
        assert "Không tìm thấy tệp dữ liệu" not in str(caught.value)
    for args in (["status"], ["demo"], ["check"], ["backup"]):
        code, _out, err = run(capsys, *args, "--data", empty)
        assert code == 2 and "rỗng (0 byte)" in err, (args, err)
    assert empty.read_bytes() == b""
    # With a backup of that name, the message offers it.
    backups = tmp_path / "backups"
    backups.mkdir(exist_ok=True)
    shutil.copy(make_backup(demo_file, "thu-cong").path,
                backups / "rong-2025-01-02_080000-thu-cong.sqlite3")
    with pytest.raises(DataFileEmptyError) as caught:
        open_for_writing(empty)
    assert caught.value.backup is not None
    assert "08:00 ngày 02/01/2025" in str(caught.value)


# ------------------------------------------------------------------ refused files stay
def test_another_programs_file_is_refused_and_left_as_it_was(tmp_path, capsys):
    path = foreign_sqlite(tmp_path / "ban-hang.sqlite3")
    before = path.read_bytes()
    assert before[18:20] == b"\x01\x01"
    for opener in (open_for_writing, open_for_reading, open_database):
        with pytest.raises(DataFileNotOursError, match="chương trình khác"):
            opener(path)
    for args in (["status"], ["cells"], ["demo"], ["check"]):
        code, _out, err = run(capsys, *args, "--data", path)
        assert code == 2 and ("chương trình khác" in err or "không phải" in err), (args, err)
    run(capsys, "backup", "--data", path)   # a copy may be taken; nothing is written into it
    assert path.read_bytes() == before
    assert not path.with_name(path.name + "-wal").exists()


def test_a_newer_file_is_refused_and_left_as_it_was(demo_file, capsys):
    newer_schema(demo_file)
    before = demo_file.read_bytes()
    assert before[18:20] == b"\x01\x01"
    for opener in (open_for_writing, open_for_reading, open_database):
        with pytest.raises(DataFileNewerError, match="phiên bản mới hơn"):
            opener(demo_file)
    for args in (["status", "--year", "2023"], ["demo"], ["check"]):
        code, _out, err = run(capsys, *args, "--data", demo_file)
        assert code == 2 and "phiên bản mới hơn" in err, (args, err)
    # A backup copies it, and writes nothing into it.
    code, out, err = run(capsys, "backup", "--data", demo_file)
    assert code == 0, err
    assert demo_file.read_bytes() == before
    assert not demo_file.with_name(demo_file.name + "-wal").exists()


# ------------------------------------------------------------------------ paths are paths
NOT_ON_WINDOWS = pytest.mark.skipif(os.name == "nt", reason="'?' cannot be in a Windows name")


@pytest.mark.parametrize("name", [pytest.param("du lieu?.sqlite3", marks=NOT_ON_WINDOWS),
                                  "tỷ lệ 100%25 #2.sqlite3",
                                  pytest.param("so 2?mode=ro.sqlite3", marks=NOT_ON_WINDOWS)])
def test_a_path_is_opened_as_the_path_it_is(tmp_path, capsys, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--data", name)
    assert code == 0, err
    code, out, err = run(capsys, "cells", "--data", name)
    assert code == 0 and "Tổng số: 20 chi bộ" in out      # the demo ward, every cell ever
    created = sorted(p.name for p in tmp_path.iterdir() if p.name not in ("appdata",))
    assert name in created
    assert all(p == name or p.startswith(name) for p in created), created
    assert run(capsys, "check", "--data", name)[0] == 0
    assert run(capsys, "backup", "--data", name)[0] == 0


# -------------------------------------------------------------------------- temporaries
def test_temporaries_of_interrupted_work_are_removed_at_the_next_opening(demo_file):
    from chibo4tot_desktop.files import temporary_name
    from chibo4tot_desktop.safety.backup import ABANDONED_TEMPORARY_SECONDS

    folder = demo_file.parent
    backups = folder / "backups"
    backups.mkdir()

    def temporary(target, *sides):
        path = target.parent / temporary_name(target)
        return [path] + [path.with_name(path.name + side) for side in sides]

    abandoned = (temporary(backups / "phuong-2025-01-02_080000-tu-dong.sqlite3", "-journal")
                 + temporary(backups / "phuong-2025-01-02_080000-hong.damaged"))
    restored = temporary(demo_file, "-journal", "-wal")     # a restore cut short
    running = temporary(backups / "phuong-2025-01-02_090000-thu-cong.sqlite3")  # still going
    others = (temporary(backups / "khac-2025-01-02_080000-tu-dong.sqlite3")   # another file's
              + temporary(folder / "khac.sqlite3") + [folder / "ghi-chu.tmp"])
    long_ago = time.time() - 2 * ABANDONED_TEMPORARY_SECONDS
    for path in abandoned + restored + running + others:
        path.write_bytes(b"half written")
        if path not in running:
            os.utime(path, (long_ago, long_ago))
    leftovers = abandoned + restored
    open_for_reading(demo_file).close()      # reading removes nothing
    assert all(path.exists() for path in leftovers)
    with held_by_another_program(demo_file):  # nor does a refused opening
        with pytest.raises(DataFileLockedError):
            open_for_writing(demo_file)
    assert all(path.exists() for path in leftovers)
    open_for_writing(demo_file).close()
    assert [path.name for path in leftovers if path.exists()] == []
    assert all(path.exists() for path in running + others)


# ----------------------------------------------------------------------- restore
def test_restore_is_refused_while_another_program_holds_the_file(demo_file, capsys):
    backup = make_backup(demo_file, "thu-cong").path
    db = open_database(demo_file)
    add_cell(Office(db), "SAU", "Chi bộ thêm sau", started_on=dt.date(2026, 5, 1))
    db.close()
    before = table_checksum(demo_file)
    with held_by_another_program(demo_file, user="lan"):
        code, _out, err = run(capsys, "restore", "--data", demo_file, backup)
    assert code == 2
    assert "lan trên máy" in err and "đóng chương trình đang mở tệp" in err
    assert table_checksum(demo_file) == before
    assert not [p for p in demo_file.parent.iterdir() if ".restore-" in p.name]


# ----------------------------------------------------------- the start check begun early
def test_an_early_check_stands_only_for_the_file_as_it_was(demo_file):
    from chibo4tot_desktop.db import sqlite_file

    sqlite_file.begin_early_check(demo_file, sqlite_file.WRITE_CHECK)
    assert sqlite_file.take_early_check(demo_file, sqlite_file.WRITE_CHECK) == ["ok"]
    assert sqlite_file.take_early_check(demo_file, sqlite_file.WRITE_CHECK) is None  # once
    # Written to after the check began: its lines no longer stand for the file.
    sqlite_file.begin_early_check(demo_file, sqlite_file.WRITE_CHECK)
    db = open_database(demo_file)
    add_cell(Office(db), "CB-MOI", "Chi bộ mới", "residential", started_on=dt.date.today())
    db.close()
    assert sqlite_file.take_early_check(demo_file, sqlite_file.WRITE_CHECK) is None
    # Another kind of check, or another file, is not taken for this one.
    sqlite_file.begin_early_check(demo_file, sqlite_file.READ_CHECK)
    assert sqlite_file.take_early_check(demo_file, sqlite_file.WRITE_CHECK) is None
    sqlite_file.drop_early_checks()
    assert sqlite_file.take_early_check(demo_file, sqlite_file.READ_CHECK) is None


def test_a_file_damaged_after_its_early_check_is_still_refused(demo_file):
    from chibo4tot_desktop.db import sqlite_file

    sqlite_file.begin_early_check(demo_file, sqlite_file.WRITE_CHECK)
    time.sleep(0.01)           # a later modification time, even on a coarse clock
    scribble(demo_file)
    with pytest.raises(DataFileDamagedError):
        open_for_writing(demo_file)
    sqlite_file.drop_early_checks()


def test_an_early_check_of_a_damaged_file_refuses_it(demo_file):
    from chibo4tot_desktop.db import sqlite_file

    scribble(demo_file)
    sqlite_file.begin_early_check(demo_file, sqlite_file.WRITE_CHECK)
    with pytest.raises(DataFileDamagedError):
        open_for_writing(demo_file)
    assert not sqlite_file._early          # taken by that opening


def test_no_early_check_for_what_only_the_opening_may_touch(tmp_path, demo_file):
    from chibo4tot_desktop.db import sqlite_file

    sqlite_file.begin_early_check(tmp_path / "khong-co.sqlite3")
    not_ours = tmp_path / "ghi-chu.txt"
    not_ours.write_text("không phải SQLite", encoding="utf-8")
    sqlite_file.begin_early_check(not_ours)
    journal = demo_file.with_name(demo_file.name + "-journal")
    journal.write_bytes(b"\x00" * 512)        # a write cut short beside it
    sqlite_file.begin_early_check(demo_file)
    assert not sqlite_file._early
    journal.unlink()
