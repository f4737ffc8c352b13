"""Shared fixtures: a fresh data file per test, the demo office, no real user folders."""

from __future__ import annotations

import contextlib
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chibo4tot_desktop.db.engine import open_database  # noqa: E402
from chibo4tot_desktop.demo import build_demo  # noqa: E402
from chibo4tot_desktop.ops import Office  # noqa: E402
from chibo4tot_desktop.ops.setup import create_organisation, create_phase  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch):
    """Never touch the real application-data folder."""
    monkeypatch.setenv("CHIBO4TOT_DATA_DIR", str(tmp_path / "appdata"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data.sqlite3"


# CHIBO4TOT_TEST_DATABASE_URL=postgresql+psycopg://... runs the `db` fixture on that server:
# each test gets a new, empty PostgreSQL schema (dropped afterwards). See README.
TEST_DATABASE_URL = os.environ.get("CHIBO4TOT_TEST_DATABASE_URL", "").strip()


@pytest.fixture
def db_target(db_path):
    """What the `db` fixture opens: the SQLite file, or a fresh schema on the test server."""
    if not TEST_DATABASE_URL:
        yield db_path
        return
    with fresh_pg_schema(TEST_DATABASE_URL) as url:
        yield url


@contextlib.contextmanager
def fresh_pg_schema(server_url: str):
    """A new empty schema on the server; yields a URL whose connections use only it."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{name}"'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
        admin.dispose()


@pytest.fixture
def db(db_target):
    database = open_database(db_target)
    yield database
    database.close()


@pytest.fixture
def office(db):
    """An office with the organisation and a phase 2023-2025, no cells."""
    office = Office(db)
    create_organisation(office, "TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
    create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025, "Kế hoạch số 98-KH/Th.U")
    return office


@pytest.fixture
def demo_office(db):
    office = Office(db)
    build_demo(office)
    return office
