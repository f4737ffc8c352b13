"""The "Cơ sở dữ liệu" dialog: work on the ward's file on this computer (SQLite, the default)
or on the city's shared PostgreSQL server. The choice is saved (``connection.save_database_url``)
and used from the next start of the program; "Kiểm tra kết nối" tries the server at once.

Entry point for the main window: ``DatabaseDialog(parent).exec()`` (menu Tệp > Cơ sở dữ
liệu...); after it is accepted, ``dialog.chosen_url`` is the saved URL or None.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from chibo4tot_desktop import connection
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ui.screen import ProgramDialog

EXAMPLE = "postgresql+psycopg://tên-đăng-nhập:mật-khẩu@máy-chủ:5432/chibo4tot"


class DatabaseDialog(ProgramDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Cơ sở dữ liệu")
        self.chosen_url: str | None = connection.saved_database_url()
        layout = QVBoxLayout(self)
        self.local = QRadioButton("Tệp dữ liệu trên máy này (SQLite, mặc định của phường)")
        self.server = QRadioButton("Máy chủ PostgreSQL dùng chung (văn phòng thành phố)")
        self.url = QLineEdit(self.chosen_url or "")
        self.url.setPlaceholderText(EXAMPLE)
        self.test_button = QPushButton("Kiểm tra kết nối")
        self.status = QLabel("")
        self.status.setWordWrap(True)
        for widget in (self.local, self.server, QLabel("Địa chỉ máy chủ:"), self.url,
                       self.test_button, self.status):
            layout.addWidget(widget)
        layout.addWidget(QLabel("Thay đổi có hiệu lực từ lần mở chương trình sau."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Lưu")
        self.buttons.button(QDialogButtonBox.Cancel).setText("Hủy")
        layout.addWidget(self.buttons)
        (self.server if self.chosen_url else self.local).setChecked(True)
        self.server.toggled.connect(self._update)
        self.test_button.clicked.connect(self.test_connection)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._update()
        self.resize(560, 260)

    def _update(self) -> None:
        on_server = self.server.isChecked()
        self.url.setEnabled(on_server)
        self.test_button.setEnabled(on_server)

    def test_connection(self) -> bool:
        """Open the server's database (creating our tables on an empty one) and report."""
        from chibo4tot_desktop.db.engine import open_database

        try:
            url = connection.check_database_url(self.url.text())
            db = open_database(url)
            db.close()
        except UserError as error:
            self.status.setText(f"Lỗi: {error}")
            return False
        self.status.setText(f"Kết nối được: {connection.display_url(url)}")
        return True

    def save(self) -> None:
        try:
            url = self.url.text() if self.server.isChecked() else None
            self.chosen_url = connection.save_database_url(url)
        except UserError as error:
            self.status.setText(f"Lỗi: {error}")
            return
        self.accept()


def open_or_choose(target: str, parent=None, choose=None):
    """Open ``target``; when it is a server that cannot be reached, say why and let the user
    choose again (another URL, or the file on this computer) instead of being locked out.
    Returns the open Database, or None when the user gives up. ``choose`` (for tests) stands
    for showing the dialog: it gets the error text and returns (accepted, url or None)."""
    from PySide6.QtWidgets import QMessageBox

    from chibo4tot_desktop import APP_TITLE
    from chibo4tot_desktop.db.engine import is_url, open_database
    from chibo4tot_desktop.paths import default_data_file
    from chibo4tot_desktop.ui.safety import open_data_file

    if not is_url(target):
        return open_data_file(target, parent)   # a file: the lock and the start checks
    try:
        return open_database(target)
    except UserError as error:
        message = str(error)
    if choose is None:
        def choose(text):
            dialog = DatabaseDialog(parent)
            dialog.status.setText(f"Lỗi: {text}")
            accepted = bool(dialog.exec())
            return accepted, dialog.chosen_url
    accepted, url = choose(message)
    if not accepted:
        return None
    if not url:
        return open_data_file(default_data_file(), parent)
    try:
        return open_database(url)
    except UserError as error:
        QMessageBox.critical(parent, APP_TITLE, str(error))
        return None
