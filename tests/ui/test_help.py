"""The guide in the window: Trợ giúp ▸ Hướng dẫn sử dụng, F1 in a tab or a dialog opens the
section about it, the error box's "Xem hướng dẫn", the help window's PDF."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

import chibo4tot_desktop.ui as ui_package
from chibo4tot_desktop import guide
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ui.common import show_error
from chibo4tot_desktop.ui.help import F1_SECTIONS, HelpWindow, section_for_widget


def _window_classes():
    """Every tab and dialog class of the window."""
    for info in pkgutil.walk_packages(ui_package.__path__, "chibo4tot_desktop.ui."):
        module = importlib.import_module(info.name)
        for name, value in inspect.getmembers(module, inspect.isclass):
            if value.__module__ != info.name or not issubclass(value, QWidget):
                continue
            if issubclass(value, QDialog) or name.endswith("Tab"):
                yield value


def test_every_tab_and_dialog_has_its_section():
    ids = {entry.id for entry in guide.sections()}
    classes = [kind for kind in _window_classes()
               if kind.__name__ not in ("BaseTab", "FormDialog", "ProgramDialog")]
    assert len(classes) >= 20
    for kind in classes:
        names = [base.__name__ for base in kind.__mro__]
        mapped = next((F1_SECTIONS[name] for name in names if name in F1_SECTIONS), None)
        assert mapped in ids, kind.__name__
    assert set(F1_SECTIONS.values()) <= ids


def _help_windows(parent):
    return [child for child in parent.findChildren(HelpWindow) if child.isVisible()]


def test_f1_in_a_tab_opens_its_section(qtbot, demo_window):
    demo_window.show()
    demo_window.show_tab(demo_window.scoring_tab)
    demo_window.activateWindow()
    qtbot.waitUntil(demo_window.isActiveWindow)     # F1 goes to the window typed in
    target = demo_window.scoring_tab.focusNextPrevChild(True) and demo_window.focusWidget()
    target = target or demo_window.scoring_tab
    qtbot.keyClick(target, Qt.Key.Key_F1)
    [shown] = _help_windows(demo_window)
    assert shown.current_section() == "cham-diem"
    assert "Chấm điểm và phiếu tự chấm" in shown.browser.toPlainText()
    shown.close()

    demo_window.show_tab(demo_window.cells_tab)
    demo_window.activateWindow()
    qtbot.waitUntil(demo_window.isActiveWindow)
    qtbot.keyClick(demo_window.cells_tab, Qt.Key.Key_F1)
    assert [w.current_section() for w in _help_windows(demo_window)] == ["chi-bo"]
    # the year selector belongs to no tab: F1 there speaks of the tab on show
    for window in _help_windows(demo_window):
        window.close()
    demo_window.activateWindow()
    qtbot.waitUntil(demo_window.isActiveWindow)
    qtbot.keyClick(demo_window.year_combo, Qt.Key.Key_F1)
    assert [w.current_section() for w in _help_windows(demo_window)] == ["chi-bo"]


def test_f1_in_a_dialog_opens_its_section(qtbot, demo_window):
    from chibo4tot_desktop.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(demo_window.office, 2024, demo_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    qtbot.keyClick(dialog.pages, Qt.Key.Key_F1)
    [shown] = _help_windows(dialog)        # the dialog's child: readable while it waits
    assert shown.current_section() == "thiet-lap"
    assert section_for_widget(dialog.pages) == "thiet-lap"


def test_the_help_menu_opens_the_guide_and_links_follow(qtbot, demo_window):
    assert demo_window.guide_action in demo_window.help_menu.actions()
    assert demo_window.guide_action.text() == "Hướng dẫn sử dụng"
    demo_window.show_tab(demo_window.awards_tab)
    demo_window.guide_action.trigger()
    [shown] = _help_windows(demo_window)
    assert shown.current_section() == "khen-thuong"
    assert shown.contents.currentItem().text() == guide.section("khen-thuong").label
    shown.browser.setSource(shown.browser.source().resolved("sap-nhap.html"))
    assert shown.current_section() == "sap-nhap"
    assert shown.contents.currentItem().text().startswith("HD-15")


def test_error_box_points_to_the_section_and_offers_it(qtbot, demo_window, boxes, monkeypatch):
    from chibo4tot_desktop.packets import PacketError

    show_error(demo_window, PacketError("Gói dữ liệu bị sửa sau khi ký."))
    kind, text = boxes.shown[-1]
    assert text == "Gói dữ liệu bị sửa sau khi ký. (xem HD-13 trong Hướng dẫn sử dụng)"
    assert not _help_windows(demo_window)

    monkeypatch.setattr(QMessageBox, "warning",
                        lambda *args, **kwargs: QMessageBox.StandardButton.Help)
    show_error(demo_window, PacketError("Gói dữ liệu bị sửa sau khi ký."))
    [shown] = _help_windows(demo_window)
    assert shown.current_section() == "lien-thong"


def test_an_error_raised_by_a_window_action_carries_the_code(qtbot, demo_window, boxes):
    from chibo4tot_desktop.ops.cells import add_cell
    from chibo4tot_desktop.ui.common import run_action

    assert run_action(demo_window, add_cell, demo_window.office, "", "", "residential", "",
                      5) is None
    assert boxes.shown[-1][1].endswith("(xem HD-03 trong Hướng dẫn sử dụng)")


def test_help_window_saves_the_guide_as_pdf(qtbot, tmp_path, boxes):
    window = HelpWindow()
    qtbot.addWidget(window)
    target = tmp_path / "huong-dan.pdf"
    assert window.save_pdf(str(target)) == str(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert boxes.shown[-1][1].startswith("Đã lưu hướng dẫn")


def test_a_user_error_message_is_never_lost(qtbot, boxes):
    show_error(None, UserError("Thông báo"))
    assert boxes.shown[-1][1].startswith("Thông báo")


def test_the_box_button_reads_xem_huong_dan_and_no_other_text_changes(demo_window):
    from PySide6.QtCore import QCoreApplication

    box = QMessageBox(QMessageBox.Icon.Warning, "", "x",
                      QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Help)
    assert box.button(QMessageBox.StandardButton.Help).text() == "Xem hướng dẫn"
    # every other text keeps its own (an empty translation would make Qt's image readers
    # take any file for theirs)
    assert QCoreApplication.translate("QTgaFile", "Image type not supported") == \
        "Image type not supported"
