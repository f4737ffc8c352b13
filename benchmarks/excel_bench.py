"""Excel import/export speed on 10,000 registration rows.

    PYTHONPATH=. /work/venv/bin/python benchmarks/excel_bench.py [--rows 10000]
    PYTHONPATH=. /work/venv/bin/python benchmarks/excel_bench.py --rows 100000 --import-only

Import: ``read_workbook`` alone (zip checks, the extent measure, calamine in a child process,
the values sent back), ``build_plan`` (that read + conversion + validation + plan) and
``apply_plan`` (one transaction with audit rows) against the raw read of the same file with
python-calamine alone, in this process. Export: ``export(..., "registrations", ...)``
(queries, Vietnamese sort, styles, header, temp file + rename) against openpyxl alone appending the same values in
write-only mode. Goals: import within 2x of the raw read, export within 1.5x of the raw write.
Each figure is the best of ``--repeat`` runs. ``--import-only`` measures the import alone and
its memory: the database and the file are made in another process, and the peak resident size
(``getrusage``) is that of a fresh process doing one import alone (plan and write, on a copy of
the database), so neither the making of the file nor the raw read counts in it. The import reads in a child process (see
``excel/reader.py``), which imports this script again as its main module: so the project's
modules are imported inside the functions, as the program's own entry points keep theirs light.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

YEAR = 2024
HEADER = ["STT", "Mã chi bộ", "Tên chi bộ", "Danh hiệu đăng ký", "Ngày đăng ký", "Số đảng viên",
          "Chỉ tiêu, cam kết nhóm 1", "Chỉ tiêu, cam kết nhóm 2", "Chỉ tiêu, cam kết nhóm 3",
          "Chỉ tiêu, cam kết nhóm 4", "Người ký"]


def best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def make_office(folder: Path, rows: int):
    from sqlalchemy import insert

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.db.models import Cell
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.setup import create_organisation, create_phase

    db = open_database(folder / "bench.sqlite3")
    office = Office(db)
    create_organisation(office, "TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
    create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025)
    with db.engine.begin() as connection:
        connection.execute(insert(Cell), [
            {"organisation_id": office.organisation_id, "code": f"CB{n:05d}",
             "name": f"Chi bộ Tổ dân phố {n}", "kind": "residential",
             "secretary": f"Nguyễn Văn {n}", "members_count": 20 + n % 30}
            for n in range(1, rows + 1)])
    return office


def make_file(path: Path, rows: int) -> list[list]:
    from openpyxl import Workbook

    values = []
    for n in range(1, rows + 1):
        values.append([n, f"CB{n:05d}", f"Chi bộ Tổ dân phố {n}", "Chi bộ 4 tốt",
                       dt.date(YEAR, 3, 1 + n % 9), 20 + n % 30,
                       f"Hoàn thành 100% chỉ tiêu kinh tế - xã hội năm {YEAR}, kết nạp {n % 3} "
                       "đảng viên mới.",
                       "Sinh hoạt chi bộ định kỳ đủ 12 kỳ/năm, ít nhất 04 kỳ chuyên đề.",
                       "Chi bộ đoàn kết, không có đảng viên vi phạm kỷ luật.",
                       "100% đảng viên hoàn thành nhiệm vụ.", f"Nguyễn Văn {n}"])
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Tổng hợp")
    sheet.append(["DANH SÁCH CHI BỘ ĐĂNG KÝ THI ĐUA"])
    sheet.append([])
    sheet.append(HEADER)
    for row in values:
        sheet.append(row)
    workbook.save(path)
    return values


def make_inputs(folder: str, rows: int) -> None:
    """The office's database and the file, made in a child process (``--import-only``)."""
    office = make_office(Path(folder), rows)
    make_file(Path(folder) / "dang_ky.xlsx", rows)
    office.db.close()


def peak_mib() -> float:
    """Peak resident size of this process (MiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 1024**2


def import_memory(folder: str, rows: int, answer) -> None:
    """One import (plan + write) in this fresh process; sends its peak resident sizes: before,
    after the plan, after the write."""
    import shutil

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan
    from chibo4tot_desktop.ops import Office

    copy = Path(folder) / "memory.sqlite3"
    shutil.copyfile(Path(folder) / "bench.sqlite3", copy)
    office = Office(open_database(copy))
    before = peak_mib()
    plan = build_plan(office, YEAR, [Path(folder) / "dang_ky.xlsx"])
    planned = peak_mib()
    assert apply_plan(office, plan).added == rows
    answer.send((before, planned, peak_mib()))
    office.db.close()


def import_only(rows: int, repeat: int) -> int:
    """The import alone: raw read (anchor), safe read, plan, one write; then peak memory."""
    import multiprocessing
    import shutil

    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan
    from chibo4tot_desktop.excel.reader import read_workbook
    from chibo4tot_desktop.ops import Office

    with tempfile.TemporaryDirectory() as folder:
        spawn = multiprocessing.get_context("spawn")
        maker = spawn.Process(target=make_inputs, args=(folder, rows))
        maker.start()
        maker.join()
        assert maker.exitcode == 0
        answer, child_end = spawn.Pipe()
        measuring = spawn.Process(target=import_memory, args=(folder, rows, child_end))
        measuring.start()
        before, planned, peak = answer.recv()
        measuring.join()
        source = Path(folder) / "dang_ky.xlsx"
        office = Office(open_database(Path(folder) / "bench.sqlite3"))
        print(f"{rows} dòng, tệp {source.stat().st_size / 1e6:.1f} MB")
        # Interleaved: each round reads raw, reads safely, plans and writes the plan (into a
        # fresh copy of the database), so load on the machine touches the anchor and the
        # figures alike.
        read_time = safe_time = plan_time = apply_time = float("inf")
        for round_ in range(repeat):
            read_time = min(read_time, best(lambda: raw_read(source), 1)[0])
            safe_time = min(safe_time, best(lambda: read_workbook(source), 1)[0])
            elapsed, plan = best(lambda: build_plan(office, YEAR, [source]), 1)
            plan_time = min(plan_time, elapsed)
            assert not plan.problems and len(plan.to_add) == rows, plan.problems[:3]
            copy = Path(folder) / f"apply-{round_}.sqlite3"
            shutil.copyfile(Path(folder) / "bench.sqlite3", copy)
            target = Office(open_database(copy))
            start = time.perf_counter()
            outcome = apply_plan(target, plan)
            apply_time = min(apply_time, time.perf_counter() - start)
            assert outcome.added == rows
            target.db.close()
        print(f"Đọc thô (calamine):                 {read_time:7.3f} s")
        print(f"Đọc an toàn (đo, tiến trình con):   {safe_time:7.3f} s  "
              f"= {safe_time / read_time:4.2f} x đọc thô")
        print(f"Nhập: kiểm tra + lập kế hoạch:      {plan_time:7.3f} s  "
              f"= {plan_time / read_time:4.2f} x đọc thô (mục tiêu ≤ 2)")
        print(f"Nhập: ghi một giao dịch (+nhật ký): {apply_time:7.3f} s")
        print(f"Nhập trọn (kế hoạch + ghi):         {plan_time + apply_time:7.3f} s  "
              f"= {(plan_time + apply_time) / read_time:4.2f} x đọc thô (mục tiêu ≤ 3)")
        print(f"Bộ nhớ đỉnh của một lần nhập:       {peak:7.0f} MiB  (tiến trình mới, "
              f"{before:.0f} MiB trước khi nhập, {planned:.0f} MiB sau khi lập kế hoạch; "
              "mục tiêu < 400 MiB với 100.000 dòng)")
        office.db.close()
    return 0


def raw_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(path)) as workbook:
        return sum(len(workbook.get_sheet_by_name(name).to_python(skip_empty_area=False))
                   for name in workbook.sheet_names)


def raw_read_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        return sum(1 for sheet in workbook.worksheets for _ in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def raw_write(path: Path, values: list[list]) -> None:
    from openpyxl import Workbook

    from chibo4tot_desktop.excel.exports import REGISTRATION_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đăng ký")
    sheet.append([column.title for column in REGISTRATION_COLUMNS])
    for row in values:
        sheet.append(row)
    workbook.save(path)


def raw_write_styled(path: Path, values: list[list]) -> None:
    """openpyxl alone, each cell with a border/font style (what an office-ready list needs)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Border, Font, NamedStyle, Side

    workbook = Workbook(write_only=True)
    thin = Side(style="thin")
    workbook.add_named_style(NamedStyle("plain", font=Font(name="Times New Roman", size=12),
                                        border=Border(thin, thin, thin, thin)))
    sheet = workbook.create_sheet("Đăng ký")
    for row in values:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value)
            cell.style = "plain"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def main() -> int:
    from chibo4tot_desktop.excel.exports import export
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan
    from chibo4tot_desktop.excel.reader import read_workbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-only", action="store_true",
                        help="the import alone, with its peak memory")
    args = parser.parse_args()
    if args.import_only:
        return import_only(args.rows, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        office = make_office(folder, args.rows)
        source = folder / "dang_ky.xlsx"
        values = make_file(source, args.rows)
        print(f"{args.rows} dòng, tệp {source.stat().st_size / 1e6:.1f} MB")

        read_time, count = best(lambda: raw_read(source), args.repeat)
        safe_time, _ = best(lambda: read_workbook(source), args.repeat)
        openpyxl_time, _ = best(lambda: raw_read_openpyxl(source), 1)
        plan_time, plan = best(lambda: build_plan(office, YEAR, [source]), args.repeat)
        assert not plan.problems and len(plan.to_add) == args.rows, plan.problems[:3]
        start = time.perf_counter()
        outcome = apply_plan(office, plan)
        apply_time = time.perf_counter() - start
        assert outcome.added == args.rows
        again_time, again = best(lambda: build_plan(office, YEAR, [source]), 1)
        assert len(again.unchanged) == args.rows

        export_rows = [[index, *row[1:], "Đúng hạn"] for index, row in enumerate(values, 1)]
        write_time, _ = best(lambda: raw_write(folder / "raw.xlsx", export_rows), args.repeat)
        styled_time, _ = best(lambda: raw_write_styled(folder / "raw2.xlsx", export_rows),
                              args.repeat)
        export_time, _ = best(lambda: export(office, "registrations", YEAR,
                                             folder / "export.xlsx"), args.repeat)

        print(f"Đọc thô (calamine):                 {read_time:7.3f} s")
        print(f"(Đọc thô bằng openpyxl read-only:   {openpyxl_time:7.3f} s)")
        print(f"Đọc an toàn (đo, tiến trình con):   {safe_time:7.3f} s  "
              f"= {safe_time / read_time:4.2f} x đọc thô")
        print(f"Nhập: kiểm tra + lập kế hoạch:      {plan_time:7.3f} s  "
              f"= {plan_time / read_time:4.2f} x đọc thô (mục tiêu ≤ 2)")
        print(f"Nhập: ghi một giao dịch (+nhật ký): {apply_time:7.3f} s")
        print(f"Nhập trọn (kế hoạch + ghi):         {plan_time + apply_time:7.3f} s  "
              f"= {(plan_time + apply_time) / read_time:4.2f} x đọc thô")
        print(f"Nhập lại cùng tệp (không đổi):      {again_time:7.3f} s")
        print(f"Ghi thô (openpyxl write-only):      {write_time:7.3f} s")
        print(f"(Ghi thô có định dạng ô, openpyxl:  {styled_time:7.3f} s)")
        print(f"Xuất danh sách đăng ký:             {export_time:7.3f} s  "
              f"= {export_time / write_time:4.2f} x ghi thô (mục tiêu ≤ 1,5), "
              f"{export_time / styled_time:4.2f} x ghi thô có định dạng")
        office.db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
