"""Time 1,000 certificates in one PDF against reportlab drawing the same strings, no layout.

    PYTHONPATH=. python benchmarks/pdf_bench.py [--count 1000] [--repeat 3] [--database]

Prints, best of ``--repeat`` runs:
- baseline: a reportlab canvas with the same fonts drawing each certificate's strings at
  fixed positions (setFont + drawString, no measuring, wrapping, fitting or border);
- ours (text only): layout + drawing of the same certificates on pre-printed paper (no border);
- ours (plain paper): the full certificate, border and ornaments included;
- with --database also the whole command path (awards read from a SQLite file with 1,000
  decided awards, layout, PDF written to disk), i.e. what ``certificates`` does.
The goal of the issue is ours within 1.5x of the baseline.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from chibo4tot_desktop.db.models import AwardKind  # noqa: E402
from chibo4tot_desktop.ops.awards import propose, record_decision  # noqa: E402
from chibo4tot_desktop.ops.cells import add_cell  # noqa: E402
from chibo4tot_desktop.ops.setup import create_organisation, create_phase  # noqa: E402
from chibo4tot_desktop.pdf import certificates as cert  # noqa: E402
from chibo4tot_desktop.pdf.fonts import FONT_NAMES, register_fonts  # noqa: E402
from chibo4tot_desktop.pdf.layout import A4_LANDSCAPE  # noqa: E402
from chibo4tot_desktop.pdf.render import pdf_bytes  # noqa: E402

PLACES = ["Tổ dân phố", "Trường Tiểu học", "Trường Mầm non", "Cơ quan", "Khối phố", "Thôn"]
WORDS = ["Tân Giang", "Bắc Hà", "Nguyễn Du", "Trần Phú", "Hàm Nghi", "Đại Nài", "Thạch Linh",
         "Văn Yên", "Nam Hà", "Hưng Bình", "Thạch Quý", "Nguyễn Thị Minh Khai"]


def make_certificates(count: int, settings: cert.CertificateSettings) -> list[cert.Certificate]:
    rng = random.Random(5)
    result = []
    for index in range(count):
        kind = (AwardKind.MERIT, AwardKind.CELL_RECOGNITION)[index % 2]
        name = f"Chi bộ {rng.choice(PLACES)} {rng.choice(WORDS)} {index + 1}"
        if index % 10 == 0:  # some long names, which wrap and shrink
            name += " " + " ".join(rng.sample(WORDS, 6))
        result.append(cert.Certificate(
            kind, cert.TITLES[kind], (name, "Đảng bộ phường Tân Giang"),
            settings.wording(kind).replace("{năm}", "2023"),
            "Quyết định số 1250-QĐ/Th.U ngày 12/01/2024", f"Số sổ: {index + 1:04d}/2023",
            "Tân Giang, ngày 12 tháng 01 năm 2024"))
    return result


def baseline(certificates, settings) -> bytes:
    """The same strings, drawn with reportlab at fixed places: no layout logic at all."""
    register_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4_LANDSCAPE, pageCompression=1)
    height = A4_LANDSCAPE[1]
    regular, bold, italic = FONT_NAMES["regular"], FONT_NAMES["bold"], FONT_NAMES["italic"]
    for c in certificates:
        strings = (
            (bold, 14, 100, 78, settings.issuer), (regular, 14, 210, 95, "*"),
            (bold, 15, 520, 78, "ĐẢNG CỘNG SẢN VIỆT NAM"), (bold, 44, 280, 178, c.title),
            (italic, 20, 400, 236, settings.lead_word), (bold, 24, 120, 286, c.recipient),
            (italic, 18, 200, 330, c.achievement), (italic, 13, 92, 518, c.decision),
            (regular, 13, 92, 540, c.register), (italic, 14, 520, 412, c.place_date),
            (bold, 14, 560, 431, settings.on_behalf), (bold, 14, 540, 450, settings.signer_title),
            (bold, 15, 570, 540, settings.signer_name))
        for font, size, x, y, text in strings:
            canvas.setFont(font, size)
            canvas.drawString(x, height - y, text)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def ours(certificates, settings) -> bytes:
    return pdf_bytes(cert.certificate_pages(certificates, settings))


def best(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def database_run(count: int, repeat: int) -> tuple[float, int]:
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops import Office

    with tempfile.TemporaryDirectory() as folder:
        db = open_database(Path(folder) / "bench.sqlite3")
        office = Office(db)
        create_organisation(office, "TG", "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh",
                                   "Tân Giang")
        create_phase(office, "Giai đoạn 2023 - 2025", 2023, 2025)
        import datetime as dt

        for index in range(count):
            cell = add_cell(office, f"C{index:04d}", f"Chi bộ Tổ dân phố {index + 1}")
            award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value,
                                   dt.date(2023, 12, 1))
            record_decision(office, [award.id], decision_number="1250-QĐ/Th.U",
                                   decision_date=dt.date(2024, 1, 12),
                                   issuer="Ban Thường vụ Thành ủy Hà Tĩnh",
                                   first_register_number=f"{index + 1:04d}/2023")
        target = Path(folder) / "out.pdf"
        pages = [0]

        def run():
            pages[0] = cert.write_certificates(office, 2023, target)

        seconds = best(run, repeat)
        db.close()
    return seconds, pages[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", action="store_true")
    args = parser.parse_args()

    register_fonts()
    settings = cert.CertificateSettings(issuer="BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH",
                                        signer_title="PHÓ BÍ THƯ THƯỜNG TRỰC",
                                        signer_name="Nguyễn Văn Thành", place="Tân Giang")
    certificates = make_certificates(args.count, settings)
    text_only = replace(settings, paper=cert.PAPER_PREPRINTED)
    ours(certificates[:5], settings)  # warm the caches and font registration once
    base = best(lambda: baseline(certificates, settings), args.repeat)
    mine_text = best(lambda: ours(certificates, text_only), args.repeat)
    mine_full = best(lambda: ours(certificates, settings), args.repeat)
    size = len(ours(certificates, settings))
    print(f"{args.count} certificates, best of {args.repeat}:")
    print(f"  baseline (reportlab, same strings, no layout): {base:7.3f} s")
    print(f"  ours, text only (pre-printed paper):           {mine_text:7.3f} s"
          f"  ratio {mine_text / base:4.2f}x")
    print(f"  ours, plain paper (border and ornaments):      {mine_full:7.3f} s"
          f"  ratio {mine_full / base:4.2f}x")
    print(f"  PDF size (plain paper): {size / 1024:.0f} KiB")
    if args.database:
        seconds, pages = database_run(args.count, args.repeat)
        print(f"  whole command path from the database to disk: {seconds:7.3f} s "
              f"({pages} pages)")


if __name__ == "__main__":
    main()
