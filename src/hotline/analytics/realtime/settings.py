"""What the wallboard projection is told rather than reads from events: zone, window, targets.

Events carry what they can (each answer and abandon carries the SL threshold in force); the
rest is configuration handed in by the composition root: the tenant's time zone for "today",
the sliding window, the short-abandon threshold (GLOSSARY: default 5 s), SL targets (default
80 % in 20 s), shrinkage for staffing hints (default 30 %), alert thresholds and which agents
serve which queue (skills are configuration, not events).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.analytics.realtime.errors import RealtimeSettingsInvalid
from hotline.analytics.wfm import DEFAULT_SHRINKAGE

__all__ = [
    "DEFAULT_TIME_ZONE",
    "AlertThresholds",
    "QueueSettings",
    "RealtimeSettings",
]

DEFAULT_TIME_ZONE = "Asia/Shanghai"


def _seconds(value: float, name: str, *, positive: bool = False) -> None:
    if not math.isfinite(value) or value < 0 or (positive and value == 0):
        bound = "> 0" if positive else ">= 0"
        raise RealtimeSettingsInvalid(f"{name} must be {bound} seconds, not {value}", field=name)


def _fraction(value: float, name: str) -> None:
    # Erlang C staffing needs a target strictly between 0 and 1 (100 % is never reachable)
    if not 0.0 < value < 1.0:
        raise RealtimeSettingsInvalid(f"{name} must be in (0, 1), not {value}", field=name)


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    """When a queue raises an alert, and when it clears (hysteresis, so it does not flap).

    Each rule raises when its figure crosses the first level and clears only once the figure is
    back past the second level *and* the alert has been up for `min_active_s`. `None` disables
    a rule. `sl_below=None` means "the queue's SL target"; the SL rule looks at the last
    30 minutes and waits for `sl_min_contacts` contacts in its denominator before it may raise.
    """

    waiting_above: int | None = 5
    waiting_clear_at: int = 3
    longest_wait_above_s: float | None = 60.0
    longest_wait_clear_at_s: float = 45.0
    sl_alert: bool = True
    sl_below: float | None = None
    sl_clear_margin: float = 0.05
    sl_min_contacts: int = 5
    min_active_s: float = 30.0

    def __post_init__(self) -> None:
        if self.waiting_above is not None:
            if self.waiting_above < 0:
                raise RealtimeSettingsInvalid(
                    "waiting_above must be >= 0", field="thresholds.waiting_above"
                )
            if not 0 <= self.waiting_clear_at <= self.waiting_above:
                raise RealtimeSettingsInvalid(
                    "waiting_clear_at must be between 0 and waiting_above",
                    field="thresholds.waiting_clear_at",
                )
        if self.longest_wait_above_s is not None:
            _seconds(self.longest_wait_above_s, "thresholds.longest_wait_above_s")
            _seconds(self.longest_wait_clear_at_s, "thresholds.longest_wait_clear_at_s")
            if self.longest_wait_clear_at_s > self.longest_wait_above_s:
                raise RealtimeSettingsInvalid(
                    "longest_wait_clear_at_s must not exceed longest_wait_above_s",
                    field="thresholds.longest_wait_clear_at_s",
                )
        if self.sl_below is not None:
            _fraction(self.sl_below, "thresholds.sl_below")
        if not 0.0 <= self.sl_clear_margin < 1.0:
            raise RealtimeSettingsInvalid(
                "sl_clear_margin must be in [0, 1)", field="thresholds.sl_clear_margin"
            )
        if self.sl_min_contacts < 1:
            raise RealtimeSettingsInvalid(
                "sl_min_contacts must be >= 1", field="thresholds.sl_min_contacts"
            )
        _seconds(self.min_active_s, "thresholds.min_active_s")


@dataclass(frozen=True, slots=True)
class QueueSettings:
    """One queue's settings. `members` are the agents who serve it (from skills); `None`
    counts every agent of the tenant, which is right for a one-queue center."""

    queue_id: str
    sl_target: float | None = None
    sl_threshold_s: float | None = None
    short_abandon_s: float | None = None
    members: frozenset[str] | None = None
    thresholds: AlertThresholds | None = None

    def __post_init__(self) -> None:
        if not self.queue_id:
            raise RealtimeSettingsInvalid("a queue needs an id", field="queue_id")
        if self.sl_target is not None:
            _fraction(self.sl_target, f"queues.{self.queue_id}.sl_target")
        if self.sl_threshold_s is not None:
            _seconds(self.sl_threshold_s, f"queues.{self.queue_id}.sl_threshold_s")
        if self.short_abandon_s is not None:
            _seconds(self.short_abandon_s, f"queues.{self.queue_id}.short_abandon_s")
        if self.members is not None:
            object.__setattr__(self, "members", frozenset(self.members))


@dataclass(frozen=True, slots=True)
class RealtimeSettings:
    """The tenant-wide settings of the projection, with the GLOSSARY's defaults."""

    time_zone: str = DEFAULT_TIME_ZONE
    window_s: float = 1800.0
    short_abandon_s: float = 5.0
    sl_target: float = 0.8
    sl_threshold_s: float = 20.0
    shrinkage: float = DEFAULT_SHRINKAGE
    default_aht_s: float = 180.0
    csat_satisfied_from: Mapping[int, int] = field(default_factory=dict)
    track_transfers: bool = False
    thresholds: AlertThresholds = field(default_factory=AlertThresholds)
    queues: Mapping[str, QueueSettings] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise RealtimeSettingsInvalid(
                f"unknown time zone {self.time_zone!r}", field="time_zone"
            ) from None
        _seconds(self.window_s, "window_s", positive=True)
        _seconds(self.short_abandon_s, "short_abandon_s")
        _fraction(self.sl_target, "sl_target")
        _seconds(self.sl_threshold_s, "sl_threshold_s")
        _seconds(self.default_aht_s, "default_aht_s", positive=True)
        if not 0.0 <= self.shrinkage < 1.0:
            raise RealtimeSettingsInvalid(
                f"shrinkage must be in [0, 1), not {self.shrinkage}", field="shrinkage"
            )
        for scale, low in self.csat_satisfied_from.items():
            if not 1 <= low <= scale:
                raise RealtimeSettingsInvalid(
                    f"satisfied-from {low} is outside the scale 1–{scale}",
                    field=f"csat_satisfied_from.{scale}",
                )
        for key, queue in self.queues.items():
            if key != queue.queue_id:
                raise RealtimeSettingsInvalid(
                    f"queue settings under {key!r} are for {queue.queue_id!r}",
                    field=f"queues.{key}",
                )
        object.__setattr__(
            self, "csat_satisfied_from", MappingProxyType(dict(self.csat_satisfied_from))
        )
        object.__setattr__(self, "queues", MappingProxyType(dict(self.queues)))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def satisfied_from(self, scale: int) -> int:
        """The lowest satisfied rating on a 1–`scale` survey (GLOSSARY: 4–5 on 1–5).

        Unless configured per scale, ratings at or above 80 % of the scale count, rounded up so
        that 1–5 gives 4: ceil(0.8 × scale).
        """
        configured = self.csat_satisfied_from.get(scale)
        if configured is not None:
            return configured
        return max(1, math.ceil(0.8 * scale - 1e-9))
