"""Qt's own words (standard buttons, right-click menus, print preview, the file dialog Qt
draws) in Vietnamese: Qt ships no Vietnamese translation, so the program carries its own,
``resources/i18n/qtbase_vi.ts`` compiled to ``resources/qtbase_vi.qm``
(``python scripts/build_translations.py``)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QTranslator

from chibo4tot_desktop.paths import resource

QM_NAME = "qtbase_vi.qm"


def install_translation(app: QCoreApplication) -> QTranslator | None:
    """Install the Vietnamese translation of Qt's strings; None (and English left) when the
    file is missing or unreadable."""
    translator = QTranslator(app)          # owned by the application: lives as long as it
    if not translator.load(str(resource(QM_NAME))):
        return None
    app.installTranslator(translator)
    # The last installed translator is asked first: the error box's "Xem hướng dẫn"
    # (ui.help, installed with the window) stays ahead of Qt's "Trợ giúp".
    help_text = getattr(app, "_chibo4tot_help_text", None)
    if help_text is not None:
        app.removeTranslator(help_text)
        app.installTranslator(help_text)
    return translator
