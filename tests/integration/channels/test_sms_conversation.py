"""Issue 21, SMS on the conversation core, over the real server (`hotline demo`): an inbound
SMS on the HTTP gateway's signed webhook becomes a text contact of kind sms in the centre's SMS
queue, offered on agent1's chat desk; the webhook delivered twice is one message; the agent's
reply reaches the gateway double; the customer's next text joins the same contact; once the
number opted out a reply is kept, not texted; the customer's timeline shows the SMS contact."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from hotline.webhooks.signing import sign
from tests import dbs
from tests.integration.desk.conftest import WANG_FANG, Desk, Stream, log_in_browser_agent
from tests.integration.sms.conftest import ProviderDouble
from tests.server import ServerProcess

SECRET = "webhook-secret-0123456789"
CUSTOMER = WANG_FANG  # a seeded customer: her timeline shows the SMS contact


@pytest.fixture(params=["sqlite", "postgresql"])
def sms_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    """The demo on a fresh database of each kind, its egress open to the gateway double."""
    url = f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db"
    if request.param == "postgresql":
        problem = dbs.pg_available()
        if problem:
            pytest.skip(problem)
        url = dbs.create_pg_database()
    server = ServerProcess(tmp_path / "var", url, HOTLINE_EGRESS__ALLOW_NETWORKS='["127.0.0.0/8"]')
    try:
        server.start("demo")
        desk = Desk(server)
        created = desk.login("admin").post(
            "/api/v1/queues",
            {"name": "texts", "display_name": "短信客服", "channel": "sms", "wrap_up_s": 0},
        )
        assert created.status_code == 201, created.text
        yield desk
    finally:
        server.stop()
        if request.param == "postgresql":
            dbs.drop_pg_database(url)


def _inbound(desk: Desk, tenant: str, body: dict[str, Any]) -> httpx.Response:
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = int(time.time())
    headers = {
        "X-Hotline-Signature": sign(SECRET, stamp, raw),
        "X-Hotline-Timestamp": str(stamp),
        "Content-Type": "application/json",
    }
    return httpx.post(
        f"{desk.server.url}/api/v1/sms/http/inbound?tenant={tenant}", content=raw, headers=headers
    )


async def test_an_inbound_sms_reaches_the_chat_desk_and_the_reply_the_gateway(
    sms_server: Desk, gateway: ProviderDouble
) -> None:
    desk = sms_server
    admin = desk.login("admin")
    settings = {
        "provider": "http",
        "http": {"url": gateway.url, "api_key": "key-1", "webhook_secret": SECRET},
        "sender_ids": ["10690123"],
    }
    assert admin.client.put("/api/v1/sms/settings", json=settings).status_code == 200
    tenant = admin.get("/api/v1/auth/me").json()["tenant_id"]
    agent = desk.login("agent1")
    async with (
        desk.browser_phone("agent1", 440.0),
        connect(
            desk.ws + "/api/v1/chat/desk", additional_headers={"Cookie": agent.cookie}
        ) as desk_ws,
    ):
        log_in_browser_agent(desk)
        feed = Stream(desk_ws)
        await feed.next("ready")
        text = {"from": CUSTOMER, "to": "10690123", "text": "你好，我的快递还没到", "id": "gw-in-1"}
        first = await asyncio.to_thread(_inbound, desk, tenant, text)
        assert first.status_code == 200, first.text
        again = await asyncio.to_thread(_inbound, desk, tenant, text)  # delivered twice
        assert again.json()["id"] == first.json()["id"]
        offer = await feed.next("offer")
        assert offer["kind"] == "sms"
        contact = offer["contact_id"]
        assert agent.get("/api/v1/chat/mine").json()["items"] == [
            {"contact_id": contact, "state": "offered"}
        ]
        assert agent.post(f"/api/v1/chat/conversations/{contact}/accept").status_code == 200
        path = f"/api/v1/chat/conversations/{contact}/messages"
        reply = agent.post(path, {"client_id": "a-1", "body": "您好，请提供运单号"})
        assert reply.status_code == 200, reply.text
        await desk.until(lambda: any("运单号" in s["body"]["text"] for s in gateway.sent))
        (sent,) = [s["body"] for s in gateway.sent if "运单号" in s["body"]["text"]]
        assert sent["to"] == CUSTOMER
        assert [s["body"]["text"] for s in gateway.sent] == ["您好，请提供运单号"]  # no notices

        # the customer answers: the same contact, on the agent's desk
        answer = {"from": CUSTOMER, "to": "10690123", "text": "SF123456", "id": "gw-in-2"}
        assert (await asyncio.to_thread(_inbound, desk, tenant, answer)).status_code == 200
        got = await feed.next("message", lambda m: m["body"] == "SF123456")
        assert got["contact_id"] == contact

        # the number opts out: the agent's next message is kept, not texted
        opted = admin.post("/api/v1/sms/opt-outs", {"number": CUSTOMER, "opted_out": True})
        assert opted.status_code == 204, opted.text
        assert agent.post(path, {"client_id": "a-2", "body": "已为您加急"}).status_code == 200

        def refused() -> bool:
            rows = admin.get(f"/api/v1/sms/messages?number={CUSTOMER}").json()["items"]
            return any(r["text"] == "已为您加急" and r["status"] == "refused" for r in rows)

        await desk.until(refused)
        assert [s["body"]["text"] for s in gateway.sent] == ["您好，请提供运单号"]

    history = [m["body"] for m in agent.get(path).json()["items"] if m["sender"] != "system"]
    assert history == ["你好，我的快递还没到", "您好，请提供运单号", "SF123456", "已为您加急"]
    closed = agent.post(f"/api/v1/chat/conversations/{contact}/close")
    assert closed.status_code == 200, closed.text

    (customer,) = admin.get(f"/api/v1/customers/lookup?phone={CUSTOMER}").json()["items"]

    def sms_on_timeline() -> bool:
        items = admin.get(f"/api/v1/customers/{customer['id']}/timeline").json()["items"]
        return any(i.get("channel") == "sms" for i in items)

    await desk.until(sms_on_timeline)
