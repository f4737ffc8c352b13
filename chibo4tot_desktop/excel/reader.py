"""Safe reading of .xlsx files that come from outside (cells, other offices, e-mail).

Every file goes through ``check_workbook`` BEFORE any spreadsheet library sees it:

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
- a sheet that declares more rows/columns than a list of the office can have (its
  ``<dimension>``), so no reader allocates a huge grid.

Then the values are read with python-calamine (Rust, fast). Calamine does not use defusedxml;
that is why the checks above run on the raw zip first and are not optional. openpyxl, used
to write files and in tests, parses through defusedxml when it is installed:
``require_defused_openpyxl`` checks ``openpyxl.xml.DEFUSEDXML`` and refuses to go on without
it.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import UserError

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")

MAX_FILE_BYTES = 100 * 1024 * 1024           # the file itself
MAX_TOTAL_UNCOMPRESSED = 400 * 1024 * 1024   # all members, as the directory declares
MAX_MEMBER_UNCOMPRESSED = 250 * 1024 * 1024
MAX_RATIO = 200                              # uncompressed / compressed, for members > 1 MiB
MAX_MEMBERS = 2000
MAX_ROWS = 200_000
MAX_COLUMNS = 500
HEAD_BYTES = 64 * 1024

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_ROOT_START = re.compile(rb"<(?![?!])")


class UnsafeFileError(UserError):
    """A file refused before reading; the message is Vietnamese and names the file."""


@dataclass(frozen=True)
class SheetValues:
    name: str
    visible: bool
    rows: list[list]   # from A1; '' for an empty cell (calamine's convention)


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


def _column_number(letters: bytes) -> int:
    number = 0
    for char in letters.decode("ascii"):
        number = number * 26 + (ord(char) - 64)
    return number


def check_workbook(path: str | Path) -> None:
    """Refuse (UnsafeFileError) a file that is not a plain, sane .xlsx workbook."""
    path = Path(path)
    name = path.name
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
    if member.filename.startswith("xl/worksheets/"):
        match = _DIMENSION.search(head)
        if match and match.group(4):
            rows = int(match.group(4))
            columns = _column_number(match.group(3))
            if rows > MAX_ROWS or columns > MAX_COLUMNS:
                raise UnsafeFileError(
                    f"Trang tính trong tệp '{name}' quá lớn ({rows} dòng, {columns} cột; "
                    f"tối đa {MAX_ROWS} dòng, {MAX_COLUMNS} cột).")


def read_workbook(path: str | Path) -> list[SheetValues]:
    """Check the file, then read every sheet's values (calamine)."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    check_workbook(path)
    name = Path(path).name
    try:
        with CalamineWorkbook.from_path(str(path)) as workbook:
            sheets = []
            for meta in workbook.sheets_metadata:
                sheet = workbook.get_sheet_by_name(meta.name)
                if sheet.height > MAX_ROWS or sheet.width > MAX_COLUMNS:
                    raise UnsafeFileError(
                        f"Trang '{meta.name}' trong tệp '{name}' quá lớn ({sheet.height} dòng, "
                        f"{sheet.width} cột).")
                rows = sheet.to_python(skip_empty_area=False)
                sheets.append(SheetValues(meta.name, meta.visible == SheetVisibleEnum.Visible,
                                          rows))
            return sheets
    except (UnsafeFileError, KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException as error:  # calamine's errors (zip, XML, password) and Rust panics
        raise UnsafeFileError(f"Tệp '{name}' bị hỏng, không đọc được "
                              f"({type(error).__name__}).") from None
