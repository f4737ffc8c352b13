"""Data safety in the window: opening the file safely, and the automatic backups.

``open_data_file`` is what the program does at start instead of a bare ``open_database``:
the physical check (a damaged file: offer the newest good backup), the writer lock (a second
copy: offer read-only), the network-share warning. The questions go through ``Questions`` so
tests answer them without modal boxes.

``AutoBackupDriver`` runs ``safety.backup.AutoBackup``: a check every hour (a backup when the
file changed and the last one is a day old) and one on close.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.db.engine import SQLITE_HEADER, Database, is_url, open_database
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.safety.backup import AutoBackup, BackupInfo
from chibo4tot_desktop.safety.check import physical_check, split_integrity
from chibo4tot_desktop.safety.location import network_warning
from chibo4tot_desktop.safety.lock import DataFileLockedError
from chibo4tot_desktop.safety.restore import newest_good_backup, restore_backup
from chibo4tot_desktop.text import format_date

CHECK_INTERVAL_MS = 60 * 60 * 1000


class Questions:
    """The questions asked while opening; message boxes here, answers given in tests."""

    def __init__(self, parent: QWidget | None = None):
        self.parent = parent

    def restore_damaged(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, message, parent=self.parent)
        restore = box.addButton("Khôi phục bản sao lưu này", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Thoát", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is restore

    def open_readonly(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, message, parent=self.parent)
        readonly = box.addButton("Mở chỉ đọc", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("Thoát", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is readonly

    def warn(self, message: str) -> None:
        QMessageBox.warning(self.parent, APP_TITLE, message)

    def error(self, message: str) -> None:
        QMessageBox.critical(self.parent, APP_TITLE, message)


def _looks_like_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def damaged_message(path: Path, problem: str, backup: BackupInfo | None) -> str:
    text = (f"Tệp dữ liệu '{path.name}' bị hỏng ({problem}). Không nên làm việc tiếp trên "
            "tệp này.\n\n")
    if backup is None:
        return text + ("Không tìm thấy bản sao lưu tốt nào trong thư mục backups cạnh tệp. "
                       "Hãy giữ nguyên tệp và nhờ cán bộ tin học giúp; có thể chạy lệnh "
                       "“chibo4tot-desktop check” để xem chi tiết.")
    when = f"{backup.taken_at:%H:%M} ngày {format_date(backup.taken_at.date())}"
    return text + (f"Bản sao lưu tốt gần nhất: {when} ({backup.path.name}). Khôi phục bản "
                   "này? Những thay đổi sau thời điểm đó sẽ mất; tệp hỏng hiện tại vẫn được "
                   "giữ lại trong thư mục backups.")


def open_data_file(target: str | os.PathLike, parent: QWidget | None = None,
                   questions: Questions | None = None) -> Database | None:
    """Open the data file for the window, or None when the user chose to stop."""
    questions = questions or Questions(parent)
    if is_url(target):
        try:
            return open_database(target)
        except UserError as error:
            questions.error(str(error))
            return None
    path = Path(target)
    if path.is_file() and path.stat().st_size > 0 and _looks_like_sqlite(path):
        damage, _constraint = split_integrity(physical_check(path))
        if damage:
            backup = newest_good_backup(path)
            message = damaged_message(path, damage[0], backup)
            if backup is None:
                questions.error(message)
                return None
            if not questions.restore_damaged(message):
                return None
            try:
                restore_backup(backup.path, path)
            except UserError as error:
                questions.error(str(error))
                return None
    try:
        db = open_database(path, lock=True)
    except DataFileLockedError as error:
        if not questions.open_readonly(f"{error}\n\nMở tệp ở chế độ chỉ đọc?"):
            return None
        try:
            db = open_database(path, readonly=True)
        except UserError as again:
            questions.error(str(again))
            return None
    except UserError as error:
        questions.error(str(error))
        return None
    warning = network_warning(path)
    if warning:
        questions.warn(warning)
    return db


class AutoBackupDriver(QObject):
    """The daily backup while open (checked every hour) and the backup on close."""

    backedUp = Signal(str)   # a Vietnamese line for the status bar
    failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None,
                 clock: Callable | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self.db = db
        self.auto = AutoBackup(db.path, clock) if clock else AutoBackup(db.path)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        if not db.readonly and db.path is not None:
            self.timer.start()

    def _run(self, action) -> BackupInfo | None:
        if self.db.readonly or self.db.path is None:
            return None
        try:
            info = action()
        except UserError as error:
            self.failed.emit(f"Sao lưu tự động không thành công: {error}")
            return None
        if info is not None:
            self.backedUp.emit(f"Đã sao lưu tự động: {info.path.name}")
        return info

    def tick(self) -> BackupInfo | None:
        return self._run(self.auto.run_if_due)

    def on_close(self) -> BackupInfo | None:
        """The backup beside the file, then one in the second folder when it is there."""
        self.timer.stop()
        info = self._run(self.auto.on_close)
        self._run(self.auto.second_on_close)
        return info


class SafetyMenu(QObject):
    """The File menu's data safety actions, for any main window.

    ``get_db()`` returns the window's current ``Database``; ``replace_db(db)`` is called with
    the new one after a restore (the window rebuilds its ``Office`` and screens from it).
    Wiring: ``SafetyMenu(window, file_menu, lambda: self.office.db, self.set_database)``.
    """

    def __init__(self, window: QWidget, menu, get_db: Callable[[], Database],
                 replace_db: Callable[[Database], None]):
        super().__init__(window)
        self.window = window
        self.get_db = get_db
        self.replace_db = replace_db
        self.backups_action = menu.addAction("Sao lưu và khôi phục…")
        self.check_action = menu.addAction("Kiểm tra tệp dữ liệu…")
        self.audit_action = menu.addAction("Nhật ký thay đổi…")
        self.backups_action.triggered.connect(self.show_backups)
        self.check_action.triggered.connect(self.run_check)
        self.audit_action.triggered.connect(self.show_audit)
        self.dialog = None

    def _restore(self, backup: Path) -> None:
        from chibo4tot_desktop.safety.restore import restore_and_reopen

        try:
            db = restore_and_reopen(self.get_db(), backup)
        except UserError as error:
            reopened = getattr(error, "database", None)
            if reopened is not None:
                self.replace_db(reopened)
            raise
        self.replace_db(db)

    def show_backups(self):
        from chibo4tot_desktop.ui.dialogs.backups_dialog import BackupsDialog

        db = self.get_db()
        if db.path is None:
            QMessageBox.information(self.window, APP_TITLE,
                                    "Dữ liệu nằm trên máy chủ; việc sao lưu do máy chủ lo.")
            return None
        self.dialog = BackupsDialog(db.path, self.window, restore_handler=self._restore,
                                    readonly=db.readonly,
                                    set_second_folder=self._set_second_folder)
        self.dialog.open()
        return self.dialog

    def _set_second_folder(self, folder: str) -> str:
        from chibo4tot_desktop.ops import Office
        from chibo4tot_desktop.ops.setup import set_second_backup_folder

        return set_second_backup_folder(Office(self.get_db()), folder)

    def show_audit(self):
        from chibo4tot_desktop.ui.dialogs.audit_dialog import AuditDialog

        self.dialog = AuditDialog(self.get_db(), self.window)
        self.dialog.open()
        return self.dialog

    def run_check(self):
        """The full check; safe repairs when this window is the writer. Shows the report."""
        from PySide6.QtWidgets import QDialog, QDialogButtonBox, QPlainTextEdit, QVBoxLayout

        from chibo4tot_desktop.safety.check import run_check

        db = self.get_db()
        if db.path is None:
            return None
        try:
            report = run_check(db.path, repair_safe=not db.readonly)
        except UserError as error:
            QMessageBox.critical(self.window, APP_TITLE, str(error))
            return None
        if any(f.repaired for f in report.findings):
            db.notify(frozenset({"cells", "registrations", "evaluations", "awards",
                                 "settings"}))
        dialog = QDialog(self.window)
        dialog.setWindowTitle("Kiểm tra tệp dữ liệu")
        dialog.resize(760, 480)
        text = QPlainTextEdit("\n".join(report.lines()))
        text.setReadOnly(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.report = report
        dialog.text = text
        self.dialog = dialog
        dialog.open()
        return dialog
