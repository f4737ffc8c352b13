"""Fuzzing the packet import with hostile packets (a seeded generator, tests/hostile_packets.py):
genuine packets of the demo ward's years with data.json changed at random (types, numbers,
texts, dates, keys, lists, broken references, absurd decisions, catalogue and calendar) and
signed again with the ward's own key, so the content checks are what is tested; and zips
broken in their manifest, members or size.

The city trusts the ward and already holds its genuine 2023 and 2024. Whatever the packet:
either it is taken, and the city's data then passes the logical checks of
``safety.check`` with no new finding (scores within their maxima) and the other years'
results are those they were; or it is refused with a PacketError/UserError of one Vietnamese
sentence ending "không nhập gì", and the database is unchanged to the byte. Never another
exception. A few dozen go through the real ``packet import`` command: exit 0 or 2, no
traceback, memory under a bound. The long version: benchmarks/fuzz_import.py --packets.
"""

from __future__ import annotations

import collections
import copy
import re
import shutil

import pytest
from sqlalchemy import func, select

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import Evaluation, Score
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops.exchange import import_packets
from chibo4tot_desktop.safety.check import table_checksum
from tests import hostile_packets

SEED = 18_500
CASES = 150
COMMAND_CASES = 12
COMMAND_PEAK_BOUND = 600 * 1024      # KiB


@pytest.fixture(scope="module")
def setting(tmp_path_factory) -> hostile_packets.Setting:
    return hostile_packets.prepare(tmp_path_factory.mktemp("packet-fuzz"))


class _City:
    """The city's data file, copied back from the template only after a change."""

    def __init__(self, setting, path):
        self.template, self.path = setting.city, path
        self.db = None
        self.reset()

    def reset(self):
        if self.db is not None:
            self.db.close()
        shutil.copy(self.template, self.path)
        self.db = open_database(self.path)
        self.checksum = table_checksum(self.path)

    def close(self):
        self.db.close()


def _check_taken(setting, city: _City, year: int, label: str) -> None:
    """A packet taken leaves the data as sound as it was, the other years as they were."""
    problems = hostile_packets.taken_problems(setting, city.path, city.db, year)
    assert not problems, (label, problems)


def test_hostile_packets_are_refused_or_leave_sound_data(setting, tmp_path):
    city = _City(setting, tmp_path / "city.sqlite3")
    seen = collections.Counter()
    try:
        for case in range(CASES):
            seed = SEED + case
            what, year, path = hostile_packets.fuzz_case(
                seed, setting.bases, setting.keys, tmp_path / f"{seed}.zip")
            label = f"seed {seed} ({what}, {year})"
            try:
                outcomes = import_packets(city.db, [path])
            except UserError as error:
                problem = hostile_packets.refusal_problem(str(error))
                assert problem is None, (label, problem, str(error))
                assert table_checksum(city.path) == city.checksum, label
                seen["refused"] += 1
            except Exception as error:      # noqa: BLE001 - the point of the test
                pytest.fail(f"{label}: {type(error).__name__}: {error}")
            else:
                seen[outcomes[0].action] += 1
                if table_checksum(city.path) != city.checksum:
                    _check_taken(setting, city, year, label)
                    city.reset()
            path.unlink()
    finally:
        city.close()
    # The generator reaches both sides: most refused, some taken.
    assert seen["refused"] > CASES // 2 and seen["updated"] + seen["new"] > 0, seen


def test_hostile_packets_through_the_command(setting, tmp_path):
    data = tmp_path / "city.sqlite3"
    shutil.copy(setting.city, data)
    codes = collections.Counter()
    for case in range(COMMAND_CASES):
        seed = SEED + CASES + case
        what, year, path = hostile_packets.fuzz_case(
            seed, setting.bases, setting.keys, tmp_path / f"{seed}.zip")
        label = f"seed {seed} ({what}, {year})"
        before = table_checksum(data)
        code, out, err, peak = hostile_packets.packet_import_command(data, path)
        assert code in (0, 2), (label, code, err[-2000:])
        assert "Traceback" not in out + err, (label, err[-2000:])
        if peak is not None:
            assert peak <= COMMAND_PEAK_BOUND, (label, f"{peak // 1024} MB")
        if code == 2:
            assert table_checksum(data) == before, label
            # the command adds where the guide explains it: "(xem HD-13 trong Hướng dẫn sử dụng)"
            assert re.search(r"không nhập gì\.( \(xem HD-\d+ trong Hướng dẫn sử dụng\))?$",
                             err.strip()), (label, err)
        elif table_checksum(data) != before:
            shutil.copy(setting.city, data)
        codes[code] += 1
        path.unlink()
    assert codes[2] > 0, codes


@pytest.mark.parametrize("seed", range(8))
def test_the_generator_is_reproducible(setting, tmp_path, seed):
    first = hostile_packets.fuzz_case(seed, setting.bases, setting.keys, tmp_path / "a")
    second = hostile_packets.fuzz_case(seed, setting.bases, setting.keys, tmp_path / "b")
    assert first[:2] == second[:2]
    assert first[2].read_bytes() == second[2].read_bytes()


def test_genuine_packets_remade_are_taken(setting, tmp_path):
    """The harness itself: the genuine data signed again later is taken without a finding."""
    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        for year, base in setting.bases.items():
            path = tmp_path / f"{year}.zip"
            path.write_bytes(hostile_packets.pack(hostile_packets.dump(base.data).encode(),
                                                  base, setting.keys))
            outcomes = import_packets(city.db, [path])
            assert outcomes[0].action in ("new", "updated"), year
            _check_taken(setting, city, year, f"genuine {year}")
            city.reset()
    finally:
        city.close()


# ------------------------------------------------------------- what the fuzz found
def _remade(setting, tmp_path, year, change=None, edit=None):
    base = setting.bases[year]
    data = copy.deepcopy(base.data)
    if change is not None:
        change(data)
    path = tmp_path / f"remade-{year}.zip"
    path.write_bytes(hostile_packets.pack(hostile_packets.dump(data).encode(), base,
                                          setting.keys, edit=edit))
    return path


def _refused(city: _City, path, match):
    before = table_checksum(city.path)
    with pytest.raises(UserError, match=match) as caught:
        import_packets(city.db, [path])
    assert hostile_packets.refusal_problem(str(caught.value)) is None, str(caught.value)
    assert table_checksum(city.path) == before


def test_a_merge_naming_a_list_instead_of_a_cell_is_refused(setting, tmp_path):
    def link(data):
        data["links"] = [[[data["cells"][0]["code"]], data["cells"][1]["code"]]]

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2025, link), r"dữ liệu không hợp lệ \(sáp nhập\)")
    finally:
        city.close()


def test_a_made_at_time_that_cannot_be_moved_to_utc_is_refused(setting, tmp_path):
    def first_day(manifest):
        manifest["exported_at"] = "0001-01-01T00:00:00+07:00"

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2025, edit=first_day),
                 "thời điểm tạo gói không hợp lệ")
    finally:
        city.close()


def test_a_packet_without_the_calendar_of_a_year_of_its_phase_is_refused(setting, tmp_path):
    """Taken, it left a phase without its year: every report of that year failed."""
    def drop(data):
        data["phase"]["years"] = [row for row in data["phase"]["years"] if row["year"] != 2025]

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2025, drop),
                 "thiếu lịch thi đua năm 2025")
    finally:
        city.close()


def test_a_score_without_a_key_is_an_empty_score(setting, tmp_path):
    """An absent value is an empty one, as null is (it raised KeyError)."""
    def drop(data):
        for row in data["evaluations"]:
            for score in row["scores"]:
                del score["committee_points"]

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        outcomes = import_packets(city.db, [_remade(setting, tmp_path, 2025, drop)])
        assert outcomes[0].action == "new"
        with city.db.session() as session:
            def committee_scored(year):
                return session.scalar(select(func.count()).select_from(Score).join(Evaluation)
                                      .where(Evaluation.year == year,
                                             Score.committee_points.is_not(None)))
            assert committee_scored(2025) == 0 and committee_scored(2024) > 0
        _check_taken(setting, city, 2025, "2025 without committee points")
    finally:
        city.close()


@pytest.mark.parametrize("key, value, match", [
    ("decided_points", 999, "điểm ghi theo quyết định 999 vượt tổng điểm tối đa 100"),
    ("decided_cells", "99/3", "số chi bộ đạt ghi theo quyết định '99/3' không hợp lệ"),
])
def test_absurd_facts_of_a_decision_are_refused(setting, tmp_path, key, value, match):
    def absurd(data):
        award = next(row for row in data["awards"] if row["decided_verdict"] is not None
                     and (row["cell"] is None) == (key == "decided_cells"))
        award[key] = value

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2023, absurd), match)
    finally:
        city.close()


def test_facts_of_a_decision_on_an_award_not_decided_are_refused(setting, tmp_path):
    def undecided(data):
        award = next(row for row in data["awards"] if row["decided_verdict"] is not None)
        award.update(decision_number="", decision_date=None, register_number="", issuer="")

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2023, undecided),
                 "có kết quả ghi theo quyết định nhưng chưa có quyết định")
    finally:
        city.close()


@pytest.mark.parametrize("item", [[{"scope": "cell"}, 1, 1], [["cell"], 1, 1]])
def test_a_score_naming_an_item_by_an_object_is_refused(setting, tmp_path, item):
    def odd(data):
        next(row for row in data["evaluations"] if row["scores"])["scores"][0]["item"] = item

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2025, odd),
                 r"dữ liệu không hợp lệ \(điểm: mục tiêu chí\)")
    finally:
        city.close()


def test_a_packet_of_a_new_phase_cannot_move_a_cells_life_off_received_years(setting,
                                                                              tmp_path):
    """The 2026 packet (a phase the city did not have) said a cell was founded in 2025: its
    2023 and 2024 records fell outside its life (it was taken, the old check looked only at
    the packet's own phase and at dissolutions). A 2024 packet without the founding of a cell
    of 2025 put it into 2023 (taken: 2023's figures changed)."""
    def founded_late(data):
        cell = next(row for row in data["cells"] if row["code"] == "TDP01")
        cell["started_on"] = "2025-01-01"

    def founded_ever(data):
        cell = next(row for row in data["cells"] if row["started_on"] == "2025-07-01")
        cell["started_on"] = None

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2024, founded_ever),
                 r"không có ngày thành lập, giải thể, làm đổi các chi bộ của năm 2023 đã nhận")
        _refused(city, _remade(setting, tmp_path, 2026, founded_late),
                 "chi bộ TDP01 thành lập ngày 01/01/2025, làm đổi các chi bộ của năm 2023, "
                 "2024 đã nhận")
    finally:
        city.close()


def test_a_merge_listed_twice_is_refused_in_words(setting, tmp_path):
    """It reached the database's unique key and was called an import by someone else."""
    def twice(data):
        codes = [row["code"] for row in data["cells"]]
        data["links"] = [[codes[0], codes[1]], [codes[0], codes[1]]]

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2023, twice),
                 r"dữ liệu không hợp lệ \(sáp nhập trùng\)")
    finally:
        city.close()


def test_a_catalogue_older_than_received_years_is_refused_in_one_sentence(setting, tmp_path):
    def rescored(data):
        group = next(row for row in data["phase"]["groups"] if row["scope"] == "cell")
        group["title"] += " (sửa)"

    city = _City(setting, tmp_path / "city.sqlite3")
    try:
        _refused(city, _remade(setting, tmp_path, 2023, rescored), "theo thứ tự năm")
    finally:
        city.close()
