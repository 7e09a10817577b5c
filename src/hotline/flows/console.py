"""The designer's test console: walk a flow with typed keys and see what the caller would hear.

`walk(program, answers, …)` starts the flow and replays the answers the tester gave so far —
keys for a menu or a collect node, and for everything else the outcome to pretend ("found",
"timeout", "answered" …) — through the one flow interpreter (`Program.start` / `step`), the
same that runs calls. Prompts are played to the end at once. It stops where the flow waits for
an answer it has not been given yet (naming the choices), or where the flow ends. Pure: the
replay is deterministic, so the page sends the whole list of answers each time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hotline.flows.actions import (
    Action,
    AskBot,
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
from hotline.flows.inputs import (
    AgentLeft,
    BotAnswered,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    FlowInput,
    HungUp,
    LookupCompleted,
    LookupFailed,
    PlaybackDone,
    QueueOutcome,
    QueueResult,
    RecordingDone,
    TicketFailed,
    TicketFound,
    TicketOpened,
    TransferOutcome,
)
from hotline.flows.interpreter import Program, StepResult
from hotline.flows.prompts import PromptRef
from hotline.flows.state import Awaiting
from hotline.flows.variables import Scalar

__all__ = ["CHOICES", "HANG_UP", "MAX_STEPS", "ConsoleLine", "Walk", "walk"]

MAX_STEPS = 200
HANG_UP = "hangup"  # an answer the tester may give at any wait: the caller hangs up
TIMEOUT = "timeout"  # at a key wait: the caller typed nothing

# The outcomes the tester picks from at each kind of wait (keys are typed instead).
CHOICES: Mapping[Awaiting, tuple[str, ...]] = {
    Awaiting.LOOKUP: ("found", "not_found", "failed"),
    Awaiting.QUEUE: ("answered", "no_answer", "unavailable", "callback_offered"),
    Awaiting.AGENT_LEFT: ("agent_left",),
    Awaiting.RECORDING: ("recorded", "nothing_recorded"),
    Awaiting.TRANSFER: ("transferred", "transfer_failed"),
    Awaiting.CALLBACK: ("callback_booked", "callback_refused"),
    Awaiting.TICKET: ("ticket_ok", "ticket_not_found", "ticket_failed"),
    Awaiting.BOT: ("bot_answer", "bot_hand_off", "timeout"),
}


@dataclass(frozen=True, slots=True)
class ConsoleLine:
    """One line of the transcript: `kind` is "say" (a prompt: `text` in `language`, or a
    `file`), "input" (what the tester answered), "queue", "record", "transfer", "ticket",
    "callback", "lookup", "end" or "stopped"; `detail` holds the facts of the others."""

    kind: str
    node: str
    text: str | None = None
    language: str | None = None
    file: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "node": self.node,
            "text": self.text,
            "language": self.language,
            "file": self.file,
            "detail": dict(self.detail),
        }


@dataclass(frozen=True, slots=True)
class Walk:
    lines: tuple[ConsoleLine, ...]
    awaiting: str | None  # "digits", "queue" … what the flow waits for now; None once ended
    choices: tuple[str, ...]  # the outcomes to pick from ("digits": type keys, or timeout)
    node: str
    ended: str | None
    path: tuple[str, ...]
    variables: Mapping[str, Scalar]
    used: int  # how many of the answers were used

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": [line.as_dict() for line in self.lines],
            "awaiting": self.awaiting,
            "choices": list(self.choices),
            "node": self.node,
            "ended": self.ended,
            "path": list(self.path),
            "variables": dict(self.variables),
            "used": self.used,
        }


def _said(node: str, prompts: Sequence[PromptRef]) -> list[ConsoleLine]:
    return [
        ConsoleLine("say", node, text=p.text, language=p.language, file=p.file) for p in prompts
    ]


def _describe(node: str, action: Action) -> list[ConsoleLine]:
    """What the caller hears and what the system does for one action."""
    if isinstance(action, Play):
        return _said(node, action.prompts)
    if isinstance(action, Collect | AskBot):
        return _said(node, action.prompts)
    if isinstance(action, Enqueue):
        detail = {"queue": action.queue, "priority": action.priority, "skills": action.skills}
        return [ConsoleLine("queue", node, detail=detail)]
    if isinstance(action, RecordVoicemail):
        return [
            *_said(node, action.greeting),
            ConsoleLine("record", node, detail={"mailbox": action.mailbox}),
        ]
    if isinstance(action, Transfer):
        detail = {"to": action.to, "target": action.target}
        return [*_said(node, action.prompts), ConsoleLine("transfer", node, detail=detail)]
    if isinstance(action, Lookup):
        return [ConsoleLine("lookup", node, detail={"source": action.source, "key": action.key})]
    if isinstance(action, OpenTicket):
        return [ConsoleLine("ticket", node, detail={"department": action.department})]
    if isinstance(action, FindTicket):
        return [ConsoleLine("ticket", node, detail={"number": action.number})]
    if isinstance(action, RequestCallback):
        return [ConsoleLine("callback", node, detail={"number": action.number})]
    if isinstance(action, Hangup):
        return [ConsoleLine("end", node, detail={"cause": action.cause})]
    if isinstance(action, NotifyVoicemail | LeaveQueue):
        return []
    return []


def _answer(action: Action, given: str) -> FlowInput | None:
    """The input the tester's answer stands for at this wait (None: not a fitting answer)."""
    if given == HANG_UP:
        return HungUp()
    if isinstance(action, Collect):
        if given == TIMEOUT:
            return CollectTimedOut(action.prefix)
        keys = given.strip()
        if keys and all(ch in "0123456789*#" for ch in keys):
            if action.terminator and keys.endswith(action.terminator):
                return DigitsCollected(action.prefix + keys[:-1], action.terminator)
            return DigitsCollected(action.prefix + keys)
        return None
    table: dict[str, FlowInput] = {}
    if isinstance(action, AskBot):
        # the console has no knowledge base: it pretends the bot's two ways out
        table = {
            "bot_answer": BotAnswered("console", "answer", reply="(article)", article_id="console"),
            "bot_hand_off": BotAnswered("console", "hand_off", reason="requested"),
            TIMEOUT: CollectTimedOut(),
        }
    elif isinstance(action, Lookup):
        table = {
            "found": LookupCompleted(True, {}),
            "not_found": LookupCompleted(False),
            "failed": LookupFailed("console"),
        }
    elif isinstance(action, Enqueue):
        table = {
            "answered": QueueOutcome(QueueResult.ANSWERED, "console-agent"),
            "no_answer": QueueOutcome(QueueResult.TIMEOUT),  # max_wait passed
            "unavailable": QueueOutcome(QueueResult.UNAVAILABLE),
            "callback_offered": QueueOutcome(QueueResult.CALLBACK_OFFERED),
        }
    elif action.awaits is Awaiting.AGENT_LEFT:
        table = {"agent_left": AgentLeft()}
    elif isinstance(action, RecordVoicemail):
        table = {
            "recorded": RecordingDone("console", 10.0),
            "nothing_recorded": RecordingDone(None),
        }
    elif isinstance(action, Transfer):
        table = {
            "transferred": TransferOutcome(True),
            "transfer_failed": TransferOutcome(False, "console"),
        }
    elif isinstance(action, RequestCallback):
        table = {
            "callback_booked": CallbackOutcome(True),
            "callback_refused": CallbackOutcome(False, "console"),
        }
    elif isinstance(action, OpenTicket):
        table = {
            "ticket_ok": TicketOpened("console", 10001, "new", "new"),
            "ticket_not_found": TicketFailed("ticket.department.unknown"),
            "ticket_failed": TicketFailed("error: console"),
        }
    elif isinstance(action, FindTicket):
        table = {
            "ticket_ok": TicketFound(True, "console", action.number, "open", "open"),
            "ticket_not_found": TicketFound(False),
            "ticket_failed": TicketFailed("error: console"),
        }
    return table.get(given)


def walk(
    program: Program,
    answers: Sequence[str],
    *,
    now: float,
    language: str | None = None,
    caller: str = "13800000000",
    tenant_id: str = "default",
) -> Walk:
    """Run `program` from its start with `answers`, until it needs one more or ends."""
    variables: dict[str, Scalar] = {"caller.number": caller, "dialed.number": ""}
    if program.flow.dids:
        variables["dialed.number"] = program.flow.dids[0]
    if language:
        variables["language"] = language
    result: StepResult = program.start(tenant_id=tenant_id, now=now, variables=variables)
    lines: list[ConsoleLine] = []
    used = 0
    for step in range(MAX_STEPS):
        node = result.state.node
        for action in result.actions:
            lines += _describe(node, action)
        if result.ended:
            break
        waiting = result.waiting_on
        if waiting is None:  # pragma: no cover - a step always ends waiting or ended
            break
        answer: FlowInput | None
        if isinstance(waiting, Play):
            answer = PlaybackDone()
        else:
            if used >= len(answers):
                return _stop(result, lines, used)
            given = answers[used]
            answer = _answer(waiting, given)
            if answer is None:
                return _stop(result, lines, used)
            used += 1
            lines.append(ConsoleLine("input", node, text=given))
        result = program.step(result.state, answer, now + step + 1)
    else:
        lines.append(ConsoleLine("stopped", result.state.node, detail={"steps": MAX_STEPS}))
    state = result.state
    return Walk(
        tuple(lines),
        None,
        (),
        state.node,
        None if state.ended is None else state.ended.value,
        state.path,
        dict(state.variables),
        used,
    )


def _stop(result: StepResult, lines: list[ConsoleLine], used: int) -> Walk:
    state = result.state
    awaiting = state.awaiting
    choices = (TIMEOUT,) if awaiting is Awaiting.DIGITS else CHOICES.get(awaiting, ())
    return Walk(
        tuple(lines),
        awaiting.value,
        (*choices, HANG_UP),
        state.node,
        None,
        state.path,
        dict(state.variables),
        used,
    )
