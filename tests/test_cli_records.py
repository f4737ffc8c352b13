"""The command line does what the window does: cells, registrations, scores, awards, settings
and the catalogue, through the same operations (same refusals, same audit log)."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.db.models import AwardKind, Scope
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.reports import year_overview


@pytest.fixture
def demo_file(demo_office, db_path):
    demo_office.db.close()
    return db_path


def run(capsys, data, *argv) -> tuple[int, str, str]:
    try:
        code = main([*argv, "--data", str(data)])
    except SystemExit as stop:        # argparse refusing an argument
        code = stop.code
    out, err = capsys.readouterr()
    return code, out, err


def office_of(path) -> Office:
    from chibo4tot_desktop.db.engine import open_database

    return Office(open_database(path))


def test_cells_add_edit_dissolve_reactivate_delete(demo_file, capsys):
    code, out, _ = run(capsys, demo_file, "cells", "add", "--code", "TDP16", "--name",
                       "Chi bộ Tổ dân phố 16", "--secretary", "Lê Văn An", "--members", "21",
                       "--pilot", "--started", "01/11/2026")
    assert code == 0 and "Đã thêm chi bộ TDP16" in out and "01/11/2026" in out
    assert run(capsys, demo_file, "cells", "edit", "TDP16", "--members", "22",
               "--no-pilot")[0] == 0
    assert run(capsys, demo_file, "cells", "dissolve", "TDP16", "--date", "31/12/2026")[0] == 0
    office = office_of(demo_file)
    cell = queries.cell_by_code(office, "TDP16")
    assert (cell.members_count, cell.is_pilot, cell.started_on, cell.dissolved_on) == (
        22, False, dt.date(2026, 11, 1), dt.date(2026, 12, 31))
    office.db.close()
    assert run(capsys, demo_file, "cells", "reactivate", "TDP16")[0] == 0
    assert run(capsys, demo_file, "cells", "delete", "TDP16")[0] == 0
    code, out, _ = run(capsys, demo_file, "cells")
    assert code == 0 and "TDP16" not in out and "Chi bộ Tổ dân phố 12" in out


def test_cells_merge_and_history(demo_file, capsys):
    code, out, err = run(capsys, demo_file, "cells", "merge", "TDP09", "TDP10", "--date",
                         "20/12/2026", "--new-code", "TDPHN", "--new-name",
                         "Chi bộ Tổ dân phố Hòa Nam", "--new-members", "58")
    assert code == 0, err
    assert "Đã sáp nhập Chi bộ Tổ dân phố 9, Chi bộ Tổ dân phố 10 vào Chi bộ Tổ dân phố " \
           "Hòa Nam từ ngày 20/12/2026" in out
    code, out, _ = run(capsys, demo_file, "cells", "history", "TDPTT")
    assert code == 0
    assert "Chi bộ Tổ dân phố 3 (trước sáp nhập)" in out and "2105-QĐ/TU" in out
    assert "Thành lập ngày 15/12/2024" in out


def test_identity_and_organisations(demo_file, capsys, tmp_path):
    code, out, _ = run(capsys, demo_file, "identity")
    assert code == 0 and "Từ ngày 01/07/2025:" in out
    assert "organisation.issuer = BAN THƯỜNG VỤ TỈNH ỦY HÀ TĨNH" in out
    assert "organisation.upper_party_body = Đảng bộ thành phố Hà Tĩnh (suy ra)" in out
    code, out, _ = run(capsys, demo_file, "organisations")
    assert "BACHA        Đảng bộ phường Bắc Hà (hợp nhất từ 01/07/2025)" in out
    code, out, _ = run(capsys, demo_file, "status", "--year", "2024", "--org-code", "BACHA")
    assert code == 0 and "Chi bộ tham gia: 3" in out and "BH01" in out
    code, out, err = run(capsys, demo_file, "settings", "set", "--from", "01/09/2026",
                         "organisation.name=Đảng bộ phường Thành Sen (mới)")
    assert code == 0, err
    office = office_of(demo_file)
    assert queries.identity_on(office, dt.date(2026, 8, 31)).name == "Đảng bộ phường Thành Sen"
    assert queries.identity_on(office, dt.date(2026, 9, 1)).name == \
        "Đảng bộ phường Thành Sen (mới)"
    office.db.close()


def test_take_in_an_old_wards_file(demo_file, capsys, tmp_path):
    from chibo4tot_desktop.db.engine import open_database
    from chibo4tot_desktop.ops.setup import create_organisation, create_phase

    old = tmp_path / "phuong-cu.sqlite3"
    database = open_database(old)
    ward = Office(database)
    create_organisation(ward, "NAMHA", "Đảng bộ phường Nam Hà", "Thành ủy Hà Tĩnh", "Nam Hà")
    create_phase(ward, "Giai đoạn 2023 - 2025", 2023, 2025)
    from tests.builders import qualifying_cell

    qualifying_cell(ward, "NH01", years=(2023, 2024))
    database.close()
    before = old.read_bytes()
    code, out, err = run(capsys, demo_file, "organisations", "take-in", str(old), "--date",
                         "01/07/2025")
    assert code == 0, err
    assert old.read_bytes() == before                  # the old file is left as it was
    code, out, _ = run(capsys, demo_file, "status", "--year", "2024", "--org-code", "NAMHA")
    assert code == 0 and "NH01" in out and "Đạt" in out
    code, out, err = run(capsys, demo_file, "organisations", "take-in", str(old), "--date",
                         "01/07/2025")
    assert code == 2 and "đã có đảng bộ mã 'NAMHA'" in err
    code, out, err = run(capsys, demo_file, "organisations", "take-in", str(demo_file),
                         "--date", "01/07/2025")
    assert code == 2 and "chính nó" in err


@pytest.mark.parametrize("argv, message", [
    (("cells", "add", "--code", "TDP01", "--name", "Chi bộ mới"), "Mã chi bộ 'TDP01' đã có"),
    (("cells", "add", "--code", "X", "--name", "Y", "--members", "1e999"),
     "Số đảng viên '1e999' không phải là số nguyên"),
    (("cells", "add", "--code", "X", "--name", "Y", "--kind", "club"),
     "Loại chi bộ 'club' không hợp lệ"),
    (("cells", "edit", "TDP99", "--name", "Y"), "Không có chi bộ mã 'TDP99'"),
    (("cells", "delete", "TDP01"), "đã có hồ sơ thi đua nên không xóa được"),
    (("cells", "dissolve", "TDP01", "--date", "31/02/2024"), "không tồn tại"),
    (("registrations", "set", "--year", "2026", "--cell", "TDP10"), "cần ngày nhận"),
    (("registrations", "set", "--year", "2025", "--cell", "TDP01", "--received", "5/3/2025",
      "--members", "-3"), "Số đảng viên không được âm"),
    (("scores", "set", "--year", "2025", "--cell", "TDP01", "1.1=7/6"),
     "Điểm chi bộ tự chấm 7 vượt điểm tối đa 6 của mục 1.1"),
    (("scores", "set", "--year", "2025", "--cell", "TDP01", "1.1=5,555/5"),
     "có quá 2 chữ số thập phân"),
    (("scores", "set", "--year", "2025", "--cell", "TDP01", "9.9=1/1"),
     "Không có mục tiêu chí '9.9'"),
    (("scores", "set", "--year", "2025", "--cell", "TDP01", "1.1=5"), "không đúng dạng"),
    (("awards", "propose", "--year", "2023", "--kind", "cell", "--cell", "TDP10"),
     "Chi bộ Tổ dân phố 10 chưa đạt “Chi bộ 4 tốt” năm 2023"),
    (("awards", "decide", "--year", "2026", "--kind", "cell", "--cell", "TDP01", "--number",
      "1", "--date", "1/1/2027", "--issuer", "BTV"), "Không có đề nghị loại này"),
    (("cells", "add", "--code", "TDP16", "--name", "Chi bộ Tổ dân phố 16"),
     "hãy ghi ngày thành lập"),
    (("cells", "add", "--code", "TDP16", "--name", "Chi bộ 16", "--confirm", "ok"),
     "ít nhất 5 ký tự"),
    (("cells", "merge", "TDP01", "--date", "20/12/2026"), "Chưa chọn chi bộ nhận"),
    (("cells", "merge", "TDP01", "--into", "TDP02", "--date", "01/06/2026"),
     "đã có hồ sơ thi đua năm 2026"),
    (("cells", "dissolve", "TDP01", "--date", "01/06/2025"), "đã có hồ sơ thi đua năm 2025"),
    (("scores", "set", "--year", "2023", "--cell", "TDP06", "1.1=6/0"),
     "đã có quyết định khen thưởng"),
    (("settings", "set", "cells.year_rule=sometimes"), "Quy tắc năm của chi bộ"),
    (("settings", "set", "cells.streak_through_merge=0"), "đã có quyết định khen thưởng"),
    (("catalogue", "import", "--year", "2025", "khong-co.csv"), "Không đọc được tệp"),
    (("status", "--year", "2024", "--org-code", "KHONGCO"), "không có đảng bộ mã"),
    (("settings", "set", "--year", "2024", "phase.band_good=95"), "phải giảm dần"),
    (("settings", "set", "nothing.here=1"), "Không có thiết lập 'nothing.here'"),
    (("settings", "set", "certificate.offset_x_mm=99"), "±50 mm"),
])
def test_bad_input_is_one_vietnamese_line_and_exit_2(demo_file, capsys, argv, message):
    from chibo4tot_desktop.safety.check import table_checksum

    before = table_checksum(demo_file)
    code, out, err = run(capsys, demo_file, *argv)
    assert code == 2
    assert message in err and err.startswith("Lỗi: ") and err.count("\n") == 1
    assert "Traceback" not in err
    assert table_checksum(demo_file) == before


def test_registration_set_adds_then_changes_only_what_is_given(demo_file, capsys):
    assert run(capsys, demo_file, "registrations", "set", "--year", "2026", "--cell",
               "TDP10", "--received", "12/03/2026", "--members", "30", "--commitment-2",
               "Sinh hoạt đủ 12 kỳ.", "--signer", "Hồ Thị Ánh")[0] == 0
    assert run(capsys, demo_file, "registrations", "set", "--year", "2026", "--cell",
               "TDP10", "--members", "31")[0] == 0
    office = office_of(demo_file)
    cell = queries.cell_by_code(office, "TDP10")
    registration = queries.registration(office, cell.id, 2026)
    assert (registration.received_on, registration.members_count, registration.commitment_2,
            registration.signer) == (dt.date(2026, 3, 12), 31, "Sinh hoạt đủ 12 kỳ.",
                                     "Hồ Thị Ánh")
    office.db.close()
    code, out, _ = run(capsys, demo_file, "registrations", "--year", "2026")
    assert code == 0 and "muộn 2 ngày" in out and "Đã đăng ký 17/18" in out
    assert run(capsys, demo_file, "registrations", "delete", "--year", "2026", "--cell",
               "TDP10")[0] == 0
    office = office_of(demo_file)
    assert queries.registration(office, cell.id, 2026) is None
    office.db.close()
    # A decided year: a change that moves a decision needs --confirm with a reason.
    code, out, err = run(capsys, demo_file, "registrations", "set", "--year", "2025",
                         "--cell", "TDP05", "--members", "29")
    assert code == 2 and "đã có quyết định" in err
    assert run(capsys, demo_file, "registrations", "set", "--year", "2025", "--cell",
               "TDP05", "--members", "29", "--confirm", "Sửa theo danh sách đảng viên")[0] == 0


def test_scores_per_item_from_a_sheet_and_the_rest_of_the_sheet(demo_file, capsys, tmp_path):
    code, out, _ = run(capsys, demo_file, "scores", "--year", "2024", "--cell", "TDP02",
                       "--csv")
    assert code == 0 and out.startswith("Mục,Tự chấm,Đảng ủy chấm")
    # The office fills the sheet it printed (every item: maximum - 0,5 and maximum - 1) and
    # loads it back.
    rows = list(csv.reader(io.StringIO(out)))
    sheet = tmp_path / "phieu.csv"
    with sheet.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(rows[0])
        for label, _own, _committee, maximum, text in rows[1:]:
            top = float(maximum.replace(",", "."))
            writer.writerow([label, f"{top - 0.5:g}".replace(".", ","), f"{top - 1:g}",
                             maximum, text])
    code, out, err = run(capsys, demo_file, "scores", "set", "--year", "2024", "--cell",
                         "TDP02", "--from", str(sheet), "1.1=/6", "--disciplined", "0",
                         "--notes", "Chấm theo biên bản họp.")
    assert code == 0, err
    office = office_of(demo_file)
    cell = queries.cell_by_code(office, "TDP02")
    evaluation = queries.evaluation(office, cell.id, 2024)
    items = {item.id: f"{group.position}.{item.position}"
             for group in queries.phase_for_year(office, 2024).groups
             if group.scope == Scope.CELL.value for item in group.items}
    by_label = {items[s.item_id]: (s.self_points, s.committee_points) for s in evaluation.scores}
    assert len(by_label) == 16 and evaluation.notes == "Chấm theo biên bản họp."
    assert by_label["1.1"] == (5.5, 6) and by_label["2.1"] == (9.5, 9)
    assert year_overview(office, 2024).cells  # the year reads fine
    office.db.close()
    # An empty side keeps the stored score; "-" clears it.
    assert run(capsys, demo_file, "scores", "set", "--year", "2024", "--cell", "TDP02",
               "1.2=-/")[0] == 0
    office = office_of(demo_file)
    evaluation = queries.evaluation(office, cell.id, 2024)
    kept = {items[s.item_id]: (s.self_points, s.committee_points) for s in evaluation.scores}
    assert kept["1.2"][0] is None and kept["1.2"][1] == by_label["1.2"][1]
    office.db.close()
    code, out, _ = run(capsys, demo_file, "scores", "--year", "2024", "--cell", "TDP02")
    assert code == 0 and "Nhận xét: Chấm theo biên bản họp." in out


def test_propose_many_and_one_decision_from_the_command_line(demo_file, capsys):
    from chibo4tot_desktop.ops.scoring import save_evaluation
    from tests.builders import full_scores

    office = office_of(demo_file)
    for code in ("TDP01", "TDP02", "TDP06"):
        save_evaluation(office, queries.cell_by_code(office, code).id, 2026,
                        scores=full_scores(office, 2026))
    office.db.close()
    code, out, err = run(capsys, demo_file, "awards", "propose", "--year", "2026", "--kind",
                         "cell", "--all-qualifying", "--date", "12/12/2026")
    assert code == 0, err
    office = office_of(demo_file)
    qualifying = [s.cell.id for s in year_overview(office, 2026).cells if s.qualifies]
    proposed = queries.awards(office, 2026)
    assert len(qualifying) == 3
    assert sorted(a.cell_id for a in proposed) == sorted(qualifying)
    office.db.close()
    code, out, err = run(capsys, demo_file, "awards", "decide", "--year", "2026", "--kind",
                         "cell", "--all-proposed", "--number", "88-QĐ/TU", "--date",
                         "20/12/2026", "--issuer", "Ban Thường vụ Tỉnh ủy", "--register",
                         "01/2026")
    assert code == 0, err
    office = office_of(demo_file)
    decided = sorted(queries.awards(office, 2026), key=lambda a: a.register_number)
    assert [a.register_number for a in decided] == [f"{n:02d}/2026"
                                                    for n in range(1, len(decided) + 1)]
    assert {a.decision_number for a in decided} == {"88-QĐ/TU"}
    assert all(a.decided_verdict == "passed" for a in decided)
    first = decided[0].cell.code
    office.db.close()
    code, out, _ = run(capsys, demo_file, "awards", "--year", "2026")
    assert "khi quyết định: 91 điểm, HTXSNV, Đạt" in out
    assert run(capsys, demo_file, "awards", "withdraw", "--year", "2026", "--kind", "cell",
               "--cell", first)[0] == 2          # decided: clear first
    assert run(capsys, demo_file, "awards", "clear", "--year", "2026", "--kind", "cell",
               "--cell", first)[0] == 0
    assert run(capsys, demo_file, "awards", "withdraw", "--year", "2026", "--kind", "cell",
               "--cell", first)[0] == 0
    office = office_of(demo_file)
    assert len(queries.awards(office, 2026)) == len(decided) - 1
    assert {row.table_name for row in queries.audit_log(office, 20)} >= {"awards"}
    office.db.close()


def test_settings_set_is_all_or_nothing(demo_file, capsys):
    code, out, err = run(capsys, demo_file, "settings", "set", "--year", "2026",
                         "proposal.signer_name=Nguyễn Văn Thành", "phase.overall_pass=85",
                         "calendar.registration=abc")
    assert code == 2 and "calendar.registration" in err
    code, out, err = run(capsys, demo_file, "settings", "set", "--year", "2026",
                         "proposal.signer_name=Nguyễn Văn Thành", "phase.overall_pass=85",
                         "phase.band_good=95")
    assert code == 2
    office = office_of(demo_file)
    assert queries.identity_on(office, None).proposal_signer_name == "Lê Thị Thanh Hà"
    assert queries.phase_for_year(office, 2026).overall_pass == 80
    office.db.close()
    code, out, err = run(capsys, demo_file, "settings", "set", "--year", "2026",
                         "proposal.signer_name=Nguyễn Văn Thành", "phase.overall_pass=85,5",
                         "calendar.registration=12/3/2026", "certificate.place=Hồng Lĩnh")
    assert code == 0, err
    code, out, _ = run(capsys, demo_file, "settings", "--year", "2026")
    assert "organisation.proposal_signer_name = Nguyễn Văn Thành" in out
    assert "phase.overall_pass = 85,5" in out and "calendar.registration = 12/03/2026" in out
    assert "certificate.place = Hồng Lĩnh" in out
    # A threshold of a phase with decided years moves them: refused without a reason.
    code, out, err = run(capsys, demo_file, "settings", "set", "--year", "2024",
                         "phase.overall_pass=85")
    assert code == 2 and "đã có quyết định khen thưởng" in err


def test_catalogue_out_to_a_file_and_back(demo_file, capsys, tmp_path):
    target = tmp_path / "tieu-chi.csv"
    assert run(capsys, demo_file, "catalogue", "export", "--year", "2026", str(target))[0] == 0
    text = target.read_text(encoding="utf-8-sig")
    assert text.startswith("Nhóm,Tên nhóm,Ngưỡng nhóm,Mục,Nội dung,Điểm tối đa,Mã mục")
    # Move one point from 1.1 to 1.2: the total stays 100.
    lines = text.splitlines()
    first, second = lines[1].rsplit(",", 2), lines[2].rsplit(",", 2)
    lines[1] = f"{first[0]},{int(first[1]) - 1},{first[2]}"
    lines[2] = f"{second[0]},{int(second[1]) + 1},{second[2]}"
    target.write_text("\n".join(lines), encoding="utf-8-sig")
    code, out, err = run(capsys, demo_file, "catalogue", "import", "--year", "2025",
                         str(target))
    assert code == 2 and "chấm điểm năm 2023, 2024, 2025" in err   # scored years keep theirs
    code, out, err = run(capsys, demo_file, "catalogue", "import", "--year", "2026",
                         str(target))
    assert code == 0, err
    lines[2] = f"{second[0]},{int(second[1]) + 5},{second[2]}"
    target.write_text("\n".join(lines), encoding="utf-8-sig")
    code, out, err = run(capsys, demo_file, "catalogue", "import", "--year", "2026",
                         str(target))
    assert code == 2 and "phải bằng 100" in err


def test_every_command_has_vietnamese_help(capsys):
    for argv in (["cells", "--help"], ["cells", "add", "--help"], ["scores", "set", "--help"],
                 ["awards", "decide", "--help"], ["settings", "set", "--help"],
                 ["catalogue", "import", "--help"], ["registrations", "set", "--help"],
                 ["cells", "merge", "--help"], ["cells", "history", "--help"],
                 ["identity", "--help"], ["organisations", "take-in", "--help"]):
        with pytest.raises(SystemExit) as stop:
            main(argv)
        assert stop.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith("Cách dùng:") and "show this help" not in out
        assert "usage" not in out and "options:" not in out


def test_award_kinds_on_the_command_line_are_the_models():
    from chibo4tot_desktop.cli.commands_records import KIND_NAMES

    assert set(KIND_NAMES.values()) == {kind.value for kind in AwardKind}
