"""What-if: a forecast and a schedule's coverage through the simulator, before the week starts.

The simulator (`hotline.analytics.simulate`) drives the real router in virtual time. Here one
queue gets the forecast's arrivals (Poisson, the rate of each slot), lognormal handle times
with the forecast's mean, exponential patience when known, and exactly as many agents logged
in per slot as the schedule has working (breaks taken out). Each day runs as its own
scenario so the report has a service level, ASA and abandon share per day as well as for the
week; the week's figures are weighted by calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.analytics.simulate import (
    AgentGroup,
    ArrivalProfile,
    Exponential,
    LogNormal,
    Scenario,
    Staffing,
    TrafficStream,
    simulate,
)
from hotline.analytics.wfm.staffing import ServiceTarget
from hotline.ids import QueueId
from hotline.routing import QueueConfig, ServiceLevelTarget

__all__ = ["DayOutcome", "WhatIf", "what_if"]

Vector = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class DayOutcome:
    day: int
    calls: float  # offered per replication
    service_level: float
    asa_s: float
    abandon_share: float


@dataclass(frozen=True, slots=True)
class WhatIf:
    target: float
    target_s: float
    days: tuple[DayOutcome, ...]
    service_level: float  # the week, weighted by calls
    asa_s: float
    abandon_share: float
    replications: int


def what_if(
    calls: Vector,
    aht_s: Vector,
    coverage: Vector,
    slot_s: int,
    target: ServiceTarget,
    *,
    patience_s: float | None = None,
    aht_cv: float = 1.0,
    replications: int = 3,
    seed: int = 2026,
    on_progress: Callable[[float], None] | None = None,
) -> WhatIf:
    """Simulate each day of `calls`/`aht_s`/`coverage` (one value per slot of the week)."""
    per_day = 86_400 // slot_s
    days = calls.size // per_day
    outcomes: list[DayOutcome] = []
    for day in range(days):
        window = slice(day * per_day, (day + 1) * per_day)
        day_calls = calls[window]
        if day_calls.sum() <= 0:
            continue
        answered = day_calls > 0
        mean_aht = float(np.average(aht_s[window][answered], weights=day_calls[answered]))
        counts = tuple(int(np.rint(c)) for c in coverage[window])
        queue = QueueConfig(
            QueueId("plan"),
            sl=ServiceLevelTarget(target.service_level, target.target_s),
            wrap_up_s=0.0,
            priority_credit_s=None,
            callbacks=False,
        )
        scenario = Scenario(
            name=f"what-if day {day + 1}",
            queues=(queue,),
            agents=(
                AgentGroup(
                    "scheduled", max(1, max(counts)), staffing=Staffing(counts, float(slot_s))
                ),
            ),
            traffic=(
                TrafficStream(
                    "forecast",
                    QueueId("plan"),
                    ArrivalProfile(tuple(float(c) * 3600.0 / slot_s for c in day_calls), slot_s),
                    LogNormal(mean_aht, mean_aht * aht_cv),
                    patience=None if patience_s is None else Exponential(patience_s),
                ),
            ),
            horizon_s=86_400.0,
            replications=replications,
            seed=seed + day,
        )
        progress = None if on_progress is None else _share(on_progress, day, days)
        result = simulate(scenario, on_progress=progress).queues[0]
        outcomes.append(
            DayOutcome(
                day,
                result.offered.mean,
                result.service_level.mean,
                result.asa_s.mean,
                result.abandon_share.mean,
            )
        )
    weights = np.array([o.calls for o in outcomes]) if outcomes else np.ones(1)

    def weighted(values: list[float]) -> float:
        return float(np.average(values, weights=weights)) if outcomes else 0.0

    return WhatIf(
        target=target.service_level,
        target_s=target.target_s,
        days=tuple(outcomes),
        service_level=weighted([o.service_level for o in outcomes]),
        asa_s=weighted([o.asa_s for o in outcomes]),
        abandon_share=weighted([o.abandon_share for o in outcomes]),
        replications=replications,
    )


def _share(report: Callable[[float], None], day: int, days: int) -> Callable[[float], None]:
    return lambda fraction: report((day + fraction) / days)
