"""Answering-machine detection next to the audio (ADR 0197), with the engine in this process and
in its own process behind the control channel: a person's "喂？" and a machine's long greeting
and beep (espeak-ng and sox, as the live AMD test makes them) are streamed as RTP into a leg;
the media backend hands back only the verdict, the time it took, and for the machine the end
of its greeting. A leg released while listened to ends the detection; a media process that
dies ends it lost, never hanging the caller."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hotline.amd import AmdSettings, Verdict
from hotline.config import MediaSettings, RecordingSettings
from hotline.events import ListSink
from hotline.media.backend import Capability, EndpointId
from hotline.media.detection import DetectionEnd
from hotline.media.engine import MediaEngine
from hotline.server.media_process import MediaProcess
from tests.conftest import require_tool
from tests.integration.dialer.test_amd_live import greetings
from tests.integration.media.peers import RtpPeer, free_port_range, stats_of, stream
from tests.integration.media.test_engine import leg

FRAME_BYTES = 160  # 20 ms of µ-law


@pytest.fixture(scope="module")
def spoken(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[bytes]]:
    """The person's and the machine's greetings as 20 ms µ-law payloads."""
    sox = require_tool("sox")
    folder = tmp_path_factory.mktemp("greetings")
    payloads = {}
    for name, wav in zip(("human", "machine"), greetings(folder), strict=True):
        raw = folder / f"{name}.ul"
        subprocess.run([sox, str(wav), "-t", "raw", "-e", "u-law", str(raw)], check=True)
        data = raw.read_bytes()
        payloads[name] = [data[i : i + FRAME_BYTES] for i in range(0, len(data), FRAME_BYTES)]
    return payloads


@contextlib.asynccontextmanager
async def talking(
    engine: MediaEngine, payloads: list[bytes]
) -> AsyncIterator[tuple[EndpointId, asyncio.Task[None]]]:
    """A leg whose far end streams `payloads` at a phone's pace from the start."""
    peer = await RtpPeer.open()
    endpoint, addr = await leg(engine, peer, te=None)
    sending = asyncio.ensure_future(stream(peer, addr, payloads))
    try:
        yield endpoint, sending
    finally:
        sending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sending


async def test_a_person_saying_hello_is_a_person(
    engine: MediaEngine, spoken: dict[str, list[bytes]]
) -> None:
    assert engine.capabilities.supports(Capability.MACHINE_DETECTION)
    async with talking(engine, spoken["human"]) as (endpoint, _):
        detection = await engine.detect_machine(endpoint, AmdSettings(), greeting_end_s=1.0)
        verdict = await asyncio.wait_for(detection.verdict(), 15)
        assert await detection.greeting_end() is None  # a person: nothing more to wait for
        stats = await stats_of(engine)
    assert verdict.end is DetectionEnd.DECIDED
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.HUMAN, True)
    # the decision time, measured next to the audio: the word, then the wait after it
    assert verdict.result.decided_after_s > AmdSettings().after_greeting_silence_s
    assert verdict.listened_s > 0
    assert stats["machine_detections"] == 0  # it stopped listening by itself


async def test_a_machine_greeting_is_a_machine_and_its_end_is_heard(
    engine: MediaEngine, spoken: dict[str, list[bytes]]
) -> None:
    async with talking(engine, spoken["machine"]) as (endpoint, sending):
        detection = await engine.detect_machine(
            endpoint, AmdSettings(), greeting_end_s=1.0, max_greeting_wait_s=30.0
        )
        verdict = await asyncio.wait_for(detection.verdict(), 15)
        assert not sending.done()  # decided while the greeting still plays
        waited = await asyncio.wait_for(detection.greeting_end(), 40)
        stats = await stats_of(engine)
    assert verdict.end is DetectionEnd.DECIDED
    assert verdict.result is not None
    assert (verdict.result.verdict, verdict.result.sure) == (Verdict.MACHINE, True)
    assert verdict.result.decided_after_s > 0
    assert verdict.listened_s > 0
    # the rest of the greeting and its beep were heard before the silence that ends them
    assert waited is not None
    assert waited > 1.0
    assert stats["machine_detections"] == 0


async def test_a_leg_released_while_listened_to_ends_the_detection(
    engine: MediaEngine, spoken: dict[str, list[bytes]]
) -> None:
    async with talking(engine, spoken["machine"]) as (endpoint, _):
        detection = await engine.detect_machine(endpoint, AmdSettings(), greeting_end_s=1.0)
        await engine.release(endpoint)  # the callee hung up
        verdict = await asyncio.wait_for(detection.verdict(), 5)
        assert await asyncio.wait_for(detection.greeting_end(), 5) is None
    assert (verdict.end, verdict.result) == (DetectionEnd.ENDED, None)
    assert (await stats_of(engine))["machine_detections"] == 0


async def test_stopped_listening_ends_stopped_and_the_leg_carries_on(
    engine: MediaEngine, spoken: dict[str, list[bytes]]
) -> None:
    async with talking(engine, spoken["machine"]) as (endpoint, _):
        detection = await engine.detect_machine(endpoint, AmdSettings())
        await engine.stop_detection(endpoint)
        verdict = await asyncio.wait_for(detection.verdict(), 5)
        again = await engine.detect_machine(
            endpoint, AmdSettings()
        )  # a leg can be listened to again
        assert (await asyncio.wait_for(again.verdict(), 15)).end is DetectionEnd.DECIDED
    assert verdict.end is DetectionEnd.STOPPED


async def test_a_media_process_that_dies_ends_the_detection_lost(
    tmp_path: Path, spoken: dict[str, list[bytes]]
) -> None:
    low, high = free_port_range()
    process = MediaProcess(
        MediaSettings(rtp_port_min=low, rtp_port_max=high, prompts_dir=tmp_path,
                      tts_cache_dir=tmp_path / "tts"),
        RecordingSettings(directory=tmp_path / "recordings"),
        sink=ListSink(),
    )  # fmt: skip
    remote = await process.start()
    try:
        async with talking(remote, spoken["machine"]) as (endpoint, _):  # type: ignore[arg-type]
            detection = await remote.detect_machine(endpoint, AmdSettings(), greeting_end_s=1.0)
            assert process.process is not None
            process.process.kill()
            verdict = await asyncio.wait_for(detection.verdict(), 10)
            assert await asyncio.wait_for(detection.greeting_end(), 5) is None
        assert (verdict.end, verdict.result) == (DetectionEnd.LOST, None)
        assert await asyncio.wait_for(process.failed, 10)  # the server is told, loudly
    finally:
        await process.stop()
