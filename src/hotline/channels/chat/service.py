"""`ChatService`: web chat on every centre's lifecycle — a chat `TextChannel` attached to the
centre's `ContactCenter` the first time a visitor comes — and `VisitorSession`, one widget
socket's conversation: hello (new, or resumed with the token the welcome gave), history after
the last message the widget has, then messages and files acknowledged once stored, typing,
leave, the end-of-chat survey.

The session is transport-free (`receive` and `send` are passed in), so the API's WebSocket
handler only accepts the socket and hands it over.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from hotline.channels.chat.errors import ChatBusy, ChatFileRefused
from hotline.channels.chat.files import ChatFiles
from hotline.channels.chat.hub import ChatHub, Link
from hotline.channels.chat.identity import IdentityRefused, VisitorIdentity, verify
from hotline.channels.chat.offline import Availability, OfflineDesk, availability, left_message
from hotline.channels.chat.protocol import (
    AskAvailability,
    ChatFrameError,
    FileStart,
    Hello,
    Leave,
    LeaveMessage,
    Say,
    SurveyAnswer,
    SurveyAsk,
    Transcript,
    Typing,
    parse,
)
from hotline.channels.chat.settings import ChatConfig
from hotline.channels.chat.survey import SurveyDesk
from hotline.channels.chat.transcript import (
    TranscriptSender,
    TranscriptUnavailable,
    check_address,
    transcript,
)
from hotline.channels.text import (
    Attachment,
    ConversationClosed,
    Conversations,
    Delivery,
    Message,
    MessageStore,
    NotInConversation,
    Opening,
    Sender,
    TextChannel,
    TextFlow,
    TextFlows,
    TextKind,
)
from hotline.clock import Clock
from hotline.errors import HotlineError
from hotline.events import EventSink
from hotline.ids import AgentId, InteractionId, QueueId
from hotline.interactions.center import ContactCenter
from hotline.routing import Channel

__all__ = ["ChatService", "VisitorSession"]

log = logging.getLogger(__name__)

Receive = Callable[[], Awaitable[str | bytes | None]]  # None: the socket closed
Send = Callable[[dict[str, Any]], Awaitable[None]]


class ChatService:
    def __init__(
        self,
        centers: Callable[[str], ContactCenter],
        store: MessageStore,
        *,
        clock: Clock,
        sink: EventSink,
        secret: bytes | Callable[[str], bytes] | None = None,
        hub: ChatHub | None = None,
        agent_name: Callable[[str, AgentId], str | None] | None = None,
        away_s: float = 300.0,
        flows: TextFlows | None = None,
        files: ChatFiles | None = None,
        offline: OfflineDesk | None = None,
        settings: Callable[[str], Awaitable[ChatConfig]] | None = None,
        transcripts: TranscriptSender | None = None,
        surveys: SurveyDesk | None = None,
        admit: Callable[[], bool] | None = None,
    ) -> None:
        self._centers = centers
        self.flows = flows  # the tenants' text flows (a bot before the queue), if any
        self.store = store
        self.clock = clock
        self.sink = sink
        self.hub = hub or ChatHub()
        # what signs a visitor's token: per tenant and kept across restarts (the keyring),
        # else one for this process (a restart then ends every visitor's claim)
        fixed = secret if isinstance(secret, bytes) else os.urandom(32)
        self._secret: Callable[[str], bytes] = (
            secret if callable(secret) else (lambda tenant_id: fixed)
        )
        self._agent_name = agent_name
        self.files = files  # None: no files in chat (the widget offers none)
        self.offline = offline  # None: chats open whatever the hours (no message form)
        self._settings = settings  # the centre's chat settings (None: the defaults)
        self.transcripts = transcripts  # None: no transcripts by mail
        self.surveys = surveys  # None: no end-of-chat survey
        # whether a new chat may start now (the database pool keeps room for the open ones);
        # None: always
        self._admit = admit
        self._conversations: dict[tuple[str, TextKind], Conversations] = {}
        # other kinds of text contact on the same desks (SMS, e-mail): the provider's delivery
        self._deliveries: dict[TextKind, Callable[[str], Delivery]] = {}
        # A visitor whose every socket closed and who is not back this soon has left (a tab
        # closed for good); a phone switching apps comes back sooner.
        self.away_s = away_s
        self._away: set[asyncio.Task[None]] = set()

    def serve(self, kind: TextKind, delivery: Callable[[str], Delivery]) -> None:
        """Carry another kind of text contact (SMS, e-mail) to the same agents' desks; its
        messages to the customer go through `delivery(tenant_id)`."""
        self._deliveries[kind] = delivery

    @property
    def kinds(self) -> list[TextKind]:
        return [TextKind.CHAT, *self._deliveries]

    def conversations(self, tenant_id: str, kind: TextKind = TextKind.CHAT) -> Conversations:
        """The centre's conversations of `kind` (its channel attached on first use)."""
        center = self._centers(tenant_id)
        found = self._conversations.get((tenant_id, kind))
        if found is not None and found.center is center:
            return found
        name = self._agent_name
        channel = TextChannel(
            tenant_id,
            kind,
            store=self.store,
            delivery=self.hub if kind is TextKind.CHAT else self._deliveries[kind](tenant_id),
            desks=self.hub,
            clock=self.clock,
            agent_name=(lambda a: name(tenant_id, a)) if name is not None else None,
        )
        conversations = self._conversations[(tenant_id, kind)] = Conversations(center, channel)
        return conversations

    def first_queue(self, tenant_id: str, channel: Channel) -> QueueId | None:
        """Where a new text contact of that channel waits: the centre's first such queue."""
        ids = self._centers(tenant_id).router.queue_ids_of(channel)
        return sorted(ids)[0] if ids else None

    async def text_flow(self, tenant_id: str, kind: TextKind) -> TextFlow | None:
        """The flow a new contact of `kind` runs first (ADR 0257); None: straight to a queue."""
        return None if self.flows is None else await self.flows.flow_for(tenant_id, kind)

    def token(self, tenant_id: str, contact_id: str) -> str:
        """What proves a reconnecting widget is the visitor of that conversation."""
        mac = hmac.new(
            self._secret(tenant_id), f"{tenant_id}:{contact_id}".encode(), hashlib.sha256
        )
        return mac.hexdigest()[:40]

    def owns(self, tenant_id: str, contact_id: str, token: str | None) -> bool:
        return token is not None and hmac.compare_digest(self.token(tenant_id, contact_id), token)

    def chat_queue(self, tenant_id: str) -> QueueId | None:
        """Where a new chat waits: the centre's first chat queue."""
        return self.first_queue(tenant_id, Channel.CHAT)

    # --- files ----------------------------------------------------------------------------

    async def attachment(
        self, conversations: Conversations, contact_id: InteractionId, attachment_id: str
    ) -> Attachment | None:
        """The file of that id written in this conversation, else None."""
        for message in await conversations.history(contact_id):
            if message.attachment is not None and message.attachment.attachment_id == attachment_id:
                return message.attachment
        return None

    async def is_party(
        self, conversations: Conversations, contact_id: InteractionId, agent_id: AgentId
    ) -> bool:
        """Whether the agent is, or was, in the conversation (connected now, or wrote in it):
        only the conversation's parties see its files."""
        room = conversations.channel.room(contact_id)
        if room is not None and agent_id in room.parties:
            return True
        return any(m.agent_id == agent_id for m in await conversations.history(contact_id))

    async def agent_sends_file(
        self,
        conversations: Conversations,
        agent_id: AgentId,
        contact_id: InteractionId,
        client_id: str,
        name: str,
        content_type: str,
        data: bytes,
    ) -> Message:
        """The agent's file to the visitor: checked, kept, written (a repeat of `client_id`
        is the first one, not kept twice)."""
        if self.files is None:
            raise ChatFileRefused("chat.file.type", content_type=content_type)
        for old in await conversations.history(contact_id):
            if old.sender is Sender.AGENT and old.client_id == client_id:
                return old
        room = conversations.channel.room(contact_id)
        if room is None or room.ended:
            raise ConversationClosed("the chat has ended")
        if agent_id not in room.parties:
            raise NotInConversation(
                f"agent {agent_id} is not in conversation {contact_id}",
                details={"agent_id": agent_id, "contact_id": contact_id},
            )
        attachment = await self.files.keep(
            conversations.tenant_id, contact_id, name, content_type, data, at=self.clock.now()
        )
        return await conversations.agent_writes(
            agent_id, contact_id, client_id, "", attachment=attachment
        )

    async def identify(self, tenant_id: str, token: str) -> VisitorIdentity:
        """The visitor the host site's token names, or `IdentityRefused` (ADR 0235)."""
        config = await self._settings(tenant_id) if self._settings is not None else ChatConfig()
        return verify(token, config.identity_secret, now=self.clock.now())

    async def mail_transcript(
        self, tenant_id: str, contact_id: InteractionId, email: str, language: str
    ) -> str:
        """Mail the conversation so far to `email` through the centre's mailbox."""
        address = check_address(email)
        if self.transcripts is None:
            raise TranscriptUnavailable("this server mails no transcripts")
        center = self._centers(tenant_id)
        name = self._agent_name
        subject, body = transcript(
            await self.conversations(tenant_id).history(contact_id),
            language,
            center.router.settings.tz,
            (lambda a: name(tenant_id, a)) if name is not None else None,
        )
        if not await self.transcripts.send(tenant_id, address, subject, body):
            raise TranscriptUnavailable("this centre has no mailbox to send from")
        return address

    async def survey(
        self, tenant_id: str, contact_id: InteractionId, language: str
    ) -> dict[str, Any]:
        """The ended chat's survey frame, in the visitor's language (ADR 0236)."""
        if self.conversations(tenant_id).is_open(contact_id):
            raise ChatFrameError("the chat has not ended", details={"field": "type"})
        if self.surveys is None:
            return {"type": "no_survey"}
        config = await self.config(tenant_id)
        frame = await self.surveys.offer(tenant_id, contact_id, language, config.survey)
        return frame or {"type": "no_survey"}

    async def answer_survey(
        self, tenant_id: str, contact_id: InteractionId, answers: dict[str, Any]
    ) -> None:
        if self.conversations(tenant_id).is_open(contact_id):
            raise ChatFrameError("the chat has not ended", details={"field": "type"})
        if self.surveys is None:
            raise ChatFrameError("this centre asks no survey", details={"field": "type"})
        await self.surveys.answer(tenant_id, contact_id, answers)

    async def config(self, tenant_id: str) -> ChatConfig:
        """The centre's chat settings as they are now (an admin's change applies to the next
        visitor, ADR 0194)."""
        return await self._settings(tenant_id) if self._settings is not None else ChatConfig()

    def availability(self, tenant_id: str) -> Availability:
        """May a visitor chat now (ADR 0234)? Always, when no offline desk is wired."""
        if self.offline is None:
            return Availability(True)
        queue = self.chat_queue(tenant_id)
        router = self._centers(tenant_id).router
        return availability(
            None if queue is None else router.queue_snapshot(queue, now=self.clock.now())
        )

    def admits(self) -> bool:
        """May a new visitor start a chat now? A visitor resuming its chat always may."""
        return self._admit is None or self._admit()

    def session(self, tenant_id: str) -> VisitorSession:
        return VisitorSession(self, tenant_id)

    def socket_closed(self, tenant_id: str, contact_id: InteractionId) -> None:
        if self.hub.visitors_of(contact_id) == 0:
            task = asyncio.get_running_loop().create_task(
                self._leave_if_away(tenant_id, contact_id)
            )
            self._away.add(task)
            task.add_done_callback(self._away.discard)

    async def _leave_if_away(self, tenant_id: str, contact_id: InteractionId) -> None:
        await asyncio.sleep(self.away_s)
        conversations = self.conversations(tenant_id)
        if self.hub.visitors_of(contact_id) == 0 and conversations.is_open(contact_id):
            log.info("chat %s: the visitor left %.0f s ago", contact_id, self.away_s)
            conversations.customer_leaves(contact_id)

    async def stop(self) -> None:
        for task in list(self._away):
            task.cancel()


class VisitorSession:
    def __init__(self, service: ChatService, tenant_id: str) -> None:
        self.service = service
        self.tenant_id = tenant_id
        self.contact_id: InteractionId | None = None
        self.language = "zh-CN"

    async def run(self, receive: Receive, send: Send) -> None:
        hello = await self._hello(receive, send)
        if hello is None:
            return
        self.language = hello.language
        service = self.service
        conversations = service.conversations(self.tenant_id)
        contact_id = await self._open(conversations, hello, send)
        if contact_id is None:
            return
        self.contact_id = contact_id
        with service.hub.visitor(contact_id) as link:
            # history after the widget's last message, then live frames (a message stored
            # meanwhile may come twice: the widget keeps one per seq)
            for message in await conversations.history(contact_id, after_seq=hello.after_seq):
                await send({"type": "message", **message.to_json()})
            if not conversations.is_open(contact_id):
                await send({"type": "ended"})
            # the socket ends when the visitor goes, or when it fell too far behind (the
            # widget reconnects and reads what it missed)
            tasks = {
                asyncio.create_task(_pump(link, send)),
                asyncio.create_task(self._read(conversations, contact_id, receive, send)),
            }
            try:
                done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    task.result()
            finally:
                for task in tasks:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await task
        service.socket_closed(self.tenant_id, contact_id)

    async def _hello(self, receive: Receive, send: Send) -> Hello | None:
        while True:
            raw = await receive()
            if raw is None:
                return None
            if isinstance(raw, bytes):
                await _error(send, ChatFrameError("say hello first", details={"field": "type"}))
                continue
            try:
                frame = parse(raw)
            except ChatFrameError as error:
                await _error(send, error)
                continue
            if isinstance(frame, Hello):
                return frame
            if isinstance(frame, AskAvailability):
                config = await self.service.config(self.tenant_id)
                await send(
                    {
                        **self.service.availability(self.tenant_id).to_json(),
                        **config.visitor_form(frame.language),
                    }
                )
                continue
            if isinstance(frame, LeaveMessage):
                try:
                    await self._leave_message(frame, send)
                except HotlineError as error:
                    await _error(send, error)
                continue
            await _error(send, ChatFrameError("say hello first", details={"field": "type"}))

    async def _leave_message(self, frame: LeaveMessage, send: Send) -> None:
        desk = self.service.offline
        if desk is None:
            raise ChatFrameError("this centre takes no messages", details={"field": "type"})
        message = left_message(frame.fields, frame.language)
        reference = await desk.leave(self.tenant_id, message)
        await send({"type": "left", "reference": reference})

    async def _open(
        self, conversations: Conversations, hello: Hello, send: Send
    ) -> InteractionId | None:
        service, tenant_id = self.service, self.tenant_id
        if hello.conversation is not None:
            if not service.owns(tenant_id, hello.conversation, hello.token):
                await _error(
                    send,
                    ChatFrameError(
                        "this conversation cannot be resumed here", details={"field": "resume"}
                    ),
                )
                return None
            contact_id = InteractionId(hello.conversation)
        else:
            if not service.admits():
                # told before anything is opened or stored: the widget tries again shortly
                await _error(send, ChatBusy())
                return None
            identity = None
            if hello.identity is not None:
                try:
                    identity = await service.identify(tenant_id, hello.identity)
                except IdentityRefused as refused:
                    await _error(send, refused)  # forged or expired: no chat opens
                    return None
            now = service.availability(tenant_id)
            if not now.online:
                # no chat opened: the widget offers the form to leave a message instead
                await send({"type": "offline", "reason": now.reason})
                return None
            queue = service.chat_queue(tenant_id)
            flow = await service.text_flow(tenant_id, TextKind.CHAT)
            if identity is not None:  # the host site vouches: its phone links the customer
                address = identity.phone or identity.email
                name = identity.name or hello.name
            else:
                config = await service.config(tenant_id)
                given = {"name": hello.name, "phone": hello.phone, "email": hello.email}
                missing = config.missing_prechat(given)
                if missing is not None:  # the centre's pre-chat form asks for it
                    await _error(
                        send, ChatFrameError(f"{missing} is required", details={"field": missing})
                    )
                    return None
                address, name = hello.phone or hello.email, hello.name
            contact_id = await conversations.open(
                Opening(language=hello.language, address=address, name=name, queue=queue).with_flow(
                    flow
                )
            )
        files = service.files
        await send(
            {
                "type": "welcome",
                "conversation": contact_id,
                "token": service.token(tenant_id, contact_id),
                "files": (await files.config(tenant_id)).limits() if files is not None else None,
            }
        )
        return contact_id

    async def _read(
        self, conversations: Conversations, contact_id: InteractionId, receive: Receive, send: Send
    ) -> None:
        while True:
            raw = await receive()
            if raw is None:
                return
            try:
                if isinstance(raw, bytes):
                    raise ChatFrameError(
                        "a file comes after its file frame", details={"field": "file"}
                    )
                frame = parse(raw)
                if isinstance(frame, FileStart):
                    data = await receive()
                    if data is None:
                        return
                    stored = await self._file(conversations, contact_id, frame, data)
                    # the widget shows the file from the message, then takes the ack
                    await send({"type": "message", **stored.to_json()})
                    await send(
                        {
                            "type": "ack",
                            "client_id": frame.client_id,
                            "id": stored.message_id,
                            "seq": stored.seq,
                        }
                    )
                elif isinstance(frame, Say):
                    stored = await conversations.customer_writes(
                        contact_id, frame.client_id, frame.body
                    )
                    await send(
                        {
                            "type": "ack",
                            "client_id": frame.client_id,
                            "id": stored.message_id,
                            "seq": stored.seq,
                        }
                    )
                elif isinstance(frame, Typing):
                    room = conversations.channel.room(contact_id)
                    if room is not None:
                        self.service.hub.typing_to_agents(room.agents, contact_id)
                elif isinstance(frame, Leave):
                    if conversations.is_open(contact_id):
                        conversations.customer_leaves(contact_id)
                    await send({"type": "ended"})
                elif isinstance(frame, Transcript):
                    sent_to = await self.service.mail_transcript(
                        self.tenant_id, contact_id, frame.email, self.language
                    )
                    await send({"type": "transcript_sent", "email": sent_to})
                elif isinstance(frame, SurveyAsk):
                    await send(await self.service.survey(self.tenant_id, contact_id, self.language))
                elif isinstance(frame, SurveyAnswer):
                    await self.service.answer_survey(self.tenant_id, contact_id, frame.answers)
                    await send({"type": "survey_thanks"})
            except HotlineError as error:
                await _error(send, error)

    async def _file(
        self,
        conversations: Conversations,
        contact_id: InteractionId,
        start: FileStart,
        data: str | bytes,
    ) -> Message:
        """The visitor's file, checked, kept and written as a message (a file sent again
        with the same client id is the first one)."""
        files = self.service.files
        if files is None:
            raise ChatFileRefused("chat.file.type", content_type=start.content_type)
        if not isinstance(data, bytes) or len(data) != start.size:
            raise ChatFrameError(
                "the file's bytes do not match its size", details={"field": "size"}
            )
        for old in await conversations.history(contact_id):
            if old.sender is Sender.CUSTOMER and old.client_id == start.client_id:
                return old
        if not conversations.is_open(contact_id):
            raise ConversationClosed("the chat has ended")
        attachment = await files.keep(
            self.tenant_id,
            contact_id,
            start.name,
            start.content_type,
            data,
            at=self.service.clock.now(),
        )
        return await conversations.customer_writes(
            contact_id, start.client_id, "", attachment=attachment
        )


async def _pump(link: Link, send: Send) -> None:
    while not link.overflowed.is_set():
        frame = await link.frames.get()
        await send(frame)


async def _error(send: Send, error: HotlineError) -> None:
    await send(
        {
            "type": "error",
            "code": error.code,
            "field": error.details.get("field"),
            "message": error.message,
        }
    )
