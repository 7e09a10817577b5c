"""The dialer over HTTP: an admin creates a campaign (bad settings refused naming the field,
nothing written), attaches a call list, puts a number on the do-not-call list and starts the
campaign; an agent takes a preview card in their language, finishes it with the script's
answers; the campaign's figures show it. An agent may not create campaigns."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from hotline.dialer.events import CampaignCallPlaced
from hotline.dialer.figures import Attempt
from hotline.dialer.outcomes import Outcome
from hotline.dialer.running import CAMPAIGN_KIND, campaign_key
from hotline.ids import new_id
from hotline.jobs import Jobs
from hotline.routing.capacity import Channel
from hotline.routing.events import QueueAnswered, QueueOffered
from hotline.store.dialer_repo import SqlCallListRecords, SqlDialerStore
from tests.integration.api.conftest import Api

SCRIPT: dict[str, Any] = {
    "opening_zh": "您好，{name}！",
    "opening_en": "Hello {name}!",
    "questions": [
        {"key": "renew", "text_zh": "续费吗？", "text_en": "Renew?", "type": "choice",
         "choices": ["yes", "no"], "required": True},
    ],
}  # fmt: skip
CAMPAIGN: dict[str, Any] = {"name": "续费", "mode": "preview", "queue_id": "sales",
                            "script": SCRIPT}  # fmt: skip


async def test_campaign_admin_and_preview_over_http(api: Api) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    bad = {**CAMPAIGN, "script": {**SCRIPT, "questions": [{**SCRIPT["questions"][0], "type": "x"}]}}
    r = await admin.post("/api/v1/campaigns", json=bad)
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "script.questions.0.type"
    r = await admin.post("/api/v1/campaigns", json={**CAMPAIGN, "window": {"mon": ["9-5"]}})
    assert r.status_code == 422
    r = await admin.post("/api/v1/campaigns", json={**CAMPAIGN, "caller_ids": ["+8610", "x"]})
    assert r.json()["details"]["field"] == "caller_ids.0"
    assert (await admin.get("/api/v1/campaigns")).json()["items"] == []

    r = await admin.post("/api/v1/campaigns", json=CAMPAIGN)
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    assert (await admin.post("/api/v1/campaigns", json=CAMPAIGN)).status_code == 422

    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add([
            {"list": "老客户", "phone": "+8613800138001", "name": "王一"},
            {"list": "老客户", "phone": "+8613800138002", "name": "李二"},
        ])  # fmt: skip
        await uow.commit()
    lists = (await admin.get("/api/v1/call-lists")).json()["items"]
    assert [(item["name"], item["entries"]) for item in lists] == [("老客户", 2)]
    r = await admin.post("/api/v1/dnc", json={"phone": "+86 138 0013 8002"})
    assert r.json() == {"phone": "+8613800138002", "campaign_id": None}
    assert (await admin.post("/api/v1/dnc", json={"phone": "12"})).status_code == 422
    r = await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[0]["id"]})
    assert r.json() == {"added": 1, "dnc": 1, "duplicates": 0}
    r = await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "pause"})
    assert r.status_code == 409  # a draft is started, not paused
    r = await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "start"})
    assert r.json()["status"] == "running"

    sale = {"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": True,
            "right_party": True}  # fmt: skip
    r = await admin.patch(f"/api/v1/campaigns/{campaign}", json={"dispositions": [sale]})
    assert r.status_code == 200, r.text
    agent = await api.login("agent1")
    assert (await agent.post("/api/v1/campaigns", json=CAMPAIGN)).status_code == 403
    shown = (await agent.get("/api/v1/desk/preview/campaigns")).json()["items"]
    assert [c["id"] for c in shown] == [campaign]  # the running preview campaigns
    card = (await agent.post(f"/api/v1/desk/preview/{campaign}/take")).json()["card"]
    assert card["record"]["phone"] == "+8613800138001"
    assert card["opening"] in ("您好，王一！", "Hello 王一!")
    assert [q["key"] for q in card["questions"]] == ["renew"]
    record = card["record"]["id"]
    # The desk asks for the script's path after each answer: the branch is the server's.
    r = await agent.post(f"/api/v1/desk/preview/records/{record}/path",
                         json={"answers": {"renew": "yes"}})  # fmt: skip
    assert [q["key"] for q in r.json()["questions"]] == ["renew"]
    other = await api.login("agent2")
    r = await other.post(f"/api/v1/desk/preview/records/{record}/path", json={"answers": {}})
    assert r.json()["details"]["field"] == "record_id"  # another agent's record
    r = await agent.post(f"/api/v1/desk/preview/records/{record}/finish",
                         json={"outcome": "connected", "answers": {"renew": "maybe"}})  # fmt: skip
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "answers.renew"
    assert [d["code"] for d in card["dispositions"]] == ["sale"]
    r = await agent.post(f"/api/v1/desk/preview/records/{record}/finish",
                         json={"outcome": "connected", "answers": {"renew": "yes"},
                               "disposition": "nope"})  # fmt: skip
    assert r.json()["details"]["field"] == "disposition"
    r = await agent.post(f"/api/v1/desk/preview/records/{record}/finish",
                         json={"outcome": "connected", "answers": {"renew": "yes"},
                               "disposition": "sale"})  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == {"name": "王一", "renew": "yes"}
    assert (await agent.post(f"/api/v1/desk/preview/{campaign}/take")).json() == {"card": None}

    shown = (await admin.get(f"/api/v1/campaigns/{campaign}")).json()
    assert shown["figures"]["by_status"] == {"done": 1, "dnc": 1}
    figures = shown["figures"]
    assert (figures["dials"], figures["connects"], figures["right_party"]) == (1, 1, 1)
    assert figures["conversions"] == 1
    rows = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    assert {r["phone"]: r["fields"] for r in rows} == {
        "+8613800138001": {"name": "王一", "renew": "yes"},
        "+8613800138002": {"name": "李二"},
    }
    assert (await admin.get("/api/v1/campaigns/nope/records")).status_code == 404
    assert shown["lists"] == [{"list_id": lists[0]["id"], "position": 0, "order": "in_order"}]
    assert (await admin.get("/api/v1/campaigns/nope")).status_code == 404


async def test_starting_a_paced_campaign_schedules_its_dialer_on_the_job_host(api: Api) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    ids = {}
    for mode in ("preview", "predictive"):
        r = await admin.post("/api/v1/campaigns", json={**CAMPAIGN, "name": mode, "mode": mode})
        assert r.status_code == 201, r.text
        ids[mode] = r.json()["id"]
        r = await admin.post(f"/api/v1/campaigns/{ids[mode]}/status", json={"action": "start"})
        assert r.json()["status"] == "running"
    async with api.services.uow(write=False) as uow:
        jobs = Jobs(uow.conn)
        assert await jobs.find(tenant, campaign_key(ids["preview"])) is None
        job = await jobs.find(tenant, campaign_key(ids["predictive"]))
    assert job is not None
    assert job.kind == CAMPAIGN_KIND


async def test_editing_a_campaign_under_its_status_rules_audited_with_live_figures(
    api: Api,
) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    r = await admin.post("/api/v1/campaigns", json={**CAMPAIGN, "mode": "predictive"})
    campaign = r.json()["id"]
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add([
            {"list": "A", "phone": "+8613800138001"}, {"list": "B", "phone": "+8613800138002"},
        ])  # fmt: skip
        await uow.commit()
    lists = {item["name"]: item["id"] for item in
             (await admin.get("/api/v1/call-lists")).json()["items"]}  # fmt: skip
    for name in ("A", "B"):
        await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[name]})
    await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "start"})
    url = f"/api/v1/campaigns/{campaign}"

    # Bad values name their field; nothing is written.
    for body, field in [
        ({"abandon_cap": 0.05}, "abandon_cap"),
        ({"retry": {"busy": {"interval_s": 1}}}, "retry.busy.interval_s"),
        ({"dispositions": [{"code": "ok", "label_zh": "", "label_en": "OK"}]},
         "dispositions.0.label_zh"),
        ({"mode": "progressive"}, "mode"),  # running: pause first
        ({"lists": [{"list_id": lists["B"]}]}, "lists"),  # running: no list taken off
        ({"unknown": 1}, "unknown"),
        ({"amd_action": "message"}, "amd_action"),  # one machine setting: retry.machine
        ({"retry": {"machine": {"action": "beep"}}}, "retry.machine.action"),
    ]:  # fmt: skip
        r = await admin.patch(url, json=body)
        assert r.status_code == 422, (body, r.text)
        details = r.json()["details"]
        assert (details.get("field") or details["errors"][0]["field"]) == field, r.text
    assert (await admin.get(url)).json()["abandon_cap"] == 0.03

    dispositions = [{"code": "sale", "label_zh": "成交", "label_en": "Sale",
                     "right_party": True, "conversion": True}]  # fmt: skip
    r = await admin.patch(url, json={
        "abandon_cap": 0.02, "abandon_window_s": 30 * 86_400, "max_lines_per_agent": 2,
        "retry": {"machine": {"action": "message", "message": {"en": "Call us back."}}},
        "dispositions": dispositions,
        "lists": [{"list_id": lists["B"], "order": "random"}, {"list_id": lists["A"]}],
    })  # fmt: skip
    assert r.status_code == 200, r.text
    shown = r.json()
    assert shown["changed"] == [
        "abandon_cap", "abandon_window_s", "dispositions", "lists", "max_lines_per_agent",
        "retry",
    ]  # fmt: skip
    # Shown with what each does to its record next: `done` when not given.
    assert shown["dispositions"] == [{**dispositions[0], "then": "done"}]
    assert shown["retry"]["machine"] == {"action": "message", "message": {"en": "Call us back."}}
    assert "amd_action" not in shown  # what a machine gets is the retry rule's, only
    assert [(item["list_id"], item["order"]) for item in shown["lists"]] == [
        (lists["B"], "random"), (lists["A"], "in_order"),
    ]  # fmt: skip
    assert shown["figures"]["abandon_window_s"] == 30 * 86_400
    await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "pause"})
    r = await admin.patch(url, json={"mode": "progressive", "lists": [{"list_id": lists["A"]}]})
    assert r.status_code == 200, r.text
    assert r.json()["mode"] == "progressive"
    assert len(r.json()["lists"]) == 1
    # The wallboard reads the running and paused campaigns' figures; an agent may not edit.
    board = await api.login("supervisor")
    items = (await board.get("/api/v1/campaign-figures")).json()["items"]
    assert [(c["id"], c["figures"]["dials"]) for c in items] == [(campaign, 0)]
    await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "finish"})
    assert (await admin.patch(url, json={"name": "x"})).status_code == 409
    assert (await board.get("/api/v1/campaign-figures")).json()["items"] == []

    audit = (await admin.get("/api/v1/audit", params={"entity": "campaign"})).json()["items"]
    assert len(audit) == 2
    first = audit[-1]
    assert first["before"]["abandon_cap"] == 0.03
    assert first["after"]["abandon_cap"] == 0.02

    agent = await api.login("agent1")
    assert (await agent.patch(url, json={"name": "x"})).status_code == 403


async def test_a_callback_set_on_the_preview_card_in_the_centers_zone(api: Api) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    r = await admin.post("/api/v1/campaigns", json={**CAMPAIGN, "name": "回电"})
    campaign = r.json()["id"]
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add(
            [{"list": "回电", "phone": "+8613800138009", "name": "赵九"}]
        )
        await uow.commit()
    lists = (await admin.get("/api/v1/call-lists")).json()["items"]
    await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[0]["id"]})
    await admin.post(f"/api/v1/campaigns/{campaign}/status", json={"action": "start"})

    agent = await api.login("agent1")
    card = (await agent.post(f"/api/v1/desk/preview/{campaign}/take")).json()["card"]
    zone = ZoneInfo(card["time_zone"])
    record = card["record"]["id"]
    finish = f"/api/v1/desk/preview/records/{record}/finish"
    talked = {"outcome": "connected", "answers": {"renew": "no"}}
    for bad in ("tomorrow", "2026-12-31"):
        r = await agent.post(finish, json={**talked, "callback_local": bad})
        assert r.status_code == 422
        assert r.json()["details"]["field"] == "callback_local"
    past = datetime.fromtimestamp(now - 3600, zone).strftime("%Y-%m-%dT%H:%M")
    r = await agent.post(finish, json={**talked, "callback_local": past})
    assert r.json()["details"]["field"] == "callback_at"  # in the past: nothing saved
    # Tomorrow at 10:00 on the center's clock, for anyone.
    day = datetime.fromtimestamp(now, zone).date() + timedelta(days=1)
    r = await agent.post(finish, json={**talked, "callback_local": f"{day}T10:00",
                                       "callback_mine": False})  # fmt: skip
    assert r.status_code == 200, r.text
    saved = r.json()
    expected = datetime(day.year, day.month, day.day, 10, 0, tzinfo=zone).timestamp()
    assert (saved["status"], saved["next_at"], saved["agent_id"]) == ("callback", expected, None)


async def test_the_wrap_up_of_a_progressive_call_counts_its_campaign_disposition(
    api: Api,
) -> None:
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    sale = {"code": "sale", "label_zh": "成交", "label_en": "Sale", "conversion": True,
            "right_party": True}  # fmt: skip
    progressive = {"name": "渐进", "mode": "progressive", "queue_id": "sales",
                   "dispositions": [sale]}  # fmt: skip
    r = await admin.post("/api/v1/campaigns", json=progressive)
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add(
            [{"list": "渐进", "phone": "+8613800138011", "name": "钱一"}]
        )
        await uow.commit()
    lists = (await admin.get("/api/v1/call-lists")).json()["items"]
    await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[0]["id"]})
    record = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"][0]["id"]

    agent = await api.login("agent1")
    agent_id = (await agent.get("/api/v1/auth/me")).json()["agent_id"]
    contact = new_id(now)
    # The dialer placed the call, agent1 took it from the campaign's queue, and the call's
    # end was logged (as the live dialer does when the callee hangs up).
    log = api.services.event_log
    await log.append(CampaignCallPlaced(tenant_id=tenant, at=now, interaction_id=contact,
                                        campaign_id=campaign, record_id=record))  # fmt: skip
    await log.append(QueueAnswered(tenant_id=tenant, at=now + 1, interaction_id=contact,
                                   agent_id=agent_id, queue_id="sales", via_queue_id="sales",
                                   channel=Channel.VOICE, priority=100, wait_s=0.5,
                                   sl_threshold_s=20))  # fmt: skip
    other = await api.login("agent2")
    assert (
        await other.get("/api/v1/desk/campaign-call", params={"interaction_id": contact})
    ).json() == {"call": None}
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contact}/disposition",
                         json={"disposition": "sale"})  # fmt: skip
    assert r.status_code == 422  # not logged yet: nothing to count
    assert r.json()["details"]["field"] == "disposition"
    async with api.services.uow() as uow:
        await SqlDialerStore(uow.conn, tenant).add_attempt(
            campaign, record, Attempt(now + 60, Outcome.CONNECTED, answered_at=now)
        )
        await uow.commit()

    call = (
        await agent.get("/api/v1/desk/campaign-call", params={"interaction_id": contact})
    ).json()["call"]
    assert (call["campaign_id"], call["record_id"]) == (campaign, record)
    assert [d["code"] for d in call["dispositions"]] == ["sale"]
    r = await other.post(f"/api/v1/desk/campaign-calls/{contact}/disposition",
                         json={"disposition": "sale"})  # fmt: skip
    assert r.status_code == 404  # not a call agent2 took
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contact}/disposition",
                         json={"disposition": "nope"})  # fmt: skip
    assert r.json()["details"]["field"] == "disposition"
    r = await agent.post(f"/api/v1/desk/campaign-calls/{contact}/disposition",
                         json={"disposition": "sale"})  # fmt: skip
    assert r.status_code == 200, r.text
    figures = (await admin.get(f"/api/v1/campaigns/{campaign}")).json()["figures"]
    assert (figures["connects"], figures["right_party"], figures["conversions"]) == (1, 1, 1)


async def test_a_progressive_call_brings_its_record_and_script_to_the_agent_it_reached(
    api: Api,
) -> None:
    """The record and script of a live-dialed call, for the agent it was put through to only
    (offered to another agent who did not answer is not enough); answers saved into the
    record by the script's rules, nothing saved when refused."""
    admin = await api.login("admin")
    tenant = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    script = {**SCRIPT, "questions": [
        {**SCRIPT["questions"][0], "next": {"yes": "months", "no": None}},
        {"key": "months", "text_zh": "几个月？", "text_en": "How many months?", "type": "number"},
    ]}  # fmt: skip
    body = {"name": "渐进脚本", "mode": "progressive", "queue_id": "sales", "script": script}
    r = await admin.post("/api/v1/campaigns", json=body)
    assert r.status_code == 201, r.text
    campaign = r.json()["id"]
    now = api.services.clock.now()
    async with api.services.uow() as uow:
        await SqlCallListRecords(uow.conn, tenant_id=tenant, now=now).add(
            [{"list": "渐进脚本", "phone": "+8613800138012", "name": "孙二"}]
        )
        await uow.commit()
    lists = (await admin.get("/api/v1/call-lists")).json()["items"]
    await admin.post(f"/api/v1/campaigns/{campaign}/lists", json={"list_id": lists[0]["id"]})
    record = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"][0]["id"]

    agent = await api.login("agent1")
    agent_id = (await agent.get("/api/v1/auth/me")).json()["agent_id"]
    other = await api.login("agent2")
    other_id = (await other.get("/api/v1/auth/me")).json()["agent_id"]
    contact = new_id(now)
    log = api.services.event_log
    await log.append(CampaignCallPlaced(tenant_id=tenant, at=now, interaction_id=contact,
                                        campaign_id=campaign, record_id=record))  # fmt: skip
    # Offered to agent2 first, who did not answer; agent1 took it.
    await log.append(QueueOffered(tenant_id=tenant, at=now + 0.2, interaction_id=contact,
                                  agent_id=other_id, queue_id="sales", via_queue_id="sales",
                                  priority=100, wait_s=0.2, attempt=1,
                                  ring_timeout_s=15))  # fmt: skip
    await log.append(QueueAnswered(tenant_id=tenant, at=now + 1, interaction_id=contact,
                                   agent_id=agent_id, queue_id="sales", via_queue_id="sales",
                                   channel=Channel.VOICE, priority=100, wait_s=0.5,
                                   sl_threshold_s=20))  # fmt: skip

    asked = {"interaction_id": contact}
    assert (await other.get("/api/v1/desk/campaign-call", params=asked)).json() == {"call": None}
    answers_url = f"/api/v1/desk/campaign-calls/{contact}/answers"
    r = await other.post(answers_url, json={"answers": {"renew": "no"}})
    assert r.status_code == 404  # not put through to agent2
    r = await other.post(f"/api/v1/desk/campaign-calls/{contact}/path", json={"answers": {}})
    assert r.status_code == 404

    for language, opening, question in (("zh-CN", "您好，孙二！", "续费吗？"),
                                        ("en", "Hello 孙二!", "Renew?")):  # fmt: skip
        await agent.put("/api/v1/auth/me/language", json={"language": language})
        call = (await agent.get("/api/v1/desk/campaign-call", params=asked)).json()["call"]
        assert call is not None, language
        assert (call["campaign_id"], call["record_id"]) == (campaign, record)
        assert call["record"]["phone"] == "+8613800138012"
        assert call["record"]["fields"] == {"name": "孙二"}
        assert call["opening"] == opening
        assert [(q["key"], q["text"]) for q in call["questions"]] == [("renew", question)]
        assert call["answers"] == {}

    r = await agent.post(f"/api/v1/desk/campaign-calls/{contact}/path",
                         json={"answers": {"renew": "yes"}})  # fmt: skip
    assert [q["key"] for q in r.json()["questions"]] == ["renew", "months"]
    r = await agent.post(answers_url, json={"answers": {"renew": "yes", "months": "lots"}})
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "answers.months"
    r = await agent.post(answers_url, json={"answers": {}})
    assert r.json()["details"]["field"] == "answers.renew"  # required
    items = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    assert items[0]["fields"] == {"name": "孙二"}  # nothing saved

    r = await agent.post(answers_url, json={"answers": {"renew": "yes", "months": "12"}})
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == {"name": "孙二", "renew": "yes", "months": 12}
    items = (await admin.get(f"/api/v1/campaigns/{campaign}/records")).json()["items"]
    assert items[0]["fields"] == {"name": "孙二", "renew": "yes", "months": 12}
    assert items[0]["status"] == "pending"  # the dialer's to move, not the answers'
    call = (await agent.get("/api/v1/desk/campaign-call", params=asked)).json()["call"]
    assert call["answers"] == {"renew": "yes", "months": 12}
    assert [q["key"] for q in call["questions"]] == ["renew", "months"]
