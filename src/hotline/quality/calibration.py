"""Calibration (校准): several evaluators score the same contact with the same scorecard
version; once every one of them has submitted, the session shows the spread per question and of
the score — lowest, highest and standard deviation (population) of the points 0–100, N/A left
out (ADR 0219). Pure: no I/O."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hotline.quality.scorecards import Scorecard

__all__ = ["Spread", "spread", "spreads"]


@dataclass(frozen=True, slots=True)
class Spread:
    key: str  # the question's key, or "score" for the whole evaluation
    answered: int  # evaluators who gave it points (N/A left out)
    low: float | None
    high: float | None
    stddev: float | None


def spread(key: str, values: Sequence[float | None]) -> Spread:
    got = [v for v in values if v is not None]
    if not got:
        return Spread(key, 0, None, None, None)
    return Spread(key, len(got), min(got), max(got), round(statistics.pstdev(got), 2))


def spreads(
    card: Scorecard, points: Sequence[Mapping[str, float | None]], scores: Sequence[float | None]
) -> list[Spread]:
    """The spread of each question in the form's order, then of the score."""
    out = [spread(item.key, [p.get(item.key) for p in points]) for item in card.items()]
    out.append(spread("score", scores))
    return out
