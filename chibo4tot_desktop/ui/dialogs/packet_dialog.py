"""The ward's side of the exchange: "Xuất gói dữ liệu gửi thành phố..." saves the year's packet.

Entry point for the main window: ``export_packet_with_dialog(parent, office, year)`` (menu
Tệp, or a button on the overview tab); it asks where to save (unless ``path`` is given) and
returns the saved path, or None when cancelled or refused (the reason is shown).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.packets import export_packet
from chibo4tot_desktop.ui.long_work import run_long


def default_packet_name(office, year: int) -> str:
    return f"goi-du-lieu-{queries.organisation(office).code}-{year}.zip"


def choose_receiver(parent, office):
    """With an upper level registered, ask whether to seal the packet to it: the Sender, None
    (not sealed) or False (cancelled)."""
    from PySide6.QtWidgets import QInputDialog

    from chibo4tot_desktop.db.models import SenderRole
    from chibo4tot_desktop.ops.keys import senders

    uppers = [s for s in senders(office.db) if s.role is SenderRole.UPPER]
    if not uppers:
        return None
    plain = "Không mã hóa"
    choices = [plain] + [f"Mã hóa cho {s.name}" for s in uppers]
    choice, ok = QInputDialog.getItem(parent, APP_TITLE, "Mã hóa gói để chỉ cấp trên mở được?",
                                      choices, 1, False)
    if not ok:
        return False
    return None if choice == plain else uppers[choices.index(choice) - 1]


def export_packet_with_dialog(parent, office, year: int, path: str | None = None
                              ) -> Path | None:
    try:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                parent, f"Lưu gói dữ liệu năm {year} gửi thành phố",
                default_packet_name(office, year), "Gói dữ liệu (*.zip)")
            if not path:
                return None
        if not path.lower().endswith(".zip"):
            path += ".zip"
        receiver = choose_receiver(parent, office)
        if receiver is False:
            return None
        saved = run_long(parent, f"Xuất gói dữ liệu năm {year}", lambda progress: export_packet(
            office, year, path, seal_to=receiver, progress=progress))
    except UserError as error:
        QMessageBox.warning(parent, APP_TITLE, str(error))
        return None
    if saved is None:           # cancelled: no file left
        return None
    QMessageBox.information(parent, APP_TITLE,
                            f"Đã lưu gói dữ liệu năm {year}: {saved}.\nGửi tệp này cho "
                            "văn phòng thành phố để nhập.")
    return saved
