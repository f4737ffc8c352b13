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
    QDialog,
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
    backups_dir,
    format_size,
    list_backups,
    make_backup,
)
from chibo4tot_desktop.text import format_date

COLUMNS = ("Ngày giờ", "Lý do", "Dung lượng", "Tệp")


class BackupsDialog(QDialog):
    def __init__(self, data_path: str | Path, parent: QWidget | None = None,
                 restore_handler: Callable[[Path], None] | None = None,
                 readonly: bool = False):
        super().__init__(parent)
        self.data_path = Path(data_path)
        self.restore_handler = restore_handler
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
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.refresh()

    # The two questions, replaceable in tests.
    def confirm(self, text: str) -> bool:
        answer = QMessageBox.question(self, APP_TITLE, text)
        return answer == QMessageBox.StandardButton.Yes

    def show_error(self, text: str) -> None:
        QMessageBox.critical(self, APP_TITLE, text)

    def refresh(self) -> None:
        self.backups = list_backups(self.data_path)
        self.table.setRowCount(len(self.backups))
        for row, info in enumerate(self.backups):
            when = f"{format_date(info.taken_at.date())} {info.taken_at:%H:%M:%S}"
            values = (when, info.reason_label, format_size(info.size), info.path.name)
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
            info = make_backup(self.data_path, MANUAL)
        except UserError as error:
            self.show_error(str(error))
            return None
        self.refresh()
        self.table.selectRow(next(i for i, b in enumerate(self.backups) if b.path == info.path))
        return info

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
            self.restore_handler(info.path)
        except UserError as error:
            self.show_error(str(error))
            self.refresh()
            return False
        self.refresh()
        return True

    def open_folder(self) -> None:
        folder = backups_dir(self.data_path)
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
