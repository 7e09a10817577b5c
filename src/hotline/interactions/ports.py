"""What the orchestrator needs from the rest of Hotline, as protocols with in-memory versions.

The lead implements them over the database and the event log (never imported from here):

- `DidDirectory` — which tenant and flow answer a dialled number;
- `CustomerDirectory` — the customer behind a caller number (VIP level → queue priority);
- `RecordingCatalog` — a row per call recording and voicemail (DESIGN §10);
- `StartupFacts` — after a restart: interactions the log shows open, agents logged in;
- `MailSender` — the voicemail notice (`mail.SmtpMailSender` is the real one);
- `TicketDesk` — the flow's ticket nodes: open a ticket about a contact, find one by number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from hotline.flows.actions import AskBot
from hotline.flows.inputs import BotAnswered
from hotline.ids import AgentId, CustomerId, InteractionId, QueueId
from hotline.routing import AgentState
from hotline.sip.policy import normalize_number

__all__ = [
    "AgentSessionFacts",
    "BotAdvisor",
    "CustomerDirectory",
    "CustomerRecord",
    "DidDirectory",
    "DidRoute",
    "InMemoryCustomerDirectory",
    "InMemoryDidDirectory",
    "InMemoryRecordingCatalog",
    "InMemoryStartupFacts",
    "MailSender",
    "OpenInteraction",
    "OutboxMailSender",
    "RecordingCatalog",
    "RecordingRow",
    "StartupFacts",
    "TicketDesk",
    "TicketFacts",
    "TicketRequest",
]

Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class DidRoute:
    """A dialled number's owner. `flow` None: the flow whose `dids` list the number."""

    tenant_id: str
    flow: str | None = None
    early_media: bool = False  # play the flow's first prompts before answering (183)


class DidDirectory(Protocol):
    async def resolve(self, did: str) -> DidRoute | None: ...


class InMemoryDidDirectory:
    def __init__(self, routes: Mapping[str, DidRoute] | None = None) -> None:
        self.routes = dict(routes or {})

    def add(self, did: str, route: DidRoute) -> None:
        self.routes[did] = route

    async def resolve(self, did: str) -> DidRoute | None:
        return self.routes.get(did)


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """What the flow's `lookup` node and routing need: `fields` become `customer.<name>`."""

    customer_id: CustomerId
    name: str | None = None
    vip_level: int = 0
    fields: Mapping[str, Scalar] = field(default_factory=dict)

    def variables(self) -> dict[str, Scalar]:
        return {
            **self.fields,
            "id": self.customer_id,
            "name": self.name,
            "vip_level": self.vip_level,
        }


class CustomerDirectory(Protocol):
    async def find_by_number(self, tenant_id: str, number: str) -> CustomerRecord | None:
        """The customer one of whose phone numbers is `number` (any common spelling)."""
        ...


class InMemoryCustomerDirectory:
    """Numbers are compared by their digits (and a leading +), like `normalize_number`."""

    def __init__(self) -> None:
        self._by_number: dict[tuple[str, str], CustomerRecord] = {}

    def add(self, tenant_id: str, numbers: Sequence[str], record: CustomerRecord) -> None:
        for number in numbers:
            self._by_number[(tenant_id, normalize_number(number))] = record

    async def find_by_number(self, tenant_id: str, number: str) -> CustomerRecord | None:
        return self._by_number.get((tenant_id, normalize_number(number)))


@dataclass(frozen=True, slots=True)
class RecordingRow:
    """A stored recording (`kind` "call": stereo, customer left; "voicemail": mono)."""

    tenant_id: str
    interaction_id: str
    recording_id: str
    kind: str
    path: str
    duration_s: float
    channels: int
    sha256: str
    size_bytes: int
    paused_spans: tuple[tuple[float, float], ...]
    started_at: float
    leg_id: str | None = None
    mailbox: str | None = None


class RecordingCatalog(Protocol):
    async def add(self, row: RecordingRow) -> None: ...


class InMemoryRecordingCatalog:
    def __init__(self) -> None:
        self.rows: list[RecordingRow] = []

    async def add(self, row: RecordingRow) -> None:
        self.rows.append(row)


@dataclass(frozen=True, slots=True)
class OpenInteraction:
    """An interaction with `interaction.created` and no `interaction.ended` in the log."""

    interaction_id: InteractionId
    created_at: float
    queue_id: QueueId | None = None
    agent_id: AgentId | None = None
    answered: bool = False


@dataclass(frozen=True, slots=True)
class AgentSessionFacts:
    """A logged-in agent as the log left it: its presence and the phone it works at."""

    agent_id: AgentId
    presence: AgentState  # AVAILABLE or NOT_READY (LOGGED_OUT agents are not listed)
    reason: str | None
    phone_kind: str  # "sip" | "browser"
    phone_address: str  # the extension, or the browser session's key
    handled_today: int = 0


class StartupFacts(Protocol):
    async def open_interactions(self, tenant_id: str) -> list[OpenInteraction]: ...

    async def agent_sessions(self, tenant_id: str) -> list[AgentSessionFacts]: ...


class InMemoryStartupFacts:
    def __init__(self) -> None:
        self.interactions: dict[str, list[OpenInteraction]] = {}
        self.agents: dict[str, list[AgentSessionFacts]] = {}

    async def open_interactions(self, tenant_id: str) -> list[OpenInteraction]:
        return list(self.interactions.get(tenant_id, []))

    async def agent_sessions(self, tenant_id: str) -> list[AgentSessionFacts]:
        return list(self.agents.get(tenant_id, []))


class MailSender(Protocol):
    async def send(self, message: EmailMessage) -> None:
        """Deliver the message; raise on failure (the caller logs and emits the outcome)."""
        ...


class OutboxMailSender:
    """Keeps messages instead of sending them (tests, a machine without SMTP)."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.sent.append(message)


@dataclass(frozen=True, slots=True)
class TicketRequest:
    """A ticket the flow opens about the contact `interaction_id` (linked to it, and through
    it to the caller's number) for the customer the caller is, if any."""

    interaction_id: str
    customer_id: str | None
    caller_number: str | None
    department: str
    subject: str
    description: str = ""
    priority: str = "normal"
    category: str | None = None
    language: str = "zh-CN"


@dataclass(frozen=True, slots=True)
class TicketFacts:
    """What a caller may hear about a ticket: its number and its status in their language."""

    ticket_id: str
    number: int
    status: str
    status_text: str


class TicketDesk(Protocol):
    async def open(self, tenant_id: str, request: TicketRequest) -> TicketFacts:
        """Open the ticket; a refusal raises a `HotlineError` whose `code` says why."""
        ...

    async def find(self, tenant_id: str, number: int, language: str) -> TicketFacts | None: ...


class BotAdvisor(Protocol):
    """The knowledge base's bot, as a flow's bot node asks it (ADR 0256)."""

    async def consult(self, tenant_id: str, question: str, request: AskBot) -> BotAnswered: ...
