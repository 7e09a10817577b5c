"""An in-process SIP phone for the call-control tests: its own `SipService` on a loopback port
and its audio on a separate `MediaEngine`, so every packet really crosses a socket.

It places calls (`dial`), auto-answers calls sent to it, plays tones, sends RFC 4733 digits and
records what it hears (stereo WAV: left = what it received).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hotline.calls.media_sdp import answer_for, offer_for, remote_media
from hotline.clock import SystemClock
from hotline.events import ListSink
from hotline.media import FileRecordingStorage, MediaEngine, PromptLibrary, Tone, ToneSpec
from hotline.media.backend import EndpointContext, EndpointId, LocalMedia, RecordingId
from hotline.media.wav import read_wav
from hotline.sip.transport.calls import CallSession, IncomingCall
from hotline.sip.transport.service import SipService, SipServiceConfig
from hotline.sip.trunk import CallerId
from tests.integration.media.peers import free_port_range


@dataclass
class PhoneCall:
    session: CallSession
    local: LocalMedia
    phone: SoftPhone
    recording: RecordingId | None = None
    digits: list[str] = field(default_factory=list)

    @property
    def endpoint(self) -> EndpointId:
        return self.local.endpoint_id

    async def tone(self, hz: float, seconds: float = 30.0) -> None:
        spec = ToneSpec(f"{hz}", (hz,), level_dbm0=-12.0)
        await self.phone.engine.play(self.endpoint, [Tone(spec, seconds)])

    async def record(self) -> None:
        self.recording = await self.phone.engine.start_recording(self.endpoint)

    async def heard(self) -> np.ndarray:
        """What this phone received so far (the left channel of its recording)."""
        assert self.recording is not None
        info = await self.phone.engine.stop_recording(self.recording)
        self.recording = None
        storage = self.phone.engine.storage
        assert isinstance(storage, FileRecordingStorage)
        audio = read_wav(storage.path(info.path))
        samples: np.ndarray = audio.samples[:, 0]
        return samples

    async def send_digits(self, digits: str) -> None:
        await self.phone.engine.send_dtmf(self.endpoint, digits, duration_ms=120)

    async def hangup(self) -> None:
        await self.session.hangup()


class SoftPhone:
    def __init__(self, service: SipService, engine: MediaEngine) -> None:
        self.service = service
        self.engine = engine
        self.answered: asyncio.Queue[PhoneCall] = asyncio.Queue()
        self.incoming: asyncio.Queue[IncomingCall] = asyncio.Queue()
        self.auto_answer = True
        service.on_call = self._on_call

    @property
    def port(self) -> int:
        return self.service.local["udp"].port

    async def _endpoint(self) -> LocalMedia:
        return await self.engine.create_endpoint(EndpointContext("phone"))

    async def _on_call(self, call: IncomingCall) -> None:
        self.incoming.put_nowait(call)
        await call.ring()
        if not self.auto_answer:
            return
        assert call.offer is not None
        local = await self._endpoint()
        sdp, negotiated = answer_for(call.offer, local, session_id=7)
        await self.engine.apply_remote(local.endpoint_id, remote_media(negotiated))
        session = await call.answer(sdp, negotiated)
        self.answered.put_nowait(PhoneCall(session, local, self))

    async def dial(self, uri: str, *, number: str = "13800138000") -> PhoneCall:
        local = await self._endpoint()
        offer = offer_for(local, session_id=5)
        call = await self.service.invite(uri, sdp=offer, caller_id=CallerId(number, "Caller"))
        session = await call.wait(timeout=10)
        assert session.media is not None
        await self.engine.apply_remote(local.endpoint_id, remote_media(session.media))
        return PhoneCall(session, local, self)


@contextlib.asynccontextmanager
async def softphone(tmp: Path, name: str = "phone") -> AsyncIterator[SoftPhone]:
    low, high = free_port_range(100)
    engine = MediaEngine(
        port_min=low,
        port_max=high,
        sink=ListSink(),
        prompts=PromptLibrary(prompts_dir=tmp),
        storage=FileRecordingStorage(tmp / f"{name}-recordings"),
    )
    await engine.start()
    service = SipService(
        SipServiceConfig(udp_port=0, tcp_port=None, authenticate_invites=False),
        clock=SystemClock(),
        events=ListSink(),
    )
    await service.start()
    try:
        yield SoftPhone(service, engine)
    finally:
        await service.stop()
        await engine.close()


def tone_level(samples: np.ndarray, hz: float, rate: int = 8000) -> float:
    """Relative energy of `hz` in `samples` (Goertzel over the whole signal), 0..1."""
    x = samples.astype(np.float64)
    if len(x) == 0:
        return 0.0
    n = np.arange(len(x))
    ref = np.exp(-2j * np.pi * hz * n / rate)
    power = abs(np.dot(x, ref)) ** 2 / len(x)
    total = float(np.dot(x, x)) + 1e-9
    return float(power / total)
