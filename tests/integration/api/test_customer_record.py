"""The customer record (issue 17, part 4): typed custom fields validated like an import row,
several phones normalized to E.164 (mobile and landline, +86 / 0086, with and without the
area code), organizations, the profile summary and the cross-channel timeline, and the merge
of a duplicate that keeps its contacts and tickets."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from hotline.flows.events import SurveyAnswered
from hotline.interactions.events import InteractionCreated, InteractionEnded
from tests.integration.api.conftest import Api


async def _contact(api: Api, tenant: str, iid: str, customer: str, channel: str,
                   rating: int | None) -> None:  # fmt: skip
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        uow.emit(
            InteractionCreated(
                tenant_id=tenant, at=now - 60, interaction_id=iid, channel=channel,
                direction="inbound", caller_number="13912345678", caller_name=None, did="4001",
                customer_id=customer, vip_level=None, flow="main", flow_version=1,
                call_id="c-" + iid,
            )
        )  # fmt: skip
        if rating is not None:
            uow.emit(SurveyAnswered(tenant_id=tenant, at=now - 5, interaction_id=iid,
                                    node="survey", rating=rating, scale=5))  # fmt: skip
        uow.emit(
            InteractionEnded(
                tenant_id=tenant, at=now, interaction_id=iid, reason="completed",
                cause="normal", q850=16, queue_id="support", answered=True, ivr_s=5.0,
                queue_s=5.0, talk_s=40.0, hold_s=0.0, total_s=50.0,
            )
        )  # fmt: skip
        await uow.commit()


async def _summary(client: httpx.AsyncClient, customer: str, contacts: int) -> dict[str, Any]:
    for _ in range(100):  # the contacts projection follows the log
        found: dict[str, Any] = (await client.get(f"/api/v1/customers/{customer}/summary")).json()
        if found["contacts"] == contacts:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"the projection did not reach {contacts} contacts: {found}")


async def test_a_customer_record_worth_the_name(api: Api) -> None:
    admin = await api.login("admin")
    agent = await api.login("agent1")
    for field in (
        {"key": "level", "label_zh": "会员等级", "label_en": "Level", "type": "choice",
         "choices": ["金卡|gold", "银卡|silver"], "required": True},
        {"key": "hobbies", "label_zh": "爱好", "label_en": "Hobbies", "type": "multi_choice",
         "choices": ["阅读|reading", "运动|sports"]},
        {"key": "birthday", "label_zh": "生日", "label_en": "Birthday", "type": "date"},
        {"key": "spend", "label_zh": "消费额", "label_en": "Spend", "type": "number"},
    ):  # fmt: skip
        assert (await admin.post("/api/v1/custom-fields", json=field)).status_code == 201
    assert (await admin.put("/api/v1/customers/settings", json={"area_code": "0755"})).json() == {
        "area_code": "755"
    }
    org = (await admin.post("/api/v1/organizations", json={"name": "华强电子"})).json()

    body = {
        "name": "赵敏",
        "phones": ["139 1234 5678", "0086 139-1234-5678", "+86 10 6552 9904", "8888 6666",
                   "0571-8888 6666 转 8001"],
        "emails": ["zhao@example.com", "min@example.org"],
        "vip_level": 2,
        "tags": ["老客户"],
        "organization_id": org["id"],
        "custom": {"level": "GOLD", "hobbies": ["阅读", "sports"], "birthday": "1990/5/1",
                   "spend": "1,234.5"},
    }  # fmt: skip
    r = await agent.post("/api/v1/customers", json=body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["phone_keys"] == ["+8613912345678", "+861065529904", "+8675588886666",
                                  "+8657188886666"]  # fmt: skip
    assert made["phones"][-1] == "+8657188886666;ext=8001"
    assert made["custom"] == {
        "level": "金卡", "hobbies": ["阅读", "运动"], "birthday": "1990-05-01", "spend": 1234.5,
    }  # fmt: skip
    found = (await agent.get("/api/v1/customers/lookup", params={"phone": "88886666"})).json()
    assert [c["id"] for c in found["items"]] == [made["id"]]

    # Bad input names the field, in the user's language.
    for custom, code, field in (
        ({}, "customer.value.required", "custom.level"),
        ({"level": "铜卡"}, "customer.choice.unknown", "custom.level"),
        ({"level": "gold", "spend": "lots"}, "customer.number.invalid", "custom.spend"),
        ({"level": "gold", "shoe": 42}, "customer.custom.unknown", "custom.shoe"),
    ):
        r = await agent.post("/api/v1/customers", json={"name": "x", "custom": custom})
        assert (r.status_code, r.json()["code"], r.json()["details"]["field"]) == (
            422, code, field,
        ), r.text  # fmt: skip
    r = await agent.post("/api/v1/customers", json={"name": "x", "custom": {}})
    assert r.json()["message"] == "会员等级: 必填，不能为空"
    r = await agent.post(
        "/api/v1/customers", json={"name": "x", "phones": ["12"], "custom": {"level": "gold"}}
    )
    assert (r.json()["code"], r.json()["details"]["field"]) == ("customer.phone.invalid",
                                                                "phones[0]")  # fmt: skip

    # History: two contacts on two channels with CSAT, a ticket with a public reply.
    tenant = (await agent.get("/api/v1/auth/me")).json()["tenant_id"]
    await _contact(api, tenant, "call-1", made["id"], "voice", 5)
    ticket = (
        await agent.post("/api/v1/tickets", json={"subject": "发票", "customer_id": made["id"]})
    ).json()
    await agent.post(
        f"/api/v1/tickets/{ticket['id']}/comments", json={"body": "已开具", "public": True}
    )
    # A duplicate with its own contact and ticket, merged into the record.
    dup = (
        await agent.post(
            "/api/v1/customers",
            json={"name": "赵敏(重复)", "phones": ["13912345678", "13700001111"],
                  "tags": ["投诉"], "custom": {"level": "silver"}},
        )
    ).json()  # fmt: skip
    await _contact(api, tenant, "chat-1", dup["id"], "chat", 3)
    await agent.post("/api/v1/tickets", json={"subject": "投诉", "customer_id": dup["id"]})
    await _summary(agent, dup["id"], 1)
    r = await agent.post(f"/api/v1/customers/{dup['id']}/merge", json={"into_id": made["id"]})
    assert r.status_code == 200, r.text
    summary = await _summary(agent, made["id"], 2)
    assert summary["channels"] == {"voice": 1, "chat": 1}
    assert summary["csat_average"] == 4.0
    assert (summary["tickets"], summary["open_tickets"]) == (2, 2)
    assert summary["last_contact_at"] is not None
    assert (await agent.get(f"/api/v1/customers/{dup['id']}")).status_code == 404
    survivor = (await agent.get(f"/api/v1/customers/{made['id']}")).json()
    assert "+8613700001111" in survivor["phone_keys"]
    assert survivor["tags"] == ["老客户", "投诉"]
    assert survivor["custom"]["level"] == "金卡"  # the survivor's value wins
    found = (await agent.get("/api/v1/customers/lookup", params={"phone": "13700001111"})).json()
    assert [c["id"] for c in found["items"]] == [made["id"]]

    timeline = (await agent.get(f"/api/v1/customers/{made['id']}/timeline")).json()["items"]
    kinds = sorted(i["kind"] for i in timeline)
    assert kinds == ["contact", "contact", "csat", "csat", "note", "ticket", "ticket"]
    r = await agent.post(f"/api/v1/customers/{made['id']}/merge", json={"into_id": made["id"]})
    assert r.json()["code"] == "customer.merge.self"
    await admin.aclose()
    await agent.aclose()
