"""``chibo4tot-desktop --self-test``: check that this copy of the program (above all a built one)
has everything it needs, without touching the user's data.

Each check prints one Vietnamese line ("[ĐẠT] ..." or "[LỖI] ..."); the exit code is 0 when all
pass, 1 otherwise. Everything is written in a temporary folder that is removed afterwards.
The checks use openpyxl, xlsxwriter and reportlab directly (not the program's Excel/PDF
modules), so they test the bundle itself: the migrations as data files, the hidden imports, the
bundled font, defusedxml, and the Qt plugins; their files go through the program's one file
writer.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.setup import create_organisation, create_phase
from chibo4tot_desktop.files import atomic_write

SAMPLE_NAME = "Chi bộ Tổ dân phố Đồng Tiến – “4 tốt” <&>"
SAMPLE_TEXT = "Ủy ban Kiểm tra Đảng ủy phường Tân Giang: Nguyễn Thị Ánh, ấp Ỷ Lan, ỹ ỵ"

BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n'
              for n in range(1, 10))
    + ']>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheets><sheet name="&lol9;" sheetId="1"/></sheets></workbook>'
)


class CheckFailed(Exception):
    """A check found something wrong; the message says what (in Vietnamese)."""


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# ----------------------------------------------------------------------------------- checks
def check_database(folder: Path) -> str:
    import datetime as dt

    from chibo4tot_desktop.db.engine import (
        HEAD_REVISION,
        current_revision,
        open_database,
    )
    from chibo4tot_desktop.ops import Office, queries

    path = folder / "tu-kiem-tra.sqlite3"
    db = open_database(path)
    try:
        with db.engine.connect() as connection:
            revision = current_revision(connection)
        _require(revision == HEAD_REVISION,
                 f"lược đồ {revision}, cần {HEAD_REVISION} (chưa chạy được các bước nâng cấp)")
        office = Office(db)
        create_organisation(office, "KT", "Đảng bộ phường Kiểm Tra", "Thành ủy", "Kiểm Tra")
        create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025)
        cell = add_cell(office, "TDP01", SAMPLE_NAME, "residential", "Nguyễn Văn Hùng", 30)
        save_registration(office, cell.id, 2024, received_on=dt.date(2024, 3, 8))
    finally:
        db.close()
    db = open_database(path)
    try:
        registrations = queries.registrations(Office(db), 2024)
    finally:
        db.close()
    _require(len(registrations) == 1 and registrations[0].cell.name == SAMPLE_NAME,
             "đọc lại không đúng bản đăng ký vừa ghi")
    return f"tạo tệp dữ liệu tạm, nâng cấp lược đồ đến {HEAD_REVISION}, ghi và đọc lại được"


def check_excel(folder: Path) -> str:
    import datetime as dt

    from openpyxl import Workbook, load_workbook

    path = folder / "tu-kiem-tra.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "Đăng ký"
    sheet.append(["Chi bộ", "Ngày nhận", "Điểm"])
    sheet.append([SAMPLE_NAME, dt.date(2024, 3, 8), 87.5])
    with atomic_write(path) as temporary:
        book.save(temporary)
    back = load_workbook(path, read_only=True)
    rows = list(back["Đăng ký"].iter_rows(values_only=True))
    back.close()
    _require(rows[1][0] == SAMPLE_NAME and rows[1][2] == 87.5,
             "đọc lại tệp Excel không đúng nội dung")
    _require(rows[1][1].date() == dt.date(2024, 3, 8), "ngày trong tệp Excel bị sai")
    # The lists the office sends upward are written with xlsxwriter: written here too and read
    # back with openpyxl.
    import xlsxwriter

    listed = folder / "tu-kiem-tra-danh-sach.xlsx"
    with atomic_write(listed) as temporary:
        writer = xlsxwriter.Workbook(str(temporary))
        page = writer.add_worksheet("Danh sách")
        page.write_row(0, 0, ["Chi bộ", "Điểm"], writer.add_format({"bold": True}))
        page.write_row(1, 0, [SAMPLE_NAME, 87.5])
        writer.close()
    back = load_workbook(listed, read_only=True)
    rows = list(back["Danh sách"].iter_rows(values_only=True))
    back.close()
    _require(rows[1] == (SAMPLE_NAME, 87.5), "đọc lại danh sách Excel (xlsxwriter) không đúng")
    # The import's reader: measured here, read by calamine in a child process (in the packaged
    # program that child is this executable again, handed over by freeze_support).
    from chibo4tot_desktop.excel.reader import read_workbook

    sheets = read_workbook(path)
    _require(sheets[0].rows[1][0] == SAMPLE_NAME and sheets[0].rows[1][2] == 87.5,
             "tiến trình đọc tệp Excel (calamine) đọc lại không đúng nội dung")
    return ("ghi và đọc lại tệp Excel có chữ tiếng Việt (openpyxl, xlsxwriter, và calamine "
            "trong tiến trình đọc riêng)")


def check_pdf(folder: Path) -> str:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    from chibo4tot_desktop.paths import resource

    fonts = [resource("fonts", f"LiberationSerif-{style}.ttf")
             for style in ("Regular", "Bold", "Italic", "BoldItalic")]
    missing = [font.name for font in fonts if not font.is_file()]
    _require(not missing, f"thiếu phông chữ đi kèm: {', '.join(missing)}")
    _require(resource("fonts", "LICENSE-LiberationSerif.txt").is_file(),
             "thiếu tệp giấy phép của phông chữ")
    pdfmetrics.registerFont(TTFont("C4T-SelfTest", str(fonts[0])))
    face = pdfmetrics.getFont("C4T-SelfTest").face
    missing_glyphs = [ch for ch in SAMPLE_TEXT if ch != " " and ord(ch) not in face.charToGlyph]
    _require(not missing_glyphs, f"phông chữ thiếu chữ: {''.join(missing_glyphs)}")
    path = folder / "tu-kiem-tra.pdf"
    with atomic_write(path) as temporary:
        canvas = Canvas(str(temporary), pagesize=A4)
        canvas.setFont("C4T-SelfTest", 14)
        canvas.drawString(72, 760, SAMPLE_TEXT)
        canvas.drawString(72, 740, SAMPLE_NAME)
        canvas.save()
    data = path.read_bytes()
    _require(data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF"),
             "tệp PDF không hoàn chỉnh")
    _require(b"LiberationSerif" in data and b"/ToUnicode" in data,
             "phông chữ không được nhúng vào tệp PDF")
    return f"ghi tệp PDF (reportlab) với phông chữ đi kèm {fonts[0].name}"


def check_word(folder: Path) -> str:
    import docx

    from chibo4tot_desktop.word.document import WordDraft

    draft = WordDraft("Tự kiểm tra")
    draft.header("Đảng bộ thành phố Hà Tĩnh", "Đảng ủy phường Tân Giang", SAMPLE_TEXT)
    draft.paragraph(SAMPLE_NAME)
    path = draft.save(folder / "tu-kiem-tra.docx")
    texts = [paragraph.text for paragraph in docx.Document(str(path)).paragraphs]
    _require(SAMPLE_NAME in texts, "đọc lại tệp Word không đúng nội dung")
    return "ghi và đọc lại văn bản Word (python-docx) có chữ tiếng Việt"


def check_defusedxml(folder: Path) -> str:
    import defusedxml
    import openpyxl
    from openpyxl import Workbook, load_workbook
    from openpyxl.xml.functions import fromstring

    _require(openpyxl.DEFUSEDXML is True,
             "openpyxl không dùng defusedxml (tệp Excel độc hại có thể làm treo máy)")
    # With lxml installed (python-docx needs it) openpyxl parses some parts with lxml and a
    # parser that resolves no entity; libxml2 then refuses the bomb itself.
    refusals: tuple[type, ...] = (defusedxml.DefusedXmlException,)
    if openpyxl.LXML:
        from lxml.etree import XMLSyntaxError

        refusals += (XMLSyntaxError,)
    try:
        fromstring(BILLION_LAUGHS.encode())
    except refusals as error:
        _require(_bomb_refusal(error, refusals),
                 f"đoạn XML “billion laughs” bị từ chối vì lý do khác: {error!r}")
    else:
        raise CheckFailed("đoạn XML “billion laughs” không bị từ chối")
    # The same bomb inside an .xlsx (as its workbook part) must be refused on opening.
    buffer = io.BytesIO()
    Workbook().save(buffer)
    bomb = folder / "bom-xml.xlsx"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = BILLION_LAUGHS.encode()
            target.writestr(item, data)
    try:
        load_workbook(bomb)
    except Exception as error:  # noqa: BLE001 - openpyxl wraps the parser's error
        _require(_bomb_refusal(error, refusals),
                 f"tệp Excel chứa “billion laughs” bị từ chối vì lý do khác: {error!r}")
    else:
        raise CheckFailed("tệp Excel chứa “billion laughs” vẫn được mở")
    return "defusedxml đang bật: XML “billion laughs” bị từ chối, kể cả trong tệp Excel"


def _bomb_refusal(error: BaseException, refusals: tuple[type, ...]) -> bool:
    """defusedxml's refusal, or libxml2's refusal of the entities (not any syntax error)."""
    import defusedxml

    if _caused_by(error, defusedxml.DefusedXmlException):
        return True
    return any(_caused_by(error, kind) and ("amplification" in str(error).lower()
                                            or "entit" in str(error).lower())
               for kind in refusals[1:])


def _caused_by(error: BaseException | None, kind: type) -> bool:
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def check_qt(folder: Path) -> str:
    if (sys.platform.startswith("linux") and not os.environ.get("QT_QPA_PLATFORM")
            and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QFontDatabase
    from PySide6.QtPrintSupport import QPrinter
    from PySide6.QtWidgets import QApplication, QMainWindow

    from chibo4tot_desktop.paths import resource

    app = QApplication.instance() or QApplication([sys.argv[0]])
    font_id = QFontDatabase.addApplicationFont(
        str(resource("fonts", "LiberationSerif-Regular.ttf")))
    _require(font_id != -1, "Qt không nạp được phông chữ đi kèm")
    window = QMainWindow()
    window.setWindowTitle(SAMPLE_NAME)
    window.show()
    app.processEvents()
    window.close()
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(folder / "qt.pdf"))
    _require(printer.isValid(), "Qt không tạo được máy in PDF")
    return f"Qt {app.platformName()}: mở được cửa sổ, nạp phông chữ, có máy in PDF"


def check_data_folder(folder: Path) -> str:
    from chibo4tot_desktop.paths import default_data_file

    data_file = default_data_file().resolve()
    program_dir = Path(sys.executable).resolve().parent
    if getattr(sys, "frozen", False):
        _require(program_dir not in data_file.parents,
                 f"tệp dữ liệu mặc định {data_file} nằm trong thư mục chương trình")
    _require(data_file.is_absolute(), "tệp dữ liệu mặc định không có đường dẫn đầy đủ")
    return f"tệp dữ liệu mặc định ở thư mục của người dùng: {data_file}"


def check_signatures(folder: Path) -> str:
    """The bundled ``cryptography``: a packet's signature and its sealing work both ways."""
    from chibo4tot_desktop import signing

    sender, receiver = signing.new_keys(), signing.new_keys()
    message = SAMPLE_TEXT.encode("utf-8")
    signature = signing.sign(sender.signing_private, message)
    _require(signing.verify(sender.signing_public, message, signature),
             "chữ ký đúng mà không kiểm được")
    _require(not signing.verify(sender.signing_public, message + b"!", signature),
             "nội dung đã sửa mà chữ ký vẫn được nhận")
    sealed = signing.seal(message, receiver.box_public)
    _require(signing.open_sealed(sealed, receiver.box_private, receiver.box_public) == message,
             "không mở được gói đã mã hóa")
    return "ký, kiểm chữ ký và mã hóa gói dữ liệu (Ed25519, X25519, ChaCha20-Poly1305)"


def check_guide(folder: Path) -> str:
    from chibo4tot_desktop import guide
    from chibo4tot_desktop.pdf.guide import section_blocks

    found = guide.problems()
    _require(not found, "; ".join(found[:5]))
    every = guide.sections()
    for entry in every:
        _require(any(kind == "h1" for kind, _ in section_blocks(guide.section_html(entry.id))),
                 f"mục {entry.code} không có tiêu đề")
    return f"{len(every)} mục, đủ các hình và liên kết"


CHECKS: list[tuple[str, Callable[[Path], str]]] = [
    ("Cơ sở dữ liệu", check_database),
    ("Chữ ký gói dữ liệu", check_signatures),
    ("Excel", check_excel),
    ("PDF", check_pdf),
    ("Word", check_word),
    ("defusedxml", check_defusedxml),
    ("Giao diện Qt", check_qt),
    ("Thư mục dữ liệu", check_data_folder),
    ("Hướng dẫn sử dụng", check_guide),
]


def _say(line: str) -> None:
    stream = sys.stdout
    if stream is None:  # a windowed Windows program has no console
        return
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure and (stream.encoding or "").lower().replace("-", "") != "utf8":
        reconfigure(encoding="utf-8", errors="replace")
    print(line, file=stream, flush=True)


def run_self_test(checks: list[tuple[str, Callable[[Path], str]]] | None = None) -> int:
    """Run every check in a temporary folder; 0 if all pass, 1 otherwise."""
    from chibo4tot_desktop import __version__

    checks = CHECKS if checks is None else checks
    frozen = "bản đóng gói" if getattr(sys, "frozen", False) else "chạy từ mã nguồn"
    _say(f"Tự kiểm tra chibo4tot-desktop {__version__} ({frozen}, Python "
         f"{sys.version.split()[0]}, {sys.platform})")
    failures = 0
    with tempfile.TemporaryDirectory(prefix="chibo4tot-tu-kiem-tra-") as temp:
        for label, check in checks:
            try:
                detail = check(Path(temp))
            except CheckFailed as error:
                failures += 1
                _say(f"[LỖI] {label}: {error}")
            except Exception as error:  # noqa: BLE001 - report any breakage, keep checking
                failures += 1
                _say(f"[LỖI] {label}: {type(error).__name__}: {error}")
            else:
                _say(f"[ĐẠT] {label}: {detail}")
    if failures:
        _say(f"Tự kiểm tra KHÔNG đạt: {failures}/{len(checks)} mục lỗi.")
        return 1
    _say(f"Tự kiểm tra đạt: {len(checks)}/{len(checks)} mục.")
    return 0
