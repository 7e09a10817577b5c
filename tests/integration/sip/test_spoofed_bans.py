"""Acceptance (issue 13): REGISTERs forged from a configured trunk's address never ban it.

Only a wrong answer to a nonce this server issued to that very address counts toward a ban, and
a trunk's address is never banned at all: the failures are logged and raised as
`sip.trusted_source_abuse`. Sources are distinct loopback addresses (127.0.0.x), bound by the
test's own sockets, as a forger on the path would send them.
"""

from __future__ import annotations

import asyncio
import re
import socket

import pytest

from hotline.sip.auth import InMemoryCredentialStore, authorization_header
from hotline.sip.events import SourceBanned, SourceUnbanned, TrustedSourceAbuse
from hotline.sip.protection import ProtectionSettings
from hotline.sip.trunk import Trunk
from tests.integration.sip.peers import hotline

TRUNK_HOST = "127.0.0.7"
STRANGER = "127.0.0.8"


class Forger:
    """A UDP socket bound to `host`: sends REGISTERs and reads the answers."""

    def __init__(self, host: str, server_port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.sock.setblocking(False)
        self.host = host
        self.port = int(self.sock.getsockname()[1])
        self.server = ("127.0.0.1", server_port)
        self.seq = 0

    def close(self) -> None:
        self.sock.close()

    async def register(self, authorization: str | None = None) -> bytes | None:
        self.seq += 1
        auth = f"Authorization: {authorization}\r\n" if authorization else ""
        data = (
            f"REGISTER sip:127.0.0.1 SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {self.host}:{self.port};branch=z9hG4bKforge{self.seq};rport\r\n"
            f"From: <sip:1001@127.0.0.1>;tag=f{self.seq}\r\nTo: <sip:1001@127.0.0.1>\r\n"
            f"Call-ID: forged-{self.host}\r\nCSeq: {self.seq} REGISTER\r\n"
            f"Contact: <sip:1001@{self.host}:{self.port}>\r\nMax-Forwards: 70\r\n"
            f"{auth}Content-Length: 0\r\n\r\n"
        ).encode()
        loop = asyncio.get_running_loop()
        await loop.sock_sendto(self.sock, data, self.server)
        try:
            return await asyncio.wait_for(loop.sock_recv(self.sock, 65535), 1.0)
        except TimeoutError:
            return None  # dropped: banned


def status(data: bytes | None) -> int | None:
    return None if data is None else int(data.split(b" ", 2)[1])


def made_up(nonce: str = "bm90LWEtbm9uY2UtZnJvbS11cy0wMDAwMDAwMDAwMDAwMDAw") -> str:
    return (
        f'Digest username="1001", realm="hotline", nonce="{nonce}", uri="sip:127.0.0.1", '
        'response="00112233445566778899aabbccddeeff", algorithm=MD5'
    )


def answer_to(challenge_response: bytes, password: str) -> str:
    text = challenge_response.decode()
    challenge = re.search(r"WWW-Authenticate: (Digest [^\r\n]*algorithm=MD5[^\r\n]*)", text)
    assert challenge is not None, text
    value = authorization_header(
        challenge.group(1), method="REGISTER", uri="sip:127.0.0.1", username="1001",
        password=password,
    )  # fmt: skip
    assert value is not None
    return value


@pytest.fixture
def credentials() -> InMemoryCredentialStore:
    store = InMemoryCredentialStore()
    store.set_password("hotline", "1001", "s3cret")
    return store


async def test_made_up_nonces_from_a_trunk_address_do_not_ban_it(
    credentials: InMemoryCredentialStore,
) -> None:
    trunk = Trunk("carrier", TRUNK_HOST, inbound_sources=(TRUNK_HOST,))
    async with hotline(None, credentials=credentials, trunks=(trunk,), qualify_interval_s=0) as (
        service,
        sink,
    ):
        forger = Forger(TRUNK_HOST, service.local["udp"].port)
        try:
            statuses = [status(await forger.register(made_up())) for _ in range(11)]
            # Re-challenged each time, never refused, never banned.
            assert statuses == [401] * 11
            assert service.protector.bans(service.now()) == {}
            assert service.protector.counters.foreign_nonces == 11
            # Even wrong answers to nonces we really sent there never ban a trunk's address:
            # they are an alert instead.
            for _ in range(10):
                challenge = await forger.register()
                assert challenge is not None
                assert status(await forger.register(answer_to(challenge, "wrong"))) == 403
            assert service.protector.bans(service.now()) == {}
            (alert,) = sink.of_type(TrustedSourceAbuse)
            assert alert.source == TRUNK_HOST
            assert sink.of_type(SourceBanned) == []
            # The trunk's address is still served.
            assert status(await forger.register()) == 401
        finally:
            forger.close()


async def test_only_wrong_answers_to_our_nonce_ban_a_stranger_and_an_admin_lifts_it(
    credentials: InMemoryCredentialStore,
) -> None:
    protection = ProtectionSettings(auth_failures_before_ban=3, ban_seconds=600)
    async with hotline(
        None, credentials=credentials, protection=protection, qualify_interval_s=0
    ) as (service, sink):
        stranger = Forger(STRANGER, service.local["udp"].port)
        try:
            for _ in range(5):
                assert status(await stranger.register(made_up())) == 401
            assert service.protector.bans(service.now()) == {}
            for _ in range(3):
                challenge = await stranger.register()
                assert challenge is not None
                assert status(await stranger.register(answer_to(challenge, "guess"))) == 403
            assert list(service.protector.bans(service.now())) == [STRANGER]
            assert await stranger.register() is None  # dropped before parsing
            ((source, since, until, reason),) = service.bans()
            assert (source, reason) == (STRANGER, "too many failed authentications")
            assert until - since == pytest.approx(600, abs=1)

            assert service.lift_ban(STRANGER, by="u-admin")
            assert not service.lift_ban(STRANGER)
            (lifted,) = sink.of_type(SourceUnbanned)
            assert (lifted.source, lifted.by) == (STRANGER, "u-admin")
            challenge = await stranger.register()
            assert status(challenge) == 401
            assert challenge is not None
            assert status(await stranger.register(answer_to(challenge, "s3cret"))) == 200
        finally:
            stranger.close()
