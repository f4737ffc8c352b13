"""Qt's own words in Vietnamese: the translation built from resources/i18n/qtbase_vi.ts is
the one shipped, and every standard dialog and menu the program shows has no English word."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from chibo4tot_desktop.paths import resource
from chibo4tot_desktop.ui.translation import install_translation
from scripts.build_translations import SOURCE, TARGET, compile_ts, lrelease

# Words a Vietnamese user would not read; the English of every source text in the .ts too.
# ("to" and "in" are Vietnamese words too: "Phóng to", "In".)
ENGLISH = {
    "ok", "yes", "no", "cancel", "close", "save", "open", "apply", "reset", "help", "discard",
    "abort", "retry", "ignore", "restore", "defaults", "all", "undo", "redo", "cut", "copy",
    "paste", "delete", "select", "show", "hide", "details", "page", "pages", "print",
    "preview", "zoom", "fit", "width", "portrait", "landscape", "first", "last", "next",
    "previous", "setup", "export", "file", "files", "folder", "name", "size", "type", "date",
    "modified", "look", "back", "forward", "parent", "directory", "view", "list", "detail",
    "new", "the", "of", "and", "enter", "value", "scroll", "here", "edge", "top",
    "bottom", "left", "right", "up", "down", "step", "computer", "my", "what", "this",
}
ALLOWED = {"pdf", "qt", "unicode", "ctrl", "alt", "shift", "del", "ins", "tab"}


def english_words(texts):
    found = set()
    for text in texts:
        text = text.split("\t")[0].replace("&", "")
        found |= {w.lower() for w in re.findall(r"[A-Za-z]+", text)
                  if w.lower() in ENGLISH and w.lower() not in ALLOWED}
    return found


@pytest.fixture
def vietnamese(qapp):
    translator = install_translation(qapp)
    assert translator is not None
    yield
    qapp.removeTranslator(translator)


def visible_texts(widget: QWidget) -> list[str]:
    texts = [widget.windowTitle()]
    for child in widget.findChildren(QWidget):
        if not child.isVisibleTo(widget):
            continue
        if isinstance(child, (QAbstractButton, QLabel)):
            texts += [child.text(), child.toolTip()]
        if isinstance(child, QHeaderView) and child.model() is not None:
            texts += [str(child.model().headerData(i, child.orientation(),
                                                   Qt.ItemDataRole.DisplayRole) or "")
                      for i in range(child.count()) if not child.isSectionHidden(i)]
    for action in widget.findChildren(QAction):
        if action.isVisible():
            texts += [action.text(), action.toolTip()]
    return [t for t in texts if t]


def test_translation_is_built_from_the_ts_in_the_repository(tmp_path):
    root = ET.parse(SOURCE).getroot()
    assert root.get("language") == "vi_VN"
    assert not root.findall(".//translation[@type='unfinished']")
    if lrelease() is None:
        pytest.skip("pyside6-lrelease not installed")
    fresh = tmp_path / "fresh.qm"
    compile_ts(SOURCE, fresh)
    assert fresh.read_bytes() == TARGET.read_bytes(), \
        "resources/qtbase_vi.qm is older than the .ts: run scripts/build_translations.py"
    assert resource("qtbase_vi.qm") == TARGET


def test_button_boxes_and_message_boxes(qtbot, vietnamese):
    buttons = QDialogButtonBox()
    every = ("Ok Save SaveAll Open Yes YesToAll No NoToAll Abort Retry Ignore Close Cancel "
             "Discard Help Apply Reset RestoreDefaults")
    for name in every.split():
        buttons.addButton(getattr(QDialogButtonBox.StandardButton, name))
    qtbot.addWidget(buttons)
    texts = [b.text() for b in buttons.buttons()]
    assert len(texts) == 18
    assert "Hủy" in texts and "&Có" in texts
    assert english_words(texts) == set()
    box = QMessageBox(QMessageBox.Icon.Question, "Chi bộ 4 tốt", "Lưu?",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    box.setDetailedText("chi tiết")
    qtbot.addWidget(box)
    box.show()
    assert english_words(visible_texts(box)) == set(), visible_texts(box)


@pytest.mark.parametrize("kind", [QLineEdit, QPlainTextEdit, QTextEdit])
def test_right_click_menus(qtbot, vietnamese, kind):
    edit = kind()
    qtbot.addWidget(edit)
    (edit.insert if kind is QLineEdit else edit.insertPlainText)("Chi bộ")
    menu = edit.createStandardContextMenu()
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert "&Hoàn tác" in [t.split("\t")[0] for t in texts]
    assert english_words(texts) == set(), texts
    for action in menu.actions():
        if action.menu():
            sub = [a.text() for a in action.menu().actions()]
            assert english_words(sub) == set(), sub


def test_print_preview(qtbot, vietnamese):
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintPreviewDialog(printer)
    qtbot.addWidget(dialog)
    dialog.show()
    texts = visible_texts(dialog)
    assert "Trang sau" in texts
    assert english_words(texts) == set(), english_words(texts)


def test_file_dialog_drawn_by_qt(qtbot, vietnamese, tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"")
    dialog = QFileDialog(None, "Mở tệp dữ liệu", str(tmp_path), "Tệp Excel (*.xlsx)")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    qtbot.addWidget(dialog)
    dialog.show()
    for mode in (QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave):
        dialog.setAcceptMode(mode)
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        texts = visible_texts(dialog)
        assert english_words(texts) == set(), english_words(texts)


def test_input_dialog(qtbot, vietnamese):
    seen = []

    def look():
        dialog = QApplication.activeModalWidget()
        seen.extend(visible_texts(dialog))
        dialog.reject()

    QTimer.singleShot(0, look)
    QInputDialog.getText(None, "Giải thể chi bộ", "Ngày giải thể:")
    assert "Hủy" in seen
    assert english_words(seen) == set(), seen


def test_the_program_installs_it_at_start(qtbot, qapp, demo_office, db_path, monkeypatch):
    from chibo4tot_desktop.ui import app as app_module
    from chibo4tot_desktop.ui import translation

    demo_office.db.close()
    installed, seen = [], {}
    real_translation = translation.install_translation
    monkeypatch.setattr(translation, "install_translation",
                        lambda app: installed.append(real_translation(app)) or installed[-1])

    def fake_exec(self):
        from PySide6.QtCore import QCoreApplication

        seen["cancel"] = QCoreApplication.translate("QPlatformTheme", "Cancel")
        for window in QApplication.topLevelWidgets():
            if window.isVisible() and window.windowTitle().startswith("Chi bộ 4 tốt"):
                window.close()
        return 0

    monkeypatch.setattr(type(qapp), "exec", fake_exec)
    try:
        assert app_module.run(str(db_path)) == 0
    finally:
        qapp.removeTranslator(installed[0])
    assert seen["cancel"] == "Hủy"
