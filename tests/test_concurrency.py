"""Two people on two connections editing the same evaluation: the second one is told, never
silently overwritten. Runs on SQLite and, with CHIBO4TOT_TEST_DATABASE_URL, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.errors import ConflictError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.verdicts import ScoreInput


@pytest.fixture
def two_offices(office, db_target):
    """The office's data opened a second time, on its own engine and connection."""
    cell = add_cell(office, "TDP06", "Chi bộ Tổ dân phố 6", members_count=30)
    other_db = open_database(db_target)
    other = Office(other_db, office.organisation_id)
    yield office, other, cell
    other_db.close()


def _first_item(office, year=2023):
    phase = queries.phase_for_year(office, year)
    return next(g for g in phase.groups if g.scope == "cell").items[0]


def test_second_save_on_a_stale_copy_is_refused(two_offices):
    first, second, cell = two_offices
    item = _first_item(first)
    save_evaluation(first, cell.id, 2023, scores={item.id: ScoreInput(2, 2)})
    # Both people open the scoring sheet and read the same version.
    version_a = queries.evaluation(first, cell.id, 2023).version
    version_b = queries.evaluation(second, cell.id, 2023).version
    assert version_a == version_b
    # A changes only a score and saves.
    save_evaluation(first, cell.id, 2023, scores={item.id: ScoreInput(3, 3)},
                          expected_version=version_a)
    # B saves from the old copy: refused, with a Vietnamese message, and A's score stays.
    with pytest.raises(ConflictError, match="vừa được người khác sửa"):
        save_evaluation(second, cell.id, 2023, scores={item.id: ScoreInput(1, 1)},
                               notes="của người thứ hai", expected_version=version_b)
    stored = queries.evaluation(second, cell.id, 2023)
    assert [(s.self_points, s.committee_points) for s in stored.scores] == [(3, 3)]
    assert stored.notes == ""
    # After reopening (the new version) B may save.
    save_evaluation(second, cell.id, 2023, scores={item.id: ScoreInput(1, 1)},
                           expected_version=stored.version)
    assert queries.evaluation(first, cell.id, 2023).scores[0].committee_points == 1


def test_both_creating_the_first_evaluation(two_offices):
    first, second, cell = two_offices
    item = _first_item(first)
    # Both opened an empty sheet (version 0 = "no evaluation yet").
    save_evaluation(first, cell.id, 2023, scores={item.id: ScoreInput(2, 2)}, expected_version=0)
    with pytest.raises(ConflictError):
        save_evaluation(second, cell.id, 2023, scores={item.id: ScoreInput(1, 1)},
                               expected_version=0)
    assert queries.evaluation(second, cell.id, 2023).scores[0].committee_points == 2


def test_simultaneous_saves_one_wins_one_is_told(two_offices):
    """Two threads save at the same moment from the same version, several rounds: each round
    exactly one save lands and the other raises ConflictError (no lost update, no crash)."""
    first, second, cell = two_offices
    item = _first_item(first)
    save_evaluation(first, cell.id, 2023, scores={item.id: ScoreInput(0, 0)})
    for round_number in range(5):
        version = queries.evaluation(first, cell.id, 2023).version
        barrier = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def save(name, office, points):
            barrier.wait()
            try:
                save_evaluation(office, cell.id, 2023, scores={item.id: ScoreInput(points, points)},
                                       expected_version=version)
                outcomes[name] = "saved"
            except ConflictError as error:
                outcomes[name] = error

        threads = [threading.Thread(target=save, args=("a", first, 1)),
                   threading.Thread(target=save, args=("b", second, 2))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        saved = [name for name, outcome in outcomes.items() if outcome == "saved"]
        refused = [outcome for outcome in outcomes.values() if isinstance(outcome, ConflictError)]
        assert len(saved) == 1 and len(refused) == 1, (round_number, outcomes)
        stored = queries.evaluation(first, cell.id, 2023)
        assert stored.version > version
        assert stored.scores[0].committee_points == (1 if saved == ["a"] else 2)


def test_missing_driver_is_a_clear_message(monkeypatch):
    import sys

    from chibo4tot_desktop.errors import DataFileError

    monkeypatch.setitem(sys.modules, "psycopg", None)   # as if not installed
    with pytest.raises(DataFileError, match="thiếu thư viện"):
        open_database("postgresql+psycopg://u@127.0.0.1:1/x")
