"""Hostile and broken spreadsheet files, to throw at anything that reads outside files.

Each generator writes one file at the path it is given and returns that path. ``GENERATORS``
maps a short name to a generator taking (path, codes), where ``codes`` are cell codes that exist
in the database (so some files look real enough to get past the first checks).

Used by tests/test_safety_hostile.py against the Excel importer; reusable for any reader.
"""

from __future__ import annotations

import os
import random
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
    """A minimal .xlsx package written by hand (so it can say anything)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        archive.writestr("xl/sharedStrings.xml", strings_xml)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
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
    # Mutations use an unknown cell code: even a file that survives them must not import.
    **{f"mutated_{seed}": (lambda p, c, s=seed: mutated_xlsx(p, ["KHONG-CO"], s))
       for seed in range(8)},
}
