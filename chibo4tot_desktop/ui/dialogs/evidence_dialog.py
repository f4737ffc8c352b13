"""Tệp minh chứng: the files attached to a registration, an evaluation, a proposal or a
decision; attach (checked by content in the core), view, save a copy, remove.

Viewing: an image is shown in a window (read at a size that fits the screen); a PDF opens in
the system's viewer from a copy in a temporary folder of the program, removed when the
program ends. Every change goes through ``ops.evidence``; the command line does the same with
``evidence add/list/export/remove``.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import evidence as files
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.files import write_bytes
from chibo4tot_desktop.ops.evidence import (
    attach_evidence,
    evidence_content,
    evidence_for,
    remove_evidence,
)
from chibo4tot_desktop.text import format_date
from chibo4tot_desktop.ui.common import confirm, show_error
from chibo4tot_desktop.ui.screen import ProgramDialog

COLUMNS = ("Hồ sơ", "Tên tệp", "Loại", "Dung lượng", "Ngày đính kèm", "Ghi chú")
FILE_FILTER = "Tệp minh chứng (*.pdf *.jpg *.jpeg *.png)"
VIEW_SIZE = QSize(1600, 1600)
_temporary: list[Path] = []


@dataclass(frozen=True)
class Target:
    """A record files may be attached to: (target kind, record id) and what to call it."""

    label: str
    target: str
    record_id: int


def _temporary_folder() -> Path:
    if not _temporary:
        folder = Path(tempfile.mkdtemp(prefix="chibo4tot-xem-"))
        _temporary.append(folder)
        atexit.register(shutil.rmtree, folder, True)
    return _temporary[0]


def open_in_viewer(name: str, media_type: str, content: bytes) -> Path:
    """Write a copy named after its real type (never the name it came with) in the program's
    temporary folder and ask the system to open it."""
    folder = Path(tempfile.mkdtemp(dir=_temporary_folder()))
    path = folder / files.stored_name(name, media_type)
    write_bytes(path, content)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return path


def image_pixmap(content: bytes, limit: QSize = VIEW_SIZE) -> QPixmap:
    """The image read at a size that fits ``limit`` (a large scan is not decoded in full)."""
    data = QByteArray(content)
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    size = reader.size()
    if size.isValid() and (size.width() > limit.width() or size.height() > limit.height()):
        reader.setScaledSize(size.scaled(limit, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        raise UserError(f"Không hiển thị được ảnh ({reader.errorString()}).")
    return QPixmap.fromImage(image)


class ImageViewer(ProgramDialog):
    def __init__(self, title: str, content: bytes, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 700)
        self.label = QLabel()
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setPixmap(image_pixmap(content))
        area = QScrollArea()
        area.setWidget(self.label)
        area.setWidgetResizable(True)
        layout = QVBoxLayout(self)
        layout.addWidget(area)


class EvidenceDialog(ProgramDialog):
    def __init__(self, office, targets: Sequence[Target], title: str,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.office = office
        self.targets = list(targets)
        self.rows = []
        self.viewer = None
        self.setWindowTitle(f"Tệp minh chứng – {title}")
        self.resize(900, 420)
        self.info = QLabel(f"{title}. Nhận tệp PDF, JPEG, PNG đến "
                           f"{files.format_size(files.MAX_BYTES)}; tệp được lưu ngay trong tệp "
                           "dữ liệu (có trong các bản sao lưu và gói dữ liệu).")
        self.info.setWordWrap(True)
        self.target_box = QComboBox()
        for target in self.targets:
            self.target_box.addItem(target.label)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda *_: self.view_selected())
        self.attach_button = QPushButton("Đính kèm tệp…")
        self.view_button = QPushButton("Xem")
        self.save_button = QPushButton("Lưu ra…")
        self.remove_button = QPushButton("Bỏ tệp")
        close = QPushButton("Đóng")
        self.attach_button.clicked.connect(lambda: self.attach())
        self.view_button.clicked.connect(lambda: self.view_selected())
        self.save_button.clicked.connect(lambda: self.save_selected())
        self.remove_button.clicked.connect(lambda: self.remove_selected())
        close.clicked.connect(self.accept)
        self.attach_button.setEnabled(not office.db.readonly)
        self.remove_button.setEnabled(not office.db.readonly)
        bar = QHBoxLayout()
        if len(self.targets) > 1:
            bar.addWidget(QLabel("Đính kèm vào:"))
            bar.addWidget(self.target_box)
        for button in (self.attach_button, self.view_button, self.save_button,
                       self.remove_button):
            bar.addWidget(button)
        bar.addStretch(1)
        bar.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.table)
        layout.addLayout(bar)
        self.refresh()

    def refresh(self) -> None:
        self.rows = evidence_for(self.office, [(t.target, t.record_id) for t in self.targets])
        self.table.setRowCount(len(self.rows))
        for row, info in enumerate(self.rows):
            values = (info.target_label, info.file_name, info.type_name,
                      files.format_size(info.size), format_date(info.attached_at.date()),
                      info.note)
            for column, value in enumerate(values):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.resizeColumnsToContents()

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            show_error(self, "Hãy chọn một tệp trong danh sách.")
            return None
        return self.rows[rows[0].row()]

    def attach(self, paths: Sequence[str] | None = None, note: str | None = None) -> bool:
        if paths is None:
            paths, _ = QFileDialog.getOpenFileNames(self, "Chọn tệp minh chứng", "",
                                                    FILE_FILTER)
            if not paths:
                return False
        if note is None:
            note, ok = QInputDialog.getText(self, "Ghi chú", "Ghi chú cho tệp (có thể bỏ "
                                                             "trống):")
            if not ok:
                return False
        target = self.targets[self.target_box.currentIndex()]
        try:
            attach_evidence(self.office, target.target, target.record_id, list(paths), note)
        except UserError as error:
            show_error(self, error)
            return False
        self.refresh()
        return True

    def view_selected(self):
        info = self.selected()
        if info is None:
            return None
        try:
            info, content = evidence_content(self.office, info.id)
            if info.media_type == files.PDF:
                return open_in_viewer(info.file_name, info.media_type, content)
            self.viewer = ImageViewer(info.file_name, content, self)
        except UserError as error:
            show_error(self, error)
            return None
        self.viewer.open()
        return self.viewer

    def save_selected(self, path: str | None = None) -> Path | None:
        info = self.selected()
        if info is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "Lưu tệp minh chứng",
                                                  files.stored_name(info.file_name,
                                                                    info.media_type))
            if not path:
                return None
        try:
            _, content = evidence_content(self.office, info.id)
            return write_bytes(path, content)
        except UserError as error:
            show_error(self, error)
            return None

    def remove_selected(self) -> bool:
        info = self.selected()
        if info is None:
            return False
        extra = " (khỏi mọi khen thưởng của quyết định này)" if info.target.value == \
            "decision" else ""
        if not confirm(self, f"Bỏ tệp '{info.file_name}' khỏi {info.target_label.lower()}"
                             f"{extra}?"):
            return False
        try:
            remove_evidence(self.office, info.id)
        except UserError as error:
            show_error(self, error)
            return False
        self.refresh()
        return True
