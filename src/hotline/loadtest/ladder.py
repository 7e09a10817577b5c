"""Load plans: rising rates (calls/s, one sipp run each) or a fixed number of concurrent calls,
and what each step is worth — the rate answered, its share failed, set-up p50/p95, the 503s
and the server's CPU per answered call."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hotline.loadtest.cpu import ProcessTreeCpu
from hotline.loadtest.sipp import SippTarget, StepCounts, percentile, run_step

__all__ = ["FAILED_SHARE", "LoadPlan", "Step", "best_rate", "run_plan"]

# A step passes when fewer than this share of its calls failed, 503s included.
FAILED_SHARE = 0.01


@dataclass(frozen=True, slots=True)
class LoadPlan:
    """`rates` (calls/s, one step each), or `concurrent` calls kept up for `seconds`."""

    rates: tuple[float, ...] = (50.0, 100.0, 200.0)
    concurrent: int | None = None
    seconds: float = 10.0
    hold_ms: int = 1000


@dataclass(frozen=True, slots=True)
class Step:
    target_rate: float  # calls/s asked of sipp
    concurrent: int | None  # the fixed-concurrency plan's call count, else None
    counts: StepCounts
    hold_s: float
    cpu_s: float | None  # the server's CPU seconds over the step (None: not on this machine)

    @property
    def not_served(self) -> int:
        return self.counts.failed + self.counts.errors + self.counts.shed

    @property
    def failed_share(self) -> float:
        return self.not_served / self.counts.calls if self.counts.calls else 0.0

    @property
    def rate(self) -> float:
        """Answered calls per second over the time calls were being placed."""
        placing = max(self.counts.elapsed_s - self.hold_s, 1e-3)
        return self.counts.answered / placing

    @property
    def passed(self) -> bool:
        return self.failed_share < FAILED_SHARE and self.rate >= 0.9 * self.target_rate

    @property
    def setup_p50_ms(self) -> float:
        return percentile(self.counts.setup_ms, 50)

    @property
    def setup_p95_ms(self) -> float:
        return percentile(self.counts.setup_ms, 95)

    @property
    def cpu_ms_per_call(self) -> float | None:
        if self.cpu_s is None or not self.counts.answered:
            return None
        return 1000.0 * self.cpu_s / self.counts.answered

    @property
    def cores_busy(self) -> float | None:
        """The server's CPU over the step's wall time: 1.0 is one core fully used."""
        if self.cpu_s is None or not self.counts.elapsed_s:
            return None
        return self.cpu_s / self.counts.elapsed_s


def best_rate(steps: list[Step]) -> float:
    """The highest target rate of a passing step (0 when none passed)."""
    return max((s.target_rate for s in steps if s.passed), default=0.0)


async def run_plan(
    target: SippTarget,
    plan: LoadPlan,
    *,
    callers: Path,
    workdir: Path,
    cpu: ProcessTreeCpu | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> list[Step]:
    hold_s = plan.hold_ms / 1000
    steps: list[Step] = []
    if plan.concurrent is not None:
        # Keep `concurrent` calls up: new calls as fast as old ones end, for `seconds`.
        rate = max(1.0, plan.concurrent / max(hold_s, 0.05))
        schedule = [(rate, plan.concurrent, max(1, math.ceil(rate * plan.seconds)))]
    else:
        schedule = [
            (rate, max(10, math.ceil(rate * (hold_s + 10))), max(1, math.ceil(rate * plan.seconds)))
            for rate in plan.rates
        ]
    for index, (rate, limit, calls) in enumerate(schedule):
        before = cpu.seconds() if cpu is not None else None
        counts = await run_step(
            target,
            rate=rate,
            calls=calls,
            hold_ms=plan.hold_ms,
            limit=limit,
            callers=callers,
            workdir=workdir / f"step-{index}",
        )
        used = cpu.seconds() - before if cpu is not None and before is not None else None
        step = Step(rate, plan.concurrent, counts, hold_s, used)
        steps.append(step)
        if on_step is not None:
            on_step(step)
    return steps
