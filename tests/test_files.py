"""The one file writer (files.atomic_write): whole or nothing, ordinary permissions, no leftovers,
and every writer of the program goes through it."""

from __future__ import annotations

import contextlib
import errno
import os
import stat

import pytest

from chibo4tot_desktop import files
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.files import FileWriteError, atomic_write, write_bytes
from chibo4tot_desktop.progress import Cancelled, ProgressState

POSIX = os.name == "posix"


@contextlib.contextmanager
def umask(mask: int):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def names(folder) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_the_target_is_replaced_only_at_the_end(tmp_path):
    target = tmp_path / "danh-sach.xlsx"
    target.write_bytes(b"old")
    with atomic_write(target) as temporary:
        assert temporary.parent == tmp_path and temporary != target
        assert files.is_temporary_name(temporary.name)
        temporary.write_bytes(b"new")
        assert target.read_bytes() == b"old"
    assert target.read_bytes() == b"new"
    assert names(tmp_path) == ["danh-sach.xlsx"]


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path, mask):
    """Not the private 0600 of mkstemp: what any program creating a file would get."""
    with umask(mask):
        write_bytes(tmp_path / "giay-khen.pdf", b"%PDF")
    assert mode_of(tmp_path / "giay-khen.pdf") == 0o666 & ~mask


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_a_replaced_file_keeps_its_mode(tmp_path):
    target = tmp_path / "du-lieu.sqlite3"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with umask(0o022):
        write_bytes(target, b"new")
    assert target.read_bytes() == b"new" and mode_of(target) == 0o640
    os.chmod(target, 0o444)                      # read-only: still replaced, still read-only
    write_bytes(target, b"newer")
    assert target.read_bytes() == b"newer" and mode_of(target) == 0o444


class Broken(Exception):
    pass


@pytest.mark.parametrize("failure", ["error", "interrupt", "cancel-inside", "cancel-after"])
def test_a_failure_or_cancel_midway_leaves_the_target_and_no_temporary(tmp_path, failure):
    target = tmp_path / "de-nghi.xlsx"
    target.write_bytes(b"old")
    state = ProgressState()
    expected = {"error": Broken, "interrupt": KeyboardInterrupt}.get(failure, Cancelled)
    with pytest.raises(expected):
        with atomic_write(target, state) as temporary:
            temporary.write_bytes(b"half")
            if failure == "error":
                raise Broken()
            if failure == "interrupt":
                raise KeyboardInterrupt()
            state.cancel()
            if failure == "cancel-inside":
                state(1, 2)                       # the next report raises Cancelled
            # cancel-after: cancelled after the last step, before the rename
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["de-nghi.xlsx"]


def test_a_new_target_is_not_created_when_the_write_fails(tmp_path):
    with pytest.raises(Broken):
        with atomic_write(tmp_path / "moi.pdf") as temporary:
            temporary.write_bytes(b"half")
            raise Broken()
    assert names(tmp_path) == []


@pytest.mark.parametrize("step", ["write", "fsync", "replace"])
def test_a_file_system_failure_is_one_vietnamese_line_and_changes_nothing(tmp_path, monkeypatch,
                                                                         step):
    target = tmp_path / "goi.zip"
    target.write_bytes(b"old")
    full = OSError(errno.ENOSPC, "No space left on device")

    def refuse(*args, **kwargs):
        raise full

    if step != "write":
        monkeypatch.setattr(files.os, step, refuse)
    with pytest.raises(FileWriteError) as caught:
        with atomic_write(target) as temporary:
            temporary.write_bytes(b"half")
            if step == "write":
                raise full
    monkeypatch.undo()
    assert str(caught.value) == (f"Không ghi được tệp '{target}': ổ đĩa đã đầy. Tệp cũ (nếu "
                                 "có) vẫn giữ nguyên.")
    assert caught.value.__cause__ is full
    assert target.read_bytes() == b"old"
    assert names(tmp_path) == ["goi.zip"]


def test_a_missing_folder_is_refused_and_nothing_is_created(tmp_path):
    with pytest.raises(FileWriteError, match="không có thư mục này"):
        write_bytes(tmp_path / "khong-co" / "a.pdf", b"x")
    assert names(tmp_path) == []


def test_the_data_reaches_the_disk_before_the_rename(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(handle):
        kind = "folder" if stat.S_ISDIR(os.fstat(handle).st_mode) else "file"
        calls.append(f"fsync {kind}")
        real_fsync(handle)

    def replace(source, target):
        calls.append("replace")
        real_replace(source, target)

    monkeypatch.setattr(files.os, "fsync", fsync)
    monkeypatch.setattr(files.os, "replace", replace)
    write_bytes(tmp_path / "a.zip", b"data")
    monkeypatch.undo()
    assert calls == ["fsync file", "replace"] + (["fsync folder"] if POSIX else [])


def test_two_writers_of_the_same_target_use_different_temporaries(tmp_path):
    target = tmp_path / "a.xlsx"
    with atomic_write(target) as first, atomic_write(target) as second:
        assert first != second
        first.write_bytes(b"1")
        second.write_bytes(b"2")
    assert target.read_bytes() == b"1"            # the last to finish wins, whole
    assert names(tmp_path) == ["a.xlsx"]


# ---------------------------------------------------------- every writer uses the one writer
def _every_file_the_program_writes(office, folder):
    """(name, write) for each kind of file, written the program's way."""
    from chibo4tot_desktop.city_export import write_city_certificates, write_proposals_xlsx
    from chibo4tot_desktop.connection import save_database_url
    from chibo4tot_desktop.excel.exports import export
    from chibo4tot_desktop.excel.template import write_template
    from chibo4tot_desktop.packets import export_packet
    from chibo4tot_desktop.paths import user_data_dir
    from chibo4tot_desktop.pdf.certificates import write_certificates
    from chibo4tot_desktop.safety.backup import make_backup

    data_path = office.db.path
    return [
        ("export", lambda: export(office, "registrations", 2023, folder / "dk.xlsx")),
        ("template", lambda: write_template(office, 2023, folder / "mau.xlsx")),
        ("city list", lambda: write_proposals_xlsx(office.db, 2023, folder / "tp.xlsx")
         and folder / "tp.xlsx"),
        ("certificates", lambda: write_certificates(office, 2023, folder / "gk.pdf")
         and folder / "gk.pdf"),
        ("city certificates", lambda: write_city_certificates(office.db, 2023,
                                                              folder / "tp.pdf")
         and folder / "tp.pdf"),
        ("packet", lambda: export_packet(office, 2023, folder / "goi.zip")),
        ("backup", lambda: make_backup(data_path, target=folder / "sao-luu.sqlite3").path),
        ("connection", lambda: save_database_url("sqlite:///x.sqlite3")
         and user_data_dir() / "connection.json"),
    ]


@pytest.mark.skipif(not POSIX, reason="file modes are POSIX")
def test_every_file_the_program_writes_gets_ordinary_permissions(demo_office, tmp_path):
    folder = tmp_path / "ra"
    folder.mkdir()
    with umask(0o002):       # not the usual 0o022, so a writer with a mode of its own shows
        for name, write in _every_file_the_program_writes(demo_office, folder):
            path = write()
            assert path.is_file(), name
            assert mode_of(path) == 0o664, f"{name}: {oct(mode_of(path))}"
            assert not [p for p in path.parent.iterdir() if files.is_temporary_name(p.name)]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["dk.xlsx", "mau.xlsx", "tp.xlsx", "gk.pdf", "tp.pdf", "goi.zip", "sao-luu.sqlite3"])


def test_every_writer_leaves_the_old_file_when_the_rename_fails(demo_office, tmp_path,
                                                              monkeypatch):
    folder = tmp_path / "ra"
    folder.mkdir()
    writers = _every_file_the_program_writes(demo_office, folder)
    paths = {name: write() for name, write in writers}
    before = {name: path.read_bytes() for name, path in paths.items()}

    def refuse(source, target):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files.os, "replace", refuse)
    for name, write in writers:
        with pytest.raises(UserError) as caught:
            write()
        assert "không có quyền ghi" in str(caught.value), name
        assert paths[name].read_bytes() == before[name], name
        assert not [p for p in paths[name].parent.iterdir()
                    if files.is_temporary_name(p.name)], name
