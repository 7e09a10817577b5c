"""The aiortc-facing pieces that need no network: the engine-paced track, decoded-audio
conversion, the ICE address hook, and the gateway's argument checks."""

from __future__ import annotations

import asyncio
import fractions

import aioice.ice
import av
import numpy as np
import pytest
from aiortc.mediastreams import MediaStreamError

from hotline.errors import InvalidInput
from hotline.events import ListSink
from hotline.media.backend import DtmfCallback, EndpointContext, EndpointId, FramePort
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DtmfDigit
from hotline.media.webrtc import (
    DtmfInvalid,
    EngineTrack,
    OfferRejected,
    SessionNotFound,
    WebRtcGateway,
    _to_pcm,
    ice_host_addresses,
)


class FakeEngine:
    """Records what the gateway asks of the engine."""

    def __init__(self) -> None:
        self.ports: dict[EndpointId, FramePort] = {}
        self.frames: list[np.ndarray] = []
        self.digits: list[DtmfDigit] = []

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId:
        endpoint = EndpointId(f"E{len(self.ports)}")
        self.ports[endpoint] = port
        return endpoint

    def push_frame(self, endpoint_id: EndpointId, pcm: np.ndarray) -> None:
        self.frames.append(pcm)

    def push_dtmf(self, endpoint_id: EndpointId, digit: DtmfDigit) -> None:
        self.digits.append(digit)

    async def release(self, endpoint_id: EndpointId) -> None:
        self.ports.pop(endpoint_id, None)


async def test_the_track_sends_engine_frames_as_pcmu_packets_with_tick_timestamps() -> None:
    track = EngineTrack(capacity=2)
    tone = (np.sin(np.arange(160) * 0.3) * 8000).astype(np.int16)
    track.deliver(tone)
    packet = await track.recv()
    assert bytes(packet) == g711.encode(Codec.PCMU, tone)
    assert (packet.pts, packet.time_base) == (0, fractions.Fraction(1, 8000))
    for level in (1, 2, 3):  # one more than fits: frame 1 is dropped
        track.deliver(np.full(160, level * 1000, np.int16))
    assert [(await track.recv()).pts for _ in range(2)] == [2 * 160, 3 * 160]
    assert (track.sent, track.buffer.dropped) == (3, 1)


async def test_recv_waits_for_the_engine_and_a_stopped_track_ends() -> None:
    track = EngineTrack()
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.01)
    assert not waiting.done()
    track.deliver(np.zeros(160, np.int16))
    assert bytes(await waiting) == b"\xff" * 160
    waiting = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0)
    track.stop()
    with pytest.raises(MediaStreamError):
        await waiting
    with pytest.raises(MediaStreamError):
        await track.recv()


def _frame(samples: np.ndarray, rate: int, layout: str) -> av.AudioFrame:
    frame = av.AudioFrame.from_ndarray(samples, format="s16", layout=layout)
    frame.sample_rate = rate
    frame.pts = 0
    frame.time_base = fractions.Fraction(1, rate)
    return frame


def test_decoded_pcmu_passes_through_unchanged() -> None:
    pcm = (np.arange(160) * 50 - 4000).astype(np.int16)
    out = _to_pcm(_frame(pcm.reshape(1, -1), 8000, "mono"), [])
    assert out.dtype == np.int16
    assert np.array_equal(out, pcm)


def test_other_rates_and_layouts_are_resampled_to_8khz_mono() -> None:
    rate, seconds = 48_000, 0.2
    t = np.arange(int(rate * seconds)) / rate
    tone = (np.sin(2 * np.pi * 1000 * t) * 10_000).astype(np.int16)
    stereo = np.stack([tone, tone]).T.reshape(1, -1)  # packed s16: L R L R …
    resampler: list[av.AudioResampler] = []
    out = np.concatenate([
        _to_pcm(_frame(stereo[:, i * 1920 : (i + 1) * 1920], rate, "stereo"), resampler)
        for i in range(10)
    ])  # fmt: skip
    assert len(resampler) == 1  # one resampler for the stream
    assert abs(len(out) - 1600) <= 64
    spectrum = np.abs(np.fft.rfft(out[200:1400].astype(float)))
    assert np.argmax(spectrum) * 8000 / 1200 == pytest.approx(1000, abs=10)


def test_the_ice_hook_applies_only_inside_its_block() -> None:
    library = aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
    with ice_host_addresses(["127.0.0.1"]):
        assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == ["127.0.0.1"]
        with ice_host_addresses(["10.1.2.3"]):
            assert aioice.ice.get_host_addresses(True, True) == ["10.1.2.3"]
        assert aioice.ice.get_host_addresses(True, True) == ["127.0.0.1"]
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False) == library
    assert "127.0.0.1" not in library  # the library's own rule, which the hook works around


@pytest.mark.parametrize("host", ["localhost", "0.0.0.0", "::", "not an address"])
def test_the_ice_host_must_be_one_ip_address(host: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        WebRtcGateway(FakeEngine(), host=host, sink=ListSink())
    assert caught.value.details == {"field": "media.webrtc_host"}


async def test_a_bad_offer_allocates_nothing() -> None:
    engine = FakeEngine()
    gateway = WebRtcGateway(engine, sink=ListSink())
    with pytest.raises(OfferRejected):
        await gateway.open("A1", "t1", "v=0\r\n")
    assert engine.ports == {}
    assert gateway.session("A1") is None
    assert gateway.stats() == {
        "sessions": 0, "connected": 0, "detached": 0, "frames_received": 0, "frames_sent": 0,
        "frames_dropped": 0,
    }  # fmt: skip


@pytest.mark.parametrize(("digit", "duration"), [("55", 100), ("x", 100), ("", 100), ("1", 10)])
def test_bad_keys_are_refused_before_anything_else(digit: str, duration: int) -> None:
    gateway = WebRtcGateway(FakeEngine(), sink=ListSink())
    with pytest.raises(DtmfInvalid):
        gateway.dtmf("A1", digit, duration_ms=duration)


async def test_keys_and_endpoints_of_an_agent_without_a_session_are_not_found() -> None:
    gateway = WebRtcGateway(FakeEngine(), sink=ListSink())
    with pytest.raises(SessionNotFound):
        gateway.dtmf("A1", "5")
    with pytest.raises(SessionNotFound):
        gateway.endpoint("A1")
    assert not await gateway.close("A1")
