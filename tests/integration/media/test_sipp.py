"""Acceptance with a real peer: sipp calls a sipp UAS whose SDP answer names the engine's RTP
port, then plays the pcaps Debian's sip-tester ships; the RTP lands on the engine."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import numpy as np
import pytest

from hotline.media.backend import EndpointContext, EndpointId, RemoteMedia
from hotline.media.codecs import g711
from hotline.media.dtmf import DtmfDigit, DtmfSource
from hotline.media.engine import MediaEngine
from hotline.media.rtp import RtpPacket
from hotline.media.wav import read_wav
from tests.conftest import require_tool
from tests.integration.media.peers import RtpPeer, storage_of
from tests.ports import free_ports
from tests.unit.media.pcap import SIPP_PCAPS, rtp_packets

pytestmark = pytest.mark.sipp

DATA = Path(__file__).parents[2] / "data" / "media"


async def sipp_call(uac_scenario: str, engine_port: int, tmp_path: Path) -> int:
    """One call from a sipp UAC to a sipp UAS answering with `engine_port`; returns the UAC's
    media port (the RTP source the engine expects). Fails the test if either sipp fails."""
    sipp = require_tool("sipp")
    base = free_ports(40)  # both sipps' SIP and media ports, from one checked block
    uas_port, uac_port = base, base + 2
    uas_media, uac_media = base + 10, base + 20  # each sipp needs its own -mp (and the next few)
    common = ["-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "40s", "-timeout_error"]
    uas = await asyncio.create_subprocess_exec(
        sipp, "-sf", str(DATA / "sipp_uas_engine_sdp.xml"), "-p", str(uas_port),
        "-mp", str(uas_media), "-key", "engine_port", str(engine_port), *common,
        cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    uac = await asyncio.create_subprocess_exec(
        sipp, "-sf", str(DATA / uac_scenario), f"127.0.0.1:{uas_port}", "-p", str(uac_port),
        "-mp", str(uac_media), *common,
        cwd=tmp_path, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        async with asyncio.timeout(45):
            _, uac_err = await uac.communicate()
            _, uas_err = await uas.communicate()
    finally:
        for process in (uac, uas):
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert uac.returncode == 0, uac_err.decode(errors="replace")
    assert uas.returncode == 0, uas_err.decode(errors="replace")
    return uac_media


async def engine_leg(engine: MediaEngine, **kw: object) -> tuple[EndpointId, int]:
    local = await engine.create_endpoint(EndpointContext("acme", "CALL", "CUSTOMER"), **kw)  # type: ignore[arg-type]
    return local.endpoint_id, local.port


async def test_rfc2833_digits_from_sipp_pcaps_are_all_detected(
    engine: MediaEngine, tmp_path: Path
) -> None:
    digits: list[DtmfDigit] = []
    endpoint, port = await engine_leg(engine, on_dtmf=lambda e, d: digits.append(d))
    # Where sipp sends from is only known once packets arrive: latching finds it.
    await engine.apply_remote(endpoint, RemoteMedia("127.0.0.1", 9, "PCMA", 8, 101))
    await sipp_call("sipp_uac_dtmf_pcaps.xml", port, tmp_path)
    await asyncio.sleep(0.1)
    assert [d.digit for d in digits] == list("123456789*0#")
    assert {d.source for d in digits} == {DtmfSource.RFC4733}
    assert all(d.duration_ms >= 40 for d in digits)


async def test_sipp_audio_relayed_through_a_bridge_arrives_bit_exact(
    engine: MediaEngine, tmp_path: Path
) -> None:
    caller, caller_port = await engine_leg(engine)
    await engine.apply_remote(caller, RemoteMedia("127.0.0.1", 9, "PCMA", 8, 101))
    agent_phone = await RtpPeer.open()
    agent, _ = await engine_leg(engine)
    await engine.apply_remote(agent, RemoteMedia("127.0.0.1", agent_phone.port, "PCMA", 8, 101))
    await engine.bridge(caller, agent)
    await sipp_call("sipp_uac_g711a_pcap.xml", caller_port, tmp_path)
    await asyncio.sleep(0.1)
    sent = [RtpPacket.parse(d).payload for _, d in rtp_packets(SIPP_PCAPS / "g711a.pcap")]
    received = [p.payload for p in agent_phone.rtp() if len(p.payload) == 240]
    assert len(sent) == 236
    assert received == sent  # every 30 ms packet, byte for byte, in order
    agent_phone.close()


async def test_recording_of_a_sipp_caller_keeps_each_side_in_its_channel(
    engine: MediaEngine, tmp_path: Path
) -> None:
    customer, port = await engine_leg(engine)
    await engine.apply_remote(customer, RemoteMedia("127.0.0.1", 9, "PCMA", 8, 101))
    agent_phone = await RtpPeer.open()
    agent, agent_port = await engine_leg(engine)
    await engine.apply_remote(agent, RemoteMedia("127.0.0.1", agent_phone.port, "PCMA", 8, 101))
    await engine.bridge(customer, agent)
    recording = await engine.start_recording(customer)
    loop = asyncio.get_running_loop()
    started = loop.time()

    bursts: list[float] = []  # when each burst's first frame really left (a late wake-up)

    async def agent_talks() -> None:
        # Silence, with 1.4 kHz bursts of 200 ms starting at 1 s, 3 s and 5 s.
        for i in range(350):
            at = i * 0.02
            n = np.arange(i * 160, (i + 1) * 160)
            loud = any(s <= at < s + 0.2 for s in (1.0, 3.0, 5.0))
            pcm = (8000 * np.sin(2 * math.pi * 1400 * n / 8000)) if loud else np.zeros(160)
            if i in (50, 150, 250):
                bursts.append(loop.time() - started)
            agent_phone.send(
                g711.alaw_encode(pcm.astype(np.int16)), ("127.0.0.1", agent_port), pt=8
            )
            await asyncio.sleep(max(0.0, started + at + 0.02 - loop.time()))

    await asyncio.gather(agent_talks(), sipp_call("sipp_uac_g711a_pcap.xml", port, tmp_path))
    info = await engine.stop_recording(recording)
    audio = read_wav(storage_of(engine).path(info.path))
    left, right = audio.samples[:, 0], audio.samples[:, 1]
    probe = np.exp(-2j * math.pi * 1400 * np.arange(80) / 8000)
    level = np.array([abs(right[i : i + 80] @ probe) / 40 for i in range(0, len(right) - 80, 40)])
    onsets = [i * 40 / 8000 for i in range(1, len(level)) if level[i] > 2000 >= level[i - 1]]
    assert len(onsets) == 3
    for onset, expected in zip(onsets, bursts, strict=True):
        assert abs(onset - expected) <= 0.04
    # The agent's tone is not in the customer channel: over each 200 ms burst a steady tone
    # integrates to its amplitude (8000), speech to far less.
    burst = np.exp(-2j * math.pi * 1400 * np.arange(1600) / 8000)
    for onset in onsets:
        start = round(onset * 8000)
        assert abs(right[start : start + 1600] @ burst) / 800 > 6000
        assert abs(left[start : start + 1600] @ burst) / 800 < 800
    # The customer channel holds sipp's recording of a voice: find it by correlation.
    packets = rtp_packets(SIPP_PCAPS / "g711a.pcap")
    pcap = np.concatenate([g711.alaw_decode(RtpPacket.parse(d).payload) for _, d in packets])
    pcap = pcap.astype(float)
    speech = pcap[8000:16000]  # one second from inside the capture
    scores = np.correlate(left, speech, mode="valid")
    best = int(np.argmax(scores))
    similarity = scores[best] / (np.linalg.norm(left[best : best + 8000]) * np.linalg.norm(speech))
    assert similarity > 0.99
    assert np.abs(right).max() > 1000
    agent_phone.close()
