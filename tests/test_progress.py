"""Progress and cancellation: the core protocol (no Qt)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop.db.models import Cell
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.progress import (
    Cancelled,
    ProgressState,
    check_cancelled,
    null_progress,
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


def test_cancelled_import_rolls_the_transaction_back(office):
    """Work inside one transaction that is cancelled midway leaves the database unchanged."""
    state = ProgressState()
    organisation_id = office.organisation_id
    with pytest.raises(Cancelled):
        with office.db.transaction("cells") as session:
            for number in range(1, 51):
                state(number - 1, 50, "Đang nhập chi bộ")
                session.add(Cell(organisation_id=organisation_id, code=f"C{number}",
                                 name=f"Chi bộ {number}"))
                session.flush()
                if number == 30:
                    state.cancel()
    with office.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Cell)) == 0
