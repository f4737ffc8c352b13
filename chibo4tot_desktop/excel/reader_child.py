"""The child process of ``reader.read_workbook``: read one workbook's values with calamine.

It runs in a process of its own (forked from the reading server, or a fresh interpreter: see
``reader._context``), so a file that makes the reader allocate without end or crash
(python-calamine is Rust: a failed allocation aborts the whole process) ends this process
only. It first limits its own address space (RLIMIT_AS, POSIX)
and turns core dumps off, then loads calamine and waits. It reads when the parent sends
"go", and sends nothing before the parent, having measured the file (``extent``), sends
"send": a file the measure refuses is stopped with its values unsent. Where the process's
memory limit is enforced (Linux) the parent says "go" while it measures a large file, so that
the two run together; elsewhere (Windows has no memory limit for a process, macOS accepts
RLIMIT_AS without enforcing it) "go" comes after the measure, and the measure and the parent's
time limit are the guard.

It sends plain values through the pipe: ("sheets", [(name, visible), ...]) first, then for
each sheet ("sheet", name, visible) and ("rows", [...]) in pieces of ROWS_PER_MESSAGE rows (the
parent works on a piece while the next is pickled), and ("done",) at the end.
Equal texts of a sheet are sent as one object (pickle sends it once per piece, and the parent
holds it once): a list repeats its title, and often its commitments, in every row. Or, at any
point, one ("refused", message), ("damaged", what) or ("memory",).
Its output and error streams go nowhere: what went wrong reaches the user as the parent's
sentence, not as a Rust message on the console.
"""

from __future__ import annotations

import os
import sys

ROWS_PER_MESSAGE = 2000


def limit_memory(memory_limit: int) -> None:
    """Cap this process's address space (POSIX); nothing to do on Windows."""
    try:
        import resource
    except ImportError:       # Windows
        return
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    for existing in (soft, hard):          # a lower limit set for the user stays
        if existing != resource.RLIM_INFINITY:
            memory_limit = min(memory_limit, existing)
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, hard))


def main(path: str, file_name: str, connection, memory_limit: int) -> None:
    """The child's whole life: it leaves at once when done (``os._exit``), without tearing
    down its interpreter, since the parent waits for it to end before going on."""
    answer(path, file_name, connection, memory_limit)
    os._exit(0)


def answer(path: str, file_name: str, connection, memory_limit: int) -> None:
    limit_memory(memory_limit)
    _quiet()
    from python_calamine import CalamineWorkbook  # noqa: F401 - loaded while the parent measures

    from chibo4tot_desktop.errors import UnsafeFileError

    channel = Channel(connection)
    try:
        if connection.recv() != "go":
            return
        read(path, file_name, channel.send)
    except EOFError:
        return                      # the parent refused the file: nothing to read or send
    except UnsafeFileError as error:
        _send(channel, ("refused", str(error)))
    except MemoryError:
        _send(channel, ("memory",))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as error:  # calamine's errors and Rust panics (a BaseException)
        _send(channel, ("damaged", type(error).__name__))
    finally:
        connection.close()


class Channel:
    """The connection to the parent, whose first ``send`` waits for the parent's "send" (the
    file passed the measure). Any other word, or the parent gone, is EOFError: nothing is
    sent."""

    def __init__(self, connection):
        self.connection = connection
        self.allowed = False

    def send(self, message: tuple) -> None:
        if not self.allowed:
            if self.connection.recv() != "send":
                raise EOFError
            self.allowed = True
        self.connection.send(message)


def _quiet() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    for stream in (1, 2):
        try:
            os.dup2(devnull, stream)
        except OSError:             # a windowed program on Windows may have no such stream
            pass
    os.close(devnull)


def _send(channel: Channel, message: tuple) -> None:
    try:
        channel.send(message)
    except EOFError:                 # the measure refused the file: the parent has its reason
        return
    except (OSError, MemoryError):   # the parent gave up, or nothing left to pickle with
        sys.exit(3)


def read(path: str, file_name: str, send) -> None:
    """Read every sheet of the file with calamine and ``send`` the values: the sheets' names
    first, then each sheet's rows in pieces (the parent works on a piece while the next is
    pickled). The first sheet is read before anything is sent: its reading is what may run
    while the parent measures (``Channel``)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    totals = [0, 0]
    with CalamineWorkbook.from_path(path) as workbook:
        sheets = [(meta.name, meta.visible == SheetVisibleEnum.Visible)
                  for meta in workbook.sheets_metadata]
        for number, (name, visible) in enumerate(sheets):
            rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
            check_values(rows, totals, file_name, name)
            if number == 0:
                send(("sheets", sheets))
            send(("sheet", name, visible))
            same = {}.setdefault
            for start in range(0, len(rows), ROWS_PER_MESSAGE):
                send(("rows", [[same(value, value) if value.__class__ is str else value
                                for value in row]
                               for row in rows[start:start + ROWS_PER_MESSAGE]]))
            del rows
        if not sheets:
            send(("sheets", sheets))
    send(("done",))


def check_values(rows: list[list], totals: list[int], file_name: str, sheet_name: str) -> None:
    """What calamine returned, against the same limits the measure applied (its safety net:
    whatever the measure missed never reaches the window)."""
    from chibo4tot_desktop.excel.extent import MAX_GRID_CELLS, MAX_TOTAL_TEXT, number
    from chibo4tot_desktop.errors import UnsafeFileError

    totals[0] += sum(len(row) for row in rows)
    totals[1] += sum(len(value) for row in rows for value in row if value.__class__ is str)
    if totals[0] > MAX_GRID_CELLS or totals[1] > MAX_TOTAL_TEXT:
        raise UnsafeFileError(
            f"Tệp '{file_name}', trang '{sheet_name}' quá lớn: đến trang này đã có "
            f"{number(totals[0])} ô và {number(totals[1])} ký tự (tối đa "
            f"{number(MAX_GRID_CELLS)} ô và {number(MAX_TOTAL_TEXT)} ký tự).")
