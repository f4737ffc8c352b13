"""Safe reading of .xlsx files that come from outside (cells, other offices, e-mail).

``read_workbook`` first copies the file into a private temporary folder (so nothing can change
it between the checks and the reading, and the reader always sees an .xlsx name), then:

1. ``check_workbook``, in this process, BEFORE any spreadsheet library sees the file:

- not a zip (an old .xls, a .csv renamed, a PDF...)       -> refused
- an OLE/CFB compound file (signature D0 CF 11 E0 ...): Office stores a password-protected
  .xlsx this way ("EncryptedPackage"), and old .xls files too  -> refused, with a message
  that says which
- a damaged zip, or a zip without the parts of a workbook   -> refused
- a zip bomb: the sizes in the zip's central directory (total, per member, compression
  ratio, number of members) are checked before anything is decompressed
- XML bombs and external entities: a workbook written by Excel or LibreOffice never has a
  document type declaration, so the head (prolog) of every XML member is read and a file
  with ``<!DOCTYPE`` or ``<!ENTITY`` is refused. A DTD can only stand before the root
  element, so the head is enough; a member whose root element does not start within the
  first 64 KiB is refused too.

2. ``extent.scan_workbook``: the real extent of every sheet, measured from its XML as a
   stream (last row and column, cells, text, shared strings; the ``<dimension>`` a sheet
   declares is not trusted). A file over a limit is refused with one sentence naming the sheet.

3. Only then are the values taken: read with python-calamine (Rust, fast), in a child process
   with a memory limit (POSIX) and a time limit (``reader_child``). A child that runs out of
   memory or time, or crashes, is one sentence too ("quá lớn hoặc hỏng"): the window and the
   command line never die from a file. Where the child has a memory limit, a large file is
   read while it is measured (the child holds its values until the measure has passed, and
   a file the measure refuses is stopped unsent); Windows has no memory limit for a
   process: there the child reads only after the measure, which with the time limit is the
   guard.

Calamine does not use defusedxml; that is why the checks above run on the raw zip first and
are not optional. openpyxl, used to write files and in tests, parses through defusedxml when
it is installed: ``require_defused_openpyxl`` checks ``openpyxl.xml.DEFUSEDXML`` and refuses
to go on without it.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import UnsafeFileError

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

MAX_FILE_BYTES = 100 * 1024 * 1024           # the file itself
MAX_TOTAL_UNCOMPRESSED = 400 * 1024 * 1024   # all members, as the directory declares
MAX_MEMBER_UNCOMPRESSED = 250 * 1024 * 1024
MAX_RATIO = 200                              # uncompressed / compressed, for members > 1 MiB
MAX_MEMBERS = 2000
HEAD_BYTES = 64 * 1024
# The reading child process. At the limits of ``extent`` it needs about 1 GB; 2 GiB of address
# space leaves room for the interpreter and the allocator. 60 s is many times what the largest
# file allowed takes on a slow office computer.
READ_MEMORY_LIMIT = 2 * 1024**3
READ_TIME_LIMIT = 60.0
COPY_BYTES = 1024 * 1024
COPY_PREFIX = "chibo4tot-doc-"
# A private copy left by a program killed while reading (a read lasts READ_TIME_LIMIT at most).
STALE_COPY_SECONDS = 3600
# Larger files start the child before they are measured (it boots, and where its memory is
# limited reads, while the measure runs); smaller ones are measured first, so a refused small
# file costs no process.
EARLY_START_BYTES = 256 * 1024
# Whether the child may read while the file is measured: only where its memory limit is
# enforced (Linux; macOS accepts RLIMIT_AS without enforcing it, Windows has none).
READ_WHILE_MEASURING = sys.platform.startswith("linux")

_ROOT_START = re.compile(rb"<(?![?!])")


@dataclass(frozen=True)
class SheetValues:
    name: str
    visible: bool
    rows: list[list]   # from A1; '' for an empty cell (calamine's convention)


def gather(pieces: Iterable[tuple]) -> list[SheetValues]:
    """Every sheet with all its rows, from ``_ReadingProcess.pieces`` (or what is left of
    them)."""
    sheets: list[SheetValues] = []
    for kind, value in pieces:
        if kind == "rows":
            sheets[-1].rows.extend(value)
        elif kind == "sheet":
            sheets.append(value)
    return sheets


class SheetRows:
    """The sheets of ``_ReadingProcess.pieces`` one after the other, each with its rows as
    they come (the rows are not kept): ``for sheet, rows in SheetRows(pieces)``. The rows a
    loop leaves untaken are passed over when it goes on to the next sheet."""

    def __init__(self, pieces: Iterator[tuple]):
        self.pieces = pieces
        self.following: SheetValues | None = None

    def __iter__(self) -> Iterator[tuple[SheetValues, Iterator[list]]]:
        while True:
            if self.following is None:
                for kind, value in self.pieces:
                    if kind == "sheet":
                        self.following = value
                        break
                else:
                    return
            sheet, self.following = self.following, None
            yield sheet, self._rows()

    def _rows(self) -> Iterator[list]:
        for kind, value in self.pieces:
            if kind == "sheet":
                self.following = value
                return
            if kind == "rows":
                yield from value


def require_defused_openpyxl() -> None:
    """openpyxl must parse XML through defusedxml (it does when defusedxml is installed)."""
    from openpyxl import xml as openpyxl_xml

    if not getattr(openpyxl_xml, "DEFUSEDXML", False):
        raise UnsafeFileError("Thiếu thư viện defusedxml: không đọc tệp Excel từ bên ngoài "
                              "khi chưa có lớp bảo vệ này.")


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def check_workbook(path: str | Path, file_name: str | None = None) -> None:
    """Refuse (UnsafeFileError, naming ``file_name``) a file that is not a plain, sane .xlsx."""
    path = Path(path)
    name = file_name or path.name
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            signature = handle.read(8)
            handle.seek(0)
            head = handle.read(8192) if signature == OLE_SIGNATURE else b""
    except FileNotFoundError:
        raise UnsafeFileError(f"Không tìm thấy tệp '{name}'.") from None
    except OSError as error:
        raise UnsafeFileError(f"Không mở được tệp '{name}': {error.strerror}.") from None
    if size == 0:
        raise UnsafeFileError(f"Tệp '{name}' rỗng.")
    if size > MAX_FILE_BYTES:
        raise UnsafeFileError(f"Tệp '{name}' quá lớn ({size // (1024 * 1024)} MB).")
    if signature == OLE_SIGNATURE:
        if _is_encrypted_ole(path, head):
            raise UnsafeFileError(f"Tệp '{name}' được đặt mật khẩu; hãy bỏ mật khẩu trong "
                                  "Excel (Tệp > Thông tin > Bảo vệ sổ làm việc) rồi nhập lại.")
        raise UnsafeFileError(f"Tệp '{name}' là tệp Excel đời cũ (.xls); hãy mở bằng Excel "
                              "hoặc LibreOffice và lưu lại dạng .xlsx rồi nhập lại.")
    if not signature.startswith(ZIP_SIGNATURES):
        raise UnsafeFileError(f"Tệp '{name}' không phải là tệp Excel .xlsx.")
    try:
        with zipfile.ZipFile(path) as archive:
            _check_archive(archive, name)
    except zipfile.BadZipFile:
        raise UnsafeFileError(f"Tệp '{name}' bị hỏng (không đọc được cấu trúc nén).") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError, ValueError,
            zlib.error):
        raise UnsafeFileError(f"Tệp '{name}' bị hỏng hoặc dùng kiểu nén không hỗ trợ.") from None


def _is_encrypted_ole(path: Path, head: bytes) -> bool:
    """An encrypted OOXML package names its streams "EncryptionInfo"/"EncryptedPackage"."""
    marker = "EncryptedPackage".encode("utf-16-le")
    with path.open("rb") as handle:
        data = handle.read(4 * 1024 * 1024)
    return marker in data or "EncryptionInfo".encode("utf-16-le") in data


def _check_archive(archive: zipfile.ZipFile, name: str) -> None:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise UnsafeFileError(f"Tệp '{name}' có quá nhiều thành phần ({len(members)}).")
    names = {member.filename for member in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        if "mimetype" in names or "content.xml" in names:
            raise UnsafeFileError(f"Tệp '{name}' là bảng tính OpenDocument (.ods); hãy lưu lại "
                                  "dạng Excel .xlsx rồi nhập lại.")
        raise UnsafeFileError(f"Tệp '{name}' không phải là sổ làm việc Excel .xlsx "
                              "(thiếu thành phần bắt buộc).")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise UnsafeFileError(f"Tệp '{name}' có thành phần được mã hóa; không đọc được.")
        total += member.file_size
        if member.file_size > MAX_MEMBER_UNCOMPRESSED or total > MAX_TOTAL_UNCOMPRESSED:
            raise UnsafeFileError(f"Tệp '{name}' giải nén ra quá lớn (nghi là “bom nén”); "
                                  "không đọc.")
        if member.file_size > 1024 * 1024 and \
                member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise UnsafeFileError(f"Tệp '{name}' có tỷ lệ nén bất thường (nghi là “bom nén”); "
                                  "không đọc.")
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            _check_xml_head(archive, member, name)


def _check_xml_head(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str) -> None:
    with archive.open(member) as stream:
        head = stream.read(HEAD_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            head = head.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise UnsafeFileError(f"Tệp '{name}' có phần XML không đọc được "
                                  f"({member.filename}).") from None
    upper = head.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise UnsafeFileError(f"Tệp '{name}' chứa khai báo XML nguy hiểm (DOCTYPE/ENTITY, "
                              "có thể là “bom XML”); không đọc.")
    stripped = re.sub(rb"<\?.*?\?>|<!--.*?-->", b"", head, flags=re.S)
    if head and len(head) == HEAD_BYTES and not _ROOT_START.search(stripped):
        raise UnsafeFileError(f"Tệp '{name}' có phần XML bất thường ({member.filename}).")


def read_workbook(path: str | Path, time_limit: float = READ_TIME_LIMIT,
                  memory_limit: int = READ_MEMORY_LIMIT) -> list[SheetValues]:
    """Check and measure the file, then read every sheet's values in a child process.

    Why always a child, even for a small file that the measure has proven small: the measure
    is made with Python's zip reader and calamine reads with Rust's; if the two ever saw a
    different file (a crafted zip) or the measure had a gap, an in-process read could take the
    window down, a child only itself. Its cost (see ``_context``): a fork of the reading
    server, about 15 ms, or a fresh interpreter (a few tenths of a second), hidden behind the
    measure for a large file: the child starts first, and reads (``READ_WHILE_MEASURING``) or
    waits.
    """
    with reading_workbook(path, time_limit, memory_limit) as values:
        return values()


@contextlib.contextmanager
def reading_workbook(path: str | Path, time_limit: float = READ_TIME_LIMIT,
                     memory_limit: int = READ_MEMORY_LIMIT
                     ) -> Iterator[Values]:
    """``read_workbook`` in two steps: on entering, the file is copied, checked and measured
    (UnsafeFileError as there) and the child told to read it; the caller may do other work
    while it reads (the import reads the office's cells meanwhile), then calls what this
    yields for the values, or takes them piece by piece as they come (``Values.pieces``).
    On leaving, a child still reading is stopped."""
    from chibo4tot_desktop.excel.extent import scan_workbook

    path = Path(path)
    name = path.name
    deadline = time.monotonic() + time_limit
    remove_stale_copies()
    with tempfile.TemporaryDirectory(prefix=COPY_PREFIX, ignore_cleanup_errors=True) as folder:
        copy = _private_copy(path, Path(folder) / "workbook.xlsx")
        check_workbook(copy, name)
        reading = _ReadingProcess(copy, name, memory_limit, time_limit)
        try:
            if copy.stat().st_size > EARLY_START_BYTES:
                reading.start()
                if READ_WHILE_MEASURING:
                    reading.go()
            scan_workbook(copy, name, deadline)
            reading.start()
            reading.go()
            reading.send()
            yield Values(reading, deadline)
        finally:
            reading.close()


class Values:
    """What ``reading_workbook`` yields: called, every sheet with its rows (``read_workbook``);
    ``pieces()``, the same as it comes from the child (``_ReadingProcess.pieces``)."""

    def __init__(self, reading: _ReadingProcess, deadline: float):
        self.reading, self.deadline = reading, deadline

    def __call__(self) -> list[SheetValues]:
        return self.reading.collect(self.deadline)

    def pieces(self) -> Iterator[tuple]:
        return self.reading.pieces(self.deadline)


def remove_stale_copies(folder: str | Path | None = None) -> int:
    """Remove the private copies that killed programs left in the temporary folder."""
    folder = Path(folder or tempfile.gettempdir())
    removed = 0
    limit = time.time() - STALE_COPY_SECONDS
    try:
        entries = [entry for entry in os.scandir(folder)
                   if entry.name.startswith(COPY_PREFIX)]
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False) and entry.stat().st_mtime < limit:
                shutil.rmtree(entry.path)
                removed += 1
        except OSError:
            pass            # another user's, or still held on Windows: next time
    return removed


def _private_copy(source: Path, target: Path) -> Path:
    """Copy at most MAX_FILE_BYTES (+1 to notice more) of ``source``; its errors in words."""
    name = source.name
    try:
        with source.open("rb") as reading, target.open("wb") as writing:
            copied = 0
            while copied <= MAX_FILE_BYTES:
                block = reading.read(COPY_BYTES)
                if not block:
                    break
                writing.write(block)
                copied += len(block)
    except FileNotFoundError:
        raise UnsafeFileError(f"Không tìm thấy tệp '{name}'.") from None
    except IsADirectoryError:
        raise UnsafeFileError(f"'{name}' là một thư mục, không phải tệp Excel.") from None
    except PermissionError:
        raise UnsafeFileError(f"Không có quyền đọc tệp '{name}' (hoặc tệp đang bị khóa).") \
            from None
    except OSError as error:
        raise UnsafeFileError(f"Không đọc được tệp '{name}': "
                              f"{error.strerror or type(error).__name__}.") from None
    if copied > MAX_FILE_BYTES:
        raise UnsafeFileError(f"Tệp '{name}' quá lớn (hơn {MAX_FILE_BYTES // (1024 * 1024)} MB).")
    return target


def _too_big_or_damaged(name: str, reason: str) -> UnsafeFileError:
    return UnsafeFileError(f"Tệp '{name}' quá lớn hoặc hỏng, không đọc được: {reason}.")


def _exit_reason(code: int | None) -> str:
    if code is None:
        return "tiến trình đọc tệp không dừng"
    if code < 0:
        return ("tiến trình đọc tệp dừng đột ngột (hết bộ nhớ cho phép hoặc lỗi của thư viện "
                f"đọc Excel, tín hiệu {-code})")
    return f"tiến trình đọc tệp dừng đột ngột (mã {code})"


# What the reading server loads once, so that each child forked from it starts ready.
SERVER_MODULES = ("python_calamine", "chibo4tot_desktop.errors", "chibo4tot_desktop.excel.extent",
                  "chibo4tot_desktop.excel.reader_child")


def _context():
    """How the reading child starts. On POSIX, run from source: forked from a small server
    process (multiprocessing "forkserver", started by the first read and kept for the next
    ones) that has loaded calamine and the reader once, so a child is ready in milliseconds;
    it is a fork of that server, never of this process and its threads. On Windows (no fork)
    and in the packaged program (whose children are this executable again, handed over by
    ``freeze_support``): a fresh interpreter ("spawn"). Either way each file gets a new
    process of its own, with its own limits."""
    if sys.platform != "win32" and not getattr(sys, "frozen", False) \
            and "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(list(SERVER_MODULES))  # not the program's __main__
        return context
    return multiprocessing.get_context("spawn")


class _ReadingProcess:
    """``reader_child.main`` in a fresh process: it reads when told to ("go") and sends the
    values when allowed ("send")."""

    def __init__(self, copy: Path, name: str, memory_limit: int, time_limit: float):
        self.copy, self.name = copy, name
        self.memory_limit, self.time_limit = memory_limit, time_limit
        self.process = self.connection = None
        self.told = False         # "go" was said
        self.answered = False     # the child sent its last message and leaves by itself

    def start(self) -> None:
        if self.process is not None:
            return
        from chibo4tot_desktop.excel import reader_child

        context = _context()
        connection, child_end = context.Pipe()
        process = context.Process(
            target=reader_child.main, name="chibo4tot-doc-excel", daemon=True,
            args=(str(self.copy), self.name, child_end, self.memory_limit))
        try:
            process.start()
        except OSError as error:
            connection.close()
            raise UnsafeFileError(f"Không mở được tiến trình đọc tệp '{self.name}': "
                                  f"{error.strerror or type(error).__name__}.") from None
        except BaseException:
            connection.close()
            raise
        finally:
            child_end.close()
        # Kept only once it runs: ``close`` has no process to stop after a failed start.
        self.process, self.connection = process, connection

    def go(self) -> None:
        """Tell the child to read (once)."""
        if not self.told:      # a second "go" would read as "not send": the child would leave
            self.told = True
            self._say("go")

    def send(self) -> None:
        """Tell the child to send what it reads (the file passed the measure)."""
        self._say("send")

    def _say(self, word: str) -> None:
        try:
            self.connection.send(word)
        except OSError:
            pass   # it is gone already: its exit code says why, in ``collect``

    def collect(self, deadline: float) -> list[SheetValues]:
        """Gather what the child sends."""
        return gather(self.pieces(deadline))

    def pieces(self, deadline: float) -> Iterator[tuple]:
        """What the child sends, as it comes: ("sheets", [(name, visible), ...]) first, then
        for each sheet ("sheet", SheetValues with no rows) and ("rows", [...]) pieces of its
        rows; it ends when the child is done, or raises UnsafeFileError. The time the
        caller spends on a piece before asking for the next is added to ``deadline``: a long
        check of many rows does not count as a slow reader (the child may go on meanwhile,
        for at most that time)."""
        name = self.name
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self.connection.poll(remaining):
                raise _too_big_or_damaged(name, f"đọc quá {self.time_limit:g} giây")
            try:
                message = self.connection.recv()
            except (EOFError, OSError):
                self.process.join(10)
                raise _too_big_or_damaged(name, _exit_reason(self.process.exitcode)) from None
            kind = message[0]
            if kind == "rows" or kind == "sheets" or kind == "sheet":
                given = time.monotonic()
                yield message if kind != "sheet" else (kind, SheetValues(*message[1:], []))
                deadline += time.monotonic() - given
                continue
            self.answered = True
            if kind == "done":
                return
            elif kind == "refused":
                raise UnsafeFileError(message[1])
            elif kind == "damaged":
                raise UnsafeFileError(f"Tệp '{name}' bị hỏng, không đọc được ({message[1]}).")
            else:
                raise _too_big_or_damaged(name, "cần nhiều bộ nhớ hơn mức cho phép")

    def close(self) -> None:
        """A child that answered leaves by itself; any other (still booting, reading a file
        the measure refused, waiting for a word that will not come, reading past the time
        limit) is killed."""
        if self.process is None:
            return
        self.connection.close()
        if self.answered:
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.process.close()
