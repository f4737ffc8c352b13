"""Công cụ > Khóa và chữ ký: this office's fingerprint (to read over the phone), its public key
file, and the senders whose keys it registered; registering a sender from one of its packets
(or its key file) after typing the fingerprint heard over the phone.

The same as ``keys show/export/trust/list/forget``; every change goes through ``ops.keys``.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop.db.models import SenderRole
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.ops.keys import (
    forget_sender,
    keyring,
    own_fingerprint,
    own_keys,
    own_label,
    senders,
    trust_sender,
)
from chibo4tot_desktop.packets import SenderClaim, key_file_bytes, read_claim
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import confirm, show_error
from chibo4tot_desktop.ui.screen import ProgramDialog

COLUMNS = ("Bên gửi", "Mã", "Vai trò", "Vân tay", "Ngày đăng ký")


class TrustDialog(ProgramDialog):
    """Register the sender of ``claim`` once the fingerprint typed matches."""

    def __init__(self, office, claim: SenderClaim, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = office
        self.claim = claim
        self.sender = None
        self.setWindowTitle("Đăng ký khóa của bên gửi")
        explain = QLabel(
            f"Tệp '{claim.source}' được ký bằng khóa tự xưng là của “{claim.name or '?'}”"
            + (f" (mã {claim.code})" if claim.code else "") + ".\n\nHãy gọi điện cho bên gửi "
            "(số điện thoại đã biết, không lấy từ tệp), nhờ họ đọc vân tay khóa của họ (Công "
            "cụ > Khóa và chữ ký) và gõ lại dưới đây. Chỉ khi khớp mới đăng ký.")
        explain.setWordWrap(True)
        self.fingerprint = QLineEdit()
        self.fingerprint.setPlaceholderText("30 chữ số, ví dụ 12345 67890 …")
        self.name = QLineEdit(claim.name)
        self.code = QLineEdit(claim.code)
        self.role = QComboBox()
        for role in SenderRole:
            self.role.addItem(role.label, role.value)
        self.role.setCurrentIndex(self.role.findData(claim.role.value))
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020")
        form = QFormLayout()
        form.addRow("Vân tay đọc qua điện thoại:", self.fingerprint)
        form.addRow("Tên bên gửi:", self.name)
        form.addRow("Mã đảng bộ (cấp dưới):", self.code)
        form.addRow("Vai trò:", self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Đăng ký")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Hủy")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def accept(self) -> None:
        try:
            self.sender = trust_sender(
                self.office, name=self.name.text(), code=self.code.text(),
                role=self.role.currentData(), signing_public=self.claim.signing_public,
                box_public=self.claim.box_public, typed_fingerprint=self.fingerprint.text())
        except UserError as error:
            self.error.setText(str(error))
            return
        super().accept()


class KeysDialog(ProgramDialog):
    def __init__(self, office, parent: QWidget | None = None):
        super().__init__(parent)
        self.office = office
        self.rows = []
        self.setWindowTitle("Khóa và chữ ký gói dữ liệu")
        self.resize(900, 440)
        self.own = QLabel()
        self.own.setWordWrap(True)
        self.own.setStyleSheet("font-size: 12pt;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.export_button = QPushButton("Lưu khóa công khai…")
        self.trust_button = QPushButton("Đăng ký khóa từ tệp…")
        self.forget_button = QPushButton("Bỏ khóa đã chọn")
        close = QPushButton("Đóng")
        self.export_button.clicked.connect(lambda: self.export_key())
        self.trust_button.clicked.connect(lambda: self.trust_from_file())
        self.forget_button.clicked.connect(lambda: self.forget_selected())
        close.clicked.connect(self.accept)
        for button in (self.trust_button, self.forget_button):
            button.setEnabled(not office.db.readonly)
        bar = QHBoxLayout()
        for button in (self.export_button, self.trust_button, self.forget_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.own)
        layout.addWidget(QLabel("Khóa của các bên gửi đã đăng ký (gói do khóa khác ký bị từ "
                                "chối):"))
        layout.addWidget(self.table)
        layout.addLayout(bar)
        self.refresh()

    def refresh(self) -> None:
        ring = keyring(self.office.db)
        if ring.own is None and not self.office.db.readonly:
            try:
                own_fingerprint(self.office)      # made on first use
                ring = keyring(self.office.db)
            except UserError as error:
                show_error(self, error)
        self.own.setText(
            f"Vân tay khóa của văn phòng này: <b>{ring.own_fingerprint}</b><br>Đọc dãy số này "
            "qua điện thoại cho bên nhận gói để họ đăng ký khóa. Khóa riêng nằm trong tệp dữ "
            "liệu và các bản sao lưu, không bao giờ nằm trong gói dữ liệu."
            if ring.own_fingerprint else "Văn phòng này chưa có khóa (tệp đang mở chỉ đọc).")
        self.rows = senders(self.office.db)
        self.table.setRowCount(len(self.rows))
        for row, sender in enumerate(self.rows):
            values = (sender.name, sender.code, sender.role.label, sender.fingerprint,
                      format_date(sender.registered_at.date()))
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def export_key(self, path: str | None = None):
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Lưu khóa công khai",
                                                  "khoa-cong-khai.txt", "Tệp khóa (*.txt)")
            if not path:
                return None
        try:
            code, name = own_label(self.office.db)
            return write_bytes(path, key_file_bytes(own_keys(self.office), code,
                                                    name or "Cấp trên"))
        except UserError as error:
            show_error(self, error)
            return None

    def trust_from_file(self, path: str | None = None):
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self, "Chọn gói dữ liệu hoặc tệp khóa của bên gửi", "",
                "Gói dữ liệu, tệp khóa (*.zip *.txt);;Mọi tệp (*)")
            if not path:
                return None
        try:
            claim = read_claim(path, keyring(self.office.db))
        except UserError as error:
            show_error(self, error)
            return None
        return self.trust(claim)

    def trust(self, claim: SenderClaim):
        dialog = TrustDialog(self.office, claim, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self.refresh()
        return dialog.sender

    def forget_selected(self) -> bool:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            show_error(self, "Hãy chọn một khóa trong danh sách.")
            return False
        sender = self.rows[rows[0].row()]
        if not confirm(self, f"Bỏ khóa của {sender.name}? Gói do khóa này ký sẽ bị từ chối."):
            return False
        try:
            forget_sender(self.office, sender.id)
        except UserError as error:
            show_error(self, error)
            return False
        self.refresh()
        return True


def offer_trust(parent, office, error) -> bool:
    """After an import refused for an unknown key: offer to register it (the phone call
    first); True when it was registered, so the import may be tried again."""
    if not confirm(parent, f"{error}\n\nĐăng ký khóa này ngay (sau khi đã gọi điện so vân "
                           "tay)?"):
        return False
    dialog = TrustDialog(office, error.claim, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted
