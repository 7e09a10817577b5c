"""The engine on real loopback sockets with plain-UDP RTP peers."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hotline.media.backend import (
    Capability,
    Direction,
    EndpointContext,
    EndpointId,
    RemoteMedia,
    Unsupported,
)
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DtmfDigit, DtmfSource, TelephoneEvent
from hotline.media.engine import MediaEngine
from hotline.media.errors import EndpointNotFound, MediaConflict, PortPoolExhausted
from hotline.media.events import MediaQualityReported
from hotline.media.player import PlaybackEnd, Silence, Tone
from hotline.media.rtcp import ReceiverReport, ReportBlock, parse_compound, serialize_compound
from hotline.media.tones import BEEP, CN_RINGBACK, dtmf_tone
from tests.integration.media.peers import (
    RtpPeer,
    event_payload,
    free_port_range,
    sink_of,
    stats_of,
    stream,
)

CTX = EndpointContext("t1", "I1", "L1")


async def leg(
    engine: MediaEngine,
    peer: RtpPeer,
    *,
    codec: str = "PCMU",
    te: int | None = 101,
    direction: Direction = Direction.SENDRECV,
    **kw: object,
) -> tuple[EndpointId, tuple[str, int]]:
    local = await engine.create_endpoint(CTX, **kw)  # type: ignore[arg-type]
    await engine.apply_remote(
        local.endpoint_id,
        RemoteMedia("127.0.0.1", peer.port, codec, Codec(codec).payload_type, te,
                    direction=direction),
    )  # fmt: skip
    return local.endpoint_id, (local.address, local.port)


async def test_a_tone_is_paced_as_one_continuous_rtp_stream(engine: MediaEngine) -> None:
    peer = await RtpPeer.open()
    endpoint, _ = await leg(engine, peer)
    playback = await engine.play(endpoint, [Tone(CN_RINGBACK, 0.4)])
    assert await asyncio.wait_for(playback.wait(), 3) is PlaybackEnd.COMPLETED
    # From a media process the playback's end can overtake the last packets on their way.
    await peer.wait_for(22, timeout=3)  # the tone's 20, then the silence that follows
    packets = peer.rtp()
    tone = [p for p in packets if any(b != 0xFF for b in p.payload)]
    assert len(tone) == 20
    assert {len(p.payload) for p in packets} == {160}
    seqs = [p.sequence_number for p in packets]
    assert all((b - a) & 0xFFFF == 1 for a, b in itertools.pairwise(seqs))
    stamps = [p.timestamp for p in packets]
    assert all((b - a) & 0xFFFFFFFF == 160 for a, b in itertools.pairwise(stamps))
    assert len({p.ssrc for p in packets}) == 1
    pcm = np.concatenate([g711.ulaw_decode(p.payload) for p in tone]).astype(float)
    assert np.argmax(np.abs(np.fft.rfft(pcm))) * 8000 / len(pcm) == pytest.approx(450, abs=3)
    peer.close()


async def test_relay_bridge_is_bit_exact_and_rewrites_only_the_header(engine: MediaEngine) -> None:
    a, b = await RtpPeer.open(), await RtpPeer.open()
    ep_a, addr_a = await leg(engine, a)
    ep_b, _addr_b = await leg(engine, b)
    await engine.bridge(ep_a, ep_b)
    rng = np.random.default_rng(3)
    payloads = [rng.integers(0, 256, 160, dtype=np.uint8).tobytes() for _ in range(50)]
    await stream(a, addr_a, payloads)
    received = await b.wait_for(50)
    relayed = [p for p in received if p.payload in set(payloads)]
    assert [p.payload for p in relayed] == payloads
    assert relayed[0].marker
    assert relayed[0].ssrc != a.ssrc
    seqs = [p.sequence_number for p in relayed]
    assert all((y - x) & 0xFFFF == 1 for x, y in itertools.pairwise(seqs))
    assert (await stats_of(engine))[
        "paced"
    ] == 0  # both legs are in relay mode: nothing on the clock
    a.close()
    b.close()


async def test_pcmu_to_pcma_bridge_transcodes_on_the_clock(engine: MediaEngine) -> None:
    a, b = await RtpPeer.open(), await RtpPeer.open()
    ep_a, addr_a = await leg(engine, a, codec="PCMU")
    ep_b, _ = await leg(engine, b, codec="PCMA")
    await engine.bridge(ep_a, ep_b)
    tone = g711.ulaw_encode(dtmf_tone("5", 20, level_dbm0=-6))
    await stream(a, addr_a, [tone] * 30)
    await asyncio.sleep(0.1)
    received = [p for p in b.rtp() if p.payload_type == 8]
    expected = tone.translate(g711.transcode_table(Codec.PCMU, Codec.PCMA))
    assert sum(p.payload == expected for p in received) >= 20
    a.close()
    b.close()


async def test_symmetric_latching_answers_the_real_source(engine: MediaEngine) -> None:
    advertised, actual = await RtpPeer.open(), await RtpPeer.open()
    _endpoint, addr = await leg(engine, advertised)  # the SDP names one port ...
    actual.send(b"\xff" * 160, addr)  # ... packets come from another (NAT)
    await actual.wait_for(3)
    stranger = await RtpPeer.open()
    before = len(actual.rtp())
    stranger.send(b"\xff" * 160, addr)  # a third party cannot steal the stream
    await asyncio.sleep(0.1)
    assert not stranger.rtp()
    assert len(actual.rtp()) > before
    for peer in (advertised, actual, stranger):
        peer.close()


async def test_port_pool_exhaustion_and_release() -> None:
    low, _ = free_port_range()
    engine = MediaEngine(port_min=low, port_max=low + 3, sink=sink_of_new())
    await engine.start()
    first = await engine.create_endpoint(CTX)
    second = await engine.create_endpoint(CTX)
    assert (first.port, second.port) == (low, low + 2)
    with pytest.raises(PortPoolExhausted) as info:
        await engine.create_endpoint(CTX)
    assert info.value.code == "media.port_pool.exhausted"
    await engine.release(first.endpoint_id)
    third = await engine.create_endpoint(CTX)
    assert third.port == low
    await engine.close()
    assert engine.ports.in_use == 0


def sink_of_new():  # type: ignore[no-untyped-def]
    from hotline.events import ListSink

    return ListSink()


async def test_rfc4733_digits_reach_callback_iterator_and_barge_in(engine: MediaEngine) -> None:
    peer = await RtpPeer.open()
    seen: list[tuple[EndpointId, DtmfDigit]] = []
    endpoint, addr = await leg(engine, peer, on_dtmf=lambda e, d: seen.append((e, d)))
    playback = await engine.play(endpoint, [Silence(5.0)], barge_in=True)
    events = engine.dtmf_events(endpoint)
    next_digit = asyncio.ensure_future(anext(events))
    await asyncio.sleep(0.05)
    for i, duration in enumerate((160, 320, 480, 640, 640, 640)):
        end = i >= 3
        peer.send(event_payload(7, end, duration), addr, pt=101, marker=i == 0, ts=8000)
        await asyncio.sleep(0.02)
    assert await asyncio.wait_for(playback.wait(), 1) is PlaybackEnd.BARGE_IN
    assert await asyncio.wait_for(next_digit, 1) == DtmfDigit("7", 80, DtmfSource.RFC4733)
    assert seen == [(endpoint, DtmfDigit("7", 80, DtmfSource.RFC4733))]
    await events.aclose()
    peer.close()


async def test_inband_digits_when_the_peer_has_no_telephone_event(engine: MediaEngine) -> None:
    peer = await RtpPeer.open()
    seen: list[DtmfDigit] = []
    _endpoint, addr = await leg(engine, peer, te=None, on_dtmf=lambda e, d: seen.append(d))
    audio = np.concatenate([np.zeros(800, np.int16), dtmf_tone("#", 100), np.zeros(1600, np.int16)])
    payloads = [g711.ulaw_encode(audio[i : i + 160]) for i in range(0, len(audio), 160)]
    await stream(peer, addr, payloads)
    await asyncio.sleep(0.1)
    assert [d.digit for d in seen] == ["#"]
    assert seen[0].source is DtmfSource.INBAND
    peer.close()


async def test_send_dtmf_emits_rfc4733_events_then_audio_resumes(engine: MediaEngine) -> None:
    peer = await RtpPeer.open()
    endpoint, _ = await leg(engine, peer)
    await engine.send_dtmf(endpoint, "12", duration_ms=60)
    await asyncio.sleep(0.4)
    events = [p for p in peer.rtp() if p.payload_type == 101]
    parsed = [TelephoneEvent.parse(p.payload) for p in events]
    assert [e.event for e in parsed if e is not None and e.end] == [1, 1, 1, 2, 2, 2]
    assert [p.marker for p in events].count(True) == 2
    assert len({p.timestamp for p in events}) == 2
    assert peer.rtp()[-1].payload_type == 0
    peer.close()


async def test_hold_direction_stops_sending(engine: MediaEngine) -> None:
    peer = await RtpPeer.open()
    _endpoint, _ = await leg(engine, peer, direction=Direction.SENDONLY)  # the peer holds us
    await asyncio.sleep(0.15)
    assert peer.rtp() == []
    peer.close()
    with pytest.raises(EndpointNotFound):
        await engine.play(EndpointId("nope"), [Silence(1)])


async def test_moh_is_one_shared_stream(local_engine: MediaEngine) -> None:
    engine = local_engine  # reads the in-process engine's internals
    await engine.register_moh("default", [Tone(BEEP, 0.25), Silence(0.25)])
    one, two = await RtpPeer.open(), await RtpPeer.open()
    ep_one, _ = await leg(engine, one)
    ep_two, _ = await leg(engine, two, codec="PCMA")
    await engine.start_moh(ep_one)
    await engine.start_moh(ep_two)
    stream = engine._moh["default"]
    await asyncio.sleep(0.3)
    await engine.stop_moh(ep_one)
    await engine.stop_moh(ep_two)
    # One stream: a frame is made once per tick however many listen, then encoded per codec.
    # Each listener gets every frame made (the last ones may still be on their way); a stream
    # made per listener would have made about twice as many frames as either one hears.
    for peer in (one, two):
        with contextlib.suppress(TimeoutError):
            await peer.wait_for(stream.frames_made - 1, timeout=2)
    heard_one = [g711.ulaw_decode(p.payload) for p in one.rtp()]
    heard_two = [g711.alaw_decode(p.payload) for p in two.rtp()]
    assert stream.frames_made <= max(len(heard_one), len(heard_two)) + 1
    assert sum(bool(np.abs(f).max() > 1000) for f in heard_one) >= 5
    assert sum(bool(np.abs(f).max() > 1000) for f in heard_two) >= 5
    assert not stream.listeners
    with pytest.raises(EndpointNotFound, match="hold music"):
        await engine.start_moh(ep_one, "jazz")
    one.close()
    two.close()


async def test_rtcp_reports_flow_both_ways_and_quality_is_an_event(
    local_engine: MediaEngine,
) -> None:
    engine = local_engine  # reads the in-process engine's internals
    peer = await RtpPeer.open()
    endpoint, addr = await leg(engine, peer)
    rtcp_peer = await RtpPeer.open()
    for _ in range(10):
        peer.send(b"\xff" * 160, addr)
    peer.seq += 2  # two lost
    for _ in range(10):
        peer.send(b"\xff" * 160, addr)
    await asyncio.sleep(0.05)
    our = engine._endpoints[endpoint]
    report = ReceiverReport(rtcp_peer.ssrc, (ReportBlock(our.sender.ssrc, 64, 3, 10, 40),))  # type: ignore[attr-defined]
    rtcp_peer.send_raw(serialize_compound([report]), (addr[0], addr[1] + 1))
    await asyncio.sleep(0.05)
    quality = engine.quality(endpoint)
    assert (quality.packets_received, quality.packets_lost) == (20, 2)
    assert quality.remote_fraction_lost == 0.25
    assert quality.remote_jitter_ms == 5.0
    events = sink_of(engine).of_type(MediaQualityReported)
    assert events[-1].packets_lost == 2
    assert events[-1].leg_id == "L1"
    # Our own reports go to where the peer's reports came from.
    engine._send_rtcp(our)  # type: ignore[arg-type]
    await rtcp_peer.arrived.wait()
    packets = parse_compound(rtcp_peer.received[-1][1])
    assert packets[0].reports[0].cumulative_lost == 2  # type: ignore[union-attr]
    await engine.release(endpoint)
    assert sink_of(engine).of_type(MediaQualityReported)[-1].final
    peer.close()
    rtcp_peer.close()


async def test_bridge_conflicts(engine: MediaEngine) -> None:
    peers = [await RtpPeer.open() for _ in range(3)]
    eps = [(await leg(engine, p))[0] for p in peers]
    await engine.bridge(eps[0], eps[1])
    with pytest.raises(MediaConflict):
        await engine.bridge(eps[1], eps[2])
    with pytest.raises(MediaConflict):
        await engine.bridge(eps[2], eps[2])
    await engine.unbridge(eps[1])
    await engine.bridge(eps[1], eps[2])
    for p in peers:
        p.close()


@pytest.mark.skipif(os.cpu_count() == 1, reason="timing sanity needs a spare core")
async def test_the_clock_does_not_drift(local_engine: MediaEngine) -> None:
    engine = local_engine  # reads the in-process engine's internals
    assert engine.pacer is not None
    loop = asyncio.get_running_loop()
    start_tick, start = engine.pacer.tick, loop.time()
    await asyncio.sleep(1.0)
    ticks = engine.pacer.tick - start_tick
    elapsed = loop.time() - start
    assert abs(ticks - elapsed / 0.02) <= 2


async def test_send_dtmf_falls_back_to_tones_when_the_peer_has_no_telephone_event(
    engine: MediaEngine,
) -> None:
    from hotline.media.dtmf_inband import InbandDtmfDetector

    peer = await RtpPeer.open()
    endpoint, _ = await leg(engine, peer, te=None)
    await engine.send_dtmf(endpoint, "*9", duration_ms=80)
    await asyncio.sleep(0.45)
    assert {p.payload_type for p in peer.rtp()} == {0}
    audio = np.concatenate([g711.ulaw_decode(p.payload) for p in peer.rtp()])
    detector = InbandDtmfDetector()
    assert [d.digit for d in detector.feed(audio) + detector.flush()] == ["*", "9"]
    peer.close()


async def test_bad_codec_and_bad_digits_are_typed_errors(engine: MediaEngine) -> None:
    from hotline.errors import InvalidInput

    local = await engine.create_endpoint(CTX)
    with pytest.raises(InvalidInput) as info:
        await engine.apply_remote(local.endpoint_id, RemoteMedia("127.0.0.1", 9, "G729", 18))
    assert info.value.code == "media.codec.unsupported"
    with pytest.raises(InvalidInput) as info:
        await engine.send_dtmf(local.endpoint_id, "12x")
    assert info.value.code == "media.dtmf.invalid"
    assert (await stats_of(engine))["endpoints"] == 1


async def test_a_held_leg_is_not_sent_relayed_audio_until_it_resumes(engine: MediaEngine) -> None:
    customer, agent = await RtpPeer.open(), await RtpPeer.open()
    c_ep, _ = await leg(engine, customer)
    a_ep, a_addr = await leg(engine, agent)
    await engine.bridge(c_ep, a_ep)
    hold = RemoteMedia("127.0.0.1", customer.port, "PCMU", 0, 101, direction=Direction.SENDONLY)
    await engine.apply_remote(c_ep, hold)  # re-INVITE: the customer put us on hold
    await stream(agent, a_addr, [b"\x11" * 160] * 10)
    await asyncio.sleep(0.05)
    assert not [p for p in customer.rtp() if p.payload == b"\x11" * 160]
    resume = RemoteMedia("127.0.0.1", customer.port, "PCMU", 0, 101)
    await engine.apply_remote(c_ep, resume)
    await stream(agent, a_addr, [b"\x22" * 160] * 10)
    await asyncio.sleep(0.05)
    assert len([p for p in customer.rtp() if p.payload == b"\x22" * 160]) == 10
    customer.close()
    agent.close()


async def test_a_frame_leg_bridged_to_an_rtp_leg_hears_and_is_heard(engine: MediaEngine) -> None:
    heard: list[np.ndarray] = []

    class Browser:
        def deliver(self, pcm: np.ndarray) -> None:
            heard.append(pcm.copy())

    phone = await RtpPeer.open()
    rtp_ep, rtp_addr = await leg(engine, phone)
    browser = await engine.create_frame_endpoint(CTX, Browser())
    await engine.bridge(rtp_ep, browser)
    loud = g711.ulaw_encode(np.full(160, 4000, np.int16))
    for _ in range(10):
        phone.send(loud, rtp_addr)
        engine.push_frame(browser, np.full(160, -2000, np.int16))
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert any(int(frame[0]) == int(g711.ulaw_decode(loud)[0]) for frame in heard)
    from_browser = g711.ulaw_encode(np.full(160, -2000, np.int16))
    assert any(p.payload == from_browser for p in phone.rtp())
    phone.close()


async def test_any_wav_and_tts_play_as_8khz_frames(
    local_engine: MediaEngine, tmp_path: Path
) -> None:
    from hotline.media.player import TtsText, WavFile
    from hotline.media.prompts import PromptLibrary
    from hotline.media.tts import EspeakTts
    from hotline.media.wav import write_wav
    from tests.conftest import require_tool

    engine = local_engine  # reads the in-process engine's internals
    t = np.arange(44100) / 44100
    stereo = (np.stack([np.sin(2 * np.pi * 700 * t)] * 2, axis=1) * 9000).astype(np.int16)
    write_wav(tmp_path / "hello.wav", stereo, rate=44100)  # 1 s, 44.1 kHz stereo
    engine.prompts = PromptLibrary(
        prompts_dir=tmp_path, tts=EspeakTts(tmp_path / "tts", executable=require_tool("espeak-ng"))
    )
    peer = await RtpPeer.open()
    endpoint, _ = await leg(engine, peer)
    playback = await engine.play(endpoint, [WavFile(Path("hello.wav")), TtsText("您好", "zh")])
    assert await asyncio.wait_for(playback.wait(), 10) is PlaybackEnd.COMPLETED
    spoken = [p for p in peer.rtp() if any(b not in (0xFF, 0x7F) for b in p.payload)]
    assert len(spoken) >= 50 + 10
    pcm = np.concatenate([g711.ulaw_decode(p.payload) for p in spoken[5:45]]).astype(float)
    assert np.argmax(np.abs(np.fft.rfft(pcm))) * 8000 / len(pcm) == pytest.approx(700, abs=5)
    peer.close()


async def until_true(check: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"waited {timeout} s for {what}")
        await asyncio.sleep(0.02)


async def test_an_audio_tap_hears_what_a_leg_receives_decoded_each_tick(
    engine: MediaEngine,
) -> None:
    """ADR 0197: one callback a tick per tapped leg with the audio received since the last
    tick; empty ticks while nothing comes; the in-band detector on the same leg still hears
    its digits from the same decoded audio; untapped, the callback is not called again."""
    peer = await RtpPeer.open()
    seen: list[DtmfDigit] = []
    endpoint, addr = await leg(engine, peer, te=None, on_dtmf=lambda e, d: seen.append(d))
    heard: list[np.ndarray] = []
    if not engine.capabilities.supports(Capability.AUDIO_TAP):
        with pytest.raises(Unsupported):  # the engine in its own process does not offer it
            await engine.tap_audio(endpoint, heard.append)
        peer.close()
        return
    await engine.tap_audio(endpoint, heard.append)
    await until_true(lambda: len(heard) >= 3, "ticks with nothing received")
    assert all(pcm.size == 0 for pcm in heard)
    heard.clear()
    audio = np.concatenate(
        [(3000 * np.sin(np.arange(1600) / 8000 * 2 * np.pi * 440)).astype(np.int16),
         dtmf_tone("5", 100), np.zeros(1600, np.int16)]
    )  # fmt: skip
    payloads = [g711.ulaw_encode(audio[i : i + 160]) for i in range(0, len(audio), 160)]
    await stream(peer, addr, payloads)
    sent = np.concatenate([g711.ulaw_decode(p) for p in payloads])
    await until_true(lambda: sum(p.size for p in heard) >= sent.size, "the streamed audio")
    assert np.array_equal(np.concatenate(heard)[: sent.size], sent)
    await until_true(lambda: [d.digit for d in seen] == ["5"], "the in-band digit")
    await engine.untap_audio(endpoint)
    ticks = len(heard)
    await stream(peer, addr, payloads[:10])  # 200 ms of packets, and of ticks
    assert len(heard) == ticks
    with pytest.raises(EndpointNotFound):
        await engine.tap_audio(EndpointId("nope"), heard.append)
    peer.close()
