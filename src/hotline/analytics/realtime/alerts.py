"""Queue alerts with hysteresis, and the Erlang C staffing hint each alert carries.

Three rules per queue (issue 7): callers waiting > N, longest wait > T, SL of the window < X.
A rule raises when its figure crosses the raise level and clears only when the figure is back
at the clear level *and* the alert has been up `min_active_s`, so a queue hovering around a
threshold shows one alert instead of a blinking banner.

The hint follows the GLOSSARY: traffic A = arrival rate × AHT over the window; Erlang C gives
the fewest agents reaching the queue's SL target (`wfm.agents_needed`); dividing by
(1 − shrinkage) gives the agents to have logged in; the gap to those logged in now is the hint.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from hotline.analytics.realtime.figures import Alert, Queue, StaffingHint
from hotline.analytics.realtime.settings import AlertThresholds
from hotline.analytics.wfm import agents_needed, scheduled_agents

__all__ = ["AlertBook", "AlertKind", "alert_row", "staffing_hint"]


class AlertKind(StrEnum):
    WAITING = "waiting"
    LONGEST_WAIT = "longest_wait"
    SERVICE_LEVEL = "service_level"


_KINDS = tuple(AlertKind)


@dataclass(frozen=True, slots=True)
class _Raised:
    raised_at: float
    threshold: float
    value: float


@dataclass(frozen=True, slots=True)
class _Check:
    """One rule's verdict now: raise, clear, or hold whatever it is."""

    should_raise: bool
    may_clear: bool
    threshold: float
    value: float


def _checks(queue: Queue, rules: AlertThresholds) -> dict[AlertKind, _Check]:
    checks: dict[AlertKind, _Check] = {}
    if rules.waiting_above is not None:
        n = queue.waiting
        checks[AlertKind.WAITING] = _Check(
            n > rules.waiting_above, n <= rules.waiting_clear_at, rules.waiting_above, n
        )
    if rules.longest_wait_above_s is not None:
        longest = queue.longest_wait_s or 0.0
        checks[AlertKind.LONGEST_WAIT] = _Check(
            longest > rules.longest_wait_above_s,
            longest <= rules.longest_wait_clear_at_s,
            rules.longest_wait_above_s,
            longest,
        )
    if rules.sl_alert:
        below = rules.sl_below if rules.sl_below is not None else queue.sl_target
        window = queue.window
        sl = window.service_level
        contacts = window.answered + window.abandoned_after_sl
        raise_it = sl is not None and contacts >= rules.sl_min_contacts and sl < below
        # an empty window clears: no contacts, no service level to be worried about
        clear_it = sl is None or sl >= min(1.0, below + rules.sl_clear_margin)
        checks[AlertKind.SERVICE_LEVEL] = _Check(raise_it, clear_it, below, sl or 0.0)
    return checks


class AlertBook:
    """The alerts up now, per queue and kind; `evaluate` moves them with hysteresis."""

    def __init__(self) -> None:
        self._raised: dict[tuple[str, AlertKind], _Raised] = {}

    def evaluate(self, queue: Queue, rules: AlertThresholds, now: float) -> None:
        checks = _checks(queue, rules)
        for kind in _KINDS:
            key = (queue.queue_id, kind)
            check = checks.get(kind)
            up = self._raised.get(key)
            if check is None:
                self._raised.pop(key, None)  # the rule was switched off
            elif up is None:
                if check.should_raise:
                    self._raised[key] = _Raised(now, check.threshold, check.value)
            elif check.may_clear and now - up.raised_at >= rules.min_active_s:
                del self._raised[key]

    def forget_queue(self, queue_id: str) -> None:
        for key in [k for k in self._raised if k[0] == queue_id]:
            del self._raised[key]

    def active(self) -> list[tuple[str, AlertKind, float, float, float]]:
        """(queue, kind, raised_at, threshold, value at raise), in a stable order."""
        return [
            (queue_id, kind, up.raised_at, up.threshold, up.value)
            for (queue_id, kind), up in sorted(self._raised.items())
        ]


def alert_row(
    queue_id: str,
    kind: AlertKind,
    raised_at: float,
    threshold: float,
    value: float,
    staffing: StaffingHint,
) -> Alert:
    return Alert(
        alert_id=f"{queue_id}/{kind.value}",
        queue_id=queue_id,
        kind=kind.value,
        raised_at=raised_at,
        threshold=threshold,
        value_at_raise=value,
        staffing=staffing,
    )


def staffing_hint(
    queue: Queue,
    *,
    window_s: float,
    default_aht_s: float,
    shrinkage: float,
) -> StaffingHint:
    """Agents to add to `queue` now, from the window's arrivals and handle times.

    AHT comes from the contacts completed in the window, else today, else `default_aht_s`.
    """
    window, today = queue.window, queue.today
    if window.aht_s is not None and window.aht_s > 0:
        aht_s, source = window.aht_s, "window"
    elif today.aht_s is not None and today.aht_s > 0:
        aht_s, source = today.aht_s, "today"
    else:
        aht_s, source = default_aht_s, "default"
    arrival_per_s = window.offered / window_s
    erlangs = arrival_per_s * aht_s
    needed = agents_needed(erlangs, aht_s, queue.sl_threshold_s, queue.sl_target)
    scheduled = scheduled_agents(needed, shrinkage)
    return StaffingHint(
        arrival_per_hour=round(arrival_per_s * 3600.0, 1),
        aht_s=aht_s,
        aht_source=source,
        offered_erlangs=round(erlangs, 3),
        sl_target=queue.sl_target,
        sl_threshold_s=queue.sl_threshold_s,
        agents_needed=needed,
        shrinkage=shrinkage,
        scheduled_needed=scheduled,
        logged_in=queue.agents.logged_in,
        add_agents=max(0, scheduled - queue.agents.logged_in),
    )
