"""Several SIP domains on one server (ADR 0141), over the wire: the same extension registers
in two domains with each domain's own password, each binding is its tenant's, a password of
one domain does not open the other, and a call to a domain's extension names it in To."""

from __future__ import annotations

import asyncio

from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.events import Registered
from hotline.sip.offeranswer import make_offer
from hotline.sip.transport.calls import IncomingCall
from hotline.sip.trunk import Trunk
from tests.integration.sip.peers import free_port, hotline

EAST = "east.example.com"


async def test_two_domains_register_the_same_extension_apart() -> None:
    credentials = InMemoryCredentialStore()
    credentials.set_password("hotline", "1001", "demo-secret")
    credentials.set_password(EAST, "1001", "east-secret")
    async with hotline(None, credentials=credentials, qualify_interval_s=0, tenant_id="t-demo") as (
        pbx,
        sink,
    ):
        pbx.realms.add(EAST, "t-east")
        port = pbx.local["udp"].port

        def phone(domain: str, password: str) -> Trunk:
            return Trunk("pbx", "127.0.0.1", port, username="1001", password=password,
                         register_expires=120, from_domain=domain)  # fmt: skip

        calls: asyncio.Queue[IncomingCall] = asyncio.Queue()

        async def ring_only(call: IncomingCall) -> None:
            calls.put_nowait(call)
            await call.reject(486)

        async with hotline(ring_only) as (client, _):
            assert await client.registration.register_trunk(phone(EAST, "east-secret")) == 200
            assert (
                await client.registration.register_trunk(phone("127.0.0.1", "demo-secret")) == 200
            )
            # East's password in the configured realm (and the reverse) is refused.
            assert (
                await client.registration.register_trunk(phone("127.0.0.1", "east-secret")) == 403
            )
            assert await client.registration.register_trunk(phone(EAST, "demo-secret")) == 403
            assert [b.aor for b in pbx.contacts("1001@east.example.com")] == [f"1001@{EAST}"]
            assert [b.aor for b in pbx.contacts("1001")] == ["1001"]
            by_tenant = {e.aor: e.tenant_id for e in sink.of_type(Registered)}
            assert by_tenant == {f"1001@{EAST}": "t-east", "1001": "t-demo"}

            offer = make_offer("127.0.0.1", free_port(), session_id=1)
            await pbx.invite(f"1001@{EAST}", sdp=offer)
            incoming = await asyncio.wait_for(calls.get(), 5)
            assert str(incoming.request.to.uri) == f"sip:1001@{EAST}"
