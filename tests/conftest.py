"""Shared fixtures: a fresh data file per test, the demo office, no real user folders.

The SQLite data file of each test is a copy of a template made once per session: an empty
file migrated to the newest schema, or that file with the `office` fixture's organisation and
phase, or with the demo ward (``demo_office``). Tests of the migrations themselves open their
own files from ``db_path`` and still migrate. On PostgreSQL (CHIBO4TOT_TEST_DATABASE_URL) each
test migrates a new schema and the fixtures build their data in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chibo4tot_desktop.db.engine import open_database  # noqa: E402
from chibo4tot_desktop.demo import build_demo  # noqa: E402
from chibo4tot_desktop.ops import Office, queries  # noqa: E402
from chibo4tot_desktop.ops.setup import create_organisation, create_phase  # noqa: E402
from tests.datafiles import copy_data_file  # noqa: E402


POPPLER_TOOLS = ("pdftotext", "pdfinfo", "pdftoppm")


def pytest_runtest_setup(item):
    """Tests marked ``poppler`` read PDFs back with poppler-utils: skip them without it."""
    if item.get_closest_marker("poppler") is not None:
        missing = [tool for tool in POPPLER_TOOLS if shutil.which(tool) is None]
        if missing:
            pytest.skip(f"poppler-utils is needed to read the PDF back ({', '.join(missing)} "
                        "not found)")


@pytest.fixture(autouse=True)
def _workers_end_with_their_test(request):
    """A Qt test ends once the workers it started have: a list's ordering or a year's
    overview still running in Qt's thread pool would otherwise end during the next test,
    and drop there, from its thread, the last references to the finished test's objects."""
    yield
    if "qapp" in request.fixturenames:
        from PySide6.QtCore import QThreadPool
        from PySide6.QtWidgets import QApplication

        assert QThreadPool.globalInstance().waitForDone(120_000), "a worker did not end"
        QApplication.processEvents()      # what the last ones sent, delivered


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


@pytest.fixture(scope="session")
def empty_template(tmp_path_factory) -> Path:
    """A data file migrated to the newest schema and holding no data; never opened again."""
    path = tmp_path_factory.mktemp("templates") / "empty.sqlite3"
    open_database(path).close()
    return path


def _template_from(empty: Path, path: Path, fill) -> Path:
    """A copy of the empty template with ``fill(office)`` done in it, closed again."""
    copy_data_file(empty, path)
    database = open_database(path)
    try:
        fill(Office(database))
    finally:
        database.close()
    return path


def _declare_office(office: Office) -> None:
    create_organisation(office, "TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
    create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025, "Kế hoạch số 98-KH/Th.U")


@pytest.fixture(scope="session")
def office_template(tmp_path_factory, empty_template) -> Path:
    """The empty template with the `office` fixture's organisation and phase."""
    return _template_from(empty_template, tmp_path_factory.mktemp("templates") / "office.sqlite3",
                          _declare_office)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory, empty_template) -> Path:
    """The empty template with the demo ward built in it."""
    return _template_from(empty_template, tmp_path_factory.mktemp("templates") / "demo.sqlite3",
                          build_demo)


@pytest.fixture
def db(request, db_target):
    """The open test database. SQLite: a copy of the template holding what the test's
    fixtures start from (the demo ward, the office's organisation and phase, or nothing)."""
    if isinstance(db_target, Path):
        needed = request.fixturenames
        template = ("demo_template" if "demo_office" in needed
                    else "office_template" if "office" in needed else "empty_template")
        copy_data_file(request.getfixturevalue(template), db_target)
    database = open_database(db_target)
    yield database
    database.close()


@pytest.fixture
def office(db):
    """An office with the organisation and a phase 2023-2025, no cells (already in the copied
    SQLite file, declared here on PostgreSQL)."""
    office = Office(db)
    if queries.is_empty(office):
        _declare_office(office)
    return office


@pytest.fixture
def demo_office(db):
    """The demo ward: already in the copied SQLite file, built here on PostgreSQL."""
    office = Office(db)
    if queries.is_empty(office):
        build_demo(office)
    return office
