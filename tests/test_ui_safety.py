"""The window's data safety parts: opening safely (damaged file, second copy, network share),
automatic backups, the backups dialog and the audit log viewer."""

import datetime as dt
import re
import sqlite3

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell, update_cell
from chibo4tot_desktop.listings import AuditListing, Query
from chibo4tot_desktop.safety.audit_query import AuditFilter
from chibo4tot_desktop.safety.backup import list_backups, make_backup
from chibo4tot_desktop.safety.check import table_checksum
from chibo4tot_desktop.safety.opening import open_for_writing, restore_and_reopen
from chibo4tot_desktop.ui import safety as ui_safety
from chibo4tot_desktop.ui.dialogs.audit_dialog import AuditDialog
from chibo4tot_desktop.ui.dialogs.backups_dialog import BackupsDialog
from chibo4tot_desktop.ui.safety import AutoBackupDriver, open_data_file


class Answers(ui_safety.Questions):
    """Scripted answers; records every question asked."""

    def __init__(self, restore=True, readonly=True):
        super().__init__(None)
        self.asked = []
        self.restore, self.readonly = restore, readonly

    def restore_damaged(self, message):
        self.asked.append(("restore", message))
        return self.restore

    def open_readonly(self, message):
        self.asked.append(("readonly", message))
        return self.readonly

    def warn(self, message):
        self.asked.append(("warn", message))

    def error(self, message):
        self.asked.append(("error", message))


def _damage(path):
    for extra in ("-wal", "-shm"):
        path.with_name(path.name + extra).unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    for offset in range(2 * 4096, len(data), 4096):
        data[offset:offset + 64] = b"\x07" * 64
    path.write_bytes(bytes(data))


# ------------------------------------------------------------------------ opening safely
def test_healthy_file_opens_with_the_lock_and_asks_nothing(qtbot, demo_office, db_path):
    demo_office.db.close()
    answers = Answers()
    db = open_data_file(db_path, questions=answers)
    try:
        assert db is not None and not db.readonly and db.lock is not None and db.lock.held
        assert answers.asked == []
    finally:
        db.close()


def test_damaged_file_offers_the_newest_good_backup(qtbot, demo_office, db_path):
    older = make_backup(db_path, "tu-dong", now=dt.datetime(2024, 1, 1, 8, 0))
    add_cell(demo_office, "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
    newest = make_backup(db_path, "khi-dong", now=dt.datetime(2024, 1, 2, 17, 30))
    # A damaged backup that is even newer must be passed over.
    broken = make_backup(db_path, "thu-cong", now=dt.datetime(2024, 1, 3, 9, 0))
    _damage(broken.path)
    demo_office.db.close()
    _damage(db_path)

    answers = Answers(restore=True)
    db = open_data_file(db_path, questions=answers)
    try:
        kind, message = answers.asked[0]
        assert kind == "restore" and "bị hỏng" in message
        assert "17:30 ngày 02/01/2024" in message and newest.path.name in message
        assert db is not None and "MOI" in {c.code for c in queries.cells(Office(db))}
    finally:
        db.close()
    assert table_checksum(db_path) == table_checksum(newest.path)
    assert older.path.exists()
    assert any(p.name.endswith(".damaged") for p in (db_path.parent / "backups").iterdir())


def test_damaged_file_without_a_backup_says_what_to_do(qtbot, demo_office, db_path):
    demo_office.db.close()
    _damage(db_path)
    answers = Answers()
    assert open_data_file(db_path, questions=answers) is None
    kind, message = answers.asked[0]
    assert kind == "error" and "Không tìm thấy bản sao lưu tốt" in message


def test_declining_the_restore_leaves_the_file_alone(qtbot, demo_office, db_path):
    make_backup(db_path, "tu-dong")
    demo_office.db.close()
    _damage(db_path)
    damaged = db_path.read_bytes()
    assert open_data_file(db_path, questions=Answers(restore=False)) is None
    assert db_path.read_bytes() == damaged


def test_second_copy_is_offered_read_only(qtbot, demo_office, db_path):
    demo_office.db.close()
    first = open_for_writing(db_path)
    try:
        answers = Answers(readonly=True)
        second = open_data_file(db_path, questions=answers)
        assert second is not None and second.readonly
        second.close()
        kind, message = answers.asked[0]
        assert kind == "readonly" and "chỉ đọc" in message
        assert open_data_file(db_path, questions=Answers(readonly=False)) is None
    finally:
        first.close()


def test_network_share_is_warned_about(qtbot, demo_office, db_path, monkeypatch):
    demo_office.db.close()
    from chibo4tot_desktop.safety import opening

    monkeypatch.setattr(opening, "network_warning", lambda path: "Tệp nằm trên ổ mạng")
    answers = Answers()
    db = open_data_file(db_path, questions=answers)
    db.close()
    assert answers.asked == [("warn", "Tệp nằm trên ổ mạng")]


def test_a_foreign_file_gets_its_message(qtbot, tmp_path):
    path = tmp_path / "bang-tinh.sqlite3"
    path.write_bytes(b"PK\x03\x04 not a database")
    answers = Answers()
    assert open_data_file(path, questions=answers) is None
    assert answers.asked[0][0] == "error" and "không phải" in answers.asked[0][1]


# --------------------------------------------------------------------- automatic backups
def test_auto_backup_driver_ticks_and_backs_up_on_close(qtbot, office, db_path):
    clock_now = [dt.datetime(2025, 3, 1, 8, 0)]
    driver = AutoBackupDriver(office.db, clock=lambda: clock_now[0], interval_ms=50)
    assert driver.timer.isActive()
    with qtbot.waitSignal(driver.backedUp, timeout=3000) as blocker:
        pass   # the timer fires tick(): the file changed and has no backup yet
    assert "Đã sao lưu tự động" in blocker.args[0]
    assert [b.reason for b in list_backups(db_path)] == ["tu-dong"]
    add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1")
    assert driver.tick() is None            # not a day yet
    closing = driver.on_close()
    assert closing is not None and closing.reason == "khi-dong"
    assert not driver.timer.isActive()


def test_auto_backup_driver_does_nothing_read_only(qtbot, office, db_path):
    reader = open_database(db_path, readonly=True)
    try:
        driver = AutoBackupDriver(reader)
        assert not driver.timer.isActive() and driver.on_close() is None
    finally:
        reader.close()
    assert list_backups(db_path) == []


def test_auto_backup_driver_on_a_database_url_has_no_file_to_back_up(qtbot, tmp_path):
    server = tmp_path / "server.sqlite3"
    database = open_database(f"sqlite:///{server}")   # a URL: as a database server is opened
    try:
        assert database.path is None
        driver = AutoBackupDriver(database)
        assert not driver.timer.isActive()
        assert driver.tick() is None and driver.on_close() is None
    finally:
        database.close()
    assert list_backups(server) == []


# -------------------------------------------------------------------------- backups dialog
def test_backups_dialog_lists_backs_up_and_restores(qtbot, demo_office, db_path):
    make_backup(db_path, "tu-dong", now=dt.datetime(2024, 5, 6, 7, 8, 9))
    state = {"db": demo_office.db}

    def restore(path):
        state["db"] = restore_and_reopen(state["db"], path)

    dialog = BackupsDialog(db_path, restore_handler=restore)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "06/05/2024 07:08:09"
    assert dialog.table.item(0, 1).text() == "Tự động (hằng ngày)"
    # the size in the user's units, decimal comma (the demo file is about 1 MB, once < 1 MB)
    assert re.fullmatch(r"\d+,\d (KB|MB)", dialog.table.item(0, 2).text())
    assert not dialog.restore_button.isEnabled()      # nothing selected

    dialog.backup_button.click()
    assert dialog.table.rowCount() == 2
    assert dialog.table.item(0, 1).text() == "Sao lưu thủ công"
    moment = table_checksum(dialog.backups[0].path)

    add_cell(Office(state["db"]), "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
    dialog.table.selectRow(0)
    assert dialog.restore_button.isEnabled()
    dialog.confirm = lambda text: False
    assert dialog.restore_selected() is False
    dialog.confirm = lambda text: "Khôi phục dữ liệu về thời điểm" in text
    assert dialog.restore_selected() is True
    try:
        assert "MOI" not in {c.code for c in queries.cells(Office(state["db"]))}
        assert table_checksum(db_path) == moment
        assert dialog.table.rowCount() == 3                # plus "before restore"
        assert "Trước khi khôi phục" in {dialog.table.item(r, 1).text() for r in range(3)}
    finally:
        state["db"].close()


def test_backups_dialog_shows_a_refused_restore(qtbot, demo_office, db_path):
    bad = make_backup(db_path, "thu-cong")
    _damage(bad.path)
    errors = []
    state = {"db": demo_office.db}

    def restore(path):
        state["db"] = restore_and_reopen(state["db"], path)

    dialog = BackupsDialog(db_path, restore_handler=restore)
    qtbot.addWidget(dialog)
    dialog.confirm = lambda text: True
    dialog.show_error = errors.append
    dialog.table.selectRow(0)
    assert dialog.restore_selected() is False
    assert errors and "Không khôi phục được" in errors[0]
    assert state["db"] is demo_office.db                 # still open, still usable
    add_cell(demo_office, "SAU", "Chi bộ sau", started_on=dt.date(2026, 5, 1))


def test_backups_dialog_read_only_cannot_restore(qtbot, demo_office, db_path):
    make_backup(db_path, "thu-cong")
    dialog = BackupsDialog(db_path, restore_handler=lambda path: None, readonly=True)
    qtbot.addWidget(dialog)
    dialog.table.selectRow(0)
    assert not dialog.restore_button.isEnabled() and not dialog.backup_button.isEnabled()


# ---------------------------------------------------------------------------- audit viewer
def test_audit_dialog_filters(qtbot, office, db_path):
    cell = add_cell(office, "TDP01", "Chi bộ Tổ dân phố 1", secretary="Nguyễn Văn An")
    update_cell(office, cell.id, secretary="Trần Thị Bình")
    with sqlite3.connect(db_path) as connection:   # an older entry by another person
        connection.execute(
            "INSERT INTO audit_log (at, user, action, table_name, row_id, summary, field, "
            "old_value, new_value) VALUES ('2020-01-02 03:04:05', 'lan', 'delete', 'cells', "
            "99, 'Chi bộ cũ', '', '{}', NULL)")
    dialog = AuditDialog(office.db)
    qtbot.addWidget(dialog)
    model = dialog.model

    def text(row, column):
        return model.index(row, column).data()

    total = model.rowCount()
    assert total == len(AuditListing(office.db, AuditFilter()).ordered_ids(Query("at"))) > 3

    dialog.table_combo.setCurrentIndex(dialog.table_combo.findText("Chi bộ"))
    assert {text(r, 3) for r in range(model.rowCount())} == {"Chi bộ"}
    dialog.action_combo.setCurrentIndex(dialog.action_combo.findText("Sửa"))
    assert model.rowCount() == 1
    assert text(0, 5) == "bí thư: Nguyễn Văn An → Trần Thị Bình"
    assert text(0, 4) == "Chi bộ Tổ dân phố 1"

    dialog.action_combo.setCurrentIndex(0)
    dialog.user_combo.setCurrentIndex(dialog.user_combo.findText("lan"))
    assert model.rowCount() == 1
    assert text(0, 0) == "02/01/2020 03:04:05"
    assert text(0, 2) == "Xóa"

    dialog.user_combo.setCurrentIndex(0)
    dialog.since_edit.setDate(dialog.since_edit.date().fromString("01/01/2021", "dd/MM/yyyy"))
    dialog.since_check.setChecked(True)
    assert "lan" not in {text(r, 1) for r in range(model.rowCount())}
    dialog.since_check.setChecked(False)

    dialog.text_edit.setText("tran thi binh")          # typed without diacritics
    qtbot.waitUntil(lambda: model.rowCount() == 1, timeout=2000)
    assert "Trần Thị Bình" in text(0, 5)
    assert dialog.count_label.text() == "1 dòng"


# ------------------------------------------------------------------------------- start-up
def test_app_run_opens_safely_and_backs_up_on_close(qtbot, qapp, demo_office, db_path,
                                                    monkeypatch):
    from PySide6.QtWidgets import QApplication

    from chibo4tot_desktop.ui import app as app_module

    demo_office.db.close()
    seen = {}

    def fake_exec(self):
        window = next(w for w in QApplication.topLevelWidgets() if w.isVisible()
                      and w.windowTitle().startswith("Chi bộ 4 tốt"))
        seen["title"] = window.windowTitle()
        seen["locked"] = (db_path.parent / (db_path.name + ".lock")).exists()
        window.close()
        return 0

    monkeypatch.setattr(type(qapp), "exec", fake_exec)
    assert app_module.run(str(db_path)) == 0
    assert seen["locked"] and "(chỉ đọc)" not in seen["title"]
    assert not (db_path.parent / (db_path.name + ".lock")).exists()
    assert [b.reason for b in list_backups(db_path)] == ["khi-dong"]
    # Nothing changed since: closing again takes no new backup.
    assert app_module.run(str(db_path)) == 0
    assert len(list_backups(db_path)) == 1


# ---------------------------------------------------------------------------- File menu
def test_safety_menu_backups_restore_audit_and_check(qtbot, demo_office, db_path):
    from PySide6.QtWidgets import QMainWindow

    from chibo4tot_desktop.ui.safety import SafetyMenu

    window = QMainWindow()
    qtbot.addWidget(window)
    state = {"db": demo_office.db, "replaced": 0}

    def replace(db):
        state["db"] = db
        state["replaced"] += 1

    menu = window.menuBar().addMenu("Tệp")
    safety = SafetyMenu(window, menu, lambda: state["db"], replace)
    assert [a.text() for a in menu.actions()] == [
        "Sao lưu và khôi phục…", "Kiểm tra tệp dữ liệu…", "Nhật ký thay đổi…"]

    safety.backups_action.trigger()
    dialog = safety.dialog
    dialog.backup_button.click()
    moment = table_checksum(db_path)
    add_cell(Office(state["db"]), "MOI", "Chi bộ mới", started_on=dt.date(2026, 5, 1))
    dialog.table.selectRow(0)
    dialog.confirm = lambda text: True
    assert dialog.restore_selected()
    assert state["replaced"] == 1 and state["db"] is not demo_office.db
    assert table_checksum(db_path) == moment and state["db"].lock.held
    dialog.close()

    safety.audit_action.trigger()
    assert safety.dialog.model.rowCount() > 0
    safety.dialog.close()

    with sqlite3.connect(db_path) as connection:   # an orphan score, written behind our back
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("INSERT INTO scores (evaluation_id, item_id, self_points) "
                           "VALUES (999999, 1, 1)")
    heard = []
    state["db"].subscribe(heard.append)
    safety.check_action.trigger()
    report = safety.dialog.report
    assert {f.key: f.repaired for f in report.findings}["orphans"] == 1
    assert "Bản ghi mồ côi (bản ghi cha đã mất): 1 (đã sửa 1)" in \
        safety.dialog.text.toPlainText()
    assert heard and "cells" in heard[0]
    safety.dialog.close()
    state["db"].close()
