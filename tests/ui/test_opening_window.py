"""File ▸ Open, Recent files, New and the demo file open as the start does: the writer lock, the
start checks, the same read-only offer naming who holds the file."""

from __future__ import annotations

import socket

import pytest
from PySide6.QtWidgets import QFileDialog

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.demo import build_demo
from chibo4tot_desktop.errors import DataFileError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.safety.lock import DataFileLockedError, holder_of
from chibo4tot_desktop.safety.opening import open_for_writing
from chibo4tot_desktop.ui import safety as ui_safety
from tests.lock_holder import held_by_another_program


@pytest.fixture
def other_file(tmp_path):
    path = tmp_path / "phuong-khac.sqlite3"
    db = open_database(path)
    build_demo(Office(db))
    db.close()
    return path


@pytest.fixture
def asked(monkeypatch):
    """The read-only question: recorded; ``asked.answer`` is what the user clicks."""

    class Recorder(list):
        answer = True

    recorder = Recorder()

    def open_readonly(self, message):
        recorder.append(message)
        return recorder.answer

    monkeypatch.setattr(ui_safety.Questions, "open_readonly", open_readonly)
    return recorder


def test_file_open_takes_the_lock(window, other_file):
    assert window.open_file(str(other_file))
    db = window.office.db
    assert db.path == other_file and not db.readonly and db.lock is not None and db.lock.held
    with pytest.raises(DataFileLockedError):
        open_for_writing(other_file)


def test_file_open_of_a_file_another_program_holds_offers_read_only(
        window, other_file, asked, monkeypatch):
    first = window.office
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *args, **kwargs: (str(other_file), "")))
    with held_by_another_program(other_file) as pid:
        asked.answer = False                # "Hủy": the current file stays
        window.open_action.trigger()
        assert len(asked) == 1 and window.office is first
        asked.answer = True
        window.open_action.trigger()
        message = asked[-1]
        assert f"hoa trên máy {socket.gethostname()}" in message and "chỉ đọc" in message
        db = window.office.db
        assert db.path == other_file and db.readonly and db.lock is None
        assert "(chỉ đọc)" in window.windowTitle()
        with pytest.raises(DataFileError):
            add_cell(window.office, "MOI", "Chi bộ mới")
        assert holder_of(other_file).pid == pid      # the other program keeps its lock


def test_recent_file_held_by_another_program_offers_read_only(window, db_path, other_file,
                                                              asked):
    assert window.open_file(str(other_file))       # now in the recent files
    assert window.open_file(str(db_path))
    assert not window.office.db.readonly
    action = next(a for a in window.recent_menu.actions()
                  if a.text() == str(other_file.resolve()))
    with held_by_another_program(other_file):
        action.trigger()
        assert asked and "hoa" in asked[-1]
        assert window.office.db.path == other_file and window.office.db.readonly


def test_new_and_demo_files_are_not_made_while_another_program_holds_the_name(
        window, tmp_path, asked, monkeypatch):
    target = tmp_path / "moi.sqlite3"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *args, **kwargs: (str(target), "")))
    first = window.office
    asked.answer = False
    with held_by_another_program(target):
        window.demo_action.trigger()
        window.new_file_action.trigger()
    assert len(asked) == 2 and all("hoa" in message for message in asked)
    assert not target.exists() and window.office is first
    # Free again: the demo file is made and opened with the lock.
    window.demo_action.trigger()
    db = window.office.db
    assert db.path == target and db.lock is not None and db.lock.held
    assert len(queries.cells(window.office)) == 16


def test_file_open_of_a_damaged_file_offers_its_backup(window, other_file, monkeypatch):
    from chibo4tot_desktop.safety.backup import make_backup
    from tests.test_opening import scribble

    backup = make_backup(other_file, "thu-cong")
    scribble(other_file)
    offered = []
    monkeypatch.setattr(ui_safety.Questions, "restore_damaged",
                        lambda self, message: (offered.append(message), True)[1])
    assert window.open_file(str(other_file))
    assert offered and "bị hỏng" in offered[0] and backup.path.name in offered[0]
    assert window.office.db.path == other_file and not window.office.db.readonly
    assert len(queries.cells(window.office)) == 16
