"""Login defences over the real API on both databases, with clients at different addresses:
failures lock an account only from their source; one source spraying many names is stopped;
a guess spread over many sources stops new browsers but not one that logged in before; the
password policy refuses guessable passwords; an authenticator app (TOTP) guards a supervisor."""

from __future__ import annotations

import re

import httpx
import pyotp

from tests.integration.api.conftest import PASSWORD, Api

LOGIN = "/api/v1/auth/login"


def client_at(api: Api, ip: str) -> httpx.AsyncClient:
    app = api.app_client._transport.app  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://hotline.test")


async def attempt(
    client: httpx.AsyncClient, user: str, password: str, **extra: str
) -> httpx.Response:
    return await client.post(
        LOGIN, json={"username": user, "password": password, "tenant": "demo", **extra}
    )


async def test_failures_lock_an_account_only_from_their_source(api: Api) -> None:
    attacker, office = client_at(api, "198.51.100.66"), client_at(api, "10.1.2.3")
    for _ in range(5):
        assert (await attempt(attacker, "admin", "guess")).status_code == 401
    r = await attempt(attacker, "admin", PASSWORD)
    assert (r.status_code, r.json()["code"]) == (429, "auth.throttled")
    assert int(r.headers["retry-after"]) > 0
    # Repeating it from elsewhere does not lock the admin out of her own office.
    assert (await attempt(office, "admin", PASSWORD)).status_code == 200


async def test_one_source_spraying_many_names_is_stopped(api: Api) -> None:
    sprayer = client_at(api, "203.0.113.7")
    for n in range(20):
        assert (await attempt(sprayer, f"user{n}", "Summer2024!")).status_code == 401
    r = await attempt(sprayer, "agent1", PASSWORD)
    assert (r.status_code, r.json()["code"]) == (429, "auth.throttled")
    # Another network is another source.
    assert (await attempt(client_at(api, "10.9.9.9"), "agent1", PASSWORD)).status_code == 200


async def test_a_guess_spread_over_sources_stops_new_browsers_not_known_ones(api: Api) -> None:
    known = client_at(api, "10.1.2.3")
    assert (await attempt(known, "supervisor", PASSWORD)).status_code == 200
    assert "hotline_device" in known.cookies
    for n in range(50):
        bot = client_at(api, f"198.18.{n // 200}.{n % 200 + 1}")
        assert (await attempt(bot, "supervisor", f"guess{n}")).status_code == 401
    stranger = client_at(api, "192.0.2.50")
    r = await attempt(stranger, "supervisor", PASSWORD)
    assert (r.status_code, r.json()["code"]) == (429, "auth.throttled")
    # The supervisor's own browser, even from a new address, still gets in.
    known_elsewhere = client_at(api, "172.16.5.5")
    known_elsewhere.cookies.set("hotline_device", known.cookies["hotline_device"])
    assert (await attempt(known_elsewhere, "supervisor", PASSWORD)).status_code == 200


async def test_the_password_policy_refuses_guessable_passwords(api: Api) -> None:
    admin = await api.login("admin")
    for password, reason in (
        ("Passw0rd!", "guessable"),
        ("zhangwei1988", "guessable"),
        ("wangwu-2024", "guessable"),  # the user's own name
        ("x7#K", "too_short"),
    ):
        r = await admin.post(
            "/api/v1/users",
            json={
                "username": "wangwu",
                "display_name": "王五",
                "password": password,
                "roles": ["agent"],
            },
        )
        assert r.status_code == 422, (password, r.text)
        body = r.json()
        assert body["code"] == "auth.weak_password"
        assert (body["details"]["field"], body["details"]["reason"]) == ("password", reason)
    r = await admin.post(
        "/api/v1/users",
        json={
            "username": "wangwu",
            "display_name": "王五",
            "password": "blue-tiger-cactus-42",
            "roles": ["agent"],
        },
    )
    assert r.status_code == 201, r.text
    await admin.aclose()


async def test_changing_my_password_checks_the_old_one_and_ends_my_other_sessions(
    api: Api,
) -> None:
    first, second = await api.login("agent2"), await api.login("agent2")
    path = "/api/v1/auth/me/password"
    r = await first.put(path, json={"current_password": "nope", "password": "blue-tiger-42-x"})
    assert (r.status_code, r.json()["code"]) == (401, "auth.bad_credentials")
    r = await first.put(path, json={"current_password": PASSWORD, "password": "12345678"})
    assert (r.status_code, r.json()["details"]["reason"]) == (422, "guessable")
    r = await first.put(path, json={"current_password": PASSWORD, "password": "blue-tiger-42-x"})
    assert r.status_code == 200, r.text
    assert (await first.get("/api/v1/auth/me")).status_code == 200
    assert (await second.get("/api/v1/auth/me")).status_code == 401
    assert (await attempt(api.app_client, "agent2", "blue-tiger-42-x")).status_code == 200


async def test_an_authenticator_guards_a_supervisors_login(api: Api) -> None:
    agent = await api.login("agent1")
    assert (await agent.post("/api/v1/auth/totp/setup")).status_code == 403
    supervisor = await api.login("supervisor")
    assert (await supervisor.get("/api/v1/auth/totp")).json()["enabled"] is False
    started = (await supervisor.post("/api/v1/auth/totp/setup")).json()
    assert started["uri"].startswith("otpauth://totp/Hotline:supervisor%40demo?")
    qr = await supervisor.get(started["qr"])
    assert qr.headers["content-type"] == "image/svg+xml"
    assert qr.text.lstrip().startswith("<?xml")
    assert "<svg" in qr.text
    totp = pyotp.TOTP(started["secret"])
    r = await supervisor.post("/api/v1/auth/totp/confirm", json={"code": "000000"})
    assert (r.status_code, r.json()["code"]) == (401, "auth.totp_invalid")
    confirmed = await supervisor.post("/api/v1/auth/totp/confirm", json={"code": totp.now()})
    recovery = confirmed.json()["recovery_codes"]
    assert len(recovery) == 10
    assert all(re.fullmatch(r"[a-z2-9]{5}-[a-z2-9]{5}", c) for c in recovery)

    browser = client_at(api, "10.7.7.7")
    r = await attempt(browser, "supervisor", PASSWORD)
    assert (r.status_code, r.json()["code"]) == (401, "auth.totp_required")
    assert "hotline_session" not in browser.cookies
    r = await attempt(browser, "supervisor", PASSWORD, code="123456")
    assert (r.status_code, r.json()["code"]) == (401, "auth.totp_invalid")
    r = await attempt(browser, "supervisor", PASSWORD, code=recovery[0])
    assert r.status_code == 200
    r = await attempt(client_at(api, "10.7.7.8"), "supervisor", PASSWORD, code=recovery[0])
    assert (r.status_code, r.json()["code"]) == (401, "auth.totp_invalid")  # spent
    status = (await supervisor.get("/api/v1/auth/totp")).json()
    assert (status["enabled"], status["recovery_codes_left"]) == (True, 9)

    admin = await api.login("admin")
    users = (await admin.get("/api/v1/users", params={"q": "supervisor"})).json()["items"]
    assert (await admin.delete(f"/api/v1/users/{users[0]['id']}/totp")).status_code == 204
    assert (await attempt(client_at(api, "10.7.7.9"), "supervisor", PASSWORD)).status_code == 200
    audit = (await admin.get("/api/v1/audit", params={"q": "totp"})).json()["items"]
    assert [a["action"] for a in audit] == ["totp.reset", "totp.enable"]
    for client in (agent, supervisor, admin):
        await client.aclose()
