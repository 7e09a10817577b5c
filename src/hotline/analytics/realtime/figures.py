"""The wallboard's figures as frozen, JSON-ready rows, and the two messages that carry them.

A `Snapshot` holds every row; a `Delta` holds the rows that changed after a version (see
`publishing.py`). Rows are keyed by queue id, agent id and alert id. Fields named in a row's
`TICKING` change with time alone (time in state, longest wait, today's live seconds and the
ratios made of them): they are exact as of the message's `at`, and a change in them alone does
not make a delta — the page advances them between messages (docs/realtime.md, "ticking").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hotline.events import to_json_value

__all__ = [
    "Agent",
    "AgentCounts",
    "Alert",
    "Center",
    "Delta",
    "Period",
    "Queue",
    "Snapshot",
    "StaffingHint",
]


@dataclass(frozen=True, slots=True)
class Period:
    """One queue's (or agent's) counts and GLOSSARY ratios over today or the sliding window.

    Ratios are fractions rounded to 4 places (0.8125 = 81.25 %), seconds to 0.1; a ratio whose
    denominator is zero is `None` (shown as "—"), never 0 or 100 %.
    """

    offered: int
    rejected: int
    answered: int
    answered_in_sl: int
    abandoned: int
    short_abandoned: int
    abandoned_after_sl: int
    callbacks: int
    callbacks_failed: int
    exited: int
    completed: int
    service_level: float | None
    asa_s: float | None
    abandon_rate: float | None
    answer_rate: float | None
    aht_s: float | None
    csat: float | None
    csat_answers: int
    transferred: int | None
    transfer_rate: float | None


@dataclass(frozen=True, slots=True)
class AgentCounts:
    """Agents serving a queue by state; `logged_in` is every state but logged out."""

    logged_in: int
    available: int
    reserved: int
    busy: int
    wrap_up: int
    not_ready: int


class _Row:
    __slots__ = ()

    TICKING: ClassVar[tuple[str, ...]] = ()

    def stable(self) -> tuple[Any, ...]:
        """This row's fields but the ticking ones: what decides whether a delta carries it."""
        names = _STABLE_FIELDS.get(type(self))
        if names is None:
            fields = dataclasses.fields(self)  # type: ignore[arg-type]
            names = tuple(f.name for f in fields if f.name not in self.TICKING)
            _STABLE_FIELDS[type(self)] = names
        return tuple(getattr(self, name) for name in names)

    def to_json(self) -> dict[str, Any]:
        value = to_json_value(self)
        assert isinstance(value, dict)
        return value


_STABLE_FIELDS: dict[type, tuple[str, ...]] = {}


@dataclass(frozen=True, slots=True)
class Queue(_Row):
    """One queue now: who waits, for how long, today, the window, and its agents."""

    TICKING: ClassVar[tuple[str, ...]] = ("longest_wait_s",)

    queue_id: str
    waiting: int  # callers in line now, ringing ones included, callbacks not
    ringing: int  # in the queue (callers or callbacks) with an offer ringing an agent now
    callbacks_waiting: int  # callbacks kept in line, not yet dialled through
    oldest_entered_at: float | None
    longest_wait_s: float | None  # ticking: now − oldest_entered_at
    sl_threshold_s: float
    sl_target: float
    short_abandon_s: float
    today: Period
    window: Period
    agents: AgentCounts


@dataclass(frozen=True, slots=True)
class Center(_Row):
    """The whole center now: each contact counted once, however many queues it visited
    (a transfer into another queue is offered there again, but not to the center)."""

    TICKING: ClassVar[tuple[str, ...]] = ("longest_wait_s",)

    waiting: int
    ringing: int
    callbacks_waiting: int
    oldest_entered_at: float | None
    longest_wait_s: float | None
    today: Period
    window: Period
    agents: AgentCounts


@dataclass(frozen=True, slots=True)
class Agent(_Row):
    """One agent now: state, current work, and today's figures."""

    TICKING: ClassVar[tuple[str, ...]] = (
        "time_in_state_s",
        "handle_s",
        "available_s",
        "logged_in_s",
        "occupancy",
        "utilization",
    )

    agent_id: str
    state: str
    reason: str | None
    since: float | None
    interaction_id: str | None
    queue_id: str | None
    handled: int
    completed: int
    aht_s: float | None
    csat: float | None
    csat_answers: int
    transferred: int | None
    overrun_since: float | None  # in wrap-up past its timer with a disposition still due
    overruns: int  # today's wrap-ups that ran past their timer
    time_in_state_s: float | None
    handle_s: float | None  # today in busy + wrap-up
    available_s: float | None  # today in available + reserved
    logged_in_s: float | None  # today in any state but logged out
    occupancy: float | None
    utilization: float | None


@dataclass(frozen=True, slots=True)
class StaffingHint:
    """Erlang C on the window's arrival rate and AHT: agents needed, and how many to add.

    `agents_needed` is the fewest agents on the phones reaching the queue's SL target;
    `scheduled_needed` divides by (1 − shrinkage) (GLOSSARY); `add_agents` compares that with
    the agents logged in to the queue, who include those on a break ("需增加 3 名坐席").
    """

    arrival_per_hour: float
    aht_s: float
    aht_source: str  # "window" | "today" | "default"
    offered_erlangs: float
    sl_target: float
    sl_threshold_s: float
    agents_needed: int
    shrinkage: float
    scheduled_needed: int
    logged_in: int
    add_agents: int


@dataclass(frozen=True, slots=True)
class Alert(_Row):
    """A queue over one of its thresholds, from `raised_at` until it clears."""

    alert_id: str  # "<queue_id>/<kind>"
    queue_id: str
    kind: str  # "waiting" | "longest_wait" | "service_level"
    raised_at: float
    threshold: float
    value_at_raise: float
    staffing: StaffingHint


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything, at version `version`: what a page gets when it (re)connects."""

    tenant_id: str
    instance: str
    version: int
    seq: int
    at: float
    day: str
    day_start: float
    time_zone: str
    window_s: float
    malformed: int
    queues: Mapping[str, Queue]
    agents: Mapping[str, Agent]
    alerts: Mapping[str, Alert]
    center: Mapping[str, Center]  # one row, "all"

    type: ClassVar[str] = "wallboard.snapshot"

    def to_json(self) -> dict[str, Any]:
        body = to_json_value(self)
        assert isinstance(body, dict)
        return {"type": self.type, **body}


@dataclass(frozen=True, slots=True)
class Delta:
    """The rows that changed after `from_version`, up to `version`; `removed` lists the keys
    (by "queues", "agents", "alerts") that went away — a removed alert has cleared."""

    tenant_id: str
    instance: str
    from_version: int
    version: int
    seq: int
    at: float
    day: str
    day_start: float
    queues: Mapping[str, Queue]
    agents: Mapping[str, Agent]
    alerts: Mapping[str, Alert]
    center: Mapping[str, Center]
    removed: Mapping[str, tuple[str, ...]]

    type: ClassVar[str] = "wallboard.delta"

    @property
    def is_empty(self) -> bool:
        return self.version == self.from_version

    def to_json(self) -> dict[str, Any]:
        body = to_json_value(self)
        assert isinstance(body, dict)
        return {"type": self.type, **body}
