"""Adherence and conformance: the schedule against the agent's real states (GLOSSARY).

- Adherence % = seconds in the activity the schedule asked for / scheduled seconds. During
  work the agent must be available, reserved, busy or in wrap-up; during a break or lunch
  she must be not ready or logged out.
- Conformance % = seconds actually working (any of the working states, whenever they fell) /
  seconds of work scheduled: did she work as much as planned, whenever.
- Out of adherence now: the current state does not fit the current activity, and since when.

States come as intervals (state, start, end) rebuilt from `agent.state_changed` events;
activities as (activity, start, end) from the published schedule. Epoch seconds throughout.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "WORKING_STATES",
    "AdherenceFigures",
    "LiveAdherence",
    "adherence",
    "live_adherence",
    "state_intervals",
]

WORKING_STATES = frozenset({"available", "reserved", "busy", "wrap_up"})
AWAY_STATES = frozenset({"not_ready", "logged_out"})

Span = tuple[str, float, float]


@dataclass(frozen=True, slots=True)
class AdherenceFigures:
    scheduled_s: float
    adherent_s: float
    work_scheduled_s: float
    worked_s: float

    @property
    def adherence(self) -> float | None:
        return self.adherent_s / self.scheduled_s if self.scheduled_s else None

    @property
    def conformance(self) -> float | None:
        return self.worked_s / self.work_scheduled_s if self.work_scheduled_s else None


@dataclass(frozen=True, slots=True)
class LiveAdherence:
    activity: str | None  # None: not scheduled now
    state: str
    in_adherence: bool
    out_since: float | None  # when the current mismatch began


def _fits(activity: str, state: str) -> bool:
    return state in (WORKING_STATES if activity == "work" else AWAY_STATES)


def state_intervals(changes: Iterable[tuple[float, str, str, float]], until: float) -> list[Span]:
    """(state, start, end) spans from (at, state, previous, previous_duration_s) changes in
    time order; the span before the first change comes from its previous state."""
    spans: list[Span] = []
    current: tuple[str, float] | None = None
    for at, state, previous, previous_duration_s in changes:
        if current is None:
            spans.append((previous, at - previous_duration_s, at))
        else:
            spans.append((current[0], current[1], at))
        current = (state, at)
    if current is not None and until > current[1]:
        spans.append((current[0], current[1], until))
    return [s for s in spans if s[2] > s[1]]


def _overlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return max(0.0, min(a1, b1) - max(a0, b0))


def adherence(activities: Sequence[Span], states: Sequence[Span], until: float) -> AdherenceFigures:
    """Figures over the scheduled activities that have begun by `until` (cut at `until`)."""
    scheduled = adherent = work = worked = 0.0
    for activity, start, end in activities:
        end = min(end, until)
        if end <= start:
            continue
        scheduled += end - start
        if activity == "work":
            work += end - start
        for state, s0, s1 in states:
            if _fits(activity, state):
                adherent += _overlap(start, end, s0, s1)
    if activities:
        first = min(a[1] for a in activities)
        last = min(max(a[2] for a in activities), until)
        for state, s0, s1 in states:
            if state in WORKING_STATES:
                worked += _overlap(first, last, s0, s1)
    return AdherenceFigures(scheduled, adherent, work, worked)


def live_adherence(activities: Sequence[Span], states: Sequence[Span], now: float) -> LiveAdherence:
    """Whether the agent does now what the schedule says, and since when she does not."""
    current = next((a for a in activities if a[1] <= now < a[2]), None)
    span = next((x for x in reversed(states) if x[1] <= now), None)
    state = "logged_out" if span is None else span[0]
    if current is None:
        return LiveAdherence(None, state, True, None)
    if _fits(current[0], state):
        return LiveAdherence(current[0], state, True, None)
    # the mismatch began when the later of the two began: the state, or the activity
    began = current[1] if span is None else max(span[1], current[1])
    return LiveAdherence(current[0], state, False, began)
