"""The papers from the real window: the "Văn bản (Word)" menu, the warning before a paper
without a signer is printed or saved, the signers page of the settings, the decision's place
and signer, the certificate offsets only for pre-printed paper; each window action ends on
the same operation as its command."""

from __future__ import annotations

import datetime as dt

import docx
from PySide6.QtWidgets import QFileDialog

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import update_organisation
from chibo4tot_desktop.timeline import BEGINNING
from chibo4tot_desktop.pdf import certificates as cert
from chibo4tot_desktop.ui import printing
from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog
from chibo4tot_desktop.ui.dialogs.papers_dialog import (
    CertificateSettingsDialog,
    proposal_list_job,
)
from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog
from chibo4tot_desktop.ui.dialogs.word_dialog import save_draft
from chibo4tot_desktop.word.kinds import KINDS
from tests.ui.test_one_door import command, reached  # noqa: F401  (fixture)


def test_the_word_menu_makes_every_draft(demo_window, boxes, tmp_path, monkeypatch):
    labels = [action.text() for action in demo_window.word_menu.actions()]
    assert labels == [f"{label}…" for label in KINDS.values()]
    target = tmp_path / "to-trinh.docx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (
        str(tmp_path / "to-trinh"), ""))
    demo_window.set_year(2023)
    demo_window.word_menu.actions()[0].trigger()
    assert target.exists()
    text = " ".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "TỜ TRÌNH" in text and "Kính trình Ban Thường vụ Thành ủy Hà Tĩnh" in text
    assert boxes.shown[-1] == ("warning", f"Đã lưu {target}")


def test_a_draft_without_a_signer_is_saved_only_if_the_user_agrees(demo_window, boxes,
                                                                    tmp_path):
    office = demo_window.office
    update_organisation(office, valid_from=BEGINNING, proposal_signer_name="")
    boxes.answer = boxes.answer.No
    assert save_draft(demo_window, office, "review-report", 2023, str(tmp_path / "a.docx")) \
        is None
    assert "chưa có họ tên người ký" in boxes.shown[-1][1] and boxes.shown[-1][0] == "question"
    assert not (tmp_path / "a.docx").exists()
    boxes.answer = boxes.answer.Yes
    assert save_draft(demo_window, office, "review-report", 2023, str(tmp_path / "a.docx"))
    assert save_draft(demo_window, office, "submission", 2026, str(tmp_path / "b.docx")) is None
    assert boxes.shown[-1] == ("warning", "Năm 2026 chưa có đề nghị khen thưởng nào.")
    assert not (tmp_path / "b.docx").exists()


def test_printing_a_list_without_a_signer_asks_first(demo_window, boxes, monkeypatch):
    office = demo_window.office
    update_organisation(office, valid_from=BEGINNING, proposal_signer_name="")
    shown = []
    monkeypatch.setattr(printing.PaperJob, "preview_dialog",
                        lambda self, parent=None: shown.append(self) or None)
    boxes.answer = boxes.answer.No
    job = proposal_list_job(office, 2023)
    printing.preview(demo_window, job)
    assert shown == [] and "Danh sách đề nghị chưa có họ tên người ký" in boxes.shown[-1][1]
    boxes.answer = boxes.answer.Yes
    job = proposal_list_job(office, 2023)
    printing.preview(demo_window, job)
    printing.preview(demo_window, job)           # asked once per paper
    assert len(shown) == 2 and sum(kind == "question" for kind, _ in boxes.shown) == 2


def test_the_signers_page_saves_through_the_same_operation_as_the_command(
        demo_window, db_path, reached):  # noqa: F811
    dialog = SettingsDialog(demo_window.office, 2023, demo_window)
    dialog.paper_edits["proposal_signer_name"].setText("Trần Văn Mới")
    dialog.paper_edits["proposal_signer_title"].setText("Phó Bí thư Thường trực")
    dialog.accept()
    # The page edits the identity version in force today; the earlier versions keep theirs.
    latest = queries.identity_on(demo_window.office, None)
    assert (latest.proposal_signer_title, latest.proposal_signer_name) == \
        ("Phó Bí thư Thường trực", "Trần Văn Mới")
    assert queries.identity_on(demo_window.office,
                               dt.date(2023, 12, 15)).proposal_signer_name == "Lê Văn Quang"
    command(db_path, "settings", "set", "proposal.signer_name=Lê Thị Thanh Hà")
    assert reached[-2:] == ["setup.save_setup", "setup.save_setup"]
    dialog = SettingsDialog(demo_window.office, 2023, demo_window)
    assert dialog.paper_edits["proposal_signer_name"].text() == "Lê Thị Thanh Hà"
    dialog.paper_edits["proposal_signer_name"].setText("Lê 🙂")
    dialog.accept()
    assert "U+1F642" in dialog.error_label.text()
    assert queries.identity_on(demo_window.office, None).proposal_signer_name == "Lê Thị Thanh Hà"


def test_the_signers_page_and_the_identity_table_are_one(demo_window):
    dialog = SettingsDialog(demo_window.office, 2023, demo_window)
    last = dialog.identity_table.columnCount() - 1
    row = dialog.identity_rows.index("proposal_signer_name")
    dialog.identity_table.item(row, last).setText("Phan Văn Bảy")
    assert dialog.paper_edits["proposal_signer_name"].text() == "Phan Văn Bảy"
    assert dialog.add_identity_version("01/01/2027")
    dialog.paper_edits["proposal_signer_name"].setText("Đinh Văn Tám")
    assert dialog.identity_table.item(row, last + 1).text() == "Đinh Văn Tám"
    assert dialog.identity_table.item(row, last).text() == "Phan Văn Bảy"
    assert "01/01/2027" in dialog.papers_since.text()


def test_the_decision_dialog_records_place_and_signer(demo_window, boxes):
    from chibo4tot_desktop.ops.awards import clear_decision

    office = demo_window.office
    decided = next(a for a in queries.awards(office, 2023) if a.kind == "merit")
    assert DecisionDialog(office, decided, "", demo_window).place.text() == "Hà Tĩnh"
    award = clear_decision(office, decided.id)
    dialog = DecisionDialog(office, award, "Ban Thường vụ Thành ủy Hà Tĩnh", demo_window)
    # No date yet: the signer of the identity in force today; with the decision's date typed,
    # the one in force that day.
    assert dialog.place.text() == "Hà Tĩnh" and dialog.signer_name.text() == "Trần Thế Dũng"
    dialog.date.setText("12/01/2024")
    dialog.date.textEdited.emit("12/01/2024")
    assert dialog.signer_name.text() == "Nguyễn Văn Thành"
    assert dialog.signer_title.text() == "PHÓ BÍ THƯ THƯỜNG TRỰC"
    dialog.issuer.setText("")
    dialog.issuer.textEdited.emit("Ban Thường vụ Tỉnh ủy Nghệ An")
    assert dialog.place.text() == "Nghệ An"          # follows the issuer until typed
    dialog.issuer.setText("Ban Thường vụ Tỉnh ủy Nghệ An")
    dialog.signer_name.setText("Hoàng Văn Tư")
    dialog.number.setText("9-QĐ/TU")
    dialog.date.setText("05/02/2024")
    dialog.accept()
    saved = next(a for a in queries.awards(office, 2023) if a.id == award.id)
    assert (saved.decision_place, saved.signer_name, saved.decision_date) == \
        ("Nghệ An", "Hoàng Văn Tư", dt.date(2024, 2, 5))


def test_offsets_are_for_preprinted_paper_only(demo_window):
    dialog = CertificateSettingsDialog(demo_window.office, demo_window)
    assert not dialog.offset_x.isEnabled() and not dialog.offset_y.isEnabled()
    dialog.paper.setCurrentIndex(dialog.paper.findData(cert.PAPER_PREPRINTED))
    assert dialog.offset_x.isEnabled() and dialog.offset_y.isEnabled()
    assert dialog.edits["lead_word_recognition"].text() == "Chứng nhận"
