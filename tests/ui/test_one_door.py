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
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ui.dialogs.registration_dialog import RegistrationDialog
from tests.builders import full_scores
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
    dialog.code.setText("TDP93")
    dialog.name.setText("Chi bộ Tổ dân phố 93")
    dialog.started.setText("01/05/2026")          # founded in the open year
    dialog.accept()
    command(db_path, "cells", "add", "--code", "TDP94", "--name", "Chi bộ Tổ dân phố 94",
            "--started", "01/05/2026")
    assert reached[-2:] == ["cells.add_cell", "cells.add_cell"]

    window.show_tab(window.cells_tab)
    select_row(window.cells_tab.view, queries.cell_by_code(office, "TDP93").id)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("31/12/2026", True))
    window.cells_tab.dissolve()
    command(db_path, "cells", "dissolve", "TDP94", "--date", "31/12/2026")
    assert reached[-2:] == ["cells.dissolve_cell", "cells.dissolve_cell"]

    # The demo's open year (the years before are decided and closed).
    year = 2026
    dialog = RegistrationDialog(office, year, [(c.id, c.name) for c in queries.cells(office)],
                                queries.cell_by_code(office, "TDP10").id, parent=window)
    dialog.received.setText("05/03/2026")
    dialog.accept()
    command(db_path, "registrations", "set", "--year", str(year), "--cell", "TDP14",
            "--received", "05/03/2026")
    assert reached[-2:] == ["registrations.save_registration",
                            "registrations.save_registration"]

    by_id = {cell.id: cell for cell in queries.cells(office)}
    registered = sorted((by_id[r.cell_id] for r in queries.registrations(office, year)
                         if by_id[r.cell_id].code not in ("TDP10", "TDP14")),
                        key=lambda c: c.code)[:4]
    for cell in registered[2:]:            # scored, so that they qualify below
        save_evaluation(office, cell.id, year, scores=full_scores(office, year))
    window.set_year(year)
    window.show_tab(window.scoring_tab)
    window.scoring_tab.select_cell(registered[0].id)
    own, committee = next(iter(window.scoring_tab.boxes.values()))
    committee.set_points((committee.points() or 0) + 0.5)     # the open year: not scored yet
    assert window.scoring_tab.save()
    command(db_path, "scores", "set", "--year", str(year), "--cell", registered[1].code,
            "1.1=/5")
    assert reached[-2:] == ["scoring.save_evaluation", "scoring.save_evaluation"]

    window.show_tab(window.awards_tab)
    qualifying = [s for s in window.awards_tab.results_model.items()
                  if s.qualifies and not s.proposed]
    select_row(window.awards_tab.results_view, qualifying[0].cell.id)
    window.awards_tab.propose_selected()
    command(db_path, "awards", "propose", "--year", str(year), "--kind", "cell", "--cell",
            qualifying[1].cell.code)
    assert reached[-2:] == ["awards.propose_many", "awards.propose_many"]

    first = next(a for a in queries.awards(office, year) if a.cell_id == qualifying[0].cell.id)
    dialog = DecisionDialog(office, first, "Ban Thường vụ Tỉnh ủy", parent=window)
    dialog.number.setText("12-QĐ/TU")
    dialog.date.setText("20/12/2026")
    dialog.accept()
    command(db_path, "awards", "decide", "--year", str(year), "--kind", "cell", "--cell",
            qualifying[1].cell.code, "--number", "12-QĐ/TU", "--date", "20/12/2026",
            "--issuer", "Ban Thường vụ Tỉnh ủy")
    assert reached[-2:] == ["awards.record_decision", "awards.record_decision"]
    assert all(a.decision_date == dt.date(2026, 12, 20) for a in queries.awards(office, year))
