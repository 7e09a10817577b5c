"""Minimal tickets and quick replies: numbered per tenant, events, status table, validation."""

from __future__ import annotations

from tests.integration.api.conftest import Api


async def test_tickets_are_numbered_and_move_by_the_status_table(api: Api) -> None:
    agent = await api.login("agent1")
    customer = (await agent.get("/api/v1/customers", params={"q": "13800138001"})).json()["items"][
        0
    ]
    r = await agent.post(
        "/api/v1/tickets",
        json={"subject": "退款申请", "due_date": "2026-12-01", "customer_id": customer["id"]},
    )
    assert r.status_code == 201, r.text
    first = r.json()
    second = (await agent.post("/api/v1/tickets", json={"subject": "发票"})).json()
    assert second["number"] == first["number"] + 1
    assert first["status"] == "new"  # 客服部 assigns by hand: nobody has it yet
    listed = (await agent.get("/api/v1/tickets", params={"customer_id": customer["id"]})).json()
    assert [t["number"] for t in listed["items"]] == [first["number"]]
    r = await agent.put(f"/api/v1/tickets/{first['id']}", json={"status": "closed"})
    assert r.json()["status"] == "closed"
    r = await agent.put(f"/api/v1/tickets/{first['id']}", json={"status": "pending"})
    assert r.status_code == 409
    assert r.json()["code"] == "ticket.status.illegal"
    r = await agent.post("/api/v1/tickets", json={"subject": "x", "customer_id": "nope"})
    assert r.status_code == 422
    assert r.json()["details"]["field"] == "customer_id"
    r = await agent.post("/api/v1/tickets", json={"subject": "x", "due_date": "2026-13-01"})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "due_date"
    admin = await api.login("admin")
    events = (await admin.get("/api/v1/events", params={"type": "ticket.created"})).json()
    assert len(events["items"]) == 2
    await agent.aclose()
    await admin.aclose()


async def test_quick_replies_are_configuration(api: Api) -> None:
    admin = await api.login("admin")
    r = await admin.post(
        "/api/v1/quick-replies",
        json={"title": "投诉安抚", "text": "非常抱歉给您带来不便。", "queue": "support"},
    )
    assert r.status_code == 201
    assert (
        await admin.post("/api/v1/quick-replies", json={"title": "问候", "text": "x"})
    ).status_code == 409
    agent = await api.login("agent1")
    titles = [q["title"] for q in (await agent.get("/api/v1/quick-replies")).json()["items"]]
    assert "问候" in titles
    assert (
        await agent.post("/api/v1/quick-replies", json={"title": "a", "text": "b"})
    ).status_code == 403
    await admin.aclose()
    await agent.aclose()
