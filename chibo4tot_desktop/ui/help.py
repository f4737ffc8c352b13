"""The user guide in the window: Trợ giúp ▸ Hướng dẫn sử dụng, F1 anywhere (the section about
the tab or dialog in use), the "Xem hướng dẫn" button of error boxes, "In / Lưu PDF".

The guide's text and the error-to-section pointer are the core's (``guide.py``); this module
only shows them. F1 is the Trợ giúp menu's shortcut in the main window and a shortcut of
every dialog (``ui.screen.ProgramDialog``, modal ones included), each within its own window.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTranslator, QUrl
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from chibo4tot_desktop import APP_TITLE, guide

# The section about each tab and dialog, by class name (the class or one of its bases).
F1_SECTIONS: dict[str, str] = {
    "OverviewTab": "so-ket",
    "CellsTab": "chi-bo",
    "RegistrationsTab": "dang-ky",
    "ScoringTab": "cham-diem",
    "AwardsTab": "khen-thuong",
    "CityTab": "lien-thong",
    "FirstRunDialog": "bat-dau",
    "SettingsDialog": "thiet-lap",
    "CellDialog": "chi-bo",
    "RegistrationDialog": "dang-ky",
    "DecisionDialog": "khen-thuong",
    "ImportDialog": "nhap-excel",
    "PapersDialog": "khen-thuong",
    "CertificateSettingsDialog": "khen-thuong",
    "BackupsDialog": "sao-luu",
    "AuditDialog": "tep-hong",
    "KeysDialog": "lien-thong",
    "TrustDialog": "lien-thong",
    "DatabaseDialog": "lien-thong",
    "EvidenceDialog": "dinh-kem",
    "ImageViewer": "dinh-kem",
    "MergeDialog": "sap-nhap",
    "HistoryDialog": "sap-nhap",
    "MainWindow": "bat-dau",
}


def section_for_widget(widget: QWidget | None) -> str:
    """The section about ``widget``: its own class, else the nearest parent's; the main window
    stands for its current tab."""
    while widget is not None:
        if type(widget).__name__ == "MainWindow" and hasattr(widget, "tabs"):
            current = widget.tabs.currentWidget()
            found = _mapped(current) if current is not None else None
            return found or F1_SECTIONS["MainWindow"]
        found = _mapped(widget)
        if found:
            return found
        widget = widget.parentWidget()
    return "bat-dau"


def _mapped(widget) -> str | None:
    for kind in type(widget).__mro__:
        if kind.__name__ in F1_SECTIONS:
            return F1_SECTIONS[kind.__name__]
    return None


class HelpWindow(QWidget):
    """The sections on the left, the chosen one in Qt's text browser (offline)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{guide.GUIDE_TITLE} – {APP_TITLE}")
        self.resize(1000, 720)
        self.contents = QListWidget()
        for entry in guide.sections():
            item = QListWidgetItem(entry.label)
            item.setData(Qt.ItemDataRole.UserRole, entry.id)
            self.contents.addItem(item)
        self.browser = QTextBrowser()
        self.browser.setOpenLinks(True)
        self.browser.setOpenExternalLinks(False)
        self.browser.setSearchPaths([str(guide.guide_dir())])
        self.browser.sourceChanged.connect(self._source_changed)
        self.contents.currentRowChanged.connect(self._row_changed)
        splitter = QSplitter()
        splitter.addWidget(self.contents)
        splitter.addWidget(self.browser)
        splitter.setSizes([360, 740])
        self.pdf_button = QPushButton("In / Lưu PDF…")
        self.pdf_button.clicked.connect(self.save_pdf)
        close = QPushButton("Đóng")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.pdf_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        layout.addLayout(buttons)

    def show_section(self, section_id: str) -> None:
        self.browser.setSource(QUrl.fromLocalFile(str(guide.section(section_id).file)))

    def current_section(self) -> str:
        return self.browser.source().fileName().removesuffix(".html")

    def _row_changed(self, row: int) -> None:
        item = self.contents.item(row)
        if item is not None and item.data(Qt.ItemDataRole.UserRole) != self.current_section():
            self.show_section(item.data(Qt.ItemDataRole.UserRole))

    def _source_changed(self, url) -> None:
        current = url.fileName().removesuffix(".html")   # source() may not follow yet
        for row in range(self.contents.count()):
            if self.contents.item(row).data(Qt.ItemDataRole.UserRole) == current:
                self.contents.blockSignals(True)
                self.contents.setCurrentRow(row)
                self.contents.blockSignals(False)

    def save_pdf(self, path: str | None = None) -> str | None:
        """Write the whole guide as a PDF (the core's ``guide`` command), to print it."""
        from chibo4tot_desktop.errors import UserError
        from chibo4tot_desktop.pdf.guide import write_guide
        from chibo4tot_desktop.ui.long_work import run_long

        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Lưu Hướng dẫn sử dụng ra PDF",
                                                  "huong-dan-su-dung.pdf", "Tệp PDF (*.pdf)")
            if not path:
                return None
            if not path.lower().endswith(".pdf"):
                path += ".pdf"
        try:
            if run_long(self, "Lưu hướng dẫn ra PDF",
                        lambda progress: write_guide(path, progress)) is None:
                return None        # cancelled: no file written
        except UserError as error:
            QMessageBox.warning(self, APP_TITLE, str(error))
            return None
        QMessageBox.information(self, APP_TITLE, f"Đã lưu hướng dẫn vào {path}. Mở tệp này để "
                                                 "in đóng sổ.")
        return path


def show_help(parent: QWidget | None = None, section_id: str = "bat-dau") -> HelpWindow:
    """Open the guide at ``section_id``. Over a modal dialog the window is the dialog's child,
    so it can be read while the dialog waits."""
    window = HelpWindow(parent)
    window.show_section(section_id)
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def bind_f1(window: QWidget) -> QShortcut:
    """F1 while ``window`` is the active window (a modal dialog too) opens the guide at the
    section of what has the focus in it, as the guide's child window."""
    shortcut = QShortcut(QKeySequence(Qt.Key.Key_F1), window)
    shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
    shortcut.activated.connect(lambda: _f1(shortcut.parent()))
    return shortcut


def _f1(window: QWidget) -> None:
    show_help(window, section_for_widget(window.focusWidget() or window))


class _HelpButtonText(QTranslator):
    """The error box's Help button reads "Xem hướng dẫn"."""

    def translate(self, context, source, disambiguation=None, n=-1):
        if context == "QPlatformTheme" and source == "Help":
            return "Xem hướng dẫn"
        return None   # a null string: not translated here, Qt asks the next translator


def install_help(main) -> None:
    """Trợ giúp ▸ Hướng dẫn sử dụng, F1 anywhere in the main window (the tab on show)."""
    action = QAction("Hướng dẫn sử dụng", main)
    action.setShortcut(QKeySequence(Qt.Key.Key_F1))
    action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    action.triggered.connect(lambda *_: show_help(main, section_for_widget(main)))
    first = main.help_menu.actions()[0] if main.help_menu.actions() else None
    main.help_menu.insertAction(first, action)
    main.guide_action = action
    app = QApplication.instance()
    if not getattr(app, "_chibo4tot_help_installed", False):
        app._chibo4tot_help_text = _HelpButtonText(app)
        app.installTranslator(app._chibo4tot_help_text)
        app._chibo4tot_help_installed = True


def offer_help(parent: QWidget | None, error) -> None:
    """The error box: the message with its pointer, and "Xem hướng dẫn" when it has one."""
    found = None if isinstance(error, str) else guide.section_for(error)
    if found is None:
        QMessageBox.warning(parent, APP_TITLE, guide.with_help(error))
        return
    answer = QMessageBox.warning(parent, APP_TITLE, guide.with_help(error),
                                 QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Help,
                                 QMessageBox.StandardButton.Ok)
    if answer == QMessageBox.StandardButton.Help:
        show_help(parent.window() if parent is not None else None, found.id)
