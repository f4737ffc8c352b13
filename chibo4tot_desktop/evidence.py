"""Files of evidence (tệp minh chứng): what may be stored, checked by content, never by name.

Offices attach the scanned signed registration, the cell's self-assessment report, meeting
minutes and the scanned decision. Only PDF, JPEG and PNG are taken, up to ``MAX_BYTES``. A
file is read with a limit (a huge file is refused before it is read whole), then:

- its name must end in .pdf, .jpg/.jpeg or .png, and its bytes must be of that type (magic
  bytes): a program renamed to .pdf, or a PNG named .pdf, is refused;
- its structure is walked: a PDF needs its header, a cross-reference that ``startxref``
  points at, and ``%%EOF`` at the end (a truncated download has none), and no JavaScript,
  launch action or embedded file (a scan never has them); a JPEG's segments must chain to
  the image data and end with EOI; every PNG chunk's CRC must hold and the file end with
  IEND; an image's size must stay within ``MAX_PIXELS`` (a small file cannot unpack into a
  huge picture when it is shown).

Each refusal is one Vietnamese sentence naming the file.
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.text import clean

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 60_000_000            # an A4 page scanned at 600 dpi is 35 million pixels
MAX_SIDE = 30_000
MAX_NAME = 200

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
TYPE_NAMES = {PDF: "PDF", JPEG: "ảnh JPEG", PNG: "ảnh PNG"}
SUFFIXES = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
BY_SUFFIX = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".png": PNG}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PDF_ACTIVE = re.compile(rb"/(JavaScript|Launch|EmbeddedFile|RichMedia)\b")


class EvidenceError(ValidationError):
    """A file refused as evidence (the message names the file and says why)."""

    def __init__(self, name: str, why: str):
        super().__init__(f"Không nhận tệp '{name}': {why}.", "file")


@dataclass(frozen=True)
class CheckedFile:
    name: str
    media_type: str
    content: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.content)


def format_size(size: int) -> str:
    value = float(size)
    for unit in ("byte", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "byte" else \
                f"{value:.1f}".replace(".", ",") + f" {unit}"
        value /= 1024
    return f"{size} byte"


def clean_name(name: str) -> str:
    """The file's own name (no folder), NFC, within MAX_NAME characters (the suffix kept)."""
    name = clean(Path(str(name).replace("\\", "/")).name) or "tep"
    if len(name) > MAX_NAME:
        suffix = Path(name).suffix[:10]
        name = name[:MAX_NAME - len(suffix)] + suffix
    return name


def read_file(path: str | os.PathLike) -> CheckedFile:
    """Read and check ``path``: size first (never read whole when too big), then content."""
    path = Path(path)
    name = clean_name(path.name)
    try:
        size = path.stat().st_size
    except OSError:
        raise EvidenceError(name, "không tìm thấy tệp hoặc không đọc được") from None
    if path.is_dir():
        raise EvidenceError(name, "đó là một thư mục")
    if size > MAX_BYTES:
        raise EvidenceError(name, f"tệp quá lớn ({format_size(size)}; tối đa "
                                  f"{format_size(MAX_BYTES)})")
    try:
        with path.open("rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise EvidenceError(name, f"không đọc được tệp ({error.strerror or error})") from None
    return check(name, content)


def sniff(content: bytes) -> str | None:
    """The type the bytes are, by their magic bytes (None: none of ours)."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(PNG_SIGNATURE):
        return PNG
    return None


def check(name: str, content: bytes) -> CheckedFile:
    """Check ``content`` as a file named ``name``; EvidenceError with the reason otherwise."""
    name = clean_name(name)
    if len(content) > MAX_BYTES:
        raise EvidenceError(name, f"tệp quá lớn (tối đa {format_size(MAX_BYTES)})")
    if not content:
        raise EvidenceError(name, "tệp rỗng")
    claimed = BY_SUFFIX.get(Path(name).suffix.lower())
    if claimed is None:
        raise EvidenceError(name, "chỉ nhận tệp PDF, JPEG (.jpg, .jpeg) hoặc PNG")
    actual = sniff(content)
    if actual is None:
        raise EvidenceError(name, f"nội dung không phải {TYPE_NAMES[claimed]} như tên tệp "
                                  "ghi (tệp mạo danh hoặc hỏng)")
    if actual != claimed:
        raise EvidenceError(name, f"tên tệp ghi {TYPE_NAMES[claimed]} nhưng nội dung là "
                                  f"{TYPE_NAMES[actual]}; hãy đặt đúng đuôi tệp")
    {PDF: _check_pdf, JPEG: _check_jpeg, PNG: _check_png}[actual](name, content)
    return CheckedFile(name, actual, content, hashlib.sha256(content).hexdigest())


def stored_name(name: str, media_type: str) -> str:
    """A safe name to save or open the file under: its own name with the suffix of its type."""
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f]', "_", Path(clean_name(name)).stem).strip(" .") \
        or "tep"
    return stem[:120] + SUFFIXES[media_type]


# ------------------------------------------------------------------------------- PDF
def _check_pdf(name: str, content: bytes) -> None:
    if not re.match(rb"%PDF-[12]\.\d", content[:8]):
        raise EvidenceError(name, "phần đầu tệp PDF không hợp lệ")
    tail = content[-4096:]
    if b"%%EOF" not in tail:
        raise EvidenceError(name, "tệp PDF bị cắt cụt hoặc hỏng (thiếu phần kết thúc %%EOF)")
    position = tail.rfind(b"startxref")
    match = re.match(rb"startxref\s+(\d{1,12})\s", tail[position:]) if position >= 0 else None
    if match is None:
        raise EvidenceError(name, "tệp PDF hỏng (thiếu bảng tham chiếu startxref)")
    offset = int(match.group(1))
    target = content[offset:offset + 40] if offset < len(content) else b""
    if not (target.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj\b", target)):
        raise EvidenceError(name, "tệp PDF hỏng (bảng tham chiếu không đúng chỗ)")
    if _PDF_ACTIVE.search(content):
        raise EvidenceError(name, "tệp PDF có mã chạy (JavaScript), lệnh mở chương trình hoặc "
                                  "tệp nhúng; bản quét không bao giờ có những thứ đó")


# ------------------------------------------------------------------------------ JPEG
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def _check_dimensions(name: str, width: int, height: int) -> None:
    if width <= 0 or height <= 0:
        raise EvidenceError(name, "ảnh không có kích thước")
    if width > MAX_SIDE or height > MAX_SIDE or width * height > MAX_PIXELS:
        raise EvidenceError(name, f"ảnh quá lớn ({width} × {height} điểm ảnh; tối đa "
                                  f"{MAX_PIXELS // 1_000_000} triệu điểm ảnh)")


def _check_jpeg(name: str, content: bytes) -> None:
    truncated = EvidenceError(name, "ảnh JPEG bị cắt cụt hoặc hỏng")
    position, size, frame = 2, len(content), False
    while True:
        if position + 2 > size:
            raise truncated
        if content[position] != 0xFF:
            raise EvidenceError(name, "ảnh JPEG hỏng (cấu trúc đoạn không đúng)")
        while position + 1 < size and content[position + 1] == 0xFF:
            position += 1            # fill bytes
        if position + 2 > size:
            raise truncated
        marker = content[position + 1]
        if marker == 0x01 or 0xD0 <= marker <= 0xD7:
            position += 2
            continue
        if marker in (0xD8, 0xD9, 0x00):
            raise EvidenceError(name, "ảnh JPEG hỏng (không có dữ liệu ảnh)")
        if position + 4 > size:
            raise truncated
        length = struct.unpack(">H", content[position + 2:position + 4])[0]
        if length < 2 or position + 2 + length > size:
            raise truncated
        if marker in _SOF:
            if length < 8:
                raise truncated
            height, width = struct.unpack(">HH", content[position + 5:position + 9])
            _check_dimensions(name, width, height)
            frame = True
        if marker == 0xDA:
            if not frame:
                raise EvidenceError(name, "ảnh JPEG hỏng (thiếu phần khung ảnh)")
            if content.rfind(b"\xff\xd9") <= position:
                raise truncated
            return
        position += 2 + length


# ------------------------------------------------------------------------------- PNG
def _check_png(name: str, content: bytes) -> None:
    truncated = EvidenceError(name, "ảnh PNG bị cắt cụt hoặc hỏng")
    position, size, first, image_data = len(PNG_SIGNATURE), len(content), True, False
    while True:
        if position + 12 > size:
            raise truncated
        length = struct.unpack(">I", content[position:position + 4])[0]
        kind = content[position + 4:position + 8]
        end = position + 12 + length
        if length > 0x7FFFFFFF or end > size or not kind.isalpha():
            raise truncated
        data = content[position + 8:position + 8 + length]
        crc = struct.unpack(">I", content[end - 4:end])[0]
        if zlib.crc32(kind + data) & 0xFFFFFFFF != crc:
            raise EvidenceError(name, "ảnh PNG hỏng (mã kiểm tra CRC của một khối không khớp)")
        if first:
            if kind != b"IHDR" or length != 13:
                raise EvidenceError(name, "ảnh PNG hỏng (thiếu phần đầu IHDR)")
            width, height = struct.unpack(">II", data[:8])
            _check_dimensions(name, width, height)
            first = False
        elif kind == b"IDAT":
            image_data = True
        elif kind == b"IEND":
            if not image_data:
                raise EvidenceError(name, "ảnh PNG hỏng (không có dữ liệu ảnh)")
            return
        position = end
