"""What the ticket services need from outside: storage (implemented in `hotline.store`),
attachment files, timers on the job host and outgoing mail. Protocols only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, Protocol

from hotline.tickets.model import (
    Category,
    Comment,
    Department,
    Ticket,
    TicketSettings,
    TicketStatus,
)
from hotline.tickets.sla import BusinessTime, SlaClock, SlaPolicy, Target

__all__ = [
    "AttachmentStore",
    "CustomerBrief",
    "Mailer",
    "TextMessages",
    "TicketQuery",
    "TicketRepository",
    "Timers",
]


@dataclass(frozen=True, slots=True)
class CustomerBrief:
    id: str
    name: str
    vip_level: int
    emails: tuple[str, ...]
    language: str
    phones: tuple[str, ...] = ()  # E.164, the first is the one texts go to


@dataclass(frozen=True, slots=True)
class TicketQuery:
    search: str | None = None
    status: Sequence[TicketStatus] = ()
    customer_id: str | None = None
    department: str | None = None
    assignee_id: str | None = None
    category: str | None = None
    overdue_at: float | None = None  # only tickets whose resolution clock has breached by then
    limit: int = 50
    offset: int = 0


class TicketRepository(Protocol):
    # -- tickets --
    async def next_number(self, tenant_id: str, counter: str, start: int) -> int: ...
    async def add(self, ticket: Ticket) -> None: ...
    async def get(self, tenant_id: str, ticket_id: str) -> Ticket | None: ...
    async def get_by_number(self, tenant_id: str, number: int) -> Ticket | None: ...
    async def save(self, ticket: Ticket) -> None: ...
    async def search(self, tenant_id: str, query: TicketQuery) -> tuple[list[Ticket], int]: ...
    async def open_counts(self, tenant_id: str, users: Sequence[str]) -> dict[str, int]: ...
    # -- its parts --
    async def add_comment(self, tenant_id: str, comment: Comment) -> None: ...
    async def comments(self, tenant_id: str, ticket_id: str) -> list[Comment]: ...
    async def add_activity(self, tenant_id: str, row: Mapping[str, Any]) -> None: ...
    async def activity(
        self, tenant_id: str, ticket_id: str, limit: int
    ) -> list[dict[str, Any]]: ...
    async def user_names(self, tenant_id: str) -> dict[str, str]: ...
    async def add_attachment(self, tenant_id: str, row: Mapping[str, Any]) -> None: ...
    async def attachments(self, tenant_id: str, ticket_id: str) -> list[dict[str, Any]]: ...
    async def attachment(self, tenant_id: str, attachment_id: str) -> dict[str, Any] | None: ...
    async def set_watcher(self, tenant_id: str, ticket_id: str, user_id: str, on: bool) -> None: ...
    async def watchers(self, tenant_id: str, ticket_id: str) -> list[str]: ...
    async def link(
        self, tenant_id: str, ticket_id: str, interaction_id: str, at: float, by: str | None
    ) -> bool: ...
    async def links(self, tenant_id: str, ticket_id: str) -> list[dict[str, Any]]: ...
    async def move_children(self, tenant_id: str, source_id: str, target_id: str) -> None: ...
    # -- configuration --
    async def settings(self, tenant_id: str) -> TicketSettings: ...
    async def department(self, tenant_id: str, code: str) -> Department | None: ...
    async def note_assigned(self, tenant_id: str, department_id: str, user_id: str) -> None: ...
    async def category(self, tenant_id: str, code: str) -> Category | None: ...
    async def category_path(self, tenant_id: str, code: str) -> list[str]: ...
    async def user_exists(self, tenant_id: str, user_id: str) -> bool: ...
    async def user_contacts(self, tenant_id: str, user_ids: Sequence[str]) -> dict[str, str]: ...
    async def user_mail(
        self, tenant_id: str, user_ids: Sequence[str]
    ) -> dict[str, tuple[str, str | None]]:
        """Active users with an address → (address, their language or None)."""
        ...

    async def customer(self, tenant_id: str, customer_id: str) -> CustomerBrief | None: ...
    async def interaction_exists(self, tenant_id: str, interaction_id: str) -> bool: ...
    # -- SLA --
    async def policies(self, tenant_id: str) -> list[SlaPolicy]: ...
    async def policy(self, tenant_id: str, policy_id: str) -> SlaPolicy | None: ...
    async def calendar(self, tenant_id: str, name: str | None) -> BusinessTime: ...
    async def clocks(self, tenant_id: str, ticket_id: str) -> list[SlaClock]: ...
    async def clock(self, tenant_id: str, ticket_id: str, target: Target) -> SlaClock | None: ...
    async def save_clock(self, tenant_id: str, clock: SlaClock) -> None: ...


class AttachmentStore(Protocol):
    def write(self, key: str, data: BinaryIO) -> None: ...
    def open_read(self, key: str) -> BinaryIO: ...
    def delete(self, key: str) -> None: ...


class Timers(Protocol):
    """Timers on the job host, written in the caller's transaction."""

    async def schedule(
        self, kind: str, *, due_at: float, tenant_id: str, payload: Mapping[str, Any], key: str
    ) -> None: ...


class Mailer(Protocol):
    """Mail sent by a `mail.send` job scheduled in the caller's transaction; a mail to the
    customer names the ticket and the customer (it goes through the tenant's mailbox,
    threaded under the ticket's mail, ADR 0245)."""

    async def send(
        self,
        tenant_id: str,
        to: Sequence[str],
        subject: str,
        body: str,
        *,
        ticket_id: str | None = None,
        customer_id: str | None = None,
    ) -> None: ...


class TextMessages(Protocol):
    """The SMS hook (ADR 0163): a short text to a customer's phone about a ticket, handed on
    in the caller's transaction. The SMS channel sends it; until then an outside gateway can
    take it by webhook."""

    async def send(
        self,
        tenant_id: str,
        to: str,
        text: str,
        *,
        ticket_id: str,
        number: int,
        kind: str,
        language: str,
    ) -> None: ...
