"""The worklist of missed contacts (issue 10): callers who gave up in a queue, voicemails and
callbacks that did not connect, per queue, until someone deals with them.

One agent claims a missed contact and the others see it claimed; of two agents claiming at
once exactly one wins (the repository's claim is one conditional write) and the other gets
`WorklistClaimed` naming the winner. Claiming, releasing, marking handled and calling back are
events (`worklist.claimed`, `worklist.released`, `interaction.followed_up`; the call back is
the new contact's `interaction.created` naming the missed one)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from hotline.auth.model import Principal
from hotline.clock import Clock
from hotline.crm.contact_events import InteractionFollowedUp
from hotline.events import DomainEvent
from hotline.history.errors import (
    NoNumberToCall,
    NotAnAgent,
    WorklistAlreadyDone,
    WorklistClaimed,
    WorklistItemNotFound,
    WorklistNotYours,
)
from hotline.history.events import WorklistClaimed as Claimed
from hotline.history.events import WorklistReleased as Released
from hotline.history.model import Scope, WorklistQuery, overseer, worklist_scope
from hotline.history.ports import Dialer, QueueMembership, Row, WorklistRepository

__all__ = ["WorklistService"]


class WorklistService:
    def __init__(
        self,
        items: WorklistRepository,
        membership: QueueMembership,
        *,
        principal: Principal,
        clock: Clock,
        emit: Callable[[DomainEvent], None],
    ) -> None:
        self._items = items
        self._membership = membership
        self._principal = principal
        self._clock = clock
        self._emit = emit
        self._scope: Scope | None = None

    @property
    def tenant_id(self) -> str:
        return self._principal.tenant_id

    async def scope(self) -> Scope:
        if self._scope is None:
            p = self._principal
            queues = (
                await self._membership.queues_of(p.tenant_id, p.agent_id)
                if p.agent_id
                else frozenset()
            )
            self._scope = worklist_scope(p, my_queues=queues)
        return self._scope

    async def list(self, query: WorklistQuery) -> tuple[list[Row], int]:
        return await self._items.page(self.tenant_id, await self.scope(), query)

    async def item(self, interaction_id: str) -> Row:
        """A missed contact of a queue the caller may see."""
        row = await self._items.get(self.tenant_id, interaction_id)
        scope = await self.scope()
        if row is None or not (scope.everything or row["queue_id"] in scope.queues):
            raise WorklistItemNotFound(interaction_id)
        return row

    def _agent(self) -> str:
        if self._principal.agent_id is None:
            raise NotAnAgent()
        return self._principal.agent_id

    async def claim(self, interaction_id: str) -> Row:
        """Take the missed contact in hand; again by its claimant changes nothing."""
        row = await self.item(interaction_id)
        agent_id = self._agent()
        if row["followed_up_at"] is not None:
            raise WorklistAlreadyDone(interaction_id)
        now = self._clock.now()
        claim, made = await self._items.claim(self.tenant_id, interaction_id, agent_id, now)
        if claim["agent_id"] != agent_id:
            raise WorklistClaimed(interaction_id, str(claim["agent_id"]), claim["claimed_at"])
        if made:
            self._emit(
                Claimed(
                    tenant_id=self.tenant_id,
                    at=now,
                    interaction_id=interaction_id,
                    agent_id=agent_id,
                    queue_id=row["queue_id"],
                    reason=str(row["reason"]),
                )
            )
        return {**row, "claimed_by": agent_id, "claimed_at": claim["claimed_at"]}

    async def release(self, interaction_id: str) -> None:
        """Let one's claim go; a supervisor may release anyone's."""
        row = await self.item(interaction_id)
        holder = row.get("claimed_by")
        me = self._principal.agent_id
        if holder is None or (holder != me and not overseer(self._principal)):
            raise WorklistNotYours(interaction_id, holder)
        if not await self._items.release(self.tenant_id, interaction_id, str(holder)):
            raise WorklistNotYours(interaction_id, None)  # released meanwhile
        self._emit(
            Released(
                tenant_id=self.tenant_id,
                at=self._clock.now(),
                interaction_id=interaction_id,
                agent_id=me,
                queue_id=row["queue_id"],
                claimed_by=str(holder),
            )
        )

    async def followed_up(self, interaction_id: str, note: str | None) -> None:
        """Mark the missed contact handled, for everyone."""
        row = await self.item(interaction_id)
        holder = row.get("claimed_by")
        mine = holder is None or holder == self._principal.agent_id
        if not mine and not overseer(self._principal):
            raise WorklistClaimed(interaction_id, str(holder), row["claimed_at"])
        self._emit(
            InteractionFollowedUp(
                tenant_id=self.tenant_id,
                at=self._clock.now(),
                interaction_id=interaction_id,
                agent_id=self._principal.agent_id,
                by=self._principal.username,
                note=note,
            )
        )

    async def call_back(
        self,
        interaction_id: str,
        dialer: Dialer,
        commit: Callable[[], Awaitable[object]],
    ) -> str:
        """Claim the missed contact (if not yet), then ring my phone and call the customer;
        the new contact names the missed one. The claim is committed before the call starts."""
        claimed = await self.claim(interaction_id)
        agent_id = self._agent()
        number = claimed.get("caller_number")
        if not number:
            raise NoNumberToCall(interaction_id)
        await commit()
        return await dialer.dial(agent_id, str(number), related_interaction_id=interaction_id)
