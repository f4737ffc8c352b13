"""The data file's health: the physical check first, then the logical checks, with counts.

``physical_check`` runs ``PRAGMA integrity_check``; a damaged file stops there (the only cure
is a backup). ``run_check`` then looks for what the program's own rules would never write but
an old version, a crash in another tool or a hand edit could leave:

- rows whose parent is gone (orphans, ``PRAGMA foreign_key_check``) - repaired: deleted, as
  the parent's deletion would have done (every foreign key cascades);
- text not in Unicode NFC (it breaks search and sorting) - repaired: normalised;
- scores above the item's maximum or negative; scores on an item of another phase or scope;
- awards with a register number but no decision, or half a decision (number without date or
  date without number); decisions dated before their proposal;
- registrations and evaluations of a cell in a year it does not belong to (founded later or
  ended before, by the year rule of ``timeline``); records in years outside every phase.

Only the first two are repaired, after a backup, by ``ops.repairs`` (one transaction through
the session, audited like every change); the others need a person's judgement and are listed
with examples.
``table_checksum`` fingerprints every row of every table (tests: restore, failed imports).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.sqlite_file import connect_for_check, folder_writable
from chibo4tot_desktop.errors import (
    DataFileError,
    DataFileNewerError,
    DataFileNotOursError,
    DataFileReadOnlyError,
)
from chibo4tot_desktop.ops import repairs
from chibo4tot_desktop.progress import Progress, null_progress
from chibo4tot_desktop.safety.backup import (
    BEFORE_REPAIR,
    connect_existing,
    make_backup,
    split_integrity,
)

EXAMPLES = 5
EPSILON = 1e-9


@dataclass
class Finding:
    key: str
    title: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    repairable: bool = False
    repaired: int = 0


@dataclass
class CheckReport:
    path: Path
    integrity: list[str]
    revision: str | None = None
    findings: list[Finding] = field(default_factory=list)
    backup: Path | None = None

    @property
    def damaged(self) -> bool:
        return self.integrity != ["ok"]

    @property
    def problems(self) -> int:
        return sum(f.count for f in self.findings)

    @property
    def remaining(self) -> int:
        return sum(f.count - f.repaired for f in self.findings)

    def lines(self) -> list[str]:
        """The report in Vietnamese, as the command line prints it."""
        out = [f"Kiểm tra tệp dữ liệu: {self.path}"]
        if self.damaged:
            out.append("1. Kiểm tra vật lý (integrity_check): TỆP BỊ HỎNG")
            out.extend(f"   - {line}" for line in self.integrity[:10])
            if len(self.integrity) > 10:
                out.append(f"   ... và {len(self.integrity) - 10} lỗi khác")
            out.append("Không kiểm tra tiếp. Hãy khôi phục bản sao lưu tốt gần nhất "
                       "(lệnh: restore BẢN_SAO_LƯU).")
            return out
        out.append("1. Kiểm tra vật lý (integrity_check): tốt")
        out.append("2. Kiểm tra logic:")
        for finding in self.findings:
            if finding.count == 0:
                out.append(f"   - {finding.title}: 0")
                continue
            state = (f"đã sửa {finding.repaired}" if finding.repaired
                     else "sửa được tự động" if finding.repairable else "cần kiểm tra và sửa tay")
            out.append(f"   - {finding.title}: {finding.count} ({state})")
            out.extend(f"       · {example}" for example in finding.examples)
            if finding.count > len(finding.examples):
                out.append(f"       · ... và {finding.count - len(finding.examples)} trường "
                           "hợp khác")
        if self.backup:
            out.append(f"Đã sao lưu trước khi sửa: {self.backup}")
        if self.problems == 0:
            out.append("Kết quả: không có lỗi.")
        else:
            repaired = sum(f.repaired for f in self.findings)
            out.append(f"Kết quả: {self.problems} vấn đề; đã sửa {repaired}; còn "
                       f"{self.remaining} cần người kiểm tra.")
        return out


# -------------------------------------------------------------------------------- physical
def physical_check(path: str | Path) -> list[str]:
    """``PRAGMA integrity_check`` of the file: ["ok"] or the problems found.

    SQLite verifies CHECK constraints only on a connection that may write, so one is used
    where the folder allows it (integrity_check itself writes nothing). A file that cannot be
    read where it lies (a folder nobody may write to, while SQLite needs to write beside the
    file) is not a damaged file: that raises ``DataFileReadOnlyError``.
    """
    path = Path(path)
    if not path.is_file():
        return [f"Không tìm thấy tệp dữ liệu '{path}'."]
    connection = None
    try:
        if folder_writable(path.parent):
            connection = sqlite3.connect(str(path), timeout=10)
            connection.execute("PRAGMA busy_timeout = 10000")
        else:
            connection = connect_for_check(path)
        rows = connection.execute("PRAGMA integrity_check").fetchall()
        return [str(row[0]) for row in rows] or ["ok"]
    except sqlite3.OperationalError as error:
        text = str(error).lower()
        if "readonly" in text or "unable to open" in text:
            raise DataFileReadOnlyError(
                f"Không đọc được tệp '{path.name}' ở chỗ nó đang nằm: SQLite cần ghi các tệp "
                f"phụ (-wal, -shm) cạnh tệp, nhưng thư mục '{path.parent}' chỉ đọc. Hãy chép "
                "tệp sang thư mục khác rồi dùng bản chép.") from None
        return [f"Không đọc được tệp: {error}"]
    except sqlite3.DatabaseError as error:
        return [f"Không đọc được tệp: {error}"]
    finally:
        if connection is not None:
            connection.close()


def is_good_database(path: str | Path) -> tuple[bool, str]:
    """A backup fit to restore: physically sound and with a schema this program knows."""
    from chibo4tot_desktop.db.engine import KNOWN_REVISIONS, SQLITE_HEADER

    path = Path(path)
    try:
        with path.open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False, "không phải tệp dữ liệu SQLite"
    except OSError as error:
        return False, f"không đọc được ({error.strerror or error})"
    try:
        damage, _constraint = split_integrity(physical_check(path))
    except DataFileReadOnlyError:
        return False, "không đọc được ở thư mục chỉ đọc đang chứa nó (hãy chép sang chỗ khác)"
    if damage:
        return False, "bị hỏng (" + damage[0] + ")"
    revision = _revision(path)
    if revision is None:
        return False, "không phải tệp dữ liệu của chương trình"
    if revision not in KNOWN_REVISIONS:
        return False, f"do phiên bản mới hơn của chương trình tạo (lược đồ {revision})"
    return True, ""


def _revision(path: Path) -> str | None:
    try:
        connection = connect_for_check(path)
    except sqlite3.Error:
        return None
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()


# --------------------------------------------------------------------------------- logical
def _cell_label(name: str | None, year: int | None = None) -> str:
    label = name or "(chi bộ đã xóa)"
    return f"{label}, năm {year}" if year is not None else label


LOGICAL_QUERIES: list[tuple[str, str, str]] = [
    ("score_above_max", "Điểm vượt điểm tối đa của mục",
     f"""SELECT c.name, e.year, g.position || '.' || i.position, s.self_points,
                s.committee_points, i.max_points
         FROM scores s JOIN criteria_items i ON i.id = s.item_id
         JOIN criteria_groups g ON g.id = i.group_id
         JOIN evaluations e ON e.id = s.evaluation_id LEFT JOIN cells c ON c.id = e.cell_id
         WHERE s.self_points > i.max_points + {EPSILON}
            OR s.committee_points > i.max_points + {EPSILON}
         ORDER BY e.year, c.name"""),
    ("score_negative", "Điểm âm",
     """SELECT c.name, e.year, g.position || '.' || i.position, s.self_points,
               s.committee_points, i.max_points
        FROM scores s JOIN criteria_items i ON i.id = s.item_id
        JOIN criteria_groups g ON g.id = i.group_id
        JOIN evaluations e ON e.id = s.evaluation_id LEFT JOIN cells c ON c.id = e.cell_id
        WHERE s.self_points < 0 OR s.committee_points < 0 ORDER BY e.year, c.name"""),
    ("score_wrong_catalogue", "Điểm chấm cho mục tiêu chí không thuộc bộ tiêu chí của năm",
     # The item's version must be the one in force for the evaluation's year: of the phase
     # and scope, the latest first year not after it.
     """SELECT c.name, e.year, g.position || '.' || i.position
        FROM scores s JOIN evaluations e ON e.id = s.evaluation_id
        JOIN criteria_items i ON i.id = s.item_id JOIN criteria_groups g ON g.id = i.group_id
        JOIN catalogue_versions v ON v.id = g.version_id
        JOIN phases p ON p.id = v.phase_id LEFT JOIN cells c ON c.id = e.cell_id
        WHERE p.organisation_id != e.organisation_id
           OR e.year NOT BETWEEN p.first_year AND p.last_year
           OR v.scope != CASE WHEN e.cell_id IS NULL THEN 'organisation' ELSE 'cell' END
           OR v.first_year > e.year
           OR EXISTS (SELECT 1 FROM catalogue_versions w WHERE w.phase_id = v.phase_id
                      AND w.scope = v.scope AND w.first_year > v.first_year
                      AND w.first_year <= e.year)
        ORDER BY e.year, c.name"""),
    ("award_register_without_decision", "Khen thưởng có số sổ nhưng chưa có quyết định",
     """SELECT c.name, a.year, a.register_number FROM awards a
        LEFT JOIN cells c ON c.id = a.cell_id
        WHERE a.register_number != '' AND (a.decision_number = '' OR a.decision_date IS NULL)
        ORDER BY a.year, c.name"""),
    ("award_half_decision", "Quyết định khen thưởng thiếu số hoặc thiếu ngày",
     """SELECT c.name, a.year, a.decision_number FROM awards a
        LEFT JOIN cells c ON c.id = a.cell_id
        WHERE (a.decision_number != '') != (a.decision_date IS NOT NULL)
        ORDER BY a.year, c.name"""),
    ("award_decided_before_proposal", "Ngày quyết định trước ngày đề nghị",
     """SELECT c.name, a.year, a.decision_number FROM awards a
        LEFT JOIN cells c ON c.id = a.cell_id
        WHERE a.decision_date IS NOT NULL AND a.proposed_on IS NOT NULL
          AND a.decision_date < a.proposed_on ORDER BY a.year, c.name"""),
    ("outside_phases", "Hồ sơ thuộc năm không nằm trong giai đoạn thi đua nào",
     """SELECT c.name, x.year, x.what FROM (
            SELECT r.cell_id AS cell_id, cc.organisation_id AS org, r.year AS year,
                   'đăng ký' AS what
              FROM registrations r JOIN cells cc ON cc.id = r.cell_id
            UNION ALL SELECT e.cell_id, e.organisation_id, e.year, 'phiếu chấm' FROM evaluations e
            UNION ALL SELECT a.cell_id, a.organisation_id, a.year, 'khen thưởng' FROM awards a
        ) x LEFT JOIN cells c ON c.id = x.cell_id
        WHERE NOT EXISTS (SELECT 1 FROM phases p WHERE p.organisation_id = x.org
                          AND x.year BETWEEN p.first_year AND p.last_year)
        ORDER BY x.year, c.name"""),
]


def _points(value) -> str:
    if value is None:
        return "trống"
    return f"{value:g}".replace(".", ",")


def _describe(key: str, row: tuple) -> str:
    name, year = row[0], row[1]
    base = _cell_label(name if name is not None or key.startswith("registration") else
                       "Đảng bộ", year)
    if key in ("score_above_max", "score_negative"):
        return (f"{base}: mục {row[2]}, tự chấm {_points(row[3])}, Đảng ủy chấm "
                f"{_points(row[4])}, tối đa {_points(row[5])}")
    if key == "score_wrong_catalogue":
        return f"{base}: mục {row[2]}"
    if key == "award_register_without_decision":
        return f"{base}: số sổ {row[2]}"
    if key in ("award_half_decision", "award_decided_before_proposal"):
        return f"{base}: quyết định '{row[2] or ''}'"
    if key in ("registration_dissolved", "evaluation_dissolved"):
        return f"{base}: {row[2]}"
    if key == "outside_phases":
        return f"{base}: {row[2]}"
    return base


def find_problems(connection: sqlite3.Connection,
                  progress: Progress = null_progress) -> list[Finding]:
    progress(0, None, "Đang kiểm tra dữ liệu…")
    findings = []
    orphans = repairs.orphans(connection)
    finding = Finding("orphans", "Bản ghi mồ côi (bản ghi cha đã mất)", len(orphans),
                      repairable=True)
    finding.examples = [f"bảng {table}, dòng {rowid} (thiếu {parent})"
                        for table, rowid, parent in orphans[:EXAMPLES]]
    findings.append(finding)
    texts = repairs.not_nfc(connection)
    finding = Finding("not_nfc", "Chữ tiếng Việt chưa chuẩn hóa Unicode (NFC)", len(texts),
                      repairable=True)
    finding.examples = [f"bảng {table}, cột {column}, dòng {rowid}: "
                        f"'{unicodedata.normalize('NFC', value)[:60]}'"
                        for table, column, rowid, value in texts[:EXAMPLES]]
    findings.append(finding)
    for number, (key, title, query) in enumerate(LOGICAL_QUERIES, start=1):
        progress(number, None)
        rows = connection.execute(query).fetchall()
        findings.append(Finding(key, title, len(rows),
                                [_describe(key, row) for row in rows[:EXAMPLES]]))
    for key, title, rows in _outside_life(connection):
        findings.append(Finding(key, title, len(rows),
                                [_describe(key, row) for row in rows[:EXAMPLES]]))
    findings.extend(evidence_findings(connection, progress))
    return findings


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _outside_life(connection: sqlite3.Connection) -> list[tuple[str, str, list[tuple]]]:
    """Registrations and evaluations of a cell in a year it does not belong to (founded
    later, or ended before, by the organisation's year rule): they fall out of the year."""
    rules_of = {org: timeline.year_rule(value) for org, value in connection.execute(
        "SELECT organisation_id, value FROM settings WHERE key = ?",
        (timeline.YEAR_RULE_KEY,))}
    review = {(org, year): _day(day) for org, year, day in connection.execute(
        "SELECT p.organisation_id, y.year, y.review_deadline FROM phase_years y "
        "JOIN phases p ON p.id = y.phase_id")}
    cells = {row[0]: row[1:] for row in connection.execute(
        "SELECT id, name, organisation_id, started_on, dissolved_on FROM cells")}
    results = []
    for key, title, table in (
            ("registration_dissolved", "Đăng ký thi đua của chi bộ không thuộc năm đó "
                                       "(chưa thành lập hoặc đã kết thúc hoạt động)",
             "registrations"),
            ("evaluation_dissolved", "Phiếu chấm điểm của chi bộ không thuộc năm đó "
                                     "(chưa thành lập hoặc đã kết thúc hoạt động)",
             "evaluations")):
        found = []
        for cell_id, year in connection.execute(
                f"SELECT cell_id, year FROM {table} WHERE cell_id IS NOT NULL "
                "ORDER BY year, cell_id"):
            if cell_id not in cells:
                continue                    # an orphan: reported (and repaired) as such
            name, org, started, ended = cells[cell_id]
            started, ended = _day(started), _day(ended)
            rule = rules_of.get(org, timeline.DEFAULT_YEAR_RULE)
            day = review.get((org, year))
            if timeline.in_year(started, ended, year, rule, day):
                continue
            if started and not timeline.in_year(started, None, year, rule, day):
                why = f"thành lập ngày {started:%d/%m/%Y}"
            else:
                why = f"kết thúc hoạt động ngày {ended:%d/%m/%Y}" if ended else "không thuộc năm"
            found.append((name, year, why))
        results.append((key, title, found))
    return results


def evidence_findings(connection: sqlite3.Connection,
                      progress: Progress = null_progress) -> list[Finding]:
    """Evidence files whose bytes no longer match their SHA-256 or are no longer a sound PDF,
    JPEG or PNG, and stored bytes no record refers to (a person decides: restore a backup,
    attach again)."""
    from chibo4tot_desktop import evidence
    from chibo4tot_desktop.errors import ValidationError

    damaged = Finding("evidence_damaged", "Tệp đính kèm bị hỏng (nội dung không khớp mã kiểm "
                                          "tra hoặc không còn là PDF, JPEG, PNG)")
    unused = Finding("evidence_unused", "Nội dung tệp đính kèm không thuộc hồ sơ nào")
    try:
        blobs = connection.execute("SELECT id, sha256, media_type FROM evidence_blobs "
                                   "ORDER BY id").fetchall()
    except sqlite3.OperationalError:
        return []      # a file of an older schema, without evidence
    for number, (blob_id, sha256, media_type) in enumerate(blobs):
        progress(number, len(blobs), "Đang kiểm tra các tệp đính kèm…")
        content, = connection.execute("SELECT content FROM evidence_blobs WHERE id = ?",
                                      (blob_id,)).fetchone()
        names = [row[0] for row in connection.execute(
            "SELECT file_name FROM evidence_files WHERE blob_id = ? ORDER BY id", (blob_id,))]
        problem = None
        if not isinstance(content, bytes) or hashlib.sha256(content).hexdigest() != sha256:
            problem = "nội dung không khớp mã kiểm tra"
        else:
            try:
                evidence.check(evidence.stored_name("tep", media_type), content)
            except (ValidationError, KeyError) as error:
                problem = str(error)
        if problem:
            damaged.count += 1
            if len(damaged.examples) < EXAMPLES:
                damaged.examples.append(f"{', '.join(names) or f'nội dung số {blob_id}'}: "
                                        f"{problem}")
        if not names:
            unused.count += 1
            if len(unused.examples) < EXAMPLES:
                unused.examples.append(f"nội dung số {blob_id} ({len(content or b'')} byte)")
    return [damaged, unused]


def _repair(path: Path) -> dict[str, int]:
    """The safe repairs, through the operations (``ops.repairs``: one transaction, audited)."""
    from chibo4tot_desktop.db.engine import open_database

    db = open_database(path, create=False, migrate=False)
    try:
        return repairs.repair(db)
    finally:
        db.close()


def run_check(path: str | Path, *, repair_safe: bool = True, backup: bool = True,
              progress: Progress = null_progress) -> CheckReport:
    """The physical check, then the logical checks; repair the safe ones (after a backup).

    ``progress`` hears of each step and may stop the work (``Cancelled``) until the backup
    before the repairs is in place; the repairs themselves (one transaction) are not
    interrupted."""
    from chibo4tot_desktop.db.engine import KNOWN_REVISIONS

    path = Path(path)
    if not path.is_file():
        raise DataFileError(f"Không tìm thấy tệp dữ liệu '{path}'.")
    progress(0, None, "Đang kiểm tra cấu trúc tệp dữ liệu…")
    damage, constraint = split_integrity(physical_check(path))
    report = CheckReport(path, damage or ["ok"])
    if report.damaged:
        return report
    report.revision = _revision(path)
    if report.revision is None:
        raise DataFileNotOursError(
            f"Tệp '{path.name}' không phải là tệp dữ liệu của chương trình.")
    if report.revision not in KNOWN_REVISIONS:
        raise DataFileNewerError("Tệp dữ liệu được tạo bởi phiên bản mới hơn của chương trình "
                                 f"(lược đồ {report.revision}); không kiểm tra.")
    connection = connect_existing(path, readonly=True)   # looking writes nothing
    try:
        report.findings = find_problems(connection, progress)
        report.findings.append(Finding(
            "constraint", "Dòng vi phạm ràng buộc của lược đồ (CHECK, NOT NULL)",
            len(constraint), constraint[:EXAMPLES]))
        needs_repair = any(f.repairable and f.count for f in report.findings)
        if repair_safe and needs_repair:
            connection.close()
            if backup:
                report.backup = make_backup(path, BEFORE_REPAIR, progress=progress).path
            done = _repair(path)
            connection = connect_existing(path, readonly=True)
            after = {f.key: f.count for f in find_problems(connection)}
            for finding in report.findings:
                if finding.key in done:
                    finding.repaired = finding.count - after.get(finding.key, 0)
    finally:
        connection.close()
    return report


# ------------------------------------------------------------------------------- checksum
def table_checksum(path: str | Path, exclude: tuple[str, ...] = ("safety_meta",)) -> str:
    """SHA-256 of every row of every table (in rowid order), to prove data unchanged."""
    connection = connect_existing(path)
    try:
        return connection_checksum(connection, exclude)
    finally:
        connection.close()


def connection_checksum(connection: sqlite3.Connection,
                        exclude: tuple[str, ...] = ("safety_meta",)) -> str:
    digest = hashlib.sha256()
    tables = sorted(row[0] for row in connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
    for table in tables:
        if table in exclude:
            continue
        digest.update(f"\x00table {table}\x00".encode())
        for row in connection.execute(f'SELECT * FROM "{table}" ORDER BY rowid'):
            digest.update(json.dumps(row, ensure_ascii=False, default=repr).encode("utf-8"))
            digest.update(b"\n")
    return digest.hexdigest()
