"""An SQLite data file on disk, below SQLAlchemy: its header, the schema revisions this program
knows, and connections that only look at it.

``connect_readonly`` opens a file so that nothing is written to it (an SQLite URI with every
character of the path quoted: ``?``, ``#`` and ``%`` are parts of the name); in a folder nobody
may write to, a WAL file without a pending log is read as it is (``immutable``), since SQLite
could not create its shared-memory file there. ``connect_for_check`` is the same, except that
a write cut short in rollback-journal mode must first be rolled back, which only a read-write
connection can do. ``read_revision`` reads the Alembic revision on such a connection.
"""

from __future__ import annotations

import os
import re
import sqlite3
from pathlib import Path

# The newest schema revision this program knows, and every revision it can read or migrate.
# tests/test_db.py checks these against the Alembic scripts.
HEAD_REVISION = "0007_sort_keys"
KNOWN_REVISIONS = ("0001", "0002_i6", "0002_i8", "0003_evidence_keys",
                   "0004_dated_history", "0005_decision_signers", "0006_year_rules",
                   "0007_sort_keys")

SQLITE_HEADER = b"SQLite format 3\x00"


def is_url(target: str | os.PathLike) -> bool:
    """A database server's URL rather than a data file's path."""
    return "://" in str(target)


def sqlite_uri(path: str | os.PathLike, **params: str) -> str:
    """An SQLite URI naming exactly ``path``: every character SQLite would read as URI syntax
    (``?``, ``#``, ``%``, spaces) is percent-encoded."""
    from urllib.parse import quote

    text_path = Path(os.path.abspath(path)).as_posix()
    if re.match(r"^[A-Za-z]:", text_path):   # Windows: file:///C:/...
        text_path = "/" + text_path
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return "file://" + quote(text_path, safe="/:") + (f"?{query}" if query else "")


def folder_writable(folder: Path) -> bool:
    if os.access in os.supports_effective_ids:
        return os.access(folder, os.W_OK, effective_ids=True)
    return os.access(folder, os.W_OK)


def readonly_uri(path: str | os.PathLike) -> str:
    """The URI to read ``path`` without writing to it.

    A WAL file can only be read where SQLite may create its shared-memory file; in a folder
    nobody may write to, a WAL file without a pending log is read as it is (``immutable``).
    """
    path = Path(path)
    wal = path.with_name(path.name + "-wal")
    if not folder_writable(path.parent) and _header_journal(path) == 2 and not (
            wal.exists() and wal.stat().st_size > 0):
        return sqlite_uri(path, immutable="1")
    return sqlite_uri(path, mode="ro")


def _header_journal(path: Path) -> int:
    """Bytes 18-19 of the header: 1 for a rollback journal, 2 for WAL (0 if unreadable)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return 0
    return header[18] if len(header) == 20 else 0


def connect_readonly(path: str | os.PathLike, *, timeout: float = 10) -> sqlite3.Connection:
    """A plain sqlite3 connection that cannot write to ``path`` (nor create it)."""
    connection = sqlite3.connect(readonly_uri(path), uri=True, timeout=timeout)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return connection


def connect_for_check(path: str | os.PathLike, *, timeout: float = 10) -> sqlite3.Connection:
    """A connection to look at a file: read-only, unless a write was cut short in rollback
    journal mode (a "hot" journal beside it), which only a read-write connection can roll
    back - as any opening of the file does first."""
    path = Path(path)
    try:
        hot = path.with_name(path.name + "-journal").stat().st_size > 0
    except OSError:
        hot = False
    if not hot:
        return connect_readonly(path, timeout=timeout)
    connection = sqlite3.connect(str(path), timeout=timeout)
    connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
    return connection


def read_revision(connection: sqlite3.Connection) -> tuple[str | None, bool]:
    """(Alembic revision or None, whether other tables exist) on a plain sqlite3 connection."""
    names = {row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    revision = None
    if "alembic_version" in names:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    return revision, revision is None and bool(names - {"alembic_version"})


# ------------------------------------------------------------------ the start check, begun early
# The physical check at each opening (safety.opening): the thorough one before writing, the
# quick one (pages and records, not index contents) before reading.
WRITE_CHECK = "integrity_check"
READ_CHECK = "quick_check"


def _signature(path: Path) -> tuple:
    """What changes when anything is written to the file: size, time and inode of the file and
    of its -wal and -journal beside it (an empty one, as a reader may leave, holds nothing)."""
    marks = []
    for name in (path.name, path.name + "-wal", path.name + "-journal"):
        try:
            stat = path.with_name(name).stat()
        except OSError:
            stat = None
        marks.append((stat.st_size, stat.st_mtime_ns, stat.st_ino) if stat and stat.st_size
                     else None)
    return tuple(marks)


class EarlyCheck:
    """The physical check of a data file run in a thread while the window imports the core
    (SQLite does not hold Python's lock while it checks, so both go at once). Its lines are
    used by the opening only if nothing was written to the file from before the check began
    until it is taken; otherwise the opening checks again as usual."""

    def __init__(self, path: Path, pragma: str):
        import threading

        self.path, self.pragma = path, pragma
        self.lines: list[str] | None = None
        self.before = _signature(path)
        self._thread = threading.Thread(target=self._run, name="early-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            connection = connect_readonly(self.path)
            try:
                self.lines = [str(row[0]) for row in connection.execute(
                    f"PRAGMA {self.pragma}")] or ["ok"]
            finally:
                connection.close()
        except sqlite3.Error:
            self.lines = None       # the opening's own check says what is wrong

    def take(self) -> list[str] | None:
        """The check's lines, or None when they cannot stand for the file as it is now."""
        self._thread.join()
        if self.lines is None or _signature(self.path) != self.before:
            return None
        return self.lines


_early: dict[tuple[str, str], EarlyCheck] = {}


def begin_early_check(path: str | os.PathLike, pragma: str = WRITE_CHECK) -> None:
    """Start checking ``path`` now, for the opening that follows. Nothing is begun for a file
    that is missing, not SQLite, or has a write cut short beside it (only the opening, with
    the writer lock held, may roll that back)."""
    path = Path(os.path.abspath(path))
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return
    except OSError:
        return
    journal = path.with_name(path.name + "-journal")
    if journal.exists() and journal.stat().st_size > 0:
        return
    _early[str(path), pragma] = EarlyCheck(path, pragma)


def take_early_check(path: str | os.PathLike, pragma: str) -> list[str] | None:
    """The lines of an early check of ``path`` still true of it (used once), else None."""
    early = _early.pop((os.path.abspath(path), pragma), None)
    return early.take() if early is not None else None


def drop_early_checks() -> None:
    """Forget early checks the opening did not take (a later opening checks afresh)."""
    _early.clear()
