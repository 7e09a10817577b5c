"""SMS over the HTTP provider, end to end on both databases: settings through the API, a
text sent to the provider double on loopback, delivery receipts and inbound messages on
signed webhooks (a bad signature: 401 and nothing stored), opt-out words honoured, and the
tickets' SMS hook sent through the provider."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
from sqlalchemy import func, select

from hotline.channels.sms import InMemorySmsInbox
from hotline.channels.sms.follower import SmsFollower
from hotline.flows.events import SmsWanted
from hotline.store.sms_tables import sms_messages, sms_settings
from hotline.store.tables import tenants
from hotline.tickets.events import TicketTextWanted
from hotline.webhooks.signing import sign
from tests.integration.api.conftest import Api
from tests.integration.sms.conftest import ProviderDouble

SECRET = "webhook-secret-0123456789"
CUSTOMER = "+8613800138000"


def _settings(gateway: ProviderDouble, **extra: Any) -> dict[str, Any]:
    return {
        "provider": "http",
        "http": {"url": gateway.url, "api_key": "key-1", "webhook_secret": SECRET},
        "sender_ids": ["Hotline", "10690123"],
        "templates": {
            "self_service": {
                "zh-CN": "排队人数较多，您可以通过此链接自助办理：{link}",
                "en": "The queue is long; you can help yourself here: {link}",
            }
        },
        **extra,
    }


def _signed(body: dict[str, Any], secret: str = SECRET) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(body, ensure_ascii=False).encode()
    stamp = int(time.time())
    return raw, {
        "X-Hotline-Signature": sign(secret, stamp, raw),
        "X-Hotline-Timestamp": str(stamp),
        "Content-Type": "application/json",
    }


async def _count(api: Api) -> int:
    async with api.services.uow(write=False) as uow:
        return int(await uow.conn.scalar(select(func.count()).select_from(sms_messages)) or 0)


async def _configured(api: Api, gateway: ProviderDouble) -> tuple[httpx.AsyncClient, str]:
    admin = await api.login("admin")
    r = await admin.put("/api/v1/sms/settings", json=_settings(gateway))
    assert r.status_code == 200, r.text
    async with api.services.uow(write=False) as uow:
        tenant = await uow.conn.scalar(select(tenants.c.id).where(tenants.c.slug == "demo"))
    return admin, str(tenant)


async def test_settings_send_and_delivery_receipts(sms_api: Api, gateway: ProviderDouble) -> None:
    admin, tenant = await _configured(sms_api, gateway)
    shown = (await admin.get("/api/v1/sms/settings")).json()["settings"]
    assert shown["http"]["api_key"] == "********"
    assert shown["http"]["webhook_secret"] == "********"
    # saved again as shown: the secrets stay
    assert (await admin.put("/api/v1/sms/settings", json=shown)).status_code == 200
    async with sms_api.services.uow(write=False) as uow:  # stored sealed (ADR 0184)
        stored = await uow.conn.scalar(select(sms_settings.c.config))
    assert stored["http"]["webhook_secret"].startswith("sealed:v1:")
    assert "key-1" not in json.dumps(stored)
    assert SECRET not in json.dumps(stored)

    r = await admin.post(
        "/api/v1/sms/messages",
        json={"to": "+86 138-0013-8000", "template": "self_service",
              "values": {"link": "https://h.test/s/1"}},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    sent = r.json()
    assert (sent["status"], sent["recipient"], sent["encoding"]) == ("sent", CUSTOMER, "ucs2")
    assert len(gateway.sent) == 1
    call = gateway.sent[0]
    assert call["headers"]["authorization"] == "Bearer key-1"
    assert call["headers"]["idempotency-key"] == sent["id"]
    assert call["body"] == {
        "from": "Hotline", "to": CUSTOMER, "reference": call["body"]["reference"],
        "text": "排队人数较多，您可以通过此链接自助办理：https://h.test/s/1",
    }  # fmt: skip

    client = sms_api.app_client
    raw, headers = _signed({"id": "gw-1", "status": "delivered"})
    bad = dict(headers, **{"X-Hotline-Signature": "v1=" + "0" * 64})
    r = await client.post(f"/api/v1/sms/http/receipts?tenant={tenant}", content=raw, headers=bad)
    assert r.status_code == 401
    assert r.json()["code"] == "sms.signature"
    listed = (await admin.get("/api/v1/sms/messages")).json()["items"]
    assert listed[0]["status"] == "sent"
    r = await client.post(
        f"/api/v1/sms/http/receipts?tenant={tenant}", content=raw, headers=headers
    )
    assert r.status_code == 200, r.text
    listed = (await admin.get("/api/v1/sms/messages")).json()["items"]
    assert listed[0]["status"] == "delivered"
    assert listed[0]["delivered_at"] is not None


async def test_inbound_webhook_good_and_bad_signatures_and_opt_out(
    sms_api: Api, gateway: ProviderDouble
) -> None:
    admin, tenant = await _configured(sms_api, gateway)
    inbox = InMemorySmsInbox()
    sms_api.services.sms.inbox = inbox
    client = sms_api.app_client
    url = f"/api/v1/sms/http/inbound?tenant={tenant}"
    message = {"id": "in-1", "from": CUSTOMER, "to": "10690123", "text": "我的快递到哪了？"}

    before = await _count(sms_api)
    raw, headers = _signed(message, secret="not-the-secret-at-all")
    r = await client.post(url, content=raw, headers=headers)
    assert r.status_code == 401
    r = await client.post(url, content=raw, headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    r = await client.post(
        "/api/v1/sms/http/inbound?tenant=01NOSUCHTENANT", content=raw, headers=headers
    )
    assert r.status_code == 401
    assert await _count(sms_api) == before  # nothing stored
    assert inbox.received == []

    raw, headers = _signed(message)
    assert (await client.post(url, content=raw, headers=headers)).status_code == 200
    assert (await client.post(url, content=raw, headers=headers)).status_code == 200  # a retry
    assert await _count(sms_api) == before + 1
    assert [(t, s.text) for t, s in inbox.received] == [(tenant, "我的快递到哪了？")]

    raw, headers = _signed({"id": "in-2", "from": CUSTOMER, "to": "10690123", "text": "退订"})
    assert (await client.post(url, content=raw, headers=headers)).status_code == 200
    opted = (await admin.get("/api/v1/sms/opt-outs")).json()["items"]
    assert [(o["number"], o["source"], o["word"]) for o in opted] == [(CUSTOMER, "keyword", "退订")]
    assert len(inbox.received) == 1  # the keyword is not a conversation message

    r = await admin.post("/api/v1/sms/messages", json={"to": CUSTOMER, "text": "hello"})
    assert r.status_code == 409
    assert r.json()["code"] == "sms.opted_out"
    assert gateway.sent == []
    assert (await admin.get("/api/v1/sms/messages")).json()["items"][0]["status"] == "refused"

    raw, headers = _signed({"id": "in-3", "from": CUSTOMER, "to": "10690123", "text": "START"})
    assert (await client.post(url, content=raw, headers=headers)).status_code == 200
    r = await admin.post("/api/v1/sms/messages", json={"to": CUSTOMER, "text": "hello"})
    assert r.status_code == 201
    assert len(gateway.sent) == 1


async def test_bad_settings_and_bad_sends_name_the_field_in_both_languages(
    sms_api: Api, gateway: ProviderDouble
) -> None:
    admin = await sms_api.login("admin")
    r = await admin.post("/api/v1/sms/messages", json={"to": CUSTOMER, "text": "hi"})
    assert (r.status_code, r.json()["code"]) == (422, "sms.not_configured")
    bad = _settings(gateway)
    bad["http"] = {**bad["http"], "url": "ftp://x"}
    r = await admin.put("/api/v1/sms/settings", json=bad, headers={"Accept-Language": "en"})
    assert (r.status_code, r.json()["code"]) == (422, "sms.provider.url")
    assert r.json()["details"]["field"] == "http.url"
    await admin.put("/api/v1/sms/settings", json=_settings(gateway))
    for body, code in [
        ({"to": "not a number", "text": "hi"}, "sms.to.invalid"),
        ({"to": CUSTOMER, "text": "  "}, "sms.text.empty"),
        ({"to": CUSTOMER, "template": "nope"}, "sms.template.unknown"),
        ({"to": CUSTOMER, "template": "self_service"}, "sms.template.invalid"),
        ({"to": CUSTOMER, "text": "hi", "sender": "Other"}, "sms.sender.unknown"),
    ]:
        r = await admin.post("/api/v1/sms/messages", json=body)
        assert (r.status_code, r.json()["code"]) == (422, code), r.text
    assert gateway.sent == []
    gateway.status = 500
    r = await admin.post("/api/v1/sms/messages", json={"to": CUSTOMER, "text": "hi"})
    assert (r.status_code, r.json()["code"]) == (503, "sms.provider")
    assert (await admin.get("/api/v1/sms/messages")).json()["items"][0]["status"] == "failed"


async def test_the_tickets_hook_and_the_flows_overflow_text_send_through_the_provider(
    sms_api: Api, gateway: ProviderDouble
) -> None:
    _admin, tenant = await _configured(sms_api, gateway)
    services = sms_api.services
    async with services.uow() as uow:
        uow.emit(
            TicketTextWanted(
                tenant_id=tenant, at=services.clock.now(), ticket_id="T1", number=7,
                kind="created", to=CUSTOMER, text="您的工单 7 已受理。", language="zh-CN",
            )
        )  # fmt: skip
        uow.emit(
            SmsWanted(
                tenant_id=tenant, at=services.clock.now(), interaction_id="i-9", node="overflow",
                to="13900139077", template="self_service", values={"link": "https://h.test/9"},
                language="en",
            )
        )  # fmt: skip
        await uow.commit()
    follower = SmsFollower(services.uow, services.bus, services.sms)
    assert await follower.catch_up(tenant) == 2
    assert await follower.catch_up(tenant) == 0  # once
    assert [s["body"]["text"] for s in gateway.sent] == [
        "您的工单 7 已受理。",
        "The queue is long; you can help yourself here: https://h.test/9",
    ]
    rows = await services.sms.messages(tenant)
    assert {(r["purpose"], r["reference"]) for r in rows} == {("ticket", "T1"), ("flow", "i-9")}


async def test_errors_are_said_in_chinese_too(sms_api: Api, gateway: ProviderDouble) -> None:
    admin = await sms_api.login("admin")
    zh = {"Accept-Language": "zh-CN"}
    r = await admin.post("/api/v1/sms/messages", json={"to": CUSTOMER, "text": "hi"}, headers=zh)
    assert r.json()["message"] == "本中心尚未配置短信通道。"
    await admin.put("/api/v1/sms/settings", json=_settings(gateway))
    r = await admin.post("/api/v1/sms/messages", json={"to": "abc", "text": "hi"}, headers=zh)
    assert r.json()["message"] == "要发送短信的手机号码无效。"
    assert (await admin.put("/api/v1/auth/me/language", json={"language": "en"})).is_success
    r = await admin.post("/api/v1/sms/messages", json={"to": "abc", "text": "hi"})
    assert r.json()["message"] == "The phone number to text is not valid."
