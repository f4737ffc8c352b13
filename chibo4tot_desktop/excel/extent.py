"""The real size of every sheet of an .xlsx, found from its XML before any reader builds a grid.

python-calamine (the reader) builds each sheet as a dense grid from A1 to the last cell holding
a value, and copies a shared string into every cell that uses it. One cell at XFD1048576 is
17 billion grid cells, and 100,000 cells pointing at one 30,000-character string are three
billion characters -- from a file of a few kilobytes. What a sheet declares (``<dimension>``,
``uniqueCount``) can be missing, small or huge, so it is never trusted: ``scan_workbook`` reads
every part of the zip once as a stream and measures what is really there.

- Every part is inflated by this module, not by ``zipfile``: it must inflate to exactly the size
  and CRC-32 the zip directory declares (only "stored" and "deflated", what Excel and
  LibreOffice write), so the reader sees the bytes that were measured, and a part that inflates
  to more than it declares is stopped at the declared size.
- The shared strings (any part named ``sharedStrings.xml``, the name calamine opens) give the
  length of every string, in order.
- Every part that contains the bytes ``sheetData`` is measured as a worksheet: calamine finds
  cells only after that element, so a part without those bytes holds no cell it would read.
  The last row and column of a cell holding something, the number of ``<c>`` elements, the
  longest text of a cell and all the text (a shared string counted in every cell using it).

Two ways to measure a worksheet, with the same answer:

- the quick one, for sheets as Excel, LibreOffice and openpyxl write them (every cell's first
  attribute is its address ``r="B12"``): byte patterns (C speed), no XML parser. Every place a
  reader could start a cell (``<c`` then a space, ``/`` or ``>``) must be one of these cells,
  or the sheet goes to the careful way; the position of such a cell does not depend on any
  other element, so nothing the patterns skip can move it.
- the careful one, for anything else (cells without an address, namespace prefixes, single
  quotes...): a real XML parser (expat) that follows calamine's own rules for a position
  (a ``<row r>`` sets the row, a cell without ``r`` takes the column after the previous cell,
  the end of a row moves to the next row). The sheet must be well-formed XML, and a cell, row
  or ``sheetData`` inside a cell is refused: there the two parsers could disagree about where a
  cell ends.

Over-estimates are on purpose (a cell whose only child is a formula counts as holding a value,
the text of a cell is measured in bytes of XML when that is enough); under-estimates are what
the rules above exclude. What this module cannot see (a zip read differently by Rust's zip
library, a bug here) is caught by the reading child process's memory and time limits
(``reader.py``); on Windows, which has no memory limit for a process, this measure and the
time limit are the guard.
"""

from __future__ import annotations

import itertools
import re
import struct
import time
import zipfile
import zlib
from array import array
from collections.abc import Iterator
from operator import itemgetter
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from chibo4tot_desktop.errors import UnsafeFileError

# A ward has a few hundred cells (chi bộ); its lists have a few hundred rows, the program's
# template one sheet of about twenty rows per cell, and a city's consolidated lists a few tens
# of thousands of rows. The limits leave room far above that, and at the limits the reading
# child process stays near 1 GB (a grid cell costs about 70 bytes in the reader and the
# window, a character of text about 4):
MAX_ROWS = 200_000            # the last row of a sheet that holds a value
MAX_COLUMNS = 500             # the last column of a sheet that holds a value (column SF)
MAX_GRID_CELLS = 5_000_000    # all sheets: rows x columns from A1, the grids the reader builds
MAX_CELLS = 5_000_000         # all sheets: <c> elements, empty or not (each one costs time)
MAX_TEXT_LENGTH = 32_767      # one cell's text: Excel itself cannot put more in a cell
MAX_TOTAL_TEXT = 100_000_000  # all sheets: characters the cells hold, a shared string once
                              # for every cell that uses it
MAX_SHARED_STRINGS = MAX_CELLS
# Below this many characters in all, the quick way counts a sheet's own text as the bytes of
# its XML (no more characters than bytes); above it, only the bytes inside <t> and <v>, so
# that a big sheet of numbers is not refused for text it does not have.
TEXT_COUNTED_FROM = MAX_TOTAL_TEXT // 4

READ_BYTES = 256 * 1024       # compressed bytes read at a time
CHUNK_BYTES = 1024 * 1024     # inflated bytes handled at a time
NAMING_BYTES = 4 * 1024 * 1024  # workbook.xml and its relationships, read to name the sheets
_LOCAL_HEADER = struct.Struct("<4s22xHH")
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")

# The quick way: a cell as Excel, LibreOffice and openpyxl write it: its address first, then
# attributes of 1-3 lower-case letters with a plain value (s="3", t="s", t="inlineStr"...).
_ATTRIBUTES = rb'(?: [a-z]{1,3}="[A-Za-z0-9]{1,12}")*'
_CELL = re.compile(rb'<c r="([A-Za-z]{1,3})([1-9][0-9]{0,6})"' + _ATTRIBUTES
                   + rb"(/>|></c>|>)")
_SHARED_CELL = re.compile(rb'<c r="[A-Za-z]{1,3}[1-9][0-9]{0,6}"' + _ATTRIBUTES + rb' t="s"'
                          + _ATTRIBUTES + rb">(?:<v>([0-9]{1,12})</v></c>)?")
_CELL_DELIMITERS = b" \t\n\r\x0b\x0c/>"
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_TEXT_ELEMENT = re.compile(rb"<([tv])(?: [^<>]*)?>([^<]*)</\1>")
_TEXT_STARTS = (b"<t>", b"<t ", b"<t/", b"<v>", b"<v ", b"<v/")
_PREFIXED_TEXT = re.compile(rb":[tv][\s/>]")
_CELL_START_AT = re.compile(rb"<c[\s/>]")
_FIRST, _SECOND, _HEAD = itemgetter(0), itemgetter(1), itemgetter(slice(0, 1))
_SHARED_ROOT = re.compile(rb'(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>)?\s*<sst[\s>]')
_SHARED_START = re.compile(rb"<si[\s/>]")
_SHARED_ITEM = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_PREFIXED_SHARED = re.compile(rb":si[\s/>]")
_UNIQUE_COUNT = re.compile(rb'uniqueCount\s*=\s*["\']([^"\']*)["\']')
_REFERENCE = re.compile(r"([A-Za-z]*)([0-9]+)")


@dataclass
class SheetExtent:
    """What one worksheet part really holds (1-based: rows 3 means the last value is on row 3)."""

    part: str                 # its name in the zip
    name: str = ""            # the sheet's name, when the workbook names this part
    rows: int = 0             # last row with a value
    columns: int = 0          # last column with a value
    cells: int = 0            # <c> elements
    longest_text: int = 0     # characters of the longest cell text (at most)
    text: int = 0             # characters all its cells hold (at most)
    size: int = 0             # inflated bytes of the part
    careful: bool = False     # measured by the XML parser, not by the byte patterns

    @property
    def grid_cells(self) -> int:
        return self.rows * self.columns

    def where(self) -> str:
        return f"trang '{self.name}'" if self.name else f"phần '{self.part}'"


@dataclass
class WorkbookExtent:
    sheets: list[SheetExtent] = field(default_factory=list)
    shared_strings: int = 0
    longest_shared_string: int = 0
    size: int = 0             # inflated bytes of all parts

    @property
    def grid_cells(self) -> int:
        return sum(sheet.grid_cells for sheet in self.sheets)

    @property
    def cells(self) -> int:
        return sum(sheet.cells for sheet in self.sheets)

    @property
    def text(self) -> int:
        return sum(sheet.text for sheet in self.sheets)


def number(value: int) -> str:
    """1234567 -> "1.234.567" (Vietnamese thousands)."""
    return f"{value:,}".replace(",", ".")


def column_name(number_: int) -> str:
    """1 -> A, 500 -> SF."""
    letters = ""
    while number_:
        number_, rest = divmod(number_ - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: str) -> int:
    result = 0
    for char in letters.upper():
        result = result * 26 + ord(char) - 64
    return result


def _normal(name: str) -> str:
    """A part name as calamine looks it up: '/' for '\\', ASCII letters in lower case."""
    return name.replace("\\", "/").encode("utf-8", "surrogateescape") \
        .translate(_ASCII_LOWER).decode("utf-8", "surrogateescape")


class _NotSimple(Exception):
    """The quick way cannot vouch for this part; measure it the careful way."""


class _Scan:
    """One workbook being measured; refusals name the file (and the sheet)."""

    def __init__(self, path: Path, file_name: str, deadline: float | None):
        self.path = path
        self.file_name = file_name
        self.deadline = deadline
        self.result = WorkbookExtent()
        self.lengths = array("I")   # shared string lengths, in order
        self.longest_shared = 0

    # ------------------------------------------------------------------ refusals
    def refuse(self, message: str) -> None:
        raise UnsafeFileError(message)

    def damaged(self, detail: str) -> None:
        self.refuse(f"Tệp '{self.file_name}' bị hỏng ({detail}), không đọc được.")

    def too_big(self, sheet: SheetExtent, detail: str) -> None:
        self.refuse(f"Tệp '{self.file_name}', {sheet.where()} quá lớn: {detail}.")

    # ------------------------------------------------------------------- parts
    def chunks(self, handle, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part inflated, CHUNK_BYTES at most at a time, checked against the directory."""
        part = info.filename
        if info.flag_bits & 0x1:
            self.refuse(f"Tệp '{self.file_name}' có thành phần được mã hóa; không đọc được.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            self.refuse(f"Tệp '{self.file_name}' dùng kiểu nén không hỗ trợ (phần '{part}').")
        handle.seek(info.header_offset)
        header = handle.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
            self.damaged(f"phần '{part}' không có ở chỗ mục lục ghi")
        _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        handle.seek(info.header_offset + _LOCAL_HEADER.size + name_length + extra_length)
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            self.damaged(f"phần '{part}' không khớp kích thước")
        inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        left, size, crc = info.compress_size, 0, 0
        while left > 0 and not (inflater and inflater.eof):
            raw = handle.read(min(left, READ_BYTES))
            if not raw:
                self.damaged(f"phần '{part}' bị cắt cụt")
            left -= len(raw)
            while raw:
                if inflater is None:
                    out, raw = raw, b""
                else:
                    try:
                        out = inflater.decompress(raw, CHUNK_BYTES)
                    except zlib.error:
                        self.damaged(f"phần '{part}' không giải nén được")
                    raw = inflater.unconsumed_tail
                size += len(out)
                if size > info.file_size:
                    self.damaged(f"phần '{part}' giải nén ra nhiều hơn kích thước đã ghi")
                crc = zlib.crc32(out, crc)
                if out:
                    self.check_time()
                    yield out
                if inflater is not None and inflater.eof:
                    break
        if (inflater is not None and not inflater.eof) or size != info.file_size \
                or crc != info.CRC:
            self.damaged(f"phần '{part}' không khớp kích thước hoặc mã kiểm tra")

    # --------------------------------------------------------------------- run
    def run(self) -> WorkbookExtent:
        try:
            with self.path.open("rb") as handle, zipfile.ZipFile(handle) as archive:
                self._run(handle, archive)
        except zipfile.BadZipFile:
            self.damaged("không đọc được cấu trúc nén")
        except (OSError, EOFError, ValueError, zipfile.LargeZipFile) as error:
            self.damaged(type(error).__name__)
        return self.result

    def _run(self, handle, archive: zipfile.ZipFile) -> None:
        """The shared strings first (a sheet's text counts them); then every other part once:
        a part whose first chunk has ``sheetData`` (a worksheet as every program writes it)
        is measured as it is inflated, any other part is inflated to be checked, and measured
        after that if ``sheetData`` came later."""
        infos = archive.infolist()
        shared: list[array] = []
        late_sheets: set[int] = set()
        for index, info in enumerate(infos):
            self.result.size += info.file_size
            if _normal(info.filename).rsplit("/", 1)[-1] != "sharedstrings.xml":
                continue
            found = _Finder(self.chunks(handle, info))
            try:
                lengths = _quick_shared(self, found, info.filename)
            except _NotSimple:
                lengths = None
            for _ in found:      # the rest of the part: its size and checksum are verified
                pass
            if lengths is None:
                lengths = _careful_shared(self, self.chunks(handle, info), info.filename)
            shared.append(lengths)
            if found.sheet_data:
                late_sheets.add(index)
        self._merge_shared(shared)
        names = _sheet_names(archive)
        for index, info in enumerate(infos):
            if index in late_sheets:
                self._measure(handle, info, names, None)
                continue
            if _normal(info.filename).rsplit("/", 1)[-1] == "sharedstrings.xml":
                continue
            stream = self.chunks(handle, info)
            first = next(stream, b"")
            if b"sheetData" in first:
                self._measure(handle, info, names, itertools.chain((first,), stream))
                continue
            found = _Finder(itertools.chain((first,), stream))
            for _ in found:      # the whole part: its size and checksum are verified
                pass
            if found.sheet_data:
                self._measure(handle, info, names, None)

    def _measure(self, handle, info: zipfile.ZipInfo, names: dict[str, str], chunks) -> None:
        """Measure one worksheet part, from ``chunks`` (the part being inflated) or inflated
        anew (None); the careful way inflates it anew when the quick way cannot vouch."""
        sheet = SheetExtent(info.filename, size=info.file_size,
                            name=names.get(_normal(info.filename), ""))
        self.result.sheets.append(sheet)
        try:
            _QuickSheet(self, sheet).run(chunks if chunks is not None
                                         else self.chunks(handle, info))
        except _NotSimple:
            sheet.rows = sheet.columns = sheet.cells = sheet.text = sheet.longest_text = 0
            sheet.careful = True
            _CarefulSheet(self, sheet).run(self.chunks(handle, info))
        self._check_totals(sheet)

    # ----------------------------------------------------------- shared strings
    def _merge_shared(self, shared: list[array]) -> None:
        """calamine opens one of them; a workbook with several counts the longest at each index."""
        for lengths in shared:
            if len(lengths) > len(self.lengths):
                lengths, self.lengths = self.lengths, lengths
            for index, length in enumerate(lengths):
                if length > self.lengths[index]:
                    self.lengths[index] = length
        self.result.shared_strings = len(self.lengths)
        self.longest_shared = max(self.lengths, default=0)
        self.result.longest_shared_string = self.longest_shared

    def shared_length(self, index: int) -> int:
        return self.lengths[index] if index < len(self.lengths) else 0

    def check_string(self, length: int, count: int) -> None:
        if length > MAX_TEXT_LENGTH:
            self.refuse(f"Tệp '{self.file_name}' có một đoạn chữ dài {number(length)} ký tự; "
                        f"một ô tối đa {number(MAX_TEXT_LENGTH)} ký tự.")
        if count > MAX_SHARED_STRINGS:
            self.refuse(f"Tệp '{self.file_name}' có quá nhiều đoạn chữ dùng chung (hơn "
                        f"{number(MAX_SHARED_STRINGS)}).")

    def check_unique_count(self, declared: bytes | str) -> None:
        """calamine reserves room for the declared number of strings before reading one."""
        declared = declared.strip() if isinstance(declared, str) else declared.decode("latin-1")
        if declared.isdigit() and declared.isascii() and int(declared) > MAX_SHARED_STRINGS:
            self.refuse(f"Tệp '{self.file_name}' khai báo {number(int(declared))} đoạn chữ dùng "
                        f"chung; tối đa {number(MAX_SHARED_STRINGS)}.")

    # ------------------------------------------------------------------ sheets
    def check_cell(self, sheet: SheetExtent, row: int, column: int) -> None:
        if row > MAX_ROWS:
            self.too_big(sheet, f"có ô {column_name(column)}{row} ở dòng {number(row)}, "
                                f"tối đa {number(MAX_ROWS)} dòng")
        if column > MAX_COLUMNS:
            self.too_big(sheet, f"có ô {column_name(column)}{row} ở cột {column_name(column)}, "
                                f"tối đa {MAX_COLUMNS} cột (đến cột {column_name(MAX_COLUMNS)})")

    def check_text(self, sheet: SheetExtent, length: int, place: str) -> None:
        if length > MAX_TEXT_LENGTH:
            self.refuse(f"Tệp '{self.file_name}', {sheet.where()} có ô {place} dài "
                        f"{number(length)} ký tự; một ô tối đa {number(MAX_TEXT_LENGTH)} ký tự.")

    def check_time(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.refuse(f"Tệp '{self.file_name}' quá lớn hoặc hỏng, không đọc được: đo kích "
                        "thước quá lâu.")

    def check_running(self, sheet: SheetExtent) -> None:
        """The counts that grow cell by cell, checked as they grow (a huge sheet stops early)."""
        self.check_time()
        cells = self.result.cells
        if cells > MAX_CELLS:
            self.too_big(sheet, f"hơn {number(MAX_CELLS)} ô trong cả tệp")
        if self.result.text > MAX_TOTAL_TEXT:
            self.refuse(f"Tệp '{self.file_name}' quá lớn: các ô chứa hơn "
                        f"{number(MAX_TOTAL_TEXT)} ký tự chữ (một đoạn chữ dùng chung tính một "
                        "lần cho mỗi ô dùng nó).")

    def _check_totals(self, sheet: SheetExtent) -> None:
        self.check_running(sheet)
        if self.result.grid_cells > MAX_GRID_CELLS:
            self.too_big(sheet, f"{number(sheet.rows)} dòng × {number(sheet.columns)} cột"
                                + (", cùng các trang khác" if len(self.result.sheets) > 1 else "")
                                + f" là hơn {number(MAX_GRID_CELLS)} ô tính từ A1")


class _Finder:
    """Passes the chunks on and notes whether the bytes ``sheetData`` occur."""

    def __init__(self, chunks: Iterator[bytes]):
        self.source = chunks
        self.sheet_data = False
        self.tail = b""

    def __iter__(self):
        return self

    def __next__(self) -> bytes:
        chunk = next(self.source)
        if not self.sheet_data and (b"sheetData" in chunk
                                    or b"sheetData" in self.tail + chunk[:16]):
            self.sheet_data = True
        self.tail = chunk[-16:]
        return chunk


def _regions(chunks, pattern: re.Pattern, marker: bytes) -> Iterator[bytes]:
    """The stream cut just before the last ``pattern`` in each chunk, so no item is split."""
    carry = b""
    for chunk in chunks:
        data = carry + chunk
        cut = data.rfind(marker)
        while cut > 0 and not pattern.match(data, cut) and cut + len(marker) < len(data):
            cut = data.rfind(marker, 0, cut)
        if cut <= 0:
            carry = data
            if len(carry) > 4 * CHUNK_BYTES:
                raise _NotSimple   # one item bigger than 4 MB: the careful way measures it
            continue
        yield data[:cut]
        carry = data[cut:]
    if carry:
        yield carry


# ---------------------------------------------------------------------- shared strings
def _quick_shared(scan: _Scan, chunks, part: str) -> array:
    lengths = array("I")
    checker = _wellformed(scan, part)
    first = True
    for region in _regions(chunks, _SHARED_START, b"<si"):
        _parse_ok(scan, checker, region, part)
        body = region
        if first:
            root = _SHARED_ROOT.match(region)
            if not root:
                raise _NotSimple
            tag_end = region.find(b">", root.end() - 1)
            for declared in _UNIQUE_COUNT.findall(region, root.end() - 1, tag_end):
                scan.check_unique_count(declared)
            body = region[root.end():]
            first = False
        if b"<!" in body or b"<?" in body or _PREFIXED_SHARED.search(body):
            raise _NotSimple
        items = _SHARED_ITEM.findall(body)
        if len(items) != len(_SHARED_START.findall(body)):
            raise _NotSimple
        for item in items:
            length = len(item)              # bytes of XML: at least its characters
            if length > MAX_TEXT_LENGTH:
                length = _text_length(scan, item, part)
            scan.check_string(length, len(lengths) + 1)
            lengths.append(length)
    if first:
        raise _NotSimple
    _parse_ok(scan, checker, b"", part, final=True)
    return lengths


def _text_length(scan: _Scan, item: bytes, part: str) -> int:
    """The characters of one long string (its markup and entities taken out)."""
    parser = expat.ParserCreate()
    count = [0]

    def characters(data: str) -> None:
        count[0] += len(data)

    parser.CharacterDataHandler = characters
    try:
        parser.Parse(b"<x>" + item + b"</x>", True)
    except expat.ExpatError:
        scan.damaged(f"phần '{part}' không phải XML hợp lệ")
    return count[0]


def _careful_shared(scan: _Scan, chunks, part: str) -> array:
    lengths = array("I")
    state = {"phase": 0, "depth": 0, "item": 0, "length": 0}

    def start(name: str, attrs: dict) -> None:
        state["depth"] += 1
        local = name.rpartition(":")[2]
        if state["phase"] == 0:
            if local == "sst":
                state["phase"] = 1
                if "uniqueCount" in attrs:
                    scan.check_unique_count(attrs["uniqueCount"])
            return
        if state["phase"] == 1 and local == "si":
            if state["item"]:
                scan.damaged(f"phần '{part}' có đoạn chữ lồng trong đoạn chữ")
            state["item"], state["length"] = state["depth"], 0

    def end(name: str) -> None:
        if state["phase"] == 1:
            if state["item"] == state["depth"]:
                state["item"] = 0
                lengths.append(state["length"])
                scan.check_string(state["length"], len(lengths))
            elif not state["item"] and name.rpartition(":")[2] == "sst":
                state["phase"] = 2
        state["depth"] -= 1

    def characters(data: str) -> None:
        if state["item"]:
            state["length"] += len(data)
            if state["length"] > MAX_TEXT_LENGTH:
                scan.check_string(state["length"], len(lengths))

    parser = _wellformed(scan, part)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    for chunk in chunks:
        _parse_ok(scan, parser, chunk, part)
    _parse_ok(scan, parser, b"", part, final=True)
    return lengths


def _wellformed(scan: _Scan, part: str):
    """An expat parser that refuses any document type declaration (XML bombs, entities)."""
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_args) -> None:
        scan.refuse(f"Tệp '{scan.file_name}' chứa khai báo XML nguy hiểm (DOCTYPE/ENTITY, "
                    "có thể là “bom XML”); không đọc.")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    return parser


def _parse_ok(scan: _Scan, parser, data: bytes, part: str, final: bool = False) -> None:
    try:
        parser.Parse(data, final)
    except expat.ExpatError as error:
        scan.damaged(f"phần '{part}' không phải XML hợp lệ, lỗi ở dòng {error.lineno}")


# --------------------------------------------------------------------------- sheets
class _QuickSheet:
    """Byte patterns over a sheet whose every cell starts ``<c r="B12"`` (see the module)."""

    def __init__(self, scan: _Scan, sheet: SheetExtent):
        self.scan = scan
        self.sheet = sheet

    def run(self, chunks) -> None:
        for region in _regions(chunks, _CELL_START_AT, b"<c"):
            self.region(region)

    def region(self, region: bytes) -> None:
        if _PREFIXED_CELL.search(region):
            raise _NotSimple
        cells = _CELL.findall(region)
        # Every place a reader could start a cell ("<c" then a space, "/" or ">") must be one
        # of these cells.
        pieces = region.split(b"<c")
        firsts = b"".join(map(_HEAD, pieces[1:]))
        if len(cells) != len(firsts) - len(firsts.translate(None, _CELL_DELIMITERS)):
            raise _NotSimple
        scan, sheet = self.scan, self.sheet
        sheet.cells += len(cells)
        valued = [cell for cell in cells if cell[2] == b">"]  # <c r="Z9" s="1"/> holds nothing
        if valued:
            rows = max(map(int, map(_SECOND, valued)))
            columns = max(map(_column_number, map(bytes.decode, set(map(_FIRST, valued)))))
            if rows > MAX_ROWS or columns > MAX_COLUMNS:
                for letters, digits, _closed in valued:   # refuse naming the first such cell
                    scan.check_cell(sheet, int(digits), _column_number(letters.decode()))
            sheet.rows, sheet.columns = max(sheet.rows, rows), max(sheet.columns, columns)
        # Text: a cell's own text has no more characters than the bytes between it and the
        # next cell; a shared string is counted at its length in every cell using it.
        if scan.result.text + len(region) <= TEXT_COUNTED_FROM:
            text = len(region)
        else:
            text = _own_text(region)
        longest = max(map(len, pieces[1:]), default=0)
        if longest > MAX_TEXT_LENGTH:
            longest = 0
            for piece in pieces[1:]:
                if len(piece) > MAX_TEXT_LENGTH:
                    end = piece.find(b"</c>")
                    if end < 0 or end > MAX_TEXT_LENGTH:
                        raise _NotSimple       # a long text: the careful way counts it
                    longest = max(longest, end)
        if b' t="s"' in region:
            indexes = _SHARED_CELL.findall(region)
            known = [int(index) for index in indexes if index]
            if known:
                if max(known) >= len(scan.lengths):   # calamine refuses such a sheet anyway
                    known = [index for index in known if index < len(scan.lengths)]
                lengths = scan.lengths
                used = list(map(lengths.__getitem__, known))
                text += sum(used)
                longest = max(longest, max(used, default=0))
            unknown = len(indexes) - len(known)
            if unknown:
                text += unknown * scan.longest_shared
                longest = max(longest, scan.longest_shared)
        sheet.text += text
        sheet.longest_text = max(sheet.longest_text, longest)
        scan.check_running(sheet)


def _own_text(region: bytes) -> int:
    """Bytes inside the <t> and <v> elements of ``region`` (what calamine makes text of),
    when each of them is plain text; else the careful way counts."""
    if _PREFIXED_TEXT.search(region) or b"<!" in region:
        raise _NotSimple
    elements = _TEXT_ELEMENT.findall(region)
    if len(elements) != sum(region.count(start) for start in _TEXT_STARTS):
        raise _NotSimple
    return sum(map(len, map(_SECOND, elements)))


class _CarefulSheet:
    """An expat parser following calamine's rules for where a cell is (see the module)."""

    def __init__(self, scan: _Scan, sheet: SheetExtent):
        self.scan = scan
        self.sheet = sheet
        self.depth = 0
        self.phase = 0              # 0 before <sheetData>, 1 inside, 2 after it
        self.row_index = 0          # 0-based, as calamine counts
        self.col_index = 0
        self.cell_depth = 0         # depth of the open <c>, 0 outside a cell
        self.cell_place = (0, 0)
        self.cell_shared = False
        self.cell_children = 0
        self.cell_text = 0
        self.value_depth = 0        # depth of an open <v> of a shared-string cell
        self.value_digits = ""
        self.formula_depth = 0

    def run(self, chunks) -> None:
        parser = _wellformed(self.scan, self.sheet.part)
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        counted = 0
        for chunk in chunks:
            _parse_ok(self.scan, parser, chunk, self.sheet.part)
            if self.sheet.cells - counted > 10_000:
                counted = self.sheet.cells
                self.scan.check_running(self.sheet)
        _parse_ok(self.scan, parser, b"", self.sheet.part, final=True)

    def invalid(self, reference: str) -> None:
        self.scan.damaged(f"{self.sheet.where()} có địa chỉ ô không hợp lệ '{reference[:20]}'")

    def place(self, reference: str, need_column: bool) -> tuple[int, int]:
        """'B12' -> (11, 1), as calamine reads it (letters are optional for a row)."""
        match = _REFERENCE.fullmatch(reference)
        if not match or len(match.group(1)) > 6 or len(match.group(2)) > 10 \
                or (need_column and not match.group(1)):
            self.invalid(reference)
        row = int(match.group(2))
        if not 1 <= row < 2**32:
            self.invalid(reference)
        return row - 1, _column_number(match.group(1)) - 1

    def start(self, name: str, attrs: dict) -> None:
        self.depth += 1
        local = name.rpartition(":")[2]
        if self.phase != 1:
            if self.phase == 0 and local == "sheetData":
                self.phase = 1
            return
        if self.cell_depth:
            if local in ("c", "row", "sheetData"):
                self.scan.damaged(f"{self.sheet.where()} có cấu trúc bất thường "
                                  f"(“{local}” nằm trong một ô)")
            self.cell_children += 1
            if self.depth == self.cell_depth + 1:
                if local == "v" and self.cell_shared:
                    self.value_depth, self.value_digits = self.depth, ""
                elif local == "f":
                    self.formula_depth = self.depth
            return
        if local == "c":
            reference = attrs.get("r")
            if reference is not None:
                row, column = self.place(reference, need_column=True)
                self.col_index = column
            else:
                row, column = self.row_index, self.col_index
            self.cell_depth = self.depth
            self.cell_place = (row, column)
            self.cell_shared = attrs.get("t") == "s"
            self.cell_children = self.cell_text = 0
            self.sheet.cells += 1
        elif local == "row":
            reference = attrs.get("r")
            if reference is not None:
                self.row_index = self.place(reference, need_column=False)[0]
        elif local == "sheetData":
            self.scan.damaged(f"{self.sheet.where()} có cấu trúc bất thường (bảng lồng trong "
                              "bảng)")

    def end(self, name: str) -> None:
        if self.phase == 1:
            if self.cell_depth:
                if self.depth == self.cell_depth:
                    self.finish_cell()
                elif self.depth == self.value_depth:
                    self.value_depth = 0
                elif self.depth == self.formula_depth:
                    self.formula_depth = 0
            else:
                local = name.rpartition(":")[2]
                if local == "row":
                    self.row_index += 1
                    self.col_index = 0
                elif local == "sheetData":
                    self.phase = 2
        self.depth -= 1

    def characters(self, data: str) -> None:
        if not self.cell_depth or self.formula_depth:
            return
        if self.value_depth:
            if len(self.value_digits) < 40:
                self.value_digits += data[:40]
            return
        self.cell_text += len(data)
        if self.cell_text > MAX_TEXT_LENGTH:
            self.scan.check_text(self.sheet, self.cell_text, self.reference())

    def reference(self) -> str:
        row, column = self.cell_place
        return f"{column_name(column + 1)}{row + 1}"

    def finish_cell(self) -> None:
        sheet = self.sheet
        self.cell_depth = self.value_depth = self.formula_depth = 0
        self.col_index += 1
        if not self.cell_children:
            return                              # no child element: no value, not in the grid
        row, column = self.cell_place[0] + 1, self.cell_place[1] + 1
        if row > sheet.rows or column > sheet.columns:
            self.scan.check_cell(sheet, row, column)
            sheet.rows, sheet.columns = max(sheet.rows, row), max(sheet.columns, column)
        length = self.cell_text
        if self.cell_shared:
            length += max(self.scan.shared_length(index)
                          for index in _possible_indexes(self.value_digits))
        self.scan.check_text(sheet, length, self.reference())
        sheet.longest_text = max(sheet.longest_text, length)
        sheet.text += length


def _possible_indexes(text: str) -> set[int]:
    """Which shared string calamine may take for the text of a <v>.

    It parses the first piece of text it sees (an entity or comment ends a piece) and takes
    string 0 when that is not a number; every leading run of digits is a candidate.
    """
    candidates = {0}
    digits = text.lstrip("+")
    run = len(digits) - len(digits.lstrip("0123456789"))
    for end in range(1, min(run, 20) + 1):
        candidates.add(int(digits[:end]))
    return candidates


# ------------------------------------------------------------------------ sheet names
def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Part name (normalised) -> sheet name, resolved as calamine does; {} when unsure."""
    by_name = {_normal(info.filename): info for info in archive.infolist()}

    def parse(path: str, element: str) -> list[dict]:
        info = by_name.get(_normal(path))
        if info is None or info.file_size > NAMING_BYTES:
            return []
        found: list[dict] = []
        parser = expat.ParserCreate()

        def start(name: str, attrs: dict) -> None:
            if name.rpartition(":")[2] == element and len(found) < 10_000:
                found.append(attrs)

        def refuse(*_args) -> None:
            raise ValueError("DTD")

        parser.StartElementHandler = start
        parser.StartDoctypeDeclHandler = refuse
        parser.EntityDeclHandler = refuse
        try:
            with archive.open(info) as stream:
                parser.Parse(stream.read(NAMING_BYTES), True)
        except (expat.ExpatError, ValueError, OSError, zipfile.BadZipFile, zlib.error,
                EOFError, NotImplementedError):
            return []
        return found

    document = next((rel.get("Target", "") for rel in parse("_rels/.rels", "Relationship")
                     if rel.get("Type", "").endswith("/relationships/officeDocument")), None)
    if document is None:
        return {}
    base = document[:document.rfind("/") + 1].removeprefix("/")
    targets = {rel.get("Id"): rel.get("Target", "")
               for rel in parse(base + "_rels/workbook.xml.rels", "Relationship")}
    names: dict[str, str] = {}
    for sheet in parse(base + "workbook.xml", "sheet"):
        identifier = next((value for key, value in sheet.items()
                           if key == "id" or key.endswith(":id")), None)
        target = targets.get(identifier)
        if target and "name" in sheet:
            path = target[1:] if target.startswith("/") else base + target
            names.setdefault(_normal(path), sheet["name"])
    return names


def scan_workbook(path: str | Path, file_name: str | None = None,
                  deadline: float | None = None) -> WorkbookExtent:
    """Measure every sheet of ``path``; UnsafeFileError (naming ``file_name``) over a limit,
    or when ``time.monotonic()`` passes ``deadline``."""
    path = Path(path)
    return _Scan(path, file_name or path.name, deadline).run()
