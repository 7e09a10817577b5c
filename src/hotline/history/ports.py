"""What the contact history needs from the rest of Hotline: the projections and the log
(implemented in `store/contacts_repo.py`), queue membership as the router decides it, tickets,
customers, the live desk and the runtime's dialler (adapted at the API edge)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from hotline.events import EventRecord
from hotline.history.model import ContactQuery, Scope, WorklistQuery
from hotline.tickets.schemas import TicketIn

__all__ = [
    "Audit",
    "ContactRepository",
    "Customers",
    "Dialer",
    "LiveDesk",
    "QueueMembership",
    "RecordingFiles",
    "Row",
    "Tickets",
    "Timeline",
    "WorklistRepository",
]

Row = Mapping[str, Any]


class ContactRepository(Protocol):
    async def page(
        self, tenant_id: str, scope: Scope, query: ContactQuery
    ) -> tuple[list[Row], int]: ...

    async def get(self, tenant_id: str, scope: Scope, contact_id: str) -> Row | None:
        """The contact row if `scope` shows it (a version-1 consultation's id names its
        customer's contact)."""
        ...

    async def work_items(self, tenant_id: str, contact_id: str) -> list[Row]: ...

    async def segments(self, tenant_id: str, contact_id: str) -> list[Row]: ...

    async def latest_segment(
        self, tenant_id: str, contact_id: str, agent_id: str
    ) -> Row | None: ...

    async def recordings(self, tenant_id: str, contact_id: str) -> list[Row]: ...

    async def recording(self, tenant_id: str, recording_id: str) -> Row | None: ...

    async def disposition_category(self, tenant_id: str, code: str) -> str | None:
        """The category of an active disposition code; None when there is no such code."""
        ...

    async def team_agents(self, tenant_id: str, supervisor_user_id: str) -> frozenset[str]: ...

    async def recent(
        self,
        tenant_id: str,
        *,
        number: str | None,
        customer_id: str | None,
        exclude: Sequence[str],
        limit: int,
    ) -> list[Row]:
        """A caller's latest contacts (by number or customer), newest first."""
        ...

    async def open_tickets(
        self, tenant_id: str, customer_id: str | None, number: str | None, limit: int
    ) -> list[Row]:
        """Open tickets of the customer or about a contact from the number."""
        ...


class WorklistRepository(Protocol):
    async def page(
        self, tenant_id: str, scope: Scope, query: WorklistQuery
    ) -> tuple[list[Row], int]:
        """Missed contacts with their claim (`claimed_by`, `claimed_at`), newest first."""
        ...

    async def get(self, tenant_id: str, interaction_id: str) -> Row | None: ...

    async def claim(
        self, tenant_id: str, interaction_id: str, agent_id: str, at: float
    ) -> tuple[Row, bool]:
        """Claim unless someone holds it (one conditional write): the claim row after, and
        whether this call made it."""
        ...

    async def release(self, tenant_id: str, interaction_id: str, agent_id: str) -> bool:
        """Drop `agent_id`'s claim; False when it held none."""
        ...


class Timeline(Protocol):
    async def for_interaction(self, tenant_id: str, interaction_id: str) -> list[EventRecord]: ...


class QueueMembership(Protocol):
    async def queues_of(self, tenant_id: str, agent_id: str) -> frozenset[str]:
        """The queues whose requirement the agent meets (skills, proficiency, teams)."""
        ...


class Tickets(Protocol):
    async def create(self, data: TicketIn) -> Row: ...


class Customers(Protocol):
    async def find(self, customer_id: str | None, number: str | None) -> Row | None: ...


class LiveDesk(Protocol):
    """What the live runtime knows and the log does not yet: offers ringing now, and the
    wrap-up it holds until a required disposition is saved."""

    def on_desk_of(self, agent_id: str) -> set[str]:
        """Contacts offered to the agent or on its desk now."""
        ...

    def disposition_saved(self, agent_id: str, contact_id: str) -> str | None:
        """Tell the router the agent saved its disposition of the contact; the work item of
        the agent's segment it belongs to (None when the agent has no wrap-up of it now)."""
        ...


class Dialer(Protocol):
    async def dial(self, agent_id: str, number: str, *, related_interaction_id: str) -> str:
        """Ring the agent's phone, then call `number`; the new contact's id."""
        ...


class Audit(Protocol):
    async def add(self, entry: dict[str, Any]) -> None: ...


class RecordingFiles(Protocol):
    def stored(self, key: str) -> bool:
        """Whether the file under `key` is still kept (retention may have removed it)."""
        ...
