"""A row of widgets that wraps onto the next line when the window is narrow (a 1366-pixel
laptop screen), instead of forcing the window wider than the screen or clipping its buttons.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout, QLayoutItem, QWidgetItem


class FlowLayout(QLayout):
    """Items left to right, wrapping; the height follows the width (``heightForWidth``)."""

    def __init__(self, parent=None, spacing: int = 6):
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    # ------------------------------------------------------------------------- the items
    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def addWidget(self, widget) -> None:          # noqa: N802 - Qt's name
        self.insertWidget(len(self._items), widget)

    def insertWidget(self, index: int, widget) -> None:   # noqa: N802 - Qt's name
        self.addChildWidget(widget)
        self._items.insert(max(0, min(index, len(self._items))), QWidgetItem(widget))
        self.invalidate()

    def addStretch(self, _stretch: int = 0) -> None:    # noqa: N802 - nothing to stretch
        pass

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):                  # noqa: N802 - Qt's name
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):                  # noqa: N802 - Qt's name
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # ------------------------------------------------------------------------ the sizes
    def expandingDirections(self):                 # noqa: N802 - Qt's name
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:           # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:   # noqa: N802 - Qt's name
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:    # noqa: N802 - Qt's name
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:                   # noqa: N802 - Qt's name
        width = sum(i.sizeHint().width() for i in self._visible()) \
            + self._spacing * max(0, len(self._visible()) - 1)
        height = max((i.sizeHint().height() for i in self._visible()), default=0)
        return QSize(width, height).grownBy(self.contentsMargins())

    def minimumSize(self) -> QSize:                # noqa: N802 - Qt's name
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        return size.grownBy(self.contentsMargins())

    def _visible(self) -> list[QLayoutItem]:
        return [i for i in self._items if not (i.widget() and i.widget().isHidden())]

    def _place(self, rect: QRect, move: bool) -> int:
        """Lay the items out in lines (each item centred in its line's height); returns
        the height used."""
        margins: QMargins = self.contentsMargins()
        area = rect.marginsRemoved(margins)
        spacing = self._spacing
        lines: list[list[QLayoutItem]] = [[]]
        x = area.x()
        for item in self._visible():
            width = item.sizeHint().width()
            if lines[-1] and x + width > area.right() + 1:
                lines.append([])
                x = area.x()
            lines[-1].append(item)
            x += width + spacing
        y = area.y()
        for line in lines:
            height = max((item.sizeHint().height() for item in line), default=0)
            x = area.x()
            for item in line:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2),
                                           hint))
                x += hint.width() + spacing
            y += height + spacing
        return max(0, y - spacing - rect.y()) + margins.bottom()
