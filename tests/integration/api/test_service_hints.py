"""Hints during service (issue 17, seed 001: 该客户手机已使用 2 年，可推荐新款): an admin writes a
rule on a custom date field; the screen pop of the customer's call shows the hint in the
user's language with the months filled in; the agent's response is recorded (table, event)
and counted for reports; bad rules and bad responses are refused naming the field."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from hotline.interactions.events import InteractionCreated
from hotline.store.tables import events
from tests.integration.api.conftest import Api

RULE = {
    "name": "换机推荐",
    "condition": "customer.device_bought.months >= 24 and customer.vip_level >= 1",
    "text_zh": "该客户手机已使用 {customer.device_bought.months} 个月，可推荐新款",
    "text_en": "Phone in use for {customer.device_bought.months} months: offer the upgrade",
}


async def _pop(client: Any, contact: str) -> dict[str, Any]:
    for _ in range(100):  # the contacts projection follows the log
        r = await client.get(f"/api/v1/desk/screenpop/{contact}")
        if r.status_code == 200:
            found: dict[str, Any] = r.json()
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(r.text)


async def test_a_hint_shows_in_the_screen_pop_and_the_response_is_counted(
    api: Api, second_tenant: str
) -> None:
    admin = await api.login("admin")
    boss = await api.login("boss", tenant="other")  # another center's admin, in English
    for key, kind in (("plan", "text"), ("device_bought", "date")):
        made = await boss.post("/api/v1/custom-fields", json={"key": key, "label_zh": key,
                               "label_en": key, "type": kind})  # fmt: skip
        assert made.status_code == 201
    agent = await api.login("agent1")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    field = {"key": "device_bought", "label_zh": "购机日期", "label_en": "Phone bought",
             "type": "date"}  # fmt: skip
    assert (await admin.post("/api/v1/custom-fields", json=field)).status_code == 201
    today = dt.datetime.fromtimestamp(api.services.clock.now(), ZoneInfo("Asia/Shanghai")).date()
    bought = today.replace(year=today.year - 2) - dt.timedelta(days=40)
    customer = (
        await admin.post(
            "/api/v1/customers",
            json={
                "name": "钱多多",
                "phones": ["13800138077"],
                "vip_level": 1,
                "custom": {"device_bought": bought.isoformat()},
            },
        )
    ).json()
    young = (
        await admin.post(
            "/api/v1/customers",
            json={
                "name": "新用户",
                "phones": ["13800138078"],
                "vip_level": 2,
                "custom": {"device_bought": today.isoformat()},
            },
        )
    ).json()

    # Bad rules, each refused naming the form's field and the reason in the admin's language:
    # a condition that does not parse (the parser's reason), one that reads outside the
    # customer, a custom field the center does not have, months of a field that is no date.
    text_field = {"key": "plan", "label_zh": "套餐", "label_en": "Plan", "type": "text"}
    assert (await admin.post("/api/v1/custom-fields", json=text_field)).status_code == 201
    label = "条件（基于客户字段与历史）："
    for bad, field, said_zh, said_en in (
        ({"condition": "customer.vip_level >="}, "condition",
         label + "表达式不完整，结束得太早（第 22 列）",
         "expression ends too early (column 22)"),
        ({"condition": "caller.number == '1'"}, "condition",
         label + "只能读取 customer.… 开头的名称，不能读取 caller.number",
         "reads only customer.… names, not caller.number"),
        ({"condition": "customer.device_bougth.months >= 24"}, "condition",
         label + "customer.device_bougth：客户没有这个字段",
         "customer.device_bougth: the customer has no such field"),
        ({"condition": "customer.plan.months >= 24"}, "condition",
         label + "customer.plan.months：只有日期字段才能计算月数，plan 不是日期字段",
         "customer.plan.months: only a date field counts months, and plan is not one"),
        ({"text_en": "{customer.planet}"}, "text_en",
         "英文提示：customer.planet：客户没有这个字段",
         "customer.planet: the customer has no such field"),
    ):  # fmt: skip
        r = await admin.post("/api/v1/hint-rules", json={**RULE, **bad})
        assert r.status_code == 422, r.text
        assert r.json()["details"]["field"] == field
        assert r.json()["message"] == said_zh  # the admin speaks Chinese
        r = await boss.post("/api/v1/hint-rules", json={**RULE, **bad})
        assert r.status_code == 422, r.text
        assert r.json()["message"].endswith(": " + said_en), r.text  # the boss speaks English
    assert (await admin.get("/api/v1/hint-rules")).json()["total"] == 0
    assert (await boss.get("/api/v1/hint-rules")).json()["total"] == 0
    rule = (await admin.post("/api/v1/hint-rules", json=RULE)).json()
    assert rule["name"] == "换机推荐"

    now = api.services.clock.now()
    async with api.services.uow() as uow:
        for contact, number, cid in (("c-old", "13800138077", customer["id"]),
                                     ("c-new", "13800138078", young["id"])):  # fmt: skip
            uow.emit(
                InteractionCreated(
                    tenant_id=tenant, at=now, interaction_id=contact, channel="voice",
                    direction="inbound", caller_number=number, caller_name=None, did="4001",
                    customer_id=cid, vip_level=1, flow="main", flow_version=1,
                    call_id="call-" + contact,
                )
            )  # fmt: skip
        await uow.commit()

    pop = await _pop(admin, "c-old")
    (hint,) = pop["hints"]
    months = (
        (today.year - bought.year) * 12
        + today.month
        - bought.month
        - (1 if today.day < bought.day else 0)
    )
    assert hint["text"] == f"该客户手机已使用 {months} 个月，可推荐新款"
    assert (hint["rule_id"], hint["response"]) == (rule["id"], None)
    assert (await _pop(admin, "c-new"))["hints"] == []  # a new phone: no hint

    # The agent's answers: offered, then accepted (the last one counts).
    for response in ("offered", "accepted"):
        r = await agent.post(
            f"/api/v1/desk/hints/c-old/{rule['id']}/responses",
            json={"response": response, "customer_id": customer["id"]},
        )
        assert r.status_code == 201, r.text
    assert (await _pop(admin, "c-old"))["hints"][0]["response"] == "accepted"
    # The center's counts are for those who see more than their own work, not for an agent.
    refused = await agent.get("/api/v1/hints/report")
    assert refused.status_code == 403, refused.text
    report = (await admin.get("/api/v1/hints/report")).json()["items"]
    assert report == [{"rule_id": rule["id"], "name": "换机推荐", "offered": 0, "accepted": 1,
                       "declined": 0}]  # fmt: skip
    async with api.services.engine.connect() as conn:
        logged = (
            await conn.execute(
                select(events.c.payload, events.c.interaction_id).where(
                    events.c.tenant_id == tenant, events.c.type == "customer.hint_responded"
                )
            )
        ).all()
    assert [(p["response"], i) for p, i in logged] == [("offered", "c-old"), ("accepted", "c-old")]

    # Bad answers are refused, naming what is wrong; nothing is recorded.
    bad = await agent.post(
        f"/api/v1/desk/hints/c-old/{rule['id']}/responses", json={"response": "maybe"}
    )
    assert bad.status_code == 422
    assert bad.json()["details"]["errors"][0]["field"] == "response"
    missing = await agent.post(
        "/api/v1/desk/hints/c-old/NOSUCHRULE/responses", json={"response": "offered"}
    )
    assert missing.status_code == 404
    nobody = await agent.post(
        f"/api/v1/desk/hints/nope/{rule['id']}/responses", json={"response": "offered"}
    )
    assert nobody.status_code == 404
    assert len((await admin.get("/api/v1/hints/report")).json()["items"]) == 1
