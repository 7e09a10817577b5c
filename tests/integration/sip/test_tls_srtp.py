"""Acceptance (issue 13): SIP over TLS and SRTP with baresip, checked on the wire.

baresip registers over TLS (port from `tls_port`, our certificate from `hotline cert`) with
`mediaenc=srtp-mand`: it refuses any call without SRTP. Hotline calls it as it calls an agent
(offer built from a media endpoint's `LocalMedia`, RTP/SAVP because the phone is on TLS), then
the phone calls Hotline. Both calls carry audio both ways: the phone hears our tone, we hear its
tone. tshark captures every UDP datagram to and from our RTP ports meanwhile, and each RTP/RTCP
datagram must authenticate as SRTP/SRTCP under the keys the two sides agreed: not one left in
clear text.
"""

from __future__ import annotations

import asyncio
import struct
from pathlib import Path

import numpy as np
import pytest

from hotline.calls.media_sdp import answer_for, offer_for, remote_media
from hotline.cli.manage import cert
from hotline.events import ListSink
from hotline.media import MediaEngine, Tone
from hotline.media.backend import EndpointContext, LocalMedia
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.srtp import SrtpContext
from hotline.media.tones import ToneSpec
from hotline.sip.auth import InMemoryCredentialStore
from hotline.sip.offeranswer import SrtpKeys
from hotline.sip.transport.calls import CallSession, IncomingCall
from tests.data.callcenter.tones import AGENT1_HZ
from tests.integration.callcenter.phones import baresip_phone
from tests.integration.callcenter.softphone import tone_level
from tests.integration.media.peers import free_port_range
from tests.integration.sip.capture import Datagram, capture_udp, read_pcap
from tests.integration.sip.peers import free_port, hotline

pytestmark = [pytest.mark.baresip]

OUR_HZ = 700.0


async def wait_for(condition: object, timeout: float = 15.0) -> None:
    assert callable(condition)
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def srtp_check(datagrams: list[Datagram], port: int, keys: SrtpKeys) -> tuple[int, int, bytes]:
    """Authenticate every datagram to and from our RTP/RTCP ports (port, port + 1) under the
    agreed keys: (ours sent, theirs received, their audio as µ-law). Fails on any packet that
    does not authenticate, i.e. on any plaintext RTP or RTCP."""
    # What we sent, checked as the phone checks it; what the phone sent, as we check it.
    phone_view = SrtpContext(keys.suite, keys.remote_key, keys.local_key)
    our_view = SrtpContext(keys.suite, keys.local_key, keys.remote_key)
    sent = received = 0
    audio = bytearray()
    for d in datagrams:
        outbound = d.src[1] in (port, port + 1)
        inbound = d.dst[1] in (port, port + 1)
        if not (outbound or inbound) or len(d.payload) < 12:
            continue
        rtcp = 192 <= d.payload[1] <= 223
        view = phone_view if outbound else our_view
        plain = view.unprotect_rtcp(d.payload) if rtcp else view.unprotect(d.payload)
        if plain is None and inbound and rtcp and d.payload[1] in (203, 204):
            # baresip 1.0 sends an RTCP APP "PINGPONG" before its SRTP is keyed and its RTCP
            # BYE after it is torn down, in clear text (an SSRC, no media); we drop both.
            # Its RTP, and everything we send, is always protected.
            continue
        assert plain is not None, f"not SRTP: {d.src} -> {d.dst}, {d.payload[:16].hex()}"
        if rtcp:
            continue
        if outbound:
            sent += 1
        else:
            received += 1
            if plain[1] & 0x7F == 0:  # PCMU audio
                audio += plain[12:]
    return sent, received, bytes(audio)


async def test_tls_registration_and_srtp_calls_both_ways(tmp_path: Path) -> None:
    cert(host=["127.0.0.1"], out=tmp_path / "tls", days=1)
    credentials = InMemoryCredentialStore()
    credentials.set_password("hotline", "1001", "pw-1001")
    low, high = free_port_range(40)
    engine = MediaEngine(port_min=low, port_max=high, sink=ListSink())
    await engine.start()
    answered: asyncio.Queue[tuple[LocalMedia, CallSession]] = asyncio.Queue()

    async def on_call(call: IncomingCall) -> None:
        assert call.offer is not None
        assert call.offer.audio() is not None
        local = await engine.create_endpoint(EndpointContext("t1"))
        sdp, negotiated = answer_for(call.offer, local, session_id=2)
        await engine.apply_remote(local.endpoint_id, remote_media(negotiated))
        answered.put_nowait((local, await call.answer(sdp)))

    tls_port = free_port()
    try:
        async with hotline(
            on_call,
            credentials=credentials,
            authenticate_invites=True,
            qualify_interval_s=0,
            tls_port=tls_port,
            tls_cert=str(tmp_path / "tls" / "cert.pem"),
            tls_key=str(tmp_path / "tls" / "key.pem"),
        ) as (service, _), baresip_phone(
            tmp_path, "agent", user="1001", password="pw-1001", server_port=tls_port,
            tone_hz=AGENT1_HZ, transport="tls", mediaenc="srtp-mand",
            cafile=tmp_path / "tls" / "cert.pem",
        ) as phone:  # fmt: skip
            await wait_for(lambda: bool(service.contacts("1001")))
            (binding,) = service.contacts("1001")
            assert binding.source.transport == "tls"

            async with capture_udp(tmp_path / "media.pcap", low, high):
                # Hotline calls the agent's phone: RTP/SAVP with our key, over TLS.
                local = await engine.create_endpoint(EndpointContext("t1"))
                outgoing = await service.invite("1001", sdp=offer_for(local, session_id=1))
                assert b"RTP/SAVP" in outgoing.request.body
                assert b"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" in outgoing.request.body
                session = await outgoing.wait(timeout=15)
                assert session.media is not None
                assert session.media.srtp is not None
                await engine.apply_remote(local.endpoint_id, remote_media(session.media))
                await engine.play(local.endpoint_id, [Tone(ToneSpec("t", (OUR_HZ,)), 30)])
                await phone.wait_event("CALL_ESTABLISHED")
                await asyncio.sleep(3)  # three seconds of audio each way
                assert await session.hangup() == 200
                await phone.wait_event("CALL_CLOSED")
                out_keys = session.media.srtp

                # The phone calls Hotline: its RTP/SAVP offer is answered with our key.
                await phone.dial(f"sip:4001@127.0.0.1:{tls_port};transport=tls")
                in_local, inbound = await asyncio.wait_for(answered.get(), 15)
                await asyncio.wait_for(inbound.confirmed.wait(), 10)
                assert inbound.media is not None
                assert inbound.media.srtp is not None
                await engine.play(in_local.endpoint_id, [Tone(ToneSpec("t", (OUR_HZ,)), 30)])
                await phone.wait_event("CALL_ESTABLISHED")
                await asyncio.sleep(3)
                assert await inbound.hangup() == 200
                await phone.wait_event("CALL_CLOSED")
                in_keys = inbound.media.srtp
            heard_first = phone.heard(0)[0]
            heard_second = phone.heard(-1)[0]
    finally:
        await engine.close()

    datagrams = read_pcap(tmp_path / "media.pcap")
    for port, keys in ((local.port, out_keys), (in_local.port, in_keys)):
        sent, received, audio = srtp_check(datagrams, port, keys)
        assert sent > 100, sent  # 20 ms packets for 3 s and more
        assert received > 100, received
        theirs = g711.decode(Codec.PCMU, audio).astype(np.float64)
        assert tone_level(theirs, AGENT1_HZ) > 0.2  # we heard the phone's tone
    # The phone (which drops whatever does not authenticate) heard our tone on both calls.
    for heard in (heard_first, heard_second):
        assert tone_level(heard[len(heard) // 3 :].astype(np.float64), OUR_HZ) > 0.2


def test_srtp_check_catches_plaintext() -> None:
    keys = SrtpKeys("AES_CM_128_HMAC_SHA1_80", bytes(30), bytes(range(30)))
    plain = struct.pack("!BBHII", 0x80, 0, 1, 160, 7) + b"\xff" * 160
    with pytest.raises(AssertionError, match="not SRTP"):
        srtp_check([Datagram(("127.0.0.1", 4000), ("127.0.0.1", 9), plain)], 4000, keys)


async def test_trunk_over_tls_verifies_the_carrier(tmp_path: Path) -> None:
    """A trunk with transport tls: the INVITE goes over TLS, the carrier's certificate checked
    against our CA file; a carrier whose certificate we cannot verify is never reached."""
    from hotline.sip.offeranswer import make_offer
    from hotline.sip.transport.calls import CallFailed
    from hotline.sip.trunk import Trunk
    from tests.integration.sip.peers import answer_and_wait

    cert(host=["127.0.0.1"], out=tmp_path / "carrier", days=1)
    cert(host=["127.0.0.1"], out=tmp_path / "stranger", days=1)
    carrier_tls = free_port()
    async with hotline(
        answer_and_wait,
        tls_port=carrier_tls,
        tls_cert=str(tmp_path / "carrier" / "cert.pem"),
        tls_key=str(tmp_path / "carrier" / "key.pem"),
    ) as (carrier, _):
        trunk = Trunk("carrier", "127.0.0.1", port=carrier_tls, transport="tls")
        for ca, ok in (("carrier", True), ("stranger", False)):
            async with hotline(
                None, trunks=(trunk,), tls_ca_file=str(tmp_path / ca / "cert.pem")
            ) as (pbx, _):
                offer = make_offer("127.0.0.1", free_port(), session_id=5)
                call = await pbx.invite("13800138000", sdp=offer, trunk="carrier")
                if ok:
                    session = await call.wait(timeout=10)
                    assert b"Via: SIP/2.0/TLS" in bytes(call.request)
                    assert session.dialog.transport == "tls"
                    assert b"crypto" not in bytes(call.request)  # no SRTP keys to trunks
                    assert await session.hangup() == 200
                else:
                    with pytest.raises(CallFailed) as failed:
                        await call.wait(timeout=10)
                    assert failed.value.status == 503
                    assert "certificate verify failed" in failed.value.reason
        # The carrier saw one TLS connection: ours, the one that verified.
        assert carrier.metrics()["tls_refused_total"] == 0
