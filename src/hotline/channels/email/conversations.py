"""`MailConversations`: the conversation core's `MailInbox` (ADR 0228). Threading decides: a
mail of a thread whose contact is open (or parked, waiting for the customer) joins that contact
and resumes it; any other mail opens a new text contact of kind `email` in the centre's first
e-mail queue, offered on the agents' chat desks. An automatic mail (auto-reply, bounce) opens
no contact. The contact is named in the mail's transaction (`receive`) and opened once it
committed (`taken`), so a mail rolled back opens nothing. The message's `client_id` is the
mail's id (the intake keeps a mail read twice once).

An agent's message on the contact goes out through the mailbox desk as a reply to the
customer's latest mail (`MailDesk.reply`: In-Reply-To, References, the thread's token); the
centre's own notices are not mailed.
"""

from __future__ import annotations

import logging

from hotline.channels.chat.service import ChatService
from hotline.channels.email.desk import MailDesk
from hotline.channels.email.model import InboundMail, ThreadDecision
from hotline.channels.text import MAX_BODY_CHARS, Message, Opening, Sender, TextKind
from hotline.ids import InteractionId, new_id
from hotline.routing import Channel

__all__ = ["MailConversations", "MailDelivery"]

log = logging.getLogger(__name__)


class MailDelivery:
    """`Delivery` of one centre's e-mail contacts: the agent's message, mailed in the thread."""

    def __init__(self, owner: MailConversations, tenant_id: str) -> None:
        self.owner = owner
        self.tenant_id = tenant_id

    async def to_customer(self, message: Message) -> None:
        if message.sender is not Sender.AGENT:
            return
        mail_id = self.owner.latest_mail(self.tenant_id, message.contact_id)
        if mail_id is None:
            log.warning("e-mail contact %s has no mail to answer", message.contact_id)
            return
        await self.owner.desk.reply(self.tenant_id, mail_id, message.body, author_id=None)

    async def ended(self, contact_id: InteractionId) -> None:
        self.owner.forget(self.tenant_id, contact_id)


def _body(text: str) -> str:
    return (text.strip() or "-")[:MAX_BODY_CHARS]


def _language(text: str) -> str:
    return "zh-CN" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en"


class MailConversations:
    def __init__(self, desk: MailDesk) -> None:
        self.desk = desk
        self.chat: ChatService | None = None  # set once the runtime's centres exist
        self._threads: dict[tuple[str, str], InteractionId] = {}
        self._latest: dict[tuple[str, InteractionId], str] = {}
        self._keys: dict[tuple[str, InteractionId], str] = {}
        self._pending: dict[str, tuple[InboundMail, InteractionId, bool]] = {}

    def attach(self, chat: ChatService) -> None:
        """E-mail contacts on the chat desks of this process's centres."""
        self.chat = chat
        chat.serve(TextKind.EMAIL, lambda tenant_id: MailDelivery(self, tenant_id))

    def latest_mail(self, tenant_id: str, contact_id: InteractionId) -> str | None:
        return self._latest.get((tenant_id, contact_id))

    def forget(self, tenant_id: str, contact_id: InteractionId) -> None:
        self._latest.pop((tenant_id, contact_id), None)
        key = self._keys.pop((tenant_id, contact_id), None)
        if key is not None and self._threads.get((tenant_id, key)) == contact_id:
            del self._threads[(tenant_id, key)]

    async def receive(self, tenant_id: str, mail: InboundMail) -> ThreadDecision:
        if self.chat is None:  # no centres in this process: each thread its conversation
            return ThreadDecision(mail.thread_key, mail.resumes is not None)
        conversations = self.chat.conversations(tenant_id, TextKind.EMAIL)
        contact_id = self._threads.get((tenant_id, mail.thread_key))
        if contact_id is not None and conversations.is_open(contact_id):
            self._pending[mail.id] = (mail, contact_id, False)
            return ThreadDecision(contact_id, True)
        if mail.automatic:  # loop protection: kept, never a contact of its own
            return ThreadDecision(mail.thread_key, mail.resumes is not None)
        contact_id = InteractionId(new_id(mail.received_at))
        self._pending[mail.id] = (mail, contact_id, True)
        return ThreadDecision(contact_id, mail.resumes is not None)

    async def taken(self, tenant_id: str, mail_id: str) -> None:
        pending = self._pending.pop(mail_id, None)
        if pending is None or self.chat is None:
            return
        mail, contact_id, new = pending
        conversations = self.chat.conversations(tenant_id, TextKind.EMAIL)
        try:
            if new:
                self._threads[(tenant_id, mail.thread_key)] = contact_id
                self._keys[(tenant_id, contact_id)] = mail.thread_key
                self._latest[(tenant_id, contact_id)] = mail.id
                flow = await self.chat.text_flow(tenant_id, TextKind.EMAIL)
                await conversations.open(
                    Opening(
                        language=_language(mail.subject + mail.text),
                        address=mail.sender,
                        name=mail.sender_name or None,
                        queue=self.chat.first_queue(tenant_id, Channel.EMAIL),
                    ).with_flow(flow),  # the center's `email` flow first, if it has one
                    contact_id=contact_id,
                    first=("mail-" + mail.id, _body(f"{mail.subject}\n\n{mail.text}")),
                )
            else:
                self._latest[(tenant_id, contact_id)] = mail.id
                await conversations.customer_writes(contact_id, "mail-" + mail.id, _body(mail.text))
            if not new:
                conversations.center.customer_returned(contact_id)  # resumes a parked one
        except Exception:  # the mail is kept either way; the desk's mail list shows it
            log.exception("mail %s did not become a contact", mail_id)
