"""`run_flow`: the async loop that feeds the pure interpreter from an `InteractionPort`.

It starts the flow, performs the actions each step asks for through the port, hands the
answer back with `now` from the injected clock, and emits the step's `flow.*` events to the
sink — until the flow ends. On text channels prompts become messages and keys become replies.
This module is the only place in flows/ that awaits anything.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.flows.actions import (
    Action,
    AskBot,
    AwaitAgentLeft,
    Collect,
    Enqueue,
    FindTicket,
    Hangup,
    LeaveQueue,
    Lookup,
    NotifyVoicemail,
    OpenTicket,
    Play,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.errors import CallerHungUp, PortUnsupported
from hotline.flows.inputs import (
    AgentLeft,
    BotAnswered,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    FlowInput,
    HungUp,
    LookupFailed,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TicketFailed,
    TransferOutcome,
)
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.port import VOICE, InteractionPort, QueuePreempted
from hotline.flows.prompts import PromptRef
from hotline.flows.schema import Flow
from hotline.flows.state import FlowState
from hotline.flows.variables import Scalar

__all__ = ["DEFAULT_TEXT_REPLY_TIMEOUT", "run_flow"]

DEFAULT_TEXT_REPLY_TIMEOUT = 300.0  # people type slower than they press keys


def _texts(prompts: Sequence[PromptRef]) -> list[str]:
    return [p.text for p in prompts if p.text]


class _Performer:
    def __init__(self, port: InteractionPort, text_reply_timeout: float) -> None:
        self.port = port
        self.voice = port.channel == VOICE
        self.text_reply_timeout = text_reply_timeout

    async def say(self, prompts: Sequence[PromptRef], *, interruptible: bool = False) -> str:
        if self.voice:
            return await self.port.play(prompts, interruptible=interruptible)
        for text in _texts(prompts):
            await self.port.send(text)
        return ""

    async def collect(self, request: Collect) -> FlowInput:
        if self.voice:
            return await self.port.collect_digits(request)
        await self.say(request.prompts)
        timeout = max(request.first_digit_timeout, self.text_reply_timeout)
        reply = await self.port.await_reply(timeout)
        if reply is None or not reply.strip():
            return CollectTimedOut(request.prefix)
        return DigitsCollected(request.prefix + reply.strip())

    async def record(self, request: RecordVoicemail) -> FlowInput:
        if not self.voice:
            raise PortUnsupported(f"no voicemail on {self.port.channel}")
        return await self.port.record(request)

    async def ask_bot(self, request: AskBot) -> FlowInput:
        """Say the bot's lines, take the customer's next message (typed, or spoken and
        recognized) and let the bot decide on it."""
        await self.say(request.prompts)
        if self.voice:
            question = await self.port.listen(request.timeout, request.language)
        else:
            question = await self.port.await_reply(max(request.timeout, 1.0))
        if question is None or not question.strip():
            return CollectTimedOut()
        return await self.port.consult_bot(question.strip(), request)

    async def perform(self, action: Action) -> FlowInput | None:
        """Do one action; the answer for actions the flow waits on, else None."""
        port = self.port
        try:
            if isinstance(action, Play):
                keys = await self.say(action.prompts, interruptible=action.interruptible)
                return PlaybackDone(keys)
            if isinstance(action, Collect):
                return await self.collect(action)
            if isinstance(action, AskBot):
                return await self.ask_bot(action)
            if isinstance(action, Lookup):
                return await port.lookup(action)
            if isinstance(action, Enqueue):
                return await port.enqueue(action)
            if isinstance(action, AwaitAgentLeft):
                await port.wait_agent_left()
                return AgentLeft()
            if isinstance(action, RecordVoicemail):
                return await self.record(action)
            if isinstance(action, Transfer):
                return await port.transfer(action)
            if isinstance(action, RequestCallback):
                return await port.request_callback(action)
            if isinstance(action, OpenTicket):
                return await port.open_ticket(action)
            if isinstance(action, FindTicket):
                return await port.find_ticket(action)
            if isinstance(action, NotifyVoicemail):
                await port.notify_voicemail(action)
                return None
            if isinstance(action, LeaveQueue):
                await port.leave_queue(action)
                return None
            await port.hang_up(action.cause)
            return None
        except PortUnsupported as exc:
            return _failure(action, exc.message)


def _failure(action: Action, reason: str) -> FlowInput | None:
    """What an action the channel cannot do answers: its documented failure."""
    if isinstance(action, Lookup):
        return LookupFailed(reason)
    if isinstance(action, Enqueue):
        return QueueOutcome(QueueResult.UNAVAILABLE)
    if isinstance(action, RecordVoicemail):
        return RecordingDone(None)
    if isinstance(action, Transfer):
        return TransferOutcome(False, reason)
    if isinstance(action, RequestCallback):
        return CallbackOutcome(False, reason)
    if isinstance(action, OpenTicket | FindTicket):
        return TicketFailed(reason)
    if isinstance(action, AskBot):
        # no recognizer on this call, or no bot in this center: a person takes over at once
        return BotAnswered("", "hand_off", reason="unavailable")
    if isinstance(action, NotifyVoicemail | Hangup | LeaveQueue):
        return None
    raise PortUnsupported(reason)  # play / collect / wait: a port that cannot do them is broken


async def run_flow(
    flow: Flow | Program,
    port: InteractionPort,
    variables: Mapping[str, Scalar],
    clock: Clock,
    *,
    sink: EventSink | None = None,
    tenant_id: str = "default",
    interaction_id: str | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    text_reply_timeout: float = DEFAULT_TEXT_REPLY_TIMEOUT,
) -> FlowState:
    """Run `flow` for one interaction until it ends; return the final state.

    `variables` seeds the call's facts (`caller.number`, `dialed.number`, `emergency.active` …;
    `channel` comes from the port). Pass a `Program` built once per published version to avoid
    validating the flow per call. `on_step` sees every step (to record the state if wanted).
    """
    program = flow if isinstance(flow, Program) else Program(flow)
    performer = _Performer(port, text_reply_timeout)
    result = program.start(
        tenant_id=tenant_id,
        now=clock.now(),
        variables={"channel": port.channel, **variables},
        interaction_id=interaction_id,
    )
    while True:
        if sink is not None:
            for event in result.events:
                sink.emit(event)
        if on_step is not None:
            on_step(result)
        answer: FlowInput | None = None
        try:
            for action in result.actions:
                answer = await performer.perform(action)
        except CallerHungUp:
            if result.ended:
                return result.state
            answer = HungUp()
        except QueuePreempted as preempted:
            answer = preempted.outcome
        if result.ended:
            return result.state
        if answer is None:  # a step always ends with an action that is answered
            raise RuntimeError(f"flow {program.flow.name}: step ended without an action to await")
        result = program.step(result.state, answer, clock.now())
