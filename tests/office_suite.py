"""Reading papers back as a person would see them: LibreOffice converts .xlsx and .docx files
to PDF (when it is installed), poppler reads PDFs (text, words with their boxes, fonts)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest

HAVE_SOFFICE = shutil.which("soffice") is not None
HAVE_POPPLER = shutil.which("pdftotext") is not None and shutil.which("pdffonts") is not None
# On a developer's machine a test needing a tool that is not installed is skipped; in CI
# (``scripts/setup.sh --test`` installs both) it runs, and fails if the tool is missing.
IN_CI = bool(os.environ.get("CI"))
NO_SOFFICE = "LibreOffice is not installed (scripts/setup.sh --test installs it)"
NO_POPPLER = "poppler-utils is not installed (scripts/setup.sh installs it)"
needs_soffice = pytest.mark.skipif(not HAVE_SOFFICE and not IN_CI, reason=NO_SOFFICE)
needs_poppler = pytest.mark.skipif(not HAVE_POPPLER and not IN_CI, reason=NO_POPPLER)


def to_pdf(paths: list[Path], folder: Path) -> dict[str, Path]:
    """Convert ``paths`` to PDF with LibreOffice in one run; file stem -> PDF path. A test
    calling this is skipped where LibreOffice is not installed (it fails in CI)."""
    if not HAVE_SOFFICE:
        if IN_CI:
            pytest.fail(NO_SOFFICE)
        pytest.skip(NO_SOFFICE)
    out = folder / "pdf"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), *map(str, paths)],
        capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    converted = {path.stem: out / f"{path.stem}.pdf" for path in paths}
    missing = [name for name, pdf in converted.items() if not pdf.is_file()]
    assert not missing, (missing, result.stdout, result.stderr)
    return converted


def page_count(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


def pdf_text(path: Path, page: int | None = None) -> str:
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", *pages, str(path), "-"],
                         capture_output=True, check=True)
    return unicodedata.normalize("NFC", out.stdout.decode("utf-8"))


def page_lines(path: Path, page: int) -> list[str]:
    return [line.strip() for line in pdf_text(path, page).splitlines() if line.strip()]


def words(path: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """(xMin, yMin, xMax, yMax, word) of the words of a page (points, from the top-left)."""
    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(page), "-l",
                          str(page), str(path), "-"], capture_output=True, check=True)
    html = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    return [(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


def fonts(path: Path) -> list[tuple[str, bool]]:
    """(font name, embedded) of every font a PDF uses."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True)
    rows = []
    for line in out.stdout.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 5:
            # name type... encoding emb sub uni object ID: "emb" is the 5th field from the end
            rows.append((parts[0], parts[-5] == "yes"))
    return rows


def smallest_text(path: Path) -> float:
    """The height in points of the smallest word of a PDF (its font size is about this
    divided by 1.1 for Liberation Serif / Times New Roman)."""
    heights = []
    for page in range(1, page_count(path) + 1):
        heights += [y1 - y0 for _, y0, _, y1, word in words(path, page) if word.strip()]
    return min(heights)
