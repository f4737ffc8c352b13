"""The scoring sheet (phiếu chấm điểm) of a cell, or of the organisation itself: the cell's
own score and the committee's per criteria item, the disciplined members, notes, the HTXSNV
conditions the committee confirms, and the committee's decided classification.

A decision that differs from what the year's rules give is taken only with its written
reason (kept on the sheet, shown beside the computed result, and in the audit log). The
organisation's disciplined members are not typed: they are counted from its cells' sheets.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.changes import EVALUATIONS
from chibo4tot_desktop.db.models import Cell, Evaluation, Registration, Scope, Score
from chibo4tot_desktop.errors import ConflictError, ValidationError
from chibo4tot_desktop.ops import checks, queries, rulebook
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.history import keeping_decided_years
from chibo4tot_desktop.ops.registrations import cell_of_year, year_rule_of
from chibo4tot_desktop.ops.verdicts import (
    EvaluationResult,
    ScoreInput,
    UnitContext,
    confirmed_conditions,
    evaluate,
)
from chibo4tot_desktop.progress import Progress, null_progress

REASON_LENGTH = 2000
ORGANISATION_DISCIPLINED = ("Số đảng viên bị kỷ luật của đảng bộ được cộng từ phiếu chấm các "
                            "chi bộ; hãy nhập ở phiếu chấm của từng chi bộ.")

CONFLICT = ("Phiếu chấm điểm vừa được người khác sửa; hãy mở lại để xem điểm mới nhất rồi "
            "nhập lại.")


def classification_value(value) -> str | None:
    if not value:
        return None
    try:
        return rules.Classification(value).value
    except ValueError:
        raise ValidationError(f"Xếp loại '{value}' không hợp lệ.", "classification") from None


def _conditions(keys: Iterable[str], year_rules: rules.YearRules, year: int) -> list[str]:
    """The confirmed HTXSNV conditions, checked against the year's conditions."""
    allowed = {c.key for c in year_rules.excellent_conditions
               if c.check is rules.ConditionCheck.CONFIRMED}
    result = []
    for key in keys:
        key = str(key).strip()
        if key not in allowed:
            raise ValidationError(f"Năm {year} không có điều kiện HTXSNV '{key}' cần Đảng ủy xác "
                                  "nhận.", "conditions_met")
        if key not in result:
            result.append(key)
    return result


def _context(session, cell_id: int | None, year: int, phase, year_rules) -> UnitContext:
    """What the sheet's verdict reads besides the sheet (see ``reports.year_overview``)."""
    if cell_id is not None:
        registration = session.scalar(select(Registration).where(
            Registration.cell_id == cell_id, Registration.year == year))
        deadline = next((item.registration_deadline for item in phase.years
                         if item.year == year), None)
        return UnitContext(
            registered=registration is not None,
            days_late=rules.days_late(registration.received_on if registration else None,
                                      deadline, year_rules.deadline_inclusive))
    detail = []
    lives = queries.cell_timeline_in(session)
    for evaluation, cell in session.execute(
            select(Evaluation, Cell).join(Cell, Evaluation.cell_id == Cell.id)
            .where(Evaluation.year == year, Evaluation.disciplined_members > 0)):
        if lives.in_year(cell.id, year):
            detail.append((cell.name, evaluation.disciplined_members))
    return UnitContext(disciplined_detail=tuple(sorted(detail)))


def _check_decision(result: EvaluationResult, decided: str | None, reason: str) -> None:
    """A decision other than what the rules give needs its written reason."""
    if not decided:
        if reason:
            raise ValidationError("Chỉ ghi lý do khi Đảng ủy quyết định xếp loại (không theo "
                                  "kết quả tính theo quy định).", "classification_reason")
        return
    computed = result.computed_classification
    if computed is None or computed.value == decided or reason:
        return
    year_rules = result.rules
    why = [f"tổng điểm {rules.fmt_points(result.committee_totals.total)}"]
    if rules.band_of(result.committee_totals.total, year_rules) is rules.Classification.HTXSNV:
        for condition in rules.unmet_conditions(year_rules, result.disciplined,
                                                confirmed_conditions(result.evaluation)):
            why.append(f"có {result.disciplined} đảng viên bị kỷ luật"
                       if condition.check is rules.ConditionCheck.NO_DISCIPLINED
                       else f"chưa xác nhận: {condition.text}")
    raise ValidationError(
        f"Đảng ủy quyết định xếp loại {decided}, khác kết quả theo {year_rules.regulation_name}"
        f" ({computed.value}: {'; '.join(why)}); hãy ghi lý do của quyết định.",
        "classification_reason")


def save_evaluation(office: Office, cell_id: int | None, year: int, *,
                    scores: Mapping[int, ScoreInput], notes: str = "",
                    disciplined_members: int | None = 0, classification: str | None = None,
                    classification_reason: str = "",
                    conditions_met: Iterable[str] | None = None,
                    expected_version: int | None = None,
                    confirm: str | None = None) -> EvaluationResult:
    """Store the scores (item id -> ScoreInput) and the rest of a cell's evaluation.

    ``classification``: the committee's decision (None: the rules decide); when it differs
    from what the rules give, ``classification_reason`` must say why, else ValidationError.
    ``conditions_met``: keys of the year's HTXSNV conditions the committee confirms (None:
    keep those stored). The organisation's sheet takes no disciplined members (they are
    counted from the cells) unless the year's rules read its own figure. ``expected_version`` is the version the caller read (0 when
    there was no evaluation yet): if someone else saved in between, ConflictError and nothing
    is written; so does a change to a decided year without ``confirm`` (DecidedYearError)."""
    disciplined = checks.count(disciplined_members, "Số đảng viên bị kỷ luật",
                               "disciplined_members")
    classification = classification_value(classification)
    reason = checks.multiline(classification_reason, REASON_LENGTH, label="lý do xếp loại",
                              field="classification_reason")
    notes = checks.multiline(notes, label="ghi chú phiếu chấm", field="notes")
    with office.write(EVALUATIONS) as session:
        phase = queries.phase_in(session, year)
        year_rules = rulebook.rules_in(session, year, phase)
        own_figure = cell_id is not None or not year_rules.org_disciplined_from_cells
        if not own_figure and disciplined:
            raise ValidationError(ORGANISATION_DISCIPLINED, "disciplined_members")
        confirmed = (None if conditions_met is None
                     else _conditions(conditions_met, year_rules, year))
        scope = Scope.CELL if cell_id is not None else Scope.ORGANISATION
        items = {item.id: item for group in phase.catalogue(year, scope)
                 for item in group.items}
        checked = {}
        for item_id, value in scores.items():
            item = items.get(item_id)
            if item is None:
                raise ValidationError("Mục tiêu chí không thuộc bộ tiêu chí của năm này.", "item")
            checked[item_id] = (checks.points(value.self_points, item, "chi bộ tự chấm"),
                                checks.points(value.committee_points, item, "Đảng ủy chấm"))
        if cell_id is not None:
            cell = cell_of_year(session, session.get(Cell, cell_id), year)
            # The year's figure (its registration's); without one, today's number.
            members = session.scalar(select(Registration.members_count).where(
                Registration.cell_id == cell.id, Registration.year == year)) \
                or cell.members_count
            if members and disciplined > members:
                raise ValidationError(
                    f"Số đảng viên bị kỷ luật ({disciplined}) lớn hơn số đảng viên của chi "
                    f"bộ năm {year} ({members}).", "disciplined_members")
        context = _context(session, cell_id, year, phase, year_rules)
        with keeping_decided_years(office, session, confirm, [year]):
            evaluation = queries.evaluation_in(session, cell_id, year)
            if evaluation is None:
                evaluation = Evaluation(organisation_id=office.require_org(), cell_id=cell_id,
                                        year=year)
                session.add(evaluation)
            elif expected_version is not None and evaluation.version != expected_version:
                raise ConflictError(CONFLICT)
            evaluation.notes = notes
            if own_figure:
                evaluation.disciplined_members = disciplined
            evaluation.classification = classification
            evaluation.classification_reason = reason
            if confirmed is not None:
                evaluation.conditions_met = json.dumps(confirmed, ensure_ascii=False)
            by_item = {score.item_id: score for score in evaluation.scores}
            for item_id, (self_points, committee_points) in checked.items():
                score = by_item.get(item_id)
                if score is None:
                    if self_points is None and committee_points is None:
                        continue
                    score = Score(item_id=item_id)
                    evaluation.scores.append(score)
                score.self_points = self_points
                score.committee_points = committee_points
            result = evaluate(phase, year_rules, evaluation, scope, context, year=year)
            _check_decision(result, classification, reason)
            _flush_and_bump(session, evaluation)
    if cell_id is None:
        return evaluation_result(office, None, year)
    return result


def _flush_and_bump(session, evaluation: Evaluation) -> None:
    """Write the sheet; scores are child rows, so bump the evaluation's version even when only
    scores moved, and another person's stale copy is refused (ConflictError). IntegrityError:
    someone else created this evaluation at the same moment."""
    existed = inspect(evaluation).persistent
    try:
        session.flush()
        if existed:
            bumped = session.execute(
                update(Evaluation)
                .where(Evaluation.id == evaluation.id,
                       Evaluation.version == evaluation.version)
                .values(version=Evaluation.version + 1)).rowcount
            if bumped != 1:
                raise StaleDataError()
            session.refresh(evaluation, ["version"])
    except (StaleDataError, IntegrityError):
        raise ConflictError(CONFLICT) from None


def evaluation_result(office: Office, cell_id: int | None, year: int) -> EvaluationResult:
    """The sheet's totals and verdict as the year's overview has them (the organisation's
    needs its cells; a cell's may carry the over-the-cap line)."""
    from chibo4tot_desktop.reports import year_overview

    overview = year_overview(office, year)
    if cell_id is None:
        return overview.organisation_result
    for state in overview.cells:
        if state.cell.id == cell_id:
            return state.result
    phase = queries.phase_for_year(office, year)
    return evaluate(phase, queries.year_rules(office, year),
                    queries.evaluation(office, cell_id, year), Scope.CELL, year=year)


def import_self_scores(office: Office, year: int, entries,
                       confirm: str | None = None,
                       progress: Progress = null_progress) -> tuple[int, int]:
    """The cells' own scores (“Chi bộ tự chấm”) from their filled self-assessment sheets, in
    ONE transaction (all or nothing). Each entry: {"cell_id", "scores" (item id -> the value
    as read; None leaves the stored score), "expected_version" (the evaluation's version the
    plan read, None when it saw none)}. Values meet the rule of the scoring sheet
    (``checks.points``); the committee's scores are not touched. A sheet changed by someone
    since the plan was read raises ConflictError and nothing is written; so does a change to a
    decided year without ``confirm`` (DecidedYearError). Returns (new sheets, updated
    sheets). ``progress`` hears of every sheet; on ``Cancelled`` nothing is written."""
    if len({entry["cell_id"] for entry in entries}) != len(entries):
        raise ValidationError("Một chi bộ có hai phiếu tự chấm trong cùng lần nhập.", "cell")
    added = updated = 0
    with office.write(EVALUATIONS) as session:
        phase = queries.phase_in(session, year)
        items = {item.id: item for group in phase.catalogue(year, Scope.CELL)
                 for item in group.items}
        rule = year_rule_of(session, year)
        with keeping_decided_years(office, session, confirm, [year]):
            for number, entry in enumerate(entries):
                progress(number, len(entries), "Đang ghi các phiếu tự chấm…")
                cell = cell_of_year(session, session.get(Cell, entry["cell_id"]), year, rule)
                checked = {}
                for item_id, value in entry["scores"].items():
                    item = items.get(item_id)
                    if item is None:
                        raise ValidationError("Mục tiêu chí không thuộc bộ tiêu chí của năm này.",
                                              "item")
                    if value is not None:
                        checked[item_id] = checks.points(value, item, "chi bộ tự chấm")
                evaluation = queries.evaluation_in(session, cell.id, year)
                expected = entry.get("expected_version")
                if (evaluation is None) != (expected is None) or (
                        evaluation is not None and evaluation.version != expected):
                    raise ConflictError(f"Phiếu chấm điểm của '{cell.name}' vừa được người khác "
                                        "sửa; hãy đọc lại tệp để xem dữ liệu mới nhất.")
                if evaluation is None:
                    evaluation = Evaluation(organisation_id=office.require_org(), cell_id=cell.id,
                                            year=year)
                    session.add(evaluation)
                    added += 1
                else:
                    updated += 1
                by_item = {score.item_id: score for score in evaluation.scores}
                for item_id, points in checked.items():
                    score = by_item.get(item_id)
                    if score is None:
                        score = Score(item_id=item_id)
                        evaluation.scores.append(score)
                    score.self_points = points
                _flush_and_bump(session, evaluation)
        # The last report inside the transaction: a "Hủy" after it comes too late to undo.
        progress(len(entries), len(entries))
    return added, updated
