"""Data safety in the window: opening the file safely, and the automatic backups.

``open_data_file`` is how the window opens a data file, at start and from the File menu
(Open, Recent, New, demo): the core's ``open_for_writing`` (start checks, writer lock,
network-share warning), and its refusals turned into the same questions everywhere: a damaged
or empty file - offer the newest good backup; a file another copy holds, or one that cannot be
written - say why and offer read-only. The questions go through ``Questions`` so tests answer
them without modal boxes.

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
from chibo4tot_desktop.db.engine import Database
from chibo4tot_desktop.errors import (
    DataFileDamagedError,
    DataFileEmptyError,
    DataFileReadOnlyError,
    UserError,
)
from chibo4tot_desktop.safety.backup import AutoBackup, BackupInfo
from chibo4tot_desktop.safety.opening import (
    DataFileLockedError,
    backup_moment,
    open_for_reading,
    open_for_writing,
)
from chibo4tot_desktop.safety.restore import restore_backup

CHECK_INTERVAL_MS = 60 * 60 * 1000


class Questions:
    """The questions asked while opening; message boxes here, answers given in tests.
    ``cancel_text``: the button that gives up ("Thoát" at start, "Hủy" from the menu)."""

    def __init__(self, parent: QWidget | None = None, cancel_text: str = "Thoát"):
        self.parent = parent
        self.cancel_text = cancel_text

    def restore_damaged(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Critical, APP_TITLE, message, parent=self.parent)
        restore = box.addButton("Khôi phục bản sao lưu này", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.cancel_text, QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is restore

    def open_readonly(self, message: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, message, parent=self.parent)
        readonly = box.addButton("Mở chỉ đọc", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(self.cancel_text, QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is readonly

    def warn(self, message: str) -> None:
        QMessageBox.warning(self.parent, APP_TITLE, message)

    def error(self, message: str) -> None:
        QMessageBox.critical(self.parent, APP_TITLE, message)


def restore_question(path: Path, error: DataFileDamagedError | DataFileEmptyError) -> str:
    """The window's question for a damaged or empty file that has a good backup."""
    if isinstance(error, DataFileEmptyError):
        text = (f"Tệp dữ liệu '{path.name}' rỗng (0 byte): trong tệp không có dữ liệu nào.\n\n")
    else:
        text = (f"Tệp dữ liệu '{path.name}' bị hỏng ({error.problem}). Không nên làm việc "
                "tiếp trên tệp này.\n\n")
    backup = error.backup
    return text + (f"Bản sao lưu tốt gần nhất: {backup_moment(backup)} ({backup.path.name}). "
                   "Khôi phục bản này? Những thay đổi sau thời điểm đó sẽ mất; tệp hiện tại "
                   "vẫn được giữ lại trong thư mục backups.")


def open_data_file(target: str | os.PathLike, parent: QWidget | None = None,
                   questions: Questions | None = None, *, create: bool = True,
                   cancel_text: str = "Thoát") -> Database | None:
    """Open a data file for the window, or None when it cannot be or the user chose to stop.

    ``create``: a missing file is made (the first start, File ▸ New); File ▸ Open and Recent
    open only a file that exists.
    """
    questions = questions or Questions(parent, cancel_text)
    path = Path(target)
    restored = False
    while True:   # once more after restoring a backup
        try:
            db = open_for_writing(target, create=create)
        except (DataFileDamagedError, DataFileEmptyError) as error:
            if error.backup is None or restored:
                questions.error(str(error))
                return None
            if not questions.restore_damaged(restore_question(path, error)):
                return None
            try:
                restore_backup(error.backup.path, path)
            except DataFileLockedError as again:
                return _offer_readonly(path, again, questions)
            except UserError as again:
                questions.error(str(again))
                return None
            restored = True
            continue
        except (DataFileLockedError, DataFileReadOnlyError) as error:
            return _offer_readonly(path, error, questions)
        except UserError as error:
            questions.error(str(error))
            return None
        for warning in db.warnings:
            questions.warn(warning)
        return db


def _offer_readonly(path: Path, error: UserError, questions: Questions) -> Database | None:
    if not questions.open_readonly(f"{error}\n\nMở tệp ở chế độ chỉ đọc?"):
        return None
    try:
        return open_for_reading(path)
    except UserError as again:
        questions.error(str(again))
        return None


class AutoBackupDriver(QObject):
    """The daily backup while open (checked every hour) and the backup on close."""

    backedUp = Signal(str)   # a Vietnamese line for the status bar
    failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None,
                 clock: Callable | None = None, interval_ms: int = CHECK_INTERVAL_MS):
        super().__init__(parent)
        self.db = db
        # A database on a server has no file to back up: its server keeps its backups.
        self.auto = (None if db.path is None else
                     AutoBackup(db.path, clock) if clock else AutoBackup(db.path))
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)
        if not db.readonly and db.path is not None:
            self.timer.start()

    def _run(self, action: str) -> BackupInfo | None:
        if self.db.readonly or self.auto is None:
            return None
        try:
            info = getattr(self.auto, action)()
        except UserError as error:
            self.failed.emit(f"Sao lưu tự động không thành công: {error}")
            return None
        if info is not None:
            self.backedUp.emit(f"Đã sao lưu tự động: {info.path.name}")
        return info

    def tick(self) -> BackupInfo | None:
        return self._run("run_if_due")

    def on_close(self) -> BackupInfo | None:
        """The backup beside the file, then one in the second folder when it is there."""
        self.timer.stop()
        info = self._run("on_close")
        self._run("second_on_close")
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

    def _restore(self, backup: Path) -> bool:
        """Restore ``backup`` behind a progress dialog with Hủy; False when stopped."""
        from chibo4tot_desktop.safety.opening import restore_and_reopen
        from chibo4tot_desktop.ui.long_work import run_long

        current = self.get_db()
        try:
            db = run_long(self.window, "Khôi phục bản sao lưu",
                          lambda progress: restore_and_reopen(current, backup, progress))
        except UserError as error:
            reopened = getattr(error, "database", None)
            if reopened is not None:
                self.replace_db(reopened)
            raise
        if db is None:              # the user stopped it: the open file is untouched
            return False
        self.replace_db(db)
        return True

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
        from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit, QVBoxLayout

        from chibo4tot_desktop.safety.check import run_check
        from chibo4tot_desktop.ui.long_work import run_long
        from chibo4tot_desktop.ui.screen import ProgramDialog

        db = self.get_db()
        if db.path is None:
            return None
        try:
            report = run_long(self.window, "Kiểm tra tệp dữ liệu", lambda progress: run_check(
                db.path, repair_safe=not db.readonly, progress=progress))
        except UserError as error:
            QMessageBox.critical(self.window, APP_TITLE, str(error))
            return None
        if report is None:      # cancelled before any repair
            return None
        if any(f.repaired for f in report.findings):
            db.notify(frozenset({"cells", "registrations", "evaluations", "awards",
                                 "settings"}))
        dialog = ProgramDialog(self.window)
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
