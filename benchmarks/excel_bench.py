"""Excel import/export speed on 10,000 registration rows.

    PYTHONPATH=. /work/venv/bin/python benchmarks/excel_bench.py [--rows 10000]
    PYTHONPATH=. /work/venv/bin/python benchmarks/excel_bench.py --rows 100000 --import-only

Import: ``read_workbook`` alone (zip checks, the extent measure, calamine in a child process,
the values sent back), ``build_plan`` (that read + conversion + validation + plan) and
``apply_plan`` (one transaction with audit rows) against the raw read of the same file with
python-calamine alone, in this process. Export: ``export(..., "registrations", ...)``
(queries, Vietnamese sort, row heights, header, print setup, temp file + rename) against the
fastest raw write of the same values with the same cell formats (xlsxwriter in its
constant-memory and shared-strings modes, openpyxl write-only; openpyxl unstyled shown for
reference), interleaved in the same run (``export_part``). Goals: import within 2x of the raw
read, export within 1.2x of the raw write. Each figure is the best of ``--repeat`` runs;
``--import-only`` also prints the median over its rounds of each round's ratio to that
round's own raw read.
``--export-only`` measures the export alone (the file imported once, not measured).
``--import-only`` measures the import alone and its memory: the database and the file are
made in another process, and the peak resident size (``getrusage``) is that of a fresh
process doing one import alone (plan and write, on a copy of the database), so neither the
making of the file nor the raw read counts in it. The import reads in a child process (see
``excel/reader.py``), which imports this script again as its main module: so the project's
modules are imported inside the functions, as the program's own entry points keep theirs light.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
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
        rounds = []     # (raw read, safe read, plan, write) of each round
        for round_ in range(repeat):
            read_time = best(lambda: raw_read(source), 1)[0]
            safe_time = best(lambda: read_workbook(source), 1)[0]
            plan_time, plan = best(lambda: build_plan(office, YEAR, [source]), 1)
            assert not plan.problems and len(plan.to_add) == rows, plan.problems[:3]
            copy = Path(folder) / f"apply-{round_}.sqlite3"
            shutil.copyfile(Path(folder) / "bench.sqlite3", copy)
            target = Office(open_database(copy))
            start = time.perf_counter()
            outcome = apply_plan(target, plan)
            apply_time = time.perf_counter() - start
            assert outcome.added == rows
            target.db.close()
            rounds.append((read_time, safe_time, plan_time, apply_time))
        print_import(*(min(column) for column in zip(*rounds)))
        # Each round against its own raw read: the load of the moment touches both alike.
        ratios = [(safe / read, plan / read, (plan + write) / read)
                  for read, safe, plan, write in rounds]
        safe_ratio, plan_ratio, whole_ratio = (statistics.median(column)
                                               for column in zip(*ratios))
        print(f"Trung vị các vòng (mỗi vòng so với đọc thô của nó, {repeat} vòng): đọc an toàn "
              f"{safe_ratio:4.2f} x, kế hoạch {plan_ratio:4.2f} x, nhập trọn {whole_ratio:4.2f} x")
        print(f"Bộ nhớ đỉnh của một lần nhập:       {peak:7.0f} MiB  (tiến trình mới, "
              f"{before:.0f} MiB trước khi nhập, {planned:.0f} MiB sau khi lập kế hoạch; "
              "mục tiêu < 400 MiB với 100.000 dòng)")
        office.db.close()
    return 0


def print_import(read_time: float, safe_time: float, plan_time: float, apply_time: float,
                 openpyxl_time: float | None = None) -> None:
    """The import's figures, each against the raw read."""
    print(f"Đọc thô (calamine):                 {read_time:7.3f} s")
    if openpyxl_time is not None:
        print(f"(Đọc thô bằng openpyxl read-only:   {openpyxl_time:7.3f} s)")
    print(f"Đọc an toàn (đo, tiến trình con):   {safe_time:7.3f} s  "
          f"= {safe_time / read_time:4.2f} x đọc thô")
    print(f"Nhập: kiểm tra + lập kế hoạch:      {plan_time:7.3f} s  "
          f"= {plan_time / read_time:4.2f} x đọc thô (mục tiêu ≤ 2)")
    print(f"Nhập: ghi một giao dịch (+nhật ký): {apply_time:7.3f} s")
    print(f"Nhập trọn (kế hoạch + ghi):         {plan_time + apply_time:7.3f} s  "
          f"= {(plan_time + apply_time) / read_time:4.2f} x đọc thô (mục tiêu ≤ 3)")


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
    """openpyxl's write-only mode, no style at all (a reference, not the anchor)."""
    from openpyxl import Workbook

    from chibo4tot_desktop.excel.exports import REGISTRATION_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Đăng ký")
    sheet.append([column.title for column in REGISTRATION_COLUMNS])
    for row in values:
        sheet.append(row)
    workbook.save(path)


def raw_write_styled(path: Path, values: list[list]) -> None:
    """openpyxl's write-only mode, each cell with the named style of its column: the list's
    font, borders, alignment and number format."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
    from openpyxl.utils import get_column_letter

    from chibo4tot_desktop.excel.exports import CELL_STYLES, REGISTRATION_COLUMNS

    workbook = Workbook(write_only=True)
    thin = Side(style="thin", color="000000")
    names = []
    for column in [None, *REGISTRATION_COLUMNS]:
        style = CELL_STYLES["header" if column is None else column.kind]
        name = "header" if column is None else f"column {len(names)}"
        workbook.add_named_style(NamedStyle(
            name, font=Font(name="Times New Roman", size=12, bold=style.get("bold", False)),
            border=Border(thin, thin, thin, thin),
            alignment=Alignment(horizontal=style["align"],
                                vertical="center" if style["valign"] == "vcenter" else "top",
                                wrap_text=style.get("text_wrap", False)),
            number_format=style.get("num_format", "General")))
        names.append(name)
    sheet = workbook.create_sheet("Đăng ký")
    for index, column in enumerate(REGISTRATION_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in REGISTRATION_COLUMNS:
        cell = WriteOnlyCell(sheet, column.title)
        cell.style = "header"
        header.append(cell)
    sheet.append(header)
    for row in values:
        cells = []
        for value, name in zip(row, names[1:]):
            cell = WriteOnlyCell(sheet, value)
            cell.style = name
            cells.append(cell)
        sheet.append(cells)
    workbook.save(path)


def raw_write_xlsxwriter(path: Path, values: list[list], constant_memory: bool,
                         heights: list[float] | None = None) -> None:
    """xlsxwriter alone: the same values with the same cell formats (font, borders,
    alignment, number formats), workbook options, column widths and row heights (given
    ready-made: computing them is the list's own work) as the list, each cell with its
    type's write method; in constant-memory mode (as a long list) or not (shared strings:
    faster when texts repeat, but every cell stays in memory until the end)."""
    import xlsxwriter

    from chibo4tot_desktop.excel.exports import (
        CELL_STYLES,
        DEFAULT_ROW,
        REGISTRATION_COLUMNS,
        WORKBOOK_OPTIONS,
    )

    workbook = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS,
                                               "constant_memory": constant_memory})
    sheet = workbook.add_worksheet("Đăng ký")
    header = workbook.add_format(CELL_STYLES["header"])
    formats = [workbook.add_format(CELL_STYLES[column.kind]) for column in REGISTRATION_COLUMNS]
    for index, column in enumerate(REGISTRATION_COLUMNS):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, column.title, header)
    for number, row in enumerate(values, start=1):
        if heights and heights[number - 1] > DEFAULT_ROW + 1:
            sheet.set_row(number, heights[number - 1])
        for index, value in enumerate(row):
            if isinstance(value, str):
                sheet.write_string(number, index, value, formats[index])
            elif isinstance(value, dt.date):
                sheet.write_datetime(number, index, value, formats[index])
            elif value is None:
                sheet.write_blank(number, index, None, formats[index])
            else:
                sheet.write_number(number, index, value, formats[index])
    workbook.close()


def interleaved(functions: dict, repeat: int) -> dict[str, tuple[float, float, float]]:
    """Each function run ``repeat`` times, in turn (a busy machine slows them alike):
    name -> (best, median) seconds of the clock, and the median processor time (steadier
    when other work shares the processors)."""
    clock: dict[str, list[float]] = {name: [] for name in functions}
    processor: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            gc.collect()            # each starts from the same heap, not the last one's garbage
            start, start_cpu = time.perf_counter(), time.process_time()
            function()
            clock[name].append(time.perf_counter() - start)
            processor[name].append(time.process_time() - start_cpu)
    return {name: (min(clock[name]), statistics.median(clock[name]),
                   statistics.median(processor[name])) for name in functions}


def export_part(office, values: list[list], folder: Path, repeat: int) -> None:
    """The program's export of the registrations (``exports.export``: queries, Vietnamese
    order, row heights, the Party header, titles, totals, print setup, temporary file and
    rename) against the raw writes of the same values with the same cell formats and row
    heights, in the same run. The anchor is the fastest of the raw writes with the list's
    styles (the unstyled one is a reference)."""
    from chibo4tot_desktop.excel.common import row_height
    from chibo4tot_desktop.excel.exports import REGISTRATION_COLUMNS, export

    rows = [[index, *row[1:], "Đúng hạn"] for index, row in enumerate(values, 1)]
    widths = [column.width for column in REGISTRATION_COLUMNS]
    heights = [row_height(row, widths) for row in rows]
    functions = {
        "export": lambda: export(office, "registrations", YEAR, folder / "export.xlsx"),
        "xlsxwriter constant_memory": lambda: raw_write_xlsxwriter(folder / "xw1.xlsx", rows,
                                                                   True, heights),
        "xlsxwriter shared strings": lambda: raw_write_xlsxwriter(folder / "xw2.xlsx", rows,
                                                                  False, heights),
        "openpyxl write-only styled": lambda: raw_write_styled(folder / "op1.xlsx", rows),
        "openpyxl write-only unstyled": lambda: raw_write(folder / "op2.xlsx", rows),
    }
    figures = interleaved(functions, repeat)
    styled = [name for name in functions if name not in ("export", "openpyxl write-only unstyled")]
    # The anchor of each figure (best, median, processor time) is the fastest styled raw
    # write by that figure: a write lucky in its best round is not the anchor of the medians.
    anchors = [min(styled, key=lambda name, index=index: figures[name][index])
               for index in range(3)]
    anchor = [figures[name][index] for index, name in enumerate(anchors)]
    print("Xuất (giây; tốt nhất / trung vị đồng hồ, trung vị thời gian CPU; tỉ lệ với mốc):")
    for name, numbers in figures.items():
        label = "Xuất danh sách đăng ký" if name == "export" else f"Ghi thô: {name}"
        print(f"  {label:38} {numbers[0]:6.3f} / {numbers[1]:6.3f} / CPU {numbers[2]:6.3f}  "
              + "= " + " / ".join(f"{value / mark:4.2f}" for value, mark in zip(numbers, anchor))
              + " x")
    ratios = [value / mark for value, mark in zip(figures["export"], anchor)]
    print(f"Mốc (ghi thô nhanh nhất cùng giá trị, cùng định dạng): {anchors[0]} / {anchors[1]} / "
          f"{anchors[2]}. Xuất = {ratios[0]:4.2f} / {ratios[1]:4.2f} / {ratios[2]:4.2f} x mốc "
          "(mục tiêu ≤ 1,2)")


def export_only(rows: int, repeat: int) -> int:
    """The export alone: the registrations imported once (not measured), then the export and
    the raw writes, interleaved."""
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        office = make_office(folder, rows)
        source = folder / "dang_ky.xlsx"
        values = make_file(source, rows)
        plan = build_plan(office, YEAR, [source])
        assert not plan.problems and len(plan.to_add) == rows, plan.problems[:3]
        assert apply_plan(office, plan).added == rows
        del plan            # the import's objects are not the export's: not kept alive
        print(f"{rows} dòng")
        export_part(office, values, folder, repeat)
        office.db.close()
    return 0


def main() -> int:
    from chibo4tot_desktop.excel.importer import apply_plan, build_plan
    from chibo4tot_desktop.excel.reader import read_workbook

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--import-only", action="store_true",
                        help="the import alone, with its peak memory")
    parser.add_argument("--export-only", action="store_true",
                        help="the export alone (the file imported once, unmeasured)")
    args = parser.parse_args()
    if args.import_only:
        return import_only(args.rows, args.repeat)
    if args.export_only:
        return export_only(args.rows, args.repeat)
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

        print_import(read_time, safe_time, plan_time, apply_time, openpyxl_time)
        print(f"Nhập lại cùng tệp (không đổi):      {again_time:7.3f} s")
        export_part(office, values, folder, args.repeat)
        office.db.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
