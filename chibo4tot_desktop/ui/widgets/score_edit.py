"""One score box of a scoring sheet: the text the user typed, read with "," or "." whatever the
system's locale, checked by the core (``ops.checks.points``) and never altered.

A value the core refuses (above the item's maximum, too many decimals, not a number) stays as
typed, marked red with the reason in its tooltip; ``points()`` is then None and ``error()`` the
reason, so the sheet can refuse to save until it is fixed. A valid value is shown the
Vietnamese way ("5,5") when the box is left. The wheel steps the score only while the box has
focus (otherwise it scrolls the sheet); Enter moves on like Tab; Up and Down ask the sheet for
the box above or below (``moved``)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QLineEdit

from chibo4tot_desktop import rules
from chibo4tot_desktop.errors import ValidationError
from chibo4tot_desktop.ops import checks

WHEEL_STEP = 0.5
INVALID_STYLE = "QLineEdit { border: 2px solid #b00020; background: #fde8ea; }"


class ScoreEdit(QLineEdit):
    """A score for ``item`` (anything with ``max_points`` and ``label``) given by ``who``."""

    edited = Signal()          # the text changed (typed, wheel or set by the program)
    moved = Signal(int)        # Up (-1) / Down (+1): the sheet moves the focus
    focused = Signal()

    def __init__(self, item, who: str, parent=None):
        super().__init__(parent)
        self.item = item
        self.who = who
        self._points: float | None = None
        self._error: str | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText("–")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(f"Điểm {who} mục {item.label}")
        self.textChanged.connect(self._check)
        self._check(self.text())

    # ---------------------------------------------------------------------------- values
    def points(self) -> float | None:
        """The score typed, or None when empty or refused (see ``error``)."""
        return self._points

    def error(self) -> str | None:
        return self._error

    def maximum(self) -> float:
        return self.item.max_points

    def set_points(self, value: float | None) -> None:
        self.setText("" if value is None else rules.fmt_points(value))

    def _check(self, text: str) -> None:
        try:
            self._points = checks.points(text, self.item, self.who)
            self._error = None
        except ValidationError as error:
            self._points = None
            self._error = str(error)
        style = INVALID_STYLE if self._error else ""
        if style != self.styleSheet():   # setting one restyles the box: only when it changes
            self.setStyleSheet(style)
        self.setToolTip(self._error or f"Tối đa {rules.fmt_points(self.item.max_points)} "
                                        f"điểm; gõ dấu phẩy hoặc dấu chấm cho phần lẻ.")
        self.edited.emit()

    # ------------------------------------------------------------------------ interaction
    def focusInEvent(self, event):
        super().focusInEvent(event)
        self.selectAll()
        self.focused.emit()

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        if self._points is not None and self._error is None:
            shown = rules.fmt_points(self._points)
            if shown != self.text():       # the same number, written the Vietnamese way
                self.setText(shown)

    def keyPressEvent(self, event):
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.focusNextChild()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.moved.emit(-1 if key == Qt.Key.Key_Up else 1)
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event):
        if not self.hasFocus() or self._error is not None:
            self._scroll_sheet(event)      # the sheet scrolls; the score stays
            return
        steps = event.angleDelta().y() // 120
        if steps == 0:
            event.ignore()
            return
        current = self._points if self._points is not None else 0.0
        wanted = current + steps * WHEEL_STEP if self._points is not None \
            else (0.0 if steps < 0 else WHEEL_STEP)
        wanted = min(max(wanted, 0.0), self.item.max_points)
        if wanted != self._points:
            self.set_points(wanted)
        event.accept()

    def _scroll_sheet(self, event) -> None:
        """Hand the wheel to the scroll area around the box (Qt does not pass a synthesised
        wheel event on to the parents)."""
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QAbstractScrollArea):
            parent = parent.parentWidget()
        if parent is None:
            event.ignore()
            return
        QApplication.sendEvent(parent.verticalScrollBar(), event)
        event.accept()
