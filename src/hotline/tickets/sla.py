"""SLA clocks (pure): which policy applies to a ticket, how much business time a target has
used, what is due now (reminder, breach, escalation levels) and when the next step falls.

A clock counts business seconds of the policy's calendar (the one hours engine,
`hotline.hours`): `consumed_s` before the running stretch plus the open seconds since
`running_since`. Pending on the customer pauses it (`running_since` None). The steps of a
target, in business seconds: the reminder at `remind_percent` of the budget, the breach at
the budget, escalation level n at the budget plus `escalation[n-1].after_s`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

__all__ = [
    "BusinessTime",
    "EscalationLevel",
    "SlaClock",
    "SlaPolicy",
    "Step",
    "Target",
    "choose_policy",
    "deadline",
    "due_steps",
    "elapsed",
    "meet",
    "next_due_at",
    "pause",
    "resume",
    "start",
]

# Float time: a job fired at the computed instant may see 1e-9 s less open time.
_EPSILON = 1e-3


class Target(StrEnum):
    FIRST_RESPONSE = "first_response"  # 首次响应
    NEXT_RESPONSE = "next_response"  # 再次响应 (after each customer reply)
    RESOLUTION = "resolution"  # 解决


class BusinessTime(Protocol):
    """What `hotline.hours.BusinessCalendar` offers the SLA clock."""

    def business_seconds(self, t1: float, t2: float) -> float: ...

    def add_business_seconds(self, t: float, seconds: float) -> float | None: ...


@dataclass(frozen=True, slots=True)
class EscalationLevel:
    to: str  # lead | manager | assignee
    after_s: int = 0  # business seconds after the breach
    reassign: bool = False


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    id: str
    name: str
    position: int
    priorities: frozenset[str] = frozenset()  # empty: any
    categories: frozenset[str] = frozenset()  # category codes; a sub-category matches too
    min_vip_level: int | None = None
    first_response_s: int | None = None
    next_response_s: int | None = None
    resolution_s: int | None = None
    calendar: str | None = None
    remind_percent: int = 80
    escalation: tuple[EscalationLevel, ...] = ()
    active: bool = True

    def budget(self, target: Target) -> int | None:
        return {
            Target.FIRST_RESPONSE: self.first_response_s,
            Target.NEXT_RESPONSE: self.next_response_s,
            Target.RESOLUTION: self.resolution_s,
        }[target]

    def matches(self, priority: str, categories: Iterable[str], vip_level: int) -> bool:
        if self.priorities and priority not in self.priorities:
            return False
        if self.categories and not self.categories & set(categories):
            return False
        return self.min_vip_level is None or vip_level >= self.min_vip_level


def choose_policy(
    policies: Sequence[SlaPolicy], *, priority: str, categories: Iterable[str], vip_level: int
) -> SlaPolicy | None:
    """The first active policy (by position) whose conditions hold. `categories` is the
    ticket's category and its ancestors."""
    wanted = list(categories)
    for policy in sorted(policies, key=lambda p: (p.position, p.name)):
        if policy.active and policy.matches(priority, wanted, vip_level):
            return policy
    return None


@dataclass(frozen=True, slots=True)
class SlaClock:
    ticket_id: str
    target: Target
    policy_id: str
    budget_s: int
    consumed_s: float = 0.0
    running_since: float | None = None
    due_at: float | None = None
    reminded: bool = False
    breached_at: float | None = None
    escalation_level: int = 0
    met_at: float | None = None
    generation: int = 0


@dataclass(frozen=True, slots=True)
class Step:
    kind: str  # remind | breach | escalate
    level: int = 0  # escalation level (1-based) for "escalate"
    at_s: float = 0.0  # the step's point in business seconds


def start(ticket_id: str, target: Target, policy: SlaPolicy, now: float) -> SlaClock | None:
    budget = policy.budget(target)
    if budget is None:
        return None
    return SlaClock(ticket_id, target, policy.id, budget, running_since=now)


def elapsed(clock: SlaClock, calendar: BusinessTime, now: float) -> float:
    running = 0.0
    if clock.running_since is not None and now > clock.running_since:
        running = calendar.business_seconds(clock.running_since, now)
    return clock.consumed_s + running


def pause(clock: SlaClock, calendar: BusinessTime, now: float) -> SlaClock:
    if clock.running_since is None or clock.met_at is not None:
        return clock
    return replace(
        clock,
        consumed_s=elapsed(clock, calendar, now),
        running_since=None,
        due_at=None,
        generation=clock.generation + 1,
    )


def resume(clock: SlaClock, now: float) -> SlaClock:
    if clock.running_since is not None or clock.met_at is not None:
        return clock
    return replace(clock, running_since=now, generation=clock.generation + 1)


def meet(clock: SlaClock, calendar: BusinessTime, now: float) -> SlaClock:
    """The target was met (or, for a late response, answered after the breach): stop."""
    if clock.met_at is not None:
        return clock
    stopped = pause(clock, calendar, now)
    return replace(stopped, met_at=now, due_at=None, generation=clock.generation + 1)


def _steps(clock: SlaClock, policy: SlaPolicy) -> list[Step]:
    """The steps not yet taken, in order."""
    steps: list[Step] = []
    if not clock.reminded and 0 < policy.remind_percent < 100:
        steps.append(Step("remind", at_s=clock.budget_s * policy.remind_percent / 100))
    if clock.breached_at is None:
        steps.append(Step("breach", at_s=float(clock.budget_s)))
    for n, level in enumerate(policy.escalation, start=1):
        if n > clock.escalation_level:
            steps.append(Step("escalate", level=n, at_s=float(clock.budget_s + level.after_s)))
    return steps


def due_steps(
    clock: SlaClock, policy: SlaPolicy, calendar: BusinessTime, now: float
) -> tuple[list[Step], SlaClock]:
    """The steps due at `now` (none while paused or met) and the clock with them taken."""
    if clock.met_at is not None or clock.running_since is None:
        return [], clock
    used = elapsed(clock, calendar, now)
    due = [s for s in _steps(clock, policy) if s.at_s <= used + _EPSILON]
    after = clock
    for step in due:
        if step.kind == "remind":
            after = replace(after, reminded=True)
        elif step.kind == "breach":
            after = replace(after, breached_at=now)
        else:
            after = replace(after, escalation_level=step.level)
    return due, after


def next_due_at(
    clock: SlaClock, policy: SlaPolicy, calendar: BusinessTime, now: float
) -> float | None:
    """When the next step falls (wall time), or None: paused, met, or nothing left."""
    if clock.met_at is not None or clock.running_since is None:
        return None
    steps = _steps(clock, policy)
    if not steps:
        return None
    left = steps[0].at_s - clock.consumed_s
    at = calendar.add_business_seconds(clock.running_since, max(0.0, left))
    return None if at is None else max(at, now)


def deadline(clock: SlaClock, calendar: BusinessTime) -> float | None:
    """When the target breaches if the clock keeps running (None: paused, met or no time)."""
    if clock.met_at is not None or clock.running_since is None:
        return None
    return calendar.add_business_seconds(
        clock.running_since, max(0.0, clock.budget_s - clock.consumed_s)
    )
