"""`QueueWaiter`: the caller's side of waiting in a router queue.

While the router holds the interaction the caller hears hold music, a periodic announcement
(position and estimated wait from the router, then the queue node's own message), and the
router's `Announce` decisions when a queue is configured to time them. The waiter also carries
the outcome the flow's `Enqueue` waits for (ADR 0044):

- `resolve(outcome)` hands an outcome over; if the flow is busy elsewhere while the caller is
  still in line (a callback offer playing), it is kept as `preempting`, which the port raises
  as `QueuePreempted` from whatever it is doing;
- `CALLBACK_OFFERED` keeps the waiter (the caller is still in line); any other outcome closes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from pathlib import Path

from hotline.calls import TaskSet
from hotline.errors import HotlineError
from hotline.flows.actions import Enqueue
from hotline.flows.inputs import QueueOutcome, QueueResult
from hotline.ids import QueueId
from hotline.interactions.announce import position_text
from hotline.interactions.interaction import VoiceInteraction
from hotline.interactions.prompts import playlist
from hotline.media.backend import MediaBackend
from hotline.media.player import PlayItem, TtsText

__all__ = ["QueueWaiter"]

log = logging.getLogger(__name__)

Position = Callable[[], tuple[int, float | None] | None]


class QueueWaiter:
    def __init__(
        self,
        interaction: VoiceInteraction,
        queue_id: QueueId,
        *,
        media: MediaBackend,
        tasks: TaskSet,
        request: Enqueue | None,
        moh: str,
        every_s: float,
        prompts_dir: Path | None,
        position: Position,
    ) -> None:
        self.interaction = interaction
        self.queue_id = queue_id
        self.request = request
        self._media = media
        self._tasks = tasks
        self._moh = moh
        self._every_s = every_s
        self._prompts_dir = prompts_dir
        self._position = position
        self._outcome: asyncio.Future[QueueOutcome] | None = None
        self.preempting: QueueOutcome | None = None
        self.preempted = asyncio.Event()
        self.closed = False
        self.max_wait_passed = False
        self._announcer: asyncio.Task[None] | None = None
        self._max_wait: asyncio.TimerHandle | None = None
        self.on_max_wait: Callable[[], None] | None = None  # set by the runtime

    # --- sound --------------------------------------------------------------------------

    async def start(self) -> None:
        customer = self.interaction.customer
        if customer is None or not customer.is_live:
            return
        with contextlib.suppress(HotlineError):
            await self._media.start_moh(customer.endpoint, self._moh)
        self._announcer = self._tasks.spawn(self._announce_loop(), name="announcer")

    async def _announce_loop(self) -> None:
        first = True
        while not self.closed:
            if self._outcome is not None and not self._outcome.done():
                await self.announce(None, first=first)
                first = False
            await asyncio.sleep(self._every_s)

    def _items(self, place: tuple[int, float | None] | None) -> list[PlayItem]:
        request = self.request
        language = request.language if request else self.interaction.language
        items: list[PlayItem] = []
        say_position = request.announcements.position if request else True
        say_ewt = request.announcements.ewt if request else True
        if place is not None and (say_position or say_ewt):
            text = position_text(
                language, place[0], place[1], say_position=say_position, say_ewt=say_ewt
            )
            if text:
                items.append(TtsText(text, language))
        if request is not None:
            items += playlist(request.announcements.prompts, self._prompts_dir)
        return items

    async def announce(
        self, place: tuple[int, float | None] | None, *, first: bool = False
    ) -> None:
        """Play the announcement over the music (it resumes when the playback ends)."""
        customer = self.interaction.customer
        if self.closed or customer is None or not customer.is_live:
            return
        items = self._items(place if place is not None else self._position())
        if not items:
            return
        try:
            await self._media.play(customer.endpoint, items)
        except HotlineError as exc:
            if customer.is_live:  # else the caller just hung up: nothing to say
                log.warning("announcement for %s failed: %s", self.interaction.interaction_id, exc)

    # --- the outcome --------------------------------------------------------------------

    async def wait(self, timeout_at: float | None, now: float) -> QueueOutcome:
        """The next outcome for the flow; `timeout_at` (clock seconds) arms the max wait."""
        if self.preempting is not None:
            outcome, self.preempting = self.preempting, None
            self.preempted.clear()
            return outcome
        loop = asyncio.get_running_loop()
        self._outcome = loop.create_future()
        if timeout_at is not None and self._max_wait is None and self.on_max_wait is not None:
            self._max_wait = loop.call_later(max(0.0, timeout_at - now), self.on_max_wait)
        try:
            return await asyncio.shield(self._outcome)
        finally:
            self._outcome = None

    def arm_max_wait(self, delay_s: float) -> None:
        """A wait nobody awaits (an agent's transfer) still ends after `delay_s`."""
        if self._max_wait is None and self.on_max_wait is not None:
            self._max_wait = asyncio.get_running_loop().call_later(delay_s, self.on_max_wait)

    @property
    def flow_waiting(self) -> bool:
        return self._outcome is not None and not self._outcome.done()

    def resolve(self, outcome: QueueOutcome) -> None:
        if self._outcome is not None and not self._outcome.done():
            self._outcome.set_result(outcome)
        elif self.request is not None:
            self.preempting = outcome
            self.preempted.set()
        if outcome.result is not QueueResult.CALLBACK_OFFERED:
            self._tasks.spawn(self.close(), name="close-waiter")

    async def close(self, *, keep_sound: bool = False) -> None:
        if self.closed:
            return
        self.closed = True
        if self._max_wait is not None:
            self._max_wait.cancel()
        if self._announcer is not None:
            self._announcer.cancel()
        customer = self.interaction.customer
        if keep_sound or customer is None or not customer.is_live:
            return
        with contextlib.suppress(HotlineError):
            await self._media.stop_moh(customer.endpoint)
            await self._media.stop_playback(customer.endpoint)
