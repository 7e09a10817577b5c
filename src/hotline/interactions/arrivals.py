"""Arrivals: a channel reports a customer contact (a call, a chat opened, an e-mail) and the
lifecycle creates it — the customer looked up, `interaction.created` written — or the centre
starts one itself (an agent's call out, a callback from the worklist).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.ids import InteractionId, new_id
from hotline.interactions.events import InteractionCreated
from hotline.interactions.model import Contact, Direction, Origin
from hotline.interactions.ports import CustomerDirectory, CustomerRecord
from hotline.interactions.registry import ContactRegistry

__all__ = ["Arrival", "Arrivals"]

log = logging.getLogger(__name__)

LOOKUP_TIMEOUT_S = 3.0


@dataclass(frozen=True, slots=True)
class Arrival:
    """What a channel knows of a new contact."""

    channel: str
    caller_number: str | None
    caller_name: str | None = None
    did: str | None = None
    language: str = "zh-CN"
    flow: str | None = None
    flow_version: int | None = None
    call_id: str | None = None
    direction: Direction = Direction.INBOUND
    origin: Origin = Origin.CUSTOMER
    related: InteractionId | None = None
    customer_present: bool = True


class Arrivals:
    def __init__(
        self,
        registry: ContactRegistry,
        customers: CustomerDirectory,
        clock: Clock,
        sink: EventSink,
        *,
        tenant_id: str,
    ) -> None:
        self._registry = registry
        self._customers = customers
        self._clock = clock
        self._sink = sink
        self._tenant_id = tenant_id

    def new_id(self) -> InteractionId:
        return InteractionId(new_id(self._clock.now()))

    async def arrive(self, contact_id: InteractionId, arrival: Arrival) -> Contact:
        """The contact, registered and announced (`interaction.created`)."""
        record = await self._customer(arrival.caller_number)
        contact = Contact(
            contact_id,
            tenant_id=self._tenant_id,
            channel=arrival.channel,
            created_at=self._clock.now(),
            direction=arrival.direction,
            origin=arrival.origin,
            caller_number=arrival.caller_number,
            caller_name=arrival.caller_name,
            did=arrival.did,
            record=record,
            language=arrival.language,
            related=arrival.related,
            flow_name=arrival.flow,
            customer_present=arrival.customer_present,
        )
        self._registry.add(contact)
        self._sink.emit(
            InteractionCreated(
                tenant_id=self._tenant_id,
                at=contact.created_at,
                interaction_id=contact_id,
                channel=arrival.channel,
                direction=arrival.direction.value,
                caller_number=arrival.caller_number,
                caller_name=arrival.caller_name,
                did=arrival.did,
                customer_id=record.customer_id if record else None,
                vip_level=record.vip_level if record else None,
                flow=arrival.flow,
                flow_version=arrival.flow_version,
                call_id=arrival.call_id,
                origin=arrival.origin.value,
                related_interaction_id=arrival.related,
            )
        )
        return contact

    async def _customer(self, number: str | None) -> CustomerRecord | None:
        if not number:
            return None
        try:
            return await asyncio.wait_for(
                self._customers.find_by_number(self._tenant_id, number), LOOKUP_TIMEOUT_S
            )
        except Exception:  # a slow or broken CRM must not lose the contact
            log.exception("customer look-up for %s failed", number)
            return None
