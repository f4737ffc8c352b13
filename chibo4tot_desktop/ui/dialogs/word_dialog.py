"""The "Văn bản (Word)" menu's action: make a Word draft (``word.drafts``), tell the user what
to check first (no signer...), ask where to save it, write it."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from chibo4tot_desktop import APP_TITLE
from chibo4tot_desktop.errors import UserError


def save_draft(parent, office, kind: str, year: int, path: str | None = None) -> Path | None:
    """Build the draft ``kind`` of ``year`` and save it (asking for ``path`` when None);
    returns the file written, or None (refused, cancelled, or an error shown)."""
    from chibo4tot_desktop.ui.printing import confirm_problems
    from chibo4tot_desktop.word.drafts import draft
    from chibo4tot_desktop.word.kinds import FILE_NAMES

    try:
        drafted = draft(office, kind, year)
    except UserError as error:
        QMessageBox.warning(parent, APP_TITLE, str(error))
        return None
    if not confirm_problems(parent, drafted.warnings, "lưu"):
        return None
    if path is None:
        path, _ = QFileDialog.getSaveFileName(parent, f"Lưu {drafted.title.lower()}",
                                              f"{FILE_NAMES[kind]}-{year}.docx",
                                              "Văn bản Word (*.docx)")
        if not path:
            return None
        if not path.lower().endswith(".docx"):
            path += ".docx"
    try:
        written = drafted.save(path)
    except UserError as error:
        QMessageBox.warning(parent, APP_TITLE, str(error))
        return None
    QMessageBox.information(parent, APP_TITLE, f"Đã lưu {written}")
    return written
