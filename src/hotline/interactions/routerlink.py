"""`RouterLink`: the lifecycle's one door to the tenant's router (DESIGN §10).

Every router call goes through `call`, which applies the returned decisions in causal order
through the dispatch table (`dispatch.py`). A decision arriving while others are being applied
is queued, so handlers may call the router again without re-entering it. Refusals (a stale
offer, a work item that just left — races between devices and timers) are logged, not raised.
One timer loop sleeps until `router.next_timer()` (ADR 0030 keeps the timers in the router).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable, Iterable

from hotline.clock import Clock
from hotline.interactions.dispatch import DecisionDispatch
from hotline.routing import Decision, Router, RoutingError

__all__ = ["RouterLink"]

log = logging.getLogger(__name__)


class RouterLink:
    def __init__(self, router: Router, clock: Clock, dispatch: DecisionDispatch) -> None:
        self.router = router
        self._clock = clock
        self._dispatch = dispatch
        self._pending: deque[Decision] = deque()
        self._applying = False
        self._rearm = asyncio.Event()

    def now(self) -> float:
        return self._clock.now()

    def route(self, decisions: Iterable[Decision]) -> None:
        """Carry out decisions in order (re-entrant calls queue behind)."""
        self._pending.extend(decisions)
        self._rearm.set()
        if self._applying:
            return
        self._applying = True
        try:
            while self._pending:
                decision = self._pending.popleft()
                try:
                    self._dispatch.apply(decision)
                except Exception:
                    log.exception("applying %r failed", decision)
        finally:
            self._applying = False

    def call(self, operation: Callable[[], list[Decision]]) -> bool:
        """Call the router and apply its decisions; False (logged) if it refused."""
        try:
            decisions = operation()
        except RoutingError as exc:
            log.info("router refused: %s", exc)
            return False
        self.route(decisions)
        return True

    def strict(self, operation: Callable[[], list[Decision]]) -> None:
        """Call the router and apply its decisions; its refusal is the caller's error."""
        self.route(operation())

    async def run_timers(self) -> None:
        """The router's one timer, forever (cancel the task to stop)."""
        while True:
            due = self.router.next_timer()
            self._rearm.clear()
            delay = None if due is None else max(0.0, due - self.now())
            if delay is None or delay > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._rearm.wait(), delay)
                continue
            self.fire_due()

    def fire_due(self) -> None:
        """Run the router's timers that are due now (the loop's body; tests call it)."""
        due = self.router.next_timer()
        if due is not None and due <= self.now():
            self.call(lambda: self.router.on_timer(now=self.now()))
