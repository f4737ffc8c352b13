"""Hostile and broken spreadsheet files, to throw at anything that reads outside files.

Each generator writes one file at the path it is given and returns that path. ``GENERATORS``
maps a short name to a generator taking (path, codes), where ``codes`` are cell codes that exist
in the database (so some files look real enough to get past the first checks).

Used by tests/test_safety_hostile.py against the Excel importer; reusable for any reader.
"""

from __future__ import annotations

import os
import random
import struct
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>
</Relationships>"""
SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
EMPTY_STRINGS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
                 '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" '
                 'uniqueCount="0"/>')
HEADERS = ["STT", "Mã chi bộ", "Tên chi bộ", "Ngày đăng ký", "Số đảng viên", "Người ký"]


def raw_xlsx(path: Path, sheet_xml: str, strings_xml: str = EMPTY_STRINGS,
             extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .xlsx package written by hand (so it can say anything); the same arguments
    give the same bytes (fixed member times), so a fuzz case can be replayed from its seed."""
    members = {"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS,
               "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
               "xl/worksheets/sheet1.xml": sheet_xml, "xl/sharedStrings.xml": strings_xml}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [*members.items(), *(extra or {}).items()]:
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return path


def _inline_row(number: int, values: Sequence) -> str:
    cells = []
    for index, value in enumerate(values):
        ref = f"{chr(65 + index)}{number}"
        if value is None:
            continue
        if isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, (int, float)):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = str(value).replace("&", "&amp;").replace("<", "&lt;")
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    return f'<row r="{number}">{"".join(cells)}</row>'


def sheet_with_rows(rows: Sequence[Sequence]) -> str:
    body = "".join(_inline_row(number, row) for number, row in enumerate(rows, start=1))
    return f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>"


def openpyxl_list(path: Path, rows: Sequence[Sequence]) -> Path:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


# --------------------------------------------------------------------------------- files
def not_a_zip(path: Path, codes: Sequence[str]) -> Path:
    path.write_text("Mã chi bộ;Tên chi bộ\nTDP01;Chi bộ 1\n", encoding="utf-8")
    return path


def empty_file(path: Path, codes: Sequence[str]) -> Path:
    path.write_bytes(b"")
    return path


def old_xls_header(path: Path, codes: Sequence[str]) -> Path:
    """The OLE2 signature of .xls (or an encrypted .xlsx) followed by junk."""
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + os.urandom(4096))
    return path


def truncated_zip(path: Path, codes: Sequence[str]) -> Path:
    good = openpyxl_list(path, [HEADERS] + [[1, code, f"Chi bộ {code}", "01/03/2024", 30, "A"]
                                            for code in codes])
    data = good.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def zip_bomb(path: Path, codes: Sequence[str]) -> Path:
    """A sheet that inflates from ~200 KB to 200 MB of XML whitespace."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/sharedStrings.xml", EMPTY_STRINGS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(SHEET_HEAD.encode() + b"<sheetData>")
            chunk = b" " * (1 << 20)
            for _ in range(200):
                member.write(chunk)
            member.write(b"</sheetData></worksheet>")
    return path


def nested_zip_bomb(path: Path, codes: Sequence[str]) -> Path:
    """Many members that each inflate a lot (the total, not one member, is the bomb)."""
    blob = b"<x/>" + b" " * (20 << 20)
    return raw_xlsx(path, sheet_with_rows([HEADERS]),
                    extra={f"xl/media/image{n}.xml": blob for n in range(12)})


def billion_laughs(path: Path, codes: Sequence[str]) -> Path:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">'
        for n in range(1, 10)]
    strings = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [' + "".join(entities)
               + ']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
               'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>')
    sheet = (f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             '</sheetData></worksheet>')
    return raw_xlsx(path, sheet, strings)


def external_entity(path: Path, codes: Sequence[str]) -> Path:
    """XXE: an entity that asks the parser to read a local file into a cell."""
    strings = ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM '
               '"file:///etc/passwd">]>\n<sst xmlns="http://schemas.openxmlformats.org/'
               'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>')
    sheet = (f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             '</sheetData></worksheet>')
    return raw_xlsx(path, sheet, strings)


def huge_sheet_dimension(path: Path, codes: Sequence[str]) -> Path:
    """One cell at the last row and column: a reader that builds a grid would need 17 G cells."""
    sheet = (f'{SHEET_HEAD}<dimension ref="A1:XFD1048576"/><sheetData>'
             f'{_inline_row(1, HEADERS)}'
             '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>cuối</t></is></c></row>'
             '</sheetData></worksheet>')
    return raw_xlsx(path, sheet)


def many_rows(path: Path, codes: Sequence[str]) -> Path:
    """200 000 rows of unknown cells: a real, huge list (must be refused or rejected whole)."""
    body = [_inline_row(1, HEADERS)]
    for number in range(2, 200_002):
        body.append(f'<row r="{number}"><c r="A{number}"><v>{number}</v></c>'
                    f'<c r="B{number}" t="inlineStr"><is><t>X{number}</t></is></c>'
                    f'<c r="C{number}" t="inlineStr"><is><t>Không có {number}</t></is></c>'
                    f'<c r="D{number}" t="inlineStr"><is><t>01/03/2024</t></is></c></row>')
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{''.join(body)}</sheetData></worksheet>")


def huge_text_cell(path: Path, codes: Sequence[str]) -> Path:
    code = codes[0] if codes else "TDP01"
    rows = [HEADERS, [1, code, "Chi bộ " + "A" * 5_000_000, "01/03/2024", 30, "B" * 100_000]]
    return raw_xlsx(path, sheet_with_rows(rows))


def formulas(path: Path, codes: Sequence[str]) -> Path:
    """Formulas everywhere, including DDE and external links; nothing may be evaluated."""
    rows = [HEADERS]
    for index, code in enumerate(codes[:5], start=1):
        rows.append([index, f'=HYPERLINK("http://example.invalid/{code}","{code}")',
                     "=cmd|' /C calc'!A0", "=TODAY()", "=1/0", "=[1]Sheet1!A1"])
    return openpyxl_list(path, rows)


def wrong_types(path: Path, codes: Sequence[str]) -> Path:
    """Real cell codes with every other value of the wrong kind."""
    rows = [HEADERS]
    strange = [True, -5, 1e308, "ba mươi", "31/02/2024", "2024-13-45", 99999999999,
               float("nan"), "", "   "]
    for index, code in enumerate(codes[:10]):
        value = strange[index % len(strange)]
        rows.append([index + 1, code, f"Chi bộ {code}", value, value, value])
    return raw_xlsx(path, sheet_with_rows(rows).replace(">nan<", ">NaN<"))


def mixed_good_and_bad(path: Path, codes: Sequence[str]) -> Path:
    """Good rows for real cells, then one bad row: the default import must write nothing."""
    rows = [HEADERS] + [[index + 1, code, f"Chi bộ {code}", "05/03/2024", 30, "Người ký mới"]
                        for index, code in enumerate(codes[:5])]
    rows.append([99, "KHONG-CO", "Chi bộ không có thật", "ngày mai", -3, ""])
    return openpyxl_list(path, rows)


def every_cell_empty(path: Path, codes: Sequence[str]) -> Path:
    """Formatted, bordered, merged - and not one value."""
    import openpyxl
    from openpyxl.styles import Border, Side

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    thin = Side(style="thin")
    for row in range(1, 60):
        for column in range(1, 12):
            sheet.cell(row, column).border = Border(left=thin, right=thin, top=thin,
                                                    bottom=thin)
    sheet.merge_cells("A1:K3")
    workbook.create_sheet("Trống 2")
    workbook.save(path)
    return path


def only_headers(path: Path, codes: Sequence[str]) -> Path:
    return openpyxl_list(path, [HEADERS])


def wrong_member_types(path: Path, codes: Sequence[str]) -> Path:
    """A zip whose workbook part is a directory name, binary junk and a missing sheet."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", os.urandom(2048))
    return path


def mutated_xlsx(path: Path, codes: Sequence[str], seed: int = 0, flips: int = 40) -> Path:
    """A real list with random bytes overwritten (deterministic for ``seed``)."""
    openpyxl_list(path, [HEADERS] + [[1, code, f"Chi bộ {code}", "01/03/2024", 30, "A"]
                                     for code in codes[:5]])
    data = bytearray(path.read_bytes())
    rng = random.Random(seed)
    for _ in range(flips):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def far_cell(path: Path, codes: Sequence[str], reference: str = "XFD1048576",
             dimension: str | None = None) -> Path:
    """A normal list plus one cell far away, and no <dimension> (or a lying one): a reader
    that builds the grid from A1 to the last cell needs billions of cells for 6 KB."""
    code = codes[0] if codes else "TDP01"
    rows = "".join(_inline_row(number, row) for number, row in enumerate(
        [HEADERS, [1, code, f"Chi bộ {code}", "01/03/2023", 30, "Người ký"]], start=1))
    row_number = "".join(char for char in reference if char.isdigit())
    head = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = (f"{SHEET_HEAD}{head}<sheetData>{rows}<row r=\"{row_number}\"><c r=\"{reference}\" "
             't="inlineStr"><is><t>cuối</t></is></c></row></sheetData></worksheet>')
    return raw_xlsx(path, sheet)


def shared_strings_xml(strings: Sequence[str], unique_count: int | str | None = None) -> str:
    declared = len(strings) if unique_count is None else unique_count
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
            '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(strings)}" uniqueCount="{declared}">{items}</sst>')


def huge_unique_count(path: Path, codes: Sequence[str]) -> Path:
    """sharedStrings.xml declaring 10^14 strings: a reader that reserves room first aborts."""
    sheet = (f'{SHEET_HEAD}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>'
             "</sheetData></worksheet>")
    return raw_xlsx(path, sheet, shared_strings_xml(["Mã chi bộ"], 10**14))


def shared_string_amplification(path: Path, codes: Sequence[str], length: int = 30_000,
                                cells: int = 4_000) -> Path:
    """One long shared string used by thousands of cells: a few KB of zip, 120 M characters
    once a reader copies the string into every cell."""
    body = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>0</v></c></row>'
                   for n in range(1, cells + 1))
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>",
                    shared_strings_xml(["x" * length]))


def cells_without_addresses(path: Path, codes: Sequence[str], columns: int = 600) -> Path:
    """Cells without an r attribute: each takes the column after the previous one."""
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(columns))
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData><row>{cells}</row></sheetData></worksheet>")


def lying_part_size(path: Path, codes: Sequence[str]) -> Path:
    """A sheet whose zip entries declare fewer bytes than it inflates to (but more than the
    64 KiB head that the first checks read)."""
    body = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(1, 3000))
    raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>")
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    declared = 70_000
    struct.pack_into("<I", data, info.header_offset + 22, declared)       # local header
    for offset in _central_entries(data):
        name_length = struct.unpack_from("<H", data, offset + 28)[0]
        if data[offset + 46:offset + 46 + name_length] == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, offset + 24, declared)          # central directory
    path.write_bytes(bytes(data))
    return path


def _central_entries(data: bytes | bytearray) -> list[int]:
    offsets, start = [], 0
    while (found := data.find(b"PK\x01\x02", start)) >= 0:
        offsets.append(found)
        start = found + 4
    return offsets


GENERATORS: dict[str, Callable[[Path, Sequence[str]], Path]] = {
    "not_a_zip": not_a_zip,
    "empty_file": empty_file,
    "old_xls_header": old_xls_header,
    "truncated_zip": truncated_zip,
    "zip_bomb": zip_bomb,
    "many_member_bomb": nested_zip_bomb,
    "billion_laughs": billion_laughs,
    "external_entity": external_entity,
    "huge_sheet_dimension": huge_sheet_dimension,
    "many_rows": many_rows,
    "huge_text_cell": huge_text_cell,
    "formulas": formulas,
    "wrong_types": wrong_types,
    "mixed_good_and_bad": mixed_good_and_bad,
    "every_cell_empty": every_cell_empty,
    "only_headers": only_headers,
    "broken_parts": wrong_member_types,
    "far_cell_no_dimension": far_cell,
    "cell_at_sf199999": lambda p, c: far_cell(p, c, "SF199999"),
    "huge_unique_count": huge_unique_count,
    "shared_string_amplification": shared_string_amplification,
    "lying_part_size": lying_part_size,
    # Mutations use an unknown cell code: even a file that survives them must not import.
    **{f"mutated_{seed}": (lambda p, c, s=seed: mutated_xlsx(p, ["KHONG-CO"], s))
       for seed in range(8)},
}


# ------------------------------------------------------------------------------ fuzzing
def _reference(rng: random.Random) -> str:
    """A cell address, often at or beyond the edges (Excel's, the program's limits)."""
    column = rng.choice([1, 2, 26, 27, 499, 500, 501, 702, 703, 16_384, 16_385,
                         rng.randint(1, 600), rng.randint(1, 18_278)])
    row = rng.choice([1, 2, 199_999, 200_000, 200_001, 1_048_576, 1_048_577,
                      rng.randint(1, 250_000), rng.randint(1, 4_294_967_300)])
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def _odd_reference(rng: random.Random) -> str:
    return rng.choice(["A0", "A4294967297", "A4294967296", "AAAA1", "a1", "1A", "", "A-1",
                       "A1 ", " A1", "A01", "XFD1048576", "&#65;1", "A" + "9" * 30,
                       _reference(rng).lower()])


def _list_rows(codes: Sequence[str], count: int) -> str:
    rows = [HEADERS] + [[n, codes[n % len(codes)] if codes else "X", f"Chi bộ {n}",
                         "01/03/2023", 30, "Người ký"] for n in range(1, count + 1)]
    return "".join(_inline_row(number, row) for number, row in enumerate(rows, start=1))


def _fuzz_far_cell(rng, path, codes):
    dimension = rng.choice([None, "A1", "A1:XFD1048576", "A1:F3", "Z", "A1:A1:A1"])
    return far_cell(path, codes, _reference(rng), dimension)


def _fuzz_without_addresses(rng, path, codes):
    parts = []
    if rng.random() < 0.5:
        parts.append(f'<row r="{rng.randint(1, 250_000)}"><c r="{_reference(rng)}"><v>1</v>'
                     "</c></row>")
    for _ in range(rng.randint(1, 4)):
        cells = "".join("<c><v>1</v></c>" if rng.random() < 0.8 else "<c/>"
                        for _ in range(rng.randint(0, 700)))
        row = f' r="{rng.randint(1, 250_000)}"' if rng.random() < 0.3 else ""
        parts.append(f"<row{row}>{cells}</row>")
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{''.join(parts)}</sheetData></worksheet>")


def _fuzz_shared_strings(rng, path, codes):
    strings = ["x" * rng.choice([0, 10, 1000, 32_767, 32_768, 40_000])
               for _ in range(rng.randint(1, 5))]
    cells = rng.choice([1, 100, 3000, 6000])
    body = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{rng.randrange(len(strings) + 1)}</v>'
                   "</c></row>" for n in range(1, cells + 1))
    unique = rng.choice([None, 0, 10**9, 10**14, "abc", 2**64 + 1])
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{body}</sheetData></worksheet>",
                    shared_strings_xml(strings, unique))


def _fuzz_list(rng, path, codes) -> Path:
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{_list_rows(codes, rng.randint(1, 60))}"
                          "</sheetData></worksheet>")


def _fuzz_truncated(rng, path, codes):
    data = _fuzz_list(rng, path, codes).read_bytes()
    path.write_bytes(data[: rng.randrange(len(data))])
    return path


def _fuzz_bit_flips(rng, path, codes):
    data = bytearray(_fuzz_list(rng, path, codes).read_bytes())
    for _ in range(rng.randint(1, 200)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))
    return path


def _fuzz_many_cells(rng, path, codes):
    same = rng.random() < 0.5
    count = rng.choice([1000, 20_000, 60_000])
    cells = "".join('<c r="A1"><v>1</v></c>' if same else f'<c r="B{n}"><v>{n}</v></c>'
                    for n in range(1, count + 1))
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData><row>{cells}</row></sheetData></worksheet>")


def _fuzz_odd_numbers(rng, path, codes):
    cells = "".join(f'<c r="{_odd_reference(rng)}"><v>1</v></c>' for _ in range(rng.randint(1, 4)))
    row = rng.choice(["", ' r="0"', ' r="4294967297"', ' r="99999999999999999999"',
                      f' r="{rng.randint(1, 10**7)}"'])
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData><row{row}>{cells}</row><row><c><v>2</v></c>"
                          "</row></sheetData></worksheet>")


def _fuzz_structure(rng, path, codes):
    far = _reference(rng)
    pieces = [
        f'<c r="A1"><is><t>x</t></is><c r="{far}"><v>1</v></c></c>',        # cell in a cell
        '<c r="A1"><v>1</v><row><c><v>1</v></c></row></c>',                  # row in a cell
        f'<x:c xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" r="{far}">'
        "<x:v>1</x:v></x:c>",                                                 # a prefix
        f'<!-- <c r="{far}"><v>1</v></c> --><c r="B2"><v>1</v></c>',          # a comment
        f"<c r='{far}'><v>1</v></c>",                                         # single quotes
        f'<c r = "{far}" ><v>1</v></c>',                                       # spaces
        f'<c r="A1" t="s"><v><![CDATA[0]]></v></c><c r="{far}"/>',            # CDATA, empty
        f'<c r="A1" x=">" t="s"><v>0</v></c>',                                 # '>' in a value
        f'<?pi <c r="{far}"?><c r="C3"><v>1</v></c>',                         # instruction
        f'<c r="A1"><f>1+1</f></c><c r="{far}"><f>2</f></c>',                 # formulas only
    ]
    body = "".join(rng.sample(pieces, rng.randint(1, 3)))
    wrap = rng.random() < 0.7
    xml = f"<row>{body}</row>" if wrap else body
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{xml}</sheetData></worksheet>",
                    shared_strings_xml(["x" * rng.choice([1, 30_000])]))


def _fuzz_zip_tricks(rng, path, codes):
    far = (f'{SHEET_HEAD}<sheetData><row><c r="{_reference(rng)}"><v>1</v></c></row>'
           "</sheetData></worksheet>")
    small = f"{SHEET_HEAD}<sheetData>{_list_rows(['KHONG-CO'], 3)}</sheetData></worksheet>"
    trick = rng.randrange(3)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if trick == 0:       # the same name twice: which one does a reader take?
            raw_xlsx(path, small, extra={"xl/worksheets/sheet1.xml": far.encode()})
        elif trick == 1:     # another spelling of the sheet's name (a reader ignoring case)
            raw_xlsx(path, small, extra={"XL/Worksheets/Sheet1.XML": far.encode()})
        else:                # a part no sheet points at
            raw_xlsx(path, small, extra={"xl/worksheets/sheet9.xml": far.encode()})
    return path


def _fuzz_lying_size(rng, path, codes):
    return lying_part_size(path, codes)


def _fuzz_valid(rng, path, codes):
    """A sound list (of the cells given): read fully, imported only if they exist."""
    return raw_xlsx(path, f"{SHEET_HEAD}<sheetData>{_list_rows(codes, rng.randint(1, 400))}"
                          "</sheetData></worksheet>")


FUZZ_FAMILIES: dict[str, tuple[int, Callable]] = {   # name: (weight, generator)
    "far_cell": (4, _fuzz_far_cell),
    "without_addresses": (3, _fuzz_without_addresses),
    "shared_strings": (3, _fuzz_shared_strings),
    "truncated": (2, _fuzz_truncated),
    "bit_flips": (3, _fuzz_bit_flips),
    "many_cells": (1, _fuzz_many_cells),
    "odd_numbers": (2, _fuzz_odd_numbers),
    "structure": (3, _fuzz_structure),
    "zip_tricks": (2, _fuzz_zip_tricks),
    "lying_size": (1, _fuzz_lying_size),
    "valid": (1, _fuzz_valid),
}


def fuzz_case(seed: int, path: Path, codes: Sequence[str]) -> tuple[str, Path]:
    """The hostile file number ``seed`` (the same seed, the same file): (family, path)."""
    rng = random.Random(seed)
    names = list(FUZZ_FAMILIES)
    family = rng.choices(names, weights=[FUZZ_FAMILIES[name][0] for name in names])[0]
    return family, FUZZ_FAMILIES[family][1](rng, path, codes)


def import_command(data: Path, path: Path, year: int = 2023) -> tuple[int, str, str, int | None]:
    """Run the real ``import`` command in a process of its own: (exit code, output, errors,
    peak memory in KiB of the command and the processes it waited for; None on Windows)."""
    import subprocess
    import sys
    import tempfile

    command = [sys.executable, "-m", "chibo4tot_desktop", "--data", str(data), "import",
               str(path), "--year", str(year)]
    environment = dict(os.environ, PYTHONIOENCODING="utf-8")
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=environment)
        if hasattr(os, "wait4"):
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            peak = usage.ru_maxrss
        else:
            process.wait()
            peak = None
        out.seek(0)
        err.seek(0)
        return (process.returncode, out.read().decode("utf-8", "replace"),
                err.read().decode("utf-8", "replace"), peak)
