"""Make a city-sized data file for the benchmarks: many cells, several years, every
registration and (unless --no-scores) every evaluation with all its scores.

    PYTHONPATH=. python benchmarks/make_city_db.py benchmarks/out/city.sqlite3
        [--cells 200] [--years 5] [--first-year 2021] [--no-scores] [--force]
    PYTHONPATH=. python benchmarks/make_city_db.py postgresql+psycopg://USER@HOST/DB [...]

The output is a file path (SQLite) or a database URL (an empty database or schema, e.g. a URL
with ``options=-csearch_path=SCHEMA``), opened with ``open_database`` as the program does.

The organisation and the phase (its catalogue of criteria) are created through ``Office``; the
bulk rows (cells, registrations, evaluations, scores) are inserted with SQLAlchemy Core
executemany in one transaction, which is what makes 100,000 rows take seconds. These bulk
rows have no audit-log entries (the audit log is written by the ORM flush).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, select  # noqa: E402

from chibo4tot_desktop.db.engine import is_url, open_database  # noqa: E402
from chibo4tot_desktop.db.models import (  # noqa: E402
    Cell,
    CellKind,
    CriteriaGroup,
    CriteriaItem,
    Evaluation,
    Registration,
    Scope,
    Score,
)
from chibo4tot_desktop.ops import Office  # noqa: E402
from chibo4tot_desktop.ops.setup import create_organisation, create_phase  # noqa: E402

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Phan", "Trương", "Lý", "Đinh", "Lương", "Vũ"]
MIDDLE = ["Văn", "Thị", "Đức", "Ngọc", "Minh", "Thanh", "Hữu", "Quang", "Thu", "Xuân"]
GIVEN = ["Hùng", "Lan", "Minh", "Hoa", "Nam", "Thu", "Bình", "Hằng", "Đức", "Ánh", "Sơn",
         "Yến", "Long", "Mai", "Tâm", "Ân", "Quý", "Hải", "Phúc", "Trang", "Ước", "Ý"]
PLACES = ["Tổ dân phố", "Khối phố", "Thôn", "Trường Tiểu học", "Trường THCS", "Trường Mầm non",
          "Cơ quan", "Công ty", "Trạm Y tế", "Ban Chỉ huy Quân sự", "Công an"]
WARDS = ["Tân Giang", "Bắc Hà", "Nam Hà", "Trần Phú", "Nguyễn Du", "Đại Nài", "Hà Huy Tập",
         "Thạch Linh", "Văn Yên", "Thạch Quý", "Hưng Bình", "Thạch Trung", "Đồng Môn"]
KINDS = {"Tổ dân phố": CellKind.RESIDENTIAL, "Khối phố": CellKind.RESIDENTIAL,
         "Thôn": CellKind.RESIDENTIAL, "Trường Tiểu học": CellKind.SCHOOL,
         "Trường THCS": CellKind.SCHOOL, "Trường Mầm non": CellKind.SCHOOL,
         "Cơ quan": CellKind.AGENCY, "Công ty": CellKind.ENTERPRISE,
         "Trạm Y tế": CellKind.AGENCY, "Ban Chỉ huy Quân sự": CellKind.MILITARY,
         "Công an": CellKind.POLICE}
COMMITMENTS = (
    "Lãnh đạo hoàn thành 100% chỉ tiêu kinh tế - xã hội được giao; kết nạp ít nhất 01 đảng viên.",
    "Sinh hoạt chi bộ định kỳ đủ 12 kỳ/năm, ít nhất 04 kỳ sinh hoạt chuyên đề.",
    "Chi bộ đoàn kết, thực hiện đúng quy chế làm việc; không có đảng viên vi phạm kỷ luật.",
    "100% đảng viên hoàn thành nhiệm vụ, ít nhất 20% hoàn thành xuất sắc nhiệm vụ.",
)
CHUNK = 5000


def person(rng: random.Random) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def _insert(session, table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start:start + CHUNK])


def make_city(path: str | Path, cells: int = 200, years: int = 5, first_year: int = 2021,
              scores: bool = True, seed: int = 2025) -> dict[str, int]:
    """Create the data file at ``path`` (which must not exist), or fill the empty database at
    the URL ``path``; returns the row counts."""
    rng = random.Random(seed)
    db = open_database(path)
    try:
        office = Office(db)
        create_organisation(office, "THANHPHO", "Đảng bộ phường Trung Tâm Thành Phố",
                                   "Thành ủy Hà Tĩnh", "Hà Tĩnh")
        last_year = first_year + years - 1
        phase = create_phase(office, f"Xây dựng “Chi bộ 4 tốt” giai đoạn {first_year} - "
                                    f"{last_year}", first_year, last_year,
                                    "Kế hoạch số 98-KH/Th.U")
        org_id = office.organisation_id
        counts = {}
        with db.transaction("cells", "registrations", "evaluations") as session:
            cell_rows = []
            for number in range(1, cells + 1):
                place = rng.choice(PLACES)
                cell_rows.append({
                    "organisation_id": org_id, "code": f"CB{number:05d}",
                    "name": f"Chi bộ {place} {rng.choice(WARDS)} {number}",
                    "kind": KINDS[place].value, "secretary": person(rng),
                    "members_count": rng.randint(8, 60), "is_pilot": number % 37 == 0,
                    "dissolved_on": None, "version": 1})
            _insert(session, Cell.__table__, cell_rows)
            cell_ids = list(session.scalars(select(Cell.id).where(
                Cell.organisation_id == org_id).order_by(Cell.id)))
            members = {row_id: row["members_count"] for row_id, row in zip(cell_ids, cell_rows)}
            secretaries = {row_id: row["secretary"] for row_id, row in zip(cell_ids, cell_rows)}
            registrations = []
            for year in range(first_year, last_year + 1):
                for cell_id in cell_ids:
                    late = rng.random() < 0.05
                    received = dt.date(year, 3, rng.randint(1, 10)) if not late else \
                        dt.date(year, 3, rng.randint(11, 31))
                    registrations.append({
                        "cell_id": cell_id, "year": year, "title": "Chi bộ 4 tốt",
                        "received_on": received, "members_count": members[cell_id],
                        "commitment_1": COMMITMENTS[0], "commitment_2": COMMITMENTS[1],
                        "commitment_3": COMMITMENTS[2], "commitment_4": COMMITMENTS[3],
                        "signer": secretaries[cell_id], "source": "typed",
                        "source_file": None, "source_row": None, "version": 1})
            _insert(session, Registration.__table__, registrations)
            counts["cells"], counts["registrations"] = len(cell_ids), len(registrations)
            if scores:
                counts.update(_evaluations(session, rng, org_id, phase.id, cell_ids,
                                           range(first_year, last_year + 1)))
    finally:
        db.close()
    return counts


def _evaluations(session, rng, org_id, phase_id, cell_ids, years) -> dict[str, int]:
    items = {scope: list(session.execute(
        select(CriteriaItem.id, CriteriaItem.max_points).join(CriteriaGroup)
        .where(CriteriaGroup.phase_id == phase_id, CriteriaGroup.scope == scope.value)))
        for scope in (Scope.CELL, Scope.ORGANISATION)}
    evaluation_rows = [{"organisation_id": org_id, "cell_id": cell_id, "year": year,
                        "notes": "", "disciplined_members": int(rng.random() < 0.03),
                        "classification": None, "version": 1}
                       for year in years for cell_id in [*cell_ids, None]]
    _insert(session, Evaluation.__table__, evaluation_rows)
    score_rows = []
    for evaluation_id, cell_id in session.execute(
            select(Evaluation.id, Evaluation.cell_id)
            .where(Evaluation.organisation_id == org_id)):
        share = rng.uniform(0.6, 0.98)
        for item_id, maximum in items[Scope.CELL if cell_id else Scope.ORGANISATION]:
            committee = min(maximum, max(0.0, round(maximum * share * 2) / 2))
            own = min(maximum, committee + rng.choice((0, 0.5, 1)))
            score_rows.append({"evaluation_id": evaluation_id, "item_id": item_id,
                               "self_points": own, "committee_points": committee})
    _insert(session, Score.__table__, score_rows)
    return {"evaluations": len(evaluation_rows), "scores": len(score_rows)}


def _hidden(url: str) -> str:
    """The URL as printed: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", help="a file path, or a database URL (an empty database)")
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--first-year", type=int, default=2021)
    parser.add_argument("--no-scores", action="store_true")
    parser.add_argument("--force", action="store_true", help="replace the file if it exists")
    args = parser.parse_args(argv)
    if is_url(args.output):
        start = time.perf_counter()
        counts = make_city(args.output, args.cells, args.years, args.first_year,
                           scores=not args.no_scores)
        summary = ", ".join(f"{value:,} {key}" for key, value in counts.items())
        print(f"{_hidden(args.output)}: {summary} in {time.perf_counter() - start:.1f} s")
        return 0
    args.output = Path(args.output)
    if args.output.exists():
        if not args.force:
            parser.error(f"{args.output} exists (use --force to replace it)")
        for suffix in ("", "-wal", "-shm"):
            Path(str(args.output) + suffix).unlink(missing_ok=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    counts = make_city(args.output, args.cells, args.years, args.first_year,
                       scores=not args.no_scores)
    elapsed = time.perf_counter() - start
    summary = ", ".join(f"{value:,} {key}" for key, value in counts.items())
    size = args.output.stat().st_size / 1e6
    print(f"{args.output}: {summary} in {elapsed:.1f} s ({size:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
