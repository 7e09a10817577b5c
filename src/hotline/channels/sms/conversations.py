"""`SmsConversations`: the conversation core's `SmsInbox` (ADR 0227). An inbound SMS from a
number opens a text contact of kind `sms` in the centre's first SMS queue — or, while that
number's contact is open (or parked, waiting for the customer), becomes its next message and
resumes it. The provider's id of the first part is the message's `client_id`, so a webhook
delivered twice is one message. An agent's reply on the contact goes out through the SMS
service (`SmsService.send`: split, encoded, the opt-out list honoured); the centre's own
notices (place in line, "an agent joined") are not texted — each SMS costs the centre.
"""

from __future__ import annotations

import logging

from hotline.channels.chat.service import ChatService
from hotline.channels.sms.errors import SmsOptedOut
from hotline.channels.sms.model import InboundSms
from hotline.channels.sms.service import SmsService, normalise_number
from hotline.channels.text import Message, Opening, Sender, TextKind
from hotline.ids import InteractionId
from hotline.routing import Channel

__all__ = ["SmsConversations", "SmsDelivery"]

log = logging.getLogger(__name__)


class SmsDelivery:
    """`Delivery` of one centre's SMS contacts: the agent's messages and the flow's bot lines,
    texted to the number (the centre's notices are for the screen)."""

    def __init__(self, owner: SmsConversations, tenant_id: str) -> None:
        self.owner = owner
        self.tenant_id = tenant_id

    async def to_customer(self, message: Message) -> None:
        if message.sender not in (Sender.AGENT, Sender.BOT):
            return
        number = self.owner.number_of(self.tenant_id, message.contact_id)
        if number is None:
            log.warning("sms contact %s has no number: reply not sent", message.contact_id)
            return
        try:
            await self.owner.sms.send(
                self.tenant_id,
                number,
                text=message.body,
                purpose="conversation",
                reference=message.contact_id,
                user_id=None,
            )
        except SmsOptedOut:
            log.info("sms contact %s: the number opted out, reply kept only", message.contact_id)

    async def ended(self, contact_id: InteractionId) -> None:
        self.owner.forget(self.tenant_id, contact_id)


class SmsConversations:
    """The `SmsInbox` of the conversation core; `attach()` puts SMS on the chat desks."""

    def __init__(self, chat: ChatService, sms: SmsService) -> None:
        self.chat = chat
        self.sms = sms
        self._by_number: dict[tuple[str, str], InteractionId] = {}
        self._numbers: dict[tuple[str, InteractionId], str] = {}

    def attach(self) -> None:
        self.chat.serve(TextKind.SMS, lambda tenant_id: SmsDelivery(self, tenant_id))
        self.sms.inbox = self

    def number_of(self, tenant_id: str, contact_id: InteractionId) -> str | None:
        return self._numbers.get((tenant_id, contact_id))

    def forget(self, tenant_id: str, contact_id: InteractionId) -> None:
        number = self._numbers.pop((tenant_id, contact_id), None)
        if number is not None and self._by_number.get((tenant_id, number)) == contact_id:
            del self._by_number[(tenant_id, number)]

    async def receive(self, tenant_id: str, sms: InboundSms) -> None:
        conversations = self.chat.conversations(tenant_id, TextKind.SMS)
        number = normalise_number(sms.sender)
        client_id = sms.provider_ids[0] if sms.provider_ids else f"sms-{sms.received_at}"
        contact_id = self._by_number.get((tenant_id, number))
        if contact_id is not None and conversations.is_open(contact_id):
            await conversations.customer_writes(contact_id, client_id, sms.text)
            conversations.center.customer_returned(contact_id)  # resumes a parked one
            return
        flow = await self.chat.text_flow(tenant_id, TextKind.SMS)
        # the number is known before the contact opens: its flow may answer at once
        contact_id = conversations.center.new_contact_id()
        self._by_number[(tenant_id, number)] = contact_id
        self._numbers[(tenant_id, contact_id)] = number
        await conversations.open(
            Opening(
                language="zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in sms.text) else "en",
                address=number,
                queue=self.chat.first_queue(tenant_id, Channel.SMS),
            ).with_flow(flow),
            contact_id=contact_id,
            first=(client_id, sms.text),  # read by whoever takes it, agent or flow
        )
