"""Visitor identity from the host site: a token signed with the centre's secret opens the chat
for that person (their phone links the customer record); a forged, unsigned, expired or
over-long token is refused naming `identity`, and no chat opens."""

from __future__ import annotations

import asyncio
import base64
import json
from typing import Any

import pytest

from hotline.channels.chat.identity import IdentityRefused, sign, verify
from hotline.channels.chat.settings import ChatConfig
from hotline.events import ListSink
from hotline.ids import CustomerId
from hotline.interactions import InMemoryCustomerDirectory
from hotline.interactions.events import InteractionCreated
from hotline.interactions.ports import CustomerRecord
from tests.unit.channels.test_chat_offline import Socket
from tests.unit.channels.test_visitor_session import TENANT, service
from tests.unit.interactions.harness import WEDNESDAY_10AM_SHANGHAI, until

SECRET = "s3cret-of-the-shop-0123456789abcdef"
NOW = WEDNESDAY_10AM_SHANGHAI


def token(secret: str = SECRET, **claims: Any) -> str:
    return sign({"sub": "shop-user-42", "exp": NOW + 600, **claims}, secret)


def refused(raw: str, secret: str = SECRET) -> str:
    with pytest.raises(IdentityRefused) as error:
        verify(raw, secret, now=NOW)
    assert error.value.details["field"] == "identity"
    return error.value.code


def test_a_signed_token_names_the_visitor() -> None:
    who = verify(token(name="王芳", phone="13900139000"), SECRET, now=NOW)
    assert (who.subject, who.name, who.phone, who.email) == (
        "shop-user-42", "王芳", "13900139000", None,
    )  # fmt: skip
    assert verify(token(exp=NOW - 10), SECRET, now=NOW).subject  # within the leeway


def test_forged_expired_and_overlong_tokens_are_refused() -> None:
    assert refused(token(secret="another-secret-of-32-characters-xx")) == "chat.identity.invalid"
    assert refused(token(exp=NOW - 3600)) == "chat.identity.expired"
    assert refused(token(exp=NOW + 3 * 24 * 3600)) == "chat.identity.invalid"
    assert refused("not.a.token") == "chat.identity.invalid"
    assert refused(token(), secret="") == "chat.identity.invalid"  # the centre set none
    header, payload, _ = token().split(".")
    forged = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged["phone"] = "13800000000"  # someone else's customer record
    body = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")
    assert refused(f"{header}.{body}.{token().split('.')[2]}") == "chat.identity.invalid"
    unsigned = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').decode().rstrip("=")
    assert refused(f"{unsigned}.{payload}.") == "chat.identity.invalid"
    no_subject = sign({"exp": NOW + 60}, SECRET)
    assert refused(no_subject) == "chat.identity.invalid"


async def hello(identity: str) -> tuple[Socket, ListSink, asyncio.Task[None]]:
    chat, center, sink = service()

    async def settings(tenant_id: str) -> ChatConfig:
        return ChatConfig(identity_secret=SECRET)

    chat._settings = settings
    directory = center.arrivals._customers
    assert isinstance(directory, InMemoryCustomerDirectory)
    directory.add(TENANT, ["13900139000"], CustomerRecord(CustomerId("c-wang"), "王芳"))
    socket = Socket()
    session = asyncio.create_task(chat.session(TENANT).run(socket.receive, socket.send))
    # the form's own phone would link nobody: the token's phone decides
    socket.say(type="hello", language="zh-CN", name="访客", phone="10000", identity=identity)
    await until(lambda: bool(socket.frames))
    return socket, sink, session


async def test_the_tokens_phone_links_the_chat_to_the_customer() -> None:
    socket, sink, session = await hello(token(name="王芳", phone="13900139000"))
    assert socket.frames[0]["type"] == "welcome"
    created = [e for e in sink.events if isinstance(e, InteractionCreated)]
    assert [(e.customer_id, e.caller_name) for e in created] == [("c-wang", "王芳")]
    socket.inbox.put_nowait(None)
    await session


async def test_a_forged_token_opens_no_chat() -> None:
    socket, sink, session = await hello(token(secret="x" * 40, phone="13900139000"))
    await session
    assert socket.frames == [
        {
            "type": "error",
            "code": "chat.identity.invalid",
            "field": "identity",
            "message": "the identity token is not valid",
        }
    ]
    assert not [e for e in sink.events if isinstance(e, InteractionCreated)]
