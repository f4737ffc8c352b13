"""The child of the crash test: edits the data file in a loop until it is killed.

Usage: python crash_child.py DATA LOG TRIAL

It creates LOG (if missing) and prints "ready" once its imports are done; the parent may
start its random kill delay from there (the kill then lands while opening the file or while
writing). It opens the file with the writer lock (a lock left by the previous, killed child
must not block), and repeats four kinds of change through the office API. After each change
has returned - committed, what the user would see as "saved" - it appends one line to LOG:
``<kind> <key> <sequence>``. Sequences only grow, so the parent can tell "this change or a
later one" apart from "lost". Right after the first line is in LOG it prints "writing"; the
parent may wait for that instead, so the kill surely lands among the writes whatever the
speed of the machine.

If the Excel importer exists (``chibo4tot_desktop.excel``), a fifth kind imports a small
registration list through it.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation


def main() -> None:
    data, log_path, trial = sys.argv[1], sys.argv[2], int(sys.argv[3])
    log = open(log_path, "a", encoding="utf-8")   # exists before "ready"
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.verdicts import ScoreInput
    from chibo4tot_desktop.safety.opening import open_for_writing

    importer = None
    try:
        import openpyxl

        from chibo4tot_desktop.excel import importer as importer  # noqa: PLW0127
    except ImportError:
        importer = None

    print("ready", flush=True)
    db = open_for_writing(data)
    office = Office(db)
    cells = [cell for cell in queries.cells(office) if cell.code.startswith("BASE")]
    phase = queries.phase_for_year(office, 2024)
    items = [item for group in phase.groups if group.scope == "cell" for item in group.items]
    kinds = 5 if importer is not None else 4
    # The crash test's negative control: log BEFORE the change is committed (a program that
    # says "saved" too early); the parent must then find lost changes.
    early = os.environ.get("CRASH_LOG_EARLY") == "1"

    def record(line: str) -> None:
        log.write(line + "\n")
        log.flush()
        if step == 0:
            print("writing", flush=True)

    step = 0
    while True:
        sequence = trial * 1_000_000 + step
        cell = cells[step % len(cells)]
        kind = step % kinds
        line = {0: f"cell K{trial}-{step} {sequence}", 1: f"secretary {cell.id} {sequence}",
                2: f"evaluation {cell.id} {sequence}"}.get(kind,
                                                           f"registration {cell.id} {sequence}")
        if early:
            record(line)
        if kind == 0:
            add_cell(office, f"K{trial}-{step}", f"Chi bộ thử {trial}-{step}")
        elif kind == 1:
            update_cell(office, cell.id, secretary=f"Bí thư {sequence}")
        elif kind == 2:
            scores = {item.id: ScoreInput(committee_points=(sequence + index) % 3)
                      for index, item in enumerate(items)}
            save_evaluation(office, cell.id, 2024, scores=scores, notes=f"Lần {sequence}")
        elif kind == 3:
            save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 1),
                                     signer=f"Người ký {sequence}")
        else:
            path = os.path.join(os.path.dirname(log_path), f"nhap-{os.getpid()}.xlsx")
            workbook = openpyxl.Workbook()
            sheet = workbook.active
            sheet.append(["Mã chi bộ", "Tên chi bộ", "Ngày đăng ký", "Người ký"])
            sheet.append([cell.code, cell.name, "01/03/2024", f"Người ký {sequence}"])
            workbook.save(path)
            importer.import_files(office, 2024, [path])
        if not early:
            record(line)
        step += 1


if __name__ == "__main__":
    main()
