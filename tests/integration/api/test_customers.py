"""Customers: create with local phone forms, look up by E.164 or local forms, VIP filter."""

from __future__ import annotations

from tests.integration.api.conftest import Api


async def test_lookup_by_phone_in_e164_and_local_forms(api: Api) -> None:
    agent = await api.login("agent1")
    for form in ("13800138001", "+8613800138001", "+86 138-0013-8001", "008613800138001"):
        found = (await agent.get("/api/v1/customers/lookup", params={"phone": form})).json()
        assert [c["name"] for c in found["items"]] == ["王芳"], form
    landline = (await agent.get("/api/v1/customers/lookup", params={"phone": "01065529904"})).json()
    assert [c["name"] for c in landline["items"]] == ["刘洋"]
    assert (await agent.get("/api/v1/customers/lookup", params={"phone": "19999999999"})).json()[
        "items"
    ] == []
    await agent.aclose()


async def test_create_update_search_and_vip_filter(api: Api) -> None:
    admin = await api.login("admin")
    field = {"key": "card", "label_zh": "会员卡", "label_en": "Card"}
    assert (await admin.post("/api/v1/custom-fields", json=field)).status_code == 201
    await admin.aclose()
    agent = await api.login("agent1")
    r = await agent.post(
        "/api/v1/customers",
        json={
            "name": "孙悦",
            "phones": ["186 0000 1111"],
            "emails": ["SunYue@Example.com"],
            "vip_level": 3,
            "tags": ["VIP"],
            "custom": {"card": "gold"},
        },
    )
    assert r.status_code == 201, r.text
    customer = r.json()
    assert customer["phone_keys"] == ["+8618600001111"]
    assert customer["emails"] == ["sunyue@example.com"]
    assert (await agent.get("/api/v1/customers", params={"q": "18600001111"})).json()["items"][0][
        "name"
    ] == "孙悦"
    assert (await agent.get("/api/v1/customers", params={"q": "sunyue@example.com"})).json()[
        "total"
    ] == 1
    vips = (await agent.get("/api/v1/customers", params={"vip": True})).json()
    assert {c["name"] for c in vips["items"]} == {"王芳", "李强", "孙悦"}
    r = await agent.put(f"/api/v1/customers/{customer['id']}", json={"name": "孙悦", "phones": []})
    assert r.status_code == 200
    assert r.json()["phones"] == []
    r = await agent.post("/api/v1/customers", json={"name": "bad", "emails": ["not-an-email"]})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "emails"
    await agent.aclose()
