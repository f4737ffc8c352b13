"""Long actions of the window behind the progress dialog: it appears with "Hủy", "Hủy" stops
the work and nothing changes; left alone the work ends and its result is there.

Nothing here races the worker: the work is held at its first report (``Gate``) until the test
has looked at the dialog and clicked, so whether the click comes "in time" never depends on
speed."""

from __future__ import annotations

import datetime
import threading

import openpyxl
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.progress import Cancelled
from chibo4tot_desktop.ui import long_work
from chibo4tot_desktop.ui.long_work import run_long

CANCELLED = "Đã hủy theo yêu cầu; không có gì được ghi."


@pytest.fixture(autouse=True)
def shown_at_once(monkeypatch):
    """The dialog shows as soon as the work has started (not after half a second)."""
    monkeypatch.setattr(long_work, "SHOW_AFTER_MS", 0)


class Gate:
    """Holds the work at its first report until ``release()``; wraps the core function a
    window action calls (``wrap(real)``), keeping its own progress between."""

    def __init__(self):
        self.opened = threading.Event()

    def release(self) -> None:
        self.opened.set()

    def wrap(self, real):
        def gated(*args, progress, **kwargs):
            return real(*args, progress=self.held(progress), **kwargs)
        return gated

    def held(self, progress):
        gate = self

        class Held:
            def __call__(self, done, total=None, message=None):
                progress(done, total, message)
                assert gate.opened.wait(60), "the test never released the work"

            def check(self):
                progress.check()

        return Held()


def on_dialog(action, tries=6000, title: str | None = None) -> dict:
    """Once the progress dialog (titled ``title``, when given) is on screen, note what it
    shows and call ``action(dialog)`` (polled from the event loop the window waits in)."""
    seen: dict = {}

    def poll(left=tries):
        dialog = next((widget for widget in QApplication.topLevelWidgets()
                       if isinstance(widget, QProgressDialog) and widget.isVisible()
                       and title in (None, widget.windowTitle())), None)
        if dialog is None or dialog.labelText() == "Đang bắt đầu…":
            if left:
                QTimer.singleShot(5, lambda: poll(left - 1))
            return
        seen.update(title=dialog.windowTitle(), label=dialog.labelText(),
                    buttons=[b.text() for b in dialog.findChildren(QPushButton)
                             if b.isVisible()],
                    modal=dialog.isModal())
        action(dialog)

    QTimer.singleShot(0, poll)
    return seen


def click_cancel(gate):
    def action(dialog):
        dialog.cancel_button.click()
        assert dialog.labelText() == "Đang hủy…"
        gate.release()
    return action


def just_release(gate):
    return lambda _dialog: gate.release()


# ------------------------------------------------------------------------------- the runner
def test_quick_work_shows_no_dialog_and_errors_come_back(qtbot, monkeypatch):
    monkeypatch.setattr(long_work, "SHOW_AFTER_MS", 60_000)
    assert run_long(None, "Việc nhanh", lambda progress: progress(1, 1, "x") or 42) == 42
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]

    def failing(progress):
        raise ValueError("hỏng")

    with pytest.raises(ValueError, match="hỏng"):
        run_long(None, "Việc hỏng", failing)


def test_cancel_stops_the_work_and_says_so_plainly(qtbot, boxes):
    gate = Gate()
    steps = []

    def work(progress):
        for step in range(3):
            progress(step, 3, f"Bước {step + 1}")
            steps.append(step)
        return "xong"

    seen = on_dialog(click_cancel(gate))
    assert run_long(None, "Việc dài", lambda progress: work(gate.held(progress))) is None
    assert seen == {"title": "Việc dài", "label": "Bước 1", "buttons": ["Hủy"], "modal": True}
    assert steps == [0]
    assert boxes.shown == [("warning", CANCELLED)]          # an information box, not an error


# ------------------------------------------------------------------------------- the window
def test_excel_export_shows_progress_and_cancel_leaves_no_file(qtbot, demo_window, boxes,
                                                              tmp_path, monkeypatch):
    from chibo4tot_desktop.excel import exports
    from chibo4tot_desktop.ui.dialogs import import_dialog

    window = demo_window
    target = tmp_path / "out" / "dang-ky.xlsx"
    target.parent.mkdir()
    monkeypatch.setattr(import_dialog.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(target), ""))
    button = next(b for b in window.registrations_tab.findChildren(QPushButton)
                  if b.text() == "Xuất Excel")
    real = exports.export
    gate = Gate()
    monkeypatch.setattr(exports, "export", gate.wrap(real))
    seen = on_dialog(click_cancel(gate))
    button.click()
    assert seen["title"].startswith("Xuất ")
    assert seen["label"] == "Đang đọc dữ liệu…" and seen["buttons"] == ["Hủy"]
    assert list(target.parent.iterdir()) == []
    assert boxes.shown == [("warning", CANCELLED)]

    gate = Gate()
    monkeypatch.setattr(exports, "export", gate.wrap(real))
    on_dialog(just_release(gate))
    button.click()
    assert list(target.parent.iterdir()) == [target]
    book = openpyxl.load_workbook(target, read_only=True)
    assert book.sheetnames
    book.close()


def test_excel_import_cancelled_writes_nothing_then_imports(qtbot, window, boxes, tmp_path,
                                                            monkeypatch):
    from chibo4tot_desktop.excel import importer
    from chibo4tot_desktop.ui.dialogs import import_dialog

    office = window.office
    for number in (1, 2, 3):
        add_cell(office, f"TDP{number:02d}", f"Chi bộ Tổ dân phố {number}", "residential",
                 f"Bí thư {number}", 20)
    path = tmp_path / "dang-ky.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Tên chi bộ", "Ngày đăng ký", "Số đảng viên"])
    for number in (1, 2, 3):
        book.active.append([f"Chi bộ Tổ dân phố {number}", "05/03/2023", 20])
    book.save(path)
    monkeypatch.setattr(import_dialog.QFileDialog, "getOpenFileNames",
                        lambda *args, **kwargs: ([str(path)], ""))
    # The preview dialog's "Nhập" pressed at once.
    monkeypatch.setattr(import_dialog.ImportDialog, "exec",
                        lambda dialog: (dialog.import_button.click(), dialog.result())[1])
    window.show_tab(window.registrations_tab)
    button = next(b for b in window.registrations_tab.findChildren(QPushButton)
                  if b.text() == "Nhập từ Excel…")

    before = window.registrations_tab.summary.text()
    assert "Đã đăng ký 0/3" in before
    real = importer.apply_plan
    gate = Gate()
    monkeypatch.setattr(import_dialog.RegistrationImport, "apply",
                        staticmethod(gate.wrap(real)))
    # the files are read first (a dialog of its own), then written
    seen = on_dialog(click_cancel(gate), title="Nhập đăng ký")
    button.click()
    assert seen["title"] == "Nhập đăng ký" and seen["buttons"] == ["Hủy"]
    assert seen["label"] == "Đang ghi các bản đăng ký…"
    assert boxes.shown == [("warning", CANCELLED)]
    assert window.registrations_tab.summary.text() == before
    assert queries.registrations(office, 2023) == []

    gate = Gate()
    monkeypatch.setattr(import_dialog.RegistrationImport, "apply",
                        staticmethod(gate.wrap(real)))
    on_dialog(just_release(gate), title="Nhập đăng ký")
    button.click()
    assert len(boxes.shown) == 2 and boxes.shown[-1][1] != CANCELLED
    assert len(queries.registrations(office, 2023)) == 3
    qtbot.waitUntil(lambda: "Đã đăng ký 3/3" in window.registrations_tab.summary.text(),
                    timeout=30000)


def test_certificates_pdf_shows_progress_and_cancel_leaves_no_file(qtbot, demo_window, boxes,
                                                                  tmp_path, monkeypatch):
    from chibo4tot_desktop.pdf import render
    from chibo4tot_desktop.ui import printing

    window = demo_window
    target = tmp_path / "out" / "giay-khen.pdf"
    target.parent.mkdir()
    monkeypatch.setattr(printing.QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(target), ""))
    action = next(a for a in window.findChildren(type(window.quit_action))
                  if a.text() == "Lưu giấy khen của năm ra PDF…")
    window.set_year(2023)
    real = render.write_paper
    gate = Gate()

    def gated(paper, path, progress):
        return real(paper, path, gate.held(progress))

    monkeypatch.setattr(printing, "write_paper", gated)
    seen = on_dialog(click_cancel(gate))
    action.trigger()
    assert seen["title"].startswith("Lưu PDF") and seen["buttons"] == ["Hủy"]
    assert seen["label"] == "Đang tạo tệp PDF…"
    assert list(target.parent.iterdir()) == []
    assert ("warning", CANCELLED) in boxes.shown

    gate = Gate()
    on_dialog(just_release(gate))
    action.trigger()
    assert list(target.parent.iterdir()) == [target]
    assert target.read_bytes()[:5] == b"%PDF-"


def test_backup_now_cancelled_leaves_no_backup(qtbot, window, boxes, monkeypatch):
    from chibo4tot_desktop.safety import backup
    from chibo4tot_desktop.ui.dialogs import backups_dialog

    dialog = window.safety_menu.show_backups()
    qtbot.addWidget(dialog)
    real = backup.make_backup
    gate = Gate()
    monkeypatch.setattr(backups_dialog, "make_backup", gate.wrap(real))
    seen = on_dialog(click_cancel(gate))
    assert dialog.backup_now() is None
    assert seen["title"] == "Sao lưu dữ liệu" and seen["buttons"] == ["Hủy"]
    assert backup.list_backups(window.office.db.path) == []
    assert ("warning", CANCELLED) in boxes.shown

    gate = Gate()
    monkeypatch.setattr(backups_dialog, "make_backup", gate.wrap(real))
    on_dialog(just_release(gate))
    info = dialog.backup_now()
    assert info is not None and dialog.backups[0].path == info.path


def test_a_cancelled_error_is_not_raised_by_the_runner(qtbot, boxes):
    def cancelled(progress):
        raise Cancelled()

    assert run_long(None, "Việc", cancelled) is None
    assert boxes.shown == [("warning", CANCELLED)]


def test_restore_cancelled_keeps_the_open_file_then_restores(qtbot, demo_window, boxes,
                                                             monkeypatch):
    """Hủy while the backup is being copied: the window keeps its open file (the new cell
    is still there); left alone, the restore ends and the window shows the restored file."""
    from chibo4tot_desktop.safety import opening
    from chibo4tot_desktop.safety.restore import restore_backup

    window = demo_window
    dialog = window.safety_menu.show_backups()
    qtbot.addWidget(dialog)
    dialog.backup_now()
    add_cell(window.office, "MOI", "Chi bộ mới", started_on=datetime.date(2026, 5, 1))
    dialog.refresh()
    dialog.table.selectRow(0)
    dialog.confirm = lambda text: True
    gate = Gate()
    monkeypatch.setattr(opening, "restore_backup", gate.wrap(restore_backup))
    seen = on_dialog(click_cancel(gate))
    assert dialog.restore_selected() is False
    assert seen["title"] == "Khôi phục bản sao lưu" and seen["buttons"] == ["Hủy"]
    assert ("warning", CANCELLED) in boxes.shown
    assert "MOI" in {cell.code for cell in queries.cells(window.office)}

    gate = Gate()
    monkeypatch.setattr(opening, "restore_backup", gate.wrap(restore_backup))
    on_dialog(just_release(gate))
    dialog.table.selectRow(0)
    assert dialog.restore_selected() is True
    assert "MOI" not in {cell.code for cell in queries.cells(window.office)}


def test_reading_the_files_of_an_import_shows_progress_and_can_be_stopped(qtbot, window, boxes,
                                                                          tmp_path,
                                                                          monkeypatch):
    """The preview reads each file (in a child process) behind the dialog: Hủy leaves no
    plan and says how to read again; “Đọc lại tệp” then reads them."""
    from chibo4tot_desktop.excel import importer
    from chibo4tot_desktop.ui.dialogs import import_dialog

    office = window.office
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1", "residential", "Bí thư 1", 20)
    path = tmp_path / "dang-ky.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Tên chi bộ", "Ngày đăng ký", "Số đảng viên"])
    book.active.append(["Chi bộ Tổ dân phố 1", "05/03/2023", 20])
    book.save(path)
    gate = Gate()
    monkeypatch.setattr(import_dialog.RegistrationImport, "build",
                        staticmethod(gate.wrap(importer.build_plan)))
    seen = on_dialog(click_cancel(gate))
    dialog = import_dialog.ImportDialog(office, 2023, [path], window)
    qtbot.addWidget(dialog)
    assert seen["title"] == "Đọc tệp Excel" and seen["buttons"] == ["Hủy"]
    assert seen["label"] == "Đang đọc tệp dang-ky.xlsx…"
    assert dialog.plan is None and "Đọc lại tệp" in dialog.error_label.text()
    assert boxes.shown == [("warning", CANCELLED)]

    gate = Gate()
    monkeypatch.setattr(import_dialog.RegistrationImport, "build",
                        staticmethod(gate.wrap(importer.build_plan)))
    on_dialog(just_release(gate))
    dialog.reload()
    assert dialog.plan is not None and len(dialog.plan.to_add) == 1
    assert dialog.error_label.text() == ""
