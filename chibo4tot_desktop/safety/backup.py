"""Backups through SQLite's online backup API, their names and their thinning.

A backup is a consistent snapshot taken with ``sqlite3.Connection.backup`` (never a copy of the
live file, whose WAL may hold committed pages the main file does not have yet). It is written
through the one file writer (``files.atomic_write``) into the ``backups/`` folder beside the
data file: checked under its temporary name, and only then renamed to its final name
``<stem>-YYYY-MM-DD_HHMMSS-<reason>.sqlite3``.

``AutoBackup`` decides when: on close, and at most once a day while the program is open, when
anything changed since the last backup. "Changed" is the audit log's position (its highest id:
every change through the office writes audit rows in the same transaction) compared with the
position recorded in ``safety_meta`` when the last backup was taken.

``keep_set`` is the pure thinning rule: the most recent copies, then the newest copy of each of
the last days, weeks and months.

A second backup folder (a USB stick; the setting ``backup.second_folder``, set through
``ops.setup.set_second_backup_folder``) gets the same backups, made and checked the same way,
on request (``backup_to_second``) and on close when the folder is there (``AutoBackup``); it
is thinned by the same rule. A folder that is not there (the stick not plugged in) is skipped
on close and reported on request.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.db.sqlite_file import KNOWN_REVISIONS, connect_for_check, read_revision
from chibo4tot_desktop.errors import DataFileError
from chibo4tot_desktop.files import (
    TEMPORARY_SUFFIX,
    FileWriteError,
    atomic_write,
    is_temporary_name,
    reason_of,
)
from chibo4tot_desktop.progress import Progress, null_progress

BACKUP_DIR_NAME = "backups"
BACKUP_SUFFIX = ".sqlite3"
STAMP_FORMAT = "%Y-%m-%d_%H%M%S"

# Why a backup was taken: the name's last part (ASCII, so any file system accepts it).
AUTO, ON_CLOSE, MANUAL = "tu-dong", "khi-dong", "thu-cong"
BEFORE_MIGRATION, BEFORE_RESTORE, BEFORE_REPAIR = "truoc-nang-cap", "truoc-khoi-phuc", "truoc-sua"
REASON_LABELS = {
    AUTO: "Tự động (hằng ngày)",
    ON_CLOSE: "Khi đóng chương trình",
    MANUAL: "Sao lưu thủ công",
    BEFORE_MIGRATION: "Trước khi nâng cấp tệp",
    BEFORE_RESTORE: "Trước khi khôi phục",
    BEFORE_REPAIR: "Trước khi sửa lỗi",
}

META_LAST_BACKUP_AT = "last_backup_at"
META_LAST_BACKUP_POSITION = "last_backup_audit_id"
META_SECOND_BACKUP_POSITION = "last_second_backup_audit_id"
SECOND_FOLDER_KEY = "backup.second_folder"

AUTO_INTERVAL = dt.timedelta(days=1)
STALE_TEMPORARY_SECONDS = 3600
ABANDONED_TEMPORARY_SECONDS = 120

_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{4}-\d{2}-\d{2}_\d{6})(?:-(?P<reason>[a-z-]+?))?"
                   r"(?:-(?P<n>\d+))?" + re.escape(BACKUP_SUFFIX) + "$")


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime
    reason: str
    size: int

    @property
    def reason_label(self) -> str:
        return REASON_LABELS.get(self.reason, self.reason or "")


def format_size(size: int) -> str:
    """1536 -> "1,5 KB" (Vietnamese decimal comma)."""
    value = float(size)
    for unit in ("byte", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            text = f"{value:.0f}" if unit == "byte" else f"{value:.1f}".replace(".", ",")
            return f"{text} {unit}"
        value /= 1024
    return f"{size} byte"


# ------------------------------------------------------------------------------ names, list
def backups_dir(data_path: str | os.PathLike) -> Path:
    """The ``backups/`` folder beside the data file."""
    return Path(data_path).parent / BACKUP_DIR_NAME


def backup_name(data_path: str | os.PathLike, taken_at: dt.datetime, reason: str) -> str:
    return f"{Path(data_path).stem}-{taken_at.strftime(STAMP_FORMAT)}-{reason}{BACKUP_SUFFIX}"


def parse_backup_name(name: str, stem: str | None = None) -> tuple[dt.datetime, str] | None:
    """(time taken, reason) from a backup's file name; None for anything else."""
    match = _NAME.match(name)
    if match is None or (stem is not None and match["stem"] != stem):
        return None
    try:
        taken_at = dt.datetime.strptime(match["stamp"], STAMP_FORMAT)
    except ValueError:
        return None
    return taken_at, match["reason"] or ""


def list_backups(data_path: str | os.PathLike,
                 folder: str | os.PathLike | None = None) -> list[BackupInfo]:
    """The data file's backups in ``folder`` (``backups/`` beside it by default), newest first
    (temporary and foreign files are ignored)."""
    folder = Path(folder) if folder is not None else backups_dir(data_path)
    stem = Path(data_path).stem
    result = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            parsed = parse_backup_name(entry.name, stem)
            if parsed is None or not entry.is_file():
                continue
            with contextlib.suppress(OSError):
                result.append(BackupInfo(Path(entry.path), parsed[0], parsed[1],
                                         entry.stat().st_size))
    result.sort(key=lambda info: (info.taken_at, info.path.name), reverse=True)
    return result


# ----------------------------------------------------------------------------- thinning
@dataclass(frozen=True)
class ThinPolicy:
    recent: int = 5      # the newest copies, whatever their age
    days: int = 14       # the newest copy of each of the last 14 calendar days
    weeks: int = 8       # ... of each of the last 8 weeks (Monday to Sunday)
    months: int = 24     # ... of each of the last 24 calendar months


def keep_set(times: Iterable[dt.datetime], now: dt.datetime,
             policy: ThinPolicy = ThinPolicy()) -> set[dt.datetime]:
    """Which backup times to keep at ``now``; the others may be deleted.

    Kept: the ``recent`` newest; for each of the last ``days`` days, ``weeks`` weeks and
    ``months`` months (counted back from ``now``, the current one included) the newest copy in
    it; and anything dated after ``now`` (a clock set wrong is no reason to delete).
    """
    ordered = sorted(set(times), reverse=True)
    keep = {t for t in ordered if t > now}
    past = [t for t in ordered if t <= now]
    keep.update(past[:policy.recent])
    today = now.date()
    this_monday = today - dt.timedelta(days=today.weekday())
    buckets: dict[tuple[str, int], dt.datetime] = {}
    for t in past:  # newest first: the first one seen in a bucket is its newest
        day = t.date()
        age_days = (today - day).days
        age_weeks = (this_monday - (day - dt.timedelta(days=day.weekday()))).days // 7
        age_months = (today.year * 12 + today.month) - (day.year * 12 + day.month)
        for kind, age, limit in (("d", age_days, policy.days), ("w", age_weeks, policy.weeks),
                                 ("m", age_months, policy.months)):
            if age < limit:
                buckets.setdefault((kind, age), t)
    keep.update(buckets.values())
    return keep


def thin_backups(data_path: str | os.PathLike, now: dt.datetime | None = None,
                 policy: ThinPolicy = ThinPolicy(),
                 folder: str | os.PathLike | None = None) -> list[Path]:
    """Delete the backups ``keep_set`` does not keep (in ``folder``, ``backups/`` by
    default); return the deleted paths."""
    now = now or dt.datetime.now()
    folder = Path(folder) if folder is not None else backups_dir(data_path)
    backups = list_backups(data_path, folder)
    # Copies taken in the same second share their fate (kept or deleted together).
    keep = keep_set((info.taken_at for info in backups), now, policy)
    deleted = []
    for info in backups:
        if info.taken_at in keep:
            continue
        with contextlib.suppress(FileNotFoundError):
            info.path.unlink()
            deleted.append(info.path)
    # Temporary files of a backup interrupted by a crash (a running one is seconds old).
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if is_temporary_name(entry.name):
                with contextlib.suppress(OSError):
                    age = time.time() - entry.stat().st_mtime
                    if age > STALE_TEMPORARY_SECONDS:
                        os.unlink(entry.path)
                        deleted.append(Path(entry.path))
    return deleted


_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[0-9a-f]+" + re.escape(TEMPORARY_SUFFIX)
                        + r"(?:-journal|-wal|-shm)?$")


def interrupted_backup_temporaries(data_path: str | os.PathLike) -> list[Path]:
    """Temporaries of this data file's backups in ``backups/`` that no backup is writing any
    more: untouched for ``ABANDONED_TEMPORARY_SECONDS`` (a running backup writes its copy in
    one go, then only checks it). For the holder of the writer lock, at opening: the backups
    of a program that was killed, or of a ``backup`` command that was interrupted."""
    ours = re.compile(re.escape(Path(data_path).stem) + r"-\d{4}-\d{2}-\d{2}_\d{6}")
    found = []
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(backups_dir(data_path)):
            match = _TEMPORARY.match(entry.name)
            if match is None or not ours.match(match["name"]):   # backups, damaged copies
                continue
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime > ABANDONED_TEMPORARY_SECONDS:
                    found.append(Path(entry.path))
    return found


# ------------------------------------------------------------------------ taking a backup
_CONSTRAINT_LINES = ("CHECK constraint failed", "NOT NULL constraint failed", "NULL value in")


def split_integrity(lines: list[str]) -> tuple[list[str], list[str]]:
    """integrity_check's lines -> (damage, constraint violations).

    SQLite also reports rows that break a CHECK or NOT NULL constraint of the schema; those
    are readable data for the logical checks to list, not a damaged file.
    """
    if lines == ["ok"]:
        return [], []
    constraint = [line for line in lines if line.startswith(_CONSTRAINT_LINES)]
    damage = [line for line in lines if not line.startswith(_CONSTRAINT_LINES)]
    return damage, constraint


def connect_existing(path: str | os.PathLike, *, readonly: bool = False) -> sqlite3.Connection:
    """A plain sqlite3 connection to a file that must already exist (never creates one).

    ``readonly``: one that writes nothing (``db.sqlite_file.connect_for_check``).
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"Không tìm thấy tệp dữ liệu '{path}'.")
    if readonly:
        return connect_for_check(path)
    connection = sqlite3.connect(str(path), timeout=10)
    connection.execute("PRAGMA busy_timeout = 10000")
    return connection


BACKUP_STEP_PAGES = 256    # database pages copied between two progress reports


def snapshot_into(source: str | os.PathLike, path: Path,
                  progress: Progress = null_progress) -> int:
    """Copy the database ``source`` into the new, empty file ``path`` with the backup API,
    ``BACKUP_STEP_PAGES`` at a time (``progress`` hears of each step and may stop the copy).

    The copy is switched to a rollback journal (one self-contained file) and checked with
    ``quick_check`` (DataFileError if it does not read back). Returns the audit log position
    (highest audit id) in the copy, or -1 without an audit log. The copy's side files
    (journal, WAL) are removed whatever happens.
    """
    position = -1
    try:
        src = connect_existing(source, readonly=True)
        try:
            dst = sqlite3.connect(str(path))
            try:
                progress(0, None, "Đang sao lưu tệp dữ liệu…")
                src.backup(dst, pages=BACKUP_STEP_PAGES,
                           progress=lambda _status, remaining, total: progress(
                               total - remaining, total))
                progress(1, 1, "Đang kiểm tra bản sao lưu…")
                dst.execute("PRAGMA journal_mode = DELETE")
                result = [str(row[0]) for row in dst.execute("PRAGMA quick_check")]
                damage, _constraint = split_integrity(result)
                if damage:
                    raise DataFileError("Bản sao lưu vừa tạo không đọc lại được: "
                                        + "; ".join(damage[:3]))
                with contextlib.suppress(sqlite3.OperationalError):
                    position = dst.execute("SELECT coalesce(max(id), 0) FROM audit_log"
                                           ).fetchone()[0]
            finally:
                dst.close()
        finally:
            src.close()
    finally:
        for extra in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(path) + extra).unlink()
    return position


def copy_database(source: str | os.PathLike, target: str | os.PathLike,
                  progress: Progress = null_progress) -> int:
    """Snapshot ``source`` into the new file ``target`` (``snapshot_into``), through the one
    file writer: the copy is checked before it takes the target's name. Returns the audit log
    position in the snapshot, or -1 without an audit log."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target, progress) as temporary:
            position = snapshot_into(source, temporary, progress)
    except sqlite3.DatabaseError as error:
        raise DataFileError(f"Không sao lưu được tệp dữ liệu: {error}") from None
    except FileWriteError as error:
        raise DataFileError(f"Không ghi được bản sao lưu '{target}': {error.reason}.") from None
    except OSError as error:
        raise DataFileError(f"Không ghi được bản sao lưu '{target}': "
                            f"{reason_of(error)}.") from None
    return position


def make_backup(data_path: str | os.PathLike, reason: str = MANUAL, *,
                target: str | os.PathLike | None = None, now: dt.datetime | None = None,
                thin: bool = True, folder: str | os.PathLike | None = None,
                progress: Progress = null_progress) -> BackupInfo:
    """Back the data file up (into ``folder``, by default ``backups/``, unless ``target`` is
    given) and note it. ``progress`` may stop the copy (``Cancelled``): then no backup file
    is left and nothing is noted.

    The time and audit position of the backup are written to the data file's ``safety_meta``
    (when the file has that table), then the folder is thinned.
    """
    data_path = Path(data_path)
    now = (now or dt.datetime.now()).replace(microsecond=0)
    second = folder is not None
    if target is None:
        folder = Path(folder) if second else backups_dir(data_path)
        target = folder / backup_name(data_path, now, reason)
        counter = 2
        while target.exists():
            target = folder / (Path(backup_name(data_path, now, reason)).stem
                               + f"-{counter}{BACKUP_SUFFIX}")
            counter += 1
    target = Path(target)
    position = copy_database(data_path, target, progress)
    if position >= 0:
        record_backup(data_path, now, position, second)
    if thin and second:
        thin_backups(data_path, now, folder=target.parent)
    elif thin and target.parent == backups_dir(data_path):
        thin_backups(data_path, now)
    return BackupInfo(target, now, reason, target.stat().st_size)


def second_folder(data_path: str | os.PathLike) -> Path | None:
    """The second backup folder set for this data file (``backup.second_folder``), or None."""
    try:
        connection = connect_existing(data_path, readonly=True)
    except (DataFileError, sqlite3.DatabaseError):
        return None
    try:
        row = connection.execute("SELECT value FROM settings WHERE key = ? AND value != '' "
                                 "ORDER BY id LIMIT 1", (SECOND_FOLDER_KEY,)).fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return Path(row[0]) if row else None


def backup_to_second(data_path: str | os.PathLike, reason: str = MANUAL,
                     now: dt.datetime | None = None,
                     progress: Progress = null_progress) -> BackupInfo:
    """A backup into the second folder now; DataFileError when none is set or it is not there
    (the USB stick not plugged in)."""
    folder = second_folder(data_path)
    if folder is None:
        raise DataFileError("Chưa chọn thư mục sao lưu thứ hai (ví dụ một thư mục trên ổ USB).")
    if not folder.is_dir():
        raise DataFileError(f"Thư mục sao lưu thứ hai '{folder}' không có (ổ USB chưa cắm, "
                            "hoặc thư mục đã bị đổi tên).")
    return make_backup(data_path, reason, now=now, folder=folder, progress=progress)


def record_backup(data_path: Path, when: dt.datetime, position: int,
                  second: bool = False) -> None:
    """Note in the data file when it was last backed up (no-op before schema 0002, and for a
    file this program does not open: another program's, or a newer version's); a backup in the
    second folder notes its own position only."""
    try:
        connection = connect_existing(data_path)
    except DataFileError:
        return
    values = [(META_SECOND_BACKUP_POSITION, str(position))] if second else [
        (META_LAST_BACKUP_AT, when.isoformat()), (META_LAST_BACKUP_POSITION, str(position))]
    try:
        revision, _foreign = read_revision(connection)
        if revision not in KNOWN_REVISIONS:
            return
        with connection:
            connection.executemany(
                "INSERT OR REPLACE INTO safety_meta (key, value) VALUES (?, ?)", values)
    except sqlite3.OperationalError:
        pass  # an older schema without safety_meta, busy, read-only: the next backup notes it
    finally:
        connection.close()


def read_meta(connection: sqlite3.Connection) -> dict[str, str]:
    try:
        return dict(connection.execute("SELECT key, value FROM safety_meta").fetchall())
    except sqlite3.OperationalError:
        return {}


# ---------------------------------------------------------------------------- automatic
class AutoBackup:
    """When to back up an open data file: on close, and daily while open, if it changed."""

    def __init__(self, data_path: str | os.PathLike,
                 clock: Callable[[], dt.datetime] = dt.datetime.now):
        self.data_path = Path(data_path)
        self.clock = clock

    def state(self) -> tuple[int, int | None, dt.datetime | None]:
        """(audit position now, position at the last backup, time of the last backup)."""
        connection = connect_existing(self.data_path)
        try:
            position = connection.execute(
                "SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
            meta = read_meta(connection)
        finally:
            connection.close()
        saved = meta.get(META_LAST_BACKUP_POSITION)
        when = meta.get(META_LAST_BACKUP_AT)
        last_at = dt.datetime.fromisoformat(when) if when else None
        if last_at is None:
            backups = list_backups(self.data_path)
            last_at = backups[0].taken_at if backups else None
        return position, (int(saved) if saved else None), last_at

    def changed(self) -> bool:
        position, saved, _ = self.state()
        return position != (saved if saved is not None else 0)

    def due(self) -> bool:
        position, saved, last_at = self.state()
        if position == (saved if saved is not None else 0):
            return False
        return last_at is None or self.clock() - last_at >= AUTO_INTERVAL

    def run_if_due(self) -> BackupInfo | None:
        """The daily backup while open (call it every hour or so)."""
        if not self.due():
            return None
        return make_backup(self.data_path, AUTO, now=self.clock())

    def on_close(self) -> BackupInfo | None:
        """The backup when the program closes the file, if anything changed."""
        if not self.data_path.is_file() or not self.changed():
            return None
        return make_backup(self.data_path, ON_CLOSE, now=self.clock())

    def second_on_close(self) -> BackupInfo | None:
        """On close, a backup into the second folder too, when it is there and has not got
        the file as it is now (it may have been away at the last closes)."""
        folder = second_folder(self.data_path) if self.data_path.is_file() else None
        if folder is None or not folder.is_dir():
            return None
        connection = connect_existing(self.data_path)
        try:
            position = connection.execute(
                "SELECT coalesce(max(id), 0) FROM audit_log").fetchone()[0]
            saved = read_meta(connection).get(META_SECOND_BACKUP_POSITION)
        finally:
            connection.close()
        if saved is not None and int(saved) == position:
            return None
        return make_backup(self.data_path, ON_CLOSE, now=self.clock(), folder=folder)
