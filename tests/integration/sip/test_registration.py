"""Registrar over the wire: a trunk-style client registers with digest auth, bindings survive
a restart, wrong passwords lead to a ban, trunk registration is reported as an event."""

from __future__ import annotations

import asyncio

import pytest

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.errors import OutboundDenied
from hotline.sip.events import (
    ContactReachability,
    Registered,
    SourceBanned,
    TrunkRegistration,
    Unregistered,
)
from hotline.sip.events import OutboundDenied as OutboundDeniedEvent
from hotline.sip.policy import OutboundPolicy, OutboundRules
from hotline.sip.protection import ProtectionSettings
from hotline.sip.registrar import InMemoryBindingStore, RegistrarSettings
from hotline.sip.timers import TimerSettings
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


async def test_qualify_reports_unreachable_then_expiry_unregisters() -> None:
    fast = TimerSettings(t1=0.02, t2=0.1, t4=0.1)  # Timer F = 1.28 s
    async with hotline(None, timers=fast, qualify_interval_s=0) as (pbx, sink):
        port = pbx.local["udp"].port
        phone_trunk = Trunk("pbx", "127.0.0.1", port, username="1001", password="x",
                            register_expires=60, from_domain="127.0.0.1")  # fmt: skip
        async with hotline(None) as (phone, _):
            assert await phone.registration.register_trunk(phone_trunk) == 200
            (binding,) = pbx.contacts("1001")
            assert await pbx.registration.qualify(binding)  # the phone answers OPTIONS
        # The phone is gone: the next qualify round finds it unreachable.
        assert not await pbx.registration.qualify(binding)
        (event,) = sink.of_type(ContactReachability)
        assert (event.aor, event.reachable) == ("1001", False)
        assert not pbx.contacts("1001")[0].reachable
        assert [e.aor for e in sink.of_type(Registered)] == ["1001"]


async def test_expired_binding_is_unregistered_by_the_service() -> None:
    short = RegistrarSettings(min_expires=1)
    async with hotline(None, registrar=short, qualify_interval_s=0) as (pbx, sink):
        trunk = Trunk("pbx", "127.0.0.1", pbx.local["tcp"].port, transport="tcp",
                      username="1002", register_expires=1, from_domain="127.0.0.1")  # fmt: skip
        async with hotline(None) as (phone, _):
            assert await phone.registration.register_trunk(trunk) == 200
        (binding,) = pbx.contacts("1002")
        assert binding.source.transport == "tcp"
        for _ in range(50):  # the service's once-a-second maintenance expires it
            if sink.of_type(Unregistered):
                break
            await asyncio.sleep(0.1)
        (event,) = sink.of_type(Unregistered)
        assert (event.aor, event.reason) == ("1002", "expired")
        assert pbx.contacts("1002") == []
