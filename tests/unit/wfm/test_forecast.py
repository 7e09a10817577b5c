"""Forecast models and the rolling-origin backtest on synthetic Poisson weeks."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from hotline.analytics.wfm.backtest import backtest, range_quantiles, score_models, select_model
from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.forecast import (
    ExponentialSmoothing,
    ProfileMedian,
    SeasonalNaive,
    default_models,
    forecast_aht,
)
from hotline.analytics.wfm.series import DayCalendar, DayKind, IntervalHistory

FIRST = date(2026, 1, 5)  # a Monday
SHAPE = np.concatenate([np.zeros(8), np.full(10, 40.0), np.full(6, 10.0)])  # hourly
WEEK = [1.0, 1.0, 1.0, 1.0, 0.9, 0.3, 0.0]


def history(days: int = 84, seed: int = 1) -> IntervalHistory:
    rng = np.random.default_rng(seed)
    rows = [rng.poisson(SHAPE * WEEK[(FIRST + timedelta(days=d)).weekday()]) for d in range(days)]
    return IntervalHistory(FIRST, 3600, np.array(rows, dtype=float))


def test_seasonal_naive_repeats_last_week() -> None:
    h = history(28)
    targets = [FIRST + timedelta(days=28 + i) for i in range(9)]
    out = SeasonalNaive().predict(h.offered, h.dates(), DayCalendar(), targets)
    assert np.array_equal(out[0], h.offered[21])
    assert np.array_equal(out[8], h.offered[22])  # past a week ahead it steps back again


def test_smoothing_beats_seasonal_naive_on_poisson_weeks() -> None:
    h = history()
    scores, _ = score_models(default_models(), h.offered, h.dates(), DayCalendar(), window_days=28)
    week = {s.model: s for s in scores if s.horizon == "week"}
    assert week["seasonal_naive"].relative == pytest.approx(1.0)
    assert week["exp_smoothing"].relative < 0.85
    assert week["combined"].mase < week["seasonal_naive"].mase


def test_holiday_takes_the_rest_day_profile_and_is_not_scored() -> None:
    h = history(56)
    holiday = FIRST + timedelta(days=57)  # a Tuesday
    calendar = DayCalendar({holiday: DayKind.HOLIDAY})
    out = ProfileMedian().predict(h.offered, h.dates(), calendar, [holiday])
    assert out.sum() == 0.0  # Sunday: closed
    workday = FIRST + timedelta(days=62)  # a Sunday worked as a Monday (调休)
    calendar = DayCalendar({workday: DayKind.WORKDAY})
    assert ExponentialSmoothing().predict(h.offered, h.dates(), calendar, [workday]).sum() > 300
    special = DayCalendar({h.dates()[-3]: DayKind.HOLIDAY})
    run = backtest(SeasonalNaive(), h.offered, h.dates(), special, window_days=14, horizon="day")
    assert not run.scored[-3]
    assert run.scored.sum() == 13


def test_selection_and_ranges() -> None:
    h = history()
    chosen = select_model(default_models(), h.offered, h.dates(), DayCalendar(), window_days=28)
    assert chosen.best != "seasonal_naive"
    run = backtest(
        chosen_model(chosen.best),
        h.offered,
        h.dates(),
        DayCalendar(),
        window_days=28,
        horizon="week",
    )
    lo, hi = range_quantiles(run.residuals)
    assert lo < 0 < hi


def chosen_model(name: str):  # type: ignore[no-untyped-def]
    return next(m for m in default_models() if m.name == name)


def test_backtest_needs_four_weeks_before_the_window() -> None:
    h = history(40)
    with pytest.raises(WfmInputError, match="4 weeks"):
        backtest(
            SeasonalNaive(), h.offered, h.dates(), DayCalendar(), window_days=28, horizon="day"
        )
    with pytest.raises(WfmInputError, match="horizon"):
        backtest(
            SeasonalNaive(), h.offered, h.dates(), DayCalendar(), window_days=7, horizon="month"
        )


def test_handle_time_shrinks_thin_intervals_to_the_day() -> None:
    answered = np.zeros((14, 24))
    handle = np.zeros((14, 24))
    answered[:, 10] = 100.0
    handle[:, 10] = 100.0 * 200.0
    answered[:, 3] = 1.0
    handle[:, 3] = 1000.0
    days = [FIRST + timedelta(days=i) for i in range(14)]
    out = forecast_aht(answered, handle, days, DayCalendar(), [FIRST + timedelta(days=14)])
    assert out[0, 10] == pytest.approx(200.0, rel=0.05)
    assert out[0, 3] < 400.0  # two calls of 1000 s do not make a 1000 s interval


def test_interval_history_checks_and_coarsens() -> None:
    with pytest.raises(WfmInputError, match="300"):
        IntervalHistory(FIRST, 240, np.zeros((1, 360)))
    quarter = IntervalHistory(FIRST, 900, np.ones((2, 96)))
    assert quarter.coarsen(3600).offered.tolist() == [[4.0] * 24] * 2
