"""Every long action the window runs behind a progress dialog, cancelled from its progress
(no Qt): it raises ``Cancelled`` and leaves the database and the files as they were; left
alone, it reports at its start and end and does its work."""

from __future__ import annotations

import datetime as dt
import sqlite3

import openpyxl
import pytest
from sqlalchemy import select

from chibo4tot_desktop.db.models import Base
from chibo4tot_desktop.excel import exports
from chibo4tot_desktop.excel.importer import apply_plan, build_plan
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.packets import export_packet
from chibo4tot_desktop.pdf.certificates import year_certificates_paper
from chibo4tot_desktop.pdf.render import write_paper
from chibo4tot_desktop.progress import Cancelled, ProgressState
from chibo4tot_desktop.safety.backup import backups_dir, list_backups, make_backup
from chibo4tot_desktop.safety.check import run_check
from tests.builders import trust_office
from tests.datafiles import copy_data_file

T0 = dt.datetime(2024, 2, 1, 8, 0, 0)


class Stopping(ProgressState):
    """A progress that asks to stop at its ``at``-th report (``at`` None: never); it keeps
    every report."""

    def __init__(self, at: int | None = None):
        super().__init__(lambda done, total, message: self.reports.append((done, total)))
        self.reports: list[tuple] = []
        self.at = at

    def __call__(self, done, total=None, message=None):
        super().__call__(done, total, message)
        if self.at is not None and len(self.reports) >= self.at:
            self.cancel()


def content(db) -> dict:
    """Every row of every table, to compare before and after."""
    with db.engine.connect() as connection:
        return {table.name: sorted(map(repr, connection.execute(select(table)).all()))
                for table in Base.metadata.sorted_tables}


def cancel_at_each_step(run, untouched) -> tuple[int, object]:
    """Run ``run(progress)`` asking it to stop at its first report, then at its second... :
    each time ``Cancelled`` and ``untouched()`` holds, until a run asked to stop at its last
    report ends anyway (too late to stop a database write; a file is still not written).
    Returns (the number of runs cancelled, the result of the run that ended)."""
    for step in range(1, 10_000):
        try:
            result = run(Stopping(step))
        except Cancelled:
            untouched()
            continue
        assert step > 1, "the work was never cancelled"
        return step - 1, result
    raise AssertionError("the work never ended")


def test_a_cancelled_excel_export_leaves_no_file_and_an_old_one_unchanged(demo_office,
                                                                          tmp_path):
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "ket-qua.xlsx"

    def run(progress):
        return exports.export(demo_office, "registrations", 2024, target, progress=progress)

    def untouched():
        assert list(target.parent.iterdir()) == []

    cancelled, result = cancel_at_each_step(run, untouched)
    assert cancelled > 16                 # a report a row, and at the start and the end
    assert result is None or result == target
    assert target.read_bytes()[:2] == b"PK"
    target.write_bytes(b"old")
    for step in (1, cancelled // 2, cancelled):
        with pytest.raises(Cancelled):
            run(Stopping(step))
        assert target.read_bytes() == b"old"
        assert list(target.parent.iterdir()) == [target]


def test_a_cancelled_import_writes_no_registration(office, tmp_path):
    for number in (1, 2, 3):
        add_cell(office, f"TDP{number:02d}", f"Chi bộ Tổ dân phố {number}", "residential",
                 f"Bí thư {number}", 20)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Tên chi bộ", "Ngày đăng ký", "Số đảng viên"])
    for number in (1, 2, 3):
        workbook.active.append([f"Chi bộ Tổ dân phố {number}", "05/03/2024", 20])
    workbook.save(tmp_path / "dk.xlsx")
    plan = build_plan(office, 2024, [tmp_path / "dk.xlsx"])
    before = content(office.db)

    def untouched():
        assert content(office.db) == before

    cancelled, outcome = cancel_at_each_step(
        lambda progress: apply_plan(office, plan, progress=progress), untouched)
    assert cancelled >= 2 and outcome.added == 3
    assert len(content(office.db)["registrations"]) == 3


def test_a_cancelled_pdf_leaves_no_file(demo_office, tmp_path):
    paper = year_certificates_paper(demo_office, 2023)
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "giay-khen.pdf"

    def untouched():
        assert list(target.parent.iterdir()) == []

    cancelled, _ = cancel_at_each_step(lambda progress: write_paper(paper, target, progress),
                                       untouched)
    assert len(paper.pages) > 1 and cancelled >= len(paper.pages)   # a report a page
    assert target.read_bytes()[:5] == b"%PDF-"


def test_a_cancelled_backup_leaves_no_file_and_notes_nothing(demo_office, db_path):
    demo_office.db.close()
    before = open(db_path, "rb").read()

    def untouched():
        folder = backups_dir(db_path)
        assert not folder.exists() or list(folder.iterdir()) == []
        assert open(db_path, "rb").read() == before

    cancelled, info = cancel_at_each_step(
        lambda progress: make_backup(db_path, progress=progress), untouched)
    assert cancelled >= 2 and list_backups(db_path)[0].path == info.path


def test_a_cancelled_check_repairs_nothing_and_leaves_no_backup(demo_office, db_path):
    demo_office.db.close()
    before = open(db_path, "rb").read()

    def untouched():
        assert open(db_path, "rb").read() == before
        assert list_backups(db_path) == []

    cancelled, report = cancel_at_each_step(
        lambda progress: run_check(db_path, progress=progress), untouched)
    assert cancelled >= 2 and report.findings


def test_a_cancelled_packet_export_and_import_change_nothing(db, demo_template, tmp_path):
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops import Office

    copy_data_file(demo_template, tmp_path / "ward.sqlite3")
    ward_db = open_database(tmp_path / "ward.sqlite3")
    try:
        ward = Office(ward_db)
        trust_office(db, ward)
        target = tmp_path / "out" / "goi.zip"
        target.parent.mkdir()

        def no_packet():
            assert list(target.parent.iterdir()) == []

        cancelled, saved = cancel_at_each_step(lambda progress: export_packet(
            ward, 2023, target, now=T0, progress=progress), no_packet)
        assert cancelled >= 3 and saved == target
    finally:
        ward_db.close()
    before = content(db)

    def untouched():
        assert content(db) == before

    cancelled, outcomes = cancel_at_each_step(
        lambda progress: import_packets(db, [target], progress=progress), untouched)
    assert cancelled >= 2 and outcomes[0].changed and content(db) != before

    # The decisions the city sends back down to that ward (the city tab's own packet).
    from chibo4tot_desktop.ops import Office as CityOffice
    from chibo4tot_desktop.ops.keys import own_keys
    from chibo4tot_desktop.ops.organisations import organisation_by_code
    from chibo4tot_desktop.packets import export_decisions

    from chibo4tot_desktop.ops import queries
    from chibo4tot_desktop.ops.awards import clear_decision, record_decision

    received = CityOffice(db, organisation_by_code(db, outcomes[0].organisation_code).id)
    award = next(a for a in queries.awards(received, 2023) if a.is_decided)
    clear_decision(received, award.id)        # decided again here, at the upper level
    record_decision(received, [award.id], decision_number="125-QĐ/TU",
                    decision_date=dt.date(2024, 1, 20), issuer="Ban Thường vụ Tỉnh ủy",
                    first_register_number="88/2023", place="Hà Tĩnh",
                    signer_title="PHÓ BÍ THƯ TỈNH ỦY", signer_name="Trần Thế Dũng")
    own_keys(received)               # the city's key exists before (made on first use)
    down = tmp_path / "xuong" / "quyet-dinh.zip"
    down.parent.mkdir()

    def no_decisions():
        assert list(down.parent.iterdir()) == []

    cancelled, saved = cancel_at_each_step(lambda progress: export_decisions(
        received, 2023, down, now=T0, progress=progress), no_decisions)
    assert cancelled >= 3 and saved == down and down.exists()


def test_a_cancelled_restore_leaves_the_data_file_as_it_was(demo_office, db_path):
    from chibo4tot_desktop.ops import Office, queries
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.safety.restore import restore_backup, restore_temporaries

    backup = make_backup(db_path)
    add_cell(demo_office, "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
    demo_office.db.close()

    def records() -> dict:
        """Every table but the note of the last backup (a finished copy of the current file,
        made before the restore is stopped, is noted like any backup)."""
        connection = sqlite3.connect(db_path)
        try:
            names = [name for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'safety_meta'")]
            return {name: sorted(map(repr, connection.execute(f'SELECT * FROM "{name}"')))
                    for name in names}
        finally:
            connection.close()

    before = records()

    def untouched():
        assert records() == before
        assert restore_temporaries(db_path) == []

    cancelled, result = cancel_at_each_step(
        lambda progress: restore_backup(backup.path, db_path, progress=progress), untouched)
    assert cancelled >= 2 and result.restored_from == backup.path
    db = open_database(db_path)
    try:
        assert "MOI" not in {cell.code for cell in queries.cells(Office(db))}
    finally:
        db.close()


def test_the_city_list_stopped_leaves_no_file(demo_office, tmp_path):
    """The city tab's consolidated proposal list."""
    from chibo4tot_desktop.city_export import write_proposals_xlsx

    folder = tmp_path / "ra"
    folder.mkdir()
    listing = folder / "tong-hop.xlsx"

    def nothing_written():
        assert list(folder.iterdir()) == []

    cancelled, count = cancel_at_each_step(
        lambda progress: write_proposals_xlsx(demo_office.db, 2023, listing,
                                              progress=progress), nothing_written)
    assert cancelled >= 3 and count > 0 and listing.exists()
