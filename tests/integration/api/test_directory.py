"""Configuration CRUD: validation names the field, conflicts are 409, nothing half-written,
every change audited and announced as an event."""

from __future__ import annotations

from typing import Any

import httpx

from tests.integration.api.conftest import Api


async def _ids(client: httpx.AsyncClient, path: str) -> dict[str, str]:
    return {i["name"]: i["id"] for i in (await client.get(path)).json()["items"]}


async def _counts(client: httpx.AsyncClient) -> tuple[int, int]:
    agents = (await client.get("/api/v1/agents")).json()["total"]
    users = (await client.get("/api/v1/users")).json()["total"]
    return agents, users


async def test_create_an_agent_with_two_skills_and_list_it(api: Api) -> None:
    admin = await api.login("admin")
    skills = await _ids(admin, "/api/v1/skills")
    body: dict[str, Any] = {
        "username": "agent9",
        "display_name": "坐席 九",
        "password": "secret-pass-9",
        "extension": "1009",
        "sip_password": "sip-pass-9",
        "phone_mode": "sip",
        "skills": [
            {"skill_id": skills["售前"], "proficiency": 7},
            {"skill_id": skills["售后"], "proficiency": 3},
        ],
    }
    r = await admin.post("/api/v1/agents", json=body)
    assert r.status_code == 201, r.text
    agent = r.json()
    assert {s["name"]: s["proficiency"] for s in agent["skills"]} == {"售前": 7, "售后": 3}
    listed = (await admin.get("/api/v1/agents", params={"q": "agent9"})).json()
    assert [a["username"] for a in listed["items"]] == ["agent9"]
    # The new agent can log in with the password set here.
    assert (await api.login("agent9", "secret-pass-9")).cookies
    audit = (await admin.get("/api/v1/audit", params={"entity": "agent"})).json()["items"]
    assert audit[0]["action"] == "create"
    assert audit[0]["after"]["username"] == "agent9"
    events = (await admin.get("/api/v1/events", params={"type": "config.changed"})).json()
    assert any(e["payload"]["entity_id"] == agent["id"] for e in events["items"])
    await admin.aclose()


async def test_unknown_skill_is_422_naming_the_field_and_writes_nothing(api: Api) -> None:
    admin = await api.login("admin")
    skills = await _ids(admin, "/api/v1/skills")
    before = await _counts(admin)
    r = await admin.post(
        "/api/v1/agents",
        json={
            "username": "ghost",
            "display_name": "Ghost",
            "password": "secret-pass-1",
            "skills": [
                {"skill_id": skills["售前"], "proficiency": 5},
                {"skill_id": "01NOSUCHSKILL0000000000000", "proficiency": 5},
            ],
        },
    )
    assert r.status_code == 422
    assert r.json()["code"] == "agent.skill.unknown"
    assert r.json()["details"]["field"] == "skills[1].skill_id"
    assert await _counts(admin) == before
    await admin.aclose()


async def test_duplicate_username_is_409_and_writes_nothing(api: Api) -> None:
    admin = await api.login("admin")
    before = await _counts(admin)
    r = await admin.post(
        "/api/v1/agents",
        json={"username": "agent1", "display_name": "Dup", "password": "secret-pass-1"},
    )
    assert r.status_code == 409
    assert r.json()["code"] == "user.username.taken"
    assert r.json()["details"]["field"] == "username"
    assert await _counts(admin) == before
    r = await admin.post(
        "/api/v1/users",
        json={
            "username": "agent1",
            "display_name": "Dup",
            "password": "secret-pass-1",
            "roles": ["qa"],
        },
    )
    assert r.status_code == 409
    await admin.aclose()


async def test_shape_errors_name_the_field(api: Api) -> None:
    admin = await api.login("admin")
    r = await admin.post(
        "/api/v1/agents",
        json={
            "username": "x1",
            "display_name": "X",
            "password": "secret-pass-1",
            "skills": [{"skill_id": "a", "proficiency": 11}],
        },
    )
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "skills[0].proficiency"
    r = await admin.post("/api/v1/calendars", json={"name": "c", "timezone": "Mars/Base"})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "timezone"
    r = await admin.post("/api/v1/queues", json={"name": "Bad Name!", "display_name": "x"})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "name"
    await admin.aclose()


async def test_queue_crud_with_skills_and_calendar(api: Api) -> None:
    admin = await api.login("admin")
    skills = await _ids(admin, "/api/v1/skills")
    calendar = (
        await admin.post(
            "/api/v1/calendars",
            json={
                "name": "夜班",
                "weekly": {"mon": [["21:00", "24:00"]]},
                "holidays": [{"date": "2026-12-25", "name": "x"}],
            },
        )
    ).json()
    r = await admin.post(
        "/api/v1/queues",
        json={
            "name": "vip",
            "display_name": "贵宾",
            "strategy": "most_skilled",
            "skills": [{"skill_id": skills["售后"], "min_proficiency": 5}],
            "calendar_id": calendar["id"],
            "sl_threshold_s": 15,
        },
    )
    assert r.status_code == 201, r.text
    queue = r.json()
    assert queue["skills"][0]["name"] == "售后"
    assert queue["sl_target_pct"] == 80.0
    put = {
        **{k: queue[k] for k in ("name", "display_name", "strategy", "calendar_id")},
        "skills": [],
        "sl_target_pct": 90,
    }
    r = await admin.put(f"/api/v1/queues/{queue['id']}", json=put)
    assert r.status_code == 200
    assert r.json()["sl_target_pct"] == 90
    assert r.json()["skills"] == []
    assert (
        await admin.post("/api/v1/queues", json={"name": "vip", "display_name": "again"})
    ).status_code == 409
    assert (await admin.delete(f"/api/v1/queues/{queue['id']}")).status_code == 204
    assert (await admin.get(f"/api/v1/queues/{queue['id']}")).status_code == 404
    await admin.aclose()


async def test_numbers_cannot_be_claimed_or_probed_by_a_center(
    api: Api, second_tenant: str
) -> None:
    boss = await api.login("boss", tenant="other")
    for number in ("4001", "4999"):  # demo's, and nobody's: the same answer
        r = await boss.post("/api/v1/numbers", json={"number": number, "flow": "main"})
        assert (r.status_code, r.json()["code"]) == (403, "did.operator_only")
    await boss.aclose()


async def test_lists_page_and_search(api: Api) -> None:
    admin = await api.login("admin")
    page = (await admin.get("/api/v1/dispositions", params={"limit": 2, "offset": 1})).json()
    assert page["total"] == 6
    assert len(page["items"]) == 2
    assert page["offset"] == 1
    found = (await admin.get("/api/v1/dispositions", params={"q": "成交"})).json()
    assert {i["code"] for i in found["items"]} == {"sale", "no_sale"}
    await admin.aclose()


async def test_admin_cannot_lock_themselves_out(api: Api) -> None:
    admin = await api.login("admin")
    me = (await admin.get("/api/v1/auth/me")).json()
    r = await admin.put(
        f"/api/v1/users/{me['user_id']}", json={"display_name": "A", "roles": ["agent"]}
    )
    assert r.status_code == 409
    assert (await admin.delete(f"/api/v1/users/{me['user_id']}")).status_code == 409
    await admin.aclose()
