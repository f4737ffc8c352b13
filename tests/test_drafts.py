"""Word drafts of the documents around the lists: read back with python-docx (texts, the
36-HD layout, figures from the data), converted by LibreOffice to PDF where it is installed,
and made from the command line."""

from __future__ import annotations

import datetime as dt

import docx
import pytest
from docx.shared import Mm

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.setup import update_organisation
from chibo4tot_desktop.timeline import BEGINNING
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.word.drafts import BUILDERS, draft
from chibo4tot_desktop.word.kinds import KINDS
from tests.office_suite import page_count, page_lines, pdf_text, to_pdf

DATE = dt.date(2023, 12, 20)


def texts(document) -> list[str]:
    """Every paragraph's text, tables' cells included, in document order."""
    result = []
    body = document.element.body
    for child in body.iterchildren():
        if child.tag.endswith("}p"):
            result.append("".join(node.text or "" for node in child.iter()
                                  if node.tag.endswith("}t")))
        elif child.tag.endswith("}tbl"):
            for paragraph in child.iter():
                if paragraph.tag.endswith("}p"):
                    result.append("".join(node.text or "" for node in paragraph.iter()
                                          if node.tag.endswith("}t")))
    return [text for text in result if text.strip()]


def save(demo_office, tmp_path, kind, year, date=DATE):
    path = tmp_path / f"{kind}.docx"
    draft(demo_office, kind, year, date).save(path)
    return path, docx.Document(str(path))


def test_every_kind_has_a_builder():
    assert set(BUILDERS) == set(KINDS)


def test_the_36hd_layout(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "submission", 2023)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.left_margin.mm), round(section.right_margin.mm),
            round(section.top_margin.mm), round(section.bottom_margin.mm)) == (30, 15, 20, 20)
    header = document.tables[0]
    left, right = header.rows[0].cells
    left_texts = [p.text for p in left.paragraphs]
    assert left_texts[:4] == ["ĐẢNG BỘ THÀNH PHỐ HÀ TĨNH", "ĐẢNG ỦY PHƯỜNG TÂN GIANG", "*",
                              "Số     -TTr/ĐU"]
    assert not left.paragraphs[0].runs[0].bold and left.paragraphs[1].runs[0].bold
    party = right.paragraphs[0].runs[0]
    assert right.paragraphs[0].text == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert party.bold and party.underline and party.font.size.pt == 15
    place = next(p for p in right.paragraphs if p.text.startswith("Tân Giang"))
    assert place.text == "Tân Giang, ngày 20 tháng 12 năm 2023" and place.runs[0].italic
    assert all(run.font.name == "Times New Roman" for p in document.paragraphs for run in p.runs)
    signature = next(table for table in document.tables
                     if "Nơi nhận:" in table.rows[0].cells[0].text)
    received, signer = signature.rows[0].cells
    assert received.paragraphs[0].runs[0].underline
    lines = [p.text for p in signer.paragraphs if p.text]
    assert lines == ["T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Lê Văn Quang"]
    room = next(p for p in signer.paragraphs if not p.text)
    assert room.paragraph_format.space_before >= Mm(25)
    assert document.core_properties.title.startswith("Tờ trình đề nghị")


def test_submission_with_its_list(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "submission", 2023)
    lines = texts(document)
    assert "TỜ TRÌNH" in lines and "Kính gửi: Ban Thường vụ Thành ủy Hà Tĩnh" in lines
    body = " ".join(lines)
    assert "có 16 chi bộ trực thuộc tham gia phong trào thi đua, 15 chi bộ đăng ký" in body
    assert "1. Công nhận “Chi bộ 4 tốt” năm 2023 cho 12 chi bộ;" in lines
    assert "2. Tặng Giấy khen cho 02 chi bộ" in body
    assert "3. Công nhận “Đảng bộ cơ sở 4 tốt” năm 2023 cho Đảng bộ phường Tân Giang;" in lines
    assert "DANH SÁCH" in lines
    annex = document.tables[-1]
    assert [cell.text for cell in annex.rows[0].cells][:2] == ["TT", "Tên tổ chức đảng"]
    units = [row.cells[1].text for row in annex.rows[1:]]
    recognised = [a.cell.name for a in queries.awards(demo_office, 2023)
                  if a.kind == "cell_recognition"]
    assert set(recognised) <= set(units) and "Đảng bộ phường Tân Giang" in units
    assert "I. Đề nghị công nhận “Chi bộ 4 tốt”" in [row.cells[0].text for row in annex.rows]


def test_draft_decision_with_its_annex(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "decision", 2023, None)
    lines = texts(document)
    assert lines[:3] == ["THÀNH ỦY HÀ TĨNH", "*", "Số     -QĐ/Th.U"]
    assert "Hà Tĩnh, ngày      tháng      năm" in lines
    assert "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH" in lines and lines.count("QUYẾT ĐỊNH") == 2
    body = " ".join(lines)
    assert "Điều 1. Công nhận “Chi bộ 4 tốt” năm 2023 cho 12 chi bộ" in body
    assert "Điều 4. Văn phòng Thành ủy Hà Tĩnh" in body
    assert "PHÓ BÍ THƯ THƯỜNG TRỰC" in lines and "Nguyễn Văn Thành" in lines
    assert "- Như Điều 4," in lines


def test_review_report_figures_tables_and_pilot_cells(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "review-report", 2023, None)
    lines = texts(document)
    overview = year_overview(demo_office, 2023)
    assert "Tân Giang, ngày 10 tháng 12 năm 2023" in lines
    assert "sơ kết phong trào thi đua xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” năm 2023" \
        in lines
    body = " ".join(lines)
    counts = overview.counts
    assert f"Có {counts['registered']}/{counts['active']} chi bộ đăng ký thi đua" in body
    assert "Chi bộ Tổ dân phố 9" in body                      # the one not registered
    assert f"{counts['qualifying']} chi bộ đạt tiêu chí “Chi bộ 4 tốt”" in body
    assert "- Chi bộ Tổ dân phố 6: 94,5 điểm, xếp loại HTXSNV; đạt “Chi bộ 4 tốt”." in lines
    assert "- Chi bộ Tổ dân phố 12: 94,5 điểm, xếp loại HTXSNV; đạt “Chi bộ 4 tốt”." in lines
    classification = next(t for t in document.tables if t.rows[0].cells[1].text == "Xếp loại")
    rows = {row.cells[1].text: row.cells[2].text for row in classification.rows[1:]}
    assert rows["Hoàn thành xuất sắc nhiệm vụ (HTXSNV)"] == "2"
    results = next(t for t in document.tables if t.rows[0].cells[1].text == "Chi bộ")
    assert len(results.rows) == 1 + counts["active"]
    assert "- Chi bộ Tổ dân phố 8:" in body               # not qualifying, with its reasons
    assert "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM 2024" in lines
    assert "Quyết định số 1250-QĐ/Th.U" in body


def test_final_report_of_the_phase(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "final-report", 2025, None)
    lines = texts(document)
    assert ("tổng kết phong trào thi đua xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai "
            "đoạn 2023 - 2025") in lines
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Nội dung")
    assert [cell.text for cell in table.rows[0].cells] == ["Nội dung", "Năm 2023", "Năm 2024",
                                                          "Năm 2025"]
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    # Each year's own cells (the demo's merger of 2024 and the ward merger of 2025).
    assert rows["Chi bộ tham gia"] == [str(year_overview(demo_office, year).counts["active"])
                                       for year in (2023, 2024, 2025)] == ["16", "16", "18"]
    assert "Năm 2023:" in lines and "Năm 2024:" in lines      # the pilot cells, year by year
    assert "VII. ĐỀ XUẤT, KIẾN NGHỊ" in lines
    warned = draft(demo_office, "final-report", 2024)
    assert "chưa phải năm cuối" in warned.warnings[0]


def test_reminder_to_the_cells_that_have_not_registered(demo_office, tmp_path):
    _, document = save(demo_office, tmp_path, "reminder", 2024, dt.date(2024, 3, 15))
    lines = texts(document)
    assert "V/v đôn đốc đăng ký thi đua xây dựng “Chi bộ 4 tốt” năm 2024" in lines
    assert "Kính gửi: Chi bộ Tổ dân phố 11" in lines
    assert any("Đến ngày 15/03/2024, đã có 15/16 chi bộ gửi bản đăng ký; còn 1 chi bộ chưa "
               "đăng ký: Chi bộ Tổ dân phố 11." in line for line in lines)
    from chibo4tot_desktop.ops.registrations import save_registration

    for state in year_overview(demo_office, 2024).missing:
        save_registration(demo_office, state.cell.id, 2024, received_on=dt.date(2024, 3, 20))
    with pytest.raises(UserError, match="mọi chi bộ đã đăng ký"):
        draft(demo_office, "reminder", 2024)


def test_a_draft_without_a_signer_warns_and_the_command_needs_force(demo_office, db_path,
                                                                   tmp_path, capsys):
    update_organisation(demo_office, valid_from=BEGINNING, proposal_signer_name="")
    assert "chưa có họ tên người ký" in draft(demo_office, "submission", 2023).warnings[0]
    target = tmp_path / "tt.docx"
    assert main(["draft", "submission", "--data", str(db_path), "--year", "2023",
                 str(target)]) == 2
    assert "Cảnh báo: Tờ trình chưa có họ tên người ký" in capsys.readouterr().err
    assert not target.exists()
    assert main(["draft", "submission", "--data", str(db_path), "--year", "2023", "--force",
                 "--date", "20/12/2023", str(target)]) == 0
    assert "Tân Giang, ngày 20 tháng 12 năm 2023" in texts(docx.Document(str(target)))


@pytest.mark.parametrize("argv, message", [
    (["draft", "nothing", "--year", "2023", "x.docx"], "không hợp lệ"),
    (["draft", "submission", "--year", "2026", "x.docx"], "chưa có đề nghị"),
    (["draft", "review-report", "--year", "2023", "x.pdf"], "phải có đuôi .docx"),
    (["draft", "review-report", "--year", "2023", "--date", "31/02/2023", "x.docx"],
     "không tồn tại"),
])
def test_draft_command_bad_input(demo_office, db_path, tmp_path, monkeypatch, capsys, argv,
                                 message):
    monkeypatch.chdir(tmp_path)
    try:
        code = main([*argv, "--data", str(db_path)])
    except SystemExit as exit_:            # argparse refuses a kind it does not know
        code = exit_.code
    assert code == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.docx"))


def test_the_drafts_read_as_printed_in_libreoffice(demo_office, tmp_path):
    paths = [save(demo_office, tmp_path, kind, year, date)[0] for kind, year, date in (
        ("submission", 2023, DATE), ("decision", 2023, None), ("review-report", 2023, None),
        ("final-report", 2025, None), ("reminder", 2024, dt.date(2024, 3, 15)))]
    pdfs = to_pdf(paths, tmp_path)
    for name, pdf in pdfs.items():
        first = page_lines(pdf, 1)
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first, name
        if page_count(pdf) > 1:
            assert page_lines(pdf, 2)[0] == "2", name       # numbered from the second page
    submission = pdf_text(pdfs["submission"])
    assert "Lê Văn Quang" in submission and "DANH SÁCH" in submission
    assert page_count(pdfs["reminder"]) == 1
    # The submission's list starts on a page of its own, after the signature.
    last = page_count(pdfs["submission"])
    assert "DANH SÁCH" in page_lines(pdfs["submission"], 2) or \
        "DANH SÁCH" in page_lines(pdfs["submission"], last)
