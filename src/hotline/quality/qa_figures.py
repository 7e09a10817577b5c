"""QA averages for the reports (issue 20): the mean score of the scored evaluations of a period
by agent, team, question and evaluator. Calibrations are left out (they measure evaluators, not
agents); an evaluation with no score (every question N/A) counts nowhere; a resolved dispute
counts with its final score; by question, the mean of the question's points (N/A left out).
Pure: the repository gives the rows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from hotline.quality.evaluations import Evaluation, EvaluationState

__all__ = ["Average", "QaAverages", "qa_averages"]

SCORED = frozenset({
    EvaluationState.SUBMITTED, EvaluationState.ACKNOWLEDGED, EvaluationState.DISPUTED,
    EvaluationState.RESOLVED,
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Average:
    key: str  # the agent's, team's, question's or evaluator's id or name
    evaluations: int
    average: float
    critical_failed: int = 0


@dataclass(frozen=True, slots=True)
class QaAverages:
    evaluations: int
    average: float | None
    by_agent: list[Average]
    by_team: list[Average]
    by_question: list[Average]
    by_evaluator: list[Average]


def _averages(groups: Mapping[str, list[tuple[float, bool]]]) -> list[Average]:
    return [
        Average(key, len(got), round(sum(v for v, _ in got) / len(got), 2),
                sum(1 for _, failed in got if failed))
        for key, got in sorted(groups.items())
    ]  # fmt: skip


def qa_averages(
    evaluations: Iterable[Evaluation], teams_of: Mapping[str, Sequence[str]]
) -> QaAverages:
    """`teams_of`: each agent's teams (an agent in two teams counts in both)."""
    by: dict[str, dict[str, list[tuple[float, bool]]]] = {
        "agent": {}, "team": {}, "question": {}, "evaluator": {},
    }  # fmt: skip
    scores: list[float] = []
    for e in evaluations:
        if e.calibration_id is not None or e.state not in SCORED or e.score is None:
            continue
        failed = bool(e.critical_failed)
        scores.append(e.score)
        by["agent"].setdefault(e.agent_id, []).append((e.score, failed))
        by["evaluator"].setdefault(e.evaluator_id, []).append((e.score, failed))
        for team in teams_of.get(e.agent_id, ()):
            by["team"].setdefault(team, []).append((e.score, failed))
        for key, points in e.points.items():
            if points is not None:
                by["question"].setdefault(key, []).append((points, False))
    return QaAverages(
        evaluations=len(scores),
        average=round(sum(scores) / len(scores), 2) if scores else None,
        by_agent=_averages(by["agent"]), by_team=_averages(by["team"]),
        by_question=_averages(by["question"]), by_evaluator=_averages(by["evaluator"]),
    )  # fmt: skip
