"""The window's side of the cells' papers and the way back: evidence files (attach, view,
save, remove), the self-assessment import, the printed scoring sheet, keys and registering a
sender, decisions recorded at the upper level and received by the ward, the second backup
folder - each reached through the real buttons and dialogs, and through the same operation
as its command."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QPushButton

from chibo4tot_desktop import signing
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.evidence import evidence_of_year
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.ops.keys import own_fingerprint, senders
from chibo4tot_desktop.packets import export_packet
from chibo4tot_desktop.ui.dialogs import evidence_dialog, keys_dialog
from chibo4tot_desktop.ui.dialogs.evidence_dialog import EvidenceDialog, ImageViewer
from tests.builders import trust_office
from tests.evidence_files import jpeg_bytes, pdf_bytes, png_bytes
from tests.ui.test_flows import select_row
from tests.ui.test_one_door import command, reached  # noqa: F401  (fixture)

T0 = dt.datetime(2026, 1, 15, 8, 0)


def button(tab, text) -> QPushButton:
    return next(b for b in tab.findChildren(QPushButton) if b.text() == text)


@pytest.fixture
def samples(tmp_path):
    (tmp_path / "dk.pdf").write_bytes(pdf_bytes("Bản đăng ký"))
    (tmp_path / "bb.jpg").write_bytes(jpeg_bytes((2400, 1600)))
    (tmp_path / "gia.pdf").write_bytes(png_bytes())
    return tmp_path


def test_evidence_from_the_registrations_tab(demo_window, samples, boxes, monkeypatch,
                                             tmp_path):
    window = demo_window
    window.set_year(2023)
    window.show_tab(window.registrations_tab)
    cell = queries.cell_by_code(window.office, "TDP06")
    select_row(window.registrations_tab.view, cell.id)
    button(window.registrations_tab, "Tệp đính kèm…").click()
    dialog = window.evidence_dialog
    assert isinstance(dialog, EvidenceDialog)
    # A PNG named .pdf: refused with the reason, nothing attached.
    assert not dialog.attach([str(samples / "gia.pdf")], "")
    assert "nội dung là ảnh PNG" in boxes.shown[-1][1]
    assert dialog.attach([str(samples / "dk.pdf"), str(samples / "bb.jpg")], "bản quét")
    assert [dialog.table.item(r, 1).text() for r in range(2)] == ["dk.pdf", "bb.jpg"]
    # The image is shown in a window, read at a size that fits.
    dialog.table.selectRow(1)
    viewer = dialog.view_selected()
    assert isinstance(viewer, ImageViewer)
    pixmap = viewer.label.pixmap()
    assert not pixmap.isNull() and max(pixmap.width(), pixmap.height()) <= 1600
    viewer.close()
    # The PDF opens in the system's viewer from a copy named by its real type.
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    dialog.table.selectRow(0)
    path = dialog.view_selected()
    assert opened and opened[0].toLocalFile() == str(path)
    assert path.suffix == ".pdf" and path.read_bytes() == (samples / "dk.pdf").read_bytes()
    saved = dialog.save_selected(str(tmp_path / "ban-sao.pdf"))
    assert saved.read_bytes() == (samples / "dk.pdf").read_bytes()
    assert dialog.remove_selected()
    assert [i.file_name for i in evidence_of_year(window.office, 2023)] == ["bb.jpg"]
    dialog.close()


def test_evidence_needs_a_saved_record(demo_window, boxes):
    window = demo_window
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(queries.cell_by_code(window.office, "TDP02").id)
    assert window.scoring_tab.evaluation is None           # 2024: registered, not scored
    button(window.scoring_tab, "Tệp đính kèm…").click()
    assert "chưa được lưu" in boxes.shown[-1][1]
    window.show_tab(window.awards_tab)
    button(window.awards_tab, "Tệp đính kèm…").click()
    assert "Hãy chọn một đề nghị" in boxes.shown[-1][1]


def test_window_and_command_reach_the_same_operations(demo_window, db_path, samples,
                                                      reached, tmp_path, monkeypatch):  # noqa: F811
    window = demo_window
    office = window.office
    # Evidence.
    registration = queries.registration(office, queries.cell_by_code(office, "TDP05").id, 2024)
    dialog = EvidenceDialog(office, [evidence_dialog.Target("Bản đăng ký", "registration",
                                                            registration.id)], "x", window)
    assert dialog.attach([str(samples / "dk.pdf")], "")
    command(db_path, "evidence", "add", "--year", "2024", "--cell", "TDP06", "--for",
            "registration", str(samples / "dk.pdf"))
    assert reached[-2:] == ["evidence.attach_evidence", "evidence.attach_evidence"]
    dialog.table.selectRow(0)
    assert dialog.remove_selected()
    command(db_path, "evidence", "remove", str(evidence_of_year(office, 2024)[0].id))
    assert reached[-2:] == ["evidence.remove_evidence", "evidence.remove_evidence"]
    # The self-assessment import.
    from chibo4tot_desktop.excel.selfassess import write_self_template
    from chibo4tot_desktop.ui.dialogs.import_dialog import ImportDialog, SelfAssessmentImport
    from tests.test_self_assessment import fill

    template = write_self_template(office, 2026, tmp_path / "mau.xlsx")   # the open year
    first = fill(template, tmp_path / "a.xlsx", {"TDP01": {"1.1": 3}})
    second = fill(template, tmp_path / "b.xlsx", {"TDP02": {"1.1": 4}})
    imports = ImportDialog(office, 2026, [first], window, SelfAssessmentImport)
    assert imports.import_button.isEnabled()
    imports.confirm()
    assert imports.outcome.added == 1
    command(db_path, "self-import", "--year", "2026", str(second))
    assert reached[-2:] == ["scoring.import_self_scores", "scoring.import_self_scores"]
    # Registering a sender's key.
    other = open_database(tmp_path / "khac.sqlite3")
    try:
        upper = Office(other)
        key_file = tmp_path / "khoa.txt"
        assert main(["keys", "export", "--data", str(other.path), "--name", "Tỉnh ủy",
                     str(key_file)]) == 0
        fingerprint = own_fingerprint(upper)
    finally:
        other.close()
    keys = keys_dialog.KeysDialog(office, window)
    monkeypatch.setattr(keys_dialog.TrustDialog, "exec", _answer(fingerprint))
    assert keys.trust_from_file(str(key_file)) is not None
    command(db_path, "keys", "forget", "1")
    command(db_path, "keys", "trust", str(key_file), "--fingerprint", fingerprint)
    assert reached[-3:] == ["keys.trust_sender", "keys.forget_sender", "keys.trust_sender"]


def _answer(fingerprint, wrong_first=False):
    def exec_(self):
        if wrong_first:
            self.fingerprint.setText("1" * 30)
            self.accept()
            assert "không khớp" in self.error.text() and self.sender is None
        self.fingerprint.setText(fingerprint)
        self.accept()
        return self.result()
    return exec_


def test_keys_dialog_shows_the_fingerprint_and_refuses_a_misheard_one(window, tmp_path,
                                                                      monkeypatch, boxes):
    dialog = keys_dialog.KeysDialog(window.office, window)
    fingerprint = own_fingerprint(window.office)
    assert fingerprint in dialog.own.text()
    exported = dialog.export_key(str(tmp_path / "khoa.txt"))
    assert fingerprint in exported.read_text(encoding="utf-8")
    other = signing.new_keys()
    from chibo4tot_desktop import packets

    (tmp_path / "khac.txt").write_bytes(packets.key_file_bytes(other, "HP", "Hà Phương"))
    monkeypatch.setattr(keys_dialog.TrustDialog, "exec", _answer(
        signing.fingerprint(other.signing_public, other.box_public), wrong_first=True))
    sender = dialog.trust_from_file(str(tmp_path / "khac.txt"))
    assert sender.code == "HP" and dialog.table.rowCount() == 1
    dialog.table.selectRow(0)
    assert dialog.forget_selected() and senders(window.office.db) == []


def test_scoring_sheet_printed_from_the_scoring_tab(demo_window, monkeypatch):
    from chibo4tot_desktop.ui import printing

    jobs = []
    monkeypatch.setattr(printing, "preview", lambda parent, job: jobs.append(job))
    window = demo_window
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(queries.cell_by_code(window.office, "TDP06").id)
    button(window.scoring_tab, "In phiếu chấm…").click()
    texts = [t.text for page in jobs[0].pages for t in page.texts()]
    assert "PHIẾU CHẤM ĐIỂM" in texts and "CHI BỘ TỔ DÂN PHỐ 6" in texts


def test_decisions_made_above_and_received_by_the_ward(qtbot, demo_window, tmp_path, boxes,
                                                       monkeypatch):
    """The upper level records a decision in its tab and sends it; the ward's window takes
    it in after registering the upper level's key."""
    from chibo4tot_desktop.ui import features
    from chibo4tot_desktop.ui.dialogs import decision_dialog
    from chibo4tot_desktop.ui.tabs.city_tab import CityTab

    ward = demo_window.office
    city_db = open_database(tmp_path / "city.sqlite3")
    try:
        trust_office(city_db, ward)
        import_packets(city_db, [export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)])
        tab = CityTab(city_db)
        qtbot.addWidget(tab)
        tab.year.setValue(2023)
        row = next(i for i, p in enumerate(tab.proposal_rows) if p.cell_code == "TDP06"
                   and p.kind == "cell_recognition")
        tab.proposals.selectRow(row)

        def decide(self):
            self.number.setText("125-QĐ/TU")
            self.date.setText("20/01/2024")
            self.issuer.setText("Ban Thường vụ Tỉnh ủy")
            self.register.setText("88/2023")
            self.accept()
            return self.result()

        monkeypatch.setattr(decision_dialog.DecisionDialog, "exec", decide)
        tab.record_decision()
        assert "(cấp trên ghi)" in tab.proposals.item(row, 6).text()
        tab.proposals.selectRow(row)
        sent = tab.send_decisions(str(tmp_path / "qd.zip"), seal=False)
        assert sent is not None and "Đã lưu gói quyết định" in tab.message.text()
        upper_fingerprint = own_fingerprint(Office(city_db))
    finally:
        city_db.close()
    monkeypatch.setattr(keys_dialog.TrustDialog, "exec", _answer(upper_fingerprint))
    outcomes = features.import_decisions(demo_window, [str(sent)])
    assert any("Đăng ký khóa này ngay" in text for kind, text in boxes.shown)
    assert outcomes[0].cells == 1
    award = next(a for a in queries.awards(ward, 2023)
                 if a.cell and a.cell.code == "TDP06" and a.kind == "cell_recognition")
    assert (award.decision_number, award.decision_source) == ("125-QĐ/TU", "upper")


def test_second_backup_folder_from_the_backups_dialog(window, db_path, tmp_path, monkeypatch,
                                                      boxes):
    from chibo4tot_desktop.ops import setup as setup_ops

    monkeypatch.setattr(setup_ops, "same_disk", lambda a, b: False)
    dialog = window.safety_menu.show_backups()
    assert "chưa chọn" in dialog.second_info.text()
    shown = []
    monkeypatch.setattr(dialog, "show_error", shown.append)
    assert dialog.choose_second(str(tmp_path / "khong-co")) is None
    assert "Không có thư mục" in shown[-1]
    usb = tmp_path / "usb"
    usb.mkdir()
    assert dialog.choose_second(str(usb)) == str(usb.resolve())
    assert "có mặt" in dialog.second_info.text()
    info = dialog.backup_second()
    assert info.path.parent == usb.resolve()
    assert any(str(usb.resolve()) in dialog.table.item(r, 3).text()
               for r in range(dialog.table.rowCount()))
    dialog.close()

