"""Forecast models for contacts per interval: the seasonal-naive baseline and our own.

Every model answers one question: given the history rows (one per day, NaN where data is
missing) and the calendar, what volume is expected in each interval of the target days?

- `SeasonalNaive`: the same interval one week earlier (the baseline every score is against).
- `ProfileMedian`: the median of the same interval on the last k days of the same profile
  day (a holiday counts as the rest day, a 调休 workday as a weekday).
- `ExponentialSmoothing`: Holt–Winters with a level and a daily × weekly seasonal pattern,
  constants picked per fit by one-step-ahead error over the history.
- `TopDown`: each day's total (a level × a weekday factor × a day-of-month factor, × a
  factor for the first day after a holiday) spread over the day by the profile day's
  intraday shape, estimated from more weeks and smoothed across neighbouring intervals.
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
from hotline.analytics.wfm.series import DayCalendar, DayKind, Matrix

__all__ = [
    "Combination",
    "ExponentialSmoothing",
    "Model",
    "ProfileMedian",
    "SeasonalNaive",
    "TopDown",
    "TopDownFit",
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


# A profile day whose factor is below this share of the busiest one is "closed": it tells
# nothing about the level (a closed Sunday's 0 calls divided by a factor near 0).
_OPEN_SHARE = 0.05
# Days either side of a day in the local level its factors are measured against: a month
# of context, so a trend is not mistaken for a weekday or day-of-month effect.
_LOCAL_DAYS = 14
_BACKFIT_ROUNDS = 4
_MAX_PASSES = 2  # neighbour-smoothing passes tried for the intraday shape
_HOLDOUT_DAYS = 4  # same-profile days each pass count is checked on


@dataclass(frozen=True, slots=True)
class TopDownFit:
    """What `TopDown` learnt from a history: the day-total model and the shape smoothing."""

    level: float  # contacts on a day with every factor at 1, at the end of the history
    weekday: Matrix  # (7,) factor per profile day, Monday first
    month_day: Matrix  # (32,) factor per day of the month; index 0 unused (1.0)
    after_holiday: float  # factor of the first non-holiday day after a holiday
    passes: int  # [1, 2, 1] smoothing passes over each profile day's intraday shape
    shapes: Matrix  # (7, intervals): each profile day's share of its total per interval

    def day_total(self, day: date, calendar: DayCalendar) -> float:
        total = self.level * float(self.weekday[calendar.profile_day(day)])
        if calendar.kind(day) is DayKind.HOLIDAY:
            return total  # a holiday is its rest day, whatever the date
        total *= float(self.month_day[day.day])
        if calendar.kind(day - timedelta(days=1)) is DayKind.HOLIDAY:
            total *= self.after_holiday
        return total


@dataclass(frozen=True, slots=True)
class TopDown:
    """Day totals × intraday shape ("top-down").

    Most of a week-ahead error is the day's total, not how the day is spread: a bank's
    volume swings ±15 % with paydays at the start and middle of the month and after
    holidays, while each interval of one day is nearly Poisson around a stable shape. So
    the day's total is modelled on its own — y(d) = L · W(profile day) · M(day of month)
    · H (first day after a holiday) — and spread by the profile day's shape:

    - W and M by backfitting, each day's total measured against the mean of the days
      within two weeks of it (so a trend is not taken for a factor); M is shrunk towards
      1 as if `month_prior` days at 1 had been seen per day of month, and smoothed over
      neighbouring days (a payday on a Saturday moves its calls to the days around it);
    - L: the mean of the last `level_days` days' totals divided by their factors;
    - H: the mean ratio of the first days after holidays, shrunk by `after_prior` days;
    - the shape: the last `shape_days` ordinary same-profile days pooled, smoothed over
      neighbouring intervals 0–2 times — as many as predict the last few such days best
      (a 15-minute shape is mostly Poisson noise, an hourly one mostly signal).

    Special days are left out of W, M, L and the shape, and a holiday is forecast as its
    rest day (no day-of-month factor).
    """

    shape_days: int = 16
    level_days: int = 56
    month_prior: float = 3.0
    after_prior: float = 3.0
    name: str = "top_down"

    def predict(
        self, history: Matrix, dates: Sequence[date], calendar: DayCalendar, targets: Sequence[date]
    ) -> Matrix:
        fit = self.fit(history, dates, calendar)
        out = np.empty((len(targets), history.shape[1]))
        for row, target in enumerate(targets):
            out[row] = fit.day_total(target, calendar) * fit.shapes[calendar.profile_day(target)]
        return np.maximum(out, 0.0)

    def fit(self, history: Matrix, dates: Sequence[date], calendar: DayCalendar) -> TopDownFit:
        _check(history, dates, [])
        profiles = calendar.profiles(dates)
        complete = np.asarray(~np.isnan(history).any(axis=1))
        holiday = np.array([calendar.kind(d) is DayKind.HOLIDAY for d in dates])
        after = np.concatenate(([False], holiday[:-1])) & ~holiday
        ordinary = complete & ~calendar.is_special(dates)
        totals = np.where(complete, np.nansum(history, axis=1), 0.0)
        month_days = np.array([d.day for d in dates], dtype=np.int64)

        weekday, month_day, local = _day_factors(
            totals, profiles, month_days, ordinary & ~after, self.month_prior
        )
        expected = weekday[profiles] * month_day[month_days]
        is_open = weekday[profiles] > _OPEN_SHARE * max(float(weekday.max()), 1e-12)
        level_rows = ordinary & ~after & is_open
        recent = level_rows & (np.arange(len(dates)) >= len(dates) - self.level_days)
        rows = recent if recent.any() else level_rows
        level = float(np.mean(totals[rows] / expected[rows])) if rows.any() else 0.0

        firsts = ordinary & after & is_open & (local > 0)
        ratios = totals[firsts] / (local[firsts] * expected[firsts])
        after_holiday = float((ratios.sum() + self.after_prior) / (ratios.size + self.after_prior))

        passes = _smoothing_passes(history, profiles, ordinary, self.shape_days)
        shapes = _shapes(history, profiles, ordinary, complete, self.shape_days, passes)
        return TopDownFit(level, weekday, month_day, after_holiday, passes, shapes)


def _local_level(values: Matrix, use: np.ndarray) -> Matrix:
    """Mean of `values` over the `use` rows within `_LOCAL_DAYS` of each row (0 if none)."""
    sums = np.concatenate(([0.0], np.cumsum(np.where(use, values, 0.0))))
    counts = np.concatenate(([0], np.cumsum(use)))
    index = np.arange(values.size)
    lo = np.maximum(index - _LOCAL_DAYS, 0)
    hi = np.minimum(index + _LOCAL_DAYS + 1, values.size)
    n = counts[hi] - counts[lo]
    result: Matrix = np.where(n > 0, (sums[hi] - sums[lo]) / np.maximum(n, 1), 0.0)
    return result


def _day_factors(
    totals: Matrix, profiles: np.ndarray, month_days: np.ndarray, rows: np.ndarray, prior: float
) -> tuple[Matrix, Matrix, Matrix]:
    """Weekday and day-of-month factors of day totals, and each day's local level."""
    weekday, month_day = np.ones(7), np.ones(32)
    overall = float(totals[rows].mean()) if rows.any() else 0.0
    if overall <= 0:
        return weekday, month_day, np.zeros(totals.size)
    for p in range(7):  # a first guess, so closed days do not drag the first level down
        if (rows & (profiles == p)).any():
            weekday[p] = float(totals[rows & (profiles == p)].mean()) / overall
    local = np.zeros(totals.size)
    for _ in range(_BACKFIT_ROUNDS):
        is_open = weekday[profiles] > _OPEN_SHARE * float(weekday.max())
        expected = weekday[profiles] * month_day[month_days]
        use = rows & is_open
        local = _local_level(np.where(use, totals / np.where(use, expected, 1.0), 0.0), use)
        usable = rows & (local > 0)
        ratio = np.where(usable, totals / np.where(usable, local, 1.0), 0.0)
        for p in range(7):
            mine = usable & (profiles == p)
            if mine.any():
                weekday[p] = float(np.mean(ratio[mine] / month_day[month_days[mine]]))
        mine = usable & is_open
        scaled = ratio[mine] / weekday[profiles[mine]]
        sums = np.bincount(month_days[mine], weights=scaled, minlength=32)
        counts = np.bincount(month_days[mine], minlength=32)
        raw = (sums[1:] + prior) / (counts[1:] + prior)
        smooth = np.convolve(np.pad(raw, 1, mode="edge"), _KERNEL, mode="valid")
        month_day = np.concatenate(([1.0], smooth / smooth.mean()))
    return weekday, month_day, local


def _normalised(values: Matrix) -> Matrix | None:
    total = float(values.sum())
    return values / total if total > 0 else None


def _smooth_shape(shape: Matrix, passes: int) -> Matrix:
    for _ in range(passes):
        shape = _smoothed(shape)
    return shape / max(float(shape.sum()), 1e-12)


def _smoothing_passes(
    history: Matrix, profiles: np.ndarray, ordinary: np.ndarray, shape_days: int
) -> int:
    """How many neighbour-smoothing passes best predict the last few days of each profile
    from the days before them (fewest on a tie)."""
    errors = np.zeros(_MAX_PASSES + 1)
    for p in range(7):
        rows = np.flatnonzero(ordinary & (profiles == p))
        if rows.size < 2 * _HOLDOUT_DAYS:
            continue
        learn = rows[-(shape_days + _HOLDOUT_DAYS) : -_HOLDOUT_DAYS]
        shape = _normalised(history[learn].sum(axis=0))
        if shape is None:
            continue
        actual = history[rows[-_HOLDOUT_DAYS:]]
        day = actual.sum(axis=1, keepdims=True)
        for passes in range(_MAX_PASSES + 1):
            errors[passes] += float(np.abs(day * _smooth_shape(shape, passes) - actual).sum())
    return int(np.argmin(errors))


def _shapes(
    history: Matrix,
    profiles: np.ndarray,
    ordinary: np.ndarray,
    complete: np.ndarray,
    shape_days: int,
    passes: int,
) -> Matrix:
    """Each profile day's share of its total per interval: its last ordinary days pooled,
    else its last days of any kind, else the whole history's shape, else flat."""
    per_day = history.shape[1]
    overall = _normalised(np.nan_to_num(history[complete]).sum(axis=0))
    shapes = np.empty((7, per_day))
    for p in range(7):
        shape = None
        for rows in (ordinary & (profiles == p), complete & (profiles == p)):
            picked = np.flatnonzero(rows)[-shape_days:]
            shape = _normalised(history[picked].sum(axis=0)) if picked.size else None
            if shape is not None:
                break
        if shape is None:
            shape = overall if overall is not None else np.full(per_day, 1.0 / per_day)
        shapes[p] = _smooth_shape(shape, passes)
    return shapes


def default_models() -> tuple[Model, ...]:
    smoothing = ExponentialSmoothing()
    median = ProfileMedian()
    return (SeasonalNaive(), median, smoothing, TopDown(), Combination((smoothing, median)))


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
