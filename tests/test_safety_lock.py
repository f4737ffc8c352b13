"""One writer at a time (the lock file) and the network-share warning."""

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.safety import lock as lock_module
from chibo4tot_desktop.safety.location import linux_mount_type, network_warning
from chibo4tot_desktop.safety.lock import (
    DataFileLockedError,
    WriterLock,
    holder_of,
    lock_path,
)
from chibo4tot_desktop.safety.opening import open_for_reading, open_for_writing


def test_second_writer_is_refused_with_a_clear_message_and_can_read(office, db_path):
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    first = open_for_writing(db_path)
    try:
        with pytest.raises(DataFileLockedError) as caught:
            open_for_writing(db_path)
        message = str(caught.value)
        assert "đang được" in message and "chỉ đọc" in message
        assert socket.gethostname() in message
        assert caught.value.holder.pid == os.getpid()
        reader = open_for_reading(db_path)   # read-only needs no lock
        try:
            assert [c.code for c in queries.cells(Office(reader))] == ["TDP01"]
        finally:
            reader.close()
    finally:
        first.close()
    # Closed: the lock is gone and the next writer gets in.
    assert not lock_path(db_path).exists()
    again = open_for_writing(db_path)
    again.close()


def test_a_failed_open_releases_the_lock(tmp_path):
    path = tmp_path / "bang-tinh.sqlite3"
    path.write_bytes(b"PK\x03\x04 not a database")
    with pytest.raises(Exception):
        open_for_writing(path)
    assert holder_of(path) is None
    WriterLock(path).acquire().release()


def test_holder_of_names_who_has_the_file(db_path, db):
    assert holder_of(db_path) is None
    held = WriterLock(db_path).acquire()
    try:
        holder = holder_of(db_path)
        assert holder is not None and holder.pid == os.getpid()
        assert holder.host == socket.gethostname()
    finally:
        held.release()


CHILD = """
import sys, time
from chibo4tot_desktop.safety.lock import WriterLock
WriterLock(sys.argv[1]).acquire()
print("locked", flush=True)
time.sleep(60)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
def test_a_killed_program_does_not_block_the_file(db_path, db):
    env = dict(os.environ, PYTHONPATH=os.getcwd() + os.pathsep + os.environ.get("PYTHONPATH",
                                                                                  ""))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], stdout=subprocess.PIPE,
                             text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(DataFileLockedError) as caught:
            WriterLock(db_path).acquire()
        assert caught.value.holder.pid == child.pid
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert lock_path(db_path).exists()          # the stale lock file is still there ...
    WriterLock(db_path).acquire().release()     # ... and does not block


def test_without_os_locks_a_dead_process_lock_is_stale(db_path, db, monkeypatch):
    def unsupported(fd):
        raise lock_module._Unsupported()

    monkeypatch.setattr(lock_module, "_os_lock", unsupported)
    path = lock_path(db_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    path.write_text(json.dumps({"user": "hoa", "host": socket.gethostname(),
                                "pid": int(dead.stdout), "since": "2025-01-01T08:00:00"}))
    WriterLock(db_path).acquire().release()
    # A live process of this machine, or any process of another machine, holds it.
    path.write_text(json.dumps({"user": "hoa", "host": socket.gethostname(),
                                "pid": os.getppid(), "since": "2025-01-01T08:00:00"}))
    with pytest.raises(DataFileLockedError, match="hoa"):
        WriterLock(db_path).acquire()
    path.write_text(json.dumps({"user": "lan", "host": "may-van-phong-2", "pid": 123,
                                "since": "2025-01-01T08:00:00"}))
    with pytest.raises(DataFileLockedError) as caught:
        WriterLock(db_path).acquire()
    assert "lan trên máy may-van-phong-2 từ 08:00 ngày 01/01/2025" in str(caught.value)


def test_lock_can_be_taken_again_after_release(db_path, db):
    first = WriterLock(db_path).acquire()
    first.release()
    second = WriterLock(db_path).acquire()
    try:
        assert second.held and lock_path(db_path).exists()
        with pytest.raises(DataFileLockedError):
            WriterLock(db_path).acquire()
    finally:
        second.release()


def test_lock_waits_no_time_for_a_busy_file(db_path, db):
    held = WriterLock(db_path).acquire()
    try:
        start = time.monotonic()
        with pytest.raises(DataFileLockedError):
            WriterLock(db_path).acquire()
        assert time.monotonic() - start < 2
    finally:
        held.release()


# ------------------------------------------------------------------------------- network
MOUNTS = r"""sysfs /sys sysfs rw,nosuid 0 0
/dev/sda1 / ext4 rw,relatime 0 0
/dev/sda2 /home ext4 rw,relatime 0 0
//nas/chung /mnt/van\040phong cifs rw,vers=3.0 0 0
nas:/export /srv/nfs nfs4 rw 0 0
tmpfs /srv/nfs/tmp tmpfs rw 0 0
"""


def test_linux_mount_type_picks_the_longest_mount_point():
    assert linux_mount_type("/home/an/du-lieu.sqlite3", MOUNTS) == "ext4"
    assert linux_mount_type("/mnt/van phong/du-lieu.sqlite3", MOUNTS) == "cifs"
    assert linux_mount_type("/srv/nfs/a.sqlite3", MOUNTS) == "nfs4"
    assert linux_mount_type("/srv/nfs/tmp/a.sqlite3", MOUNTS) == "tmpfs"
    assert linux_mount_type("/srv/nfsx/a.sqlite3", MOUNTS) == "ext4"


def test_network_warning_on_linux_shares():
    warning = network_warning("/mnt/van phong/du-lieu.sqlite3", platform="linux",
                              mounts_text=MOUNTS)
    assert warning and "ổ mạng" in warning and "cifs" in warning
    assert network_warning("/srv/nfs/x.sqlite3", platform="linux", mounts_text=MOUNTS)
    assert network_warning("/home/an/x.sqlite3", platform="linux", mounts_text=MOUNTS) is None


def test_network_warning_on_windows_paths():
    def drives(root):
        return {"Z:\\": 4, "C:\\": 3}.get(root, 1)

    assert "đường dẫn mạng" in network_warning(r"\\may-chu\chung\du-lieu.sqlite3",
                                               platform="win32", drive_type=drives)
    assert "ổ mạng Z:" in network_warning(r"Z:\du-lieu.sqlite3", platform="win32",
                                          drive_type=drives)
    assert network_warning(r"C:\Users\an\du-lieu.sqlite3", platform="win32",
                           drive_type=drives) is None
    assert network_warning(r"\\?\C:\du-lieu.sqlite3", platform="win32",
                           drive_type=drives) is None


def test_network_warning_for_a_local_temp_file(tmp_path):
    # The test machine's temporary folder is local (this reads the real /proc/mounts).
    if sys.platform.startswith("linux"):
        assert network_warning(tmp_path / "x.sqlite3") is None


def test_safety_core_imports_no_qt():
    modules = ["chibo4tot_desktop.safety.backup", "chibo4tot_desktop.safety.check",
               "chibo4tot_desktop.safety.restore", "chibo4tot_desktop.safety.lock",
               "chibo4tot_desktop.safety.location", "chibo4tot_desktop.safety.audit_query",
               "chibo4tot_desktop.cli.commands_safety"]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print([m for m in sys.modules if m.startswith('PySide6')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
