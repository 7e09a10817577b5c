"""Web chat over HTTP and WebSocket (ADR 0222): the visitor's widget socket (public, per centre
by its slug, and the files of its conversation), and the agent's side of chat conversations —
live frames on the chat desk socket, history, accepting an offer, writing (typed, a quick reply
or a file), the conversation's files, transfer and close; the centre's chat settings (admins).
Handlers only translate: the conversation core decides (`hotline.channels`).
"""

from __future__ import annotations

import contextlib
import json
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import quote

from fastapi import (
    APIRouter,
    Depends,
    File,
    Form,
    Query,
    Request,
    Response,
    UploadFile,
    WebSocket,
    WebSocketDisconnect,
)
from pydantic import BaseModel, ConfigDict, Field

from hotline.api.deps import Uow, principal_from, require, services_of
from hotline.auth.model import Principal
from hotline.auth.roles import Permission
from hotline.channels.chat import ChatService
from hotline.channels.chat.errors import ChatFileRefused
from hotline.channels.chat.files import is_inline
from hotline.channels.chat.settings import MASK, masked, open_config, parse_config, sealed
from hotline.channels.text import (
    MAX_BODY_CHARS,
    ConversationNotFound,
    Conversations,
    NotInConversation,
    TextKind,
)
from hotline.channels.text.model import Attachment
from hotline.errors import HotlineError, Unavailable
from hotline.ids import AgentId, InteractionId
from hotline.interactions.errors import NotAnAgent
from hotline.interactions.transfers import TransferTarget
from hotline.store.auth_repo import SqlTenants
from hotline.store.chat_repo import SqlChatSettings

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/chat", tags=["chat"])
Agent = Annotated[Principal, Depends(require(Permission.DESK))]
Admin = Annotated[Principal, Depends(require(Permission.CONFIG_WRITE))]
ConversationId = Annotated[str, Field(pattern=r"^[0-9A-Za-z]{26}$")]


class ChatUnavailable(Unavailable):
    code = "chat.unavailable"


def _chat(services: Services) -> ChatService:
    if services.chat is None:
        raise ChatUnavailable("this server runs no web chat")
    return services.chat


def _me(principal: Principal) -> AgentId:
    if principal.agent_id is None:
        raise NotAnAgent("only agents chat with visitors", details={"user_id": principal.user_id})
    return AgentId(principal.agent_id)


async def _conversation(
    request: Request, principal: Principal, conversation_id: str
) -> tuple[Conversations, InteractionId]:
    """The caller's centre's conversation, or 404: another centre's (or none) is not seen."""
    contact_id = InteractionId(conversation_id)
    chat = services_of(request).chat
    if chat is not None:
        for kind in chat.kinds:  # chat, and the SMS/e-mail contacts on the same desks
            conversations = chat.conversations(principal.tenant_id, kind)
            if conversations.channel.room(contact_id) is not None:
                return conversations, contact_id
        conversations = chat.conversations(principal.tenant_id)
        if await conversations.history(contact_id):  # ended, not kept in memory any more
            return conversations, contact_id
    raise ConversationNotFound(
        f"no conversation {conversation_id}", details={"conversation_id": conversation_id}
    )


# --- the visitor ---------------------------------------------------------------------------


@router.websocket("/visitor")
async def visitor(websocket: WebSocket, center: str = Query(max_length=64)) -> None:
    await websocket.accept()
    services = services_of(websocket)
    if services.chat is None or services.telephony is None:
        await websocket.close(code=1013, reason="chat.unavailable")
        return
    async with services.engine.connect() as conn:
        tenant = await SqlTenants(conn).by_slug(center)
    if tenant is None or tenant.get("status", "active") != "active":
        await websocket.close(code=4404, reason="chat.center.unknown")
        return
    config = await services.chat.config(str(tenant["id"]))
    if not config.allows_origin(websocket.headers.get("origin")):
        # a page of a site the centre did not list (chat settings: allowed sites)
        await websocket.close(code=4403, reason="chat.origin.refused")
        return

    async def receive() -> str | bytes | None:
        try:
            message = await websocket.receive()
        except (WebSocketDisconnect, RuntimeError):
            return None
        if message["type"] == "websocket.disconnect":
            return None
        text: str | None = message.get("text")
        return text if text is not None else bytes(message.get("bytes") or b"")

    async def send(frame: dict[str, Any]) -> None:
        await websocket.send_text(json.dumps(frame, ensure_ascii=False))

    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await services.chat.session(str(tenant["id"])).run(receive, send)
        await websocket.close()


@router.get(
    "/visitor/files/{attachment_id}",
    summary="A file of the visitor's conversation (with the conversation's token)",
)
async def visitor_file(
    attachment_id: str,
    request: Request,
    center: Annotated[str, Query(max_length=64)],
    conversation: Annotated[str, Query(pattern=r"^[0-9A-Za-z]{26}$")],
    token: Annotated[str, Query(max_length=128)],
) -> Response:
    chat = _chat(services_of(request))
    async with services_of(request).engine.connect() as conn:
        tenant = await SqlTenants(conn).by_slug(center)
    if tenant is None or not chat.owns(str(tenant["id"]), conversation, token):
        raise ConversationNotFound(
            f"no conversation {conversation}", details={"conversation_id": conversation}
        )
    conversations = chat.conversations(str(tenant["id"]))
    return await _file_response(chat, conversations, InteractionId(conversation), attachment_id)


async def _file_response(
    chat: ChatService, conversations: Conversations, contact_id: InteractionId, attachment_id: str
) -> Response:
    found = await chat.attachment(conversations, contact_id, attachment_id)
    if found is None or chat.files is None:
        raise ConversationNotFound(
            f"no file {attachment_id} in this conversation", details={"field": "attachment_id"}
        )
    with chat.files.open(conversations.tenant_id, contact_id, found) as stream:
        data = stream.read()  # files are small (chat settings: at most 15 MB)
    return Response(data, media_type=_served_type(found), headers=_file_headers(found))


def _served_type(attachment: Attachment) -> str:
    # only images whose bytes were checked are served as what they are
    return attachment.content_type if is_inline(attachment) else "application/octet-stream"


def _file_headers(attachment: Attachment) -> dict[str, str]:
    disposition = "inline" if is_inline(attachment) else "attachment"
    return {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        # the widget shows the visitor's images on the host page, another origin
        "Cross-Origin-Resource-Policy": "cross-origin",
        "Cache-Control": "private, max-age=3600",
    }


# --- the agent -----------------------------------------------------------------------------


@router.websocket("/desk")
async def desk(websocket: WebSocket) -> None:
    """The agent's live chat frames: offers, withdrawals, messages, the visitor typing."""
    try:
        principal = await principal_from(websocket)
    except HotlineError as error:
        await websocket.accept()
        await websocket.close(code=4401, reason=error.code)
        return
    await websocket.accept()
    if not principal.can(Permission.DESK) or principal.agent_id is None:
        await websocket.close(code=4403, reason="desk.not_an_agent")
        return
    chat = services_of(websocket).chat
    if chat is None:
        await websocket.close(code=1013, reason="chat.unavailable")
        return
    with (
        chat.hub.desk(AgentId(principal.agent_id)) as link,
        contextlib.suppress(WebSocketDisconnect, RuntimeError),
    ):
        await websocket.send_text(json.dumps({"type": "ready"}))
        while not link.overflowed.is_set():
            frame = await link.frames.get()
            await websocket.send_text(json.dumps(frame, ensure_ascii=False))
        await websocket.close(code=1013, reason="chat.behind")


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=MAX_BODY_CHARS)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["agent", "queue"]
    target: str = Field(min_length=1, max_length=64)
    note: str | None = Field(None, max_length=500)


@router.get("/mine", summary="My chats now: offered to me or connected")
async def mine(request: Request, principal: Agent) -> dict[str, Any]:
    chat = services_of(request).chat
    if chat is None:
        return {"items": []}
    me = _me(principal)
    items = [
        item
        for kind in chat.kinds
        for item in chat.conversations(principal.tenant_id, kind).of_agent(me)
    ]
    return {"items": items}


@router.get("/conversations/{conversation_id}/messages", summary="A chat's messages in order")
async def messages(
    conversation_id: ConversationId,
    request: Request,
    principal: Agent,
    after_seq: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    found = await conversations.history(contact_id, after_seq=after_seq)
    return {"items": [m.to_json() for m in found]}


@router.post("/conversations/{conversation_id}/accept", summary="Take a chat offered to me")
async def accept(
    conversation_id: ConversationId, request: Request, principal: Agent
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    await conversations.accept(_me(principal), contact_id)
    return {"ok": True}


@router.post("/conversations/{conversation_id}/messages", summary="Write to the visitor")
async def write(
    conversation_id: ConversationId, body: MessageIn, request: Request, principal: Agent
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    stored = await conversations.agent_writes(_me(principal), contact_id, body.client_id, body.body)
    return stored.to_json()


@router.post("/conversations/{conversation_id}/files", summary="Send the visitor a file")
async def send_file(
    conversation_id: ConversationId,
    request: Request,
    principal: Agent,
    file: Annotated[UploadFile, File()],
    client_id: Annotated[str, Form(min_length=1, max_length=64)],
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    chat = _chat(services_of(request))
    if conversations.channel.name != TextKind.CHAT.value:
        # SMS and e-mail contacts on the same desk send files their own way
        raise ChatFileRefused("chat.file.type", content_type=file.content_type or "")
    data = await file.read()
    stored = await chat.agent_sends_file(
        conversations,
        _me(principal),
        contact_id,
        client_id,
        file.filename or "file",
        file.content_type or "application/octet-stream",
        data,
    )
    return stored.to_json()


@router.get(
    "/conversations/{conversation_id}/files/{attachment_id}",
    summary="A file of a conversation I am or was in",
)
async def agent_file(
    conversation_id: ConversationId, attachment_id: str, request: Request, principal: Agent
) -> Response:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    chat = _chat(services_of(request))
    if not await chat.is_party(conversations, contact_id, _me(principal)):
        raise ConversationNotFound(
            f"no conversation {conversation_id}", details={"conversation_id": conversation_id}
        )
    return await _file_response(chat, conversations, contact_id, attachment_id)


@router.post("/conversations/{conversation_id}/typing", summary="I am typing")
async def typing(
    conversation_id: ConversationId, request: Request, principal: Agent
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    room = conversations.channel.room(contact_id)
    agent_id = _me(principal)
    if room is None or agent_id not in room.parties:
        raise NotInConversation(
            f"agent {agent_id} is not in conversation {contact_id}",
            details={"agent_id": agent_id, "contact_id": contact_id},
        )
    _chat(services_of(request)).hub.typing_to_visitor(contact_id)
    return {"ok": True}


@router.post("/conversations/{conversation_id}/transfer", summary="Transfer to an agent or a queue")
async def transfer(
    conversation_id: ConversationId, body: TransferIn, request: Request, principal: Agent
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    await conversations.transfer(
        _me(principal), contact_id, TransferTarget(body.kind, body.target), note=body.note
    )
    return {"ok": True}


@router.post("/conversations/{conversation_id}/close", summary="End the chat (wrap-up follows)")
async def close(
    conversation_id: ConversationId, request: Request, principal: Agent
) -> dict[str, Any]:
    conversations, contact_id = await _conversation(request, principal, conversation_id)
    await conversations.close(_me(principal), contact_id)
    return {"ok": True}


# --- the centre's chat settings (admins) ---------------------------------------------------


@router.get("/settings", summary="The centre's chat settings (identity secret masked)")
async def get_settings(request: Request, principal: Admin) -> dict[str, Any]:
    services = services_of(request)
    async with services.engine.connect() as conn:
        doc = await SqlChatSettings(conn).get(principal.tenant_id)
        tenant = await SqlTenants(conn).get(principal.tenant_id)
    return {
        "settings": masked(open_config(doc, principal.tenant_id, services.secrets)),
        "center": tenant["slug"] if tenant else None,  # the widget's `data-center`
    }


@router.put(
    "/settings",
    summary="Set the allowed sites, the pre-chat form, the greetings, the files visitors and "
    "agents may send, the offline department, the end-of-chat survey and the identity secret "
    "(send it masked to keep it); new visitors get them at once",
)
async def put_settings(
    body: dict[str, Any], request: Request, uow: Uow, principal: Admin
) -> dict[str, Any]:
    services = services_of(request)
    repo = SqlChatSettings(uow.conn)
    if body.get("identity_secret") == MASK:
        old = open_config(
            await repo.get(principal.tenant_id), principal.tenant_id, services.secrets
        )
        body = {**body, "identity_secret": old.identity_secret}
    config = parse_config(body)
    await repo.save(
        principal.tenant_id, sealed(config, principal.tenant_id, services.secrets),
        services.clock.now(),
    )  # fmt: skip
    await uow.commit()
    return {"settings": masked(config)}
