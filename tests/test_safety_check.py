"""The integrity and logical checks, their safe repairs, and the safety commands."""

import datetime as dt
import re
import sqlite3
import unicodedata

import pytest

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.safety.backup import list_backups, make_backup
from chibo4tot_desktop.ops.repairs import REPAIR_NOTE
from chibo4tot_desktop.safety.check import (
    physical_check,
    run_check,
    split_integrity,
    table_checksum,
)
from chibo4tot_desktop.safety.lock import WriterLock


def counts(report):
    return {f.key: f.count for f in report.findings}


def repaired(report):
    return {f.key: f.repaired for f in report.findings if f.repaired}


def test_clean_demo_file_has_no_problems_and_is_not_touched(demo_office, db_path):
    before = table_checksum(db_path)
    report = run_check(db_path)
    assert report.integrity == ["ok"] and report.problems == 0
    assert set(counts(report).values()) == {0} and len(report.findings) == 14
    assert report.backup is None and list_backups(db_path) == []
    assert table_checksum(db_path) == before
    assert report.lines()[-1] == "Kết quả: không có lỗi."


def _spoil(db_path):
    """Write, behind the program's back, what its rules never would."""
    with sqlite3.connect(db_path) as c:
        c.execute("PRAGMA foreign_keys = OFF")
        # Orphans: an evaluation removed without its scores; a registration of no cell.
        evaluation_id, = c.execute(
            "SELECT e.id FROM evaluations e JOIN cells c ON c.id = e.cell_id "
            "WHERE c.code = 'TDP03' AND e.year = 2023").fetchone()
        orphan_scores = c.execute("SELECT count(*) FROM scores WHERE evaluation_id = ?",
                                  (evaluation_id,)).fetchone()[0]
        c.execute("DELETE FROM evaluations WHERE id = ?", (evaluation_id,))
        c.execute("INSERT INTO registrations (cell_id, year, title, received_on, commitment_1,"
                  " commitment_2, commitment_3, commitment_4, signer, source, version) VALUES "
                  "(99999, 2023, 'Chi bộ 4 tốt', '2023-03-01', '', '', '', '', '', 'typed', 1)")
        # Text in decomposed Unicode (as some old tools write it).
        name, = c.execute("SELECT name FROM cells WHERE code = 'TDP05'").fetchone()
        c.execute("UPDATE cells SET name = ? WHERE code = 'TDP05'",
                  (unicodedata.normalize("NFD", name),))
        # Two codes that differ only by normalisation: the repair would clash.
        c.execute("UPDATE cells SET code = ? WHERE code = 'TDP07'",
                  (unicodedata.normalize("NFC", "TẤ7"),))
        c.execute("UPDATE cells SET code = ? WHERE code = 'TDP08'",
                  (unicodedata.normalize("NFD", "TẤ7"),))
        # A score above its item's maximum, and a negative one.
        score_id, max_points = c.execute(
            "SELECT s.id, i.max_points FROM scores s JOIN criteria_items i ON i.id = s.item_id "
            "ORDER BY s.id LIMIT 1").fetchone()
        c.execute("UPDATE scores SET committee_points = ? WHERE id = ?", (max_points + 5,
                                                                         score_id))
        c.execute("PRAGMA ignore_check_constraints = ON")
        c.execute("UPDATE scores SET self_points = -1 WHERE id = ?", (score_id + 1,))
        c.execute("PRAGMA ignore_check_constraints = OFF")
        # An award with a register number and no decision; half a decision.
        award_ids = [row[0] for row in c.execute("SELECT id FROM awards ORDER BY id")]
        c.execute("UPDATE awards SET decision_number = '', decision_date = NULL, "
                  "register_number = 'SS-99' WHERE id = ?", (award_ids[0],))
        c.execute("UPDATE awards SET decision_date = NULL, register_number = '' WHERE id = ?",
                  (award_ids[1],))
        # A cell dissolved in 2023 that still has 2023 and 2024 registrations.
        c.execute("UPDATE cells SET dissolved_on = '2023-06-01' WHERE code = 'TDP01'")
        # A registration in a year no phase covers.
        c.execute("UPDATE registrations SET year = 2031 WHERE id = (SELECT r.id FROM "
                  "registrations r JOIN cells c ON c.id = r.cell_id WHERE c.code = 'TDP02' "
                  "AND r.year = 2024)")
    return orphan_scores


def test_check_finds_counts_and_repairs_only_what_is_safe(demo_office, db_path):
    demo_office.db.close()
    orphan_scores = _spoil(db_path)
    assert orphan_scores > 0
    before = table_checksum(db_path)

    first = run_check(db_path)
    found = counts(first)
    assert found["orphans"] == orphan_scores + 1
    assert found["not_nfc"] == 2
    assert found["score_above_max"] == 1 and found["score_negative"] == 1
    assert found["constraint"] == 1                 # SQLite's own CHECK on the negative score
    assert found["award_register_without_decision"] == 1
    assert found["award_half_decision"] == 1
    assert found["registration_dissolved"] == 4     # 2023 to 2026
    assert found["evaluation_dissolved"] >= 1
    assert found["outside_phases"] == 1
    assert repaired(first) == {"orphans": orphan_scores + 1, "not_nfc": 1}
    # A backup of the spoiled file was taken before repairing.
    assert first.backup is not None and table_checksum(first.backup) == before
    text = "\n".join(first.lines())
    assert "integrity_check): tốt" in text and "Điểm vượt điểm tối đa của mục: 1" in text
    assert "Chi bộ Tổ dân phố 1, năm 2023: kết thúc hoạt động ngày 01/06/2023" in text
    assert "số sổ SS-99" in text

    second = run_check(db_path)
    again = counts(second)
    assert again["orphans"] == 0
    assert again["not_nfc"] == 1                    # the clashing code stays for a person
    assert repaired(second) == {}
    unsafe = {k: v for k, v in found.items() if k not in ("orphans", "not_nfc")}
    assert {k: again[k] for k in unsafe} == unsafe  # nothing unsafe was touched
    damage, constraint = split_integrity(physical_check(db_path))
    assert damage == [] and constraint == ["CHECK constraint failed in scores"]
    with sqlite3.connect(db_path) as c:
        name, = c.execute("SELECT name FROM cells WHERE code = 'TDP05'").fetchone()
        assert unicodedata.is_normalized("NFC", name)
        audit = c.execute("SELECT action, count(*) FROM audit_log WHERE summary LIKE ? "
                          "GROUP BY action ORDER BY action", (REPAIR_NOTE + ": %",)).fetchall()
        assert audit == [("delete", orphan_scores + 1), ("update", 1)]


def test_check_without_repair_changes_nothing(demo_office, db_path):
    demo_office.db.close()
    _spoil(db_path)
    before = table_checksum(db_path)
    report = run_check(db_path, repair_safe=False)
    assert report.remaining == report.problems > 0
    assert table_checksum(db_path) == before and list_backups(db_path) == []


def _damage(db_path):
    data = bytearray(db_path.read_bytes())
    for offset in range(2 * 4096, len(data), 4096):
        data[offset:offset + 64] = b"\x07" * 64
    db_path.write_bytes(bytes(data))


def test_damaged_file_stops_at_the_physical_check(demo_office, db_path):
    demo_office.db.close()
    _damage(db_path)
    report = run_check(db_path)
    assert report.damaged and report.findings == []
    text = "\n".join(report.lines())
    assert "TỆP BỊ HỎNG" in text and "restore" in text


# ------------------------------------------------------------------------------- commands
def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_backup_command_and_list(demo_office, db_path, tmp_path, capsys):
    code, out, _ = run(capsys, "backup", "--data", str(db_path))
    # the size in the user's units, decimal comma (the demo file is about 1 MB, once < 1 MB)
    assert code == 0 and out.startswith("Đã sao lưu: ")
    assert re.search(r" \(\d+,\d (KB|MB)\)$", out.rstrip("\n")), out
    folder = tmp_path / "usb"
    folder.mkdir()
    code, out, _ = run(capsys, "backup", "--data", str(db_path), str(folder))
    assert code == 0
    written = list(folder.iterdir())
    assert len(written) == 1 and table_checksum(written[0]) == table_checksum(db_path)
    code, _, err = run(capsys, "backup", "--data", str(db_path), str(written[0]))
    assert code == 2 and "đã có" in err
    code, out, _ = run(capsys, "backup", "--list", "--data", str(db_path))
    assert code == 0 and "Sao lưu thủ công" in out and "/" in out.split()[0]
    code, _, err = run(capsys, "backup", "--data", str(tmp_path / "khong-co.sqlite3"))
    assert code == 2 and err.startswith("Lỗi: Không tìm thấy tệp dữ liệu")


def test_restore_command(demo_office, db_path, tmp_path, capsys):
    saved = tmp_path / "ban-sao.sqlite3"
    make_backup(db_path, "thu-cong", target=saved)
    moment = table_checksum(saved)
    add_cell(demo_office, "MOI", "Chi bộ mới", started_on=dt.date(2026, 11, 1))
    demo_office.db.close()
    code, out, err = run(capsys, "restore", str(saved), "--data", str(db_path))
    assert code == 0, err
    assert "Đã khôi phục" in out and "truoc-khoi-phuc" in out
    assert table_checksum(db_path) == moment
    code, _, err = run(capsys, "restore", str(tmp_path / "khong.sqlite3"), "--data",
                       str(db_path))
    assert code == 2 and "Không tìm thấy bản sao lưu" in err


def test_check_command_exit_codes_and_lock(demo_office, db_path, capsys):
    code, out, _ = run(capsys, "check", "--data", str(db_path))
    assert code == 0 and "không có lỗi" in out
    demo_office.db.close()
    _spoil(db_path)
    held = WriterLock(db_path).acquire()
    try:
        code, out, _ = run(capsys, "check", "--data", str(db_path))
        assert code == 1 and "chỉ kiểm tra, không sửa" in out and "(đã sửa " not in out
    finally:
        held.release()
    code, out, _ = run(capsys, "check", "--data", str(db_path))
    assert code == 1 and "(đã sửa " in out and "cần kiểm tra và sửa tay" in out
    _damage(db_path)
    code, out, _ = run(capsys, "check", "--data", str(db_path))
    assert code == 1 and "TỆP BỊ HỎNG" in out


@pytest.mark.parametrize("size,text", [(0, "0 byte"), (1536, "1,5 KB"),
                                       (5 * 1024 * 1024, "5,0 MB")])
def test_format_size(size, text):
    from chibo4tot_desktop.safety.backup import format_size

    assert format_size(size) == text


def test_check_and_restore_refuse_newer_and_foreign_files(office, db_path, tmp_path, capsys):
    newer = tmp_path / "moi-hon.sqlite3"
    make_backup(db_path, "thu-cong", target=newer)
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
    code, _, err = run(capsys, "check", "--data", str(newer))
    assert code == 2 and "phiên bản mới hơn" in err
    code, _, err = run(capsys, "restore", str(newer), "--data", str(db_path))
    assert code == 2 and "phiên bản mới hơn" in err
    foreign = tmp_path / "khac.sqlite3"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    code, _, err = run(capsys, "check", "--data", str(foreign))
    assert code == 2 and "không phải là tệp dữ liệu" in err
