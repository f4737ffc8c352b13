"""One writer at a time: a lock file beside the data file, held with an OS-level lock.

``<data file>.lock`` holds who has the file open for writing (user, machine, process, since
when) so a second copy of the program can say who it is. The lock itself is the operating
system's (``flock`` on POSIX, ``msvcrt.locking`` on Windows): it disappears when the process
ends, however it ends, so a program killed mid-work never blocks the file. Where the file
system refuses OS locks (some network shares), the lock file's contents decide: a lock left by
a process of this machine that no longer runs is stale and taken over.

Sync tools and antivirus programs sometimes delete or replace such files. The holder writes a
random token into its lock file and, before each write (``ensure``) and before releasing,
checks that the file at the lock path is still the one it locked with its token in it. A lost
lock refuses the write and is taken again when free; a lock file that is not ours is never
deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import DataFileError, DataFileReadOnlyError
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


class LockLostError(DataFileError):
    """Our lock file was deleted or replaced while the data file was open for writing."""


def readonly_folder_error(folder: Path) -> DataFileReadOnlyError:
    return DataFileReadOnlyError(
        f"Thư mục '{folder}' chỉ đọc (không có quyền ghi), nên không sửa được tệp dữ liệu "
        "trong đó. Có thể mở tệp ở chế độ chỉ đọc, hoặc chép tệp sang thư mục khác (ví dụ "
        "thư mục Tài liệu) rồi mở bản chép.")


def lock_path(data_path: str | os.PathLike) -> Path:
    data_path = Path(data_path)
    return data_path.with_name(data_path.name + LOCK_SUFFIX)


def _me() -> LockHolder:
    from chibo4tot_desktop.db.audit import current_user

    return LockHolder(user=current_user(), host=socket.gethostname(), pid=os.getpid(),
                      since=dt.datetime.now().replace(microsecond=0).isoformat())


def _read_data(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.loads(handle.read(4096) or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _read_holder(path: Path) -> LockHolder:
    data = _read_data(path)
    try:
        return LockHolder(str(data.get("user", "")), str(data.get("host", "")),
                          int(data.get("pid", 0) or 0), str(data.get("since", "")))
    except (ValueError, TypeError):
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
        self._token = ""

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> WriterLock:
        if self._fd is not None:
            return self
        for _attempt in range(5):
            fd = self._open_file()
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
                token = secrets.token_hex(16)
                self._write_holder(fd, token)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.close(fd)
                raise
            self._fd, self._token = fd, token
            return self
        raise DataFileLockedError(self.data_path, _read_holder(self.path))

    def _open_file(self) -> int:
        """Open (or create) the lock file; what stands in the way becomes a message."""
        try:
            return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            if self.path.is_dir():
                raise DataFileReadOnlyError(
                    f"Cạnh tệp dữ liệu có một thư mục tên '{self.path.name}' chiếm chỗ tệp khóa "
                    "của chương trình, nên không giữ được quyền ghi. Hãy đổi tên hoặc xóa thư "
                    "mục đó rồi mở lại; trong lúc chờ có thể mở tệp ở chế độ chỉ đọc.") from None
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                if self.path.exists():
                    raise DataFileReadOnlyError(
                        f"Tệp khóa '{self.path.name}' cạnh tệp dữ liệu chỉ đọc (không ghi "
                        "được), nên không giữ được quyền ghi. Khi không còn ai mở tệp dữ liệu, "
                        "hãy xóa tệp khóa đó rồi mở lại; trong lúc chờ có thể mở tệp ở chế độ "
                        "chỉ đọc.") from None
                raise readonly_folder_error(self.path.parent) from None
            raise DataFileError(f"Không tạo được tệp khóa '{self.path.name}' cạnh tệp dữ liệu "
                                f"({error.strerror or error}).") from None

    def _same_file(self, fd: int) -> bool:
        try:
            return os.path.samestat(os.fstat(fd), os.stat(self.path))
        except OSError:
            return False

    def still_held(self) -> bool:
        """The file at the lock path is the one we locked, with our token in it."""
        if self._fd is None or not self._same_file(self._fd):
            return False
        return _read_data(self.path).get("token") == self._token

    def ensure(self) -> None:
        """Before a write: raise ``LockLostError`` if our lock file was deleted or replaced.

        The lock is then taken again when nobody else holds it, but the write that found the
        loss is refused all the same: another copy may have written in between.
        """
        if self.still_held():
            return
        self._drop()
        name = self.data_path.name
        lost = (f"Khóa ghi của tệp dữ liệu '{name}' đã bị xóa hoặc bị thay (có thể do phần "
                "mềm đồng bộ hoặc diệt virus)")
        try:
            self.acquire()
        except DataFileLockedError as error:
            raise LockLostError(
                f"{lost}, và tệp đang được {error.holder.describe()} mở để ghi. Thay đổi "
                "chưa được lưu. Hãy đóng chương trình này; muốn xem dữ liệu thì mở lại ở chế "
                "độ chỉ đọc.") from None
        except DataFileError as error:
            raise LockLostError(f"{lost} và không lấy lại được: {error} Thay đổi chưa được "
                                "lưu.") from None
        raise LockLostError(
            f"{lost}; chương trình đã lấy lại khóa. Thay đổi vừa rồi chưa được lưu, vì trong "
            "lúc mất khóa một người khác có thể đã sửa dữ liệu; hãy xem lại rồi làm lại.")

    def _by_contents(self) -> bool:
        holder = _read_holder(self.path)
        if not holder.pid:
            return True
        if holder.host == socket.gethostname() and not _pid_alive(holder.pid):
            return True  # stale: left by a process of this machine that has ended
        return holder.host == socket.gethostname() and holder.pid == os.getpid()

    def _write_holder(self, fd: int, token: str) -> None:
        data = json.dumps(dict(_me().__dict__, token=token), ensure_ascii=False).encode("utf-8")
        os.lseek(fd, 0, os.SEEK_SET)
        os.ftruncate(fd, 0)
        os.write(fd, data)
        os.fsync(fd)

    def _drop(self) -> None:
        """Let go of our OS lock and descriptor without touching the file at the lock path."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        _os_unlock(fd)
        with contextlib.suppress(OSError):
            os.close(fd)

    def release(self) -> None:
        if self._fd is None:
            return
        # Remove the file while still holding the lock (a waiting opener re-checks the
        # inode), but only our own: a lock file put there by someone else stays.
        if self.still_held():
            with contextlib.suppress(OSError):
                os.unlink(self.path)
        self._drop()

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
