"""Admission of new calls: the one rule that decides whether an INVITE outside a dialog is
taken, or answered at once with a stateless `503` and `Retry-After` because the server could
not set it up in time (issue 14: overload is shed, not queued).

A call is shed when the dialog table is full (half of it for sources that are neither trunks
nor registered phones, ADR 0100), when too many set-ups are in flight, when the event loop
runs late, or when the database pool has no room left for the work a call brings — the last two
only while calls are being set up in numbers (`busy_setups`): a late loop or a busy pool with a
call or two in flight is not overload of calls (a pause of the machine, a report being built),
and refusing a lone caller would not cure it. Pure: the
service measures and asks (`refusal`); `LoopLag` turns the ticks of a timer into the lag.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["AdmissionLimits", "CallLoad", "LoopLag", "Shed", "refusal"]


class Shed(StrEnum):
    """Why a call was shed (the counter `shed_<reason>` on /metrics)."""

    DIALOGS = "dialogs"
    SETUPS = "setups"
    LOOP_LAG = "loop_lag"
    POOL = "pool"


@dataclass(frozen=True, slots=True)
class AdmissionLimits:
    max_dialogs: int = 5_000
    max_setups: int = 200  # INVITEs received and not yet answered or refused
    max_loop_lag_s: float = 0.25  # the event loop this late: new calls would wait as long
    min_pool_free: int = 1  # database connections that must stay free for calls' work
    # Loop lag and pool headroom shed only with at least this many set-ups in flight.
    busy_setups: int = 8


@dataclass(frozen=True, slots=True)
class CallLoad:
    """The server's state when an INVITE arrives."""

    dialogs: int
    setups: int
    loop_lag_s: float = 0.0
    pool_free: int | None = None  # None: no pool to watch
    known_source: bool = True  # a trunk or a registered phone


def refusal(limits: AdmissionLimits, load: CallLoad) -> Shed | None:
    """None to take the call; else why it is answered 503."""
    dialog_limit = limits.max_dialogs if load.known_source else limits.max_dialogs // 2
    if load.dialogs + load.setups >= dialog_limit:
        return Shed.DIALOGS
    if load.setups >= limits.max_setups:
        return Shed.SETUPS
    if load.setups < limits.busy_setups:
        return None
    if load.loop_lag_s > limits.max_loop_lag_s:
        return Shed.LOOP_LAG
    if load.pool_free is not None and load.pool_free < limits.min_pool_free:
        return Shed.POOL
    return None


class LoopLag:
    """How late the event loop runs, from a periodic tick: `expect(due)` when the tick is
    scheduled, `ran(now)` when it runs. `current(now)` is the worst lag seen in the last
    `window_s`, or the lateness of a tick still waiting — a loop blocked right now is late
    even before its tick gets to say so."""

    def __init__(self, window_s: float = 0.5) -> None:
        self.window_s = window_s
        self._due: float | None = None
        self._samples: deque[tuple[float, float]] = deque()

    def expect(self, due: float) -> None:
        self._due = due

    def ran(self, now: float) -> float:
        lag = max(0.0, now - self._due) if self._due is not None else 0.0
        self._due = None
        self._samples.append((now, lag))
        self._forget(now)
        return lag

    def current(self, now: float) -> float:
        self._forget(now)
        worst = max((lag for _, lag in self._samples), default=0.0)
        if self._due is not None:
            worst = max(worst, now - self._due)
        return worst

    def _forget(self, now: float) -> None:
        while self._samples and self._samples[0][0] < now - self.window_s:
            self._samples.popleft()
