"""The long fuzz of the Excel import: thousands of hostile workbooks through the real command.

    PYTHONPATH=. python benchmarks/fuzz_import.py [--cases 2000] [--seed 18000] [--jobs 2]

Case ``n`` is ``tests/hostile_files.fuzz_case(seed + n)`` (the same seed, the same file; the
suite's tests/test_excel_fuzz.py runs the first few hundred in-process). Each one is imported
with ``python -m chibo4tot_desktop --data DEMO import FILE --year 2023`` in a process of its
own, on a copy of the demo data per job, and measured with wait4: the peak resident memory of
the command and of the reading child it waited for. The rules: exit code 0 or 2, no traceback,
the database unchanged (the files name cells that do not exist, so nothing may be written).

Prints the counts by exit code and by family, the peak memory, the times, and every case that
broke a rule with its seed (its file is kept); exit code 1 if there was one.
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

YEAR = 2023


def run_case(seed: int, folder: Path, data: Path, checksum: str) -> dict:
    from chibo4tot_desktop.safety.check import table_checksum
    from tests import hostile_files

    family, path = hostile_files.fuzz_case(seed, folder / f"{seed}.xlsx", ["KHONG-CO"])
    started = time.perf_counter()
    code, out, err, peak = hostile_files.import_command(data, path, YEAR)
    seconds = time.perf_counter() - started
    broken = []
    if code not in (0, 2):
        broken.append(f"mã thoát {code}")
    if "Traceback" in out + err:
        broken.append("có traceback")
    if table_checksum(data) != checksum:
        broken.append("dữ liệu bị đổi")
    if broken:
        kept = folder.parent / f"loi-{seed}.xlsx"
        shutil.copy(path, kept)
        broken.append(f"tệp giữ lại: {kept}; {err.strip()[-300:]}")
    path.unlink()
    return {"seed": seed, "family": family, "code": code, "peak": peak or 0,
            "seconds": seconds, "broken": broken}


def main() -> int:
    from chibo4tot_desktop.cli import main as command
    from chibo4tot_desktop.safety.check import table_checksum

    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=18_000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="fuzz-import-"))
    demo = work / "demo.sqlite3"
    if command(["demo", "--data", str(demo)]) != 0:
        return 1
    checksum = table_checksum(demo)
    local = threading.local()
    lock = threading.Lock()
    jobs = [0]

    def job(seed: int) -> dict:
        if not hasattr(local, "data"):
            with lock:
                jobs[0] += 1
                number = jobs[0]
            local.folder = work / f"job{number}"
            local.folder.mkdir()
            local.data = local.folder / "demo.sqlite3"
            shutil.copy(demo, local.data)
        return run_case(seed, local.folder, local.data, checksum)

    started = time.perf_counter()
    results = []
    with ThreadPoolExecutor(args.jobs) as pool:
        for done, result in enumerate(pool.map(job, range(args.seed, args.seed + args.cases)),
                                      start=1):
            results.append(result)
            if done % 100 == 0:
                print(f"  ... {done} tệp", flush=True)
    elapsed = time.perf_counter() - started

    codes = collections.Counter(result["code"] for result in results)
    print(f"{len(results)} tệp, {args.jobs} luồng, {elapsed:.0f} s "
          f"({elapsed / max(len(results), 1):.2f} s/tệp; mỗi lệnh trung bình "
          f"{sum(r['seconds'] for r in results) / max(len(results), 1):.2f} s)")
    print("Mã thoát: " + ", ".join(f"{code} → {count}" for code, count in sorted(codes.items())))
    print("Theo loại tệp (số tệp; mã thoát; bộ nhớ lớn nhất của lệnh và tiến trình đọc):")
    for family in sorted({result["family"] for result in results}):
        mine = [result for result in results if result["family"] == family]
        family_codes = collections.Counter(result["code"] for result in mine)
        print(f"  {family:18s} {len(mine):5d}; "
              + ", ".join(f"{code}: {count}" for code, count in sorted(family_codes.items()))
              + f"; {max(result['peak'] for result in mine) // 1024} MB")
    heaviest = max(results, key=lambda result: result["peak"])
    slowest = max(results, key=lambda result: result["seconds"])
    print(f"Bộ nhớ lớn nhất: {heaviest['peak'] // 1024} MB (seed {heaviest['seed']}, "
          f"{heaviest['family']})")
    print(f"Lệnh lâu nhất: {slowest['seconds']:.1f} s (seed {slowest['seed']}, "
          f"{slowest['family']})")
    broken = [result for result in results if result["broken"]]
    print(f"Vi phạm: {len(broken)}")
    for result in broken:
        print(f"  seed {result['seed']} ({result['family']}): {'; '.join(result['broken'])}")
    if not broken:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
