"""A small bar chart of the committee's total per cell, drawn with QPainter (QtCharts is not
part of PySide6-Essentials). Bars are green when the cell earns "Chi bộ 4 tốt", red when it
does not, grey when it is not fully scored; a dashed line marks the overall threshold.

A province's chart is thousands of bars: it is drawn once into a picture, for its data and its
size, and every later repaint (the tab shown again, a window passing over it) shows that
picture."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QWidget

PASSED, FAILED, INCOMPLETE = "passed", "failed", "incomplete"
COLOURS = {PASSED: QColor("#2e7d32"), FAILED: QColor("#c62828"), INCOMPLETE: QColor("#b0b0b0")}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None
    state: str


class ScoreChart(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.bars: list[Bar] = []
        self.threshold: float | None = None
        self.maximum = 100.0
        self.title = ""
        self._drawn: tuple[tuple, QPixmap] | None = None   # (size, scale), the picture
        self.setMinimumHeight(240)

    def sizeHint(self):
        return QSize(600, 300)

    def set_data(self, bars: list[Bar], threshold: float | None, maximum: float = 100,
                 title: str = "") -> None:
        self.bars = list(bars)
        self.threshold = threshold
        self.maximum = maximum or 100
        self.title = title
        self._drawn = None
        self.update()

    def changeEvent(self, event):
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange,
                            QEvent.Type.PaletteChange):
            self._drawn = None
        super().changeEvent(event)

    def paintEvent(self, event):
        ratio = self.devicePixelRatioF()
        key = (self.width(), self.height(), ratio)
        if self._drawn is None or self._drawn[0] != key:
            picture = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
            picture.setDevicePixelRatio(ratio)
            painter = QPainter(picture)
            painter.setFont(self.font())
            self._draw(painter)
            painter.end()
            self._drawn = (key, picture)
        QPainter(self).drawPixmap(0, 0, self._drawn[1])

    def _draw(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        font = QFont(self.font())
        metrics = painter.fontMetrics()
        left, right, top, bottom = 40, 12, 28, 110
        plot = QRectF(left, top, max(10, self.width() - left - right),
                      max(10, self.height() - top - bottom))
        painter.setPen(QColor("#333333"))
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(0, 4, self.width(), 20), Qt.AlignmentFlag.AlignHCenter,
                         self.title)
        painter.setFont(font)
        grid = QPen(QColor("#e0e0e0"))
        for step in range(0, 101, 20):
            value = self.maximum * step / 100
            y = plot.bottom() - plot.height() * step / 100
            painter.setPen(grid)
            painter.drawLine(plot.left(), y, plot.right(), y)
            painter.setPen(QColor("#555555"))
            painter.drawText(QRectF(0, y - 8, left - 6, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{value:g}")
        if not self.bars:
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "Chưa có dữ liệu")
            return
        slot = plot.width() / len(self.bars)
        width = max(2.0, slot * 0.7)
        # A province's chart is 3,000 bars: what every bar reads is read once.
        plot_left, plot_bottom, plot_height = plot.left(), plot.bottom(), plot.height()
        maximum = self.maximum
        fill = painter.fillRect
        colour_of = COLOURS.get
        grey = COLOURS[INCOMPLETE]
        for index, bar in enumerate(self.bars):
            x = plot_left + slot * index + (slot - width) / 2
            value = bar.value or 0
            height = plot_height * min(value, maximum) / maximum
            fill(QRectF(x, plot_bottom - height, width, height), colour_of(bar.state, grey))
            if slot >= 12:
                painter.save()
                painter.translate(x + width / 2 + metrics.height() / 3, plot_bottom + 6)
                painter.rotate(-60)
                label = metrics.elidedText(bar.label, Qt.TextElideMode.ElideRight, bottom - 10)
                painter.setPen(QColor("#333333"))
                painter.drawText(-metrics.horizontalAdvance(label), 0, label)
                painter.restore()
        if self.threshold is not None:
            y = plot.bottom() - plot.height() * min(self.threshold, self.maximum) / self.maximum
            pen = QPen(QColor("#1565c0"))
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setWidth(2)
            painter.setPen(pen)
            painter.drawLine(plot.left(), y, plot.right(), y)
            label = f"Ngưỡng {self.threshold:g} điểm"
            box = QRectF(plot.left() + 4, y - metrics.height() - 4,
                         metrics.horizontalAdvance(label) + 10, metrics.height() + 2)
            painter.fillRect(box, QColor(255, 255, 255, 220))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        painter.setPen(QColor("#888888"))
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
