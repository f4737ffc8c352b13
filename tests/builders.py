"""Test data built through the operations, as a user would make it."""

from __future__ import annotations

import datetime as dt

from chibo4tot_desktop.db.models import Scope
from chibo4tot_desktop.ops import queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput


def full_scores(office, year=2023, share=0.9, override=None):
    """Every cell criteria item of ``year`` scored ``share`` of its maximum (to half points)."""
    phase = queries.phase_for_year(office, year)
    result = {}
    for group in phase.groups:
        if group.scope != Scope.CELL.value:
            continue
        for item in group.items:
            points = round(item.max_points * share * 2) / 2
            result[item.id] = ScoreInput(points, points)
    result.update(override or {})
    return result


def qualifying_cell(office, code="A", name=None, years=(2023,), members=20):
    """A cell registered and scored so that it earns “Chi bộ 4 tốt” in ``years``."""
    cell = add_cell(office, code, name or f"Chi bộ {code}", members_count=members)
    for year in years:
        save_registration(office, cell.id, year, received_on=dt.date(year, 3, 5))
        save_evaluation(office, cell.id, year, scores=full_scores(office, year))
    return cell
