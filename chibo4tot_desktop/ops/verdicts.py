"""A stored evaluation read through the year's rules: totals, classification, verdict.

Pure computation over rows already loaded (``rules`` does the arithmetic); used by the
scoring operations, the year's overview (``reports``) and the papers alike. What a verdict
needs beyond the unit's own sheet (registration, lateness; for the organisation its cells'
results and disciplined members) comes in a ``UnitContext`` that ``reports.year_overview``
builds.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Phase, Scope


@dataclass(frozen=True)
class ScoreInput:
    """What the scoring screen, a command or an import hands over for one criteria item."""

    self_points: float | str | None = None
    committee_points: float | str | None = None


@dataclass(frozen=True)
class UnitContext:
    """The year's facts about a unit that its verdict reads.

    Cells: ``registered`` and ``days_late``. The organisation: how many cells pass out of how
    many, which are still open (``cells_pending``), and the disciplined members of its cells
    (``disciplined_detail``: cell name -> members, the cells that have any): the organisation's
    figure is their sum."""

    registered: bool | None = None
    days_late: int = 0
    cells_passed: int = 0
    cells_total: int = 0
    cells_pending: tuple[str, ...] = ()
    disciplined_detail: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class EvaluationResult:
    """An evaluation read back with its totals and verdict (computed, never stored)."""

    evaluation: object | None
    self_totals: rules.ScoreTotals
    committee_totals: rules.ScoreTotals
    verdict: rules.Verdict
    rules: rules.YearRules
    disciplined: int

    @property
    def classification(self) -> rules.Classification | None:
        return self.verdict.classification

    @property
    def computed_classification(self) -> rules.Classification | None:
        """What the rules give, before the committee's decision."""
        return self.verdict.computed


def group_specs(phase: Phase, scope: Scope, year: int) -> tuple[rules.GroupSpec, ...]:
    """The criteria of ``scope`` that ``year`` is scored with (its catalogue version)."""
    return tuple(
        rules.GroupSpec(
            position=group.position,
            title=group.title,
            pass_points=group.pass_points,
            items=tuple(rules.ItemSpec(item.id, item.max_points) for item in group.items),
        )
        for group in phase.catalogue(year, scope)
    )


def confirmed_conditions(evaluation) -> frozenset[str]:
    """The keys of the HTXSNV conditions the committee confirmed on ``evaluation``."""
    stored = getattr(evaluation, "conditions_met", None) if evaluation is not None else None
    if isinstance(stored, (list, tuple, set, frozenset)):
        return frozenset(str(key) for key in stored)
    if type(stored) is str:
        return _stored_conditions(stored)
    return _stored_conditions.__wrapped__(stored)


@functools.lru_cache(maxsize=256)
def _stored_conditions(stored) -> frozenset[str]:
    """The stored JSON list read (a year's evaluations hold a handful of distinct ones)."""
    try:
        keys = json.loads(stored or "[]")
    except ValueError:
        return frozenset()
    return frozenset(str(key) for key in keys) if isinstance(keys, list) else frozenset()


def evaluate(phase: Phase, year_rules: rules.YearRules, evaluation, scope: Scope = Scope.CELL,
             context: UnitContext | None = None,
             groups: tuple[rules.GroupSpec, ...] | None = None,
             year: int | None = None) -> EvaluationResult:
    """Totals, classification and verdict of ``evaluation`` (a stored Evaluation, or anything
    shaped like one) under the year's rules and the catalogue of its year (``year`` when
    there is no evaluation).

    ``groups``: ``group_specs(phase, scope, year)`` computed once by a caller evaluating many."""
    if groups is None:
        if year is None:
            if evaluation is None:
                raise ValueError("year needed without an evaluation")
            year = evaluation.year
        groups = group_specs(phase, scope, year)
    context = context or UnitContext()
    scores = evaluation.scores if evaluation is not None else []
    self_totals, committee_totals = rules.sheet_totals(
        groups, {s.item_id: (s.self_points, s.committee_points) for s in scores})
    decided = (rules.Classification(evaluation.classification)
               if evaluation is not None and evaluation.classification else None)
    reason = (getattr(evaluation, "classification_reason", "") or "") if evaluation else ""
    confirmed = confirmed_conditions(evaluation)
    if scope is Scope.ORGANISATION:
        if year_rules.org_disciplined_from_cells:
            detail = context.disciplined_detail
            disciplined = sum(count for _, count in detail)
        else:
            # the year's rule: the figure on the organisation's own sheet
            detail = None
            disciplined = (evaluation.disciplined_members or 0) if evaluation is not None else 0
        verdict = rules.organisation_verdict(
            committee_totals, disciplined, year_rules, context.cells_passed,
            context.cells_total, decided, own=self_totals,
            cells_pending=context.cells_pending if year_rules.org_waits_for_cells else (),
            disciplined_detail=detail, confirmed=confirmed, decided_reason=reason)
    else:
        disciplined = evaluation.disciplined_members if evaluation is not None else 0
        verdict = rules.cell_verdict(
            committee_totals, disciplined, year_rules, decided, own=self_totals,
            registered=context.registered, days_late=context.days_late, confirmed=confirmed,
            decided_reason=reason)
    return EvaluationResult(evaluation, self_totals, committee_totals, verdict, year_rules,
                            disciplined)
