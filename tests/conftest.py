"""Shared fixtures: a fresh data file per test, the demo office, no real user folders."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from chibo4tot_desktop.db.engine import open_database  # noqa: E402
from chibo4tot_desktop.demo import build_demo  # noqa: E402
from chibo4tot_desktop.office import Office  # noqa: E402


@pytest.fixture(autouse=True)
def _private_data_dir(tmp_path, monkeypatch):
    """Never touch the real application-data folder."""
    monkeypatch.setenv("CHIBO4TOT_DATA_DIR", str(tmp_path / "appdata"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data.sqlite3"


@pytest.fixture
def db(db_path):
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def office(db):
    """An office with the organisation and a phase 2023-2025, no cells."""
    office = Office(db)
    office.create_organisation("TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
    office.create_phase("Giai đoạn 2023 - 2025", 2023, 2025, "Kế hoạch số 98-KH/Th.U")
    return office


@pytest.fixture
def demo_office(db):
    office = Office(db)
    build_demo(office)
    return office
