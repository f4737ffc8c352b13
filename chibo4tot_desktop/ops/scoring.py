"""The scoring sheet (phiếu chấm điểm) of a cell, or of the organisation itself: the cell's
own score and the committee's per criteria item, the disciplined members, notes and the
committee's decided classification."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.changes import EVALUATIONS
from chibo4tot_desktop.db.models import Cell, Evaluation, Registration, Scope, Score
from chibo4tot_desktop.errors import ConflictError, ValidationError
from chibo4tot_desktop.ops import checks, queries
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.history import keeping_decided_years
from chibo4tot_desktop.ops.registrations import cell_of_year, year_rule_of
from chibo4tot_desktop.ops.verdicts import EvaluationResult, ScoreInput, evaluate

CONFLICT = ("Phiếu chấm điểm vừa được người khác sửa; hãy mở lại để xem điểm mới nhất rồi "
            "nhập lại.")


def classification_value(value) -> str | None:
    if not value:
        return None
    try:
        return rules.Classification(value).value
    except ValueError:
        raise ValidationError(f"Xếp loại '{value}' không hợp lệ.", "classification") from None


def save_evaluation(office: Office, cell_id: int | None, year: int, *,
                    scores: Mapping[int, ScoreInput], notes: str = "",
                    disciplined_members: int = 0, classification: str | None = None,
                    expected_version: int | None = None,
                    confirm: str | None = None) -> EvaluationResult:
    """Store the scores (item id -> ScoreInput) and the rest of a cell's evaluation.

    ``expected_version`` is the version the caller read (0 when there was no evaluation
    yet): if someone else saved in between, ConflictError and nothing is written."""
    disciplined = checks.count(disciplined_members, "Số đảng viên bị kỷ luật",
                               "disciplined_members")
    classification = classification_value(classification)
    notes = checks.multiline(notes)
    with office.write(EVALUATIONS) as session:
        phase = queries.phase_in(session, year)
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
        with keeping_decided_years(office, session, confirm, [year]):
            evaluation = queries.evaluation_in(session, cell_id, year)
            if evaluation is None:
                evaluation = Evaluation(organisation_id=office.require_org(), cell_id=cell_id,
                                        year=year)
                session.add(evaluation)
            elif expected_version is not None and evaluation.version != expected_version:
                raise ConflictError(CONFLICT)
            evaluation.notes = notes
            evaluation.disciplined_members = disciplined
            evaluation.classification = classification
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
            existed = inspect(evaluation).persistent
            try:
                session.flush()
                if existed:
                    # Scores are child rows: bump the evaluation's version even when only
                    # scores moved, so another person's stale copy is refused.
                    bumped = session.execute(
                        update(Evaluation)
                        .where(Evaluation.id == evaluation.id,
                               Evaluation.version == evaluation.version)
                        .values(version=Evaluation.version + 1)).rowcount
                    if bumped != 1:
                        raise StaleDataError()
                    session.refresh(evaluation, ["version"])
            except (StaleDataError, IntegrityError):
                # IntegrityError: someone else created this evaluation at the same moment.
                raise ConflictError(CONFLICT) from None
        result = evaluate(phase, evaluation, scope)
    return result


def evaluation_result(office: Office, cell_id: int | None, year: int) -> EvaluationResult:
    """The sheet's totals and verdict; the organisation's needs the whole year (its cells)."""
    if cell_id is None:
        from chibo4tot_desktop.reports import year_overview

        return year_overview(office, year).organisation_result
    return evaluate(queries.phase_for_year(office, year),
                    queries.evaluation(office, cell_id, year), Scope.CELL, year=year)


def import_self_scores(office: Office, year: int, entries,
                       confirm: str | None = None) -> tuple[int, int]:
    """The cells' own scores (“Chi bộ tự chấm”) from their filled self-assessment sheets, in
    ONE transaction (all or nothing). Each entry: {"cell_id", "scores" (item id -> the value
    as read; None leaves the stored score), "expected_version" (the evaluation's version the
    plan read, None when it saw none)}. Values meet the rule of the scoring sheet
    (``checks.points``); the committee's scores are not touched. A sheet changed by someone
    since the plan was read raises ConflictError and nothing is written; so does a change to a
    decided year without ``confirm`` (DecidedYearError). Returns (new sheets, updated
    sheets)."""
    if len({entry["cell_id"] for entry in entries}) != len(entries):
        raise ValidationError("Một chi bộ có hai phiếu tự chấm trong cùng lần nhập.", "cell")
    added = updated = 0
    with office.write(EVALUATIONS) as session:
        phase = queries.phase_in(session, year)
        items = {item.id: item for group in phase.catalogue(year, Scope.CELL)
                 for item in group.items}
        rule = year_rule_of(session, year)
        with keeping_decided_years(office, session, confirm, [year]):
            for entry in entries:
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
                except (StaleDataError, IntegrityError):
                    raise ConflictError(CONFLICT) from None
    return added, updated
