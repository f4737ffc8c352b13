"""Every paper and list of the demo ward, one PNG per page, for a person to look at.

    .venv/bin/python scripts/papers.py [--out papers-png] [--dpi 70] [--data FILE]

Builds the demo ward in a temporary data file (or uses --data), writes every paper the
program makes (certificates, a filled and a blank registration form, the proposal list, every
Excel list and the registration template, every Word draft), converts the .xlsx and .docx
files to PDF with LibreOffice, renders each page with poppler's pdftoppm, and prints per
file: pages, the smallest text printed (points, from the words' height), whether every font
is embedded. Needs LibreOffice (soffice) and poppler-utils (pdftoppm, pdftotext, pdffonts).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chibo4tot_desktop.db.engine import open_database  # noqa: E402
from chibo4tot_desktop.demo import build_demo  # noqa: E402
from chibo4tot_desktop.excel.exports import KINDS as LISTS  # noqa: E402
from chibo4tot_desktop.excel.exports import export  # noqa: E402
from chibo4tot_desktop.excel.template import write_template  # noqa: E402
from chibo4tot_desktop.ops import Office  # noqa: E402
from chibo4tot_desktop.pdf.certificates import year_certificates_paper  # noqa: E402
from chibo4tot_desktop.pdf.forms import proposal_list, registration_form  # noqa: E402
from chibo4tot_desktop.pdf.render import write_paper  # noqa: E402
from chibo4tot_desktop.word.drafts import draft  # noqa: E402

LETTER_HEIGHT = 1.107   # Liberation Serif / Times New Roman: a word's box is 1.107 x its size


def make_papers(office: Office, folder: Path) -> list[Path]:
    """Write every paper of the demo ward into ``folder``; returns the files."""
    files = []
    papers = {
        "giay-khen-2023.pdf": year_certificates_paper(office, 2023),
        "dang-ky-TDP06-2023.pdf": registration_form(office, 2023, "TDP06"),
        "dang-ky-TDP09-2023-mau-trong.pdf": registration_form(office, 2023, "TDP09", blank=True),
        "danh-sach-de-nghi-2023.pdf": proposal_list(office, 2023),
    }
    for name, paper in papers.items():
        for problem in paper.problems():
            print(f"  cảnh báo {name}: {problem}")
        files.append(write_paper(paper, folder / name))
    for kind in LISTS:
        year = 2025 if kind == "summary" else 2023
        files.append(export(office, kind, year, folder / f"ds-{kind}-{year}.xlsx"))
    files.append(write_template(office, 2025, folder / "mau-dang-ky-2025.xlsx", "TDP06"))
    for kind, year, date in (("submission", 2023, None), ("decision", 2023, None),
                             ("review-report", 2023, None), ("final-report", 2025, None),
                             ("reminder", 2024, dt.date(2024, 3, 15))):
        drafted = draft(office, kind, year, date)
        for problem in drafted.warnings:
            print(f"  cảnh báo {kind}: {problem}")
        files.append(drafted.save(folder / f"van-ban-{kind}-{year}.docx"))
    return files


def to_pdf(files: list[Path], folder: Path) -> dict[Path, Path]:
    """Each file's PDF: itself, or LibreOffice's conversion of an .xlsx or .docx."""
    office_files = [path for path in files if path.suffix in (".xlsx", ".docx")]
    if office_files:
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo-profile",
                        "--headless", "--convert-to", "pdf", "--outdir", str(folder / "pdf"),
                        *map(str, office_files)], check=True, capture_output=True, timeout=900)
    return {path: path if path.suffix == ".pdf" else folder / "pdf" / f"{path.stem}.pdf"
            for path in files}


def measure(pdf: Path) -> tuple[int, float, bool]:
    """(pages, smallest text in points, every font embedded)."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    boxes = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    heights = [float(b) - float(a) for a, b in
               re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    smallest = min(heights) / LETTER_HEIGHT if heights else 0.0
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout.splitlines()[2:]
    embedded = all(line.split()[-5] == "yes" for line in fonts if line.strip())
    return pages, smallest, embedded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="papers-png", help="folder for the PNG pages")
    parser.add_argument("--dpi", type=int, default=70, help="resolution of the PNG pages")
    parser.add_argument("--data", help="an existing data file (default: a new demo ward)")
    args = parser.parse_args()
    for tool in ("soffice", "pdftoppm", "pdftotext", "pdffonts"):
        if shutil.which(tool) is None:
            print(f"Thiếu chương trình {tool} (LibreOffice, poppler-utils).", file=sys.stderr)
            return 2
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        data = Path(args.data) if args.data else folder / "demo.sqlite3"
        db = open_database(data)
        try:
            office = Office(db)
            if not args.data:
                build_demo(office)
            files = make_papers(office, folder)
        finally:
            db.close()
        pdfs = to_pdf(files, folder)
        print(f"{'Tệp':<42} {'Trang':>5} {'Chữ nhỏ nhất':>13}  Phông nhúng đủ")
        for source, pdf in pdfs.items():
            pages, smallest, embedded = measure(pdf)
            subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", str(pdf),
                            str(out / source.stem)], check=True)
            print(f"{source.name:<42} {pages:>5} {smallest:>10.1f} pt  "
                  f"{'có' if embedded else 'KHÔNG'}")
    print(f"Các trang PNG ở {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
