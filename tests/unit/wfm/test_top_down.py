"""The top-down model (day totals × intraday shape) on synthetic series with a known answer."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from hotline.analytics.wfm.backtest import backtest, range_quantiles, score_models
from hotline.analytics.wfm.forecast import ExponentialSmoothing, SeasonalNaive, TopDown
from hotline.analytics.wfm.series import DayCalendar, DayKind

FIRST = date(2026, 1, 4)  # a Sunday
WEEKDAY = np.array([1.0, 1.1, 1.0, 0.9, 0.8, 0.3, 0.0])  # Monday … Sunday; closed Sunday
HOURLY = np.concatenate([np.zeros(8), np.full(10, 0.08), np.full(4, 0.05), np.zeros(2)])


def dates(days: int) -> list[date]:
    return [FIRST + timedelta(days=i) for i in range(days)]


def expected_days(days: int, level: float, month: dict[int, float] | None = None) -> np.ndarray:
    month = month or {}
    return np.array(
        [level * WEEKDAY[d.weekday()] * month.get(d.day, 1.0) for d in dates(days)], dtype=float
    )


def test_exact_weekly_data_is_forecast_exactly() -> None:
    totals = expected_days(140, 2000.0)
    history = totals[:, None] * HOURLY
    targets = [FIRST + timedelta(days=140 + i) for i in range(7)]
    model = TopDown()
    fit = model.fit(history, dates(140), DayCalendar())
    assert fit.level * fit.weekday[1] / (fit.level * fit.weekday[0]) == pytest.approx(1.1)
    assert np.allclose(fit.month_day[1:], 1.0)
    assert fit.passes == 0  # a noiseless shape with steps: smoothing only blurs it
    out = model.predict(history, dates(140), DayCalendar(), targets)
    truth = np.array([2000.0 * WEEKDAY[t.weekday()] for t in targets])[:, None] * HOURLY
    assert np.allclose(out, truth)
    assert out[[t.weekday() for t in targets].index(6)].sum() == 0.0  # closed Sunday stays 0


def test_month_day_factor_is_learnt_and_forecast() -> None:
    # paydays: the 1st–3rd of every month bring 40 % more calls
    payday = {1: 1.4, 2: 1.4, 3: 1.4}
    rng = np.random.default_rng(3)
    days = 300
    history = rng.poisson(expected_days(days, 2000.0, payday)[:, None] * HOURLY).astype(float)
    fit = TopDown().fit(history, dates(days), DayCalendar())
    assert fit.month_day[2] / fit.month_day[20] == pytest.approx(1.4, abs=0.12)
    assert fit.month_day[15] == pytest.approx(fit.month_day[20], abs=0.05)
    # week-ahead over the last 8 weeks: knowing the paydays beats smoothing on weekdays only
    scores, _ = score_models(
        (TopDown(), ExponentialSmoothing()),
        history,
        dates(days),
        DayCalendar(),
        window_days=56,
        horizons=("week",),
    )
    week = {s.model: s.relative for s in scores}
    assert week["top_down"] < week["exp_smoothing"] - 0.05


def test_first_day_after_a_holiday_gets_its_factor() -> None:
    rng = np.random.default_rng(5)
    days = 210
    totals = expected_days(days, 2000.0)
    special: dict[date, DayKind] = {}
    for d in range(9, days - 7, 21):  # a Tuesday holiday every 3 weeks, a 30 % rush after it
        special[FIRST + timedelta(days=d)] = DayKind.HOLIDAY
        totals[d] = 0.0
        totals[d + 1] *= 1.3
    calendar = DayCalendar(special)
    history = rng.poisson(totals[:, None] * HOURLY).astype(float)
    model = TopDown()
    fit = model.fit(history, dates(days), calendar)
    # ten holidays seen; the estimate is shrunk towards 1 as if 3 ordinary days were added
    assert len(special) == 10
    assert fit.after_holiday == pytest.approx((10 * 1.3 + 3) / 13, abs=0.05)
    holiday = FIRST + timedelta(days=days + 1)  # a Monday
    targets = [holiday, holiday + timedelta(days=1), holiday + timedelta(days=8)]
    calendar = DayCalendar({**special, holiday: DayKind.HOLIDAY})
    out = model.predict(history, dates(days), calendar, targets)
    assert out[0].sum() == 0.0  # a holiday is the closed rest day
    month = fit.month_day[targets[1].day] / fit.month_day[targets[2].day]
    assert out[1].sum() / out[2].sum() == pytest.approx(fit.after_holiday * month, rel=1e-9)


def test_noisy_fifteen_minute_shape_is_smoothed() -> None:
    rng = np.random.default_rng(7)
    minutes = np.arange(96) * 15 + 7.5
    shape = np.exp(-(((minutes - 660) / 180) ** 2)) + 0.6 * np.exp(-(((minutes - 900) / 120) ** 2))
    shape /= shape.sum()
    days = 120
    history = rng.poisson(expected_days(days, 1500.0)[:, None] * shape).astype(float)
    fit = TopDown().fit(history, dates(days), DayCalendar())
    assert fit.passes >= 1
    # the smoothed shape is closer to the truth than the raw pooled one
    monday = np.flatnonzero(np.array([d.weekday() for d in dates(days)]) == 0)[-16:]
    raw = history[monday].sum(axis=0) / history[monday].sum()
    assert np.abs(fit.shapes[0] - shape).sum() < np.abs(raw - shape).sum()


def test_poisson_weeks_score_near_one_over_root_two_with_calibrated_ranges() -> None:
    # with a constant level the only error left is Poisson: seasonal naive's is the difference
    # of two Poisson counts (√2 × one), a model that knows the mean has one
    rng = np.random.default_rng(11)
    days = 140
    history = rng.poisson(expected_days(days, 3000.0)[:, None] * HOURLY).astype(float)
    earlier = days - 56
    _, runs = score_models(
        (TopDown(),), history, dates(days), DayCalendar(), window_days=56, end=earlier
    )
    bands = {key: range_quantiles(run.residuals) for key, run in runs.items()}
    scores, _ = score_models(
        (TopDown(),), history, dates(days), DayCalendar(), window_days=56, calibration=bands
    )
    week = next(s for s in scores if s.model == "top_down" and s.horizon == "week")
    assert 0.64 < week.relative < 0.78
    assert 0.74 < week.coverage < 0.86


def test_missing_days_and_short_history() -> None:
    totals = expected_days(21, 1000.0)
    history = totals[:, None] * HOURLY
    history[3] = np.nan  # a day the source lost
    history[10, 12] = np.nan
    out = TopDown().predict(history, dates(21), DayCalendar(), [FIRST + timedelta(days=22)])
    assert np.isfinite(out).all()
    assert out.sum() == pytest.approx(1000.0 * WEEKDAY[(FIRST + timedelta(days=22)).weekday()])
    run = backtest(
        TopDown(), np.vstack([history] * 3), dates(63), DayCalendar(), window_days=7, horizon="day"
    )
    assert np.isfinite(run.forecasts).all()
    zero = TopDown().predict(np.zeros((14, 24)), dates(14), DayCalendar(), [FIRST + timedelta(14)])
    assert zero.sum() == 0.0
    assert SeasonalNaive().name != TopDown().name
