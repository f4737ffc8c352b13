"""The city tab and the database dialog, driven with pytest-qt."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QProgressBar

from chibo4tot_desktop import connection
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.packets import export_packet
from chibo4tot_desktop.reports import year_overview
from chibo4tot_desktop.ui.dialogs.database_dialog import DatabaseDialog
from chibo4tot_desktop.ui.tabs.city_tab import SHARE_COLUMN, CityTab
from tests.test_packets import T0, _retitle, ward  # noqa: F401  (fixture)


@pytest.fixture
def tab(qtbot, db):
    widget = CityTab(db)
    qtbot.addWidget(widget)
    return widget


def test_import_shows_results_and_share_per_ward(tab, ward, tmp_path):  # noqa: F811
    assert tab.results.rowCount() == 0
    assert "Chưa có đảng bộ nào" in tab.message.text()
    first = export_packet(ward, 2023, tmp_path / "tg.zip", now=T0)
    second = _retitle(first, tmp_path / "hp.zip", "HAPHUONG", "Đảng bộ phường Hà Phương",
                      tab.db)
    outcomes = tab.import_files([str(first), str(second)])
    assert [o.action for o in outcomes] == ["new", "new"]
    assert tab.year.value() == 2023
    assert "đã nhập Đảng bộ phường Hà Phương" in tab.message.text()
    assert tab.results.rowCount() == 2
    assert [tab.results.item(r, 1).text() for r in range(2)] == [
        "Đảng bộ phường Hà Phương", "Đảng bộ phường Tân Giang"]
    counts = year_overview(ward, 2023).counts
    share = counts["qualifying"] / counts["active"]
    bar = tab.results.cellWidget(0, SHARE_COLUMN)
    assert isinstance(bar, QProgressBar) and bar.value() == round(share * 1000)
    assert tab.results.item(0, SHARE_COLUMN).text() == f"{share * 100:.1f}".replace(".", ",") + "%"
    assert tab.results.item(0, 5).text() == str(counts["qualifying"])
    assert tab.proposals.rowCount() == 2 * len(queries.awards(ward, 2023))
    # Another year: empty tables and a hint.
    tab.year.setValue(2025)
    assert tab.results.rowCount() == 0 and tab.proposals.rowCount() == 0


def test_bad_packet_is_reported_and_nothing_shown(tab, tmp_path):
    bad = tmp_path / "hong.zip"
    bad.write_bytes(b"khong phai zip")
    assert tab.import_files([str(bad)]) is None
    assert tab.message.text().startswith("Lỗi: Gói dữ liệu 'hong.zip' bị từ chối")
    assert tab.results.rowCount() == 0


def test_export_and_certificates_from_the_tab(tab, ward, tmp_path):  # noqa: F811
    tab.import_files([str(export_packet(ward, 2023, tmp_path / "tg.zip", now=T0))])
    target = tmp_path / "ds.xlsx"
    count = tab.export_proposals(str(target))
    assert count == len(queries.awards(ward, 2023))
    assert load_workbook(target).active["H1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM"
    pages = tab.certificates_job().pages
    assert len(pages) == len([a for a in queries.awards(ward, 2023) if a.is_decided])
    tab.year.setValue(2025)
    assert tab.export_proposals(str(tmp_path / "x.xlsx")) is None
    assert "chưa có đề nghị" in tab.message.text()


def test_database_dialog_saves_checks_and_forgets(qtbot, tmp_path):
    dialog = DatabaseDialog()
    qtbot.addWidget(dialog)
    assert dialog.local.isChecked() and not dialog.url.isEnabled()
    dialog.server.setChecked(True)
    dialog.url.setText("mysql://a/b")
    dialog.save()
    assert "PostgreSQL" in dialog.status.text() and connection.saved_database_url() is None
    dialog.url.setText("postgresql+psycopg://u:bi-mat@127.0.0.1:1/x")
    assert not dialog.test_connection()
    assert "Không kết nối được" in dialog.status.text()
    url = "sqlite:///" + (tmp_path / "thu.sqlite3").as_posix()
    dialog.url.setText(url)
    assert dialog.test_connection()
    assert "Kết nối được" in dialog.status.text()
    dialog.url.setText("postgresql://u:bi-mat@may-chu/chibo4tot")
    dialog.save()
    assert dialog.result() == DatabaseDialog.Accepted
    assert connection.saved_database_url() == "postgresql+psycopg://u:bi-mat@may-chu/chibo4tot"
    assert "bi-mat" not in connection.display_url(connection.saved_database_url())
    again = DatabaseDialog()
    qtbot.addWidget(again)
    assert again.server.isChecked() and again.url.text().endswith("/chibo4tot")
    again.local.setChecked(True)
    again.save()
    assert connection.saved_database_url() is None


def test_unreachable_server_lets_the_user_choose_again(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from chibo4tot_desktop.ui.dialogs.database_dialog import open_or_choose

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args[2]))
    asked = []
    unreachable = "postgresql+psycopg://u@127.0.0.1:1/x"
    # The user gives up: nothing opened.
    assert open_or_choose(unreachable, choose=lambda text: (asked.append(text), (False, None))[1]
                          ) is None
    assert "Không kết nối được" in asked[0]
    # The user goes back to the file on this computer (the default data file).
    db = open_or_choose(unreachable, choose=lambda text: (True, None))
    try:
        assert db.is_sqlite and db.path.name == "chibo4tot.sqlite3"
    finally:
        db.close()
    # Another server that does not answer either: said once, nothing opened.
    assert open_or_choose(unreachable, choose=lambda text: (True, unreachable)) is None
    assert "Không kết nối được" in shown[-1]
    # A damaged local file: said, nothing opened, no dialog.
    bad = tmp_path / "hong.sqlite3"
    bad.write_bytes(b"not a database at all, just text")
    assert open_or_choose(str(bad), choose=lambda text: pytest.fail("no dialog")) is None
    assert "không phải" in shown[-1]


def test_ward_exports_its_packet_from_the_window(qtbot, ward, tmp_path, monkeypatch, db):  # noqa: F811
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from chibo4tot_desktop.ops.exchange import import_packets
    from chibo4tot_desktop.ui.dialogs.packet_dialog import export_packet_with_dialog

    said = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: said.append(args[2]))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: said.append(args[2]))
    target = tmp_path / "goi"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: (str(target), ""))
    saved = export_packet_with_dialog(None, ward, 2023)
    assert saved == tmp_path / "goi.zip" and "Đã lưu gói dữ liệu năm 2023" in said[-1]
    assert [o.action for o in import_packets(db, [saved])] == ["new"]
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args: ("", ""))
    assert export_packet_with_dialog(None, ward, 2023) is None
    assert export_packet_with_dialog(None, ward, 2031, str(tmp_path / "x.zip")) is None
    assert "không thuộc giai đoạn" in said[-1]
