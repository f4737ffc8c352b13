"""The year at a glance: who registered (late or not), who is missing, scored, qualifying,
proposed and awarded, the ranking of the cells at HTXSNV against the cap, the organisation's
own result, and what needs doing next.

Computed from the stored rows and the year's rules in a handful of queries; the overview
tab, the ``status`` and ``ranking`` commands and the summary exports all read this one
structure.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import (
    Award,
    AwardKind,
    Cell,
    Evaluation,
    Registration,
    Scope,
    Score,
)
from chibo4tot_desktop.db import plain
from chibo4tot_desktop.ops import queries, rulebook
from chibo4tot_desktop.ops.base import Office
from chibo4tot_desktop.ops.verdicts import (
    EvaluationResult,
    UnitContext,
    evaluate,
    group_specs,
)
from chibo4tot_desktop.text import format_date, ranks, sort_key


@dataclass
class CellYearState:
    cell: Cell
    registration: Registration | None
    days_late: int
    result: EvaluationResult
    evaluated: bool
    consecutive_years: int
    awards: list[Award] = field(default_factory=list)
    context: UnitContext = field(default_factory=UnitContext)
    # The result before the year's cap was judged (the ranking adds its reason to ``result``;
    # an update of some cells judges it again over every cell from these).
    ruled: EvaluationResult | None = field(default=None, repr=False, compare=False)

    @property
    def registered(self) -> bool:
        return self.registration is not None

    @property
    def members(self) -> int | None:
        """The year's number of members: the one its registration gives (not today's)."""
        return self.registration.members_count if self.registration is not None else None

    @property
    def late(self) -> bool:
        return self.days_late > 0

    @property
    def scored(self) -> bool:
        return self.evaluated and self.result.committee_totals.complete

    @property
    def pending(self) -> bool:
        """Registered (or scoring begun) but not fully scored yet: its verdict is open."""
        return (self.registered or self.evaluated) and not self.scored

    @property
    def qualifies(self) -> bool:
        return self.result.verdict.passed

    @property
    def proposed(self) -> bool:
        return any(a.kind == AwardKind.CELL_RECOGNITION.value for a in self.awards)

    @property
    def recognised(self) -> bool:
        return any(a.kind == AwardKind.CELL_RECOGNITION.value and a.is_decided
                   for a in self.awards)

    @property
    def awarded(self) -> bool:
        return any(a.is_decided for a in self.awards)


@dataclass(frozen=True)
class DecisionFacts:
    """What a decision rests on: the unit's total, classification, verdict, the year's
    members and consecutive years. Kept on the award when the decision is recorded, and
    computed again from today's data to show when they differ."""

    points: float | None
    classification: str | None
    verdict: str | None
    members: int | None = None
    streak: int | None = None
    cells: str | None = None        # the organisation: "12/16" cells reach “Chi bộ 4 tốt”

    @classmethod
    def of_result(cls, result: EvaluationResult, members: int | None = None,
                  streak: int | None = None, cells: str | None = None) -> DecisionFacts:
        totals = result.committee_totals
        return cls(round(totals.total, 2) if totals.complete else None,
                   result.classification.value if totals.complete and result.classification
                   else None, result.verdict.state.value, members, streak, cells)

    @classmethod
    def kept(cls, award: Award) -> DecisionFacts | None:
        """The facts stored on a decided award (None for decisions recorded before the
        program kept them)."""
        if award.decided_verdict is None:
            return None
        return cls(award.decided_points, award.decided_classification, award.decided_verdict,
                   award.decided_members, award.decided_streak, award.decided_cells)

    def describe(self) -> str:
        parts = [rules.fmt_points(self.points) + " điểm" if self.points is not None
                 else "chưa đủ điểm"]
        if self.classification:
            parts.append(self.classification)
        if self.verdict:
            parts.append(rules.VerdictState(self.verdict).label)
        if self.members is not None:
            parts.append(f"{self.members} đảng viên")
        if self.streak:
            parts.append(f"{self.streak} năm liên tục")
        if self.cells:
            parts.append(f"{self.cells} chi bộ đạt")
        return ", ".join(parts)


@dataclass
class Deadline:
    label: str
    date: dt.date | None
    days_left: int | None
    inclusive: bool | None = None   # the registration deadline: how the year reads it

    def describe(self) -> str:
        if self.date is None:
            return f"{self.label}: chưa đặt"
        if self.inclusive is None:
            text = f"{self.label}: {format_date(self.date)}"
        else:
            text = f"{self.label}: {rules.deadline_phrase(self.date, self.inclusive)}"
        if self.days_left is None:
            return text
        if self.days_left > 0:
            return f"{text} (còn {self.days_left} ngày)"
        if self.days_left == 0:
            return f"{text} (hôm nay)"
        return f"{text} (đã qua {-self.days_left} ngày)"


@dataclass
class YearOverview:
    year: int
    phase_title: str
    plan_reference: str
    is_final: bool
    deadlines: list[Deadline]
    cells: list[CellYearState]
    organisation_result: EvaluationResult
    organisation_awards: list[Award]
    warnings: list[str]
    todo: list[Todo]
    awards: list[Award] = field(default_factory=list)   # every award of the year
    year_rules: rules.YearRules = field(default_factory=rules.YearRules)
    ranking: rules.Ranking | None = None

    @property
    def regulation(self) -> str:
        """The regulation that governs the year's classification, as papers cite it."""
        return self.year_rules.regulation_citation or self.year_rules.regulation_name

    @property
    def pending(self) -> list[CellYearState]:
        return [state for state in self.cells if state.pending]

    @property
    def scoring_complete(self) -> bool:
        """Every cell that registered (or was scored at all) is fully scored."""
        return not self.pending

    def context_of(self, cell_id: int | None) -> UnitContext:
        """What a verdict of the cell (None: the organisation) reads beyond its own sheet."""
        if cell_id is None:
            return self.organisation_context
        for state in self.cells:
            if state.cell.id == cell_id:
                return state.context
        return UnitContext(registered=False)

    @property
    def organisation_context(self) -> UnitContext:
        return organisation_context(self.cells)

    def count(self, attribute: str) -> int:
        return sum(1 for state in self.cells if getattr(state, attribute))

    @property
    def decided(self) -> bool:
        """The year has a decision: it is closed (a change that moves it needs a reason)."""
        return any(award.is_decided for award in self.awards)

    def facts(self, award: Award) -> DecisionFacts | None:
        """Today's facts for ``award``'s recipient (None: no longer part of the year)."""
        if award.cell_id is None:
            passed = sum(1 for state in self.cells if state.qualifies)
            return DecisionFacts.of_result(self.organisation_result,
                                           cells=f"{passed}/{len(self.cells)}")
        for state in self.cells:
            if state.cell.id == award.cell_id:
                return DecisionFacts.of_result(state.result, state.members,
                                               state.consecutive_years)
        return None

    def decided_facts(self) -> dict[tuple[str, int | None], DecisionFacts | None]:
        """(kind, cell id) -> today's facts of every decided award of the year."""
        return {(award.kind, award.cell_id): self.facts(award)
                for award in self.awards if award.is_decided}

    def decision_changes(self) -> list[tuple[Award, DecisionFacts, DecisionFacts | None]]:
        """Decided awards whose kept facts differ from today's computation."""
        changes = []
        for award in self.awards:
            kept = DecisionFacts.kept(award) if award.is_decided else None
            if kept is not None:
                now = self.facts(award)
                if now != kept:
                    changes.append((award, kept, now))
        return changes

    @property
    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    @functools.cached_property
    def _counts(self) -> dict[str, int]:
        # Counted once, where the overview is made (``_overview_in``: the worker thread on a
        # big office), not by the window as it shows them; the states do not change.
        registered = self.count("registered")
        return {
            "active": len(self.cells),
            "registered": registered,
            "late": self.count("late"),
            "missing": len(self.cells) - registered,
            "scored": self.count("scored"),
            "qualifying": self.count("qualifies"),
            "proposed": self.count("proposed"),
            "awarded": self.count("awarded"),
        }

    @property
    def missing(self) -> list[CellYearState]:
        return [state for state in self.cells if not state.registered]

    @property
    def late(self) -> list[CellYearState]:
        return [state for state in self.cells if state.late]


COUNT_LABELS = {
    "active": "Chi bộ tham gia",
    "registered": "Đã đăng ký",
    "late": "Đăng ký muộn",
    "missing": "Chưa đăng ký",
    "scored": "Đã chấm điểm",
    "qualifying": "Đạt “Chi bộ 4 tốt”",
    "proposed": "Đã đề nghị công nhận",
    "awarded": "Đã có quyết định khen thưởng",
}


def year_overview(office: Office, year: int, today: dt.date | None = None) -> YearOverview:
    office.require_org()
    with office.read() as session:
        return overview_in(session, year, today)


def update_overview(office: Office, overview: YearOverview, cell_ids: Iterable[int],
                    today: dt.date | None = None) -> YearOverview:
    """``overview`` with the states of ``cell_ids`` and the organisation's own result read
    again, the other cells' states kept: what a change to some cells' registrations,
    scores or awards needs (a change to the cells themselves, their merges or the settings
    needs a new ``year_overview``)."""
    office.require_org()
    with office.read() as session:
        return overview_in(session, overview.year, today, overview, frozenset(cell_ids))


def overview_in(session: Session, year: int, today: dt.date | None = None,
                previous: YearOverview | None = None,
                cell_ids: frozenset[int] | None = None) -> YearOverview:
    """The year's overview read in ``session`` (an organisation's read or write session: the
    operations that guard decided years compare it before and after a change). With
    ``previous``, only ``cell_ids`` and the organisation's own rows are read again.

    Plain rows (``db.plain``), not ORM objects, with the garbage collector paused: a
    province's year is some 60,000 rows, which the ORM would make ten times slower, and
    judging them makes as many small objects again (none in a cycle)."""
    with plain.paused_gc():
        return _overview_in(session, year, today, previous, cell_ids)


def _overview_in(session: Session, year: int, today: dt.date | None,
                 previous: YearOverview | None,
                 cell_ids: frozenset[int] | None) -> YearOverview:
    today = today or dt.date.today()
    phase = queries.phase_in(session, year)
    phase_year = next(item for item in phase.years if item.year == year)
    year_rules = rulebook.rules_in(session, year, phase)
    lives = queries.cell_timeline_in(session)
    if cell_ids is None:
        all_cells = plain.rows(session, Cell)
        only = ()
    else:
        all_cells = plain.rows(session, Cell, Cell.id.in_(cell_ids)) if cell_ids else []
        only = (Registration.cell_id.in_(cell_ids),)
    cells = [cell for cell in all_cells if lives.in_year(cell.id, year)]
    registrations = {row.cell_id: row for row in plain.rows(
        session, Registration, Registration.year == year, *only)}

    def owned(model):       # the cells asked for, and the organisation's own rows
        return () if cell_ids is None else (
            or_(model.cell_id.in_(cell_ids), model.cell_id.is_(None)),)

    evaluations = {row.cell_id: row for row in plain.rows(
        session, Evaluation, Evaluation.year == year, *owned(Evaluation))}
    scores: dict[int, list] = {row.id: [] for row in evaluations.values()}
    if scores:
        # IN (the year's evaluations), not a join: SQLite reads the scores of each
        # evaluation by its index either way, and the join costs it twice the time.
        of_year = select(Evaluation.id).where(Evaluation.year == year, *owned(Evaluation))
        for score in plain.rows(session, Score, Score.evaluation_id.in_(of_year)):
            scores[score.evaluation_id].append(score)
    for row in evaluations.values():
        row.scores = scores[row.id]
    awards = plain.rows(session, Award, Award.year == year, *owned(Award),
                        order_by=Award.id)
    recognised = queries.recognised_years_in(session)
    through_merge = queries.streak_through_merge_in(session)
    cells_by_id = {cell.id: cell for cell in all_cells}
    for award in awards:
        award.cell = cells_by_id.get(award.cell_id)
    if previous is not None:    # the kept awards of the cells not read again
        awards = sorted([award for award in previous.awards if award.cell_id is not None
                         and award.cell_id not in cell_ids] + awards,
                        key=lambda award: award.id)

    cell_groups = group_specs(phase, Scope.CELL, year)
    awards_of: dict[int | None, list[Award]] = {}
    for award in awards:
        awards_of.setdefault(award.cell_id, []).append(award)
    states = []
    deadline = phase_year.registration_deadline     # an ORM attribute: read once
    for cell in cells:
        registration = registrations.get(cell.id)
        if registration is not None:
            registration.cell = cell
        late = rules.days_late(registration.received_on if registration else None,
                               deadline, year_rules.deadline_inclusive)
        evaluation = evaluations.get(cell.id)
        context = UnitContext(registered=registration is not None, days_late=late)
        states.append(CellYearState(
            cell=cell, registration=registration, days_late=late,
            result=evaluate(phase, year_rules, evaluation, Scope.CELL, context, cell_groups),
            evaluated=evaluation is not None,
            # The cell lives in the year: its streak ends at once unless it was recognised.
            consecutive_years=(lives.streak(cell.id, year, recognised, through_merge)
                               if year in recognised.get(cell.id, ()) else 0),
            awards=awards_of.get(cell.id, []), context=context))
    if previous is None:
        rank = ranks(state.cell.name for state in states)
        states.sort(key=lambda state: rank[state.cell.name])
    else:               # the same cells in the same order: their names did not change
        fresh = {state.cell.id: state for state in states}
        # The kept cells' results as the rules give them: the cap is judged again below
        # over every cell.
        states = [fresh.get(state.cell.id) or replace(
            state, result=state.ruled or state.result, ruled=None) for state in previous.cells]

    complete = not any(state.pending for state in states)
    ranking = excellent_ranking(states, year_rules, complete)
    warnings = []
    if complete:
        # The cap is judged once the year's scoring is complete (the ranking shows it before).
        for state in states:
            reason = ranking.reason_for(state.cell.id)
            if reason is not None:
                state.ruled = state.result
                state.result = replace(state.result,
                                       verdict=state.result.verdict.with_reason(reason))
        if ranking.warning():
            warnings.append(ranking.warning())

    organisation_result = evaluate(phase, year_rules, evaluations.get(None), Scope.ORGANISATION,
                                   organisation_context(states), year=year)

    deadlines = [
        Deadline("Phát động", phase_year.launch_date, _days(phase_year.launch_date, today)),
        Deadline("Hạn đăng ký thi đua", phase_year.registration_deadline,
                 _days(phase_year.registration_deadline, today), year_rules.deadline_inclusive),
        Deadline("Hạn tổng kết giai đoạn" if phase.is_final(year) else "Hạn sơ kết năm",
                 phase_year.review_deadline, _days(phase_year.review_deadline, today)),
    ]
    overview = YearOverview(
        year=year, phase_title=phase.title, plan_reference=phase.plan_reference,
        is_final=phase.is_final(year), deadlines=deadlines, cells=states,
        organisation_result=organisation_result,
        organisation_awards=awards_of.get(None, []),
        warnings=warnings, todo=[], year_rules=year_rules, ranking=ranking, awards=awards)
    for award, kept, now in overview.decision_changes():
        who = award.cell.name if award.cell is not None else "Đảng bộ"
        warnings.append(f"{who} ({AwardKind(award.kind).label}, quyết định "
                        f"{award.decision_number}): khi quyết định {kept.describe()}; tính lại "
                        f"hôm nay {now.describe() if now else 'không còn thuộc năm này'}")
    overview.todo = _todo(overview, phase_year, today)
    overview.counts  # noqa: B018 - counted here, not by the window (``YearOverview._counts``)
    return overview


def organisation_context(states: list[CellYearState]) -> UnitContext:
    """The organisation's verdict reads its cells: how many pass, which are still open, and
    their disciplined members (the organisation's own figure is their sum)."""
    return UnitContext(
        cells_passed=sum(1 for state in states if state.qualifies),
        cells_total=len(states),
        cells_pending=tuple(state.cell.name for state in states if state.pending),
        disciplined_detail=tuple(
            (state.cell.name, state.result.disciplined) for state in states
            if state.evaluated and state.result.disciplined > 0))


def excellent_ranking(states: list[CellYearState], year_rules: rules.YearRules,
                      complete: bool) -> rules.Ranking:
    """The scored cells at HTXSNV ranked against the year's cap (``rules.excellent_ranking``)."""
    scored = [state for state in states if state.scored]
    # Only the cells at HTXSNV are ranked (``rules.excellent_ranking`` leaves the others
    # out): their entries alone are made, each with its name's collation key.
    excellent = rules.Classification.HTXSNV
    entries = [rules.RankEntry(
        id=state.cell.id, name=state.cell.name, order_key=sort_key(state.cell.name),
        total=state.result.committee_totals.total,
        group_points=tuple(group.points for group in state.result.committee_totals.groups),
        registered_on=state.registration.received_on if state.registration else None,
        classification=state.result.classification,
        computed=state.result.computed_classification) for state in scored
        if excellent in (state.result.classification, state.result.computed_classification)]
    return rules.excellent_ranking(
        entries, [state.result.classification for state in scored], len(states), year_rules,
        complete)


def _days(date: dt.date | None, today: dt.date) -> int | None:
    return None if date is None else (date - today).days


def _names(states: list[CellYearState], limit: int = 5) -> str:
    names = [state.cell.name for state in states[:limit]]
    if len(states) > limit:
        names.append(f"và {len(states) - limit} chi bộ khác")
    return ", ".join(names)


class Todo(str):
    """One line of the to-do list, with where the work is done: ``place`` ("registrations",
    "scoring", "awards", "organisation" or "") and the cells concerned."""

    place: str
    cell_ids: tuple[int, ...]

    def __new__(cls, text: str, place: str = "", cell_ids=()):
        item = super().__new__(cls, text)
        item.place = place
        item.cell_ids = tuple(cell_ids)
        return item


def _todo(overview: YearOverview, phase_year, today: dt.date) -> list[Todo]:
    todo = []
    missing = overview.missing
    if missing:
        deadline = phase_year.registration_deadline
        overdue = rules.days_late(today, deadline, overview.year_rules.deadline_inclusive) > 0
        todo.append(Todo(f"{len(missing)} chi bộ chưa đăng ký thi đua"
                         f"{' (đã quá hạn)' if overdue else ''}: {_names(missing)}",
                         "registrations", [s.cell.id for s in missing]))
    unscored = [state for state in overview.cells if state.registered and not state.scored]
    if unscored:
        todo.append(Todo(f"{len(unscored)} chi bộ đã đăng ký nhưng chưa chấm đủ điểm: "
                         f"{_names(unscored)}", "scoring", [s.cell.id for s in unscored]))
    ranking = overview.ranking
    if ranking is not None and overview.scoring_complete and ranking.over:
        todo.append(Todo(f"{len(ranking.over_cap())} chi bộ xếp loại HTXSNV ngoài tỷ lệ: Đảng ủy "
                         "quyết định xếp loại theo bảng xếp hạng (lệnh ranking, tab Khen thưởng)",
                         "awards", []))
    not_proposed = [state for state in overview.cells if state.qualifies and not state.proposed]
    if not_proposed:
        todo.append(Todo(f"{len(not_proposed)} chi bộ đạt “Chi bộ 4 tốt” chưa được lập đề "
                         f"nghị: {_names(not_proposed)}", "awards",
                         [s.cell.id for s in not_proposed]))
    waiting = [award for state in overview.cells for award in state.awards
               if not award.is_decided] + [a for a in overview.organisation_awards
                                           if not a.is_decided]
    if waiting:
        todo.append(Todo(f"{len(waiting)} đề nghị đang chờ quyết định của cấp trên",
                         "awards"))
    if overview.organisation_result.evaluation is None:
        todo.append(Todo("Đảng bộ chưa tự chấm điểm “Đảng bộ cơ sở 4 tốt”", "organisation"))
    elif (overview.organisation_result.verdict.passed
          and not overview.organisation_awards):
        todo.append(Todo("Đảng bộ đạt “Đảng bộ cơ sở 4 tốt”: lập đề nghị công nhận",
                         "awards"))
    if overview.is_final:
        todo.append(Todo("Năm cuối giai đoạn: chuẩn bị Hội nghị tổng kết phong trào thi đua"))
    if not todo:
        todo.append(Todo("Không còn việc cần làm cho năm này."))
    return todo


def ranking_text(overview: YearOverview) -> str:
    """The ranking of the cells at HTXSNV against the cap (the ``ranking`` command)."""
    ranking = overview.ranking
    lines = [f"Xếp hạng chi bộ xếp loại HTXSNV năm {overview.year}",
             f"Theo {overview.regulation}",
             f"Số được xếp loại HTXSNV: {ranking.basis}.", ranking.order + "."]
    if not overview.scoring_complete:
        lines.append(f"Năm {overview.year} chưa chấm xong ({len(overview.pending)} chi bộ chưa "
                     "chấm đủ): bảng xếp hạng là tạm thời.")
    lines.append("")
    if not ranking.cells:
        lines.append("Chưa có chi bộ nào xếp loại HTXSNV.")
    else:
        header = f"{'Hạng':>4}  {'Mã':<8} {'Chi bộ':<36} {'Điểm':>6}  {'Điểm nhóm':<24} Tình trạng"
        lines.append(header)
        lines.append("-" * len(header))
        codes = {state.cell.id: state.cell.code for state in overview.cells}
        for cell in ranking.cells:
            entry = cell.entry
            groups = " / ".join(rules.fmt_points(points) for points in entry.group_points)
            status = cell.status + (" (bằng điểm, xếp theo tên)" if cell.tied else "")
            lines.append(f"{cell.position:>4}  {codes.get(entry.id, ''):<8} {entry.name[:36]:<36} "
                         f"{rules.fmt_points(entry.total):>6}  {groups:<24} {status}")
    lines.append("")
    lines.append(f"Đang xếp loại HTXSNV: {ranking.excellent}, tối đa {ranking.allowed}"
                 + (" – VƯỢT TỶ LỆ" if ranking.over else "") + ".")
    leading = [cell.entry.name for cell in ranking.leading]
    if leading:
        lines.append("Chi bộ dẫn đầu (xét tặng Giấy khen): " + ", ".join(leading) + ".")
    return "\n".join(lines)


def status_text(overview: YearOverview) -> str:
    """The year's state as plain text (the ``status`` command)."""
    lines = [f"{overview.phase_title}", f"Năm {overview.year}"
             + (" (năm tổng kết giai đoạn)" if overview.is_final else "")]
    if overview.plan_reference:
        lines.append(f"Thực hiện {overview.plan_reference}")
    lines.append(f"Đánh giá, xếp loại chất lượng theo {overview.regulation}")
    lines.append("")
    lines.extend(deadline.describe() for deadline in overview.deadlines)
    lines.append("")
    counts = overview.counts
    lines.extend(f"{COUNT_LABELS[key]}: {value}" for key, value in counts.items())
    lines.append("")
    header = f"{'Mã':<8} {'Chi bộ':<36} {'Đăng ký':<22} {'Điểm':>6} {'Xếp loại':<8} {'Kết quả':<14} Khen thưởng"
    lines.append(header)
    lines.append("-" * len(header))
    for state in overview.cells:
        if state.registration is None:
            registered = "CHƯA ĐĂNG KÝ"
        else:
            registered = format_date(state.registration.received_on)
            if state.late:
                registered += f" muộn {state.days_late} ngày"
        totals = state.result.committee_totals
        points = rules.fmt_points(totals.total) if state.evaluated and totals.complete else "–"
        classification = state.result.classification.value if state.scored and \
            state.result.classification else "–"
        verdict = state.result.verdict.label if state.evaluated else "Chưa chấm"
        award_text = "; ".join(
            (a.decision_number if a.is_decided else "đề nghị") + f" ({AwardKind(a.kind).label})"
            for a in state.awards) or "–"
        pilot = " *" if state.cell.is_pilot else ""
        lines.append(f"{state.cell.code:<8} {(state.cell.name + pilot)[:36]:<36} "
                     f"{registered:<22} {points:>6} {classification:<8} {verdict:<14} "
                     f"{award_text}")
    lines.append("(* chi bộ điểm)")
    for state in overview.cells:
        verdict = state.result.verdict
        if state.evaluated and not state.qualifies:
            failing = [r.text for r in verdict.reasons if not r.ok]
            if failing:
                lines.append(f"  {state.cell.name}: {'; '.join(failing)}")
        if state.scored and verdict.overridden:
            reason = (state.result.evaluation.classification_reason or "").strip()
            lines.append(f"  {state.cell.name}: Đảng ủy quyết định {verdict.classification.value}"
                         f" (theo quy định: {verdict.computed.value})"
                         + (f". Lý do: {reason}" if reason else ", chưa ghi lý do"))
    lines.append("")
    org = overview.organisation_result
    lines.append(f"Đảng bộ cơ sở 4 tốt: {org.verdict.label}")
    lines.extend(f"  {r.mark} {r.text}" for r in org.verdict.reasons)
    if overview.warnings:
        lines.append("")
        lines.extend(f"Lưu ý: {warning}" for warning in overview.warnings)
    lines.append("")
    lines.append("Việc cần làm:")
    lines.extend(f"  - {item}" for item in overview.todo)
    return "\n".join(lines)


@dataclass(frozen=True)
class HistoryEntry:
    """One year of a cell, or of one of its predecessors (a merged cell's records)."""

    year: int
    code: str
    name: str
    own: bool                    # the cell itself (False: a predecessor)
    state: CellYearState


def cell_history(office: Office, cell_id: int) -> list[HistoryEntry]:
    """The records of a cell and of every cell merged into it, year by year: a successor
    shows its predecessors' registrations, results and awards as they were."""
    lives = queries.cell_timeline(office)
    units = [cell_id] + lives.ancestors(cell_id)
    entries = []
    this_year = dt.date.today().year
    for year in queries.years(office):
        present = [unit for unit in units if lives.in_year(unit, year)]
        if not present:
            continue
        overview = year_overview(office, year)
        states = {state.cell.id: state for state in overview.cells}
        for unit in present:
            state = states.get(unit)
            if state is None or (year > this_year and not (
                    state.registered or state.evaluated or state.awards)):
                continue        # a year still to come, with nothing in it yet
            entries.append(HistoryEntry(year, state.cell.code, state.cell.name,
                                        unit == cell_id, state))
    return entries
