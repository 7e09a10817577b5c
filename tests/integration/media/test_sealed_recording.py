"""A call recorded by the media engine over loopback with recordings encrypted at rest: the
file on disk is sealed, the engine's checksum is the plaintext's, and reading it through the
storage gives the stereo WAV with the customer's tone in its channel."""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from hotline.events import ListSink
from hotline.media.backend import EndpointContext, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.engine import MediaEngine
from hotline.media.prompts import PromptLibrary
from hotline.media.storage import FileRecordingStorage
from hotline.media.wav import parse_wav
from hotline.vault import Keyring, SealedRecordingStorage
from tests.integration.media.peers import RtpPeer, free_port_range


@pytest.fixture
async def sealed_engine(tmp_path: Path) -> AsyncIterator[MediaEngine]:
    low, high = free_port_range()
    storage = SealedRecordingStorage(
        FileRecordingStorage(tmp_path / "rec"), Keyring(tmp_path / "k")
    )
    media = MediaEngine(
        port_min=low, port_max=high, sink=ListSink(), prompts=PromptLibrary(prompts_dir=tmp_path),
        storage=storage,
    )  # fmt: skip
    await media.start()
    yield media
    await media.close()


async def test_a_recorded_call_is_sealed_on_disk_and_plays_back(sealed_engine: MediaEngine) -> None:
    engine = sealed_engine
    customer, agent = await RtpPeer.open(), await RtpPeer.open()
    try:
        ctx = EndpointContext("acme", "INTERACTION", "LEG")
        eps = []
        for peer in (customer, agent):
            local = await engine.create_endpoint(ctx)
            await engine.apply_remote(
                local.endpoint_id, RemoteMedia("127.0.0.1", peer.port, "PCMU", 0, 101)
            )
            eps.append((local.endpoint_id, (local.address, local.port)))
        (c_ep, c_addr), (a_ep, a_addr) = eps
        await engine.bridge(c_ep, a_ep)
        recording = await engine.start_recording(c_ep)
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        n = np.arange(160)
        for i in range(75):
            await asyncio.sleep(max(0.0, t0 + i * 0.02 - loop.time()))
            tone = 8000 * np.sin(2 * math.pi * 1000 * (n + i * 160) / 8000)
            customer.send(g711.ulaw_encode(tone.astype(np.int16)), c_addr)
            agent.send(b"\xff" * 160, a_addr)
        info = await engine.stop_recording(recording)
    finally:
        customer.close()
        agent.close()
    storage = engine.storage
    assert isinstance(storage, SealedRecordingStorage)
    on_disk = storage.path(info.path).read_bytes()
    assert b"RIFF" not in on_disk
    with storage.open_read(info.path) as file:
        plain = file.read()
    assert hashlib.sha256(plain).hexdigest() == info.sha256
    audio = parse_wav(plain)
    assert audio.channels == 2
    left = audio.samples[:, 0].astype(np.float64)
    assert np.abs(left).max() > 4000  # the customer's tone, decrypted
