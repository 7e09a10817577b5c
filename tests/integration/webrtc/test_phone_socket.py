"""The signalling WebSocket `/api/v1/phone` on a real server: cookie authentication, offer →
answer → connected, keys, bye, errors, a second page taking over, and a dropped socket."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from hotline.media.webrtc import BrowserConnected, BrowserDisconnected
from tests.integration.webrtc.conftest import PhoneServer
from tests.integration.webrtc.peers import BrowserPeer, wait_until


async def receive(ws: ClientConnection, kind: str | None = None) -> dict[str, Any]:
    async with asyncio.timeout(10):
        while True:
            message: dict[str, Any] = json.loads(await ws.recv())
            if kind is None or message["type"] == kind:
                return message


async def closed_with(ws: ClientConnection) -> int | None:
    async with asyncio.timeout(10):
        await ws.wait_closed()
    return ws.close_code


@pytest.fixture
async def peer() -> AsyncIterator[BrowserPeer]:
    browser = BrowserPeer()
    yield browser
    await browser.close()


async def open_phone(server: PhoneServer, peer: BrowserPeer, cookie: str) -> ClientConnection:
    ws = await connect(server.ws_url, additional_headers={"Cookie": cookie})
    await ws.send(json.dumps({"type": "offer", "sdp": await peer.offer()}))
    answer = await receive(ws, "answer")
    await peer.accept(answer["sdp"])
    assert await receive(ws) == {"type": "state", "state": "connected"}
    return ws


async def test_an_agent_page_opens_its_phone_presses_keys_and_says_bye(
    phone_server: PhoneServer, peer: BrowserPeer
) -> None:
    cookie, agent_id = await phone_server.login("agent1")
    assert agent_id is not None
    ws = await open_phone(phone_server, peer, cookie)
    gateway = phone_server.gateway
    endpoint = gateway.endpoint(agent_id)
    [connected] = phone_server.sink.of_type(BrowserConnected)
    assert (connected.agent_id, connected.endpoint_id) == (agent_id, endpoint)

    digits = phone_server.engine.dtmf_events(endpoint)
    first = asyncio.ensure_future(anext(digits))
    await asyncio.sleep(0)
    await ws.send(json.dumps({"type": "dtmf", "digit": "7"}))
    await ws.send("ping")
    assert await receive(ws) == {"type": "pong"}
    assert (await asyncio.wait_for(first, 5)).digit == "7"
    await digits.aclose()

    await ws.send(json.dumps({"type": "bye"}))
    assert await receive(ws) == {"type": "bye"}
    assert await closed_with(ws) == 1000
    assert gateway.session(agent_id) is None
    [gone] = phone_server.sink.of_type(BrowserDisconnected)
    assert (gone.agent_id, gone.reason) == (agent_id, "closed")


async def test_bad_messages_get_errors_with_codes_and_the_socket_stays(
    phone_server: PhoneServer,
) -> None:
    cookie, _ = await phone_server.login("agent1")
    async with connect(phone_server.ws_url, additional_headers={"Cookie": cookie}) as ws:
        for sent, code in [
            ("{not json", "phone.message.malformed"),
            ("[1, 2]", "phone.message.malformed"),
            (json.dumps({"type": "dance"}), "phone.message.unknown"),
            (json.dumps({"type": "offer"}), "invalid_input"),
            (json.dumps({"type": "offer", "sdp": "v=0\r\n"}), "webrtc.offer.rejected"),
            (json.dumps({"type": "dtmf", "digit": "5"}), "webrtc.session.not_found"),
            (json.dumps({"type": "dtmf", "digit": 5}), "webrtc.dtmf.invalid"),
            (json.dumps({"type": "dtmf", "digit": "5", "duration_ms": "x"}), "invalid_input"),
        ]:
            await ws.send(sent)
            error = await receive(ws)
            assert (error["type"], error["code"]) == ("error", code), sent
            assert error["message"]
        await ws.send(json.dumps({"type": "ping"}))
        assert await receive(ws) == {"type": "pong"}


async def test_who_may_open_a_phone(phone_server: PhoneServer) -> None:
    ws = await connect(phone_server.ws_url)
    assert await closed_with(ws) == 4401
    cookie, agent_id = await phone_server.login("admin")
    assert agent_id is None
    ws = await connect(phone_server.ws_url, additional_headers={"Cookie": cookie})
    assert await closed_with(ws) == 4403
    assert ws.close_reason == "phone.not_an_agent"


async def test_a_second_page_takes_the_phone_over_and_the_first_page_closing_leaves_it(
    phone_server: PhoneServer, peer: BrowserPeer
) -> None:
    cookie, agent_id = await phone_server.login("agent1")
    assert agent_id is not None
    first = await open_phone(phone_server, peer, cookie)
    endpoint = phone_server.gateway.endpoint(agent_id)
    other = BrowserPeer()
    try:
        second = await open_phone(phone_server, other, cookie)
        assert await receive(first) == {"type": "replaced"}
        assert await closed_with(first) == 4409
        assert phone_server.gateway.endpoint(agent_id) == endpoint
        assert phone_server.gateway.session(agent_id).generation == 2  # type: ignore[union-attr]
        assert phone_server.sink.of_type(BrowserDisconnected) == []

        # The same page may offer again on its socket (a new microphone): same endpoint.
        await second.send(
            json.dumps({"type": "offer", "sdp": await (third := BrowserPeer()).offer()})
        )
        await third.accept((await receive(second, "answer"))["sdp"])
        assert await receive(second) == {"type": "state", "state": "connected"}
        assert phone_server.gateway.endpoint(agent_id) == endpoint

        await second.close()  # the page is gone without a bye
        await wait_until(lambda: phone_server.gateway.session(agent_id) is None)
        [gone] = phone_server.sink.of_type(BrowserDisconnected)
        assert gone.reason == "closed"
        await third.close()
    finally:
        await other.close()


async def test_a_server_without_phones_says_so(phone_server: PhoneServer) -> None:
    phone_server.services.webrtc = None  # type: ignore[attr-defined]
    cookie, _ = await phone_server.login("agent1")
    ws = await connect(phone_server.ws_url, additional_headers={"Cookie": cookie})
    assert await closed_with(ws) == 1013
