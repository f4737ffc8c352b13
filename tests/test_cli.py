"""The command line contract: demo, cells, status; exit codes and Vietnamese messages."""

import os
import subprocess
import sys

import pytest

from chibo4tot_desktop.cli import main


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_demo_then_status_prints_a_coherent_year(tmp_path, capsys):
    data = str(tmp_path / "demo.sqlite3")
    code, out, _ = run(capsys, "demo", "--data", data)
    assert code == 0 and "Đã tạo dữ liệu mẫu" in out
    code, out, err = run(capsys, "status", "--data", data, "--year", "2023")
    assert code == 0, err
    assert "Xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai đoạn 2023 - 2025" in out
    assert "Hạn đăng ký thi đua: đến hết ngày 10/03/2023" in out     # the office's reading
    assert "theo Quy định số 124-QĐ/TW ngày 04/10/2023" in out
    assert "Chi bộ tham gia: 16" in out
    assert "Đã đăng ký: 15" in out and "Chưa đăng ký: 1" in out
    assert "Đăng ký muộn: 2" in out
    assert "TDP09    Chi bộ Tổ dân phố 9" in out and "CHƯA ĐĂNG KÝ" in out
    assert "13/03/2023 muộn 3 ngày" in out
    assert "Nhóm 2 đạt" in out and "dưới ngưỡng 15" in out
    assert "Có 1 đảng viên bị kỷ luật trong năm" in out
    assert "1250-QĐ/Th.U" in out
    # The demo's counts agree with each other.
    lines = dict(line.split(": ", 1) for line in out.splitlines()
                 if line.startswith(("Đạt “Chi bộ 4 tốt”", "Đã có quyết định")))
    assert int(lines["Đạt “Chi bộ 4 tốt”"]) == int(lines["Đã có quyết định khen thưởng"])


def test_status_2024_shows_unscored_and_todo(tmp_path, capsys):
    data = str(tmp_path / "demo.sqlite3")
    run(capsys, "demo", "--data", data)
    code, out, _ = run(capsys, "status", "--data", data, "--year", "2024")
    assert code == 0
    assert "đã đăng ký nhưng chưa chấm đủ điểm: Chi bộ Tổ dân phố 2" in out
    assert "chưa được lập đề nghị" in out


def test_demo_refuses_a_file_with_data(tmp_path, capsys):
    data = str(tmp_path / "demo.sqlite3")
    run(capsys, "demo", "--data", data)
    code, out, err = run(capsys, "demo", "--data", data)
    assert code == 2
    assert err.startswith("Lỗi: Tệp dữ liệu đã có dữ liệu")
    assert len(err.strip().splitlines()) == 1


def test_cells_lists_the_demo_cells(tmp_path, capsys):
    data = str(tmp_path / "demo.sqlite3")
    run(capsys, "demo", "--data", data)
    code, out, _ = run(capsys, "cells", "--data", data)
    assert code == 0
    assert "Đảng bộ phường Tân Giang" in out
    assert "chi bộ điểm" in out
    assert "Tổng số: 16 chi bộ" in out
    rows = [line.split()[0] for line in out.splitlines() if line.startswith(("TDP", "CA", "CQ"))]
    assert rows[:4] == ["CA", "CQ", "TDP01", "TDP02"]
    assert rows.index("TDP02") < rows.index("TDP10")


@pytest.mark.parametrize("args, message", [
    (["status", "--year", "hai nghìn"], "năm 'hai nghìn' không hợp lệ"),
    (["status", "--year", "2030"], "Năm 2030 không thuộc giai đoạn"),
    (["khong-co-lenh"], "lựa chọn 'khong-co-lenh' không hợp lệ"),
    (["cells", "--bogus"], "tham số không nhận ra"),
])
def test_bad_input_exits_2_with_one_vietnamese_line(tmp_path, capsys, args, message):
    data = str(tmp_path / "demo.sqlite3")
    run(capsys, "demo", "--data", data)
    with pytest.raises(SystemExit) as raised:
        code = main(args + ["--data", data])
        raise SystemExit(code)
    assert raised.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_or_foreign_data_file(tmp_path, capsys):
    code, _, err = run(capsys, "cells", "--data", str(tmp_path / "khong-co.sqlite3"))
    assert code == 2 and "Không tìm thấy tệp dữ liệu" in err
    from chibo4tot_desktop.db.engine import open_database

    open_database(tmp_path / "trong.sqlite3").close()
    code, _, err = run(capsys, "cells", "--data", str(tmp_path / "trong.sqlite3"))
    assert code == 2 and "chưa có đảng bộ nào" in err
    bad = tmp_path / "bang.xlsx"
    bad.write_bytes(b"PK\x03\x04not a database")
    code, _, err = run(capsys, "status", "--data", str(bad), "--year", "2023")
    assert code == 2 and "không phải là tệp dữ liệu" in err


def test_default_data_file_is_in_the_user_folder(tmp_path, capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    assert (tmp_path / "appdata" / "chibo4tot.sqlite3").exists()
    assert run(capsys, "cells")[0] == 0


def test_python_dash_m_works(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    result = subprocess.run([sys.executable, "-m", "chibo4tot_desktop", "demo", "--data",
                             str(tmp_path / "d.sqlite3")], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    result = subprocess.run([sys.executable, "-m", "chibo4tot_desktop", "--help"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0 and "Cách dùng" in result.stdout
