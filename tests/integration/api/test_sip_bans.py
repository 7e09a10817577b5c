"""The SIP bans API on both databases: list, lift (audited, logged as an event), refuse what is
not an address, hide one tenant's SIP edge from another's admin, refuse agents."""

from __future__ import annotations

import asyncio

from hotline.server.telephony import TelephonyServer
from hotline.sip.protection import ProtectionSettings
from hotline.sip.transport.service import SipService, SipServiceConfig
from tests.integration.api.conftest import Api


async def test_list_and_lift_a_ban(api: Api, second_tenant: str) -> None:
    services = api.services
    admin = await api.login("admin")
    tenant_id = (await admin.get("/api/v1/auth/me")).json()["tenant_id"]
    assert (await admin.get("/api/v1/sip/bans")).json() == {"items": [], "telephony": False}

    sip = SipService(
        SipServiceConfig(udp_port=0, tcp_port=0, tenant_id=tenant_id,
                         protection=ProtectionSettings(auth_failures_before_ban=3)),
        clock=services.clock,
        events=services.event_log,
    )  # fmt: skip
    await sip.start()
    telephony = TelephonyServer(
        services.settings, clock=services.clock, db=services.engine, sink=services.event_log,
        bus=services.bus, programs=services.flow_programs,
    )  # fmt: skip
    telephony.sip = sip  # the SIP half only: no RTP ports, no call control
    services.telephony = telephony
    try:
        for _ in range(3):
            sip.protector.auth_failed("198.51.100.7", sip.now())
        body = (await admin.get("/api/v1/sip/bans")).json()
        assert body["telephony"] is True
        (ban,) = body["items"]
        assert ban["source"] == "198.51.100.7"
        assert ban["reason"] == "too many failed authentications"
        assert ban["until"] - ban["since"] == 600

        agent = await api.login("agent1")
        assert (await agent.get("/api/v1/sip/bans")).status_code == 403
        assert (await agent.delete("/api/v1/sip/bans/198.51.100.7")).status_code == 403
        boss = await api.login("boss", tenant="other")
        assert (await boss.get("/api/v1/sip/bans")).json()["items"] == []
        assert (await boss.delete("/api/v1/sip/bans/198.51.100.7")).status_code == 404

        bad = await admin.delete("/api/v1/sip/bans/not-an-address")
        assert bad.status_code == 422
        assert bad.json()["details"] == {"field": "source", "value": "not-an-address"}
        assert (await admin.delete("/api/v1/sip/bans/198.51.100.7")).status_code == 204
        assert (await admin.get("/api/v1/sip/bans")).json()["items"] == []
        missing = await admin.delete("/api/v1/sip/bans/198.51.100.7")
        assert missing.status_code == 404
        assert missing.json()["code"] == "sip.ban.not_found"

        (audit,) = (await admin.get("/api/v1/audit", params={"entity": "sip_ban"})).json()["items"]
        assert (audit["action"], audit["before"], audit["actor_name"]) == (
            "delete", {"source": "198.51.100.7"}, "admin"
        )  # fmt: skip
        for _ in range(100):
            found = await admin.get("/api/v1/events", params={"type": "sip.source_unbanned"})
            if found.json()["items"]:
                break
            await asyncio.sleep(0.05)
        (event,) = found.json()["items"]
        assert event["payload"]["source"] == "198.51.100.7"
        for client in (agent, boss):
            await client.aclose()
    finally:
        services.telephony = None
        await sip.stop()
        await admin.aclose()
