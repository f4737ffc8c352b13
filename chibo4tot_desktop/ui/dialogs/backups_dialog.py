"""File > Sao lưu và khôi phục: the list of backups (date, reason, size), back up now, restore.

The dialog does not hold the database: restoring needs the window to close its data file,
restore and reopen it, so it calls ``restore_handler(path)`` (see ``ui.safety`` and
``safety.opening.restore_and_reopen``) and lists the backups again afterwards.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.safety.backup import (
    MANUAL,
    BackupInfo,
    backup_to_second,
    backups_dir,
    format_size,
    list_backups,
    make_backup,
    second_folder,
)
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.long_work import run_long
from chibo4tot_desktop.ui.screen import ProgramDialog

COLUMNS = ("Ngày giờ", "Lý do", "Dung lượng", "Tệp")


class BackupsDialog(ProgramDialog):
    def __init__(self, data_path: str | Path, parent: QWidget | None = None,
                 restore_handler: Callable[[Path], None] | None = None,
                 readonly: bool = False,
                 set_second_folder: Callable[[str], str] | None = None):
        super().__init__(parent)
        self.data_path = Path(data_path)
        self.restore_handler = restore_handler
        self.set_second_folder = set_second_folder
        self.readonly = readonly
        self.backups: list[BackupInfo] = []
        self.setWindowTitle("Sao lưu và khôi phục dữ liệu")
        self.resize(760, 420)

        self.info = QLabel()
        self.info.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_buttons)

        self.backup_button = QPushButton("Sao lưu ngay")
        self.restore_button = QPushButton("Khôi phục bản đã chọn…")
        self.folder_button = QPushButton("Mở thư mục sao lưu")
        close_button = QPushButton("Đóng")
        self.second_button = QPushButton("Sao lưu vào thư mục thứ hai")
        self.choose_second_button = QPushButton("Chọn thư mục thứ hai (USB)…")
        self.second_button.clicked.connect(lambda: self.backup_second())
        self.choose_second_button.clicked.connect(lambda: self.choose_second())
        self.second_button.setEnabled(not readonly)
        self.choose_second_button.setEnabled(not readonly and set_second_folder is not None)
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button.clicked.connect(self.restore_selected)
        self.folder_button.clicked.connect(self.open_folder)
        close_button.clicked.connect(self.accept)
        self.backup_button.setEnabled(not readonly)

        buttons = QHBoxLayout()
        for button in (self.backup_button, self.restore_button, self.folder_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close_button)
        second = QHBoxLayout()
        self.second_info = QLabel()
        self.second_info.setWordWrap(True)
        second.addWidget(self.second_info, 1)
        second.addWidget(self.choose_second_button)
        second.addWidget(self.second_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table)
        layout.addLayout(second)
        layout.addLayout(buttons)
        self.refresh()

    # The two questions, replaceable in tests.
    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_TITLE, text)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, text: str) -> None:
        QMessageBox.critical(self, APP_TITLE, text)

    def refresh(self) -> None:
        second = second_folder(self.data_path)
        present = second is not None and second.is_dir()
        self.backups = list_backups(self.data_path) + (
            list_backups(self.data_path, second) if present else [])
        self.backups.sort(key=lambda info: info.taken_at, reverse=True)
        if second is None:
            self.second_info.setText("Thư mục sao lưu thứ hai (ổ USB, ổ đĩa khác): chưa chọn.")
        else:
            state = "có mặt" if present else "hiện không có (ổ USB chưa cắm)"
            self.second_info.setText(f"Thư mục sao lưu thứ hai: {second} — {state}. Khi có "
                                     "mặt, chương trình sao lưu vào đó cả khi đóng.")
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            when = f"{format_date(info.taken_at.date())} {info.taken_at:%H:%M:%S}"
            name = info.path.name if info.path.parent == backups_dir(self.data_path) \
                else str(info.path)
            values = (when, info.reason_label, format_size(info.size), name)
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        folder = backups_dir(self.data_path)
        self.info.setText(
            f"Tệp dữ liệu: {self.data_path}\nThư mục sao lưu: {folder} — {len(self.backups)} "
            "bản. Chương trình tự sao lưu khi đóng và mỗi ngày một lần khi có thay đổi; giữ "
            "các bản gần nhất, rồi một bản mỗi ngày, mỗi tuần, mỗi tháng.")
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(self.restore_handler is not None and not self.readonly
                                       and self.selected() is not None)

    def backup_now(self) -> BackupInfo | None:
        try:
            info = run_long(self, "Sao lưu dữ liệu", lambda progress: make_backup(
                self.data_path, MANUAL, progress=progress))
        except UserError as error:
            self.show_error(str(error))
            return None
        if info is None:        # cancelled: no backup file left
            return None
        self.refresh()
        self.table.selectRow(next(i for i, b in enumerate(self.backups) if b.path == info.path))
        return info

    def backup_second(self) -> BackupInfo | None:
        try:
            info = run_long(self, "Sao lưu vào thư mục thứ hai", lambda progress:
                            backup_to_second(self.data_path, progress=progress))
        except UserError as error:
            self.show_error(str(error))
            return None
        if info is None:
            return None
        self.refresh()
        return info

    def choose_second(self, folder: str | None = None) -> str | None:
        from PySide6.QtWidgets import QFileDialog

        if self.set_second_folder is None:
            return None
        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "Chọn thư mục sao lưu thứ hai "
                                                            "(trên ổ USB hoặc ổ đĩa khác)")
            if not folder:
                return None
        try:
            value = self.set_second_folder(folder)
        except UserError as error:
            self.show_error(str(error))
            return None
        self.refresh()
        return value

    def restore_selected(self) -> bool:
        info = self.selected()
        if info is None or self.restore_handler is None:
            return False
        when = f"{info.taken_at:%H:%M} ngày {format_date(info.taken_at.date())}"
        if not self.confirm(f"Khôi phục dữ liệu về thời điểm {when}?\n\nMọi thay đổi sau thời "
                            "điểm đó sẽ không còn trong tệp dữ liệu. Tệp hiện tại được sao lưu "
                            "lại trước (lý do “Trước khi khôi phục”) nên vẫn lấy lại được."):
            return False
        try:
            restored = self.restore_handler(info.path)
        except UserError as error:
            self.show_error(str(error))
            self.refresh()
            return False
        self.refresh()
        return restored is not False

    def open_folder(self) -> None:
        folder = backups_dir(self.data_path)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
