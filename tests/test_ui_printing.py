"""Printing from the window: the pages painted with QPainter carry the same text as the PDF;
preview, print, save as PDF and the certificate settings dialog."""

from __future__ import annotations

import subprocess
import unicodedata

import pytest
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewWidget
from PySide6.QtWidgets import QFileDialog, QMessageBox

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.awards import propose
from chibo4tot_desktop.pdf import certificates as cert
from chibo4tot_desktop.pdf.forms import proposal_list_pages
from chibo4tot_desktop.ui import printing
from chibo4tot_desktop.ui.dialogs.papers_dialog import (
    CERTIFICATES,
    FORM,
    PROPOSAL_LIST,
    CertificateSettingsDialog,
    PapersDialog,
    certificates_job,
)

def pdf_lines(path, first=None, last=None) -> list[str]:
    command = ["pdftotext", "-enc", "UTF-8"]
    if first:
        command += ["-f", str(first), "-l", str(last or first)]
    out = subprocess.run([*command, str(path), "-"], capture_output=True, check=True)
    text = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    return [line.strip() for line in text.splitlines() if line.strip()]


def pdf_pages(path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    return int(next(line.split()[-1] for line in info.stdout.splitlines()
                    if line.startswith("Pages:")))


def qt_pdf(pages, path):
    """Print ``pages`` through QPrinter into Qt's own PDF writer."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    printing.setup_printer(printer, pages, "thử")
    printing.print_pages(printer, pages)
    return path


@pytest.mark.poppler
def test_printed_certificates_have_the_pdf_text(qtbot, demo_office, tmp_path):
    certificates, settings = cert.year_certificates(demo_office, 2023)
    pages = cert.certificate_pages(certificates, settings)
    printed = qt_pdf(pages, tmp_path / "qt.pdf")
    assert pdf_pages(printed) == len(pages)
    written = tmp_path / "rl.pdf"
    cert.write_certificates(demo_office, 2023, written)
    for number in (1, len(pages)):
        assert set(pdf_lines(printed, number)) == set(pdf_lines(written, number))
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True).stdout
    assert "842 x 595" in info  # A4 landscape


@pytest.mark.poppler
def test_printed_proposal_list_is_portrait_and_paged(qtbot, demo_office, tmp_path):
    pages = proposal_list_pages(demo_office, 2023)
    printed = qt_pdf(pages, tmp_path / "ds.pdf")
    assert pdf_pages(printed) == len(pages)
    lines = pdf_lines(printed)
    assert "DANH SÁCH ĐỀ NGHỊ" in lines and "ĐẢNG ỦY PHƯỜNG TÂN GIANG" in lines
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True).stdout
    assert "595 x 842" in info


def test_painting_a_certificate_draws_the_red_title_and_border(qtbot, demo_office):
    certificates, settings = cert.year_certificates(demo_office, 2023, ["TDP06"])
    page = cert.certificate_page(certificates[0], settings)
    dpi = 50
    image = QImage(int(page.width * dpi / 72), int(page.height * dpi / 72),
                   QImage.Format.Format_RGB32)
    image.fill(0xFFFFFFFF)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    painter = QPainter(image)
    printing.paint_page(painter, image, page)
    painter.end()

    def reddish(x, y):
        color = image.pixelColor(x, y)
        return color.red() > 120 and color.green() < 90 and color.blue() < 90

    title = next(t for t in page.texts() if t.text in ("GIẤY KHEN", "GIẤY CHỨNG NHẬN"))
    y = int((title.y - title.size * 0.35) * dpi / 72)
    row = [reddish(x, y) for x in range(image.width())]
    assert sum(row) > 20
    border_y = int(18 * dpi / 72)
    assert sum(reddish(x, border_y) for x in range(image.width())) > image.width() * 0.8


def test_preview_dialog_shows_every_page(qtbot, demo_office):
    awards = [a for a in queries.awards(demo_office, 2023) if a.is_decided][:3]
    job = certificates_job(demo_office, awards)
    dialog = job.preview_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    widget = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() == 3, timeout=5000)
    area = dialog.screen().availableGeometry()
    assert area.width() < 1000 or area.height() < 760    # the test screen is smaller
    assert area.contains(dialog.frameGeometry())          # so the preview was fitted to it
    dialog.close()


def test_certificates_job_refuses_undecided_awards(qtbot, demo_office, monkeypatch):
    from chibo4tot_desktop.db.models import AwardKind

    cell = queries.cell_by_code(demo_office, "TDP01")
    award = propose(demo_office, cell.id, 2023, AwardKind.MERIT.value)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    printing.preview(None, certificates_job(demo_office, [award]))
    assert warnings and "đã có số và ngày quyết định" in warnings[0]


@pytest.mark.poppler
def test_papers_dialog_saves_each_paper(qtbot, demo_office, tmp_path, monkeypatch):
    dialog = PapersDialog(demo_office, year=2023)
    qtbot.addWidget(dialog)
    infos = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: infos.append(args[2]))
    for paper, cell, expected in ((CERTIFICATES, "TDP12", "GIẤY KHEN"),
                                  (FORM, "TDP03", "BẢN ĐĂNG KÝ THI ĐUA"),
                                  (PROPOSAL_LIST, None, "DANH SÁCH ĐỀ NGHỊ")):
        dialog.paper.setCurrentIndex(dialog.paper.findData(paper))
        if cell:
            dialog.cell.setCurrentIndex(dialog.cell.findData(cell))
        assert dialog.cell.isEnabled() == (paper != PROPOSAL_LIST)
        assert dialog.blank.isEnabled() == (paper == FORM)
        target = tmp_path / f"{paper}.pdf"
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            lambda *args, t=str(target)[:-4]: (t, "Tệp PDF (*.pdf)"))
        dialog.save_button.click()
        assert dialog.last_saved == str(target) and target.is_file()
        assert expected in pdf_lines(target)
    assert len(infos) == 3
    # The blank form of a cell that has not registered.
    dialog.paper.setCurrentIndex(dialog.paper.findData(FORM))
    dialog.cell.setCurrentIndex(dialog.cell.findData("TDP09"))
    dialog.blank.setChecked(True)
    target = tmp_path / "blank.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    dialog.save_button.click()
    assert "Tân Giang, ngày ..... tháng ..... năm 2023" in pdf_lines(target)


def test_papers_dialog_error_is_a_message_not_a_file(qtbot, demo_office, tmp_path, monkeypatch):
    dialog = PapersDialog(demo_office, year=2026)
    qtbot.addWidget(dialog)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args: asked.append(1) or (str(tmp_path / "x.pdf"), ""))
    dialog.save_button.click()  # the open year 2026 has no decided awards yet
    assert warnings == ["Năm 2026 chưa có khen thưởng nào đã có quyết định để in giấy khen."]
    assert not asked and not (tmp_path / "x.pdf").exists()


def test_certificate_settings_dialog_saves_and_refuses_bad_values(qtbot, demo_office,
                                                                  monkeypatch):
    dialog = CertificateSettingsDialog(demo_office)
    qtbot.addWidget(dialog)
    # The signer of the identity in force now (the demo's merged ward).
    assert dialog.edits["signer_name"].text() == "Trần Thế Dũng"
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    dialog.edits["wording_merit"].setText("   ")
    dialog.accept()
    assert warnings and "nội dung Giấy khen" in warnings[0]
    assert dialog.result() != dialog.DialogCode.Accepted
    assert cert.load_settings(demo_office).wording_merit == cert.DEFAULT_WORDING[
        cert.AwardKind.MERIT]
    dialog.edits["wording_merit"].setText("Có thành tích năm {năm}")
    dialog.edits["signer_name"].setText("Trần Thị Lan")
    dialog.paper.setCurrentIndex(dialog.paper.findData(cert.PAPER_PREPRINTED))
    dialog.offset_x.setValue(4.5)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    saved = cert.load_settings(demo_office)
    assert (saved.signer_name, saved.paper, saved.offset_x_mm, saved.wording_merit) == \
        ("Trần Thị Lan", cert.PAPER_PREPRINTED, 4.5, "Có thành tích năm {năm}")
    sample = CertificateSettingsDialog(demo_office).sample_job().pages
    assert len(sample) == 1
    assert "Trần Thị Lan" in [t.text for t in sample[0].texts()]


def test_qt_uses_the_same_font_files(qtbot):
    from chibo4tot_desktop.pdf.fonts import font_set

    families = printing.qt_families()
    assert set(families) == {"regular", "bold", "italic", "bolditalic"}
    assert all(name == font_set().family for name in families.values())



def _words(path, number=1):
    import re

    out = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", "-f", str(number), "-l",
                          str(number), str(path), "-"], capture_output=True, check=True)
    html = unicodedata.normalize("NFC", out.stdout.decode("utf-8"))
    return [(w, float(a), float(b), float(c)) for a, b, c, _d, w in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        html)]


@pytest.mark.poppler
def test_printout_puts_words_where_the_pdf_does(qtbot, demo_office, tmp_path):
    certificates, settings = cert.year_certificates(demo_office, 2023, ["TDP06"])
    pages = cert.certificate_pages(certificates, settings)
    printed = qt_pdf(pages, tmp_path / "qt.pdf")
    written = tmp_path / "rl.pdf"
    cert.write_certificates(demo_office, 2023, written, ["TDP06"])
    ours = _words(written)
    theirs = _words(printed)
    assert [w for w, *_ in ours] and sorted(w for w, *_ in ours) == sorted(w for w, *_ in theirs)
    by_word = {}
    for word, x0, y0, x1 in theirs:
        by_word.setdefault(word, []).append((x0, x1))
    for word, x0, _y0, x1 in ours:
        # Same word, same place: within 1.5 pt (hinting and rounding differ, layout does not).
        assert any(abs(x0 - a) < 1.5 and abs(x1 - b) < 1.5 for a, b in by_word[word]), word
