"""The command line contract: demo, cells, status; exit codes and Vietnamese messages."""

import os
import subprocess
import sys

import pytest

from chibo4tot_desktop.cli import main
from tests.datafiles import copy_data_file


@pytest.fixture
def demo_file(tmp_path, demo_template):
    """A data file holding the demo ward, as the `demo` command makes it (a copy of the
    session's demo template; test_demo_then_status_prints_a_coherent_year runs the command)."""
    path = tmp_path / "demo.sqlite3"
    copy_data_file(demo_template, path)
    return str(path)


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
    assert "Hạn đăng ký thi đua: 10/03/2023" in out
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


def test_status_shows_unscored_and_todo(demo_file, capsys):
    code, out, _ = run(capsys, "status", "--data", demo_file, "--year", "2024")
    assert code == 0
    assert "đã đăng ký nhưng chưa chấm đủ điểm: Chi bộ Tổ dân phố 2" in out
    code, out, _ = run(capsys, "status", "--data", demo_file, "--year", "2026")
    assert "2 chi bộ chưa đăng ký thi đua (đã quá hạn): Chi bộ Tổ dân phố 10, " \
           "Chi bộ Tổ dân phố 14" in out
    assert "16 chi bộ đã đăng ký nhưng chưa chấm đủ điểm" in out


def test_demo_refuses_a_file_with_data(demo_file, capsys):
    code, out, err = run(capsys, "demo", "--data", demo_file)
    assert code == 2
    assert err.startswith("Lỗi: Tệp dữ liệu đã có dữ liệu")
    assert len(err.strip().splitlines()) == 1


def test_cells_lists_the_demo_cells(demo_file, capsys):
    code, out, _ = run(capsys, "cells", "--data", demo_file)
    assert code == 0
    assert "Đảng bộ phường Thành Sen" in out
    assert "chi bộ điểm" in out
    assert "sáp nhập vào TDPTT 15/12/2024" in out and "thành lập 01/07/2025" in out
    assert "Tổng số: 20 chi bộ" in out
    rows = [line.split()[0] for line in out.splitlines() if line.startswith(("TDP", "CA", "CQ"))]
    assert rows[:4] == ["CA", "CQ", "TDP01", "TDP02"]
    assert rows.index("TDP02") < rows.index("TDP10")


@pytest.mark.parametrize("args, message", [
    (["status", "--year", "hai nghìn"], "năm 'hai nghìn' không hợp lệ"),
    (["status", "--year", "2031"], "Năm 2031 không thuộc giai đoạn"),
    (["status", "--year", "2024", "--org-code", "KHONGCO"], "không có đảng bộ mã 'KHONGCO'"),
    (["cells", "merge", "TDP01", "--date", "15/12/2026"], "Chưa chọn chi bộ nhận"),
    (["cells", "add", "--code", "TDP16", "--name", "Chi bộ Tổ dân phố 16"],
     "đã có quyết định khen thưởng"),
    (["khong-co-lenh"], "lựa chọn 'khong-co-lenh' không hợp lệ"),
    (["cells", "--bogus"], "tham số không nhận ra"),
])
def test_bad_input_exits_2_with_one_vietnamese_line(demo_file, capsys, args, message):
    data = demo_file
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
