"""Opening a data file: the one way the window and every command open it.

``open_for_writing(path)`` - the window (start, Open, Recent, New, demo) and every command
that writes:

1. the place: a file (not a folder) that exists (or ``create``), readable, and writable in a
   folder that is writable (``DataFileMissingError``, ``DataFileReadOnlyError``);
2. the writer lock (``DataFileLockedError`` names who holds it);
3. with the lock held, temporaries left by an interrupted backup or restore are removed;
4. the start checks, on a connection that cannot write: an empty file, a file that is not
   SQLite, the physical check (``DataFileDamagedError`` carries the newest good backup), a
   schema that is another program's or a newer version's - so a refused file is never
   touched (no WAL switch, no bookkeeping);
5. only then the engine (WAL) and, for an older schema, the migration (after a backup).

The network-share warning is returned as data (``Database.warnings``). Every failure releases
the lock and raises one of the ``DataFileError`` subclasses of ``errors``, whose message is
one Vietnamese sentence or two.

``restore_and_reopen(db, backup)`` - the window's restore of the file it has open: the lock
is kept from before the restore to after the reopening.

``open_for_reading(path)`` - the commands that only read: no lock, the same checks (with the
quicker ``quick_check``), a read-only connection. An older file is upgraded first by a
short opening for writing, as the window would do.

A database server (URL) has its own locking: both open it as ``open_database`` does.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
from pathlib import Path

from chibo4tot_desktop.db.engine import Database, is_url, open_database, refuse_schema
from chibo4tot_desktop.db.sqlite_file import (
    HEAD_REVISION,
    READ_CHECK,
    SQLITE_HEADER,
    WRITE_CHECK,
    connect_for_check,
    folder_writable,
    read_revision,
    take_early_check,
)
from chibo4tot_desktop.errors import (
    DataFileDamagedError,
    DataFileEmptyError,
    DataFileError,
    DataFileMissingError,
    DataFileNotOursError,
    DataFileReadOnlyError,
)
from chibo4tot_desktop.progress import Cancelled, Progress, null_progress
from chibo4tot_desktop.safety.backup import (
    interrupted_backup_temporaries,
    split_integrity,
)
from chibo4tot_desktop.safety.check import is_good_database
from chibo4tot_desktop.safety.location import network_warning
from chibo4tot_desktop.safety.lock import (
    DataFileLockedError,
    WriterLock,
    readonly_folder_error,
)
from chibo4tot_desktop.safety.restore import (
    newest_good_backup,
    restore_backup,
    restore_temporaries,
)
from chibo4tot_desktop.text import format_date

# The physical check at each opening (WRITE_CHECK, READ_CHECK): see db.sqlite_file and
# benchmarks/safety_bench.py for costs.

__all__ = ["DataFileLockedError", "open_for_reading", "open_for_writing"]


def open_for_writing(target: str | os.PathLike, *, create: bool = False,
                     lock: WriterLock | None = None) -> Database:
    """Open the data file to work on it (see the module's steps); the lock is held until
    ``Database.close()``. ``lock``: the file's lock, already held (a restore reopening the
    file it just replaced); it is released if the opening fails."""
    if is_url(target):
        return open_database(target)
    path = Path(target)
    try:
        _check_place(path, create=create, write=True)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    lock = lock if lock is not None and lock.held else WriterLock(path).acquire()
    try:
        remove_interrupted_temporaries(path)
        if path.exists():
            _check_contents(path, WRITE_CHECK)
        db = open_database(path, create=create)
    except BaseException:
        lock.release()
        raise
    db.lock = lock
    warning = network_warning(path)
    if warning:
        db.warnings.append(warning)
    return db


def open_for_reading(target: str | os.PathLike) -> Database:
    """Open the data file to read it: no lock, the start checks, a read-only connection."""
    if is_url(target):
        return open_database(target)
    path = Path(target)
    _check_place(path, create=False, write=False)
    if _check_contents(path, READ_CHECK) != HEAD_REVISION:
        _prepare_for_reading(path)
    return open_database(path, create=False, readonly=True, migrate=False)


def _prepare_for_reading(path: Path) -> None:
    """An older schema needs one opening for writing (which upgrades it) first."""
    try:
        open_for_writing(path).close()
    except DataFileLockedError as error:
        raise DataFileError(
            f"Tệp dữ liệu '{path.name}' thuộc phiên bản cũ, cần được nâng cấp trước khi đọc, "
            f"nhưng đang được {error.holder.describe()} mở; hãy thử lại khi người đó đóng "
            "chương trình.") from None
    except DataFileReadOnlyError as error:
        raise DataFileReadOnlyError(
            f"Tệp dữ liệu '{path.name}' thuộc phiên bản cũ, cần được nâng cấp trước khi đọc, "
            f"nhưng không ghi được: {error}") from None


# ----------------------------------------------------------------------------- the place
def _check_place(path: Path, *, create: bool, write: bool) -> None:
    if path.is_dir():
        raise DataFileError(f"'{path}' là một thư mục, không phải tệp dữ liệu.")
    if not path.exists():
        if not create:
            raise DataFileMissingError(f"Không tìm thấy tệp dữ liệu '{path}'.")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
                raise readonly_folder_error(_existing_ancestor(path.parent)) from None
            raise DataFileError(f"Không tạo được thư mục '{path.parent}' "
                                f"({error.strerror or error}).") from None
    else:
        _try_open(path, os.O_RDONLY)
    if not write:
        return
    if not folder_writable(path.parent):
        raise readonly_folder_error(path.parent)
    if path.exists():
        _try_open(path, os.O_RDWR)


def _existing_ancestor(folder: Path) -> Path:
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return folder


def _try_open(path: Path, flags: int) -> None:
    """Open and close ``path`` (never creating or truncating it) to learn the permissions."""
    try:
        os.close(os.open(path, flags))
    except OSError as error:
        if error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise DataFileError(f"Không mở được tệp dữ liệu '{path}' "
                                f"({error.strerror or error}).") from None
        if flags == os.O_RDONLY:
            raise DataFileError(f"Không có quyền đọc tệp dữ liệu '{path}'.") from None
        raise DataFileReadOnlyError(
            f"Tệp dữ liệu '{path.name}' chỉ đọc (không có quyền ghi), nên không sửa được. "
            "Có thể mở tệp ở chế độ chỉ đọc; muốn sửa thì bỏ thuộc tính chỉ đọc của tệp (hoặc "
            "chép tệp sang chỗ khác) rồi mở lại.") from None


# -------------------------------------------------------------------------- the contents
def _check_contents(path: Path, pragma: str) -> str | None:
    """The start checks on a connection that writes nothing; returns the schema revision."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DataFileError(f"Không đọc được tệp dữ liệu '{path}' "
                            f"({error.strerror or error}).") from None
    if size == 0:
        raise empty_file_error(path)
    if header != SQLITE_HEADER:
        raise DataFileNotOursError(
            f"Tệp '{path.name}' không phải là tệp dữ liệu của chương trình (không phải SQLite).")
    problem = None
    try:
        connection = connect_for_check(path)
        try:
            lines = take_early_check(path, pragma) or [
                str(row[0]) for row in connection.execute(f"PRAGMA {pragma}")] or ["ok"]
            damage, _constraint = split_integrity(lines)
            if damage:
                problem = damage[0]
            else:
                revision, foreign = read_revision(connection)
        finally:
            connection.close()
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "readonly" in text or "unable to open" in text:   # where it lies, not what it is
            if not folder_writable(path.parent):
                raise DataFileReadOnlyError(
                    f"Không đọc được tệp dữ liệu '{path.name}': nó nằm trong thư mục chỉ đọc "
                    f"'{path.parent}' và còn những thay đổi chưa ghi hết vào tệp (tệp -wal cạnh "
                    "nó). Hãy chép tệp cùng các tệp -wal, -shm cạnh nó sang thư mục khác rồi mở "
                    "bản chép.") from None
            raise DataFileError(f"Không đọc được tệp dữ liệu '{path.name}' ({error}).") from None
        problem = str(error)
    except sqlite3.DatabaseError as error:
        problem = str(error)
    if problem is not None:
        backup = newest_good_backup(path)
        raise DataFileDamagedError(
            f"Tệp dữ liệu '{path.name}' bị hỏng ({problem}); không nên làm việc tiếp trên "
            "tệp này. " + _backup_hint(path, backup), problem, backup)
    refuse_schema(path, revision, foreign)
    return revision


def empty_file_error(path: Path) -> DataFileEmptyError:
    """A file of zero bytes: not "not found", not "damaged" - empty (and what to do)."""
    backup = newest_good_backup(path)
    return DataFileEmptyError(
        f"Tệp dữ liệu '{path.name}' rỗng (0 byte): trong tệp không có dữ liệu nào. "
        + _backup_hint(path, backup), backup)


def backup_moment(backup) -> str:
    return f"{backup.taken_at:%H:%M} ngày {format_date(backup.taken_at.date())}"


def _backup_hint(path: Path, backup) -> str:
    if backup is None:
        return ("Không tìm thấy bản sao lưu tốt nào trong thư mục backups cạnh tệp; hãy giữ "
                "nguyên tệp và nhờ cán bộ tin học giúp (lệnh “chibo4tot-desktop check” cho "
                "biết chi tiết).")
    return (f"Bản sao lưu tốt gần nhất: {backup_moment(backup)} ({backup.path}); khôi phục "
            f"bằng menu Tệp ▸ Sao lưu và khôi phục, hoặc lệnh “chibo4tot-desktop restore "
            f"--data \"{path}\" \"{backup.path}\"”.")


# ---------------------------------------------------------------------- after a restore
def restore_and_reopen(db, backup: str | os.PathLike, progress: Progress = null_progress):
    """For a program holding ``db`` open: restore ``backup`` over its file, open it again.

    Returns the new ``Database`` (writer lock held). The backup is checked and copied while
    ``db`` stays open; ``progress`` may stop that (``Cancelled``, raised with
    ``error.database`` None: ``db`` is still open and untouched). ``db`` is closed only when
    the copy is ready. If the restore fails after that, the file (unchanged: the replacement
    is atomic) is opened again and handed over on the error as ``error.database``, so the
    caller never ends up without its data.
    """
    data_path = db.path
    if data_path is None:
        raise DataFileError("Chỉ khôi phục được tệp dữ liệu trên máy.")
    good, why = is_good_database(backup)
    if not good:
        raise DataFileError(f"Không khôi phục được: bản sao lưu '{Path(backup).name}' {why}.")
    # The writer lock stays held from before the restore to after the reopening: no other
    # copy of the program can slip in between.
    lock = db.lock
    closed = False

    def close_current() -> None:
        nonlocal closed
        db.lock = None
        db.close()
        closed = True

    try:
        restore_backup(backup, data_path, lock=lock, progress=progress,
                       before_swap=close_current)
    except (DataFileError, Cancelled) as error:
        error.database = None
        if closed:
            with contextlib.suppress(DataFileError):
                error.database = open_for_writing(data_path, lock=lock)
        raise
    return open_for_writing(data_path, lock=lock)


# -------------------------------------------------------------------------- temporaries
def remove_interrupted_temporaries(path: Path) -> list[Path]:
    """Delete what an interrupted backup or restore of ``path`` left behind (the caller holds
    the writer lock, so no restore is running; a backup still running keeps its files)."""
    removed = []
    for leftover in restore_temporaries(path) + interrupted_backup_temporaries(path):
        with contextlib.suppress(FileNotFoundError):
            try:
                leftover.unlink()
            except OSError:
                continue
            removed.append(leftover)
    return removed
