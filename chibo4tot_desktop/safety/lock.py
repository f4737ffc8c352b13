"""One writer at a time: a lock file beside the data file, held with an OS-level lock.

``<data file>.lock`` holds who has the file open for writing (user, machine, process, since
when) so a second copy of the program can say who it is. The lock itself is the operating
system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows): it disappears when the process
ends, however it ends, so a program killed mid-work never blocks the file. Where the file
system refuses OS locks (some network shares), the lock file's contents decide: a lock left by
a process of this machine that no longer runs is stale and taken over.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import DataFileError
from chibo4tot_desktop.text import format_date

LOCK_SUFFIX = ".lock"
_WINDOWS_LOCK_OFFSET = 1 << 20  # lock a byte past the text, so others can still read it


@dataclass(frozen=True)
class LockHolder:
    user: str = ""
    host: str = ""
    pid: int = 0
    since: str = ""

    def describe(self) -> str:
        who = self.user or "một người dùng khác"
        where = f" trên máy {self.host}" if self.host else ""
        when = ""
        with contextlib.suppress(ValueError, TypeError):
            moment = dt.datetime.fromisoformat(self.since)
            when = f" từ {moment:%H:%M} ngày {format_date(moment.date())}"
        return f"{who}{where}{when}"


class DataFileLockedError(DataFileError):
    """Another copy of the program has the data file open for writing."""

    def __init__(self, path: Path, holder: LockHolder):
        self.path = path
        self.holder = holder
        super().__init__(
            f"Tệp dữ liệu '{path.name}' đang được {holder.describe()} mở để làm việc. "
            "Mỗi lúc chỉ một người được sửa dữ liệu; bạn có thể mở tệp ở chế độ chỉ đọc, "
            "hoặc đợi người đó đóng chương trình.")


def lock_path(data_path: str | os.PathLike) -> Path:
    data_path = Path(data_path)
    return data_path.with_name(data_path.name + LOCK_SUFFIX)


def _me() -> LockHolder:
    from chibo4tot_desktop.db.audit import current_user

    return LockHolder(user=current_user(), host=socket.gethostname(), pid=os.getpid(),
                      since=dt.datetime.now().replace(microsecond=0).isoformat())


def _read_holder(path: Path) -> LockHolder:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.loads(handle.read(4096) or "{}")
        return LockHolder(str(data.get("user", "")), str(data.get("host", "")),
                          int(data.get("pid", 0) or 0), str(data.get("since", "")))
    except (OSError, ValueError, TypeError, AttributeError):
        return LockHolder()


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if os.name == "nt":
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFO
        if not handle:
            return False
        ctypes.windll.kernel32.CloseHandle(handle)
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class _Unsupported(Exception):
    """The file system does not do OS locks."""


def _os_lock(fd: int) -> bool:
    """Take the OS lock without waiting: True if taken, False if someone holds it."""
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EDEADLK):
                return False
            raise _Unsupported from error
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        raise _Unsupported from error
    return True


def _os_unlock(fd: int) -> None:
    if os.name == "nt":
        import msvcrt

        os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        return
    import fcntl

    with contextlib.suppress(OSError):
        fcntl.flock(fd, fcntl.LOCK_UN)


class WriterLock:
    """The data file's writer lock. ``acquire()`` raises ``DataFileLockedError`` if taken."""

    def __init__(self, data_path: str | os.PathLike):
        self.data_path = Path(data_path)
        self.path = lock_path(self.data_path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> WriterLock:
        if self._fd is not None:
            return self
        for _attempt in range(5):
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    taken = _os_lock(fd)
                except _Unsupported:
                    taken = self._by_contents()
                if not taken:
                    raise DataFileLockedError(self.data_path, _read_holder(self.path))
                # The previous holder may have removed the file between our open and lock.
                if not self._same_file(fd):
                    _os_unlock(fd)
                    os.close(fd)
                    continue
                self._write_holder(fd)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.close(fd)
                raise
            self._fd = fd
            return self
        raise DataFileLockedError(self.data_path, _read_holder(self.path))

    def _same_file(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            return False

    def _by_contents(self) -> bool:
        holder = _read_holder(self.path)
        if not holder.pid:
            return True
        if holder.host == socket.gethostname() and not _pid_alive(holder.pid):
            return True  # stale: left by a process of this machine that has ended
        return holder.host == socket.gethostname() and holder.pid == os.getpid()

    def _write_holder(self, fd: int) -> None:
        data = json.dumps(_me().__dict__, ensure_ascii=False).encode("utf-8")
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, data)
        os.fsync(fd)

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # Remove the file while still holding the lock; a waiting opener re-checks the inode.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        _os_unlock(fd)
        with contextlib.suppress(OSError):
            os.close(fd)

    def __enter__(self) -> WriterLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


def holder_of(data_path: str | os.PathLike) -> LockHolder | None:
    """Who holds the writer lock now (None if nobody does); does not take it."""
    lock = WriterLock(data_path)
    if not lock.path.exists():
        return None
    try:
        lock.acquire()
    except DataFileLockedError as error:
        return error.holder
    lock.release()
    return None
