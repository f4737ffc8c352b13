"""Storage: migrations, SQLite settings, schema-version checks, transactions, audit log."""

import sqlite3

import pytest
from sqlalchemy import func, select, text

from chibo4tot_desktop.db import engine as engine_module
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AuditEntry, Cell
from chibo4tot_desktop.errors import DataFileError, ValidationError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell, delete_cell, update_cell


def test_head_revision_matches_the_alembic_scripts():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(engine_module.Path(
        engine_module.__file__).with_name("migrations")))
    script = ScriptDirectory.from_config(config)
    assert script.get_current_head() == engine_module.HEAD_REVISION
    assert {rev.revision for rev in script.walk_revisions()} == set(
        engine_module.KNOWN_REVISIONS)


def test_migrated_schema_matches_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from chibo4tot_desktop.db.models import Base

    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_sqlite_pragmas(db):
    if not db.is_sqlite:
        pytest.skip("SQLite only (the test database is PostgreSQL)")
    with db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL


def test_foreign_keys_are_enforced(office):
    with pytest.raises(Exception):
        with office.db.transaction() as session:
            session.add(Cell(organisation_id=999, code="X", name="Không có đảng bộ"))


def test_newer_schema_is_refused(db_path):
    open_database(db_path).close()
    with sqlite3.connect(db_path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    with pytest.raises(DataFileError, match="phiên bản mới hơn"):
        open_database(db_path)


def test_not_a_database_is_refused(tmp_path):
    path = tmp_path / "bang-tinh.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip, not a database")
    with pytest.raises(DataFileError, match="không phải là tệp dữ liệu"):
        open_database(path)


def test_another_programs_database_is_refused(tmp_path):
    path = tmp_path / "khac.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    with pytest.raises(DataFileError, match="chương trình khác"):
        open_database(path)


def test_damaged_file_is_refused(tmp_path):
    path = tmp_path / "hong.sqlite3"
    open_database(path).close()
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    path.write_bytes(bytes(data))
    with pytest.raises(DataFileError):
        open_database(path)


def test_missing_file_without_create(tmp_path):
    with pytest.raises(DataFileError, match="Không tìm thấy"):
        open_database(tmp_path / "khong-co.sqlite3", create=False)


def test_readonly_refuses_writes(office, db_target):
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    reader = open_database(db_target, readonly=True)
    try:
        readonly_office = Office(reader)
        assert [c.code for c in queries.cells(readonly_office)] == ["TDP01"]
        with pytest.raises(DataFileError, match="chỉ đọc"):
            add_cell(readonly_office, "TDP02", "Chi bộ Tổ dân phố 2")
    finally:
        reader.close()


def test_failed_transaction_leaves_nothing(office):
    before = _count(office, Cell)
    audit_before = _count(office, AuditEntry)
    with pytest.raises(RuntimeError):
        with office.db.transaction("cells") as session:
            session.add(Cell(organisation_id=office.organisation_id, code="A", name="A"))
            session.flush()
            raise RuntimeError("boom")
    assert _count(office, Cell) == before
    assert _count(office, AuditEntry) == audit_before


def test_audit_log_records_insert_update_delete(office):
    cell = add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1", secretary="Nguyễn Văn A")
    update_cell(office, cell.id, secretary="Trần Thị B")
    delete_cell(office, cell.id)
    rows = [r for r in queries.audit_log(office) if r.table_name == "cells"]
    actions = [(r.action, r.field, r.old_value, r.new_value) for r in reversed(rows)]
    assert actions[0][0] == "insert" and "Nguyễn Văn A" in actions[0][3]
    assert ("update", "secretary", "Nguyễn Văn A", "Trần Thị B") in actions
    assert actions[-1][0] == "delete" and "Trần Thị B" in actions[-1][2]
    assert all(r.summary == "Chi bộ Tổ dân phố 1" for r in rows)


def test_listeners_hear_after_commit_only(office):
    heard = []
    office.db.subscribe(heard.append)
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    with pytest.raises(ValidationError):
        add_cell(office, "TDP01", "Chi bộ khác")
    assert heard == [frozenset({"cells"})]


def _count(office, model):
    with office.db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_bulk_audit_texts_are_the_flushs_texts():
    """The bulk writes' audit text of a row (each distinct date or enum converted once) is
    the flush's ``json.dumps`` of the plain values, whatever the values; a value JSON has no
    form of is refused as by json."""
    import datetime as dt
    import json

    from chibo4tot_desktop.db import audit
    from chibo4tot_desktop.db.models import RegistrationSource

    text = audit.row_texts()
    rows = [{"id": 1, "name": "Chi bộ “Đoàn” \\ 1\n", "on": dt.date(2024, 3, 1),
             "at": dt.datetime(2024, 3, 1, 8, 30), "source": RegistrationSource.FILE,
             "n": 1.5, "ok": True, "none": None, "file": b"abc", "buffer": bytearray(b"ab"),
             "list": ["x", 2]},
            {"id": 2, "on": dt.datetime(2024, 3, 1), "again": dt.date(2024, 3, 1),
             "source": RegistrationSource.TYPED, "file": b"abc"},
            {"on": dt.date(2024, 3, 1), "emoji": "😀", "big": 10 ** 30}]
    for row in rows + rows:
        assert text(row) == json.dumps({key: audit._plain(value) for key, value in row.items()},
                                       ensure_ascii=False)
    with pytest.raises(TypeError):
        text({"odd": object()})


def test_bulk_parameters_convert_as_the_column_types_do(tmp_path):
    """The bulk writes' parameters are each column type's own conversion of each value,
    whether a column repeats its values (each distinct one converted once), mixes types
    that compare equal (1 and True), or holds values that cannot be keys."""
    import datetime as dt

    from sqlalchemy import (
        Boolean,
        Column,
        Date,
        Integer,
        MetaData,
        PickleType,
        Table,
        create_engine,
    )

    from chibo4tot_desktop.db import bulk

    table = Table("t", MetaData(), Column("id", Integer, primary_key=True),
                  Column("on", Date), Column("flag", Boolean), Column("blob", PickleType))
    engine = create_engine(f"sqlite:///{tmp_path / 't.sqlite3'}")
    table.metadata.create_all(engine)
    days = [dt.date(2024, 3, 1 + n % 3) for n in range(9)]
    rows = [{"id": n + 1, "on": days[n], "flag": [True, 1, False][n % 3],
             "blob": [n, "x"]} for n in range(9)]
    with engine.begin() as connection:
        bulk.insert_many(connection, table, rows)
    with engine.connect() as connection:
        assert [tuple(row) for row in connection.execute(table.select().order_by(table.c.id))] \
            == [(row["id"], row["on"], bool(row["flag"]), row["blob"]) for row in rows]
        raw = connection.exec_driver_sql('SELECT "on", flag FROM t ORDER BY id').all()
    assert [tuple(row) for row in raw] == [(day.isoformat(), int(bool(flag)))
                                          for day, flag in zip(days, [True, 1, False] * 3)]
