"""A data file made before dated history comes forward with nothing lost: every figure,
verdict, paper and list of its years reads as the program printed it then.

``tests/data/file_before_dated_history.sqlite3.gz`` was made by the program at commit 521dcdf
(``make_file_before_dated_history.py``: the demo ward, a registration without its number of
members, a cell dissolved after the 2024 review day, settings for the papers' signers, 2024
proposals); the ``.expected.json.gz`` beside it is what that program printed from it
(``capture_file_figures.py``). ``demo_2023_as_printed.json.gz`` is what the demo ward of that
program printed for 2023: today's demo, which tells the story of the years after, prints 2023
the same way.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections import Counter

import pytest
from sqlalchemy import select

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.engine import HEAD_REVISION, current_revision, open_database
from chibo4tot_desktop.db.models import CatalogueVersion, CriteriaGroup, Registration, Setting
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.safety.check import run_check
from tests.data import capture_file_figures as capture

DATA = capture.Path(__file__).with_name("data")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils is needed to read the PDFs back")


def _expected(name: str) -> dict:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _old_file(tmp_path):
    path = tmp_path / "cu.sqlite3"
    with gzip.open(DATA / "file_before_dated_history.sqlite3.gz", "rb") as source, \
            open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    return path


def _words(text: str) -> Counter:
    return Counter(text.split())


# What the program prints differently on purpose, by list and row (0-based from row 4):
# a year's number of members is the one of that year's registration; a cell that did not
# register that year has none (it printed today's number), and a registration typed without
# it takes the number the cell record held, which its registration form printed.
INTENDED = {
    ("cells-2023", 15): 5, ("cells-2023", 21): 5, ("cells-2024", 16): 5,
    ("cells-2024", 20): 5, ("registrations-2023", 11): 5, ("registrations-2023", 20): 5,
}


def test_an_old_file_prints_as_it_did(tmp_path):
    path = _old_file(tmp_path)
    expected = _expected("file_before_dated_history.expected.json.gz")
    now = json.loads(json.dumps(capture.capture(path), default=str))
    assert now["figures"] == expected["figures"]
    for name, text in expected["papers"].items():
        assert _words(now["papers"][name]) == _words(text), name
    for name, sheets in expected["excel"].items():
        for sheet, rows in sheets.items():
            for index, (old, new) in enumerate(zip(rows, now["excel"][name][sheet])):
                column = INTENDED.get((name, index))
                if column is not None:
                    old, new = old[:column] + old[column + 1:], new[:column] + new[column + 1:]
                assert new == old, (name, sheet, index)
            assert len(now["excel"][name][sheet]) == len(rows)


def test_the_migration_moves_settings_into_the_first_identity(tmp_path):
    path = _old_file(tmp_path)
    db = open_database(path)
    try:
        with db.engine.connect() as connection:
            assert current_revision(connection) == HEAD_REVISION
        office = Office(db)
        version, = queries.identities(office)
        assert version.valid_from == timeline.BEGINNING
        assert (version.name, version.upper_body, version.place_name) == (
            "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
        assert (version.issuer, version.certificate_signer_name, version.proposal_signer_name,
                version.decision_issuer) == (
            "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH", "Nguyễn Văn Thành", "Trần Văn Quang",
            "Ban Thường vụ Thành ủy Hà Tĩnh")
        with db.session() as session:
            keys = set(session.scalars(select(Setting.key)))
            assert not keys & {"certificate.issuer", "certificate.signer_name",
                               "proposal.signer_name", "award.issuer"}
            # A file with a dissolved cell keeps the rule it was computed with.
            assert session.scalar(select(Setting.value).where(
                Setting.key == timeline.YEAR_RULE_KEY)) == "year_end"
            assert session.scalar(select(Registration.members_count).where(
                Registration.members_count.is_(None))) is None
            versions = list(session.scalars(select(CatalogueVersion)))
            assert sorted((v.scope, v.first_year) for v in versions) == [
                ("cell", 2023), ("organisation", 2023)]
            assert all(group.version_id for group in session.scalars(select(CriteriaGroup)))
    finally:
        db.close()


def test_an_old_file_checks_as_before(tmp_path):
    """The dissolved cell's 2024 registration was outside its years before (the old rule
    kept): still the only finding."""
    path = _old_file(tmp_path)
    open_database(path).close()
    report = run_check(path, repair_safe=False, backup=False)
    found = {finding.key: finding.count for finding in report.findings if finding.count}
    assert found == {"registration_dissolved": 1, "evaluation_dissolved": 1}


def test_the_demo_prints_2023_as_it_did(demo_office, tmp_path):
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_office.db.path, path)
    expected = _expected("demo_2023_as_printed.json.gz")
    now = json.loads(json.dumps(capture.capture(path, (2023,)), default=str))
    assert now["figures"] == expected["figures"]
    for name, text in expected["papers"].items():
        assert _words(now["papers"][name]) == _words(text), name
    for name, sheets in expected["excel"].items():
        for sheet, rows in sheets.items():
            for index, (old, new) in enumerate(zip(rows, now["excel"][name][sheet])):
                column = INTENDED.get((name, index))
                if column is not None:
                    old, new = old[:column] + old[column + 1:], new[:column] + new[column + 1:]
                assert new == old, (name, sheet, index)
