"""Restore a backup over the data file: check it, back the current file up, replace atomically.

1. The backup must be physically sound (integrity_check) and of a schema this program knows.
2. The writer lock is taken: nobody may have the file open for writing meanwhile.
3. The current file is backed up (reason "truoc-khoi-phuc"); if it is too damaged for the
   backup API, its bytes (and its WAL) are kept instead, so nothing is ever lost.
4. Through the one file writer (``files.atomic_write``): the backup is snapshotted (backup
   API) to a temporary file beside the data file and checked, the old file's WAL is
   checkpointed away, and the temporary file is renamed over the data file (readers see the
   old file or the new one, never a mix).

An older backup is migrated to the current schema the next time the file is opened (and that
migration itself takes a backup first).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import DataFileError
from chibo4tot_desktop.files import TEMPORARY_SUFFIX, FileWriteError, atomic_write
from chibo4tot_desktop.progress import Progress, check_cancelled, null_progress
from chibo4tot_desktop.safety.backup import (
    BEFORE_RESTORE,
    backup_name,
    backups_dir,
    make_backup,
    snapshot_into,
)
from chibo4tot_desktop.safety.check import is_good_database
from chibo4tot_desktop.safety.lock import WriterLock


@dataclass(frozen=True)
class RestoreResult:
    data_path: Path
    restored_from: Path
    previous_saved_to: Path | None  # where the file that was replaced now lives


def restore_temporaries(data_path: str | os.PathLike) -> list[Path]:
    """What an interrupted restore of ``data_path`` left beside it: the file writer's
    temporary copy (``files.temporary_name``) with SQLite's side files. Only a restore writes
    a file in the data file's place; call this only while holding the writer lock, when no
    restore of this file is running."""
    data_path = Path(data_path)
    pattern = re.compile(r"^\." + re.escape(data_path.name) + r"\.[0-9a-f]+"
                         + re.escape(TEMPORARY_SUFFIX) + r"(?:-journal|-wal|-shm)?$")
    found = []
    with contextlib.suppress(OSError):
        for entry in os.scandir(data_path.parent):
            if pattern.match(entry.name) and entry.is_file(follow_symlinks=False):
                found.append(Path(entry.path))
    return found


def _keep_damaged_copy(data_path: Path, now: dt.datetime) -> Path:
    """Raw bytes of a file the backup API cannot read (it is not live: we hold the lock)."""
    folder = backups_dir(data_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / backup_name(data_path, now, "hong").replace(".sqlite3", ".damaged")
    for source, copy in ((data_path, target),
                         (Path(str(data_path) + "-wal"), Path(str(target) + "-wal"))):
        if source.exists():
            with atomic_write(copy) as temporary:
                shutil.copy2(source, temporary)
    return target


def _checkpoint_away(data_path: Path) -> None:
    """Fold the WAL into the main file and remove it, so no old WAL meets the new file."""
    with contextlib.suppress(sqlite3.DatabaseError):
        connection = sqlite3.connect(str(data_path), timeout=10)
        try:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.execute("PRAGMA journal_mode = DELETE")
        finally:
            connection.close()
    for extra in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            Path(str(data_path) + extra).unlink()


def restore_backup(backup: str | os.PathLike, data_path: str | os.PathLike, *,
                   lock: WriterLock | None = None, progress: Progress = null_progress,
                   before_swap: Callable[[], None] | None = None) -> RestoreResult:
    """Replace ``data_path`` by the contents of ``backup`` (see the module's steps).

    ``lock``: the caller's writer lock when it already holds one (the window); otherwise the
    lock is taken and released here. ``progress`` hears of the copies (the current file's
    backup, the snapshot of ``backup``) and may stop them (``Cancelled``): the data file is
    then unchanged (the copy of it already made stays among the backups).
    ``before_swap``: called once the new file is ready, just before it replaces the data file
    and nothing can be cancelled any more (the window closes its database there).
    """
    backup, data_path = Path(backup), Path(data_path)
    if not backup.is_file():
        raise DataFileError(f"Không tìm thấy bản sao lưu '{backup}'.")
    good, why = is_good_database(backup)
    if not good:
        raise DataFileError(f"Không khôi phục được: bản sao lưu '{backup.name}' {why}.")
    own_lock = lock is None
    lock = lock or WriterLock(data_path)
    lock.acquire()
    try:
        now = dt.datetime.now().replace(microsecond=0)
        previous = None
        if data_path.exists():
            try:
                previous = make_backup(data_path, BEFORE_RESTORE, now=now, thin=False,
                                       progress=progress).path
            except DataFileError:
                previous = _keep_damaged_copy(data_path, now)
        try:
            with atomic_write(data_path) as temporary:
                progress(0, None, f"Đang chép bản sao lưu '{backup.name}'")
                snapshot_into(backup, temporary, progress)
                check_cancelled(progress)
                # From here on the restore goes through: nothing below asks ``progress``.
                if before_swap is not None:
                    before_swap()
                if data_path.exists():
                    _checkpoint_away(data_path)
        except FileWriteError as error:
            raise DataFileError(
                f"Không thay được tệp dữ liệu '{data_path.name}': {error.reason} (có thể một "
                "chương trình khác đang mở tệp, kể cả ở chế độ chỉ đọc). Tệp dữ liệu chưa bị "
                "thay đổi.") from None
        except sqlite3.DatabaseError as error:
            raise DataFileError(f"Không khôi phục được: không đọc được bản sao lưu "
                                f"'{backup.name}' ({error}). Tệp dữ liệu chưa bị thay đổi."
                                ) from None
    finally:
        if own_lock:
            lock.release()
    return RestoreResult(data_path, backup, previous)


def newest_good_backup(data_path: str | os.PathLike):
    """The newest backup of ``data_path`` fit to restore (``BackupInfo``), or None."""
    from chibo4tot_desktop.safety.backup import list_backups

    for info in list_backups(data_path):
        if is_good_database(info.path)[0]:
            return info
    return None
