"""The demo ward: Đảng bộ phường Tân Giang from the seed document, and what happened to it.

- Phase 2023 - 2025 (Kế hoạch số 98-KH/Th.U of the city): 16 cells; 2023 and 2024 reviewed
  and decided by the city Standing Committee (Ban Thường vụ Thành ủy Hà Tĩnh).
- On 15/12/2024, after the 2024 review, residential groups 3 and 4 merged into the new group
  Tân Tiến (the ward went from 12 to 11 groups); its consecutive years run through the merge.
- On 01/07/2025 the wards were merged: the office's file goes on as Đảng bộ phường Thành Sen,
  answering to the province (Tỉnh ủy Hà Tĩnh): a new identity version from that day. The file
  of the neighbouring Đảng bộ phường Bắc Hà is taken in as a predecessor, its groups continue
  as new cells of Thành Sen. 2025 is reviewed and decided by the provincial Standing
  Committee; 2023 and 2024 still print with Tân Giang's name and the city's authority.
- Phase 2026 - 2030 started under the new name: the cells' 2026 registrations are in.

Names of people, decision numbers and every figure are invented for the demo (the seed names
only the ward, the plan, the launch day and the pilot cells 6 and 12); the new ward's name and
authority are data here, as an office would type them. It is built through the operations,
so it goes through the same validation and audit log as anything a user types.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from chibo4tot_desktop.db.engine import open_database
from chibo4tot_desktop.db.models import AwardKind, CellKind, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import propose_many, record_decision
from chibo4tot_desktop.ops.cells import add_cell, merge_cells
from chibo4tot_desktop.ops.organisations import take_in_file
from chibo4tot_desktop.ops.registrations import import_registrations, save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import (
    create_organisation,
    create_phase,
    update_organisation,
    update_phase_year,
)
from chibo4tot_desktop.ops.verdicts import ScoreInput

ORGANISATION = {
    "code": "TANGIANG",
    "name": "Đảng bộ phường Tân Giang",
    "upper_body": "Thành ủy Hà Tĩnh",
    "place_name": "Tân Giang",
}
CITY_SIGNERS = {"issuer": "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH",
                "certificate_signer_title": "PHÓ BÍ THƯ THƯỜNG TRỰC",
                "certificate_signer_name": "Nguyễn Văn Thành"}
# The ward after the merger of 1 July 2025: its name, the province it answers to, its signers.
WARD_MERGER = dt.date(2025, 7, 1)
NEW_WARD = {
    "name": "Đảng bộ phường Thành Sen",
    "upper_body": "Tỉnh ủy Hà Tĩnh",
    "place_name": "Thành Sen",
    "upper_party_body": "Đảng bộ tỉnh Hà Tĩnh",
    "issuer": "BAN THƯỜNG VỤ TỈNH ỦY HÀ TĨNH",
    "decision_issuer": "Ban Thường vụ Tỉnh ủy Hà Tĩnh",
    "certificate_place": "Hà Tĩnh",
    "certificate_signer_title": "PHÓ BÍ THƯ TỈNH ỦY",
    "certificate_signer_name": "Trần Thế Dũng",
    "proposal_signer_title": "Bí thư",
    "proposal_signer_name": "Lê Thị Thanh Hà",
}
PHASE_TITLE = "Xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai đoạn 2023 - 2025"
PLAN_REFERENCE = "Kế hoạch số 98-KH/Th.U"
NEXT_PHASE_TITLE = "Xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai đoạn 2026 - 2030"
NEXT_PLAN_REFERENCE = "Kế hoạch số 15-KH/ĐU"

SECRETARIES = [
    "Nguyễn Văn Hùng", "Trần Thị Lan", "Lê Văn Minh", "Phạm Thị Hoa", "Hoàng Văn Nam",
    "Võ Thị Thu", "Đặng Văn Bình", "Bùi Thị Hằng", "Đỗ Văn Đức", "Hồ Thị Ánh",
    "Ngô Văn Sơn", "Dương Thị Yến", "Phan Văn Long", "Trương Thị Mai", "Lý Văn Tâm",
    "Nguyễn Thị Ân",
]

OTHER_CELLS = [
    ("CQ", "Chi bộ Cơ quan phường", CellKind.AGENCY, 18),
    ("THTG", "Chi bộ Trường Tiểu học Tân Giang", CellKind.SCHOOL, 14),
    ("MNTG", "Chi bộ Trường Mầm non Tân Giang", CellKind.SCHOOL, 11),
    ("CA", "Chi bộ Công an phường", CellKind.POLICE, 15),
]
# Residential groups 3 and 4 merged after the 2024 review into a new group.
GROUP_MERGER = dt.date(2024, 12, 15)
MERGED_GROUPS = ("TDP03", "TDP04")
MERGED_INTO = {"code": "TDPTT", "name": "Chi bộ Tổ dân phố Tân Tiến",
               "secretary": "Lê Văn Minh", "members_count": 61}
# The neighbouring ward taken in on 1 July 2025, and its groups' cells in the new ward.
OLD_WARD = {"code": "BACHA", "name": "Đảng bộ phường Bắc Hà", "upper_body": "Thành ủy Hà Tĩnh",
            "place_name": "Bắc Hà"}
OLD_WARD_CELLS = [("BH01", "Chi bộ Tổ dân phố 1", "Nguyễn Hữu Phước", 31),
                  ("BH02", "Chi bộ Tổ dân phố 2", "Phạm Thị Xuân", 27),
                  ("BH03", "Chi bộ Tổ dân phố 3", "Trần Đình Khoa", 35)]
JOINED_CELLS = [("TDP13", "Chi bộ Tổ dân phố 13", "Nguyễn Hữu Phước", 31),
                ("TDP14", "Chi bộ Tổ dân phố 14", "Phạm Thị Xuân", 27),
                ("TDP15", "Chi bộ Tổ dân phố 15", "Trần Đình Khoa", 35)]

# Registrations: (year) -> {code: received date}; absent codes are missing that year.
MISSING = {2023: {"TDP09"}, 2024: {"TDP11"}, 2025: set(), 2026: {"TDP10", "TDP14"}}
LATE = {
    2023: {"TDP04": dt.date(2023, 3, 13), "THTG": dt.date(2023, 3, 16)},
    2024: {"TDP03": dt.date(2024, 3, 12), "CA": dt.date(2024, 3, 20)},
    2025: {"TDP08": dt.date(2025, 3, 14),
           # the groups that joined on 1 July register with the new ward
           "TDP13": dt.date(2025, 7, 10), "TDP14": dt.date(2025, 7, 10),
           "TDP15": dt.date(2025, 7, 11)},
    2026: {"TDP05": dt.date(2026, 3, 12)},
}
# Profiles that make the demo show every kind of verdict.
WEAK_GROUP = {2023: {"TDP05": 2}, 2024: {"TDP07": 3}, 2025: {"TDP09": 4}}
DISCIPLINED = {2023: {"TDP08": 1}, 2024: {"MNTG": 1}, 2025: {"TDP15": 1}}
LOW = {2023: {"TDP10"}, 2024: {"TDP10"}, 2025: {"TDP10"}}   # classified HTNV
UNSCORED = {2024: {"TDP02"}}                                 # registered, never scored
EXCELLENT = {"TDP06", "TDP12"}                               # the pilot cells
# Decisions: year -> (proposed on, decided on, issuer, numbers of cells / merit / organisation)
DECISIONS = {
    2023: (dt.date(2023, 12, 15), dt.date(2024, 1, 12), "Ban Thường vụ Thành ủy Hà Tĩnh",
           ("1250-QĐ/Th.U", "1251-QĐ/Th.U", "1252-QĐ/Th.U")),
    2024: (dt.date(2024, 12, 16), dt.date(2025, 1, 15), "Ban Thường vụ Thành ủy Hà Tĩnh",
           ("1318-QĐ/Th.U", "1319-QĐ/Th.U", "1320-QĐ/Th.U")),
    2025: (dt.date(2025, 12, 15), dt.date(2026, 1, 20), "Ban Thường vụ Tỉnh ủy Hà Tĩnh",
           ("2105-QĐ/TU", "2106-QĐ/TU", "2107-QĐ/TU")),
}
COMMITMENTS = {
    "commitment_1": "Lãnh đạo hoàn thành 100% chỉ tiêu kinh tế - xã hội, quốc phòng - an "
                    "ninh được giao; kết nạp ít nhất 01 đảng viên mới.",
    "commitment_2": "Sinh hoạt chi bộ định kỳ đủ 12 kỳ/năm, ít nhất 04 kỳ sinh hoạt "
                    "chuyên đề; xếp loại sinh hoạt tốt.",
    "commitment_3": "Chi bộ đoàn kết, thực hiện đúng quy chế làm việc; không có đảng viên "
                    "vi phạm kỷ luật.",
    "commitment_4": "100% đảng viên hoàn thành nhiệm vụ, trong đó ít nhất 20% hoàn thành "
                    "xuất sắc nhiệm vụ.",
}


def build_demo(office: Office) -> None:
    """Create the demo ward in an empty database (refuses a database that has data)."""
    if not queries.is_empty(office):
        raise UserError("Tệp dữ liệu đã có dữ liệu; lệnh demo chỉ tạo dữ liệu mẫu trong tệp "
                        "mới hoặc trống.")
    create_organisation(office, **ORGANISATION)
    phase = _phase(office)
    cells = {}
    rng = random.Random(98)
    for number in range(1, 13):
        code = f"TDP{number:02d}"
        cells[code] = add_cell(office,
            code, f"Chi bộ Tổ dân phố {number}", CellKind.RESIDENTIAL.value,
            SECRETARIES[number - 1], rng.randint(22, 48), is_pilot=number in (6, 12))
    for index, (code, name, kind, members) in enumerate(OTHER_CELLS):
        cells[code] = add_cell(office, code, name, kind.value, SECRETARIES[12 + index], members)

    for year in (2023, 2024):
        _registrations(office, cells, year)
        _scores(office, phase.id, cells, year, random.Random(year))
    update_organisation(office, **CITY_SIGNERS)
    _decisions(office, cells, 2023)
    _decisions(office, cells, 2024)

    # The residential-group merger, after the 2024 review.
    successor, = merge_cells(office, [cells[code].id for code in MERGED_GROUPS], GROUP_MERGER,
                             new_cell=MERGED_INTO)
    for code in MERGED_GROUPS:
        del cells[code]
    cells[successor.code] = successor

    # The ward merger of 1 July 2025: the new name and authority, the old ward taken in.
    update_organisation(office, valid_from=WARD_MERGER, **NEW_WARD)
    _take_in_old_ward(office)
    for code, name, secretary, members in JOINED_CELLS:
        cells[code] = add_cell(office, code, name, CellKind.RESIDENTIAL.value, secretary,
                               members, started_on=WARD_MERGER)
    _registrations(office, cells, 2025)
    _scores(office, phase.id, cells, 2025, random.Random(2025))
    _decisions(office, cells, 2025)

    # The next phase, under the new ward.
    next_phase = create_phase(office, NEXT_PHASE_TITLE, 2026, 2030, NEXT_PLAN_REFERENCE,
                              launch_date=dt.date(2026, 3, 2))
    del next_phase
    _registrations(office, cells, 2026)


def _phase(office: Office):
    phase = create_phase(office, PHASE_TITLE, 2023, 2025, PLAN_REFERENCE,
                         launch_date=dt.date(2023, 3, 6))
    for year, launch in ((2024, dt.date(2024, 3, 1)), (2025, dt.date(2025, 3, 3))):
        update_phase_year(office, phase.id, year, launch_date=launch,
                          registration_deadline=dt.date(year, 3, 10),
                          review_deadline=dt.date(year, 12, 10))
    return phase


def _registrations(office: Office, cells: dict, year: int) -> None:
    """The year's registrations: typed one by one in 2023 and 2024; from 2025 on read from
    the cells' filled templates (one import)."""
    entries = []
    for code, cell in cells.items():
        if code in MISSING.get(year, ()):
            continue
        received = LATE.get(year, {}).get(code) or dt.date(year, 3, 6 + (cell.id % 4))
        values = {"received_on": received, "members_count": cell.members_count,
                  "signer": cell.secretary, "title": "Chi bộ 4 tốt", **COMMITMENTS}
        if year < 2025:
            save_registration(office, cell.id, year, **values)
        else:
            entries.append({"cell_id": cell.id, "values": values, "expected_version": None,
                            "source_file": f"dang-ky-thi-dua-{year}.xlsx",
                            "source_row": len(entries) + 1})
    if entries:
        import_registrations(office, year, entries)


def _scores(office: Office, phase_id: int, cells: dict, year: int, rng: random.Random) -> None:
    phase = queries.phase(office, phase_id)
    cell_groups = phase.catalogue(year, Scope.CELL)
    for code, cell in cells.items():
        if code in MISSING[year] or code in UNSCORED.get(year, ()):
            continue
        if code in EXCELLENT:
            share = 0.95
        elif code in LOW[year]:
            share = 0.62
        else:
            share = rng.uniform(0.82, 0.88)
        scores = {}
        for group in cell_groups:
            group_share = 0.6 if WEAK_GROUP[year].get(code) == group.position else share
            for item in group.items:
                committee = _round_half(item.max_points * group_share + rng.uniform(-0.4, 0.4),
                                        item.max_points)
                own = _round_half(committee + rng.choice((0, 0.5, 0.5, 1)), item.max_points)
                scores[item.id] = ScoreInput(own, committee)
        save_evaluation(office, cell.id, year, scores=scores,
                        disciplined_members=DISCIPLINED[year].get(code, 0),
                        notes="" if code not in LOW[year] else
                        "Chưa hoàn thành chỉ tiêu kết nạp đảng viên.")
    org_groups = phase.catalogue(year, Scope.ORGANISATION)
    scores = {item.id: ScoreInput(_round_half(item.max_points * 0.9, item.max_points),
                                  _round_half(item.max_points * 0.88, item.max_points))
              for group in org_groups for item in group.items}
    save_evaluation(office, None, year, scores=scores,
                    notes="Đảng bộ tự chấm theo tiêu chí “Đảng bộ cơ sở 4 tốt”.")


def _round_half(value: float, maximum: float) -> float:
    return min(maximum, max(0.0, round(value * 2) / 2))


def _decisions(office: Office, cells: dict, year: int) -> None:
    """The year's proposals (every qualifying cell, a Giấy khen for the pilot cells, the
    ward if it qualifies) and the upper body's decisions, register numbers in order."""
    from chibo4tot_desktop.reports import year_overview

    proposed_on, decided_on, issuer, numbers = DECISIONS[year]
    overview = year_overview(office, year, today=decided_on)
    register = 1
    batches = [(AwardKind.CELL_RECOGNITION, [state.cell.id for state in overview.cells
                                             if state.qualifies], "", numbers[0]),
               (AwardKind.MERIT, [cells[code].id for code in sorted(EXCELLENT)
                                  if code in cells],
                f"Chi bộ điểm, dẫn đầu phong trào năm {year}", numbers[1])]
    if overview.organisation_result.verdict.passed:
        batches.append((AwardKind.ORG_RECOGNITION, [None], "", numbers[2]))
    for kind, ids, notes, number in batches:
        if not ids:
            continue
        awards = propose_many(office, year, kind.value, ids, proposed_on, notes)
        record_decision(office, [award.id for award in awards], decision_number=number,
                        decision_date=decided_on, issuer=issuer,
                        first_register_number=f"{register:02d}/{year}")
        register += len(awards)


def _take_in_old_ward(office: Office) -> None:
    """Bắc Hà's own file (built here as its office kept it), taken in by the new ward."""
    with tempfile.TemporaryDirectory(prefix="demo-bac-ha-") as folder:
        path = Path(folder) / "bac-ha.sqlite3"
        db = open_database(path)
        try:
            ward = Office(db)
            create_organisation(ward, **OLD_WARD)
            phase = _phase(ward)
            update_organisation(ward, **CITY_SIGNERS)
            cells = {code: add_cell(ward, code, name, CellKind.RESIDENTIAL.value, secretary,
                                    members)
                     for code, name, secretary, members in OLD_WARD_CELLS}
            for year in (2023, 2024):
                _registrations(ward, cells, year)
                _scores(ward, phase.id, cells, year, random.Random(year + 7))
                _decisions(ward, {}, year)
        finally:
            db.close()
        take_in_file(office, path, WARD_MERGER)
