"""The message a visitor leaves while web chat is offline, as a ticket (ADR 0234): opened by
the system through the same `TicketService` as the desktop, in the department the centre's chat
settings name, for the customer whose phone number the visitor gave (if one is known)."""

from __future__ import annotations

from collections.abc import Callable

from hotline.channels.chat.offline import LeftMessage
from hotline.clock import Clock
from hotline.interactions.ports import CustomerDirectory
from hotline.server.ticket_desk import system_tickets
from hotline.store.chat_repo import ChatSettingsReader
from hotline.store.uow import UnitOfWorkFactory
from hotline.tickets.schemas import TicketIn

__all__ = ["OfflineTickets"]

_WORDS = {
    "zh-CN": {"subject": "网页留言：", "name": "称呼", "phone": "电话", "email": "邮箱"},
    "en": {"subject": "Web chat message: ", "name": "Name", "phone": "Phone", "email": "Email"},
}


class OfflineTickets:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        settings: ChatSettingsReader,
        customers: CustomerDirectory,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._settings = settings
        self._customers = customers
        self._wake = wake

    async def leave(self, tenant_id: str, message: LeftMessage) -> str:
        words = _WORDS.get(message.language, _WORDS["zh-CN"])
        who = message.name or message.phone or message.email or ""
        contact = [
            f"{words[key]}: {value}"
            for key, value in (
                ("name", message.name),
                ("phone", message.phone),
                ("email", message.email),
            )
            if value
        ]
        customer = (
            await self._customers.find_by_number(tenant_id, message.phone)
            if message.phone
            else None
        )
        config = await self._settings(tenant_id)
        data = TicketIn(
            subject=(words["subject"] + (who or message.body))[:200],
            department=config.offline_department,
            description="\n".join([message.body, "", *contact])[:5000],
            customer_id=customer.customer_id if customer is not None else None,
        )
        async with self._uow() as uow:
            service = system_tickets(uow, tenant_id, self._clock, self._wake, texts=False)
            ticket = await service.create(data)
            await uow.commit()
        return str(ticket.number)
