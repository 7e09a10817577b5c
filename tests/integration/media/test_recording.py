"""Stereo recording over loopback: each party in its own channel, at the right time, across a
transfer, with a pause; events carry path, duration, channels, checksum and paused spans."""

from __future__ import annotations

import asyncio
import hashlib
import math

import numpy as np
import numpy.typing as npt

from hotline.media.backend import EndpointContext, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.engine import MediaEngine
from hotline.media.events import RecordingStarted, RecordingStopped
from hotline.media.wav import read_wav
from tests.integration.media.peers import RtpPeer, sink_of, storage_of

SILENCE = b"\xff" * 160


def tone_frame(frequency: float, index: int) -> bytes:
    n = np.arange(index * 160, (index + 1) * 160)
    return g711.ulaw_encode((8000 * np.sin(2 * math.pi * frequency * n / 8000)).astype(np.int16))


def onset(channel: npt.NDArray[np.float64], frequency: float, after: float = 0.0) -> float:
    """Time (s) of the first 10 ms window where `frequency` dominates."""
    window = 80
    t = np.arange(window) / 8000
    probe = np.exp(-2j * math.pi * frequency * t)
    for start in range(int(after * 8000), len(channel) - window, window // 4):
        part = channel[start : start + window]
        if abs(part @ probe) / window > 1000:
            return start / 8000
    return math.inf


async def test_each_party_lands_in_its_own_channel_on_time(engine: MediaEngine) -> None:
    customer, agent, second_agent = [await RtpPeer.open() for _ in range(3)]
    try:
        ctx = EndpointContext("acme", "INTERACTION", "CUSTOMERLEG")
        eps = []
        for peer in (customer, agent, second_agent):
            local = await engine.create_endpoint(ctx)
            await engine.apply_remote(
                local.endpoint_id, RemoteMedia("127.0.0.1", peer.port, "PCMU", 0, 101)
            )
            eps.append((local.endpoint_id, (local.address, local.port)))
        (c_ep, c_addr), (a_ep, a_addr), (b_ep, b_addr) = eps
        await engine.bridge(c_ep, a_ep)
        recording = await engine.start_recording(c_ep)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        # Customer says 1 kHz at 0.5 s; agent 1.8 kHz at 1.0 s; transfer at 1.3 s; the new agent
        # says 1.2 kHz at 1.6 s. Pause from 2.0 s to 2.4 s: the customer reads a card number
        # (700 Hz) from 2.0 s to 2.2 s, and the agent resumes 200 ms after she finished.
        # When each frame really left (a busy machine wakes the sender late): onsets are
        # checked against these, so what is tested is the recording's timing, not the sender's.
        sent: list[float] = []
        for i in range(140):
            at = i * 0.02
            await asyncio.sleep(max(0.0, t0 + at - loop.time()))
            sent.append(loop.time() - t0)
            if i == 65:
                await engine.unbridge(c_ep)
                await engine.bridge(c_ep, b_ep)
            if i == 100:
                await engine.pause_recording(recording)
            if i == 120:
                await engine.resume_recording(recording)
            customer.send(tone_frame(1000, i) if 25 <= i < 35 else
                          tone_frame(700, i) if 100 <= i < 110 else SILENCE, c_addr)  # fmt: skip
            agent.send(tone_frame(1800, i) if 50 <= i < 60 else SILENCE, a_addr)
            second_agent.send(tone_frame(1200, i) if 80 <= i < 90 else SILENCE, b_addr)
        await asyncio.sleep(0.1)
        info = await engine.stop_recording(recording)

        path = storage_of(engine).path(info.path)
        assert info.path.startswith("acme/")
        assert info.path.endswith("/INTERACTION-CUSTOMERLEG.wav")
        audio = read_wav(path)
        assert audio.channels == info.channels == 2
        assert audio.duration_s == info.duration_s
        # Ticks the engine skips after a stall still count: the file keeps wall time.
        assert 2.7 <= info.duration_s <= 3.2
        assert info.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
        assert info.size_bytes == path.stat().st_size
        left, right = audio.samples[:, 0], audio.samples[:, 1]

        assert abs(onset(left, 1000) - sent[25]) <= 0.04
        assert abs(onset(right, 1800) - sent[50]) <= 0.04
        assert abs(onset(right, 1200) - sent[80]) <= 0.04  # after the transfer: the new agent
        assert onset(right, 1000) == math.inf  # the customer is not in the agent channel
        assert onset(left, 1800) == onset(left, 1200) == math.inf
        assert onset(left, 700) == math.inf  # paused: the card number is not recorded
        (span,) = info.paused_spans
        assert abs(span[0] - sent[100]) <= 0.04
        # a frame of margin at each end
        assert abs(span[1] - span[0] - (sent[120] - sent[100] + 0.04)) <= 0.021

        events = sink_of(engine)
        (started,) = events.of_type(RecordingStarted)
        (stopped,) = events.of_type(RecordingStopped)
        assert (started.path, started.channels, started.leg_id) == (info.path, 2, "CUSTOMERLEG")
        assert (stopped.sha256, stopped.paused_spans) == (info.sha256, info.paused_spans)
        assert events.types().count("recording.paused") == 1
    finally:
        for peer in (customer, agent, second_agent):
            peer.close()
