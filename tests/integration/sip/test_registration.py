"""Registrar over the wire: a trunk-style client registers with digest auth, bindings survive
a restart, wrong passwords lead to a ban, trunk registration is reported as an event."""

from __future__ import annotations

import asyncio

import pytest

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.errors import OutboundDenied
from hotline.sip.events import OutboundDenied as OutboundDeniedEvent
from hotline.sip.events import SourceBanned, TrunkRegistration
from hotline.sip.policy import OutboundPolicy, OutboundRules
from hotline.sip.protection import ProtectionSettings
from hotline.sip.registrar import InMemoryBindingStore
from hotline.sip.trunk import Trunk
from tests.integration.sip.peers import hotline


async def test_register_persist_restart_and_ban() -> None:
    credentials = InMemoryCredentialStore()
    credentials.set_password("hotline", "1001", "s3cret")
    store = InMemoryBindingStore()
    protection = ProtectionSettings(auth_failures_before_ban=3, ban_seconds=60)
    async with hotline(
        None, credentials=credentials, bindings=store, protection=protection, qualify_interval_s=0
    ) as (pbx, _):
        port = pbx.local["udp"].port
        good = Trunk("pbx", "127.0.0.1", port, username="1001", password="s3cret", register=True,
                     register_expires=120, from_domain="127.0.0.1")  # fmt: skip
        async with hotline(None, trunks=(good,)) as (_, phone_events):
            for _ in range(50):
                if phone_events.of_type(TrunkRegistration):
                    break
                await asyncio.sleep(0.1)
            (event,) = phone_events.of_type(TrunkRegistration)
            assert event.registered
            assert event.status == 200
            (binding,) = pbx.registration.contacts("1001")
            assert binding.expires_in(pbx.now()) == 120
        saved = list(store.bindings.values())
    assert [b.aor for b in saved] == ["1001"]
    # A restarted registrar still knows the phone.
    async with hotline(
        None, credentials=credentials, bindings=store, protection=protection, qualify_interval_s=0
    ) as (pbx, sink):
        assert [b.aor for b in pbx.registration.contacts("1001")] == ["1001"]
        bad = Trunk("pbx", "127.0.0.1", pbx.local["udp"].port, username="1001", password="wrong",
                    from_domain="127.0.0.1")  # fmt: skip
        async with hotline(None) as (attacker, _):
            statuses = [await attacker.registration.register_trunk(bad) for _ in range(3)]
        assert statuses == [403, 403, 403]
        assert "127.0.0.1" in pbx.protector.bans(pbx.now())
        assert [e.source for e in sink.of_type(SourceBanned)] == ["127.0.0.1"]


async def test_outbound_guard_emits_an_event_when_it_refuses() -> None:
    policy = OutboundPolicy({"default": OutboundRules(allow={"agent": ("1",)}, deny=("1900",))})
    async with hotline(None) as (service, sink):
        permit = service.acquire_outbound(policy, "default", "agent", "13800138000")
        permit.release()
        with pytest.raises(OutboundDenied):
            service.acquire_outbound(policy, "default", "agent", "19001234567")
        (event,) = sink.of_type(OutboundDeniedEvent)
        assert (event.destination, event.role) == ("19001234567", "agent")
        assert service.metrics()["outbound_denied"] == 1
