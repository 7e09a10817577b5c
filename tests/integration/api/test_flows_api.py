"""Flows over the API: list, read (YAML + graph), check naming node and field, publish,
roll back, the emergency switch — audited."""

from __future__ import annotations

from tests.integration.api.conftest import Api


async def test_flows_list_read_check_publish_rollback(api: Api) -> None:
    admin = await api.login("admin")
    flows = (await admin.get("/api/v1/flows")).json()["items"]
    assert [(f["name"], f["version"], f["dids"]) for f in flows] == [("main", 1, ["4001"])]
    main = (await admin.get("/api/v1/flows/main")).json()
    assert main["active"] is True
    assert "欢迎致电" in main["yaml"]
    assert len(main["graph"]["nodes"]) == len(main["document"]["nodes"])

    bad = main["yaml"].replace("queue: support", "queue: nowhere", 1)
    checked = (await admin.post("/api/v1/flows/check", json={"text": bad})).json()
    assert checked["ok"] is False
    assert any(i["field"] == "queue" and i["node"] for i in checked["issues"])
    r = await admin.post("/api/v1/flows", json={"text": bad})
    assert r.status_code == 422
    assert r.json()["details"]["issues"]
    r = await admin.post("/api/v1/flows", json={"text": "name: [unclosed"})
    assert r.status_code == 422

    changed = main["yaml"].replace("Demo IVR for DID 4001.", "Demo IVR, v2.")
    r = await admin.post("/api/v1/flows", json={"text": changed, "note": "wording"})
    assert r.status_code == 201, r.text
    assert r.json()["version"] == 2
    r = await admin.post("/api/v1/flows/main/rollback", json={})
    assert r.json()["version"] == 1
    history = (await admin.get("/api/v1/flows/main")).json()["history"]
    assert [(h["version"], h["active"]) for h in history] == [(1, True), (2, False)]
    assert (await admin.get("/api/v1/flows/main/versions/2")).json()["note"] == "wording"
    assert (await admin.get("/api/v1/flows/main/versions/9")).status_code == 404
    audit = (await admin.get("/api/v1/audit", params={"entity": "flow"})).json()["items"]
    assert [a["action"] for a in audit] == ["rollback", "publish"]
    await admin.aclose()


async def test_emergency_switch(api: Api) -> None:
    admin = await api.login("admin")
    assert (await admin.get("/api/v1/emergency")).json()["active"] is False
    r = await admin.put("/api/v1/emergency", json={"active": True, "message": "系统维护中"})
    assert r.json()["active"] is True
    assert r.json()["by"] == "admin"
    supervisor = await api.login("supervisor")
    assert (await supervisor.get("/api/v1/emergency")).json()["message"] == "系统维护中"
    assert (await supervisor.put("/api/v1/emergency", json={"active": False})).status_code == 403
    events = (await admin.get("/api/v1/events", params={"type": "flow.emergency_switched"})).json()
    assert events["items"][0]["payload"]["active"] is True
    await admin.aclose()
    await supervisor.aclose()
