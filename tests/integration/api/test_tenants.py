"""The platform operator's API on both databases: a center created at runtime, its first admin
with a one-time password, limits, numbers only the operator assigns, suspend and resume in both
languages, and an audit row for every operator action."""

from __future__ import annotations

import datetime as dt

import httpx

from hotline.store.tenant_repo import ensure_operator
from tests.integration.api.conftest import PASSWORD, Api

EAST = {
    "name": "华东中心",
    "slug": "east",
    "sip_domain": "east.example",
    "timezone": "Asia/Shanghai",
    "language": "zh-CN",
    "max_agents": 2,
    "max_concurrent_calls": 1,
}


async def operator(api: Api) -> httpx.AsyncClient:
    async with api.services.uow() as uow:
        await ensure_operator(uow.conn, api.services.clock.now(), "ops", PASSWORD)
        await uow.commit()
    return await api.login("ops", tenant="platform")


async def test_operator_creates_a_center_whose_admin_changes_the_one_time_password(
    api: Api,
) -> None:
    ops = await operator(api)
    r = await ops.post("/api/v1/platform/tenants", json=EAST)
    assert r.status_code == 201, r.text
    created = r.json()
    assert (created["status"], created["limits"]["agents"]) == ("active", 2)
    password = created["admin"]["one_time_password"]
    again = await ops.post("/api/v1/platform/tenants", json={**EAST, "slug": "east2"})
    assert (again.status_code, again.json()["details"]["field"]) == (409, "sip_domain")
    listed = (await ops.get("/api/v1/platform/tenants")).json()["items"]
    assert {t["slug"] for t in listed} == {"demo", "east"}  # not the platform itself
    # The operator sees no center's data; a center's admin cannot manage tenants.
    assert (await ops.get("/api/v1/agents")).status_code == 403
    demo_admin = await api.login("admin")
    assert (await demo_admin.get("/api/v1/platform/tenants")).status_code == 403

    east = await api.login("admin", password, tenant="east")
    blocked = await east.get("/api/v1/agents")
    assert (blocked.status_code, blocked.json()["code"]) == (403, "auth.password_change_required")
    new = "tall-lantern-harbor-93"
    r = await east.put(
        "/api/v1/auth/me/password", json={"current_password": password, "password": new}
    )
    assert r.status_code == 200, r.text
    east = await api.login("admin", new, tenant="east")
    assert (await east.get("/api/v1/agents")).json()["total"] == 0

    # Numbers: only the operator assigns; a center's admin gets the same 403 for a free
    # number and another center's, so nobody can probe who owns what.
    for number in ("4001", "5001"):
        r = await east.post("/api/v1/numbers", json={"number": number, "flow": "main"})
        assert (r.status_code, r.json()["code"]) == (403, "did.operator_only")
    taken = await ops.post(
        f"/api/v1/platform/tenants/{created['id']}/numbers", json={"number": "4001"}
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "did.number.taken")
    r = await ops.post("/api/v1/platform/tenants/east/numbers", json={"number": "5001"})
    assert r.status_code == 201, r.text
    mine = (await east.get("/api/v1/numbers")).json()["items"]
    # The new center has no flow `main` yet: the number waits, not routed (ADR 0200) ...
    assert [(n["number"], n["flow"]) for n in mine] == [("5001", None)]
    refused = await east.put(
        f"/api/v1/numbers/{mine[0]['id']}", json={"number": "5001", "flow": "sales"}
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "number.flow.unknown")
    # ... until its admin publishes the flow and routes the number to it.
    flow = "name: sales\nstart: bye\nnodes:\n  bye: {type: hangup}\n"
    assert (await east.post("/api/v1/flows", json={"text": flow})).status_code == 201
    routed = await east.put(
        f"/api/v1/numbers/{mine[0]['id']}", json={"number": "5001", "flow": "sales"}
    )
    assert routed.status_code == 200, routed.text

    # The third agent of a two-seat center is refused with a clear error.
    for n in (1, 2, 3):
        body = {
            "username": f"a{n}", "display_name": f"A{n}", "password": "quiet-river-stone-7",
            "phone_mode": "browser",
        }  # fmt: skip
        r = await east.post("/api/v1/agents", json=body)
        if n < 3:
            assert r.status_code == 201, r.text
    assert (r.status_code, r.json()["code"]) == (422, "tenant.limit.agents")
    assert r.json()["message"] == "该呼叫中心的坐席数已达上限。"  # the admin's language

    # Suspend: sessions and logins refused with a clear message (zh and en); resume works.
    assert (await ops.post("/api/v1/platform/tenants/east/suspend")).json()["status"] == (
        "suspended"
    )
    refused = await east.get("/api/v1/agents")
    assert (refused.status_code, refused.json()["code"]) == (403, "tenant.suspended")
    login = {"tenant": "east", "username": "admin", "password": new}
    for language, text in (("zh-CN", "暂停服务"), ("en", "is suspended")):
        r = await api.app_client.post(
            "/api/v1/auth/login", json=login, headers={"Accept-Language": language}
        )
        assert (r.status_code, r.json()["code"]) == (403, "tenant.suspended")
        assert text in r.json()["message"]
    assert (await ops.post("/api/v1/platform/tenants/east/resume")).json()["status"] == "active"
    assert (await east.get("/api/v1/agents")).status_code == 200
    # Delete: refused at once like a suspension, with the purge time; resume cancels it.
    gone = await ops.delete("/api/v1/platform/tenants/east")
    assert (gone.status_code, gone.json()["status"]) == (202, "deleting")
    purge_at = dt.datetime.fromisoformat(gone.json()["purge_at"]).timestamp()
    assert purge_at > api.services.clock.now() + 29 * 86400  # the 30-day grace period
    assert (await east.get("/api/v1/agents")).json()["code"] == "tenant.suspended"
    assert (await ops.post("/api/v1/platform/tenants/east/resume")).json()["purge_at"] is None
    assert (await east.get("/api/v1/agents")).status_code == 200

    audit = (await ops.get("/api/v1/audit", params={"limit": 50})).json()["items"]
    assert sorted(a["action"] for a in audit if a["entity"] == "tenant") == [
        "assign_number", "create", "delete", "resume", "resume", "suspend",
    ]  # fmt: skip
    assert {a["actor_name"] for a in audit} == {"ops"}
    for client in (ops, demo_admin, east):
        await client.aclose()
