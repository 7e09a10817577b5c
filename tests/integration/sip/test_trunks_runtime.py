"""Trunks changed while the SIP service runs (ADR 0203): a trunk added registers, a wrong
password fails with the registrar's status, a disabled trunk unregisters; a trunk that does not
register is tested with OPTIONS; a host name that does not resolve fails with 503. Against
Hotline's own registrar and against sipp's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.events import TrunkRegistration
from hotline.sip.transport.service import SipService
from hotline.sip.transport.trunk_registration import RegistrationState, TrunkStatus
from hotline.sip.trunk import Trunk
from tests.integration.sip.peers import hotline, sipp_registrar


async def status_of(
    service: SipService, name: str, ok: Callable[[TrunkStatus], bool], timeout: float = 20.0
) -> TrunkStatus:
    """The trunk's status once `ok` holds (polled: it changes on the service's own loop)."""
    last = None
    for _ in range(int(timeout / 0.05)):
        found = [s for s in service.trunk_status() if s.trunk == name]
        if found and ok(found[0]):
            return found[0]
        last = found
        await asyncio.sleep(0.05)
    raise AssertionError(f"trunk {name} never reached the state wanted: {last!r}")


def attempted(status: TrunkStatus) -> bool:
    return status.last_attempt is not None


async def test_trunks_follow_the_list_while_running() -> None:
    credentials = InMemoryCredentialStore()
    credentials.set_password("hotline", "1001", "s3cret")
    async with hotline(None, credentials=credentials, qualify_interval_s=0) as (pbx, _):
        port = pbx.local["udp"].port
        good = Trunk("carrier", "127.0.0.1", port, username="1001", password="s3cret",
                     register=True, register_expires=120, from_domain="127.0.0.1")  # fmt: skip
        async with hotline(None) as (service, sink):
            assert service.trunk_status() == []
            service.set_trunks((good,))
            status = await status_of(service, "carrier", attempted)
            assert (status.state, status.status) == (RegistrationState.REGISTERED, 200)
            assert status.expires_at is not None
            assert status.last_attempt is not None
            assert status.expires_at - status.last_attempt == pytest.approx(120)
            assert [b.aor for b in pbx.registration.contacts("1001")] == ["1001"]

            wrong = Trunk("carrier", "127.0.0.1", port, username="1001", password="nope",
                          register=True, register_expires=120, from_domain="127.0.0.1")  # fmt: skip
            service.set_trunks((wrong,))
            status = await status_of(service, "carrier", attempted)
            assert (status.state, status.status) == (RegistrationState.FAILED, 403)
            assert status.expires_at is None
            assert [(e.registered, e.status) for e in sink.of_type(TrunkRegistration)] == [
                (True, 200),
                (False, 403),
            ]

            service.set_trunks((good,))
            await status_of(service, "carrier", lambda s: s.state is RegistrationState.REGISTERED)
            # Disabled (gone from the list): it unregisters, and its status goes.
            service.set_trunks(())
            for _ in range(200):
                if not pbx.registration.contacts("1001"):
                    break
                await asyncio.sleep(0.05)
            assert pbx.registration.contacts("1001") == []
            assert service.trunk_status() == []

            # A trunk that does not register: its test is an OPTIONS ping (its host a name,
            # looked up off the event loop).
            ping = Trunk("peer", "localhost", port)
            service.set_trunks((ping,))
            (quiet,) = service.trunk_status()
            assert (quiet.registers, quiet.state) == (False, RegistrationState.UNREGISTERED)
            probe = await service.test_trunk(ping)
            assert (probe.method, probe.status, probe.ok) == ("OPTIONS", 200, True)

            # A host name that does not resolve: failed, 503, and the loop goes on.
            nowhere = Trunk("nowhere", "no-such-host.invalid", username="u", register=True)
            service.set_trunks((nowhere,))
            status = await status_of(service, "nowhere", attempted)
            assert (status.state, status.status) == (RegistrationState.FAILED, 503)


@pytest.mark.sipp
async def test_trunk_registers_with_a_sipp_registrar(tmp_path: Path) -> None:
    async with sipp_registrar(str(tmp_path)) as port, hotline(None) as (service, _):
        trunk = Trunk("carrier", "127.0.0.1", port, username="trunk1", password="s3cret",
                      register=True, register_expires=300, from_domain="carrier.test")  # fmt: skip
        service.set_trunks((trunk,))
        status = await status_of(service, "carrier", attempted)
        assert (status.state, status.status) == (RegistrationState.REGISTERED, 200)
        assert status.expires_at is not None
        assert status.last_attempt is not None
        assert status.expires_at - status.last_attempt == pytest.approx(120)  # granted, not asked

        # The test button's attempt on the same Call-ID is served again.
        probe = await service.test_trunk(trunk)
        assert (probe.method, probe.status) == ("REGISTER", 200)

        wrong = Trunk("carrier", "127.0.0.1", port, username="trunk1", password="guess",
                      register=True, register_expires=300, from_domain="carrier.test")  # fmt: skip
        service.set_trunks((wrong,))
        status = await status_of(service, "carrier", attempted)
        assert (status.state, status.status, status.reason) == (
            RegistrationState.FAILED,
            403,
            "Forbidden",
        )
