"""What a campaign's disposition does to its record, over HTTP on both databases: a `dnc`
given at the wrap-up of a progressive call puts the number on the campaign's do-not-call list
and the record is never due again, whether the call's end was logged before the wrap-up or
the wrap-up was first tried before it; a `retry` given on the preview card makes the record
due again after the campaign's `connected` interval, not before."""

from __future__ import annotations

from typing import Any

from hotline.dialer.events import CampaignCallPlaced
from hotline.dialer.figures import Attempt
from hotline.dialer.outcomes import Outcome, RetryPolicy
from hotline.ids import new_id
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAnswered
from hotline.store.dialer_repo import SqlCallListRecords, SqlDialerStore
from tests.integration.api.conftest import Api

STOP = {"code": "stop", "label_zh": "勿扰", "label_en": "Do not call", "right_party": True,
        "then": "dnc"}  # fmt: skip
LATER = {"code": "later", "label_zh": "再联系", "label_en": "Call again", "right_party": True,
         "then": "retry"}  # fmt: skip
FAR = 10 * 365 * 86_400.0


async def _campaign(
    api: Api, admin: Any, tenant: str, body: dict[str, Any], phones: list[str]
) -> str:
    r = await admin.post("/api/v1/campaigns", json=body)
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add(
            [{"list": body["name"], "phone": p, "name": "客户"} for p in phones]
        )
        await uow.commit()
    lists = (await admin.get("/api/v1/call-lists")).json()["items"]
    list_id = next(item["id"] for item in lists if item["name"] == body["name"])
    await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": list_id})
    return campaign


async def _call_ended(api: Api, tenant: str, campaign: str, record_id: str, at: float) -> None:
    """The call's end as the live dialer logs it: the record moved by its outcome (held while
    it is), and the dial logged."""
    async with api.services.uow() as uow:
        store = SqlDialerStore(uow.conn, tenant)
        record = await store.record(record_id)
        assert record is not None
        RetryPolicy.from_settings((await store.campaign(campaign)).retry).apply(
            record, Outcome.CONNECTED, at
        )
        await store.save(record, at)
        await store.add_attempt(campaign, record_id, Attempt(at, Outcome.CONNECTED, answered_at=at))
        await uow.commit()


async def test_a_dnc_wrap_up_lists_the_number_in_either_order_of_the_calls_end(api: Api) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    r = await admin.post("/api/v1/campaigns", json={
        "name": "坏", "mode": "progressive", "queue_id": "sales",
        "dispositions": [{**STOP, "then": "later"}]})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "dispositions.0.then"
    body = {"name": "渐进", "mode": "progressive", "queue_id": "sales", "dispositions": [STOP]}
    phones = ["+8613800138021", "+8613800138022"]
    campaign = await _campaign(api, admin, tenant, body, phones)
    shown = (await admin.get(f"/api/v1/campaigns/{campaign}")).json()
    assert shown["dispositions"][0]["then"] == "dnc"
    rows = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    records = {row["phone"]: row["id"] for row in rows}
    agent = await api.login("agent1")
    agent_id = (await agent.get("/api/v1/auth/me")).json()["agent_id"]
    now = api.services.clock.now()
    log = api.services.event_log
    contacts = {}
    for phone in phones:
        contact = contacts[phone] = new_id(now)
        placed = CampaignCallPlaced(tenant_id=tenant, at=now, interaction_id=contact,
                                    campaign_id=campaign, record_id=records[phone])  # fmt: skip
        await log.append(placed)
        await log.append(QueueAnswered(tenant_id=tenant, at=now + 1, interaction_id=contact,
                                       agent_id=agent_id, queue_id="sales", via_queue_id="sales",
                                       channel=Channel.VOICE, priority=100, wait_s=0.5,
                                       sl_threshold_s=20))  # fmt: skip
        async with api.services.uow() as uow:  # dialed: in progress, as the dialer leaves it
            store = SqlDialerStore(uow.conn, tenant)
            record = await store.record(records[phone])
            assert record is not None
            record.status = record.status.IN_PROGRESS
            await store.save(record, now)
            await uow.commit()

    early, late = phones
    # The wrap-up before the call's end: refused, nothing moved; saved again after the end.
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contacts[early]}/disposition",
                         json={"disposition": "stop"})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "disposition"
    rows = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    assert {row["status"] for row in rows} == {"in_progress"}
    await _call_ended(api, tenant, campaign, records[early], now + 60)
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contacts[early]}/disposition",
                         json={"disposition": "stop"})  # fmt: skip
    assert r.status_code == 200, r.text
    # The call's end first, then the wrap-up.
    await _call_ended(api, tenant, campaign, records[late], now + 60)
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contacts[late]}/disposition",
                         json={"disposition": "stop"})  # fmt: skip
    assert r.status_code == 200, r.text

    rows = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    assert {row["phone"]: row["status"] for row in rows} == {early: "dnc", late: "dnc"}
    async with api.services.uow() as uow:
        store = SqlDialerStore(uow.conn, tenant)
        dnc = await store.do_not_call(campaign)
        assert dnc.campaign == frozenset(phones)
        assert dnc.tenant == frozenset()  # the campaign's list, not the tenant's
        assert await store.due(campaign, now + FAR, 100) == []  # never dialed again
    figures = (await admin.get(f"/api/v1/campaigns/{campaign}")).json()["figures"]
    assert (figures["connects"], figures["right_party"]) == (2, 2)


async def test_a_retry_on_the_preview_card_makes_the_record_due_after_the_interval(
    api: Api,
) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    body = {"name": "预览", "mode": "preview", "queue_id": "sales", "dispositions": [LATER],
            "retry": {"connected": {"interval_s": 3600, "max_attempts": 2}}}  # fmt: skip
    campaign = await _campaign(api, admin, tenant, body, ["+8613800138031"])
    r = await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "start"})
    assert r.json()["status"] == "running"
    agent = await api.login("agent1")
    card = (await agent.post(f"/api/v1/desk/preview/{campaign}/take")).json()["card"]
    record = card["record"]["id"]
    r = await agent.post(f"/api/v1/desk/preview/records/{record}/finish",
                         json={"outcome": "connected", "disposition": "later"})  # fmt: skip
    assert r.status_code == 200, r.text
    saved = r.json()
    assert (saved["status"], saved["attempts"], saved["agent_id"]) == ("retry", 1, None)
    due_at = saved["next_at"]
    assert (await agent.post(f"/api/v1/desk/preview/{campaign}/take")).json() == {"card": None}
    async with api.services.uow() as uow:
        store = SqlDialerStore(uow.conn, tenant)
        assert await store.due(campaign, due_at - 1, 10) == []
        assert [r.id for r in await store.due(campaign, due_at, 10)] == [record]
        # The interval is the campaign's `connected` rule, counted from the finish.
        finished = await store.record(record)
        assert finished is not None
        assert finished.next_at - 3600 <= api.services.clock.now()
    figures = (await admin.get(f"/api/v1/campaigns/{campaign}")).json()["figures"]
    assert (figures["connects"], figures["right_party"]) == (1, 1)
