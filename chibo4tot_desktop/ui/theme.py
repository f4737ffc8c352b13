"""The look: Fusion style, a light palette and a font with every Vietnamese glyph."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase, QPalette, QColor
from PySide6.QtWidgets import QApplication

PREFERRED_FONTS = ("Segoe UI", "Arial", "Liberation Sans", "Arimo", "DejaVu Sans")


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    families = set(QFontDatabase.families())
    family = next((name for name in PREFERRED_FONTS if name in families), None)
    font = QFont(family) if family else QFont(app.font())
    font.setPointSize(10)
    app.setFont(font)
    palette = app.style().standardPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#f4f5f7"))
    palette.setColor(QPalette.ColorRole.Base, QColor("#ffffff"))
    palette.setColor(QPalette.ColorRole.AlternateBase, QColor("#f3f6fb"))
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#2f5d9e"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    app.setPalette(palette)
    app.setStyleSheet("QGroupBox { font-weight: bold; margin-top: 8px; }"
                      "QGroupBox::title { subcontrol-origin: margin; left: 8px; "
                      "padding: 0 4px; }"
                      "QGroupBox * { font-weight: normal; }"
                      "QTabBar::tab { padding: 6px 16px; }"
                      "QHeaderView::section { padding: 4px; font-weight: bold; }")
