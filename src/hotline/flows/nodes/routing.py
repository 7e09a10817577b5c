"""Nodes that hand the caller on: queue, voicemail, callback, transfer, hangup.

The flow never routes by itself: the queue node asks for `Enqueue` (interactions/ calls
`router.enqueue`, plays music and announcements) and waits for the outcome; while the caller
talks to an agent it waits for the agent to leave, so a post-call survey can follow.
"""

from __future__ import annotations

import re

from hotline.flows.actions import (
    AwaitAgentLeft,
    Collect,
    Enqueue,
    Hangup,
    LeaveQueue,
    NotifyVoicemail,
    Play,
    QueueAnnouncements,
    RecordVoicemail,
    RequestCallback,
    Transfer,
    VoicemailTicketRequest,
)
from hotline.flows.inputs import (
    AgentLeft,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    FlowInput,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TransferOutcome,
)
from hotline.flows.nodes.base import Finish, Goto, Handler, Run, Transition, Wait
from hotline.flows.nodes.keys import ask_key, then
from hotline.flows.prompts import fill_template
from hotline.flows.schema import (
    CallbackNode,
    HangupNode,
    Prompt,
    QueueNode,
    TransferNode,
    VoicemailNode,
)
from hotline.flows.state import EndReason
from hotline.flows.ticket_speech import voicemail_subject

__all__ = [
    "CallbackHandler",
    "HangupHandler",
    "QueueHandler",
    "TransferHandler",
    "VoicemailHandler",
]

MAX_PRIORITY = 100


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


class QueueHandler(Handler[QueueNode]):
    """waiting → (answered) connected → after; (callback offered) → the callback node, still
    in line; (timeout / unavailable) → no_answer / unavailable."""

    def enter(self, node: QueueNode, run: Run) -> Transition:
        run.take_type_ahead()  # keys from the menus are spent
        entered_at = _number(run.variables.get("queue.entered_at"))
        in_line = run.variables.get("queue.waiting") is True
        current = run.variables.get("queue.name")
        if in_line and current != node.queue:
            # From one line straight into another (a declined offer leading elsewhere).
            run.actions.append(LeaveQueue(str(current)))
            in_line = False
        if current != node.queue or entered_at is None or not in_line:
            entered_at = run.now
            run.set("queue.name", node.queue)
            run.set("queue.entered_at", entered_at)
        # else: back from a declined callback offer, still in line at the same place
        run.update("queue.node", run.node_id)
        run.update("queue.waiting", True)
        return self.wait(node, run, entered_at)

    def wait(self, node: QueueNode, run: Run, entered_at: float) -> Wait:
        ann = node.announcements
        announcements = QueueAnnouncements(
            ann.position, ann.ewt, ann.every, run.prompts(ann.prompt), ann.music
        )
        enqueue = Enqueue(
            node.queue,
            self.priority(node, run),
            node.skills,
            announcements,
            node.max_wait,
            entered_at,
            run.language,
            offer_callback=node.callback is not None,
        )
        return Wait(enqueue, "waiting")

    def priority(self, node: QueueNode, run: Run) -> int:
        if isinstance(node.priority, int):
            value: float = node.priority
        else:
            found = _number(run.evaluate("priority", node.priority))
            value = 0 if found is None else found
        return max(0, min(MAX_PRIORITY, round(value)))

    def resume(self, node: QueueNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "connected" and isinstance(event, AgentLeft):
            return then(node.after)
        if run.phase != "waiting" or not isinstance(event, QueueOutcome):
            return super().resume(node, run, event)
        if event.result is QueueResult.CALLBACK_OFFERED:
            if node.callback is not None:
                return Goto(node.callback)  # still in line while the offer plays
            entered_at = _number(run.variables.get("queue.entered_at")) or run.now
            return self.wait(node, run, entered_at)
        run.set("queue.outcome", event.result.value)
        run.set("queue.waiting", False)
        if event.result is QueueResult.ANSWERED:
            run.set("queue.agent_id", event.agent_id)
            entered_at = _number(run.variables.get("queue.entered_at")) or run.now
            run.set("queue.wait", round(run.now - entered_at, 3))
            return Wait(AwaitAgentLeft(), "connected")
        if event.result is QueueResult.UNAVAILABLE:
            return then(node.unavailable or node.no_answer, "unavailable", "no agent available")
        return then(node.no_answer, "no_answer", "nobody answered in time")


class VoicemailHandler(Handler[VoicemailNode]):
    def enter(self, node: VoicemailNode, run: Run) -> Transition:
        run.take_type_ahead()
        ticket = None
        if node.ticket is not None:
            scope = run.scope()
            subject = fill_template(node.ticket.subject, scope).strip()
            if not subject:
                subject = fill_template(voicemail_subject(run.language), scope).strip()
            ticket = VoicemailTicketRequest(
                department=node.ticket.department,
                subject=subject[:200],
                category=node.ticket.category,
                priority=node.ticket.priority,
                language=run.language,
            )
        record = RecordVoicemail(
            node.mailbox,
            run.prompts(node.greeting),
            node.beep,
            node.max_length,
            node.silence_end,
            ticket,
        )
        return Wait(record, "recording")

    def resume(self, node: VoicemailNode, run: Run, event: FlowInput) -> Transition:
        if not isinstance(event, RecordingDone):
            return super().resume(node, run, event)
        if event.recording_id:
            run.set("voicemail.recording_id", event.recording_id)
            run.set("voicemail.duration", event.duration)
            if node.email:
                run.actions.append(
                    NotifyVoicemail(node.mailbox, event.recording_id, event.duration, node.email)
                )
        return then(node.next)


class CallbackHandler(Handler[CallbackNode]):
    """offer → (accept) confirm → (confirm) request; confirm → (change) number → confirm."""

    def enter(self, node: CallbackNode, run: Run) -> Transition:
        keys = run.take_type_ahead()
        if keys:
            return self.offer_answered(node, run, keys[0])
        return ask_key(run, node.prompt, node.timeout, phase="offer")

    def resume(self, node: CallbackNode, run: Run, event: FlowInput) -> Transition:
        if run.phase == "request" and isinstance(event, CallbackOutcome):
            run.set("callback.outcome", "booked" if event.ok else "refused")
            if event.ok:
                run.set("queue.waiting", False)  # the router keeps the place; the caller leaves
            return then(node.accepted if event.ok else (node.failed or node.declined))
        if not isinstance(event, DigitsCollected | CollectTimedOut):
            return super().resume(node, run, event)
        keys = event.digits
        if run.phase == "number":
            return self.number_entered(node, run, keys)
        if not keys or isinstance(event, CollectTimedOut):
            run.keyed("", "timeout")
            return self.retry(node, run, ())
        if run.phase == "confirm":
            return self.confirm_answered(node, run, keys[0])
        return self.offer_answered(node, run, keys[0])

    def offer_answered(self, node: CallbackNode, run: Run, key: str) -> Transition:
        if key == node.decline_key:
            run.keyed(key, "matched")
            run.set("callback.outcome", "declined")
            return then(node.declined)
        if key != node.accept_key:
            run.keyed(key, "invalid")
            return self.retry(node, run, node.invalid_prompt)
        run.keyed(key, "matched")
        number = run.variables.get("callback.number") or run.variables.get("caller.number")
        if isinstance(number, str) and re.fullmatch(node.number_pattern, number):
            run.set("callback.number", number)
            return self.ask_confirm(node, run, 0)
        return self.ask_number(node, run, (), 0)  # anonymous caller: ask for a number

    def confirm_answered(self, node: CallbackNode, run: Run, key: str) -> Transition:
        if key == node.confirm_key:
            run.keyed(key, "matched")
            number = str(run.variables.get("callback.number") or "")
            entered_at = run.variables.get("queue.entered_at")
            since = entered_at if isinstance(entered_at, int | float) else run.now
            return Wait(RequestCallback(node.queue, number, float(since)), "request")
        if key == node.change_key:
            run.keyed(key, "matched")
            return self.ask_number(node, run, (), 0)
        run.keyed(key, "invalid")
        return self.retry(node, run, node.invalid_prompt)

    def number_entered(self, node: CallbackNode, run: Run, digits: str) -> Transition:
        if digits.endswith("#"):
            digits = digits[:-1]
        if digits and re.fullmatch(node.number_pattern, digits):
            run.keyed(digits, "matched")
            run.set("callback.number", digits)
            return self.ask_confirm(node, run, 0)
        run.keyed(digits, "invalid" if digits else "timeout")
        return self.retry(node, run, node.invalid_prompt if digits else ())

    def ask_confirm(self, node: CallbackNode, run: Run, attempt: int) -> Wait:
        return ask_key(run, node.confirm_prompt, node.timeout, phase="confirm", attempt=attempt)

    def ask_number(
        self, node: CallbackNode, run: Run, before: tuple[Prompt, ...], attempt: int
    ) -> Wait:
        prompts = run.prompts((*before, *node.number_prompt))
        collect = Collect(prompts, 1, 20, "#", node.timeout, node.timeout)
        return Wait(collect, "number", attempt)

    def retry(self, node: CallbackNode, run: Run, before: tuple[Prompt, ...]) -> Transition:
        attempt = run.attempt + 1
        if attempt > node.retries:
            run.set("callback.outcome", "no_answer")
            return then(node.failed or node.declined)
        if run.phase == "number":
            return self.ask_number(node, run, before, attempt)
        if run.phase == "confirm":
            prompts = (*before, *node.confirm_prompt)
            return ask_key(run, prompts, node.timeout, phase="confirm", attempt=attempt)
        return ask_key(run, (*before, *node.prompt), node.timeout, phase="offer", attempt=attempt)


class TransferHandler(Handler[TransferNode]):
    def enter(self, node: TransferNode, run: Run) -> Transition:
        run.take_type_ahead()
        target = fill_template(node.target, run.scope()).strip()
        transfer = Transfer(
            node.to,
            target,
            node.timeout,
            run.prompts(node.prompt),
            node.trunk,
            node.caller_id,
        )
        return Wait(transfer, "transferring")

    def resume(self, node: TransferNode, run: Run, event: FlowInput) -> Transition:
        if not isinstance(event, TransferOutcome):
            return super().resume(node, run, event)
        if event.ok:
            run.set("transfer.outcome", "ok")
            return Finish(EndReason.TRANSFERRED)
        run.set("transfer.outcome", event.reason or "failed")
        return then(node.on_failure, "unavailable", f"transfer failed: {event.reason}")


class HangupHandler(Handler[HangupNode]):
    def enter(self, node: HangupNode, run: Run) -> Transition:
        if node.prompt:
            return Wait(Play(run.prompts(node.prompt)), "goodbye")
        return Finish(EndReason.HANGUP, Hangup(node.cause))

    def resume(self, node: HangupNode, run: Run, event: FlowInput) -> Transition:
        if isinstance(event, PlaybackDone):
            return Finish(EndReason.HANGUP, Hangup(node.cause))
        return super().resume(node, run, event)
