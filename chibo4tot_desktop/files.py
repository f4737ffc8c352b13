"""The one way the program writes a file: whole or not at all.

Every file the program makes (Excel lists and templates, PDFs, exchange packets, backups, a
restored data file, the saved connection, the self-test's files) is written with
``atomic_write``::

    with atomic_write(target, progress) as temporary:
        workbook.save(temporary)        # or reportlab, the SQLite backup API, write_bytes...

The block writes the whole file to ``temporary``, a new file in the target's folder (so the
rename stays on one file system). When the block ends well and the work was not cancelled, the
file is flushed to disk, renamed over ``target`` (``os.replace``: readers see the old file or
the new one, never half of one), and the folder is flushed where the system allows it. When the
block raises anything (``Cancelled`` included), the temporary file is deleted and ``target``
is left as it was.

The new file gets the permissions of a file created the ordinary way (0666 less the user's
umask: the temporary file is created with ``open``, not ``mkstemp``, whose files are private);
a file that replaces an existing one keeps that file's permissions, as saving over it would.
A failure of the file system (no such folder, no permission, disk full, the file open in
another program) becomes a ``FileWriteError`` with one Vietnamese line.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path

from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.progress import Progress, check_cancelled, null_progress

TEMPORARY_SUFFIX = ".tmp"
_NAME_ROOM = 200   # of a file name's 255 bytes, what the temporary name keeps of the target's


class FileWriteError(UserError):
    """The file system refused the write; the target was left as it was."""

    def __init__(self, target: Path, reason: str):
        super().__init__(f"Không ghi được tệp '{target}': {reason}. Tệp cũ (nếu có) vẫn "
                         "giữ nguyên.")
        self.target = target
        self.reason = reason


_REASONS = {
    errno.ENOENT: "không có thư mục này",
    errno.ENOTDIR: "không có thư mục này",
    errno.EACCES: "không có quyền ghi, hoặc tệp đang mở trong chương trình khác",
    errno.EPERM: "không có quyền ghi, hoặc tệp đang mở trong chương trình khác",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.EISDIR: "đó là một thư mục",
    errno.ENAMETOOLONG: "tên tệp quá dài",
}
if hasattr(errno, "EDQUOT"):
    _REASONS[errno.EDQUOT] = "đã hết dung lượng được phép dùng"


def reason_of(error: OSError) -> str:
    """One Vietnamese phrase for what the file system said."""
    return _REASONS.get(error.errno or 0) or error.strerror or str(error)


def temporary_name(target: Path) -> str:
    """A hidden, unique name beside ``target`` ending in ``TEMPORARY_SUFFIX``."""
    return f".{target.name[:_NAME_ROOM]}.{secrets.token_hex(4)}{TEMPORARY_SUFFIX}"


def is_temporary_name(name: str) -> bool:
    """A name ``temporary_name`` makes (what a crash may leave behind)."""
    return name.startswith(".") and name.endswith(TEMPORARY_SUFFIX)


def _create_temporary(target: Path) -> Path:
    folder = target.parent
    for _attempt in range(100):
        temporary = folder / temporary_name(target)
        try:
            # Mode 0666: the system takes the umask off, as for any file a program creates.
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                             | getattr(os, "O_BINARY", 0), 0o666)
        except FileExistsError:
            continue
        os.close(handle)
        return temporary
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(folder))


def _existing_mode(target: Path) -> int | None:
    try:
        info = os.stat(target)
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else None


def _flush_file(path: Path) -> None:
    handle = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    try:
        os.fsync(handle)
    finally:
        os.close(handle)


def _flush_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX; Windows has no handle on a folder to flush)."""
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):      # some file systems refuse fsync on a folder
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


@contextlib.contextmanager
def atomic_write(target: str | os.PathLike, progress: Progress = null_progress
                 ) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; put it in ``target``'s place at the end.

    See the module's text. The folder must exist. Raises ``FileWriteError`` for a failure of
    the file system (in the block or while renaming), and lets everything else through (the
    caller's own errors, ``Cancelled``); in every case the temporary file is gone and
    ``target`` is unchanged.
    """
    target = Path(target)
    try:
        temporary = _create_temporary(target)
    except OSError as error:
        raise FileWriteError(target, reason_of(error)) from error
    try:
        mode = _existing_mode(target)
        yield temporary
        check_cancelled(progress)
        _flush_file(temporary)
        if mode is not None and os.name == "posix":
            with contextlib.suppress(OSError):   # a file system without modes
                os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise FileWriteError(target, reason_of(error)) from error
        raise
    _flush_folder(target.parent)


def write_bytes(target: str | os.PathLike, content: bytes,
                progress: Progress = null_progress) -> Path:
    """Write ``content`` as the whole of ``target`` (through ``atomic_write``)."""
    target = Path(target)
    with atomic_write(target, progress) as temporary:
        with open(temporary, "wb") as handle:
            handle.write(content)
    return target
