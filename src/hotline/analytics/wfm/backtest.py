"""Rolling-origin backtests: MASE and WAPE against seasonal naive, model choice, ranges.

A backtest replays the past: at each origin (the end of a day) a model sees only the days
before it and forecasts the next `horizon_days`. Day-ahead moves the origin one day at a
time with a one-day horizon; week-ahead moves it a week at a time with a seven-day horizon.
Each scored interval is counted once.

- MASE = mean |error| / mean |y(t) − y(t − 1 week)| over the history before the window
  (Hyndman & Koehler 2006 with the weekly seasonal-naive scale), so 1.0 is "as good as
  last week's numbers in-sample".
- WAPE = Σ|error| / Σ actual.
- relative = the model's mean |error| / seasonal naive's on the same intervals.

Special days and missing data are left out of every score (they are not a model's fault
and would dominate the comparison); a model still sees them in its history.

Prediction ranges come from the same replay: the errors, divided by √(forecast + 1) (count
data spreads like a Poisson's), give empirical quantiles that scale back to any forecast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.forecast import Model, SeasonalNaive
from hotline.analytics.wfm.series import DayCalendar, Matrix

__all__ = [
    "Backtest",
    "Score",
    "Selection",
    "backtest",
    "range_quantiles",
    "select_model",
]

HORIZONS = {"day": 1, "week": 7}


@dataclass(frozen=True, slots=True)
class Score:
    model: str
    horizon: str  # "day" or "week"
    mase: float
    wape: float
    relative: float  # MAE / seasonal naive's MAE on the same intervals
    coverage: float  # share of actuals inside the 80 % range (when ranges were asked for)
    intervals: int


@dataclass(frozen=True, slots=True)
class Backtest:
    model: str
    horizon: str
    forecasts: Matrix  # (scored days, intervals)
    actuals: Matrix
    scored: np.ndarray  # bool (scored days,): not special, not missing
    residuals: Matrix  # (forecast − actual) / √(forecast + 1), NaN where not scored


@dataclass(frozen=True, slots=True)
class Selection:
    best: str
    scores: tuple[Score, ...] = field(default_factory=tuple)

    def score(self, model: str, horizon: str) -> Score:
        return next(s for s in self.scores if s.model == model and s.horizon == horizon)


def backtest(
    model: Model,
    history: Matrix,
    dates: Sequence[date],
    calendar: DayCalendar,
    *,
    window_days: int,
    horizon: str,
    end: int | None = None,
) -> Backtest:
    """Replay `model` over the `window_days` days ending at row `end` (default: the last)."""
    if horizon not in HORIZONS:
        raise WfmInputError(f"horizon must be 'day' or 'week', not {horizon!r}", field="horizon")
    stop = len(dates) if end is None else end
    start = stop - window_days
    if start < 28:
        raise WfmInputError(
            f"a {window_days}-day backtest needs at least 4 weeks of history before it; "
            f"there are {max(start, 0)} days",
            field="history",
        )
    step = HORIZONS[horizon]
    forecasts = np.empty((window_days, history.shape[1]))
    for origin in range(start, stop, step):
        targets = list(dates[origin : min(origin + step, stop)])
        block = model.predict(history[:origin], dates[:origin], calendar, targets)
        forecasts[origin - start : origin - start + len(targets)] = block
    actuals = history[start:stop]
    missing = np.isnan(actuals).any(axis=1)
    scored = ~missing & ~calendar.is_special(dates[start:stop])
    residuals = np.where(scored[:, None], (forecasts - actuals) / np.sqrt(forecasts + 1.0), np.nan)
    return Backtest(model.name, horizon, forecasts, actuals, scored, residuals)


def _scale(history: Matrix, dates: Sequence[date], calendar: DayCalendar, before: int) -> float:
    """In-sample MAE of the weekly seasonal naive over the rows before `before`."""
    ok = ~np.isnan(history).any(axis=1) & ~calendar.is_special(dates)
    pairs = [(t, t - 7) for t in range(7, before) if ok[t] and ok[t - 7]]
    if not pairs:
        raise WfmInputError(
            "not enough history to scale MASE (two comparable weeks)", field="history"
        )
    now = np.array([history[t] for t, _ in pairs])
    then = np.array([history[s] for _, s in pairs])
    scale = float(np.mean(np.abs(now - then)))
    return scale if scale > 0 else 1.0


def range_quantiles(residuals: Matrix, level: float = 0.8) -> tuple[float, float]:
    """Lower and upper standardized-error quantiles for a central `level` range."""
    values = residuals[~np.isnan(residuals)]
    if values.size == 0:
        return (-1.2816, 1.2816)  # a Poisson-ish guess when there is nothing to learn from
    tail = (1.0 - level) / 2.0
    lo, hi = np.quantile(values, [tail, 1.0 - tail])
    return float(lo), float(hi)


def _score(
    run: Backtest, baseline: Backtest, scale: float, bands: tuple[float, float] | None
) -> Score:
    mask = run.scored[:, None] & np.ones_like(run.actuals, dtype=bool)
    error = np.abs(run.forecasts - run.actuals)[mask]
    base = np.abs(baseline.forecasts - baseline.actuals)[mask]
    actual = run.actuals[mask]
    mae = float(error.mean()) if error.size else float("nan")
    base_mae = float(base.mean()) if base.size else float("nan")
    coverage = float("nan")
    if bands is not None and error.size:
        spread = np.sqrt(run.forecasts + 1.0)
        lower = np.maximum(0.0, run.forecasts - bands[1] * spread)
        upper = run.forecasts - bands[0] * spread
        inside = (run.actuals >= lower) & (run.actuals <= upper)
        coverage = float(inside[mask].mean())
    return Score(
        model=run.model,
        horizon=run.horizon,
        mase=mae / scale,
        wape=float(error.sum() / actual.sum()) if actual.sum() else float("nan"),
        relative=mae / base_mae if base_mae else float("nan"),
        coverage=coverage,
        intervals=int(error.size),
    )


def score_models(
    models: Sequence[Model],
    history: Matrix,
    dates: Sequence[date],
    calendar: DayCalendar,
    *,
    window_days: int = 56,
    horizons: Sequence[str] = ("day", "week"),
    end: int | None = None,
    calibration: dict[tuple[str, str], tuple[float, float]] | None = None,
) -> tuple[list[Score], dict[tuple[str, str], Backtest]]:
    """Backtest every model at every horizon over the same window; seasonal naive included.

    `calibration` maps (model, horizon) to range quantiles learnt on an earlier window; with
    it, each score also reports how often the actuals fell inside the 80 % range.
    """
    stop = len(dates) if end is None else end
    scale = _scale(history, dates, calendar, stop - window_days)
    scores: list[Score] = []
    runs: dict[tuple[str, str], Backtest] = {}
    for horizon in horizons:
        baseline = backtest(
            SeasonalNaive(),
            history,
            dates,
            calendar,
            window_days=window_days,
            horizon=horizon,
            end=end,
        )
        for model in models:
            run = (
                baseline
                if model.name == baseline.model
                else backtest(
                    model,
                    history,
                    dates,
                    calendar,
                    window_days=window_days,
                    horizon=horizon,
                    end=end,
                )
            )
            runs[(model.name, horizon)] = run
            bands = None if calibration is None else calibration.get((model.name, horizon))
            scores.append(_score(run, baseline, scale, bands))
    return scores, runs


def select_model(
    models: Sequence[Model],
    history: Matrix,
    dates: Sequence[date],
    calendar: DayCalendar,
    *,
    window_days: int = 56,
    horizon: str = "week",
    end: int | None = None,
) -> Selection:
    """The model with the lowest MASE at `horizon` over the window (seasonal naive included)."""
    scores, _ = score_models(
        models, history, dates, calendar, window_days=window_days, horizons=(horizon,), end=end
    )
    best = min(scores, key=lambda s: (np.nan_to_num(s.mase, nan=np.inf), s.model))
    return Selection(best.model, tuple(scores))
