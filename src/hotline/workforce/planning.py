"""The CPU-heavy steps of planning, run off the event loop (DESIGN §3.10): history rows → a
forecast with ranges and a backtest score → staffing; a staffing curve → a roster.

Everything here is synchronous and takes plain values; `WorkforceService` gathers them from
storage and calls these through `asyncio.to_thread`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from hotline.analytics.wfm.backtest import range_quantiles, score_models
from hotline.analytics.wfm.errors import WfmInputError
from hotline.analytics.wfm.forecast import Model, ProfileMedian, default_models, forecast_aht
from hotline.analytics.wfm.schedule import (
    Activity,
    AgentSpec,
    BreakRule,
    Contract,
    Roster,
    ScheduleProblem,
    ShiftTemplate,
    generate,
)
from hotline.analytics.wfm.series import DayCalendar, DayKind, IntervalHistory
from hotline.analytics.wfm.staffing import ServiceTarget, estimate_patience_s, staff
from hotline.hours import DayKind as HoursDay
from hotline.hours import InvalidHours, calendar_from_record
from hotline.hours.spans import weekday_index
from hotline.workforce.highs import HighsSolver

__all__ = ["PlanResult", "compute_plan", "compute_roster", "day_calendar"]

DEFAULT_AHT_S = 180.0
SLOT_MINUTES = 15


@dataclass(frozen=True, slots=True)
class PlanResult:
    model: str
    scores: list[dict[str, Any]]
    forecast: dict[str, Any]
    staffing: dict[str, Any]


def day_calendar(
    hours: Mapping[str, Any] | None,
    holiday_sets: Mapping[str, Sequence[Mapping[str, Any]]],
    first: date,
    last: date,
) -> DayCalendar:
    """The special days of a queue's business hours from `first` to `last`, as the hours
    engine answers them (the calendar's own dated entries and its linked holiday calendars):
    a holiday, or a day of its own hours that is closed, behaves like the rest day; a make-up
    workday (调休上班) like the weekday whose hours it keeps (`makeup_day`)."""
    if hours is None:
        return DayCalendar()
    try:
        engine = calendar_from_record(hours, holiday_sets)
        makeup = weekday_index(str(hours.get("makeup_day") or "mon"), "makeup_day")
    except InvalidHours:
        return DayCalendar()  # the directory validates calendars; an unreadable one adds none
    special: dict[date, DayKind] = {}
    day = first
    while day <= last:
        rule = engine.rule(day)
        if rule.kind is HoursDay.HOLIDAY or (rule.kind is HoursDay.SPECIAL and not rule.spans):
            special[day] = DayKind.HOLIDAY
        elif rule.kind is HoursDay.WORKDAY:
            special[day] = DayKind.WORKDAY
        day += timedelta(days=1)
    return DayCalendar(special, workday_as=makeup)


def _model_named(name: str) -> Model:
    return next(m for m in default_models() if m.name == name)


def compute_plan(
    history: IntervalHistory,
    calendar: DayCalendar,
    week_start: date,
    target: ServiceTarget,
) -> PlanResult:
    """Pick a model by backtest, forecast the week with ranges and AHT, and staff it."""
    dates, values = history.dates(), history.offered
    known = int((~np.isnan(values).all(axis=1)).sum())
    if known < 7:
        raise WfmInputError(
            f"the queue has {known} days of history; a forecast needs at least 7", field="history"
        )
    targets = [week_start + timedelta(days=i) for i in range(7)]
    window = min(28, (len(dates) - 28) // 7 * 7)
    scores: list[dict[str, Any]] = []
    if window >= 7:
        models = default_models()
        found, runs = score_models(models, values, dates, calendar, window_days=window)
        week = [f for f in found if f.horizon == "week"]
        best = min(week, key=lambda f: (np.nan_to_num(f.mase, nan=np.inf), f.model)).model
        bands = range_quantiles(runs[(best, "week")].residuals)
        scores = [
            {
                "model": f.model,
                "horizon": f.horizon,
                "mase": _finite(f.mase),
                "wape": _finite(f.wape),
                "relative": _finite(f.relative),
                "window_days": window,
            }
            for f in found
        ]
        model: Model = _model_named(best)
    else:  # too short to score: the robust profile, with Poisson-like ranges
        model = ProfileMedian()
        bands = range_quantiles(np.full((1, 1), np.nan))
    calls = model.predict(values, dates, calendar, targets)
    spread = np.sqrt(calls + 1.0)
    lower = np.maximum(0.0, calls - bands[1] * spread)
    upper = calls - bands[0] * spread
    if history.answered is not None and history.handle_s is not None:
        aht = forecast_aht(history.answered, history.handle_s, dates, calendar, targets)
        aht = np.where(np.isfinite(aht) & (aht > 0), aht, DEFAULT_AHT_S)
    else:
        aht = np.full(calls.shape, DEFAULT_AHT_S)
    patience = None
    if history.abandoned is not None and history.wait_s is not None:
        patience = estimate_patience_s(
            float(np.nansum(history.abandoned)), float(np.nansum(history.wait_s))
        )
    plan = staff(calls.ravel(), aht.ravel(), history.interval_s, target, patience_s=patience)
    forecast = {
        "days": [d.isoformat() for d in targets],
        "interval_s": history.interval_s,
        "calls": _rounded(calls.ravel(), 2),
        "lower": _rounded(lower.ravel(), 2),
        "upper": _rounded(upper.ravel(), 2),
        "aht_s": _rounded(aht.ravel(), 1),
        "special": [d.isoformat() for d in targets if calendar.kind(d) is not DayKind.REGULAR],
    }
    staffing = {
        "agents": plan.agents.tolist(),
        "scheduled": plan.scheduled.tolist(),
        "lines": plan.lines.tolist(),
        "model": plan.model,
        "patience_s": patience,
    }
    return PlanResult(model.name, scores, forecast, staffing)


def _finite(value: float) -> float | None:
    return None if not np.isfinite(value) else round(float(value), 4)


def _rounded(values: np.ndarray, digits: int) -> list[float]:
    return [round(float(v), digits) for v in values]


def template_spec(row: Mapping[str, Any]) -> ShiftTemplate:
    return ShiftTemplate(
        id=str(row["id"]),
        name=str(row["name"]),
        minutes=int(row["minutes"]),
        earliest_start=int(row["earliest_start"]),
        latest_start=int(row["latest_start"]),
        start_step=int(row["start_step"]),
        breaks=tuple(
            BreakRule(
                Activity(b["activity"]), int(b["minutes"]), int(b["earliest"]), int(b["latest"])
            )
            for b in row["breaks"]
        ),
        weekdays=frozenset(int(d) for d in row["weekdays"]),
    )


def agent_spec(
    agent_id: str, contract: Mapping[str, Any] | None, time_off: tuple[tuple[int, int, int], ...]
) -> AgentSpec:
    if contract is None:
        return AgentSpec(agent_id, Contract(), None, time_off)
    window = contract.get("availability")
    return AgentSpec(
        agent_id,
        Contract(
            int(contract["min_minutes"]),
            int(contract["max_minutes"]),
            int(contract["max_days"]),
            None if contract.get("templates") is None else frozenset(contract["templates"]),
        ),
        None if window is None else {int(k): (int(v[0]), int(v[1])) for k, v in window.items()},
        time_off,
    )


def required_per_slot(agents: Sequence[int], interval_s: int) -> np.ndarray:
    """The staffing curve at the schedule's 15-minute slots (an hour's need in each quarter)."""
    repeat = interval_s // (SLOT_MINUTES * 60)
    return np.repeat(np.asarray(agents, dtype=float), max(1, repeat))


def compute_roster(
    required: np.ndarray,
    templates: Sequence[ShiftTemplate],
    agents: Sequence[AgentSpec],
    week_start: date,
    *,
    time_limit_s: float,
) -> Roster:
    problem = ScheduleProblem(
        required, tuple(templates), tuple(agents), first_weekday=week_start.weekday()
    )
    return generate(problem, HighsSolver(), time_limit_s=time_limit_s, relative_gap=0.01)


def local_epoch(week_start: date, minute_of_week: int, zone: ZoneInfo) -> float:
    moment = datetime.combine(week_start, datetime.min.time()) + timedelta(minutes=minute_of_week)
    return moment.replace(tzinfo=zone).timestamp()


def time_off_minutes(
    spans: Sequence[tuple[float, float]], week_start: date, zone: ZoneInfo
) -> tuple[tuple[int, int, int], ...]:
    """Approved time off (epoch spans) as (day of the week, start minute, end minute)."""
    out = []
    for day in range(7):
        day_start = local_epoch(week_start, day * 1440, zone)
        day_end = local_epoch(week_start, (day + 1) * 1440, zone)
        for start, end in spans:
            lo, hi = max(start, day_start), min(end, day_end)
            if hi > lo:
                out.append((day, int((lo - day_start) // 60), int(-(-(hi - day_start) // 60))))
    return tuple(out)
