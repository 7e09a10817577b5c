"""Forecast models for contacts per interval: the seasonal-naive baseline and our own.

Every model answers one question: given the history rows (one per day, NaN where data is
missing) and the calendar, what volume is expected in each interval of the target days?

- `SeasonalNaive`: the same interval one week earlier (the baseline every score is against).
- `ProfileMedian`: the median of the same interval on the last k days of the same profile
  day (a holiday counts as the rest day, a 调休 workday as a weekday).
- `ExponentialSmoothing`: Holt–Winters with a level and a daily × weekly seasonal pattern,
  constants picked per fit by one-step-ahead error over the history.
- `Combination`: the mean of other models' forecasts.

Models are pure functions of their inputs: numpy only, no clock, no I/O. A library model
(statsforecast's MSTL) plugs in through the same `Model` protocol from outside this package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import product
from typing import Protocol

import numpy as np

from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.series import DayCalendar, Matrix

__all__ = [
    "Combination",
    "ExponentialSmoothing",
    "Model",
    "ProfileMedian",
    "SeasonalNaive",
    "default_models",
    "forecast_aht",
]


class Model(Protocol):
    @property
    def name(self) -> str: ...

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        """Expected contacts, shape (len(targets), intervals per day); never NaN."""
        ...


def _check(history: Matrix, dates: Sequence[date], targets: Sequence[date]) -> None:
    if history.ndim != 2 or history.shape[0] != len(dates) or history.shape[0] == 0:
        raise WfmInputError(
            "history must have one row per date and at least one day", field="history"
        )
    if targets and targets[0] <= dates[-1]:
        raise WfmInputError(f"forecast days must follow the history ({dates[-1]})", field="targets")


def _fallback(history: Matrix) -> Matrix:
    """The mean shape of the history, for intervals where a model has nothing to go on."""
    known = ~np.isnan(history)
    counts = known.sum(axis=0)
    sums = np.where(known, history, 0.0).sum(axis=0)
    result: Matrix = np.where(counts > 0, sums / np.maximum(counts, 1), 0.0)
    return result


@dataclass(frozen=True, slots=True)
class SeasonalNaive:
    """The same interval one week before; further back by whole weeks past the history's end."""

    name: str = "seasonal_naive"

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        _check(history, dates, targets)
        first, last = dates[0], dates[-1]
        out = np.empty((len(targets), history.shape[1]))
        fallback = _fallback(history)
        for row, target in enumerate(targets):
            back = target - timedelta(days=7)
            while back > last:
                back -= timedelta(days=7)
            value = None
            while back >= first:
                candidate = history[(back - first).days]
                if not np.isnan(candidate).all():
                    value = candidate
                    break
                back -= timedelta(days=7)
            out[row] = fallback if value is None else np.nan_to_num(value, nan=0.0)
        return out


@dataclass(frozen=True, slots=True)
class ProfileMedian:
    """Median of the same interval over the last `weeks` days with the same profile day:
    robust to the one odd day (a surge, an outage) that a mean would carry for weeks."""

    weeks: int = 5
    name: str = "profile_median"

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        _check(history, dates, targets)
        profiles = calendar.profiles(dates)
        present = ~np.isnan(history).all(axis=1)
        fallback = _fallback(history)
        out = np.empty((len(targets), history.shape[1]))
        for row, target in enumerate(targets):
            rows = np.flatnonzero((profiles == calendar.profile_day(target)) & present)
            rows = rows[-self.weeks :]
            out[row] = (
                np.median(np.nan_to_num(history[rows], nan=0.0), axis=0) if rows.size else fallback
            )
        return np.nan_to_num(out, nan=0.0)


@dataclass(frozen=True, slots=True)
class Combination:
    """The mean of several models' forecasts (combining rarely loses to its best part and
    often beats it, because the parts' errors partly cancel)."""

    parts: tuple[Model, ...]
    name: str = "combined"

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        forecasts = [m.predict(history, dates, calendar, targets) for m in self.parts]
        result: Matrix = np.mean(forecasts, axis=0)
        return result


# Smoothing grid: level α (0: no level, the season alone follows the data) and season γ.
_ALPHAS = (0.0, 0.1, 0.25)
_GAMMAS = (0.2, 0.3, 0.4)
_KERNEL = np.array([1.0, 2.0, 1.0]) / 4.0


@dataclass(frozen=True, slots=True)
class Smoothing:
    alpha: float
    gamma: float
    smooth: bool  # average each interval with its neighbours (noisy short intervals)


@dataclass(frozen=True, slots=True)
class ExponentialSmoothing:
    """Holt–Winters with a level and a seasonal pattern that is daily × weekly.

    y(d, i) = L · S(p(d), i): L is the level, S(p, ·) the expected day of profile p at level 1
    (its sum is the weekly factor, its shape the daily one). After each day the level moves by
    α towards the day's total over S's, and the day's seven-day-old pattern by γ towards what
    happened. α, γ and whether to smooth each interval with its neighbours are picked per fit
    by one-step-ahead error over the history, so the model adapts to the data it is given.
    """

    name: str = "exp_smoothing"
    fixed: Smoothing | None = None

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        _check(history, dates, targets)
        profiles = calendar.profiles(dates)
        params = self.fixed or _pick(history, profiles)
        level, season, _ = _run(history, profiles, params)
        out = np.empty((len(targets), history.shape[1]))
        for row, target in enumerate(targets):
            pattern = season[calendar.profile_day(target)]
            out[row] = level * (_smoothed(pattern) if params.smooth else pattern)
        return np.maximum(out, 0.0)


def _smoothed(values: Matrix) -> Matrix:
    return np.convolve(np.pad(values, 1, mode="edge"), _KERNEL, mode="valid")


def _run(history: Matrix, profiles: np.ndarray, s: Smoothing) -> tuple[float, Matrix, float]:
    """Final level and patterns, and the one-step-ahead absolute error after a warm-up."""
    fallback = _fallback(history)
    season = np.full((7, history.shape[1]), np.nan)
    level, error, warm = 1.0, 0.0, min(28, history.shape[0] // 2)
    for row in range(history.shape[0]):
        actual = history[row]
        if np.isnan(actual).all():
            continue
        actual = np.nan_to_num(actual, nan=0.0)
        p = profiles[row]
        if np.isnan(season[p, 0]):
            season[p] = actual / level
            continue
        pattern = _smoothed(season[p]) if s.smooth else season[p]
        if row >= warm:
            error += float(np.abs(level * pattern - actual).sum())
        expected = float(season[p].sum())
        if s.alpha and expected > 0:
            level = max(1e-6, s.alpha * float(actual.sum()) / expected + (1 - s.alpha) * level)
        season[p] = s.gamma * actual / level + (1 - s.gamma) * season[p]
    unseen = np.isnan(season[:, 0])
    season[unseen] = fallback / level
    return level, season, error


def _pick(history: Matrix, profiles: np.ndarray) -> Smoothing:
    grid = [Smoothing(a, g, sm) for a, g, sm in product(_ALPHAS, _GAMMAS, (False, True))]
    return min(grid, key=lambda s: _run(history, profiles, s)[2])


def default_models() -> tuple[Model, ...]:
    smoothing = ExponentialSmoothing()
    median = ProfileMedian()
    return (SeasonalNaive(), median, smoothing, Combination((smoothing, median)))


def forecast_aht(
    answered: Matrix,
    handle_s: Matrix,
    dates: Sequence[date],
    calendar: DayCalendar,
    targets: Sequence[date],
    *,
    weeks: int = 8,
    prior_calls: float = 30.0,
) -> Matrix:
    """Handle time per interval: handle seconds over answers in the same interval of the last
    `weeks` same-profile days, shrunk towards that profile day's mean as if `prior_calls`
    calls at the day's mean had been added (thin night intervals then follow the day)."""
    profiles = calendar.profiles(dates)
    answered = np.nan_to_num(answered, nan=0.0)
    handle_s = np.nan_to_num(handle_s, nan=0.0)
    total_answered = float(answered.sum())
    overall = float(handle_s.sum()) / total_answered if total_answered else 0.0
    out = np.empty((len(targets), answered.shape[1]))
    for row, target in enumerate(targets):
        rows = np.flatnonzero(profiles == calendar.profile_day(target))[-weeks:]
        calls = answered[rows].sum(axis=0)
        seconds = handle_s[rows].sum(axis=0)
        day_calls = float(calls.sum())
        day_mean = (float(seconds.sum()) + prior_calls * overall) / (day_calls + prior_calls)
        out[row] = (seconds + prior_calls * day_mean) / (calls + prior_calls)
    return out
