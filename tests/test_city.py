"""The city's views over imported wards: results by ward, consolidated proposals (Excel read
back), every ward's certificates in one PDF (read back with pdftotext)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from openpyxl import load_workbook

from chibo4tot_desktop.city import consolidated_proposals, results_by_ward
from chibo4tot_desktop.city_export import write_city_certificates, write_proposals_xlsx
from chibo4tot_desktop.cli import main
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.packets import export_packet
from chibo4tot_desktop.reports import year_overview
from tests.test_packets import T0, _retitle, ward  # noqa: F401  (fixture)

WARDS = [("TANGIANG", "Đảng bộ phường Tân Giang"), ("HAPHUONG", "Đảng bộ phường Hà Phương"),
         ("DAINAI", "Đảng bộ phường Đại Nài")]


@pytest.fixture
def city(ward, db, tmp_path):  # noqa: F811
    """The city's database with three wards imported (the demo under three codes)."""
    first = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
    files = [first] + [_retitle(first, tmp_path / f"{code}.zip", code, name, db)
                       for code, name in WARDS[1:]]
    import_packets(db, files)
    return db


def test_results_by_ward(city, ward):  # noqa: F811
    overview = year_overview(ward, 2023)
    counts = overview.counts
    results = results_by_ward(city, 2023)
    # Vietnamese order: Đ after D and before E, so Đại Nài < Hà Phương < Tân Giang.
    assert [r.ward_name for r in results] == ["Đảng bộ phường Đại Nài",
                                             "Đảng bộ phường Hà Phương",
                                             "Đảng bộ phường Tân Giang"]
    for result in results:
        assert (result.cells, result.registered, result.scored, result.qualifying,
                result.proposed) == (counts["active"], counts["registered"], counts["scored"],
                                     counts["qualifying"], counts["proposed"])
        assert result.share == pytest.approx(counts["qualifying"] / counts["active"])
        assert result.organisation_verdict == overview.organisation_result.verdict.label
    assert results[0].share_text == f"{counts['qualifying'] / counts['active'] * 100:.1f}" \
        .replace(".", ",") + "%"
    assert results_by_ward(city, 2031) == []
    assert results_by_ward(city, 2024) == []   # within the phase, but no packet for 2024


def test_consolidated_proposals(city, ward):  # noqa: F811
    rows = consolidated_proposals(city, 2023)
    awards = queries.awards(ward, 2023)
    assert len(rows) == 3 * len(awards)
    assert [r.ward_code for r in rows[:len(awards)]] == ["DAINAI"] * len(awards)
    # Within a ward: the ward's own recognition first, then cells in Vietnamese name order.
    tg = [r for r in rows if r.ward_code == "TANGIANG"]
    assert tg[0].kind == "org_recognition" and tg[0].cell_code == ""
    states = {s.cell.code: s for s in year_overview(ward, 2023).cells}
    for row in tg[1:]:
        state = states[row.cell_code]
        assert row.recipient == state.cell.name
        assert row.committee_total == pytest.approx(state.result.committee_totals.total)
        assert row.verdict == state.result.verdict.label
        assert row.classification == state.result.classification.value
    names = [r.recipient for r in tg if r.kind == "cell_recognition"]
    from chibo4tot_desktop.text import sort_key
    assert names == sorted(names, key=sort_key)


def test_proposals_excel_read_back(city, ward, tmp_path):  # noqa: F811
    target = tmp_path / "de-nghi.xlsx"
    count = write_proposals_xlsx(city, 2023, target, date=dt.date(2024, 1, 8))
    sheet = load_workbook(target).active
    assert sheet["A1"].value == "THÀNH ỦY HÀ TĨNH"
    assert sheet["A2"].value == "*"
    assert sheet["H1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert sheet["H2"].value == "Hà Tĩnh, ngày 08 tháng 01 năm 2024"
    assert "TỔNG HỢP ĐỀ NGHỊ" in sheet["A4"].value and "2023" in sheet["A4"].value
    assert sheet["A7"].value == "STT"
    data = [[c.value for c in row] for row in sheet.iter_rows(min_row=8)]
    assert len(data) == count == 3 * len(queries.awards(ward, 2023))
    assert [row[0] for row in data] == list(range(1, count + 1))
    assert data[0][1] == "Đảng bộ phường Đại Nài"
    assert data[-1][1] == "Đảng bộ phường Tân Giang"
    rows = consolidated_proposals(city, 2023)
    for values, row in zip(data, rows):
        assert values[3] == row.recipient and values[4] == row.kind_label
        assert values[7] == row.committee_total
        if row.decided:
            assert values[12] == f"Số {row.decision_number} ngày " \
                f"{row.decision_date:%d/%m/%Y}"
    assert not list(tmp_path.glob(".*tmp"))
    with pytest.raises(UserError, match="chưa có đề nghị"):
        write_proposals_xlsx(city, 2025, tmp_path / "trong.xlsx")


def test_all_certificates_at_once_one_page_per_award_of_every_ward(city, ward,  # noqa: F811
                                                                    tmp_path):
    decided = [a for a in queries.awards(ward, 2023) if a.is_decided]
    assert write_city_certificates(city, 2023, tmp_path / "giay-khen.pdf") == 3 * len(decided)
    with pytest.raises(UserError, match="chưa có khen thưởng"):
        write_city_certificates(city, 2024, tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.poppler
def test_all_certificates_at_once(city, ward, tmp_path):  # noqa: F811
    target = tmp_path / "giay-khen.pdf"
    pages = write_city_certificates(city, 2023, target)
    decided = [a for a in queries.awards(ward, 2023) if a.is_decided]
    text = subprocess.run(["pdftotext", "-layout", str(target), "-"], capture_output=True,
                          text=True, check=True).stdout
    sheets = text.split("\f")[:pages]
    for index, (code, name) in enumerate(sorted(WARDS, key=lambda w: ["DAINAI", "HAPHUONG",
                                                                      "TANGIANG"].index(w[0]))):
        for sheet in sheets[index * len(decided):(index + 1) * len(decided)]:
            assert name in " ".join(sheet.split())
    assert "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH" in text


def test_city_cli(city, tmp_path, capsys):
    url = city.target
    assert main(["city", "results", "--data" if city.path else "--database-url", url,
                 "--year", "2023"]) == 0
    out = capsys.readouterr().out
    assert out.index("Đại Nài") < out.index("Hà Phương") < out.index("Tân Giang")
    option = "--data" if city.path else "--database-url"
    xlsx = tmp_path / "ds.xlsx"
    assert main(["city", "proposals", option, url, "--year", "2023", "--date", "08/01/2024",
                 str(xlsx)]) == 0
    assert load_workbook(xlsx).active["H2"].value == "Hà Tĩnh, ngày 08 tháng 01 năm 2024"
    assert main(["city", "proposals", option, url, "--year", "2023", "--date", "32/01/2024",
                 str(xlsx)]) == 2
    assert "--date" in capsys.readouterr().err
    assert main(["city", "certificates", option, url, "--year", "2023",
                 str(tmp_path / "gk.pdf")]) == 0
    assert main(["city", "results", option, url, "--year", "2031"]) == 2
    assert "Chưa có đảng bộ nào có dữ liệu năm 2031" in capsys.readouterr().err
