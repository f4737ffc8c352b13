"""Tổng quan: the year at a glance (deadlines and days left, counts, what to do next, a chart
of the committee's total per cell). Everything comes from the year's ``reports.YearOverview`` (``main.overviews``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
)

from chibo4tot_desktop.db import changes
from chibo4tot_desktop.reports import COUNT_LABELS
from chibo4tot_desktop.ui.common import select_ids
from chibo4tot_desktop.ui.tabs.base_tab import BaseTab
from chibo4tot_desktop.ui.widgets.score_chart import Bar, ScoreChart

TODO_ROLE = Qt.ItemDataRole.UserRole + 1     # (place, cell ids) of a to-do line
COUNT_KEYS = ("active", "registered", "late", "missing", "scored", "qualifying", "proposed",
              "awarded")


class OverviewTab(BaseTab):
    TOPICS = frozenset({changes.CELLS, changes.REGISTRATIONS,
                        changes.EVALUATIONS, changes.AWARDS,
                        changes.SETTINGS})

    def __init__(self, main, parent=None):
        super().__init__(main, parent)
        self.overview = None
        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 13pt; font-weight: bold;")
        self.heading.setWordWrap(True)
        self.layout_.insertWidget(0, self.heading)
        self.regulation = QLabel()
        self.regulation.setObjectName("regulation")
        self.regulation.setWordWrap(True)
        self.layout_.insertWidget(1, self.regulation)
        top = QHBoxLayout()
        deadlines_box = QGroupBox("Mốc thời gian")
        deadlines_layout = QVBoxLayout(deadlines_box)
        self.deadline_labels = [QLabel() for _ in range(3)]
        for label in self.deadline_labels:
            deadlines_layout.addWidget(label)
        self.org_label = QLabel()
        self.org_label.setWordWrap(True)
        deadlines_layout.addWidget(self.org_label)
        deadlines_layout.addStretch(1)
        top.addWidget(deadlines_box, 2)
        counts_box = QGroupBox("Số liệu")
        grid = QGridLayout(counts_box)
        self.count_labels = {}
        for index, key in enumerate(COUNT_KEYS):
            frame = QFrame()
            frame.setFrameShape(QFrame.Shape.StyledPanel)
            inner = QVBoxLayout(frame)
            inner.setContentsMargins(6, 4, 6, 4)
            number = QLabel("0")
            number.setObjectName(f"count_{key}")
            number.setAlignment(Qt.AlignmentFlag.AlignCenter)
            number.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1f3b70;")
            caption = QLabel(COUNT_LABELS[key])
            caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
            caption.setWordWrap(True)
            inner.addWidget(number)
            inner.addWidget(caption)
            grid.addWidget(frame, index // 4, index % 4)
            self.count_labels[key] = number
        top.addWidget(counts_box, 3)
        self.layout_.addLayout(top)
        bottom = QHBoxLayout()
        todo_box = QGroupBox("Việc cần làm")
        todo_layout = QVBoxLayout(todo_box)
        self.todo = QListWidget()
        self.todo.setWordWrap(True)
        self.todo.setSpacing(3)
        self.todo.setObjectName("todo")
        self.todo.setCursor(Qt.CursorShape.PointingHandCursor)
        self.todo.itemClicked.connect(self.open_todo)
        self.todo.itemActivated.connect(self.open_todo)
        todo_layout.addWidget(self.todo)
        bottom.addWidget(todo_box, 2)
        self.chart = ScoreChart()
        chart_box = QGroupBox("Điểm Đảng ủy chấm theo chi bộ")
        chart_layout = QVBoxLayout(chart_box)
        chart_layout.addWidget(self.chart)
        bottom.addWidget(chart_box, 3)
        self.layout_.addLayout(bottom, 1)

    def open_todo(self, item: QListWidgetItem) -> None:
        """Open the tab where the work of a to-do line is done, on the cells it names."""
        target = item.data(TODO_ROLE)
        if not target:
            return
        place, cell_ids = target
        main = self.main
        if place == "registrations":
            main.show_tab(main.registrations_tab)
            select_ids(main.registrations_tab.view, cell_ids)
        elif place == "scoring":
            main.show_tab(main.scoring_tab)
            main.scoring_tab.select_cell(cell_ids[0])
        elif place == "organisation":
            main.show_tab(main.scoring_tab)
            main.scoring_tab.select_cell(None)
        elif place == "awards":
            main.show_tab(main.awards_tab)
            select_ids(main.awards_tab.results_view, cell_ids)

    def refresh(self) -> None:
        year = self.year()
        if year is None:
            self.stale = False
            self.overview = None
            self.heading.setText("Chưa có giai đoạn thi đua nào.")
            return
        overview = self.main.overviews.get(year)
        if overview is None:
            self.heading.setText(f"Năm {year}: đang tổng hợp số liệu…")
            return          # still stale: shown when the overview is ready
        self.stale = False
        self.overview = overview
        final = " – năm tổng kết giai đoạn" if overview.is_final else ""
        self.heading.setText(f"Năm {year}{final}: {overview.phase_title}")
        self.regulation.setText(f"Đánh giá, xếp loại chất lượng theo {overview.regulation}")
        for label, deadline in zip(self.deadline_labels, overview.deadlines):
            label.setText(deadline.describe())
        org = overview.organisation_result
        self.org_label.setText(f"“Đảng bộ cơ sở 4 tốt”: <b>{org.verdict.label}</b>")
        for key, value in overview.counts.items():
            if key in self.count_labels:
                self.count_labels[key].setText(str(value))
        self.todo.clear()
        for line in overview.warnings:
            self.todo.addItem(f"⚠ Lưu ý: {line}")
        for line in overview.todo:
            item = QListWidgetItem(f"• {line}")
            if line.place:
                item.setData(TODO_ROLE, (line.place, line.cell_ids))
                item.setToolTip("Bấm để mở nơi làm việc này.")
            self.todo.addItem(item)
        bars = []
        for state in overview.cells:
            if not state.evaluated:
                continue
            verdict = state.result.verdict
            value = state.result.committee_totals.total
            bars.append(Bar(state.cell.name.removeprefix("Chi bộ ").strip(), value,
                            verdict.state.value))
        self.chart.set_data(bars, overview.year_rules.overall_pass, 100, f"Năm {year}")
