"""Speed of the data safety operations on a realistic and on a large data file.

    PYTHONPATH=. python benchmarks/safety_bench.py [--cells 300] [--file PATH]

Prints, for the demo ward and for the demo plus CELLS extra cells with three years of
registrations and scores (each written through the office API, so the audit log is real):
file size, integrity_check, quick_check, the full check, a backup, a restore, the row
checksum, and the two openings every window action and command goes through: for writing
(place, lock, integrity_check, schema, engine) and for reading (quick_check, read-only).
``--file`` measures a copy of an existing file too (e.g. one made by make_city_db.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from chibo4tot_desktop.db.engine import connect_readonly, open_database
from chibo4tot_desktop.demo import build_demo
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput
from chibo4tot_desktop.safety.backup import format_size, make_backup
from chibo4tot_desktop.safety.check import physical_check, run_check, table_checksum
from chibo4tot_desktop.safety.opening import open_for_reading, open_for_writing
from chibo4tot_desktop.safety.restore import restore_backup


def timed(label: str, action, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"  {label:<42} {best * 1000:9.1f} ms")
    return result


def grow(path: Path, cells: int) -> None:
    db = open_database(path)
    office = Office(db)
    phase = queries.phase_for_year(office, 2024)
    items = [item for group in phase.groups if group.scope == "cell" for item in group.items]
    for number in range(cells):
        cell = add_cell(office, f"X{number:04d}", f"Chi bộ thêm {number}",
                               secretary=f"Bí thư {number}", members_count=30)
        for year in (2023, 2024, 2025):
            save_registration(office, cell.id, year, received_on=dt.date(year, 3, 5),
                                     signer=f"Bí thư {number}")
            if year < 2025:
                save_evaluation(office, cell.id, year, scores={
                    item.id: ScoreInput(item.max_points * 0.8, item.max_points * 0.85)
                    for item in items})
    db.close()


def measure(path: Path) -> None:
    print(f"  {'file size':<42} {format_size(path.stat().st_size):>12}")
    timed("PRAGMA integrity_check", lambda: physical_check(path))
    timed("PRAGMA quick_check", lambda: _pragma(path, "quick_check"))
    timed("check (physical + logical, no repair)", lambda: run_check(path, repair_safe=False))
    backup = timed("backup (API, quick_check, fsync, rename)",
                   lambda: make_backup(path, "thu-cong", thin=False))
    timed("row checksum (every table)", lambda: table_checksum(path))
    timed("restore (check, backup current, replace)",
          lambda: restore_backup(backup.path, path), repeat=1)
    timed("open for writing (lock, integrity_check)", lambda: open_for_writing(path).close())
    timed("open for reading (quick_check)", lambda: open_for_reading(path).close())
    timed("open with no start check (open_database)",
          lambda: open_database(path, readonly=True).close())


def _pragma(path: Path, pragma: str) -> None:
    connection = connect_readonly(path)
    try:
        connection.execute(f"PRAGMA {pragma}").fetchall()
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--file", type=Path, help="also measure a copy of this data file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.file:
            import shutil

            copy = Path(folder) / "given.sqlite3"
            shutil.copy(args.file, copy)
            print(f"{args.file}:")
            measure(copy)
            print()
        path = Path(folder) / "data.sqlite3"
        db = open_database(path)
        build_demo(Office(db))
        db.close()
        print("Demo ward (16 cells, 2023-2024):")
        measure(path)
        start = time.perf_counter()
        grow(path, args.cells)
        print(f"\nDemo + {args.cells} cells x 3 years (built in "
              f"{time.perf_counter() - start:.0f} s through the office API):")
        measure(path)


if __name__ == "__main__":
    main()
