"""A customer's profile across channels: the summary the screen pop and the customer page
show (contacts, last contact, average CSAT, open tickets), the timeline (contacts of every
channel, tickets and their notes, CSAT answers, mails sent) and the merge of a duplicate that
keeps all its history (contacts and tickets follow the survivor; later rebuilds of the contacts
projection still find them through the recorded merge)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

from hotline.crm.events import CustomerChanged
from hotline.directory.errors import EntityNotFound
from hotline.errors import InvalidInput
from hotline.events import DomainEvent

__all__ = ["CustomerHistory", "CustomerProfile"]


class CustomerHistory(Protocol):
    async def customer(self, tenant_id: str, customer_id: str) -> dict[str, Any] | None: ...
    async def merged_ids(self, tenant_id: str, customer_id: str) -> list[str]: ...
    async def contact_stats(self, tenant_id: str, ids: Sequence[str]) -> dict[str, Any]: ...
    async def contacts(
        self, tenant_id: str, ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...
    async def tickets(
        self, tenant_id: str, ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...
    async def ticket_notes(
        self, tenant_id: str, ticket_ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...
    async def mails_sent(
        self, tenant_id: str, ids: Sequence[str], limit: int
    ) -> list[dict[str, Any]]: ...
    async def merge(
        self, tenant_id: str, source_id: str, into_id: str, at: float, by: str | None
    ) -> None: ...


_OPEN = ("new", "open", "pending", "on_hold")


class CustomerProfile:
    def __init__(
        self,
        history: CustomerHistory,
        *,
        tenant_id: str,
        emit: Callable[[DomainEvent], None],
        now: Callable[[], float],
        actor_id: str | None = None,
        agent_id: str | None = None,
    ) -> None:
        self.history = history
        self.tenant = tenant_id
        self.emit = emit
        self.now = now
        self.actor_id = actor_id
        self.agent_id = agent_id

    async def _ids(self, customer_id: str) -> list[str]:
        if await self.history.customer(self.tenant, customer_id) is None:
            raise EntityNotFound(f"no customer {customer_id!r}", details={"id": customer_id})
        return [customer_id, *await self.history.merged_ids(self.tenant, customer_id)]

    async def summary(self, customer_id: str) -> dict[str, Any]:
        ids = await self._ids(customer_id)
        stats = await self.history.contact_stats(self.tenant, ids)
        tickets = await self.history.tickets(self.tenant, ids, 1000)
        open_tickets = [t for t in tickets if t["status"] in _OPEN]
        return {
            "customer_id": customer_id,
            "contacts": stats["contacts"],
            "last_contact_at": stats["last_contact_at"],
            "last_channel": stats["last_channel"],
            "channels": stats["channels"],
            "csat_average": stats["csat_average"],
            "csat_answers": stats["csat_answers"],
            "tickets": len(tickets),
            "open_tickets": len(open_tickets),
            "open_ticket_list": open_tickets[:20],
        }

    async def timeline(self, customer_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """Newest first: contacts (any channel), their CSAT, tickets and their public notes,
        and the notices mailed to the customer (a ticket's, a survey link)."""
        ids = await self._ids(customer_id)
        items: list[dict[str, Any]] = []
        for c in await self.history.contacts(self.tenant, ids, limit):
            items.append({"kind": "contact", "at": c["started_at"], **c})
            if c.get("csat") is not None:
                at = c.get("ended_at") or c["started_at"]
                items.append(
                    {
                        "kind": "csat",
                        "at": at,
                        "interaction_id": c["id"],
                        "csat": c["csat"],
                        "csat_scale": c.get("csat_scale"),
                    }
                )
        tickets = await self.history.tickets(self.tenant, ids, limit)
        for t in tickets:
            items.append({"kind": "ticket", "at": t["created_at"], **t})
        notes = await self.history.ticket_notes(self.tenant, [t["id"] for t in tickets], limit)
        for n in notes:
            items.append({"kind": "note", "at": n["created_at"], **n})
        for m in await self.history.mails_sent(self.tenant, ids, limit):
            items.append({**m, "kind": "mail", "mail_kind": m["kind"]})
        items.sort(key=lambda i: (-float(i["at"]), i["kind"]))
        return items[:limit]

    async def merge(self, source_id: str, into_id: str) -> dict[str, Any]:
        """Merge the duplicate `source_id` into `into_id`; returns the survivor's summary."""
        if source_id == into_id:
            raise InvalidInput(
                "A customer cannot be merged into itself.",
                code="customer.merge.self",
                details={"field": "into_id"},
            )
        await self._ids(source_id)
        await self._ids(into_id)
        now = self.now()
        await self.history.merge(self.tenant, source_id, into_id, now, self.actor_id)
        for customer, action in ((source_id, "merged"), (into_id, "update")):
            self.emit(
                CustomerChanged(
                    tenant_id=self.tenant,
                    at=now,
                    customer_id=customer,
                    action=action,
                    agent_id=self.agent_id,
                )
            )
        return await self.summary(into_id)
