"""A window action and its command end on the same operation.

``Office.write`` is the unit of work every operation opens; a spy on it records which
``ops`` function opened it (the outermost ``ops`` frame on the stack). Driving the window's
real dialogs and tabs, then running the matching command, must record the same function.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect

import pytest
from PySide6.QtWidgets import QInputDialog

from chibo4tot_desktop.cli import main
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ui.dialogs.cell_dialog import CellDialog
from chibo4tot_desktop.ui.dialogs.decision_dialog import DecisionDialog
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from tests.ui.test_flows import select_row


@pytest.fixture
def reached(monkeypatch):
    calls: list[str] = []
    original = Office.write

    @contextlib.contextmanager
    def spy(self, *topics):
        entry = None
        for frame in inspect.stack():
            module = frame.frame.f_globals.get("__name__", "")
            if module.startswith("chibo4tot_desktop.ops.") and module != "chibo4tot_desktop.ops.base":
                entry = f"{module.rsplit('.', 1)[1]}.{frame.function}"
        calls.append(entry)
        with original(self, *topics) as session:
            yield session

    monkeypatch.setattr(Office, "write", spy)
    return calls


def command(db_path, *argv) -> None:
    assert main([*argv, "--data", str(db_path)]) == 0


def test_window_and_command_reach_the_same_operations(demo_window, db_path, reached,
                                                      monkeypatch):
    window = demo_window
    office = window.office

    dialog = CellDialog(office, parent=window)
    dialog.code.setText("TDP13")
    dialog.name.setText("Chi bộ Tổ dân phố 13")
    dialog.accept()
    command(db_path, "cells", "add", "--code", "TDP14", "--name", "Chi bộ Tổ dân phố 14")
    assert reached[-2:] == ["cells.add_cell", "cells.add_cell"]

    window.show_tab(window.cells_tab)
    select_row(window.cells_tab.view, queries.cell_by_code(office, "TDP13").id)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("31/12/2025", True))
    window.cells_tab.dissolve()
    command(db_path, "cells", "dissolve", "TDP14", "--date", "31/12/2025")
    assert reached[-2:] == ["cells.dissolve_cell", "cells.dissolve_cell"]

    cell = queries.cell_by_code(office, "TDP05")
    dialog = RegistrationDialog(office, 2025, [(c.id, c.name) for c in queries.cells(office)],
                                cell.id, parent=window)
    dialog.received.setText("05/03/2025")
    dialog.accept()
    command(db_path, "registrations", "set", "--year", "2025", "--cell", "TDP06",
            "--received", "05/03/2025")
    assert reached[-2:] == ["registrations.save_registration",
                            "registrations.save_registration"]

    window.set_year(2024)
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(queries.cell_by_code(office, "TDP01").id)
    own, committee = next(iter(window.scoring_tab.boxes.values()))
    committee.setValue(committee.value() - 0.5 if committee.value() >= 0.5 else 0.5)
    assert window.scoring_tab.save()
    command(db_path, "scores", "set", "--year", "2024", "--cell", "TDP03", "1.1=/5")
    assert reached[-2:] == ["scoring.save_evaluation", "scoring.save_evaluation"]

    window.show_tab(window.awards_tab)
    qualifying = [s for s in window.awards_tab.results_model.items()
                  if s.qualifies and not s.proposed]
    select_row(window.awards_tab.results_view, qualifying[0].cell.id)
    window.awards_tab.propose_selected()
    command(db_path, "awards", "propose", "--year", "2024", "--kind", "cell", "--cell",
            qualifying[1].cell.code)
    assert reached[-2:] == ["awards.propose_many", "awards.propose_many"]

    first = next(a for a in queries.awards(office, 2024) if a.cell_id == qualifying[0].cell.id)
    dialog = DecisionDialog(office, first, "Ban Thường vụ Tỉnh ủy", parent=window)
    dialog.number.setText("12-QĐ/TU")
    dialog.date.setText("20/12/2024")
    dialog.accept()
    command(db_path, "awards", "decide", "--year", "2024", "--kind", "cell", "--cell",
            qualifying[1].cell.code, "--number", "12-QĐ/TU", "--date", "20/12/2024",
            "--issuer", "Ban Thường vụ Tỉnh ủy")
    assert reached[-2:] == ["awards.record_decision", "awards.record_decision"]
    assert all(a.decision_date == dt.date(2024, 12, 20) for a in queries.awards(office, 2024))
