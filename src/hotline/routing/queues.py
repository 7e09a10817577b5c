"""Queue (技能组) configuration: required skills, strategy, priorities, limits, hours.

A `QueueConfig` is a frozen value; `Router.configure_queue` installs or replaces one. Times are
seconds. Where a field is `None` the router's default applies (`RouterSettings`).

Priority and aging: each waiting interaction sorts by its *virtual arrival*
`entered_at − priority × priority_credit_s`. A priority-1 caller is served as if it had called
`priority_credit_s` earlier, so VIPs go first yet a normal caller who has waited longer than the
credit is not starved. The order never changes while callers wait, so the line is a sorted index,
not something re-sorted on a clock. `priority_credit_s=None` makes priorities strict (a credit
longer than any wait).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final

from hotline.hours import BusinessCalendar
from hotline.ids import QueueId
from hotline.routing.capacity import Channel
from hotline.routing.destinations import HANGUP, VOICEMAIL, Destination, DestinationKind
from hotline.routing.errors import InvalidRoutingConfig
from hotline.routing.overflow import OverflowStep, check_steps
from hotline.routing.skills import Requirement

__all__ = [
    "HANGUP",
    "STRICT_PRIORITY_CREDIT_S",
    "VOICEMAIL",
    "Destination",
    "DestinationKind",
    "QueueConfig",
    "ScoreWeights",
    "ServiceLevelTarget",
    "Strategy",
]

STRICT_PRIORITY_CREDIT_S: Final = 1e7
"""Credit per priority level when priorities are strict: 116 days, longer than any wait."""


class Strategy(StrEnum):
    """How to choose among several free agents for one interaction."""

    LONGEST_IDLE = "longest_idle"
    FEWEST_HANDLED = "fewest_handled"
    ROUND_ROBIN = "round_robin"
    RANDOM = "random"
    RING_ALL = "ring_all"
    MOST_SKILLED = "most_skilled"
    WEIGHTED = "weighted"


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """Weights of the `weighted` strategy, all in seconds of idle time.

    score = idle seconds + `proficiency_s` × mean proficiency − `handled_s` × handled today;
    the free agent with the highest score is offered first.
    """

    proficiency_s: float = 60.0
    handled_s: float = 30.0


@dataclass(frozen=True, slots=True)
class ServiceLevelTarget:
    """X % answered within T seconds (80/20 by default)."""

    fraction: float = 0.8
    threshold_s: float = 20.0

    def __post_init__(self) -> None:
        if not 0.0 < self.fraction <= 1.0:
            raise InvalidRoutingConfig("service level fraction must be in (0, 1]", field="sl")
        if not self.threshold_s >= 0:
            raise InvalidRoutingConfig("service level threshold must be >= 0 s", field="sl")


@dataclass(frozen=True, slots=True)
class QueueConfig:
    queue_id: QueueId
    channel: Channel = Channel.VOICE
    skills: Mapping[str, int] = field(default_factory=dict)  # skill → minimum proficiency
    teams: frozenset[str] = frozenset()  # any of these teams; empty: any agent
    strategy: Strategy = Strategy.LONGEST_IDLE
    weights: ScoreWeights = ScoreWeights()
    sl: ServiceLevelTarget = ServiceLevelTarget()
    priority_credit_s: float | None = 90.0
    ring_timeout_s: float | None = None
    wrap_up_s: float | None = None
    rona_not_ready: bool = True  # no answer or a rejection makes the agent not ready
    # after-call work cannot end (nor the agent become available) without a disposition;
    # the wrap-up timer running out then marks an overrun instead of ending it
    disposition_required: bool = False
    max_length: int | None = None
    max_wait_s: float | None = None
    when_full: Destination = HANGUP
    when_closed: Destination = HANGUP
    when_max_wait: Destination = VOICEMAIL
    hours: BusinessCalendar | None = None  # None: always open (hotline.hours, docs/hours.md)
    flush_when_closed: bool = False  # at closing time send waiting callers to `when_closed`
    sticky_wait_s: float = 0.0  # wait this long for the customer's last agent
    ring_all_limit: int = 20
    overflow: tuple[OverflowStep, ...] = ()
    callbacks: bool = True  # callers may ask to be called back, keeping their place
    announce_first_s: float | None = None  # first position/EWT announcement (0: on entry)
    announce_every_s: float | None = None  # then repeat this often
    expected_aht_s: float = 180.0  # seeds the handle-time average EWT uses
    requirement: Requirement = field(init=False)

    def __post_init__(self) -> None:
        if not self.queue_id:
            raise InvalidRoutingConfig("a queue needs an id", field="queue_id")
        _check_seconds(self.priority_credit_s, "priority_credit_s", allow_zero=True)
        _check_seconds(self.ring_timeout_s, "ring_timeout_s", allow_zero=False)
        _check_seconds(self.wrap_up_s, "wrap_up_s", allow_zero=True)
        _check_seconds(self.max_wait_s, "max_wait_s", allow_zero=False)
        _check_seconds(self.sticky_wait_s, "sticky_wait_s", allow_zero=True)
        if self.max_length is not None and self.max_length < 0:
            raise InvalidRoutingConfig("max_length must be >= 0", field="max_length")
        _check_seconds(self.announce_first_s, "announce_first_s", allow_zero=True)
        _check_seconds(self.announce_every_s, "announce_every_s", allow_zero=False)
        _check_seconds(self.expected_aht_s, "expected_aht_s", allow_zero=False)
        object.__setattr__(self, "overflow", tuple(self.overflow))
        check_steps(self.overflow)
        if self.ring_all_limit < 1:
            raise InvalidRoutingConfig("ring_all_limit must be >= 1", field="ring_all_limit")
        object.__setattr__(self, "teams", frozenset(self.teams))
        object.__setattr__(self, "requirement", Requirement.of(self.skills, self.teams))

    def virtual_arrival(self, entered_at: float, priority: int) -> float:
        """The sort key of a waiting interaction: earlier is served first (see module doc)."""
        credit = (
            STRICT_PRIORITY_CREDIT_S if self.priority_credit_s is None else self.priority_credit_s
        )
        return entered_at - priority * credit


def _check_seconds(value: float | None, name: str, *, allow_zero: bool) -> None:
    if value is None:
        return
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidRoutingConfig(f"{name} must be {bound} seconds, not {value!r}", field=name)
