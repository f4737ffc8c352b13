"""A stored evaluation read through the phase's rules: totals, classification, verdict.

Pure computation over rows already loaded (``rules`` does the arithmetic); used by the
scoring operations, the year's overview (``reports``) and the papers alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from chibo4tot_desktop import rules
from chibo4tot_desktop.db.models import Evaluation, Phase, Scope


@dataclass(frozen=True)
class ScoreInput:
    """What the scoring screen, a command or an import hands over for one criteria item."""

    self_points: float | str | None = None
    committee_points: float | str | None = None


@dataclass(frozen=True)
class EvaluationResult:
    """An evaluation read back with its totals and verdict (computed, never stored)."""

    evaluation: Evaluation | None
    self_totals: rules.ScoreTotals
    committee_totals: rules.ScoreTotals
    verdict: rules.Verdict
    computed_classification: rules.Classification | None

    @property
    def classification(self) -> rules.Classification | None:
        return self.verdict.classification


def thresholds_of(phase: Phase) -> rules.Thresholds:
    return rules.Thresholds(
        overall_pass=phase.overall_pass,
        band_excellent=phase.band_excellent,
        band_good=phase.band_good,
        band_pass=phase.band_pass,
        min_classification=rules.Classification(phase.min_classification),
        max_disciplined=phase.max_disciplined,
        org_cell_share=phase.org_cell_share,
        excellent_share_cap=phase.excellent_share_cap,
    )


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


def evaluate(phase: Phase, evaluation: Evaluation | None, scope: Scope = Scope.CELL,
             cells_passed: int = 0, cells_total: int = 0,
             groups: tuple[rules.GroupSpec, ...] | None = None,
             year: int | None = None) -> EvaluationResult:
    """Totals, classification and verdict of ``evaluation`` under ``phase``'s settings and
    the catalogue of its year (``year`` when there is no evaluation).

    ``groups``: ``group_specs(phase, scope, year)`` computed once by a caller evaluating many."""
    if groups is None:
        if year is None:
            if evaluation is None:
                raise ValueError("year needed without an evaluation")
            year = evaluation.year
        groups = group_specs(phase, scope, year)
    thresholds = thresholds_of(phase)
    scores = evaluation.scores if evaluation is not None else []
    self_totals = rules.score_totals(groups, {s.item_id: s.self_points for s in scores})
    committee_totals = rules.score_totals(groups, {s.item_id: s.committee_points for s in scores})
    disciplined = evaluation.disciplined_members if evaluation is not None else 0
    decided = (rules.Classification(evaluation.classification)
               if evaluation is not None and evaluation.classification else None)
    computed = (rules.classify(committee_totals.total, disciplined, thresholds)
                if committee_totals.complete else None)
    if scope is Scope.ORGANISATION:
        verdict = rules.organisation_verdict(committee_totals, disciplined, thresholds,
                                             cells_passed, cells_total, decided)
    else:
        verdict = rules.cell_verdict(committee_totals, disciplined, thresholds, decided)
    return EvaluationResult(evaluation, self_totals, committee_totals, verdict, computed)
