"""Papers the head of the office signs as printed: the typesetting of the PDFs (signature
kept with the end of the list, signer lines inside their column, 30 mm to sign, nothing off
the page), each award's own issuer, place, date and signer, the lead word per kind, embedded
fonts, file permissions, and the input the papers can print (the fonts' characters, the
titles of the list)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3

import pytest
from sqlalchemy import text

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.engine import make_engine, open_database, run_migrations
from chibo4tot_desktop.db.models import AwardKind
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import Office, checks, queries
from chibo4tot_desktop.ops.awards import decision_defaults, propose, record_decision
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.setup import SetupChanges, save_setup, set_settings, update_organisation
from chibo4tot_desktop.pdf import certificates as cert
from chibo4tot_desktop.pdf.document import SIGNATURE_ROOM
from chibo4tot_desktop.pdf.forms import proposal_list, registration_form, write_proposal_list
from chibo4tot_desktop.pdf.layout import MM, Page, Paper, Text, measure, off_page
from chibo4tot_desktop.pdf.render import write_paper
from chibo4tot_desktop.text import place_of_issuer
from tests.builders import qualifying_cell
from tests.office_suite import fonts, needs_poppler, page_count, page_lines, words

A4_W, A4_H = 595.28, 841.89
RIGHT_MARGIN = 15 * MM


# ------------------------------------------------------------------------------- input
@pytest.mark.parametrize("typed", ["Chi bộ 😀 Tổ 6", "Chi bộ\u200d🎉", "Chi bộ \U0001F1FB\U0001F1F3"])
def test_characters_the_fonts_lack_are_refused_with_the_character_named(office, typed):
    with pytest.raises(ValidationError) as raised:
        add_cell(office, "A", typed)
    message = str(raised.value)
    assert "Tên chi bộ có ký tự" in message and "U+1F" in message and raised.value.field == "name"
    assert queries.cells(office) == []


def test_vietnamese_and_the_papers_punctuation_are_accepted(office):
    name = "Chi bộ Khối phố “Đông” – Tổ 6 (A&B) <x> 50% ỹ Ỹ ự Ự"
    assert add_cell(office, "A", name).name == name


def test_every_printed_text_is_checked(office):
    cell = add_cell(office, "A", "Chi bộ A", secretary="Trần Văn Bình")
    bad = "Cam kết ✅"
    with pytest.raises(ValidationError, match="Chỉ tiêu, cam kết nhóm 2 có ký tự “✅”"):
        save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5),
                          commitment_2=bad)
    with pytest.raises(ValidationError, match="Tên bí thư"):
        update_cell(office, cell.id, secretary="Bình 👍")
    with pytest.raises(ValidationError, match="Họ tên người ký danh sách đề nghị có ký tự"):
        save_setup(office, SetupChanges(organisation={"proposal_signer_name": "Lê Văn Quang 🙂"}))
    with pytest.raises(ValidationError, match="certificate.wording_merit' có ký tự “🙂”"):
        set_settings(office, {"certificate.wording_merit": "Giấy khen 🙂"})
    with pytest.raises(ValidationError, match="Họ tên người ký"):
        cert.save_settings(office, signer_name="Nguyễn Văn Thành \u2603\ufe0f")
    with pytest.raises(ValidationError, match=r"U\+0007"):
        checks.optional("chuông\x07", "tên", "name")
    assert queries.identity_on(office, None).proposal_signer_name == ""
    assert queries.setting(office, "certificate.wording_merit") == ""


def test_decision_signer_is_checked(office):
    cell = qualifying_cell(office)
    award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    with pytest.raises(ValidationError, match="Họ tên người ký quyết định"):
        record_decision(office, [award.id], decision_number="1-QĐ/TU",
                        decision_date=dt.date(2024, 1, 5), issuer="Ban Thường vụ Tỉnh ủy",
                        signer_name="Ký 🖊")
    assert not queries.awards(office, 2023)[0].is_decided


def test_registration_titles_only_from_the_list(office):
    cell = add_cell(office, "A", "Chi bộ A")
    with pytest.raises(ValidationError, match="“Chi bộ 5 tốt” không có trong danh sách"):
        save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5),
                          title="Chi bộ 5 tốt")
    saved = save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5),
                              title="  chi bộ 4 TỐT ")
    assert saved.title == "Chi bộ 4 tốt"


# --------------------------------------------------------------------- decisions' signers
def test_place_of_issuer():
    assert place_of_issuer("Ban Thường vụ Thành ủy Hà Tĩnh") == "Hà Tĩnh"
    assert place_of_issuer("BAN THƯỜNG VỤ TỈNH ỦY HÀ TĨNH") == "Hà Tĩnh"
    assert place_of_issuer("Đảng ủy phường Tân Giang") == "Tân Giang"
    assert place_of_issuer("Ban Thường vụ Tỉnh ủy") == ""
    assert place_of_issuer("Hội đồng Thi đua") == ""


def test_a_decision_records_its_place_and_signer(office):
    cert.save_settings(office, signer_title="Phó Bí thư Thường trực", signer_name="Hồ Văn An")
    first, second = qualifying_cell(office, "A"), qualifying_cell(office, "B")
    awards = [propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
              for cell in (first, second)]
    assert decision_defaults(office, "Ban Thường vụ Thành ủy Hà Tĩnh").place == "Hà Tĩnh"
    decided = record_decision(office, [awards[0].id], decision_number="10-QĐ/Th.U",
                              decision_date=dt.date(2024, 1, 5),
                              issuer="Ban Thường vụ Thành ủy Hà Tĩnh")
    assert (decided[0].decision_place, decided[0].signer_title, decided[0].signer_name) == \
        ("Hà Tĩnh", "Phó Bí thư Thường trực", "Hồ Văn An")
    decided = record_decision(office, [awards[1].id], decision_number="3-QĐ/TU",
                              decision_date=dt.date(2024, 2, 1), issuer="Ban Thường vụ Tỉnh ủy",
                              place="Hà Tĩnh", signer_title="Bí thư", signer_name="Trần Thế Dũng")
    assert decided[0].signer_name == "Trần Thế Dũng"
    # Changing the settings later does not change what the decisions recorded.
    cert.save_settings(office, signer_name="Người Khác")
    certificates, settings = cert.year_certificates(office, 2023)
    assert [(c.place_date, c.signer_title, c.signer_name) for c in certificates] == [
        ("Hà Tĩnh, ngày 05 tháng 01 năm 2024", "Phó Bí thư Thường trực", "Hồ Văn An"),
        ("Hà Tĩnh, ngày 01 tháng 02 năm 2024", "Bí thư", "Trần Thế Dũng")]
    assert [c.issuer for c in certificates] == ["Ban Thường vụ Thành ủy Hà Tĩnh",
                                                "Ban Thường vụ Tỉnh ủy"]
    from chibo4tot_desktop.ops.awards import clear_decision

    cleared = clear_decision(office, awards[0].id)
    assert (cleared.decision_place, cleared.signer_title, cleared.signer_name) == ("", "", "")


def test_cli_decide_records_place_and_signer(demo_office, db_path, capsys):
    assert main(["awards", "decide", "--data", str(db_path), "--year", "2023", "--kind",
                 "merit", "--cell", "TDP06", "--number", "7-QĐ/TU", "--date", "02/02/2024",
                 "--issuer", "Ban Thường vụ Tỉnh ủy Hà Tĩnh", "--signer-title", "Bí thư",
                 "--signer-name", "Trần Thế Dũng"]) == 0
    assert "người ký: Bí thư Trần Thế Dũng" in capsys.readouterr().out
    award = next(a for a in queries.awards(demo_office, 2023)
                 if a.kind == AwardKind.MERIT.value and a.cell.code == "TDP06")
    assert (award.decision_place, award.signer_name) == ("Hà Tĩnh", "Trần Thế Dũng")


def test_files_of_the_previous_schema_keep_what_their_certificates_printed(tmp_path):
    """A data file of the schema before this one: its decided awards get the signer their
    certificates printed then, and the issuer's place."""
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    run_migrations(engine, "0002_i8")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organisations (id, code, name, upper_body, place_name, created_at) "
            "VALUES (1, 'TG', 'Đảng bộ phường Tân Giang', 'Thành ủy Hà Tĩnh', 'Tân Giang', "
            "'2023-01-01 00:00:00')"))
        connection.execute(text(
            "INSERT INTO settings (organisation_id, key, value) VALUES "
            "(1, 'certificate.signer_title', 'PHÓ BÍ THƯ THƯỜNG TRỰC'), "
            "(1, 'certificate.signer_name', 'Nguyễn Văn Thành')"))
        connection.execute(text(
            "INSERT INTO awards (id, organisation_id, cell_id, year, kind, proposed_on, "
            "decision_number, decision_date, issuer, register_number, notes, version) VALUES "
            "(1, 1, NULL, 2023, 'org_recognition', '2023-12-15', '1252-QĐ/Th.U', '2024-01-12', "
            "'Ban Thường vụ Thành ủy Hà Tĩnh', '15/2023', '', 1), "
            "(2, 1, NULL, 2023, 'merit', '2023-12-15', '', NULL, '', '', 'chờ', 1)"))
    engine.dispose()
    db = open_database(path)
    try:
        rows = {award.id: award for award in queries.awards(Office(db), 2023)}
        assert (rows[1].decision_place, rows[1].signer_title, rows[1].signer_name) == \
            ("Hà Tĩnh", "PHÓ BÍ THƯ THƯỜNG TRỰC", "Nguyễn Văn Thành")
        assert (rows[1].decision_number, rows[1].register_number) == ("1252-QĐ/Th.U", "15/2023")
        assert (rows[2].decision_place, rows[2].signer_name, rows[2].notes) == ("", "", "chờ")
    finally:
        db.close()
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_files_of_dated_history_keep_the_signer_of_their_decisions_date(tmp_path):
    """A data file of the schema before this one with two identity versions: each decided
    award gets the signer and place of the version in force on its decision's date."""
    path = tmp_path / "dated.sqlite3"
    engine = make_engine(path)
    run_migrations(engine, "0004_dated_history")
    identity = ("INSERT INTO organisation_identities (organisation_id, valid_from, name, "
                "upper_body, place_name, upper_party_body, issuer, decision_issuer, "
                "certificate_place, certificate_signer_title, certificate_signer_name, "
                "proposal_signer_title, proposal_signer_name, version) VALUES "
                "(1, :day, 'Đảng bộ phường X', :upper, 'X', '', '', '', :place, :title, "
                ":name, '', '', 1)")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organisations (id, code, name, upper_body, place_name, created_at) "
            "VALUES (1, 'X', 'Đảng bộ phường X', 'Tỉnh ủy Hà Tĩnh', 'X', "
            "'2023-01-01 00:00:00')"))
        connection.execute(text(identity), {
            "day": "1900-01-01", "upper": "Thành ủy Hà Tĩnh", "place": "",
            "title": "PHÓ BÍ THƯ THƯỜNG TRỰC", "name": "Nguyễn Văn Thành"})
        connection.execute(text(identity), {
            "day": "2025-07-01", "upper": "Tỉnh ủy Hà Tĩnh", "place": "Hà Tĩnh",
            "title": "PHÓ BÍ THƯ TỈNH ỦY", "name": "Trần Thế Dũng"})
        connection.execute(text(
            "INSERT INTO awards (id, organisation_id, cell_id, year, kind, proposed_on, "
            "decision_number, decision_date, issuer, register_number, notes, version) VALUES "
            "(1, 1, NULL, 2023, 'org_recognition', '2023-12-15', '1252-QĐ/Th.U', '2024-01-12', "
            "'Ban Thường vụ Thành ủy Hà Tĩnh', '15/2023', '', 1), "
            "(2, 1, NULL, 2025, 'org_recognition', '2025-12-15', '88-QĐ/TU', '2026-01-20', "
            "'Ban Thường vụ Tỉnh ủy', '3/2025', '', 1)"))
    engine.dispose()
    db = open_database(path)
    try:
        office = Office(db)
        first, = queries.awards(office, 2023)
        second, = queries.awards(office, 2025)
        assert (first.decision_place, first.signer_title, first.signer_name) == \
            ("Hà Tĩnh", "PHÓ BÍ THƯ THƯỜNG TRỰC", "Nguyễn Văn Thành")
        # The issuer names no place: the certificates' place of the version of its date.
        assert (second.decision_place, second.signer_title, second.signer_name) == \
            ("Hà Tĩnh", "PHÓ BÍ THƯ TỈNH ỦY", "Trần Thế Dũng")
    finally:
        db.close()


def test_a_new_decisions_defaults_are_those_of_its_date(demo_office):
    """The demo's identity changed with the ward merger of 1 July 2025."""
    issuer = "Ban Thường vụ Tỉnh ủy Hà Tĩnh"
    before = decision_defaults(demo_office, issuer, dt.date(2024, 1, 12))
    after = decision_defaults(demo_office, issuer, dt.date(2026, 1, 20))
    assert (before.place, before.signer_name) == ("Hà Tĩnh", "Nguyễn Văn Thành")
    assert (after.signer_title, after.signer_name) == ("PHÓ BÍ THƯ TỈNH ỦY", "Trần Thế Dũng")
    merit = next(a for a in queries.awards(demo_office, 2023) if a.kind == "merit")
    from chibo4tot_desktop.ops.awards import clear_decision

    clear_decision(demo_office, merit.id)
    decided, = record_decision(demo_office, [merit.id], decision_number="9-QĐ/Th.U",
                               decision_date=dt.date(2024, 1, 12),
                               issuer="Ban Thường vụ Thành ủy Hà Tĩnh")
    assert decided.signer_name == "Nguyễn Văn Thành"


def test_a_decision_that_recorded_no_signer_prints_the_identity_of_its_date(demo_office):
    """Not today's signer: a 2023 certificate keeps the authority of 2023."""
    from chibo4tot_desktop.ops.awards import clear_decision

    merit = next(a for a in queries.awards(demo_office, 2023) if a.kind == "merit")
    clear_decision(demo_office, merit.id)
    record_decision(demo_office, [merit.id], decision_number="9-QĐ/Th.U",
                    decision_date=dt.date(2024, 1, 12), issuer="Ban Thường vụ Thành ủy Hà Tĩnh",
                    place="", signer_title="", signer_name="")
    certificates, settings = cert.award_certificates(
        demo_office, [a for a in queries.awards(demo_office, 2023) if a.id == merit.id])
    page = cert.certificate_page(certificates[0], settings)
    texts = [t.text for t in page.texts()]
    assert "Nguyễn Văn Thành" in texts and "Trần Thế Dũng" not in texts
    assert "PHÓ BÍ THƯ THƯỜNG TRỰC" in texts
    assert "Hà Tĩnh, ngày 12 tháng 01 năm 2024" in texts       # the issuer's place
    assert cert.certificates_paper(certificates, settings, "x").problems() == []


def test_each_list_prints_the_signer_of_its_date(demo_office):
    """The demo's 2023 list is signed by Tân Giang's secretary, 2025's by Thành Sen's."""
    for year, signer, committee in ((2023, "Lê Văn Quang", "ĐẢNG ỦY PHƯỜNG TÂN GIANG"),
                                    (2025, "Lê Thị Thanh Hà", "ĐẢNG ỦY PHƯỜNG THÀNH SEN")):
        texts = " ".join(t.text for page in proposal_list(demo_office, year).pages
                         for t in page.texts())
        assert signer in texts and committee in texts, year


# ------------------------------------------------------------------------ certificates
def test_certificate_prints_its_decisions_place_issuer_signer_and_lead_word(demo_office):
    certificates, settings = cert.year_certificates(demo_office, 2023, ["TDP06"])
    for certificate in certificates:
        page = cert.certificate_page(certificate, settings)
        texts = [t.text for t in page.texts()]
        assert "Hà Tĩnh, ngày 12 tháng 01 năm 2024" in texts            # the issuer's place
        assert "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH" in texts
        assert "Nguyễn Văn Thành" in texts
        if certificate.kind is AwardKind.MERIT:
            assert "GIẤY KHEN" in texts and "Tặng" in texts and "Chứng nhận" not in texts
        else:
            assert "GIẤY CHỨNG NHẬN" in texts and "Chứng nhận" in texts
            assert "Tặng" not in texts


def _signature_room(page: Page, name: str) -> tuple[float, Text, list[Text]]:
    """(room between the signer's title and the name, the name's first line, title lines)."""
    items = page.texts()
    name_lines = [t for t in items if t.text and t.text in name]
    first = min(name_lines, key=lambda t: t.y)
    above = [t for t in items if t.x > page.width / 2 - 10 and t.y < first.y and t.y > 380
             and t.style == "bold"]
    lowest = max(above, key=lambda t: t.y)
    return (first.y - first.size * 0.8) - (lowest.y + lowest.size * 0.25), first, above


def test_long_certificate_settings_keep_30_mm_to_sign_and_shrink_the_body(office):
    cell = qualifying_cell(office, "A", "Chi bộ Trường Trung học cơ sở Nguyễn Thị Minh Khai "
                                        "phường Tân Giang")
    award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    title = ("Phó Bí thư Thường trực Thành ủy kiêm Chủ tịch Hội đồng nhân dân thành phố, "
             "Trưởng Ban Chỉ đạo phong trào thi đua của thành phố")
    name = "Nguyễn Thị Minh Khai Phương Thảo Hoàng Lê Trần Phạm Huỳnh Võ Đặng Bùi Đỗ Hồ"
    record_decision(office, [award.id], decision_number="5-QĐ/Th.U",
                    decision_date=dt.date(2024, 1, 5), issuer="Ban Thường vụ Thành ủy Hà Tĩnh",
                    signer_title=title, signer_name=name)
    settings = cert.save_settings(office, on_behalf="T/M BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH KHÓA XX")
    certificates, settings = cert.year_certificates(office, 2023)
    paper = cert.certificates_paper(certificates, settings, "x")
    page = paper.pages[0]
    room, first_name_line, _ = _signature_room(page, name)
    assert room >= 30 * MM - 0.5
    assert first_name_line.size >= 12
    for item in page.texts():
        if item.x > page.width / 2:            # the signature column stays in its column
            assert item.x >= cert.RIGHT_CENTRE - cert.SIGNER_WIDTH / 2 - 0.5
            assert item.x + measure(item.text, item.style, item.size) <= \
                cert.RIGHT_CENTRE + cert.SIGNER_WIDTH / 2 + 0.5
    words_printed = " ".join(t.text for t in page.texts())
    assert all(word in words_printed for word in name.split())
    assert paper.problems() == []


def test_offsets_move_the_text_on_preprinted_paper_only(demo_office):
    certificates, settings = cert.year_certificates(demo_office, 2023, ["TDP01"])
    plain = cert.certificate_page(certificates[0], settings)
    moved = cert.save_settings(demo_office, offset_x_mm=10, offset_y_mm=-5)
    assert cert.certificate_page(certificates[0], moved).items == plain.items
    assert off_page([plain]) == []
    far = cert.save_settings(demo_office, paper="preprinted", offset_x_mm=50, offset_y_mm=50)
    paper = cert.certificates_paper(certificates, far, "x")
    problems = paper.problems()
    assert problems and "ngoài vùng in được" in problems[0]
    near = cert.save_settings(demo_office, offset_x_mm=3, offset_y_mm=-2)
    assert cert.certificates_paper(certificates, near, "x").problems() == []


def test_certificates_without_a_signer_warn_and_the_command_asks_for_force(
        office, db_path, tmp_path, capsys):
    cell = qualifying_cell(office)
    award = propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value)
    record_decision(office, [award.id], decision_number="5-QĐ/Th.U",
                    decision_date=dt.date(2024, 1, 5), issuer="Ban Thường vụ Thành ủy Hà Tĩnh")
    target = tmp_path / "gk.pdf"
    assert main(["certificates", "--data", str(db_path), "--year", "2023", str(target)]) == 2
    err = capsys.readouterr().err
    assert "Cảnh báo: 1 giấy chưa có họ tên người ký" in err and "--force" in err
    assert not target.exists()
    assert main(["certificates", "--data", str(db_path), "--year", "2023", str(target),
                 "--force"]) == 0
    assert target.exists()


# ------------------------------------------------------------------------ proposal list
def _proposals(office, count: int) -> None:
    for n in range(1, count + 1):
        cell = qualifying_cell(office, f"C{n:02d}", f"Chi bộ Tổ dân phố {n}", members=20 + n)
        propose(office, cell.id, 2023, AwardKind.CELL_RECOGNITION.value, dt.date(2023, 12, 2))


@needs_poppler
@pytest.mark.parametrize("count", [16, 17, 18, 19, 20, 21, 22, 24, 60])
def test_the_end_of_the_proposal_list_stays_with_its_signature(office, tmp_path, count):
    _proposals(office, count)
    update_organisation(office, proposal_signer_name="Lê Văn Quang",
                        proposal_signer_title="Phó Bí thư Thường trực Đảng ủy")
    target = tmp_path / "ds.pdf"
    pages = write_proposal_list(office, 2023, target, date=dt.date(2023, 12, 5))
    last = page_lines(target, pages)
    assert "Lê Văn Quang" in last and "T/M BAN THƯỜNG VỤ" in last
    assert any(line.startswith("Tổng cộng") for line in last)
    assert f"Chi bộ Tổ dân phố {count}" in " ".join(last)          # with the last rows
    assert f"Chi bộ Tổ dân phố {count - 1}" in " ".join(last)
    for page in range(1, pages + 1):   # no page holds the signature alone
        lines = page_lines(target, page)
        assert any("Chi bộ Tổ dân phố" in line for line in lines), page
        for x0, y0, x1, y1, _ in words(target, page):
            assert x1 <= A4_W - RIGHT_MARGIN + 1 and y1 <= A4_H - 15 * MM


def test_signer_lines_wrap_or_shrink_inside_their_column(office):
    _proposals(office, 3)
    title = ("Phó Bí thư Thường trực Đảng ủy kiêm Chủ tịch Hội đồng nhân dân phường, Trưởng "
             "Ban Chỉ đạo phong trào thi đua")
    name = "Nguyễn Thị Minh Khai Phương Thảo Hoàng Lê Trần Phạm Huỳnh Võ Đặng Bùi Đỗ Hồ Ngô"
    update_organisation(office, proposal_signer_title=title, proposal_signer_name=name)
    paper = proposal_list(office, 2023)
    page = paper.pages[-1]
    column_left = page.width - RIGHT_MARGIN - 85 * MM
    signer = [t for t in page.texts() if t.style == "bold" and t.x >= column_left - 1
              and t.y > 200]
    assert signer
    for item in signer:
        assert item.x + measure(item.text, item.style, item.size) <= page.width - RIGHT_MARGIN + .5
        assert item.size >= 12
    printed = " ".join(t.text for t in signer)
    assert all(word in printed for word in title.upper().split() + name.split())
    names = [t for t in signer if t.text in name]
    titles = [t for t in signer if t.text in title.upper()]
    assert min(t.y - t.size * 0.8 for t in names) - max(t.y for t in titles) >= SIGNATURE_ROOM
    recipients = [t for t in page.texts() if t.text.startswith(("- ", "Nơi nhận"))]
    assert len(recipients) >= 3
    assert all(t.x + measure(t.text, t.style, t.size) < column_left for t in recipients)
    assert paper.problems() == []


def test_a_list_without_a_signer_warns_before_it_is_written(office, db_path, tmp_path, capsys):
    _proposals(office, 2)
    assert proposal_list(office, 2023).problems() == [
        "Danh sách đề nghị chưa có họ tên người ký (đặt ở Thiết lập > Giấy tờ, người ký, "
        "hoặc lệnh: settings set proposal.signer_name=\"Họ và tên\")."]
    target = tmp_path / "d.pdf"
    assert main(["proposal-list", "--data", str(db_path), "--year", "2023", str(target)]) == 2
    assert "Cảnh báo: Danh sách đề nghị chưa có họ tên người ký" in capsys.readouterr().err
    assert not target.exists()
    assert main(["settings", "set", "--data", str(db_path),
                 "proposal.signer_name=Lê Văn Quang"]) == 0
    assert main(["proposal-list", "--data", str(db_path), "--year", "2023", str(target)]) == 0


# ------------------------------------------------------------------------ the form
@needs_poppler
def test_a_long_signer_name_on_the_form_is_wrapped_inside_the_page(office, tmp_path):
    name = ("Nguyễn Thị Minh Khai Phương Thảo Hoàng Lê Trần Phạm Huỳnh Võ Đặng Bùi Đỗ Hồ Ngô "
            "Dương Lý Phan")[:85]
    cell = add_cell(office, "A", "Chi bộ A", secretary=name)
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 5), signer=name)
    paper = registration_form(office, 2023, "A")
    target = tmp_path / "f.pdf"
    write_paper(paper, target)
    printed = " ".join(page_lines(target, page_count(target)))
    assert all(word in printed for word in name.split())
    for x0, y0, x1, y1, _ in words(target, page_count(target)):
        assert x1 <= A4_W - RIGHT_MARGIN + 1
    assert paper.problems() == []


@needs_poppler
@pytest.mark.parametrize("lines", range(14, 30, 3))
def test_the_form_signature_never_stands_alone(office, tmp_path, lines):
    cell = add_cell(office, "A", "Chi bộ A", secretary="Phan Văn Long")
    long_text = "\n".join(f"Chỉ tiêu số {n}: tổ chức thực hiện tốt các nhiệm vụ chính trị "
                          "được giao, bảo đảm chất lượng." for n in range(lines))
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 9),
                      commitment_1=long_text, commitment_2="Sinh hoạt đủ 12 kỳ.",
                      commitment_3="Đoàn kết.", commitment_4=long_text)
    target = tmp_path / "f.pdf"
    write_paper(registration_form(office, 2023, "A"), target)
    last = page_lines(target, page_count(target))
    assert "T/M CHI BỘ" in last
    assert any("cam kết lãnh đạo" in line or "đã đăng ký" in line for line in last)


def test_an_empty_signer_on_a_filled_form_warns(office):
    cell = add_cell(office, "A", "Chi bộ A")
    save_registration(office, cell.id, 2023, received_on=dt.date(2023, 3, 9))
    assert "chưa có họ tên bí thư ký" in registration_form(office, 2023, "A").problems()[0]
    assert registration_form(office, 2023, "A", blank=True).problems() == []


def test_text_off_the_page_is_found():
    page = Page(A4_W, A4_H)
    page.text(20 * MM, 100, "trong trang")
    assert off_page([page]) == []
    page.text(A4_W - 20, 300, "Nguyễn Văn Thành ký tên ở mép phải")
    page.text(40, A4_H - 2, "dưới đáy")
    problems = Paper([page], "x").problems()
    assert len(problems) == 1 and "Trang 1" in problems[0]
    assert "Nguyễn Văn Thành" in problems[0] and "dưới đáy" in problems[0]


# ------------------------------------------------------------------- fonts, permissions
@needs_poppler
def test_every_pdf_embeds_every_font_it_uses(demo_office, tmp_path):
    targets = [tmp_path / name for name in ("gk.pdf", "f.pdf", "ds.pdf")]
    cert.write_certificates(demo_office, 2023, targets[0], ["TDP06"])
    write_paper(registration_form(demo_office, 2023, "TDP06"), targets[1])
    write_proposal_list(demo_office, 2023, targets[2])
    for target in targets:
        used = fonts(target)
        assert used and all(embedded for _, embedded in used), (target.name, used)
        assert not any("Helvetica" in name for name, _ in used)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_papers_get_the_permissions_of_an_ordinary_file(demo_office, tmp_path):
    from chibo4tot_desktop.excel.exports import export
    from chibo4tot_desktop.word.drafts import draft

    umask = os.umask(0o022)
    os.umask(umask)
    files = [tmp_path / "a.pdf", tmp_path / "b.xlsx", tmp_path / "c.docx"]
    write_proposal_list(demo_office, 2023, files[0])
    export(demo_office, "proposals", 2023, files[1])
    draft(demo_office, "submission", 2023).save(files[2])
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask, path.name


def test_printed_settings_are_saved_through_the_one_door(office):
    save_setup(office, SetupChanges(organisation={"proposal_signer_title": "  Phó   Bí thư ",
                                                  "proposal_signer_name": "Lê Văn Quang"}))
    assert queries.identity_on(office, None).proposal_signer_title == "Phó Bí thư"
    with pytest.raises(ValidationError, match="dài quá 300"):
        update_organisation(office, proposal_signer_title="x" * 301)
    with pytest.raises(ValidationError, match="thuộc tên gọi theo thời gian"):
        set_settings(office, {"proposal.signer_title": "Bí thư"})
