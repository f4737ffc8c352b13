"""The overview's bar chart: drawn once for its data and size, shown again from that."""

from __future__ import annotations

from chibo4tot_desktop.ui.widgets.score_chart import FAILED, PASSED, Bar, ScoreChart


def test_the_chart_is_drawn_again_only_when_its_data_or_size_change(qtbot, monkeypatch):
    chart = ScoreChart()
    qtbot.addWidget(chart)
    chart.resize(600, 300)
    drawn = []
    real = chart._draw
    monkeypatch.setattr(chart, "_draw", lambda painter: drawn.append(1) or real(painter))
    bars = [Bar(f"Chi bộ {number}", number % 101, PASSED if number % 2 else FAILED)
            for number in range(3000)]
    chart.set_data(bars, 80, 100, "Tổng điểm")
    first = chart.grab().toImage()
    assert chart.grab().toImage() == first and len(drawn) == 1
    chart.set_data(bars[:10], 80, 100, "Tổng điểm")
    assert chart.grab().toImage() != first and len(drawn) == 2
    chart.resize(500, 300)
    chart.grab()
    assert len(drawn) == 3
