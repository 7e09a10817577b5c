"""Tickets end to end over the API (issue 17, part 1): automatic assignment within a
department, the status table with reopen, comments, attachments within limits, watchers,
contacts, merge of duplicates, numbers, and errors in the caller's language."""

from __future__ import annotations

from hotline.interactions.events import InteractionCreated
from tests.integration.api.conftest import Api


async def _contact(api: Api, tenant: str, iid: str) -> None:
    async with api.services.uow() as uow:
        uow.emit(
            InteractionCreated(
                tenant_id=tenant, at=api.services.clock.now(), interaction_id=iid,
                channel="voice", direction="inbound", caller_number="13800138001",
                caller_name=None, did="4001", customer_id=None, vip_level=None, flow="main",
                flow_version=1, call_id="c-" + iid,
            )
        )  # fmt: skip
        await uow.commit()


async def test_a_ticket_goes_through_its_life(api: Api) -> None:
    agent = await api.login("agent1")
    admin = await api.login("admin")
    me = (await agent.get("/api/v1/auth/me")).json()
    me["id"] = me["user_id"]
    departments = {
        d["code"]: d for d in (await agent.get("/api/v1/ticket-departments")).json()["items"]
    }
    members = departments["售后部"]["members"]

    # Least open tickets within 售后部: two tickets go to its two members.
    first = (
        await agent.post(
            "/api/v1/tickets",
            json={"subject": "屏幕不亮", "department": "售后部", "category": "repair"},
        )
    ).json()
    second = (
        await agent.post("/api/v1/tickets", json={"subject": "退货", "department": "售后部"})
    ).json()
    assert {first["assignee_id"], second["assignee_id"]} == set(members)
    assert first["status"] == second["status"] == "open"
    assert first["category"] == "repair"
    assert first["number_text"].replace(" ", "") == str(first["number"])

    # The status table: pending on the customer, back, resolved, reopened.
    url = f"/api/v1/tickets/{first['id']}"
    for status in ("pending", "open", "on_hold", "resolved", "open", "closed"):
        r = await agent.patch(url, json={"status": status})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
    r = await agent.patch(url, json={"status": "pending"})
    assert r.status_code == 409
    assert r.json()["code"] == "ticket.status.illegal"
    assert r.json()["message"] == "工单不能从当前状态改为该状态。"
    await admin.put("/api/v1/ticket-settings", json={"reopen_days": 0})
    r = await agent.patch(url, json={"status": "open"})
    assert r.status_code == 409
    assert r.json()["code"] == "ticket.reopen.expired"

    # Comments: an internal note, then the first public reply.
    t2 = f"/api/v1/tickets/{second['id']}"
    await agent.post(f"{t2}/comments", json={"body": "查物流", "public": False})
    await agent.post(f"{t2}/comments", json={"body": "已为您安排退货", "public": True})
    # Attachments within the limits; a refused type gets a translated message.
    r = await agent.post(
        f"{t2}/attachments", files={"file": ("单据.txt", "退货单号 8812".encode(), "text/plain")}
    )
    assert r.status_code == 201, r.text
    attachment = r.json()
    r = await agent.post(
        f"{t2}/attachments", files={"file": ("x.exe", b"MZ", "application/x-msdownload")}
    )
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["message"]) == (
        "ticket.attachment.type",
        "此类型的文件不能作为附件。",
    )
    body = (await agent.get(f"{t2}/attachments/{attachment['id']}")).content
    assert body == "退货单号 8812".encode()
    # Watchers and a contact of any channel.
    assert (await agent.put(f"{t2}/watchers/{me['id']}")).json()["watchers"] == [me["id"]]
    await _contact(api, me["tenant_id"], "call-1")
    assert (await agent.post(f"{t2}/links", json={"interaction_id": "call-1"})).status_code == 200
    r = await agent.post(f"{t2}/links", json={"interaction_id": "nope"})
    assert r.json()["details"]["field"] == "interaction_id"

    detail = (await agent.get(t2)).json()
    assert [c["public"] for c in detail["comments"]] == [False, True]
    assert detail["first_response_at"] is not None
    assert [a["name"] for a in detail["attachments"]] == ["单据.txt"]
    assert [link["interaction_id"] for link in detail["links"]] == ["call-1"]

    # A duplicate merged into the second ticket: its comment moves, it is closed.
    dup = (await agent.post("/api/v1/tickets", json={"subject": "退货(重复)"})).json()
    await agent.post(f"/api/v1/tickets/{dup['id']}/comments", json={"body": "客户又来电"})
    r = await agent.post(f"/api/v1/tickets/{dup['id']}/merge", json={"into_id": second["id"]})
    assert r.status_code == 200, r.text
    assert len((await agent.get(t2)).json()["comments"]) == 3
    merged = (await agent.get(f"/api/v1/tickets/{dup['id']}")).json()
    assert (merged["status"], merged["merged_into"]) == ("closed", second["id"])

    # Numbers: by number, and the search box finds a spoken number with spaces.
    found = (await agent.get(f"/api/v1/tickets/by-number/{second['number']}")).json()
    assert found["id"] == second["id"]
    listed = (await agent.get("/api/v1/tickets", params={"q": second["number_text"]})).json()
    assert [t["id"] for t in listed["items"]] == [second["id"]]
    mine = (await agent.get("/api/v1/tickets", params={"view": "mine"})).json()
    assert all(t["assignee_id"] == me["id"] for t in mine["items"])

    r = await agent.post("/api/v1/tickets", json={"subject": "x", "department": "无此部门"})
    assert (r.status_code, r.json()["code"], r.json()["details"]["field"]) == (
        422,
        "ticket.department.unknown",
        "department",
    )
    assert r.json()["message"] == "没有这个编码的部门。"
    events = (await admin.get("/api/v1/events", params={"type": "ticket.merged"})).json()
    assert len(events["items"]) == 1
    await agent.aclose()
    await admin.aclose()
