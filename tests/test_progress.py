"""Progress and cancellation: the core protocol (no Qt) and the QProgressDialog bridge."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop.db.models import Cell
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.files import atomic_write
from chibo4tot_desktop.progress import (
    Cancelled,
    ProgressState,
    Throttle,
    check_cancelled,
    null_progress,
    track,
)


# ------------------------------------------------------------------------------- core
def test_progress_state_reports_and_raises_once_cancelled():
    reports = []
    state = ProgressState(lambda done, total, message: reports.append((done, total, message)))
    state(1, 10, "Đang ghi")
    state(2, 10)
    assert reports == [(1, 10, "Đang ghi"), (2, 10, "Đang ghi")]
    assert (state.done, state.total, state.message) == (2, 10, "Đang ghi")
    state.cancel()
    with pytest.raises(Cancelled) as caught:
        state(3, 10)
    assert isinstance(caught.value, UserError)
    assert str(caught.value) == "Đã hủy theo yêu cầu; không có gì được ghi."
    assert reports[-1] == (2, 10, "Đang ghi")
    with pytest.raises(Cancelled):
        check_cancelled(state)


def test_null_progress_never_cancels():
    null_progress(5, None, "x")
    check_cancelled(null_progress)


def test_track_reports_each_step_and_the_end():
    reports = []
    state = ProgressState(lambda done, total, message: reports.append((done, total)))
    assert list(track(["a", "b", "c"], state, "Đang đọc")) == ["a", "b", "c"]
    assert reports == [(0, 3), (1, 3), (2, 3), (3, 3)]
    reports.clear()
    assert list(track(iter(range(5)), state, every=2)) == [0, 1, 2, 3, 4]
    assert reports == [(0, None), (2, None), (4, None), (5, 5)]


def test_track_stops_when_cancelled_midway():
    state = ProgressState()
    seen = []
    with pytest.raises(Cancelled):
        for item in track(range(100), state):
            seen.append(item)
            if item == 4:
                state.cancel()
    assert seen == [0, 1, 2, 3, 4]


def test_cancelled_import_rolls_the_transaction_back(office):
    """Work inside one transaction that is cancelled midway leaves the database unchanged."""
    state = ProgressState()
    organisation_id = office.organisation_id
    with pytest.raises(Cancelled):
        with office.db.transaction("cells") as session:
            for number in track(range(1, 51), state, "Đang nhập chi bộ"):
                session.add(Cell(organisation_id=organisation_id, code=f"C{number}",
                                 name=f"Chi bộ {number}"))
                session.flush()
                if number == 30:
                    state.cancel()
    with office.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Cell)) == 0


def test_throttle_lets_through_the_first_and_final_reports():
    throttle = Throttle(interval=10)
    assert throttle(1, 100)
    assert not throttle(2, 100)
    assert throttle(100, 100)


# --------------------------------------------------------------------------------- Qt
def _cancel_when_shown(qtbot, runner, after_steps: int, state_holder: dict):
    """Press the dialog's cancel button once the work has done ``after_steps`` steps."""
    def press():
        if runner.dialog is None or runner.state is None or runner.state.done < after_steps:
            return False
        state_holder["pressed_at"] = runner.state.done
        button = runner.dialog.findChild(QPushButton)
        assert button.text() == "Hủy"
        button.click()
        return True

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QPushButton

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: press() and timer.stop())
    timer.start()
    return timer


def test_dialog_runs_the_work_off_the_gui_thread_and_returns_its_result(qtbot, tmp_path):
    from chibo4tot_desktop.ui.progress import ProgressRunner

    target = tmp_path / "ket-qua.txt"
    threads = []

    def work(progress):
        threads.append(threading.current_thread())
        with atomic_write(target, progress) as temp:
            with temp.open("w", encoding="utf-8") as handle:
                for number in track(range(20), progress, "Đang ghi"):
                    handle.write(f"{number}\n")
                    time.sleep(0.002)
        return "xong"

    runner = ProgressRunner(None, "Xuất", "Đang xuất…", minimum_duration_ms=0)
    assert runner.run(work) == "xong"
    assert threads and threads[0] is not threading.main_thread()
    assert target.read_text(encoding="utf-8").splitlines() == [str(n) for n in range(20)]
    assert runner.shown == (20, 20, "Đang ghi")


def test_cancel_button_stops_the_work_and_nothing_is_written(qtbot, tmp_path):
    from chibo4tot_desktop.ui.progress import ProgressRunner

    target = tmp_path / "sao-luu.sqlite3"
    target.write_bytes(b"old backup")
    steps = []

    def work(progress):
        with atomic_write(target, progress) as temp:
            with temp.open("wb") as handle:
                for number in track(range(2000), progress, "Đang sao lưu"):
                    handle.write(b"x" * 100)
                    steps.append(number)
                    time.sleep(0.001)
        return "xong"

    runner = ProgressRunner(None, "Sao lưu", "Đang sao lưu…", minimum_duration_ms=0)
    holder = {}
    timer = _cancel_when_shown(qtbot, runner, 20, holder)
    with pytest.raises(Cancelled):
        runner.run(work)
    timer.stop()
    assert holder["pressed_at"] >= 20
    assert len(steps) < 2000
    assert target.read_bytes() == b"old backup"
    assert [p.name for p in tmp_path.iterdir()] == ["sao-luu.sqlite3"]
    assert runner.shown[2] == "Đang hủy…"


def test_cancelled_database_work_in_the_dialog_leaves_the_data_unchanged(qtbot, office):
    from chibo4tot_desktop.ui.progress import ProgressRunner, run_with_progress

    organisation_id = office.organisation_id

    def work(progress):
        with office.db.transaction("cells") as session:
            for number in track(range(1, 5001), progress, "Đang nhập"):
                session.add(Cell(organisation_id=organisation_id, code=f"C{number}",
                                 name=f"Chi bộ {number}"))
                if number % 50 == 0:
                    session.flush()
                time.sleep(0.0005)

    runner = ProgressRunner(None, "Nhập", "Đang nhập…", minimum_duration_ms=0)
    timer = _cancel_when_shown(qtbot, runner, 100, {})
    with pytest.raises(Cancelled):
        runner.run(work)
    timer.stop()
    assert queries.cells(office) == []
    # and the same work, not cancelled, commits everything
    assert run_with_progress(None, "Nhập", "Đang nhập…", lambda progress: 7) == 7


def test_errors_of_the_work_reach_the_caller(qtbot):
    from chibo4tot_desktop.ui.progress import run_with_progress

    def work(progress):
        progress(1, 2, "Đang đọc")
        raise UserError("Tệp Excel không đúng mẫu: thiếu cột 'Mã chi bộ'.")

    with pytest.raises(UserError, match="thiếu cột 'Mã chi bộ'"):
        run_with_progress(None, "Nhập Excel", "Đang đọc…", work)


def test_window_stays_responsive_while_the_work_runs(qtbot):
    """The GUI thread keeps handling timers while the worker computes."""
    from PySide6.QtCore import QTimer

    from chibo4tot_desktop.ui.progress import run_with_progress

    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()

    def work(progress):
        deadline = time.monotonic() + 0.4
        count = 0
        while time.monotonic() < deadline:
            count += 1
            if count % 1000 == 0:
                progress(count)
        return count

    assert run_with_progress(None, "Tính", "Đang tính…", work, minimum_duration_ms=0) > 0
    timer.stop()
    assert len(ticks) >= 10
