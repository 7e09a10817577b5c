"""Trunks through the API on both databases, against a carrier's registrar played by sipp: a
trunk added shows `registered`, a wrong password shows `failed` with the registrar's 403, the
test button's attempt says the same, a disabled trunk unregisters. The password is sealed at
rest and never shown or audited; bad values are refused naming the field in the user's
language; another center sees none of it, and agents may not touch it (ADR 0202, 0203)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from hotline.server.telephony import TelephonyServer
from hotline.server.trunk_follower import TrunkFollower
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.store.trunk_tables import trunks
from hotline.vault.secrets import is_sealed_text
from tests.integration.api.conftest import Api
from tests.integration.sip.peers import sipp_registrar

pytestmark = [pytest.mark.sipp]


def trunk_body(port: int, **change: Any) -> dict[str, Any]:
    return {
        "name": "电信", "host": "127.0.0.1", "port": port, "transport": "udp",
        "username": "trunk1", "password": "s3cret", "from_domain": "carrier.test",
        "register": True, "register_expires": 300, "codecs": ["PCMA", "PCMU"], **change,
    }  # fmt: skip


async def until(
    fetch: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], timeout: float = 20.0
) -> Any:
    """Fetch until `ok` holds (the SIP service changes on its own loop); the last in the error."""
    result = None
    for _ in range(int(timeout / 0.1)):
        result = await fetch()
        if ok(result):
            return result
        await asyncio.sleep(0.1)
    raise AssertionError(f"not reached in {timeout} s: {result!r}")


async def live(admin: httpx.AsyncClient, name: str) -> dict[str, Any]:
    items = (await admin.get("/api/v1/trunks")).json()["items"]
    return next(t for t in items if t["name"] == name)["live"]


async def test_trunks_added_changed_tested_and_disabled(
    api: Api, second_tenant: str, tmp_path: Path
) -> None:
    services = api.services
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    assert (await admin.get("/api/v1/trunks")).json() == {"items": [], "telephony": False}

    sip = SipService(
        SipServiceConfig(udp_port=0, tcp_port=0, tenant_id=tenant_id),
        clock=services.clock,
        events=services.event_log,
    )
    await sip.start()
    telephony = TelephonyServer(
        services.settings, clock=services.clock, db=services.engine, sink=services.event_log,
        bus=services.bus, programs=services.flow_programs,
    )  # fmt: skip
    telephony.sip = sip  # the SIP half only: no RTP ports, no call control
    telephony.trunks = TrunkFollower(services.engine, services.bus, sip, services.secrets)
    await telephony.trunks.start()
    services.telephony = telephony
    try:
        async with sipp_registrar(str(tmp_path)) as port:
            added = await admin.post("/api/v1/trunks", json=trunk_body(port))
            assert added.status_code == 201, added.text
            trunk = added.json()
            assert "password" not in trunk
            assert (trunk["has_password"], trunk["codecs"]) == (True, ["PCMA", "PCMU"])

            registered = await until(
                lambda: live(admin, "电信"), lambda s: s["state"] == "registered"
            )
            assert (registered["status"], registered["registers"]) == (200, True)
            assert registered["expires_at"] - registered["last_attempt"] == 120  # as granted

            async with services.engine.connect() as conn:
                stored = await conn.scalar(select(trunks.c.password))
            assert is_sealed_text(stored)

            # A wrong password: failed, with the registrar's status; the test says the same.
            changed = await admin.put(
                f"/api/v1/trunks/{trunk['id']}", json=trunk_body(port, password="guess")
            )
            assert changed.status_code == 200, changed.text
            failed = await until(lambda: live(admin, "电信"), lambda s: s["state"] == "failed")
            assert (failed["status"], failed["reason"], failed["expires_at"]) == (
                403, "Forbidden", None,
            )  # fmt: skip
            probe = await admin.post(f"/api/v1/trunks/{trunk['id']}/test")
            assert probe.json() == {
                "method": "REGISTER", "status": 403, "reason": "Forbidden", "ok": False,
            }  # fmt: skip

            # An empty password keeps the stored one; disabled, it stops registering.
            back = trunk_body(port, password="s3cret")
            await admin.put(f"/api/v1/trunks/{trunk['id']}", json=back)
            await until(lambda: live(admin, "电信"), lambda s: s["state"] == "registered")
            off = await admin.put(
                f"/api/v1/trunks/{trunk['id']}", json={**back, "password": "", "enabled": False}
            )
            assert off.json()["has_password"] is True
            await until(lambda: _no_status(sip), bool)
            listed = (await admin.get("/api/v1/trunks")).json()["items"]
            assert [(t["enabled"], t["live"]["state"]) for t in listed] == [(False, "unregistered")]

        # The audit log has each change, never the password.
        audit = (await admin.get("/api/v1/audit", params={"entity": "trunk"})).json()["items"]
        assert sorted(a["action"] for a in audit) == ["create", "update", "update", "update"]
        assert all("password" not in (a["after"] or {}) for a in audit)

        # Bad values, named in the user's language (the demo admin reads Chinese).
        bad = await admin.post("/api/v1/trunks", json=trunk_body(5060, host="http://carrier"))
        assert bad.status_code == 422
        assert bad.json()["details"]["field"] == "host"
        assert bad.json()["message"] == "服务器地址：“http://carrier”不是主机名或 IP 地址"
        codecs = await admin.post("/api/v1/trunks", json=trunk_body(5060, codecs=["G729"]))
        assert codecs.json()["details"]["field"] == "codecs"
        port = await admin.post("/api/v1/trunks", json={**trunk_body(5060), "port": "five"})
        assert port.status_code == 422
        assert port.json()["details"]["errors"][0]["field"] == "port"
        taken = await admin.post("/api/v1/trunks", json=trunk_body(5060))
        assert (taken.status_code, taken.json()["code"]) == (409, "trunk.name.taken")

        # Another center sees none of it; agents may not touch trunks.
        boss = await api.login("boss", tenant="other")
        assert (await boss.get("/api/v1/trunks")).json()["items"] == []
        assert (await boss.post(f"/api/v1/trunks/{trunk['id']}/test")).status_code == 404
        agent = await api.login("agent1")
        assert (await agent.get("/api/v1/trunks")).status_code == 403
    finally:
        services.telephony = None
        await telephony.trunks.stop()
        await sip.stop()


async def _no_status(sip: SipService) -> bool:
    return sip.trunk_status() == []
