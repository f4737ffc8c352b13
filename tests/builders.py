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
    for group in phase.catalogue(year, Scope.CELL):
        for item in group.items:
            points = round(item.max_points * share * 2) / 2
            result[item.id] = ScoreInput(points, points)
    result.update(override or {})
    return result


def qualifying_cell(office, code="A", name=None, years=(2023,), members=20):
    """A cell registered and scored so that it earns “Chi bộ 4 tốt” in ``years``."""
    cell = add_cell(office, code, name or f"Chi bộ {code}", members_count=members)
    for year in years:
        save_registration(office, cell.id, year, received_on=dt.date(year, 3, 5),
                          members_count=members)
        save_evaluation(office, cell.id, year, scores=full_scores(office, year))
    return cell


def trust_keys(receiver_db, keys, code: str, name: str, role: str = "ward"):
    """The receiver registers ``keys`` (an office's, or ``signing.new_keys()``), as after
    comparing the fingerprint over the phone."""
    from chibo4tot_desktop import signing
    from chibo4tot_desktop.ops import Office
    from chibo4tot_desktop.ops.keys import trust_sender

    return trust_sender(Office(receiver_db), name=name, code=code, role=role,
                        signing_public=keys.signing_public, box_public=keys.box_public,
                        typed_fingerprint=signing.fingerprint(keys.signing_public,
                                                              keys.box_public))


def trust_office(receiver_db, sender, role: str = "ward"):
    """The receiver registers the key of the office ``sender`` (made on first use)."""
    from chibo4tot_desktop.ops.keys import own_keys

    keys = own_keys(sender)
    if role == "ward":
        organisation = queries.organisation(sender)
        return trust_keys(receiver_db, keys, organisation.code, organisation.name, role)
    return trust_keys(receiver_db, keys, "", "Ban Thường vụ Tỉnh ủy", role)
