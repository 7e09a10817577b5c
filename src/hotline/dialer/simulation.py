"""A discrete-event simulation of an outbound campaign that drives the real pacer: virtual
callees (answer rate drifting between 20 and 60 % over the day, lognormal ring and talk
times, 10 % of answers by machines), agents with wrap-up, and the safe-harbor rule (an
answered person who finds no agent within 2 s hears the message and counts as abandoned).

Callees are drawn per dial from the run's own generator, always the same draws for the n-th
dial, so runs that differ only in pacing meet the same people (common random numbers). Time
is virtual; the pacer is asked after every change and on a 1 s tick.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from hotline.dialer.pacing import Pacer, PacerSettings

__all__ = ["Callees", "DayResult", "SimResult", "Staffing", "simulate"]

DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class Callees:
    """Who the dialed numbers are. The person-or-machine answer rate follows a daily curve
    between `answer_low` and `answer_high` with a random level per day."""

    answer_low: float = 0.2
    answer_high: float = 0.6
    machine_share: float = 0.1  # of answers
    busy: float = 0.08
    invalid: float = 0.05
    ring_mean_s: float = 9.0
    ring_sd_s: float = 5.0
    ring_timeout_s: float = 25.0
    talk_mean_s: float = 150.0
    talk_sd_s: float = 110.0
    amd_decision_s: float = 2.5  # machines are dropped after this

    def answer_rate(self, day_level: float, hour: float) -> float:
        # Low at lunch and early afternoon, high in the evening, the day's level on top.
        wave = 0.5 + 0.5 * math.sin((hour - 12.0) / 24.0 * 2 * math.pi - 0.6)
        mix = 0.6 * wave + 0.4 * day_level
        return self.answer_low + (self.answer_high - self.answer_low) * mix


@dataclass(frozen=True, slots=True)
class Staffing:
    agents: int = 20
    start_hour: float = 9.0
    end_hour: float = 21.0
    wrap_up_s: float = 15.0


@dataclass(slots=True)
class DayResult:
    dials: int = 0
    answered: int = 0  # by a person
    abandoned: int = 0
    machines: int = 0
    talk_s: float = 0.0
    handle_s: float = 0.0
    staffed_s: float = 0.0

    @property
    def abandon_rate(self) -> float:
        return self.abandoned / self.answered if self.answered else 0.0

    @property
    def talk_occupancy(self) -> float:
        return self.talk_s / self.staffed_s if self.staffed_s else 0.0


@dataclass(slots=True)
class SimResult:
    label: str
    days: list[DayResult] = field(default_factory=list)
    # (time, abandoned?) of every person-answered call, to check every rolling window.
    answers: list[tuple[float, bool]] = field(default_factory=list)
    safe_harbor_delays: list[float] = field(default_factory=list)

    def total(self) -> DayResult:
        out = DayResult()
        for d in self.days:
            out.dials += d.dials
            out.answered += d.answered
            out.abandoned += d.abandoned
            out.machines += d.machines
            out.talk_s += d.talk_s
            out.handle_s += d.handle_s
            out.staffed_s += d.staffed_s
        return out

    def worst_window(self, window_s: float = DAY, step_s: float = 900.0) -> float:
        """The highest abandon rate of any window of `window_s` ending on a `step_s` grid
        (and at each answer)."""
        if not self.answers:
            return 0.0
        times = [t for t, _ in self.answers]
        worst = 0.0
        lo = 0
        answered = abandoned = 0
        ends = sorted(
            {
                *times,
                *(times[0] + k * step_s for k in range(int((times[-1] - times[0]) / step_s) + 2)),
            }
        )
        hi = 0
        for end in ends:
            while hi < len(times) and times[hi] <= end:
                answered += 1
                abandoned += self.answers[hi][1]
                hi += 1
            while lo < hi and times[lo] <= end - window_s:
                answered -= 1
                abandoned -= self.answers[lo][1]
                lo += 1
            if answered:
                worst = max(worst, abandoned / answered)
        return worst


@dataclass(slots=True)
class _Agent:
    busy_since: float | None = None  # None: idle


def simulate(
    settings: PacerSettings,
    *,
    days: int = 7,
    staffing: Staffing | None = None,
    callees: Callees | None = None,
    seed: int = 1,
    label: str = "",
    tick_s: float = 1.0,
    on_day: Callable[[int, DayResult], None] | None = None,
) -> SimResult:
    staff = staffing or Staffing()
    people = callees or Callees()
    pacer = Pacer(settings)
    fate = random.Random(seed)  # one fixed series of draws per dial
    agent_luck = random.Random(seed + 1)
    levels = random.Random(seed + 2)
    day_levels = [levels.random() for _ in range(days)]
    result = SimResult(label or str(settings.mode))
    agents = [_Agent() for _ in range(staff.agents)]
    ringing: dict[int, float] = {}  # dial id → placed at
    waiting: deque[tuple[int, float, float]] = deque()  # (dial, answered at, talk) for 2 s
    events: list[tuple[float, int, str, int, float]] = []
    order = 0

    def push(at: float, kind: str, ref: int = 0, value: float = 0.0) -> None:
        nonlocal order
        order += 1
        heapq.heappush(events, (at, order, kind, ref, value))

    ring_sigma = math.sqrt(math.log1p((people.ring_sd_s / people.ring_mean_s) ** 2))
    ring_mu = math.log(people.ring_mean_s) - ring_sigma**2 / 2
    talk_sigma = math.sqrt(math.log1p((people.talk_sd_s / people.talk_mean_s) ** 2))
    talk_mu = math.log(people.talk_mean_s) - talk_sigma**2 / 2
    dial_id = 0

    for day in range(days):
        today = DayResult()
        result.days.append(today)
        start = day * DAY + staff.start_hour * 3600
        end = day * DAY + staff.end_hour * 3600
        now = start
        today.staffed_s = (end - start) * staff.agents
        push(start, "tick")
        while events:
            now, _, kind, ref, value = heapq.heappop(events)
            if kind == "tick":
                if now < end:
                    push(now + tick_s, "tick")
            elif kind == "ended":  # rang out, busy, dead: the dial is over unanswered
                if ref in ringing:
                    del ringing[ref]
                    pacer.dial_ended(person=False)
            elif kind == "machine":
                if ref in ringing:
                    del ringing[ref]
                    pacer.dial_ended(person=False)
                    today.machines += 1
            elif kind == "answer":
                placed = ringing.pop(ref, None)
                if placed is not None:
                    pacer.dial_ended(person=True, ring_s=now - placed)
                    waiting.append((ref, now, value))
                    push(now + settings.connect_grace_s, "give_up", ref)
            elif kind == "give_up":
                for index, (dial, answered_at, _) in enumerate(waiting):
                    if dial == ref:
                        del waiting[index]
                        today.answered += 1
                        today.abandoned += 1
                        pacer.answered(now, abandoned=True)
                        result.answers.append((now, True))
                        result.safe_harbor_delays.append(now - answered_at)
                        break
            elif kind == "free":
                agents[ref].busy_since = None
                pacer.handled(value)
            # connect waiting people to idle agents
            while waiting:
                idle = next((a for a in agents if a.busy_since is None), None)
                if idle is None:
                    break
                dial, answered_at, talk = waiting.popleft()
                idle.busy_since = now
                today.answered += 1
                today.talk_s += talk
                today.handle_s += talk + staff.wrap_up_s
                pacer.answered(now, abandoned=False)
                result.answers.append((now, False))
                push(
                    now + talk + staff.wrap_up_s, "free", agents.index(idle), talk + staff.wrap_up_s
                )
            if now >= end or kind not in ("tick", "free", "give_up"):
                continue  # placing is decided on the tick and when an agent frees
            idle_count = sum(1 for a in agents if a.busy_since is None) - len(waiting)
            busy = [now - a.busy_since for a in agents if a.busy_since is not None]
            decision = pacer.decide(
                now,
                idle_agents=max(0, idle_count),
                busy_elapsed=busy,
                ringing_elapsed=[now - t for t in ringing.values()],
            )
            hour = (now % DAY) / 3600.0
            rate = people.answer_rate(day_levels[day], hour)
            for _ in range(decision.calls):
                dial_id += 1
                today.dials += 1
                ringing[dial_id] = now
                u, ring, talk = (
                    fate.random(),
                    fate.lognormvariate(ring_mu, ring_sigma),
                    fate.lognormvariate(talk_mu, talk_sigma),
                )
                ring = min(ring, people.ring_timeout_s - 0.5)
                machine_u = fate.random()
                if u < rate:
                    if machine_u < people.machine_share:
                        push(now + ring + people.amd_decision_s, "machine", dial_id)
                    else:
                        push(now + ring, "answer", dial_id, max(5.0, talk))
                elif u < rate + people.busy:
                    push(now + 1.0 + agent_luck.random(), "ended", dial_id)
                elif u < rate + people.busy + people.invalid:
                    push(now + 0.5 + agent_luck.random(), "ended", dial_id)
                else:
                    push(now + people.ring_timeout_s, "ended", dial_id)
        if on_day is not None:
            on_day(day, today)
    return result
