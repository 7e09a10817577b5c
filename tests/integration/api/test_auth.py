"""Login, sessions, CSRF, API tokens and throttling over the real API, on both databases."""

from __future__ import annotations

import httpx

from tests.integration.api.conftest import PASSWORD, Api


async def test_login_sets_a_session_and_me_answers(api: Api) -> None:
    client = await api.login("admin")
    me = (await client.get("/api/v1/auth/me")).json()
    assert me["username"] == "admin"
    assert me["roles"] == ["admin"]
    assert me["language"] == "zh-CN"
    await client.aclose()


async def test_login_without_tenant_works_when_there_is_one(api: Api) -> None:
    client = await api.login("agent1", tenant=None)
    assert (await client.get("/api/v1/auth/me")).json()["agent_id"]
    await client.aclose()


async def test_wrong_password_is_401_and_five_failures_throttle(api: Api) -> None:
    c = api.app_client
    for _ in range(5):
        r = await c.post(
            "/api/v1/auth/login", json={"username": "admin", "password": "nope", "tenant": "demo"}
        )
        assert r.status_code == 401
        assert r.json()["code"] == "auth.bad_credentials"
    r = await c.post(
        "/api/v1/auth/login", json={"username": "admin", "password": PASSWORD, "tenant": "demo"}
    )
    assert r.status_code == 429
    assert r.json()["code"] == "auth.throttled"
    assert int(r.headers["retry-after"]) > 0
    # Another user is not locked out by admin's failures.
    assert (await api.login("supervisor")).cookies


async def test_cookie_requests_need_the_csrf_header(api: Api) -> None:
    client = await api.login("admin")
    del client.headers["X-CSRF-Token"]
    r = await client.post("/api/v1/skills", json={"name": "x"})
    assert r.status_code == 403
    assert r.json()["code"] == "auth.csrf"
    client.headers["X-CSRF-Token"] = "wrong"
    assert (await client.post("/api/v1/skills", json={"name": "x"})).status_code == 403
    await client.aclose()


async def test_api_tokens_work_without_csrf_and_stop_when_revoked(api: Api) -> None:
    admin = await api.login("admin")
    created = (await admin.post("/api/v1/tokens", json={"name": "crm-sync"})).json()
    token = created["token"]
    assert token.startswith("htl_")
    bearer = httpx.AsyncClient(
        transport=api.app_client._transport,
        base_url="http://hotline.test",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (await bearer.post("/api/v1/skills", json={"name": "API"})).status_code == 201
    listed = (await admin.get("/api/v1/tokens")).json()["items"]
    assert all("token_hash" not in t for t in listed)
    assert (await admin.delete(f"/api/v1/tokens/{created['id']}")).status_code == 204
    r = await bearer.get("/api/v1/skills")
    assert r.status_code == 401
    await bearer.aclose()
    await admin.aclose()


async def test_logout_ends_the_session(api: Api) -> None:
    client = await api.login("agent2")
    assert (await client.post("/api/v1/auth/logout")).status_code == 200
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    await client.aclose()


async def test_language_preference_is_saved(api: Api) -> None:
    client = await api.login("agent1")
    assert (
        await client.put("/api/v1/auth/me/language", json={"language": "en"})
    ).status_code == 200
    assert (await client.get("/api/v1/auth/me")).json()["language"] == "en"
    r = await client.put("/api/v1/auth/me/language", json={"language": "fr"})
    assert r.status_code == 422
    assert r.json()["details"]["errors"][0]["field"] == "language"
    await client.aclose()
