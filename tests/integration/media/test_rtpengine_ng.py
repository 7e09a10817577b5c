"""The ng client against a real rtpengine (Debian's rtpengine-daemon, userspace forwarding only),
and its retransmission against a loopback peer that drops datagrams. Loopback only."""

from __future__ import annotations

import asyncio
import contextlib
import re
import subprocess
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from hotline.media.codecs.g711 import alaw_decode, ulaw_decode, ulaw_encode
from hotline.media.rtp import RtpPacket
from hotline.media.rtpengine import NgClient, RtpengineError, RtpengineUnreachable
from hotline.media.rtpengine.bencode import encode
from hotline.media.rtpengine.ng import decode_reply
from hotline.media.rtpengine.recording import read_pcap, stereo_wav
from hotline.media.wav import parse_wav
from tests.conftest import require_tool
from tests.integration.media.peers import RtpPeer, stream
from tests.ports import free_ports
from tests.unit.media.pcap import rtp_packets


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait, bounded, for something another process or socket does."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not so after {timeout} s")


@dataclass
class Rtpengine:
    client: NgClient
    port_min: int
    port_max: int
    recordings: Path
    log: Path


@contextlib.asynccontextmanager
async def running_rtpengine(tmp_path: Path) -> AsyncIterator[Rtpengine]:
    binary = require_tool("rtpengine")
    base = free_ports(32)  # the ng port, then RTP/RTCP pairs of its own
    ng_port, port_min, port_max = base, base + 2 + base % 2, base + 31
    recordings, log = tmp_path / "recordings", tmp_path / "rtpengine.log"
    command = [
        binary,
        "--config-file=none",  # not /etc/rtpengine's (its fixed ports, kernel table 0)
        "--foreground", "--log-stderr", "--no-log-timestamps", "--log-level=6",
        "--table=-1",  # no kernel module: userspace forwarding
        "--interface=127.0.0.1",
        f"--listen-ng=127.0.0.1:{ng_port}",
        f"--port-min={port_min}", f"--port-max={port_max}",
        f"--pidfile={tmp_path / 'rtpengine.pid'}",
        "--delete-delay=0",  # a deleted call is forgotten at once
        f"--recording-dir={recordings}", "--recording-method=pcap", "--recording-format=eth",
        "--num-threads=2",
    ]  # fmt: skip
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.DEVNULL, stdout=stderr, stderr=stderr
        )
    client = await NgClient.connect("127.0.0.1", ng_port, timeout=0.5, tries=1)
    try:
        try:
            async with asyncio.timeout(15):
                while True:
                    if process.returncode is not None:
                        raise AssertionError(f"rtpengine exited:\n{log.read_text()[-2000:]}")
                    with contextlib.suppress(RtpengineUnreachable):
                        await client.ping()
                        break
        except TimeoutError:
            raise AssertionError(f"rtpengine did not answer:\n{log.read_text()[-2000:]}") from None
        client.tries = 3  # up now: a loaded box may still drop a datagram
        yield Rtpengine(client, port_min, port_max, recordings, log)
    finally:
        client.close()
        if process.returncode is None:
            process.terminate()
            try:
                async with asyncio.timeout(10):
                    await process.wait()
            except TimeoutError:
                process.kill()
                await process.wait()


def audio_sdp(port: int, session: int) -> str:
    return (
        f"v=0\r\no=- {session} 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
        f"m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
        "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\na=sendrecv\r\n"
    )


def media_of(sdp: str) -> tuple[str, int]:
    address = re.search(r"^c=IN IP4 (\S+)\r$", sdp, re.M)
    port = re.search(r"^m=audio (\d+) ", sdp, re.M)
    assert address is not None, sdp
    assert port is not None, sdp
    return address.group(1), int(port.group(1))


async def test_rtpengine_relays_a_call_offered_and_answered_through_it(tmp_path: Path) -> None:
    async with asyncio.timeout(30), running_rtpengine(tmp_path) as rtpengine:
        ng = rtpengine.client
        await ng.ping()
        caller, callee = await RtpPeer.open(), await RtpPeer.open()
        call_id = "relay-1@hotline.test"

        trust = ["trust-address"]  # the SDP's c= line, not the signalling's source address
        toward_callee = await ng.offer(
            call_id, "caller-tag", audio_sdp(caller.port, 1), flags=trust
        )
        toward_caller = await ng.answer(
            call_id, "caller-tag", "callee-tag", audio_sdp(callee.port, 2), flags=trust
        )
        # Each side is told rtpengine's address and a port of its range, not the other's.
        for sdp, own in ((toward_callee, callee.port), (toward_caller, caller.port)):
            address, port = media_of(sdp)
            assert address == "127.0.0.1"
            assert rtpengine.port_min <= port <= rtpengine.port_max
            assert port not in (caller.port, callee.port, own)
            assert "a=rtpmap:0 PCMU/8000" in sdp
        caller_side, callee_side = media_of(toward_caller), media_of(toward_callee)
        assert caller_side != callee_side

        await ng.start_recording(call_id)
        said = [bytes([0x10 + i]) * 160 for i in range(5)]
        heard = [bytes([0x80 + i]) * 160 for i in range(5)]
        await stream(caller, caller_side, said)
        got = await callee.wait_for(5, timeout=10)
        assert [p.payload for p in got] == said
        assert {p.payload_type for p in got} == {0}
        assert {p.ssrc for p in got} == {caller.ssrc}  # relayed, not re-originated

        await stream(callee, callee_side, heard)
        back = await caller.wait_for(5, timeout=10)
        assert [p.payload for p in back] == heard
        # ... and each came from rtpengine's port the party was told about (symmetric RTP).
        assert {addr for _, _, addr in callee.received} == {callee_side}
        assert {addr for _, _, addr in caller.received} == {caller_side}

        stats = await ng.query(call_id)
        assert stats.received_from("caller-tag").packets == 5
        assert stats.received_from("callee-tag").packets == 5
        assert stats.received_from("caller-tag").bytes == 5 * (12 + 160)
        assert stats.rtp.packets == 10
        assert stats.rtp.errors == 0
        latched = {(s.tag, s.remote) for s in stats.streams if not s.rtcp}
        assert latched == {
            ("caller-tag", ("127.0.0.1", caller.port)),
            ("callee-tag", ("127.0.0.1", callee.port)),
        }
        await ng.stop_recording(call_id)

        # The recording: rtpengine's own pcap of both directions in one file, named after the
        # call-id, and a metadata file naming it (the spool the recording daemon would read).
        await eventually(lambda: any((rtpengine.recordings / "metadata").glob("*")))
        pcaps = list((rtpengine.recordings / "pcaps").glob("*.pcap"))
        assert len(pcaps) == 1
        assert pcaps[0].name.startswith("relay-1%40hotline.test-")  # the call-id, escaped
        recorded = [RtpPacket.parse(payload).payload for _, payload in rtp_packets(pcaps[0])]
        assert sorted(recorded) == sorted(said + heard)
        metadata = list((rtpengine.recordings / "metadata").glob("*"))
        assert len(metadata) == 1
        assert metadata[0].read_text().splitlines()[0] == str(pcaps[0])  # names its pcap
        # ... and as our stereo WAV: the caller (the customer) left, what it heard right.
        wav = stereo_wav(read_pcap(pcaps[0].read_bytes()), customer_port=caller_side[1])
        audio = parse_wav(wav.data)
        assert audio.channels == 2
        assert audio.rate == 8000
        left, right = audio.samples[:, 0], audio.samples[:, 1]
        assert set(np.unique(left[left != 0])) == {float(ulaw_decode(p)[0]) for p in said}
        assert set(np.unique(right[right != 0])) == {float(ulaw_decode(p)[0]) for p in heard}
        assert np.count_nonzero(left) == 5 * 160
        assert np.count_nonzero(right) == 5 * 160

        await ng.delete(call_id)
        with pytest.raises(RtpengineError) as refused:
            await ng.query(call_id)
        assert refused.value.reason == "Unknown call-id"
        assert refused.value.code == "media.rtpengine.error"


async def test_rtpengine_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    async with asyncio.timeout(30), running_rtpengine(tmp_path) as rtpengine:
        with pytest.raises(RtpengineError) as unknown:
            await rtpengine.client.request("no such command")
        assert unknown.value.reason == "Unrecognized command"
        with pytest.raises(RtpengineError):
            await rtpengine.client.answer("never-offered", "a", "b", audio_sdp(4000, 1))
        # Deleting what is gone is no error: a retried delete is harmless.
        assert await rtpengine.client.delete("never-offered") is None


class _Responder(asyncio.DatagramProtocol):
    """An ng peer on loopback that ignores the first `drop` datagrams and answers the rest."""

    def __init__(self, drop: int) -> None:
        self.drop = drop
        self.seen: list[bytes] = []
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.seen.append(data)
        if len(self.seen) <= self.drop:
            return
        cookie = data.partition(b" ")[0]
        assert self.transport is not None
        # A late duplicate of some earlier reply first: the client must match by cookie.
        self.transport.sendto(b"stale " + encode({"result": "pong"}), addr)
        self.transport.sendto(cookie + b" " + encode({"result": "pong"}), addr)


@contextlib.asynccontextmanager
async def responder(drop: int) -> AsyncIterator[tuple[_Responder, int]]:
    loop = asyncio.get_running_loop()
    port = free_ports(1)
    transport, protocol = await loop.create_datagram_endpoint(
        lambda: _Responder(drop), local_addr=("127.0.0.1", port)
    )
    try:
        yield protocol, port
    finally:
        transport.close()


async def test_a_lost_request_is_sent_again_with_the_same_cookie() -> None:
    async with asyncio.timeout(20), responder(drop=2) as (peer, port):
        client = await NgClient.connect("127.0.0.1", port, timeout=0.3, tries=10)
        try:
            await client.ping()
        finally:
            client.close()
        # Answered on the third (a loaded box may have sent one more before the answer came).
        assert len(peer.seen) >= 3
        assert len(set(peer.seen)) == 1  # the same cookie and body each time
        _, request = decode_reply(peer.seen[0])
        assert request == {"command": "ping"}


async def test_no_answer_after_every_try_is_unreachable() -> None:
    async with asyncio.timeout(20), responder(drop=10) as (peer, port):
        client = await NgClient.connect("127.0.0.1", port, timeout=0.2, tries=2)
        try:
            with pytest.raises(RtpengineUnreachable) as lost:
                await client.ping()
        finally:
            client.close()
        await eventually(lambda: len(peer.seen) == 2)
        assert lost.value.details == {"command": "ping", "tries": 2}
        assert lost.value.code == "media.rtpengine.unreachable"


async def test_concurrent_requests_each_get_their_own_reply() -> None:
    async with asyncio.timeout(20), responder(drop=0) as (peer, port):
        client = await NgClient.connect("127.0.0.1", port, timeout=2.0, tries=3)
        try:
            await asyncio.gather(*(client.ping() for _ in range(20)))
        finally:
            client.close()
        cookies = {datagram.partition(b" ")[0] for datagram in peer.seen}
        assert len(cookies) == 20


async def test_rtpengine_transcodes_pcmu_to_a_callee_that_takes_only_pcma(tmp_path: Path) -> None:
    async with asyncio.timeout(30), running_rtpengine(tmp_path) as rtpengine:
        ng = rtpengine.client
        caller, callee = await RtpPeer.open(), await RtpPeer.open()
        call_id = "transcode-1@hotline.test"
        offered = await ng.offer(
            call_id, "caller-tag", audio_sdp(caller.port, 1), codec={"transcode": ["PCMA"]}
        )
        assert "a=rtpmap:8 PCMA/8000" in offered  # added for the callee beside the caller's
        answered = await ng.answer(
            call_id, "caller-tag", "callee-tag",
            audio_sdp(callee.port, 2).replace("RTP/AVP 0 101", "RTP/AVP 8 101")
            .replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000"),
        )  # fmt: skip
        assert "a=rtpmap:0 PCMU/8000" in answered  # the caller still speaks PCMU

        # Frames of a 400 Hz tone, each louder than the one before, so each is recognised.
        t = np.arange(160) / 8000
        tones = [(2000 * (i + 1) * np.sin(2 * np.pi * 400 * t)).astype(np.int16) for i in range(8)]
        await stream(caller, media_of(answered), [ulaw_encode(tone) for tone in tones])
        got = await callee.wait_for(4, timeout=10)
        assert {p.payload_type for p in got} == {8}
        sent_rms = [float(np.sqrt(np.mean(tone.astype(np.float64) ** 2))) for tone in tones]
        for packet in got:
            pcm = alaw_decode(packet.payload).astype(np.float64)
            rms = float(np.sqrt(np.mean(pcm**2)))
            if rms < 100:
                continue  # a transcoder may open with silence
            nearest = min(sent_rms, key=lambda level: abs(level - rms))
            assert abs(nearest - rms) < 0.05 * nearest, (rms, sent_rms)
        assert any(float(np.abs(alaw_decode(p.payload)).max()) > 1000 for p in got)
        await ng.delete(call_id)
