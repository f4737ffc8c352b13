"""The demo ward: Đảng bộ phường Tân Giang, phase 2023-2025, as the seed document describes it.

Names of people and every number below are invented for the demo (the seed names only the
ward, the plan, the launch day and the pilot cells 6 and 12). It is built through the
operations, so it goes through the same validation and audit log as anything a user types.

What it shows of the rules: 2023 and 2024 are classified under Quy định 124-QĐ/TW, 2025 under
Quy định 366-QĐ/TW (with its HTXSNV conditions to confirm). 2023 reads its deadline "on 10/3
is on time" (the office's choice; TDP 7 handed in on 10/3), 2024 reads the plan's "trước ngày
10/3" (TDP 9 handed in on 10/3: one day late). In 2023 three cells reach HTXSNV against two
allowed: the committee classifies the third HTTNV with its written reason, and the Giấy khen go
to the two leading the ranking; TDP 8's disciplined member makes the ward's own figure 1 (the
office allowed one that year, so the ward stays "Đảng bộ cơ sở 4 tốt", but not HTXSNV). In 2024
TDP 2 is not scored yet, so the ward's result reads "Chưa chấm đủ" (and the kindergarten's
disciplined member counts against it) and the ranking is provisional: three at HTXSNV
against two allowed today, three allowed once TDP 2 is scored HTTNV; TDP 11 never registered
nor assessed itself, yet the committee scored it: not recognised, with both reasons.
"""

from __future__ import annotations

import datetime as dt
import random

from chibo4tot_desktop.db.models import AwardKind, CellKind, Scope
from chibo4tot_desktop.errors import UserError
from chibo4tot_desktop.ops import Office, queries
from chibo4tot_desktop.ops.awards import propose, propose_leading, record_decision
from chibo4tot_desktop.ops.cells import add_cell
from chibo4tot_desktop.ops.registrations import save_registration
from chibo4tot_desktop.ops.scoring import save_evaluation
from chibo4tot_desktop.ops.setup import (
    create_organisation,
    create_phase,
    set_settings,
    update_phase_year,
    update_year_rules,
)
from chibo4tot_desktop.ops.verdicts import ScoreInput

ORGANISATION = {
    "code": "TANGIANG",
    "name": "Đảng bộ phường Tân Giang",
    "upper_body": "Thành ủy Hà Tĩnh",
    "place_name": "Tân Giang",
}
PHASE_TITLE = "Xây dựng “Chi bộ 4 tốt”, “Đảng bộ cơ sở 4 tốt” giai đoạn 2023 - 2025"
PLAN_REFERENCE = "Kế hoạch số 98-KH/Th.U"

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

# Registrations: (year) -> {code: received date}; absent codes are missing that year.
MISSING = {2023: {"TDP09"}, 2024: {"TDP11"}}
LATE = {
    2023: {"TDP04": dt.date(2023, 3, 13), "THTG": dt.date(2023, 3, 16),
           "TDP07": dt.date(2023, 3, 10)},     # on the deadline day: on time in 2023
    2024: {"TDP03": dt.date(2024, 3, 12), "CA": dt.date(2024, 3, 20),
           "TDP09": dt.date(2024, 3, 10)},     # on the deadline day: late under "trước ngày"
}
# Profiles that make the demo show every kind of verdict.
WEAK_GROUP = {2023: {"TDP05": 2}, 2024: {"TDP07": 3}}   # one group scored under its threshold
DISCIPLINED = {2023: {"TDP08": 1}, 2024: {"MNTG": 1}}
LOW = {2023: {"TDP10"}, 2024: {"TDP10"}}                 # classified HTNV
UNSCORED = {2024: {"TDP02"}}                             # registered, not scored yet
EXCELLENT = {"TDP06", "TDP12"}                            # the pilot cells
NEAR_EXCELLENT = {2023: {"TDP01"}, 2024: {"CQ"}}          # HTXSNV too: one more than allowed
SCORED_UNREGISTERED = {2024: {"TDP11"}}                   # committee score only, no own score
CAP_DECISION = ("TDP01", "Ngoài tỷ lệ 20% HTXSNV: xếp thứ 3 trong bảng xếp hạng năm 2023, "
                "Ban Thường vụ Đảng ủy xếp loại Hoàn thành tốt nhiệm vụ.")


def build_demo(office: Office) -> None:
    """Create the demo ward in an empty database (refuses a database that has data)."""
    if not queries.is_empty(office):
        raise UserError("Tệp dữ liệu đã có dữ liệu; lệnh demo chỉ tạo dữ liệu mẫu trong tệp "
                        "mới hoặc trống.")
    create_organisation(office, **ORGANISATION)
    phase = create_phase(office, PHASE_TITLE, 2023, 2025, PLAN_REFERENCE,
                                launch_date=dt.date(2023, 3, 6))
    for year, launch in ((2024, dt.date(2024, 3, 1)), (2025, dt.date(2025, 3, 3))):
        update_phase_year(office, phase.id, year, launch_date=launch,
                                 registration_deadline=dt.date(year, 3, 10),
                                 review_deadline=dt.date(year, 12, 10))
    cells = {}
    rng = random.Random(98)
    for number in range(1, 13):
        code = f"TDP{number:02d}"
        cells[code] = add_cell(office,
            code, f"Chi bộ Tổ dân phố {number}", CellKind.RESIDENTIAL.value,
            SECRETARIES[number - 1], rng.randint(22, 48), is_pilot=number in (6, 12))
    for index, (code, name, kind, members) in enumerate(OTHER_CELLS):
        cells[code] = add_cell(office, code, name, kind.value, SECRETARIES[12 + index], members)

    update_year_rules(office, 2023, deadline_inclusive=True, org_max_disciplined=1, sources={
        "deadline_inclusive": "office:Ban Thường vụ Đảng ủy nhận các bản nộp trong ngày 10/3",
        "org_max_disciplined": "office:Ban Thường vụ Đảng ủy cho phép 1 trường hợp năm 2023"})
    for year in (2023, 2024):
        _registrations(office, cells, year)
        _scores(office, phase.id, cells, year, random.Random(year))
    code, reason = CAP_DECISION
    evaluation = queries.evaluation(office, cells[code].id, 2023)
    save_evaluation(office, cells[code].id, 2023,
                    scores={score.item_id: ScoreInput(score.self_points, score.committee_points)
                            for score in evaluation.scores},
                    disciplined_members=evaluation.disciplined_members, notes=evaluation.notes,
                    classification="HTTNV", classification_reason=reason,
                    expected_version=evaluation.version)
    _awards_2023(office, cells)
    set_settings(office, {
        "certificate.issuer": "BAN THƯỜNG VỤ THÀNH ỦY HÀ TĨNH",
        "certificate.signer_title": "PHÓ BÍ THƯ THƯỜNG TRỰC",
        "certificate.signer_name": "Nguyễn Văn Thành",
    })


def _registrations(office: Office, cells: dict, year: int) -> None:
    for code, cell in cells.items():
        if code in MISSING[year]:
            continue
        received = LATE[year].get(code) or dt.date(year, 3, 6 + (cell.id % 4))
        save_registration(office,
            cell.id, year, received_on=received, members_count=cell.members_count,
            signer=cell.secretary,
            commitment_1="Lãnh đạo hoàn thành 100% chỉ tiêu kinh tế - xã hội, quốc phòng - an "
                         "ninh được giao; kết nạp ít nhất 01 đảng viên mới.",
            commitment_2="Sinh hoạt chi bộ định kỳ đủ 12 kỳ/năm, ít nhất 04 kỳ sinh hoạt "
                         "chuyên đề; xếp loại sinh hoạt tốt.",
            commitment_3="Chi bộ đoàn kết, thực hiện đúng quy chế làm việc; không có đảng viên "
                         "vi phạm kỷ luật.",
            commitment_4="100% đảng viên hoàn thành nhiệm vụ, trong đó ít nhất 20% hoàn thành "
                         "xuất sắc nhiệm vụ.")


def _scores(office: Office, phase_id: int, cells: dict, year: int, rng: random.Random) -> None:
    phase = queries.phase(office, phase_id)
    cell_groups = [g for g in phase.groups if g.scope == Scope.CELL.value]
    for code, cell in cells.items():
        unregistered = code in SCORED_UNREGISTERED.get(year, ())
        if (code in MISSING[year] and not unregistered) or code in UNSCORED.get(year, ()):
            continue
        if code in EXCELLENT:
            share = 0.95
        elif code in NEAR_EXCELLENT.get(year, ()):
            share = 0.925
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
                scores[item.id] = ScoreInput(None if unregistered else own, committee)
        save_evaluation(office, cell.id, year, scores=scores,
                               disciplined_members=DISCIPLINED[year].get(code, 0),
                               notes="" if code not in LOW[year] else
                               "Chưa hoàn thành chỉ tiêu kết nạp đảng viên.")
    org_groups = [g for g in phase.groups if g.scope == Scope.ORGANISATION.value]
    scores = {item.id: ScoreInput(_round_half(item.max_points * 0.9, item.max_points),
                                  _round_half(item.max_points * 0.88, item.max_points))
              for group in org_groups for item in group.items}
    save_evaluation(office, None, year, scores=scores,
                           notes="Đảng bộ tự chấm theo tiêu chí “Đảng bộ cơ sở 4 tốt”.")


def _round_half(value: float, maximum: float) -> float:
    return min(maximum, max(0.0, round(value * 2) / 2))


def _awards_2023(office: Office, cells: dict) -> None:
    from chibo4tot_desktop.reports import year_overview

    overview = year_overview(office, 2023, today=dt.date(2024, 1, 20))
    proposed_on = dt.date(2023, 12, 15)
    decided_on = dt.date(2024, 1, 12)
    issuer = "Ban Thường vụ Thành ủy Hà Tĩnh"
    register = 1
    for state in overview.cells:
        if not state.qualifies:
            continue
        award = propose(office, state.cell.id, 2023, AwardKind.CELL_RECOGNITION.value,
                               proposed_on)
        record_decision(office, [award.id], decision_number="1250-QĐ/Th.U",
                               decision_date=decided_on, issuer=issuer,
                               first_register_number=f"{register:02d}/2023")
        register += 1
    # Giấy khen for the cells leading the HTXSNV ranking, within the cap.
    merits = propose_leading(office, 2023, proposed_on,
                             notes="Dẫn đầu phong trào năm 2023, xếp loại HTXSNV")
    record_decision(office, [award.id for award in merits], decision_number="1251-QĐ/Th.U",
                    decision_date=decided_on, issuer=issuer,
                    first_register_number=f"{register:02d}/2023")
    register += len(merits)
    if overview.organisation_result.verdict.passed:
        award = propose(office, None, 2023, AwardKind.ORG_RECOGNITION.value, proposed_on)
        record_decision(office, [award.id], decision_number="1252-QĐ/Th.U",
                               decision_date=decided_on, issuer=issuer,
                               first_register_number=f"{register:02d}/2023")
