"""Evidence files: checked by content, kept in the data file (so backups, restore and check
carry them), attached and removed through the operations with audit rows; the command line;
the migration that adds them carries a file of the previous schema forward; the second backup
folder."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop import evidence
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import HEAD_REVISION, open_database
from chibo4tot_desktop.db.models import AuditEntry, EvidenceBlob, EvidenceFile
from chibo4tot_desktop.errors import DataFileError, NotFoundError, ValidationError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops import setup as setup_ops
from chibo4tot_desktop.ops.awards import withdraw, clear_decision
from chibo4tot_desktop.ops.evidence import (
    attach_evidence,
    evidence_content,
    evidence_of_year,
    remove_evidence,
)
from chibo4tot_desktop.ops.registrations import delete_registration
from chibo4tot_desktop.safety.backup import (
    AutoBackup,
    backup_to_second,
    list_backups,
    make_backup,
)
from chibo4tot_desktop.safety.check import run_check, table_checksum
from chibo4tot_desktop.safety.restore import restore_backup
from tests.evidence_files import jpeg_bytes, pdf_bytes, png_bytes

DATA = Path(__file__).with_name("data")


@pytest.fixture
def samples(tmp_path):
    folder = tmp_path / "tep"
    folder.mkdir()
    (folder / "dang-ky.pdf").write_bytes(pdf_bytes("Bản đăng ký thi đua"))
    (folder / "bien-ban.jpg").write_bytes(jpeg_bytes())
    (folder / "quyet-dinh.png").write_bytes(png_bytes())
    return folder


def _registration(office, code="TDP06", year=2023):
    return queries.registration(office, queries.cell_by_code(office, code).id, year)


def _count(db, model) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --------------------------------------------------------------------- checked by content
def _with_javascript(pdf: bytes) -> bytes:
    """A structurally sound PDF whose incremental update adds a JavaScript action."""
    added = pdf + b"\n9 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n"
    xref = len(added)
    return added + (b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 10 >>\nstartxref\n"
                    + str(xref).encode() + b"\n%%EOF\n")


HOSTILE = [
    ("program named .pdf", "hoa-don.pdf", lambda: b"MZ\x90\x00" + b"\x00" * 500,
     "nội dung không phải PDF"),
    ("png named .pdf", "anh.pdf", png_bytes, "tên tệp ghi PDF nhưng nội dung là ảnh PNG"),
    ("pdf named .jpg", "anh.jpg", pdf_bytes, "tên tệp ghi ảnh JPEG nhưng nội dung là PDF"),
    ("truncated pdf", "cut.pdf", lambda: pdf_bytes()[:-200], "bị cắt cụt"),
    ("pdf with javascript", "js.pdf", lambda: _with_javascript(pdf_bytes()), "JavaScript"),
    ("pdf pointing nowhere", "xref.pdf",
     lambda: pdf_bytes().replace(b"startxref\n", b"startxref\n9"), "tham chiếu"),
    ("truncated jpeg", "cut.jpg", lambda: jpeg_bytes()[:-60], "cắt cụt"),
    ("truncated png", "cut.png", lambda: png_bytes()[:-20], "cắt cụt"),
    ("png with a bad crc", "crc.png",
     lambda: png_bytes()[:28] + bytes([png_bytes()[28] ^ 0x01]) + png_bytes()[29:], "CRC"),
    ("huge image in a small png", "bomb.png", lambda: png_bytes((9000, 9000)), "ảnh quá lớn"),
    ("an executable", "chay.exe", pdf_bytes, "chỉ nhận tệp PDF"),
    ("empty", "rong.pdf", lambda: b"", "tệp rỗng"),
]


@pytest.mark.parametrize("label, name, make, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_files_are_refused_and_nothing_is_written(demo_office, tmp_path, label, name,
                                                          make, message):
    path = tmp_path / name
    path.write_bytes(make())
    registration = _registration(demo_office)
    before = table_checksum(demo_office.db.path)
    with pytest.raises(ValidationError, match=message) as caught:
        attach_evidence(demo_office, "registration", registration.id, [path])
    assert str(caught.value).startswith(f"Không nhận tệp '{name}'")
    assert table_checksum(demo_office.db.path) == before


def test_a_huge_file_is_refused_before_it_is_read(demo_office, tmp_path, monkeypatch):
    path = tmp_path / "lon.pdf"
    with path.open("wb") as handle:          # sparse: 30 MB on paper, nothing on disk
        handle.seek(30 * 1024 * 1024)
        handle.write(b"%%EOF")
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self.name)
                        or real_open(self, *a, **k))
    with pytest.raises(ValidationError, match="tệp quá lớn"):
        attach_evidence(demo_office, "registration", _registration(demo_office).id, [path])
    assert "lon.pdf" not in opened
    with pytest.raises(ValidationError, match="không tìm thấy"):
        attach_evidence(demo_office, "registration", _registration(demo_office).id,
                        [tmp_path / "khong-co.pdf"])


def test_one_bad_file_of_several_attaches_none(demo_office, samples, tmp_path):
    (tmp_path / "cut.png").write_bytes(png_bytes()[:-20])
    with pytest.raises(ValidationError, match="cut.png"):
        attach_evidence(demo_office, "registration", _registration(demo_office).id,
                        [samples / "dang-ky.pdf", tmp_path / "cut.png"])
    assert _count(demo_office.db, EvidenceFile) == 0 and _count(demo_office.db, EvidenceBlob) == 0


# ------------------------------------------------------------------------ kept, audited
def test_attach_view_remove_with_audit(demo_office, samples):
    office = demo_office
    registration = _registration(office)
    rows = attach_evidence(office, "registration", registration.id,
                           [samples / "dang-ky.pdf", samples / "bien-ban.jpg"], "bản quét")
    assert [row.file_name for row in rows] == ["dang-ky.pdf", "bien-ban.jpg"]
    infos = evidence_of_year(office, 2023)
    assert [(i.target.value, i.cell_code, i.note, i.media_type) for i in infos] == [
        ("registration", "TDP06", "bản quét", "application/pdf"),
        ("registration", "TDP06", "bản quét", "image/jpeg")]
    info, content = evidence_content(office, infos[0].id)
    assert content == (samples / "dang-ky.pdf").read_bytes()
    with pytest.raises(ValidationError, match="đã được đính kèm"):
        attach_evidence(office, "registration", registration.id, [samples / "dang-ky.pdf"])
    with office.db.session() as session:
        audit = session.execute(select(AuditEntry.action, AuditEntry.table_name,
                                       AuditEntry.new_value)
                                .where(AuditEntry.table_name.like("evidence%"))).all()
    assert {(a, t) for a, t, _ in audit} == {("insert", "evidence_files"),
                                             ("insert", "evidence_blobs")}
    blob_row = next(v for a, t, v in audit if t == "evidence_blobs")
    assert f"({len(content)} byte)" in blob_row and "%PDF" not in blob_row
    assert remove_evidence(office, infos[0].id) == 1
    assert [i.file_name for i in evidence_of_year(office, 2023)] == ["bien-ban.jpg"]
    assert _count(office.db, EvidenceBlob) == 1        # the PDF's bytes went with it
    with pytest.raises(NotFoundError):
        remove_evidence(office, infos[0].id)


def test_a_decision_scan_covers_every_award_of_the_decision(demo_office, samples):
    office = demo_office
    decided = [a for a in queries.awards(office, 2023) if a.is_decided]
    same = [a for a in decided if a.decision_number == decided[0].decision_number]
    assert len(same) > 1
    rows = attach_evidence(office, "decision", same[0].id, [samples / "quyet-dinh.png"])
    assert sorted(row.award_id for row in rows) == sorted(a.id for a in same)
    assert _count(office.db, EvidenceBlob) == 1          # stored once
    undecided = [a for a in queries.awards(office, 2024) if not a.is_decided]
    if undecided:
        with pytest.raises(ValidationError, match="chưa có quyết định"):
            attach_evidence(office, "decision", undecided[0].id, [samples / "quyet-dinh.png"])
    one = evidence_of_year(office, 2023)[0]
    assert remove_evidence(office, one.id) == len(same)
    assert _count(office.db, EvidenceFile) == 0 and _count(office.db, EvidenceBlob) == 0


def test_deleting_a_record_deletes_its_evidence_and_unused_bytes(demo_office, samples):
    office = demo_office
    registration = _registration(office)
    award = next(a for a in queries.awards(office, 2023)
                 if a.cell_id == registration.cell_id)
    attach_evidence(office, "registration", registration.id, [samples / "dang-ky.pdf"])
    attach_evidence(office, "proposal", award.id, [samples / "dang-ky.pdf"])
    delete_registration(office, registration.id)
    assert _count(office.db, EvidenceBlob) == 1          # still used by the proposal
    clear_decision(office, award.id)
    withdraw(office, award.id)
    assert _count(office.db, EvidenceFile) == 0 and _count(office.db, EvidenceBlob) == 0
    with office.db.session() as session:
        deleted = session.scalars(select(AuditEntry.table_name).where(
            AuditEntry.action == "delete", AuditEntry.table_name.like("evidence%"))).all()
    assert sorted(deleted) == ["evidence_blobs", "evidence_files", "evidence_files"]


def test_another_organisations_record_is_not_reachable(demo_office, samples):
    other = Office(demo_office.db)
    setup_ops.create_organisation(other, "HP", "Đảng bộ phường Hà Phương")
    registration = _registration(demo_office)
    with pytest.raises(NotFoundError):
        attach_evidence(other, "registration", registration.id, [samples / "dang-ky.pdf"])


# ------------------------------------------------------- backups, restore, check carry them
def test_backups_restore_and_check_carry_the_evidence(demo_office, samples, db_path):
    office = demo_office
    attach_evidence(office, "registration", _registration(office).id,
                    [samples / "dang-ky.pdf"])
    backup = make_backup(db_path)
    info = evidence_of_year(office, 2023)[0]
    remove_evidence(office, info.id)
    office.db.close()
    restore_backup(backup.path, db_path)
    db = open_database(db_path)
    try:
        restored = Office(db)
        info = evidence_of_year(restored, 2023)[0]
        assert evidence_content(restored, info.id)[1] == (samples / "dang-ky.pdf").read_bytes()
    finally:
        db.close()
    report = run_check(db_path, repair_safe=False)
    assert {f.key: f.count for f in report.findings}["evidence_damaged"] == 0
    # A blob damaged on disk (a bad sector, a hand edit) is found and named.
    with sqlite3.connect(db_path) as connection:
        content, = connection.execute("SELECT content FROM evidence_blobs").fetchone()
        connection.execute("UPDATE evidence_blobs SET content = ?", (content[:-300],))
    report = run_check(db_path, repair_safe=False)
    damaged = next(f for f in report.findings if f.key == "evidence_damaged")
    assert damaged.count == 1 and "dang-ky.pdf" in damaged.examples[0]
    db = open_database(db_path)
    try:
        with pytest.raises(Exception, match="bị hỏng"):
            evidence_content(Office(db), info.id)
    finally:
        db.close()


def test_a_file_of_the_previous_schema_is_carried_forward(tmp_path):
    """The demo made by the program before evidence and keys existed: migrated after a backup,
    every row kept, awards marked as decided here."""
    path = tmp_path / "cu.sqlite3"
    path.write_bytes(gzip.decompress((DATA / "demo-schema-0002_i8.sqlite3.gz").read_bytes()))
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == "0002_i8"
        tables = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN "
            "('alembic_version', 'safety_meta')")]
        before = {table: connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'
                                            ).fetchall() for table in tables}
    db = open_database(path)
    try:
        office = Office(db)
        assert queries.organisation(office).name == "Đảng bộ phường Tân Giang"
        assert {a.decision_source for a in queries.awards(office)} == {"typed"}
    finally:
        db.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchone()[0] \
            == HEAD_REVISION
        for table, rows in before.items():
            after = connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            if table == "awards":
                after = [row[:-2] for row in after]    # decision_source, decision_packet_at
            elif table == "audit_log":
                after = after[:len(rows)]
            assert after == rows, table
    assert [b.reason for b in list_backups(path)] == ["truoc-nang-cap"]
    assert run_check(path, repair_safe=False).problems == 0


# -------------------------------------------------------------------- second backup folder
@pytest.fixture
def usb(tmp_path, monkeypatch):
    """A folder standing for a USB stick (another disk, as far as the check is concerned)."""
    folder = tmp_path / "usb"
    folder.mkdir()
    monkeypatch.setattr(setup_ops, "same_disk", lambda a, b: False)
    return folder


def test_second_backup_folder_on_request_and_on_close(demo_office, db_path, usb, monkeypatch):
    office = demo_office
    with pytest.raises(DataFileError, match="Chưa chọn thư mục sao lưu thứ hai"):
        backup_to_second(db_path)
    with pytest.raises(ValidationError, match="đường dẫn đầy đủ"):
        setup_ops.set_second_backup_folder(office, "usb")
    with pytest.raises(ValidationError, match="Không có thư mục"):
        setup_ops.set_second_backup_folder(office, str(usb / "khong-co"))
    monkeypatch.setattr(setup_ops, "same_disk", lambda a, b: True)
    with pytest.raises(ValidationError, match="ổ đĩa khác"):
        setup_ops.set_second_backup_folder(office, str(usb))
    monkeypatch.setattr(setup_ops, "same_disk", lambda a, b: False)
    setup_ops.set_second_backup_folder(office, str(usb))
    info = backup_to_second(db_path)
    assert info.path.parent == usb.resolve()
    with sqlite3.connect(info.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert list_backups(db_path, usb) == [list_backups(db_path, usb)[0]]
    # On close: beside the file and on the stick; not again when nothing changed.
    add = office   # a change through the operations, so the audit position moves
    from chibo4tot_desktop.ops.cells import add_cell

    add_cell(add, "TDP13", "Chi bộ Tổ dân phố 13")
    clock = iter([dt.datetime(2031, 1, 1, 8, 0, s) for s in range(10)])
    auto = AutoBackup(db_path, clock=lambda: next(clock))
    assert auto.on_close() is not None
    second = auto.second_on_close()
    assert second is not None and second.path.parent == usb.resolve()
    assert auto.second_on_close() is None
    # The stick taken away: skipped on close, said on request.
    shutil.rmtree(usb)
    add_cell(add, "TDP14", "Chi bộ Tổ dân phố 14")
    assert auto.second_on_close() is None
    with pytest.raises(DataFileError, match="ổ USB chưa cắm"):
        backup_to_second(db_path)
    # Not a setting that travels in packets.
    from chibo4tot_desktop.packets import packet_data

    assert "backup.second_folder" not in packet_data(office, 2023)[0]["settings"]


def test_second_backup_folder_commands(demo_office, db_path, usb, capsys):
    assert main(["backup", "--data", str(db_path), "--second"]) == 2
    assert "Chưa chọn thư mục sao lưu thứ hai" in capsys.readouterr().err
    assert main(["backup", "--data", str(db_path), "--second-folder", str(usb)]) == 0
    assert str(usb.resolve()) in capsys.readouterr().out
    assert main(["backup", "--data", str(db_path), "--second"]) == 0
    assert "Đã sao lưu vào thư mục thứ hai" in capsys.readouterr().out
    assert main(["backup", "--data", str(db_path), "--list"]) == 0
    assert str(usb.resolve()) in capsys.readouterr().out
    assert main(["backup", "--data", str(db_path), "--second-folder", ""]) == 0
    assert "Đã bỏ" in capsys.readouterr().out


# ---------------------------------------------------------------------------- commands
def test_evidence_commands(demo_office, db_path, samples, tmp_path, capsys):
    data = ["--data", str(db_path)]
    assert main(["evidence", "add", *data, "--year", "2023", "--cell", "TDP06", "--for",
                 "registration", str(samples / "dang-ky.pdf"), "--note", "bản quét"]) == 0
    assert "Đã đính kèm 1 tệp vào bản đăng ký" in capsys.readouterr().out
    assert main(["evidence", "add", *data, "--year", "2023", "--cell", "TDP06", "--for",
                 "decision", str(samples / "quyet-dinh.png")]) == 0
    assert "khen thưởng của quyết định" in capsys.readouterr().out
    (tmp_path / "gia.pdf").write_bytes(png_bytes())
    assert main(["evidence", "add", *data, "--year", "2023", "--cell", "TDP06", "--for",
                 "evaluation", str(tmp_path / "gia.pdf")]) == 2
    assert "nội dung là ảnh PNG" in capsys.readouterr().err
    assert main(["evidence", "add", *data, "--year", "2023", "--organisation", "--for",
                 "registration", str(samples / "dang-ky.pdf")]) == 2
    assert "hãy nêu --cell" in capsys.readouterr().err
    assert main(["evidence", *data, "--year", "2023", "--cell", "TDP06"]) == 0
    listing = capsys.readouterr().out
    assert "dang-ky.pdf" in listing and "quyet-dinh.png" in listing and "(bản quét)" in listing
    first = evidence_of_year(demo_office, 2023)[0]
    out = tmp_path / "ra"
    out.mkdir()
    assert main(["evidence", "export", *data, str(first.id), str(out)]) == 0
    assert (out / "dang-ky.pdf").read_bytes() == (samples / "dang-ky.pdf").read_bytes()
    assert main(["evidence", "export", *data, str(first.id), str(out)]) == 2
    assert "đã có" in capsys.readouterr().err
    assert main(["evidence", "remove", *data, str(first.id)]) == 0
    assert "Đã bỏ tệp dang-ky.pdf" in capsys.readouterr().out
    assert main(["evidence", "remove", *data, str(first.id)]) == 2
    assert "Không tìm thấy tệp đính kèm" in capsys.readouterr().err


def test_evidence_helpers():
    assert evidence.stored_name("../../x/bad:name?.PDF", evidence.PDF) == "bad_name_.pdf"
    assert evidence.clean_name("C:\\Users\\a\\scan.pdf") == "scan.pdf"
    assert evidence.format_size(1536) == "1,5 KB"
