"""A data file made before dated history comes forward with nothing lost: every figure,
verdict, paper and list of its years reads as the program printed it then.

``tests/data/file_before_dated_history.sqlite3.gz`` was made by the program at commit 521dcdf
(``make_file_before_dated_history.py``: the demo ward, a registration without its number of
members, a cell dissolved after the 2024 review day, settings for the papers' signers, 2024
proposals); the ``.expected.json.gz`` beside it is what that program printed from it
(``capture_file_figures.py``). ``demo_2023_as_printed.json.gz`` is what the demo ward of that
program printed for 2023: today's demo, which tells the story of the years after, prints 2023
the same way.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from collections import Counter

import pytest
from sqlalchemy import select

from chibo4tot_desktop import timeline
from chibo4tot_desktop.db.engine import HEAD_REVISION, current_revision, open_database
from chibo4tot_desktop.db.models import CatalogueVersion, CriteriaGroup, Registration, Setting
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.safety.check import run_check
from tests.data import capture_file_figures as capture

DATA = capture.Path(__file__).with_name("data")

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None,
                                reason="poppler-utils is needed to read the PDFs back")


def _expected(name: str) -> dict:
    with gzip.open(DATA / name, "rt", encoding="utf-8") as handle:
        return json.load(handle)


def _old_file(tmp_path):
    path = tmp_path / "cu.sqlite3"
    with gzip.open(DATA / "file_before_dated_history.sqlite3.gz", "rb") as source, \
            open(path, "wb") as target:
        shutil.copyfileobj(source, target)
    return path


def _words(text: str) -> Counter:
    return Counter(text.split())


# What the program prints differently on purpose, by list and row (0-based from row 4):
# a year's number of members is the one of that year's registration; a cell that did not
# register that year has none (it printed today's number), and a registration typed without
# it takes the number the cell record held, which its registration form printed.
INTENDED = {
    ("cells-2023", 15): 5, ("cells-2023", 21): 5, ("cells-2024", 16): 5,
    ("cells-2024", 20): 5, ("registrations-2023", 11): 5, ("registrations-2023", 20): 5,
}


# What the papers print differently on purpose since they are typeset like a Party office's
# papers (the program's papers, not the data): a certificate of a decision by the Ban Thường
# vụ Thành ủy Hà Tĩnh is dated at the issuer's place, a Giấy chứng nhận leads with "Chứng
# nhận"; the proposal list keeps its last rows with the signature, so its table's heading is
# repeated on each page it continues on; the Excel proposal list ends with its signature
# block (rows after the old list's last row).
PROPOSAL_HEADING = Counter("TT Tên tổ chức đảng Số đảng viên Tổng điểm Xếp loại Số năm liên "
                           "tục đạt Ghi chú".split())


def _typeset(name: str, old: str, now: str, signer: str = "") -> Counter:
    """The words of ``old`` as the typeset paper ``name`` prints them; ``signer``: a name the
    old program left off the proposal list (the demo's signer, set since)."""
    if name.startswith("certificates"):
        pages = [page.replace("Tặng", "Chứng nhận") if "GIẤY CHỨNG NHẬN" in page else page
                 for page in old.split("\f")]
        return _words("\f".join(pages).replace("Tân Giang, ngày", "Hà Tĩnh, ngày"))
    words = _words(old)
    if name.startswith("proposals"):
        continued = now.rstrip("\f").count("\f")
        for _ in range(continued):
            words += PROPOSAL_HEADING
        words += _words(signer) + _words(CITATION)
    return words


# The lists name the regulation each year is classified under (both years: Quy định 124).
CITATION = ("Xếp loại chất lượng theo Quy định số 124-QĐ/TW ngày 04/10/2023 của Bộ Chính trị "
            "về kiểm điểm và đánh giá, xếp loại chất lượng hằng năm đối với tập thể, cá nhân "
            "trong hệ thống chính trị.")


# Since the rules are kept by year, every verdict lists more than it did: its registration, the
# unit's own score, and the regulation its classification is made under. These lines inform;
# they change no verdict. A decided year keeps the rules it was computed with (no
# registration or self-assessment requirement, the ward's own figure of disciplined members).
INFORMATION = re.compile(r"Đã đăng ký thi đua đúng hạn|Đăng ký thi đua muộn \d+ ngày|"
                         r"Chưa đăng ký thi đua|(Chi bộ|Đảng bộ) tự chấm [\d,]+/100|"
                         r"Chi bộ chưa tự chấm điểm \(tự chấm 0/100\)")
REGULATION = re.compile(r"^Theo Quy định \d+-QĐ/TW: xếp loại ")


def _text_as_then(value):
    """A list's cell as the program wrote it before: the reasons joined with "; " lose the
    informing lines, the classification its regulation; the deadline line its reading."""
    if not isinstance(value, str):
        return value
    value = re.sub(r"(?:(?:Đạt|Chưa đạt): )?(?:" + INFORMATION.pattern + r"); ", "", value)
    value = re.sub(r"Theo Quy định \d+-QĐ/TW: xếp loại ", "Xếp loại ", value)
    return value.replace("Hạn đăng ký: đến hết ngày ", "Hạn đăng ký: ")


def _rows_as_then(rows: list[list]) -> list[list]:
    """The rows of a list without the line naming the year's regulation."""
    return [[_text_as_then(value) for value in row] for row in rows
            if not (row and row[0] == CITATION)]


def _as_printed_then(reasons: list[str]) -> list[str]:
    return [REGULATION.sub("Xếp loại ", line) for line in reasons
            if not INFORMATION.fullmatch(line)]


def _figures_as_then(figures: dict) -> dict:
    figures = json.loads(json.dumps(figures))
    for year in figures.values():
        for cell in year["cells"].values():
            cell["reasons"] = _as_printed_then(cell["reasons"])
        year["org_reasons"] = _as_printed_then(year["org_reasons"])
    return figures


def _compare(expected: dict, now: dict, signer: str = "", story: dict | None = None,
             story_words: dict | None = None) -> None:
    """``story``: (list, sheet, row) -> columns the demo changes on purpose; ``story_words``:
    paper -> (words it no longer prints, words it prints instead) on purpose."""
    story, story_words = story or {}, story_words or {}
    assert _figures_as_then(now["figures"]) == expected["figures"]
    for name, text in expected["papers"].items():
        words = _typeset(name, text, now["papers"][name], signer)
        if name in story_words:
            gone, instead = (_words(part) for part in story_words[name])
            assert not gone - words, name
            words = words - gone + instead
        assert _words(now["papers"][name]) == words, name
    for name, sheets in expected["excel"].items():
        for sheet, rows in sheets.items():
            new_rows = _rows_as_then(now["excel"][name][sheet])
            for index, (old, new) in enumerate(zip(rows, new_rows)):
                column = INTENDED.get((name, index))
                if column is not None:
                    old, new = old[:column] + old[column + 1:], new[:column] + new[column + 1:]
                skipped = story.get((name, sheet, index), ())
                if skipped:
                    assert any(old[c] != new[c] for c in skipped), (name, sheet, index)
                    old = [v for c, v in enumerate(old) if c not in skipped]
                    new = [v for c, v in enumerate(new) if c not in skipped]
                assert new == old, (name, sheet, index)
            if name.startswith("proposals"):
                added = [value for row in new_rows[len(rows):] for value in row if value]
                assert "T/M BAN THƯỜNG VỤ" in added and "Nơi nhận:" in added, name
            else:
                assert len(new_rows) == len(rows), (name, sheet)


# The lists of undecided 2024 where the ward's result is corrected: (list, sheet, row, text).
CORRECTED_2024 = (
    ("scores-2024", "Chấm điểm đảng bộ", 21, "Xếp loại: HTTNV"),
    ("summary-2024", "Thống kê", 17, "Chưa chấm đủ"),
    ("results-2024", "Kết quả", 23, "Đảng bộ cơ sở 4 tốt: Chưa chấm đủ. Còn 1 chi bộ chưa chấm "
                                    "đủ điểm (Chi bộ Tổ dân phố 2)"),
)


def test_an_old_file_prints_as_it_did(tmp_path):
    """2023 has its decisions: it reads as it did. 2024 was never decided: the ward's verdict
    follows the rules as the plan and the regulations state them (the only change)."""
    path = _old_file(tmp_path)
    expected = _expected("file_before_dated_history.expected.json.gz")
    now = json.loads(json.dumps(capture.capture(path), default=str))
    year = now["figures"]["2024"]
    assert year["org_verdict"] == "Chưa chấm đủ"
    assert year["org_reasons"][0] == ("Còn 1 chi bộ chưa chấm đủ điểm (Chi bộ Tổ dân phố 2): "
                                      "chưa kết luận được")
    assert ("Có 1 đảng viên bị kỷ luật trong năm (cộng từ phiếu chấm các chi bộ: Chi bộ "
            "Trường Mầm non Tân Giang: 1)") in year["org_reasons"]
    assert "Theo Quy định 124-QĐ/TW: xếp loại Hoàn thành tốt nhiệm vụ (HTTNV)" in \
        year["org_reasons"]
    # TDP 11 never registered for 2024: not recognised on that ground (it is unscored too)
    unregistered = "Chưa đăng ký thi đua: không xét công nhận khi không có bản đăng ký"
    year["cells"]["TDP11"]["reasons"].remove(unregistered)
    for name, sheet, index, now_reads in CORRECTED_2024:
        row = now["excel"][name][sheet][index]
        assert now_reads in " ".join(str(value) for value in row), (name, index)
        now["excel"][name][sheet][index] = expected["excel"][name][sheet][index - (
            1 if name.startswith("results") else 0)]
    year["org_verdict"], year["org_reasons"] = (expected["figures"]["2024"]["org_verdict"],
                                                expected["figures"]["2024"]["org_reasons"])
    _compare(expected, now)


def test_a_decided_year_keeps_the_rules_it_was_decided_on(tmp_path):
    """The migration gives 2023 (decided) the rules the program computed it with, each named
    as the office's choice; 2024 (undecided) the rules as the plan and regulations state."""
    path = _old_file(tmp_path)
    db = open_database(path)
    try:
        office = Office(db)
        decided, open_year = queries.year_rules(office, 2023), queries.year_rules(office, 2024)
    finally:
        db.close()
    kept = ("registration_required", "self_assessment_required",
            "org_disciplined_from_cells", "org_waits_for_cells")
    assert [getattr(decided, key) for key in kept] == [False] * 4
    assert [getattr(open_year, key) for key in kept] == [True] * 4
    for key in kept:
        assert decided.source_of(key).kind.value == "office"
        assert "đã có quyết định" in decided.source_of(key).note
    assert (decided.regulation, open_year.regulation) == ("124-QĐ/TW", "124-QĐ/TW")


def test_the_migration_moves_settings_into_the_first_identity(tmp_path):
    path = _old_file(tmp_path)
    db = open_database(path)
    try:
        with db.engine.connect() as connection:
            assert current_revision(connection) == HEAD_REVISION
        office = Office(db)
        version, = queries.identities(office)
        assert version.valid_from == timeline.BEGINNING
        assert (version.name, version.upper_body, version.place_name) == (
            "Đảng bộ phường Tân Giang", "Thành ủy Hà Tĩnh", "Tân Giang")
        assert (version.issuer, version.certificate_signer_name, version.proposal_signer_name,
                version.decision_issuer) == (
            "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH", "Nguyễn Văn Thành", "Trần Văn Quang",
            "Ban Thường vụ Thành ủy Hà Tĩnh")
        with db.session() as session:
            keys = set(session.scalars(select(Setting.key)))
            assert not keys & {"certificate.issuer", "certificate.signer_name",
                               "proposal.signer_name", "award.issuer"}
            # A file with a dissolved cell keeps the rule it was computed with.
            assert session.scalar(select(Setting.value).where(
                Setting.key == timeline.YEAR_RULE_KEY)) == "year_end"
            assert session.scalar(select(Registration.members_count).where(
                Registration.members_count.is_(None))) is None
            versions = list(session.scalars(select(CatalogueVersion)))
            assert sorted((v.scope, v.first_year) for v in versions) == [
                ("cell", 2023), ("organisation", 2023)]
            assert all(group.version_id for group in session.scalars(select(CriteriaGroup)))
    finally:
        db.close()


def test_an_old_file_checks_as_before(tmp_path):
    """The dissolved cell's 2024 registration was outside its years before (the old rule
    kept): still the only finding."""
    path = _old_file(tmp_path)
    open_database(path).close()
    report = run_check(path, repair_safe=False, backup=False)
    found = {finding.key: finding.count for finding in report.findings if finding.count}
    assert found == {"registration_dissolved": 1, "evaluation_dissolved": 1}


# The demo's 2023 shows the rules by year on purpose (chibo4tot_desktop/demo.py): TDP 1 reaches
# HTXSNV beyond the cap and the committee classifies it HTTNV with its written reason (its
# scores and totals); TDP 7 hands in on the deadline day, on time under that year's reading;
# TDP 8's disciplined member counts for the ward, which the office allowed that year (still
# "Đảng bộ cơ sở 4 tốt", no longer HTXSNV); the Giấy khen go to the two cells leading the
# ranking, in its order, with the ranking's words. Nothing else of 2023 may change.
TDP01_SCORES = {("scores-2023", "Chấm điểm chi bộ", row): (4, 5) for row in range(39, 56)}
DEMO_STORY = {
    **TDP01_SCORES,
    ("registrations-2023", "Đăng ký", 13): (4,),
    ("scores-2023", "Chấm điểm đảng bộ", 21): (2,),
    ("results-2023", "Kết quả", 7): (3, 4, 8),
    ("results-2023", "Kết quả", 23): (0,),
    ("proposals-2023", "Đề nghị", 5): (4,),
    ("proposals-2023", "Đề nghị", 8): (3,),
    ("proposals-2023", "Đề nghị", 18): (7,),
    ("proposals-2023", "Đề nghị", 19): (7,),
    ("awards-2023", "Sổ khen thưởng", 17): (3, 8),
    ("awards-2023", "Sổ khen thưởng", 18): (3, 8),
}
MERIT_WORDS = ("Chi bộ điểm, dẫn đầu phong trào năm 2023",
               "Dẫn đầu phong trào năm 2023, xếp loại HTXSNV")
DEMO_STORY_WORDS = {"proposals-2023": (
    f"84,5 HTXSNV {MERIT_WORDS[0]} {MERIT_WORDS[0]}",      # TDP 1's total, the ward's class
    f"93 HTTNV Chi bộ điểm; {MERIT_WORDS[1]} Chi bộ điểm; {MERIT_WORDS[1]}")}


def test_the_demo_prints_2023_as_it_did(demo_office, tmp_path):
    path = tmp_path / "demo.sqlite3"
    shutil.copyfile(demo_office.db.path, path)
    expected = _expected("demo_2023_as_printed.json.gz")
    now = json.loads(json.dumps(capture.capture(path, (2023,)), default=str))
    year, before = now["figures"]["2023"], expected["figures"]["2023"]
    first = year["cells"]["TDP01"]
    assert (first["committee"], first["classification"], first["verdict"]) == (93, "HTTNV", "Đạt")
    assert any(line.startswith("Đảng ủy quyết định xếp loại Hoàn thành tốt nhiệm vụ (HTTNV), "
                               "khác kết quả theo quy định (HTXSNV). Lý do: Ngoài tỷ lệ 20%")
               for line in first["reasons"])
    year["cells"]["TDP01"] = before["cells"]["TDP01"]
    year["cells"]["TDP09"]["reasons"].remove(
        "Chưa đăng ký thi đua: không xét công nhận khi không có bản đăng ký")
    assert year["org_verdict"] == before["org_verdict"] == "Đạt"
    assert ("Có 1 đảng viên bị kỷ luật, trong mức cho phép (1) (cộng từ phiếu chấm các chi bộ: "
            "Chi bộ Tổ dân phố 8: 1)") in year["org_reasons"]
    assert "Theo Quy định 124-QĐ/TW: xếp loại Hoàn thành tốt nhiệm vụ (HTTNV)" in \
        year["org_reasons"]
    year["org_reasons"] = before["org_reasons"]
    _compare(expected, now, signer="Lê Văn Quang", story=DEMO_STORY,
             story_words=DEMO_STORY_WORDS)
