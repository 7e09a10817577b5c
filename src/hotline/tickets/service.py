"""Creating, listing and closing minimal tickets. The status moves by a table (DESIGN §3.4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from hotline.auth.model import Principal
from hotline.clock import Clock
from hotline.directory.errors import EntityNotFound, UnknownReference
from hotline.directory.ports import Repos
from hotline.errors import IllegalTransition
from hotline.events import DomainEvent
from hotline.ids import new_id
from hotline.tickets.events import TicketCreated, TicketStatusChanged
from hotline.tickets.schemas import TicketIn, TicketStatus, TicketUpdate

__all__ = ["TRANSITIONS", "Counters", "InteractionRefs", "TicketService"]

TRANSITIONS: frozenset[tuple[TicketStatus, TicketStatus]] = frozenset(
    {
        (TicketStatus.OPEN, TicketStatus.PENDING),
        (TicketStatus.OPEN, TicketStatus.CLOSED),
        (TicketStatus.PENDING, TicketStatus.OPEN),
        (TicketStatus.PENDING, TicketStatus.CLOSED),
        (TicketStatus.CLOSED, TicketStatus.OPEN),
    }
)


class Counters(Protocol):
    async def next(self, tenant_id: str, name: str) -> int: ...


class InteractionRefs(Protocol):
    async def exists(self, tenant_id: str, interaction_id: str) -> bool: ...


class TicketService:
    def __init__(
        self,
        repos: Repos,
        counters: Counters,
        *,
        actor: Principal,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
        interactions: InteractionRefs | None = None,
    ) -> None:
        """Without `interactions` the caller vouches for the ticket's interaction (the wrap-up
        of an interaction it has just read)."""
        self.repos = repos
        self.counters = counters
        self.interactions = interactions
        self.actor = actor
        self.clock = clock
        self.emit = emit

    @property
    def _table(self) -> Any:
        return self.repos.table("tickets")

    async def create(self, data: TicketIn) -> dict[str, Any]:
        tenant = self.actor.tenant_id
        if data.customer_id and not await self.repos.table("customers").get(
            tenant, data.customer_id
        ):
            raise UnknownReference(
                f"customer_id: no such customer {data.customer_id!r}",
                code="ticket.customer.unknown",
                details={"field": "customer_id"},
            )
        if (
            data.interaction_id
            and self.interactions is not None
            and not await self.interactions.exists(tenant, data.interaction_id)
        ):
            raise UnknownReference(
                f"interaction_id: no such interaction {data.interaction_id!r}",
                code="ticket.interaction.unknown",
                details={"field": "interaction_id"},
            )
        now = self.clock.now()
        number = await self.counters.next(tenant, "ticket")
        row = {
            "id": new_id(now),
            "tenant_id": tenant,
            "number": number,
            **data.model_dump(mode="json"),
            "status": TicketStatus.OPEN.value,
            "created_by": self.actor.user_id,
            "assignee_id": None,
            "created_at": now,
            "updated_at": now,
        }
        await self._table.insert(row)
        self.emit(
            TicketCreated(
                tenant_id=tenant,
                at=now,
                interaction_id=data.interaction_id,
                agent_id=self.actor.agent_id,
                ticket_id=row["id"],
                number=number,
                subject=data.subject,
                department=data.department,
                priority=data.priority.value,
                customer_id=data.customer_id,
                due_date=row["due_date"],
            )
        )
        return row

    async def get(self, ticket_id: str) -> dict[str, Any]:
        row = await self._table.get(self.actor.tenant_id, ticket_id)
        if row is None:
            raise EntityNotFound(f"no ticket {ticket_id!r}", details={"id": ticket_id})
        return dict(row)

    async def search(
        self,
        *,
        search: str | None,
        status: TicketStatus | None,
        customer_id: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[dict[str, Any]], int]:
        filters: dict[str, Any] = {}
        if status is not None:
            filters["status"] = status.value
        if customer_id is not None:
            filters["customer_id"] = customer_id
        rows, total = await self._table.list(
            self.actor.tenant_id,
            search=search,
            search_fields=("subject", "description", "department"),
            filters=filters,
            order_by="number",
            limit=limit,
            offset=offset,
        )
        return rows, total

    async def update(self, ticket_id: str, data: TicketUpdate) -> dict[str, Any]:
        before = await self.get(ticket_id)
        previous = TicketStatus(before["status"])
        values: dict[str, Any] = {"updated_at": self.clock.now()}
        if data.description is not None:
            values["description"] = data.description
        if data.status != previous:
            if (previous, data.status) not in TRANSITIONS:
                raise IllegalTransition("ticket", previous.value, data.status.value)
            values["status"] = data.status.value
        await self._table.update(self.actor.tenant_id, ticket_id, values)
        if "status" in values:
            self.emit(
                TicketStatusChanged(
                    tenant_id=self.actor.tenant_id,
                    at=values["updated_at"],
                    interaction_id=before["interaction_id"],
                    agent_id=self.actor.agent_id,
                    ticket_id=ticket_id,
                    number=int(before["number"]),
                    status=data.status.value,
                    previous=previous.value,
                )
            )
        return {**before, **values}
