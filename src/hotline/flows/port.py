"""The `InteractionPort`: everything a flow may ask of the channel carrying the customer.

calls/ implements it for voice (prompts and DTMF on a leg, recording, the B2BUA for transfers);
channels/ implements it for text (send, await reply); interactions/ supplies the parts that
involve the router (enqueue, callback), the CRM (lookup) and the tickets (open, find). The
interpreter never sees SIP or RTP — it asks for actions, and `driver.run_flow` turns them into
these calls.

Rules every port keeps:
- a method that cannot continue because the customer left raises `CallerHungUp`, except
  `record`, which returns what was recorded (hanging up is how callers end a voicemail);
- timeouts are the port's: `collect_digits`, `lookup` and `enqueue` answer with their timeout
  outcome; none of them waits longer than the request says (plus the router's own limits);
- a method the channel cannot do raises `PortUnsupported` (a transfer on a chat, say); the
  driver turns that into the action's failure answer;
- while the caller is still in a queue's line but the flow is busy elsewhere (a callback
  offer), the queue's outcome (an agent answered, max wait) cuts the pending operation short:
  the port raises `QueuePreempted(outcome)` from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from hotline.flows.actions import (
    AskBot,
    Collect,
    Enqueue,
    FindTicket,
    LeaveQueue,
    Lookup,
    NotifyVoicemail,
    OpenTicket,
    RecordVoicemail,
    RequestCallback,
    Transfer,
)
from hotline.flows.errors import FlowError
from hotline.flows.inputs import (
    BotAnswered,
    CallbackOutcome,
    CollectTimedOut,
    DigitsCollected,
    LookupCompleted,
    LookupFailed,
    QueueOutcome,
    RecordingDone,
    TicketFailed,
    TicketFound,
    TicketOpened,
    TransferOutcome,
)
from hotline.flows.prompts import PromptRef

__all__ = ["VOICE", "InteractionPort", "QueuePreempted"]

VOICE = "voice"


class QueuePreempted(FlowError):
    """Raised by a port operation cut short by the queue the caller is still waiting in."""

    code = "flow.port.queue_preempted"

    def __init__(self, outcome: QueueOutcome) -> None:
        super().__init__(f"queue outcome {outcome.result.value} while the flow was busy")
        self.outcome = outcome


class InteractionPort(Protocol):
    @property
    def channel(self) -> str:
        """ "voice", or the text channel ("chat", "sms", "email")."""
        ...

    # --- voice ---------------------------------------------------------------------------------

    async def play(self, prompts: Sequence[PromptRef], *, interruptible: bool) -> str:
        """Play prompts in order; return the keys that stopped an interruptible one ("")."""
        ...

    async def collect_digits(self, request: Collect) -> DigitsCollected | CollectTimedOut:
        """Play `request.prompts` (keys stop them) and collect keys. `digits` in the answer is
        the whole entry including `request.prefix`, without the terminator."""
        ...

    async def record(self, request: RecordVoicemail) -> RecordingDone:
        """Greeting, beep, then record to the voicemail store."""
        ...

    async def listen(self, timeout: float, language: str) -> str | None:
        """What the caller says next, recognized as text by the speech recognizer (ADR 0258);
        None when they said nothing within `timeout` seconds. `PortUnsupported` without one."""
        ...

    # --- text ----------------------------------------------------------------------------------

    async def send(self, text: str) -> None:
        """Send a message to the customer."""
        ...

    async def await_reply(self, timeout: float) -> str | None:
        """The customer's next message, or None after `timeout` seconds."""
        ...

    # --- any channel ---------------------------------------------------------------------------

    async def lookup(self, request: Lookup) -> LookupCompleted | LookupFailed:
        """Customer by caller id, or the HTTP webhook; `LookupFailed("timeout")` on time-out."""
        ...

    async def enqueue(self, request: Enqueue) -> QueueOutcome:
        """Queue through the router (or keep waiting if already in this line), with music and
        announcements, until an outcome."""
        ...

    async def leave_queue(self, request: LeaveQueue) -> None:
        """Withdraw the caller from the line (the flow moved on); not an abandon."""
        ...

    async def wait_agent_left(self) -> None:
        """Return when the agent's side ends and the customer is still there."""
        ...

    async def transfer(self, request: Transfer) -> TransferOutcome:
        """Blind-transfer the customer; ok means the target took the call."""
        ...

    async def request_callback(self, request: RequestCallback) -> CallbackOutcome:
        """Ask the router to keep the place in line and call `request.number` back."""
        ...

    async def open_ticket(self, request: OpenTicket) -> TicketOpened | TicketFailed:
        """Open a ticket about this contact, linked to it and to the caller's customer."""
        ...

    async def find_ticket(self, request: FindTicket) -> TicketFound | TicketFailed:
        """The ticket with the number the caller entered (its status in their language)."""
        ...

    async def consult_bot(self, question: str, request: AskBot) -> BotAnswered:
        """The knowledge base's bot on the customer's message (ADR 0256); `PortUnsupported`
        when the center has no bot (the flow then hands off)."""
        ...

    async def notify_voicemail(self, notice: NotifyVoicemail) -> None:
        """Send the voicemail e-mail notice (must not block the call on SMTP)."""
        ...

    async def hang_up(self, cause: str) -> None:
        """End the customer's side (voice) or close the conversation (text)."""
        ...
