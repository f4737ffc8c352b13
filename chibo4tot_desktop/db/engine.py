"""Opening the data file: SQLite with foreign keys and WAL, the schema check, transactions.

``open_database(path)`` returns a ``Database``: create the file on first use (running the
Alembic migrations), refuse a file that is not ours or that a newer program wrote, migrate an
older one. Every write goes through ``Database.transaction()``, which commits or rolls back as
a whole; the audit log is written inside the same transaction (see ``db.audit``).

A file path is handed to SQLite as a path (never parsed as a URL: ``?``, ``#`` and ``%`` are
parts of the name), and a file is only switched to WAL after its schema was read on a
read-only connection and found to be ours. Opening for the window and the commands goes
through ``safety.opening``, which adds the lock and the start checks.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from chibo4tot_desktop.db import audit, blobs, scope
from chibo4tot_desktop.db.changes import Change

# The schema revisions this program knows are defined beside the header, in db.sqlite_file.
from chibo4tot_desktop.db.sqlite_file import (
    HEAD_REVISION,
    KNOWN_REVISIONS,
    SQLITE_HEADER,
    connect_readonly,
    is_url,
    read_revision,
    readonly_uri,
)
from chibo4tot_desktop.errors import (
    ConflictError,
    DataFileEmptyError,
    DataFileError,
    DataFileMissingError,
    DataFileNewerError,
    DataFileNotOursError,
    DataFileReadOnlyError,
)


def make_engine(target: str | os.PathLike, *, readonly: bool = False) -> Engine:
    """An engine for a file path (SQLite) or a database URL."""
    if is_url(target):
        try:
            engine = create_engine(str(target), future=True, pool_pre_ping=True)
        except ImportError as error:   # e.g. psycopg missing from this installation
            raise DataFileError(f"Bản cài đặt này thiếu thư viện để kết nối cơ sở dữ liệu "
                                f"'{error.name or error}' (cài thêm: pip install "
                                "\"chibo4tot-desktop[postgres]\").") from None
        if engine.dialect.name == "postgresql":
            from chibo4tot_desktop.db.models import for_postgresql

            for_postgresql()
        return engine
    if readonly:
        url = URL.create("sqlite+pysqlite", database=readonly_uri(target),
                         query={"uri": "true"})
    else:
        # URL.create keeps the path as it is (a URL string would take "?" for a query).
        url = URL.create("sqlite+pysqlite", database=os.path.abspath(target))
    engine = create_engine(url, future=True, connect_args={"timeout": 5})
    _configure_sqlite(engine, readonly=readonly)
    return engine


def _configure_sqlite(engine: Engine, *, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a transaction reported committed survives a crash or power cut.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute("PRAGMA busy_timeout = 5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")


def _check_sqlite_file(path: Path) -> None:
    """Refuse early, with a clear message, a file that is not an SQLite database."""
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise DataFileError(f"Không mở được tệp dữ liệu '{path}': {error.strerror}") from None
    if header != SQLITE_HEADER:
        raise DataFileNotOursError(
            f"Tệp '{path.name}' không phải là tệp dữ liệu của chương trình (không phải SQLite).")


def current_revision(connection) -> str | None:
    """The Alembic revision stored in the file, or None for a file without our schema."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    return row[0] if row else None


def has_user_tables(connection) -> bool:
    names = [name for name in inspect(connection).get_table_names() if name != "alembic_version"]
    return bool(names)


def run_migrations(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (imported only when needed)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).with_name("migrations")))
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return
    # SQLite rebuilds a table to change its constraints (drop, copy, rename): with the foreign
    # keys on, dropping the old table would cascade into its children. They are switched off
    # (outside the transaction, the only place SQLite takes it) and the references checked
    # before the commit.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys = OFF")
        try:
            with connection.begin():
                before = _broken_references(connection)
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                broken = _broken_references(connection) - before
                if broken:
                    raise DataFileError(
                        "Nâng cấp tệp dữ liệu dừng lại: có bản ghi mất liên kết "
                        f"({sorted(broken)[0][0]}); tệp được giữ nguyên như trước.")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def _broken_references(connection) -> set[tuple]:
    """(table, rowid, parent table) of every row whose parent is missing."""
    return {tuple(row[:3]) for row in
            connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()}


def _is_contention(error: OperationalError) -> bool:
    """A write that lost a race with another user (SQLite lock, PostgreSQL deadlock or
    serialization failure), as opposed to a broken database."""
    code = getattr(error.orig, "sqlstate", None)
    if code in ("40001", "40P01", "55P03"):
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def _is_readonly(error: OperationalError) -> bool:
    message = str(error.orig).lower()
    return "readonly database" in message or "read-only" in message


class Database:
    """An open data file: its engine, a session factory, and transaction helpers."""

    def __init__(self, engine: Engine, target: str | os.PathLike, *, readonly: bool = False,
                 lock=None):
        self.engine = engine
        self.target = str(target)
        self.path = None if is_url(target) else Path(target)
        self.readonly = readonly
        self.lock = lock  # safety.lock.WriterLock held while open (safety.opening)
        self.warnings: list[str] = []  # said once when opened (e.g. a file on a network share)
        self._sessions = sessionmaker(engine, expire_on_commit=False, future=True)
        audit.install(self._sessions)
        blobs.install(self._sessions)
        scope.install(self._sessions)
        self._listeners: list[Callable[[frozenset[str]], None]] = []

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, organisation_id: int | None = None) -> Session:
        """A session for reading; use ``transaction()`` for anything that writes.

        ``organisation_id``: see only that organisation's rows (``db.scope``)."""
        session = self._sessions()
        if organisation_id is not None:
            session.info[scope.ORGANISATION_ID] = organisation_id
        return session

    def session_on(self, connection, organisation_id: int | None = None) -> Session:
        """A reading session on ``connection`` (inside its transaction, seeing what it has
        written so far), with the organisation filter; closing it leaves the transaction."""
        session = self._sessions(bind=connection,
                                 join_transaction_mode="rollback_only")
        if organisation_id is not None:
            session.info[scope.ORGANISATION_ID] = organisation_id
        return session

    @contextlib.contextmanager
    def transaction(self, *topics: str, organisation_id: int | None = None
                    ) -> Iterator[Session]:
        """One unit of work: all of it is committed, or none of it (on any exception).

        ``topics`` name what the work changes ("cells", "registrations", ...); after the commit
        listeners get a ``Change``: those topics, plus the topics and ids of every row the
        audit hook saw inserted, updated or deleted, so screens refresh what they show.
        """
        if self.readonly:
            raise DataFileError("Tệp dữ liệu đang mở ở chế độ chỉ đọc; không thể ghi thay đổi.")
        if self.lock is not None:
            self.lock.ensure()   # our lock file deleted or replaced: refuse, take it again
        session = self.session(organisation_id)
        try:
            with session.begin():
                yield session
            rows = session.info.get(audit.CHANGED_ROWS, {})
        except OperationalError as error:
            if _is_contention(error):
                raise ConflictError("Dữ liệu đang được người khác ghi cùng lúc; thay đổi chưa "
                                    "được lưu, hãy thử lại.") from None
            if _is_readonly(error):
                name = self.path.name if self.path is not None else self.target
                raise DataFileReadOnlyError(
                    f"Không ghi được vào tệp dữ liệu '{name}': tệp hoặc thư mục chứa nó chỉ "
                    "đọc. Thay đổi chưa được lưu.") from None
            raise
        finally:
            session.close()
        if topics or rows:
            self.notify(Change(topics, rows))

    def subscribe(self, listener: Callable[[Change], None]) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[Change], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def notify(self, topics: Change) -> None:
        for listener in list(self._listeners):
            listener(topics)

    def close(self) -> None:
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()


def open_database(target: str | os.PathLike, *, create: bool = True,
                  readonly: bool = False, migrate: bool = True) -> Database:
    """Open (or create) the data file at ``target`` and check its schema version.

    No lock and no start checks: the window and the commands open files through
    ``safety.opening`` (``open_for_writing``, ``open_for_reading``).
    """
    return _open(target, create=create, readonly=readonly, migrate=migrate)


def _open(target, *, create: bool, readonly: bool, migrate: bool) -> Database:
    if not is_url(target):
        path = Path(target)
        if path.exists() and path.stat().st_size > 0:
            _check_sqlite_file(path)
            check_schema_readonly(path)   # refuse before anything is written to the file
        elif not create:
            if path.exists():
                raise DataFileEmptyError(f"Tệp dữ liệu '{path.name}' rỗng (0 byte).")
            raise DataFileMissingError(f"Không tìm thấy tệp dữ liệu '{path}'.")
        elif readonly:
            raise DataFileError(f"Tệp dữ liệu '{path}' chưa có; không thể mở chỉ đọc.")
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(target, readonly=readonly)
    try:
        _check_schema(engine, target, readonly=readonly, migrate=migrate)
    except sqlite3.DatabaseError as error:
        engine.dispose()
        raise DataFileError(f"Tệp dữ liệu bị hỏng hoặc không đọc được: {error}") from None
    except Exception:
        engine.dispose()
        raise
    db = Database(engine, target, readonly=readonly)
    if not readonly:
        # The cells' sort keys in this program's order (derived data, made by the core).
        from chibo4tot_desktop.ops.sort_keys import bring_up_to_date

        try:
            bring_up_to_date(db)
        except BaseException:
            db.close()
            raise
    return db


def refuse_schema(target, revision: str | None, foreign: bool) -> None:
    """Raise for a file that is not ours or that a newer program wrote."""
    if foreign:
        if is_url(target):
            raise DataFileNotOursError("Cơ sở dữ liệu trên máy chủ là của chương trình khác; "
                                       "không mở.")
        raise DataFileNotOursError(
            f"Tệp '{Path(target).name}' là cơ sở dữ liệu của chương trình khác; không mở.")
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise DataFileNewerError(
            "Tệp dữ liệu được tạo bởi phiên bản mới hơn của chương trình "
            f"(lược đồ {revision}); hãy cài phiên bản mới nhất để mở tệp này.")


def check_schema_readonly(path: Path) -> str | None:
    """Read the schema revision without writing; refuse a file not ours or newer."""
    try:
        connection = connect_readonly(path)
    except sqlite3.Error as error:
        raise DataFileError(f"Không đọc được tệp dữ liệu '{path.name}' ({error}).") from None
    try:
        revision, foreign = read_revision(connection)
    except sqlite3.DatabaseError as error:
        raise DataFileError(f"Không đọc được tệp dữ liệu '{path.name}' ({error}).") from None
    finally:
        connection.close()
    refuse_schema(path, revision, foreign)
    return revision


def _check_schema(engine: Engine, target, *, readonly: bool, migrate: bool) -> None:
    from sqlalchemy.exc import DatabaseError as SADatabaseError

    try:
        with engine.connect() as connection:
            revision = current_revision(connection)
            foreign = revision is None and has_user_tables(connection)
    except SADatabaseError as error:
        if is_url(target):
            reason = str(error.orig).strip().splitlines()[0] if str(error.orig).strip() else ""
            raise DataFileError(
                f"Không kết nối được cơ sở dữ liệu trên máy chủ ({reason}).") from None
        raise DataFileError(
            f"Tệp dữ liệu bị hỏng hoặc không đọc được ({error.orig}).") from None
    refuse_schema(target, revision, foreign)
    if revision == HEAD_REVISION:
        return
    if readonly:
        raise DataFileError("Tệp dữ liệu cần được nâng cấp nhưng đang mở chỉ đọc.")
    if not migrate:
        raise DataFileError("Tệp dữ liệu thuộc phiên bản cũ và cần được nâng cấp.")
    if revision is not None and not is_url(target):
        # An existing file of an older schema: keep a copy as it was before touching it.
        from chibo4tot_desktop.safety.backup import BEFORE_MIGRATION, make_backup

        engine.dispose()
        make_backup(target, BEFORE_MIGRATION, thin=False)
    run_migrations(engine)
