"""Reading a workbook in a child process: the values come back as calamine reads them, and a
file that makes the reader run out of memory or time, or crash, is one Vietnamese sentence --
never the end of the window or of the command."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.excel import extent, reader, reader_child
from chibo4tot_desktop.excel.reader import UnsafeFileError, read_workbook
from chibo4tot_desktop.safety.check import table_checksum
from tests import hostile_files

POSIX = sys.platform != "win32"


@pytest.fixture
def unmeasured(monkeypatch):
    """Skip the measure, so that a hostile file reaches the reading child itself."""
    monkeypatch.setattr(extent, "scan_workbook", lambda *args, **kwargs: None)


def no_reader_left() -> bool:
    return not [child for child in multiprocessing.active_children()
                if child.name == "chibo4tot-doc-excel"]


def test_values_come_back_as_calamine_reads_them(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    sheet.append(["Chi bộ", "Ngày", "Giờ", "Số", "Đúng", "Trống", "Công thức"])
    for number in range(1, 4501):          # more rows than one message carries
        sheet.append([f"Chi bộ Tổ dân phố {number}", dt.date(2024, 3, 1 + number % 9),
                      dt.datetime(2024, 3, 1, 8, 30), number / 4, number % 2 == 0, None,
                      "=1+1"])
    hidden = workbook.create_sheet("_an")
    hidden.sheet_state = "veryHidden"
    hidden["B2"] = "dấu"
    path = tmp_path / "Danh sách.XLSX"      # not an .xlsx spelling calamine recognises
    workbook.save(path)
    sheets = read_workbook(path)
    copy = tmp_path / "copy.xlsx"
    copy.write_bytes(path.read_bytes())
    with CalamineWorkbook.from_path(str(copy)) as direct:
        expected = [(name, direct.get_sheet_by_name(name).to_python(skip_empty_area=False))
                    for name in direct.sheet_names]
    assert [(sheet.name, sheet.rows) for sheet in sheets] == expected
    assert [sheet.visible for sheet in sheets] == [True, False]
    assert len(sheets[0].rows) == 4501 and sheets[0].rows[1][1] == dt.date(2024, 3, 2)
    assert no_reader_left()


def test_a_child_started_as_a_fresh_interpreter_reads_too(tmp_path, monkeypatch):
    """Windows and the packaged program start the child with "spawn" (a fresh interpreter),
    not from the reading server; the values and the refusals are the same."""
    monkeypatch.setattr(reader, "_context", lambda: multiprocessing.get_context("spawn"))
    sound = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    assert read_workbook(sound)[0].rows == [hostile_files.HEADERS]
    with pytest.raises(UnsafeFileError, match=r"'chi-so.xlsx' bị hỏng, không đọc được \("):
        read_workbook(hostile_files.raw_xlsx(
            tmp_path / "chi-so.xlsx",
            f'{hostile_files.SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c>'
            "</row></sheetData></worksheet>"))
    assert no_reader_left()


@pytest.mark.parametrize("while_measuring", [True, False])
def test_a_child_started_before_the_measure_sends_only_what_passed_it(tmp_path, monkeypatch,
                                                                      while_measuring):
    """Large files start the child first (it boots, and where its memory is limited reads,
    while the file is measured): a refusal is the measure's sentence and ends the child, its
    values unsent (here it would build a grid of 17 billion cells), a sound file is read."""
    monkeypatch.setattr(reader, "EARLY_START_BYTES", 0)
    monkeypatch.setattr(reader, "READ_WHILE_MEASURING", while_measuring)
    far = hostile_files.far_cell(tmp_path / "xa.xlsx", ["TDP01"])
    with pytest.raises(UnsafeFileError, match="trang 'Sheet1' quá lớn: có ô XFD1048576"):
        read_workbook(far)
    assert no_reader_left()
    sound = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    assert read_workbook(sound)[0].rows == [hostile_files.HEADERS]
    assert no_reader_left()


@pytest.mark.parametrize("failure", [OSError(24, "Too many open files"),
                                     RuntimeError("no __main__ guard")])
def test_a_reader_that_cannot_start_is_its_own_error_alone(tmp_path, monkeypatch, failure):
    """A child process that cannot be started (no process left to the user, a script without
    a main guard): its own error, not a second one from stopping a process that never ran."""
    real = reader._context()

    class Context:
        Pipe = staticmethod(real.Pipe)

        @staticmethod
        def Process(**kwargs):
            process = real.Process(**kwargs)
            process.start = lambda: (_ for _ in ()).throw(failure)
            return process

    monkeypatch.setattr(reader, "_context", Context)
    sound = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    if isinstance(failure, OSError):
        with pytest.raises(UnsafeFileError, match="Không mở được tiến trình đọc tệp 'tot.xlsx': "
                                                  "Too many open files"):
            read_workbook(sound)
    else:
        with pytest.raises(RuntimeError, match="no __main__ guard"):
            read_workbook(sound)
    assert no_reader_left()


def test_a_reader_that_dies_is_one_sentence(tmp_path, unmeasured):
    """calamine aborts its process on a failed allocation: here it is the child that dies."""
    path = hostile_files.far_cell(tmp_path / "xa.xlsx", ["TDP01"])
    with pytest.raises(UnsafeFileError, match=r"^Tệp 'xa.xlsx' quá lớn hoặc hỏng, không đọc "
                                              r"được: tiến trình đọc tệp dừng đột ngột"):
        read_workbook(path)
    assert no_reader_left()


@pytest.mark.skipif(not POSIX, reason="Windows has no memory limit for a process")
def test_the_memory_limit_stops_a_reader_building_a_huge_grid(tmp_path, unmeasured):
    """SF199999 would take about 4 GB and import; the child is stopped at its limit."""
    path = hostile_files.far_cell(tmp_path / "sf.xlsx", ["TDP01"], "SF199999")
    with pytest.raises(UnsafeFileError, match="quá lớn hoặc hỏng, không đọc được"):
        read_workbook(path, memory_limit=512 * 1024**2)
    assert no_reader_left()


def test_the_time_limit_stops_the_reader(tmp_path, unmeasured):
    path = hostile_files.openpyxl_list(tmp_path / "cham.xlsx", [hostile_files.HEADERS])
    with pytest.raises(UnsafeFileError, match="quá lớn hoặc hỏng, không đọc được: đọc quá 0 "
                                              "giây"):
        read_workbook(path, time_limit=0)
    assert no_reader_left()


def test_a_file_calamine_refuses_is_damaged(tmp_path):
    path = hostile_files.raw_xlsx(
        tmp_path / "chi-so.xlsx",
        f'{hostile_files.SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>7</v></c></row>'
        "</sheetData></worksheet>")
    with pytest.raises(UnsafeFileError, match=r"'chi-so.xlsx' bị hỏng, không đọc được \("):
        read_workbook(path)


def test_what_the_child_returns_is_held_to_the_limits(monkeypatch):
    monkeypatch.setattr(extent, "MAX_GRID_CELLS", 5)
    totals = [0, 0]
    reader_child.check_values([["a", "b"], ["c", 1.0]], totals, "f.xlsx", "Trang 1")
    with pytest.raises(UnsafeFileError, match="'f.xlsx', trang 'Trang 2' quá lớn: đến trang "
                                              "này đã có 6 ô"):
        reader_child.check_values([["x", "y"]], totals, "f.xlsx", "Trang 2")


@pytest.mark.parametrize("case", ["missing", "folder", "too big"])
def test_a_file_that_cannot_be_copied_is_named(tmp_path, monkeypatch, case):
    path = tmp_path / "danh sach.xlsx"
    if case == "folder":
        path.mkdir()
        words = "là một thư mục"
    elif case == "too big":
        monkeypatch.setattr(reader, "MAX_FILE_BYTES", 1024 * 1024)
        path.write_bytes(b"PK\x03\x04" + bytes(2 * 1024 * 1024))
        words = "quá lớn"
    else:
        words = "Không tìm thấy tệp"
    with pytest.raises(UnsafeFileError, match=words) as refusal:
        read_workbook(path)
    assert "'danh sach.xlsx'" in str(refusal.value)


def test_copies_left_by_a_killed_program_are_removed(tmp_path):
    import os
    import time

    stale = tmp_path / f"{reader.COPY_PREFIX}abc"
    fresh = tmp_path / f"{reader.COPY_PREFIX}def"
    other = tmp_path / "chibo4tot-khac"
    for folder in (stale, fresh, other):
        folder.mkdir()
        (folder / "workbook.xlsx").write_bytes(b"PK")
    old = time.time() - reader.STALE_COPY_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    assert reader.remove_stale_copies(tmp_path) == 1
    assert not stale.exists() and fresh.exists() and other.exists()


# ------------------------------------------------- the import command, in a process of its own
@pytest.fixture
def demo_data(tmp_path, capsys):
    data = tmp_path / "demo.sqlite3"
    assert main(["demo", "--data", str(data)]) == 0
    capsys.readouterr()
    return data


@pytest.mark.parametrize("reference, words", [
    ("XFD1048576", "có ô XFD1048576 ở dòng 1.048.576, tối đa 200.000 dòng"),
    ("SF199999", "199.999 dòng × 500 cột là hơn 5.000.000 ô tính từ A1"),
])
def test_a_far_cell_is_refused_by_the_import_command(tmp_path, demo_data, reference, words):
    """A 6 KB list with one far cell and no <dimension>: the command used to abort (exit 134,
    "memory allocation of 549755813888 bytes failed") or take 3.9 GB and import."""
    path = hostile_files.far_cell(tmp_path / "danh-sach.xlsx", ["TDP01"], reference)
    before = table_checksum(demo_data)
    code, out, err, peak = hostile_files.import_command(demo_data, path)
    assert code == 2, (code, out, err)
    assert f"Tệp 'danh-sach.xlsx', trang 'Sheet1' quá lớn: {words}." in out
    assert "Traceback" not in out + err and err.startswith("Lỗi:")
    assert table_checksum(demo_data) == before
    if peak is not None:
        assert peak < 400 * 1024, f"{peak // 1024} MB: a grid was built"


def test_a_declared_string_count_is_refused_by_the_import_command(tmp_path, demo_data):
    """uniqueCount="10^14" made calamine reserve room for the strings and abort."""
    path = hostile_files.huge_unique_count(tmp_path / "chuoi.xlsx", [])
    before = table_checksum(demo_data)
    code, out, err, _peak = hostile_files.import_command(demo_data, path)
    assert code == 2 and "khai báo 100.000.000.000.000 đoạn chữ dùng chung" in out
    assert "Traceback" not in out + err
    assert table_checksum(demo_data) == before


def test_values_come_as_the_child_sends_them(tmp_path):
    """The sheets' names first, then each sheet and its rows in pieces; ``SheetRows`` gives
    each sheet's rows as they come and passes over what a loop leaves untaken."""
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Một"
    for number in range(1, reader_child.ROWS_PER_MESSAGE + 11):
        first.append([number, f"dòng {number}"])
    second = workbook.create_sheet("Hai")
    second["A1"] = "x"
    third = workbook.create_sheet("Ba")
    third.sheet_state = "hidden"
    third["B2"] = "y"
    path = tmp_path / "ba-trang.xlsx"
    workbook.save(path)
    whole = read_workbook(path)
    with reader.reading_workbook(path) as values:
        pieces = values.pieces()
        assert next(pieces) == ("sheets", [("Một", True), ("Hai", True), ("Ba", False)])
        taken = []
        for sheet, rows in reader.SheetRows(pieces):
            for index, row in enumerate(rows):
                if sheet.name == "Một" and index == 3:
                    break         # the rest of the sheet, in this piece and the next, skipped
                taken.append((sheet.name, sheet.visible, row))
    assert taken == [("Một", True, row) for row in whole[0].rows[:3]] + \
        [("Hai", True, ["x"]), ("Ba", False, ["", ""]), ("Ba", False, ["", "y"])]
    assert no_reader_left()


class Pipe:
    """A connection to the parent that notes what the child does: words it waits for, and
    messages it sends."""

    def __init__(self, *words):
        self.words = list(words)
        self.events = []

    def recv(self):
        self.events.append("recv")
        if not self.words:
            raise EOFError
        return self.words.pop(0)

    def send(self, message):
        self.events.append(message[0])


def test_the_child_sends_nothing_before_the_measure_passed(tmp_path, monkeypatch):
    """The child reads the first sheet, then waits for the parent's "send" before its first
    message; without it (the measure refused, the parent gone) nothing is sent."""
    path = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    allowed = Pipe("send")
    real = reader_child.check_values
    monkeypatch.setattr(reader_child, "check_values",
                        lambda *args: (allowed.events.append("read"), real(*args)))
    reader_child.read(str(path), "tot.xlsx", reader_child.Channel(allowed).send)
    assert allowed.events == ["read", "recv", "sheets", "sheet", "rows", "done"]

    refused = Pipe()
    with pytest.raises(EOFError):
        reader_child.read(str(path), "tot.xlsx", reader_child.Channel(refused).send)
    assert refused.events == ["recv"]
    other = Pipe("go")
    with pytest.raises(EOFError):
        reader_child.read(str(path), "tot.xlsx", reader_child.Channel(other).send)
    assert other.events == ["recv"]


def test_a_refusal_of_the_child_waits_for_the_measure_too(monkeypatch):
    """What the child finds wrong (here its own limits) is sent only once the measure
    passed; a parent that refused first hears nothing of it."""
    monkeypatch.setattr(extent, "MAX_GRID_CELLS", 1)
    rows = [["a", "b"]]
    allowed, refused = Pipe("send"), Pipe()
    for pipe in (allowed, refused):
        channel = reader_child.Channel(pipe)
        try:
            reader_child.check_values(rows, [0, 0], "x.xlsx", "Sheet1")
        except UnsafeFileError as error:
            reader_child._send(channel, ("refused", str(error)))
    assert allowed.events == ["recv", "refused"]
    assert refused.events == ["recv"]


@pytest.mark.parametrize("words", [("go",), ("go", "send")])
def test_the_childs_own_refusal_waits_for_send(tmp_path, monkeypatch, words):
    """``answer`` itself: a refusal the child finds (here its own limits) is sent only after
    "send"; a parent that stops before it hears nothing."""
    monkeypatch.setattr(reader_child, "limit_memory", lambda limit: None)
    monkeypatch.setattr(reader_child, "_quiet", lambda: None)
    monkeypatch.setattr(extent, "MAX_GRID_CELLS", 1)
    path = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    pipe = Pipe(*words)
    pipe.close = lambda: None
    reader_child.answer(str(path), "tot.xlsx", pipe, 0)
    assert pipe.events == (["recv", "recv"] if len(words) == 1 else
                           ["recv", "recv", "refused"])


def test_the_parent_says_send_only_after_the_measure(tmp_path, monkeypatch):
    """Reading while measuring: "go" before the measure, "send" only after it passed."""
    said = []
    monkeypatch.setattr(reader, "EARLY_START_BYTES", 0)
    monkeypatch.setattr(reader, "READ_WHILE_MEASURING", True)
    real_say, real_scan = reader._ReadingProcess._say, extent.scan_workbook
    monkeypatch.setattr(reader._ReadingProcess, "_say",
                        lambda self, word: (said.append(word), real_say(self, word)))
    monkeypatch.setattr(extent, "scan_workbook",
                        lambda *args: (said.append("measured"), real_scan(*args)))
    path = hostile_files.openpyxl_list(tmp_path / "tot.xlsx", [hostile_files.HEADERS])
    reader.read_workbook(path)
    assert said == ["go", "measured", "send"]
    assert no_reader_left()
