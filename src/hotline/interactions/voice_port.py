"""`VoicePort`: the flows' `InteractionPort` for a voice call (docs/flows.md, ADR 0044).

Prompts play on the customer leg's media endpoint (interruptible ones with barge-in); keys come
from the leg's one digit stream (RFC 4733, in-band or SIP INFO); voicemail records through the
media backend (`voicemail.py`). Everything that involves the router or other legs — queueing,
callbacks, transfers, the agent leaving — is the tenant runtime's (`tenant.py`).

Every pending operation is cut short when the caller hangs up (`CallerHungUp`) or, while the
caller is still in a queue's line, when that queue decides (`QueuePreempted`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Sequence
from typing import TYPE_CHECKING, TypeVar

from hotline.errors import HotlineError
from hotline.flows.actions import (
    Collect,
    Enqueue,
    LeaveQueue,
    Lookup,
    NotifyVoicemail,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.inputs import (
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    LookupCompleted,
    LookupFailed,
    QueueOutcome,
    RecordingDone,
    TransferOutcome,
)
from hotline.flows.port import VOICE, QueuePreempted
from hotline.flows.prompts import PromptRef
from hotline.interactions.interaction import VoiceInteraction
from hotline.interactions.lookup import lookup_customer, lookup_webhook
from hotline.interactions.prompts import playlist
from hotline.media.backend import EndpointId
from hotline.media.player import PlaybackEnd

if TYPE_CHECKING:
    from hotline.interactions.tenant import TenantRuntime

__all__ = ["VoicePort"]

T = TypeVar("T")


class VoicePort:
    def __init__(self, runtime: TenantRuntime, interaction: VoiceInteraction) -> None:
        self.runtime = runtime
        self.interaction = interaction

    @property
    def channel(self) -> str:
        return VOICE

    # --- plumbing -----------------------------------------------------------------------

    async def _guard(self, work: Awaitable[T], *, preemptible: bool = True) -> T:
        """Run `work` unless the caller hangs up or the queue decides first."""
        interaction = self.interaction
        if interaction.customer_gone.is_set():
            raise CallerHungUp()
        task = asyncio.ensure_future(work)
        gone = asyncio.ensure_future(interaction.customer_gone.wait())
        waits = {task, gone}
        waiter = self.runtime.waiter(interaction)
        preempt = None
        if preemptible and waiter is not None:
            preempt = asyncio.ensure_future(waiter.preempted.wait())
            waits.add(preempt)
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in (gone, preempt):
                if w is not None:
                    w.cancel()
        if task.done():
            return task.result()
        task.cancel()
        if interaction.customer_gone.is_set():
            raise CallerHungUp()
        assert waiter is not None
        assert waiter.preempting is not None
        outcome, waiter.preempting = waiter.preempting, None
        waiter.preempted.clear()
        raise QueuePreempted(outcome)

    @property
    def _customer_endpoint(self) -> EndpointId:
        customer = self.interaction.customer
        if customer is None or not customer.is_live:
            raise CallerHungUp()
        return customer.endpoint

    # --- voice --------------------------------------------------------------------------

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        await self.runtime.ensure_answered(self.interaction, for_input=False)
        customer = self.interaction.customer
        assert customer is not None
        items = playlist(prompts, self.runtime.settings.prompts_dir)
        if not items:
            return ""
        media = self.runtime.media
        try:
            playback = await media.play(self._customer_endpoint, items, barge_in=interruptible)
        except HotlineError:
            if not customer.is_live:
                raise CallerHungUp() from None
            raise
        if not interruptible:
            await self._guard(playback.wait())
            customer.drain_digits()  # keys during a prompt that cannot be interrupted are lost
            return ""
        # SIP INFO digits do not barge in on the media side: race the first key against the end.
        key = asyncio.ensure_future(customer.digits.get())
        finished = asyncio.ensure_future(playback.wait())
        try:
            await self._guard(asyncio.wait({key, finished}, return_when=asyncio.FIRST_COMPLETED))
        finally:
            for pending in (key, finished):
                if not pending.done():
                    pending.cancel()
        if key.done() and not key.cancelled():
            if not playback.finished:
                await media.stop_playback(customer.endpoint)
            return key.result() + customer.drain_digits()
        return customer.drain_digits() if finished.result() is PlaybackEnd.BARGE_IN else ""

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        await self.runtime.ensure_answered(self.interaction, for_input=True)
        customer = self.interaction.customer
        assert customer is not None
        entry = request.prefix

        def complete(text: str) -> DigitsCollected | None:
            if request.terminator and request.terminator in text:
                return DigitsCollected(text.split(request.terminator, 1)[0], request.terminator)
            if len(text) >= request.max_digits:
                return DigitsCollected(text[: request.max_digits])
            return None

        if (done := complete(entry)) is not None:
            return done
        if not entry and request.prompts:
            entry += await self.play(request.prompts, interruptible=True)
            if (done := complete(entry)) is not None:
                return done
        timeout = request.inter_digit_timeout if entry else request.first_digit_timeout
        while True:
            try:
                digit = await self._guard(asyncio.wait_for(customer.digits.get(), timeout))
            except TimeoutError:
                if entry and len(entry) >= request.min_digits:
                    return DigitsCollected(entry)
                return CollectTimedOut(entry)
            entry += digit
            if (done := complete(entry)) is not None:
                return done
            timeout = request.inter_digit_timeout

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        await self.runtime.ensure_answered(self.interaction, for_input=True)
        if self.interaction.customer_gone.is_set():
            return RecordingDone(None)
        return await self.runtime.record_voicemail(self.interaction, request)

    async def send(self, text: str) -> None:
        raise PortUnsupported("a voice call has no text messages")

    async def await_reply(self, timeout: float) -> str | None:
        raise PortUnsupported("a voice call has no text messages")

    # --- any channel --------------------------------------------------------------------

    async def lookup(self, request: Lookup) -> LookupCompleted | LookupFailed:
        interaction = self.interaction
        if request.source == "webhook":
            return await self._guard(lookup_webhook(request), preemptible=False)
        known = (interaction.caller_number, interaction.record)
        return await self._guard(
            lookup_customer(self.runtime.customers, interaction.tenant_id, request, known=known),
            preemptible=False,
        )

    async def enqueue(self, request: Enqueue) -> QueueOutcome:
        await self.runtime.ensure_answered(self.interaction, for_input=True)
        return await self._guard(
            self.runtime.wait_in_queue(self.interaction, request), preemptible=False
        )

    async def leave_queue(self, request: LeaveQueue) -> None:
        self.runtime.leave_line(self.interaction, reason="flow")

    async def wait_agent_left(self) -> None:
        await self._guard(self.interaction.agent_left.wait(), preemptible=False)
        self.interaction.agent_left.clear()

    async def transfer(self, request: Transfer) -> TransferOutcome:
        await self.runtime.ensure_answered(self.interaction, for_input=True)
        if request.prompts:
            await self.play(request.prompts, interruptible=False)
        return await self._guard(
            self.runtime.flow_transfer(self.interaction, request), preemptible=False
        )

    async def request_callback(self, request: RequestCallback) -> CallbackOutcome:
        return self.runtime.book_callback(self.interaction, request.number)

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        self.runtime.notify_voicemail(self.interaction, notice)

    async def hang_up(self, cause: str) -> None:
        await self.runtime.hang_up_customer(self.interaction, cause)
