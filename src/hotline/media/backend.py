"""The `MediaBackend` interface: everything call control (`hotline.calls`) asks of media, as
plain values — never SDP text, never sockets (DESIGN §5, ADR 0022).

A backend declares what it can do as data (`Capabilities`), so call control checks
`backend.capabilities.supports(Capability.WHISPER)` instead of guessing, and a second backend
(rtpengine) can be added that lacks some features. The in-process `MediaEngine` implements all.

Lifecycle of one leg's media:

    local = await media.create_endpoint(EndpointContext(tenant, interaction, leg))
    # put local.address, local.port, local.codecs, local.telephone_event_pt in the SDP
    await media.apply_remote(local.endpoint_id, RemoteMedia(address, port, "PCMU", 0, 101))
    playback = await media.play(local.endpoint_id, [TtsText("您好", "zh")], barge_in=True)
    reason = await playback.wait()
    await media.bridge(local.endpoint_id, agent.endpoint_id)
    await media.release(local.endpoint_id)
"""

from __future__ import annotations

import asyncio
import dataclasses
import enum
from collections.abc import AsyncIterator, Callable, Sequence
from typing import NewType, Protocol

import numpy as np
import numpy.typing as npt

from hotline.amd import AmdSettings
from hotline.media.detection import MachineDetection
from hotline.media.dtmf import DtmfDigit
from hotline.media.errors import MediaError
from hotline.media.mixer import ConferenceMode
from hotline.media.player import PlaybackEnd, PlayItem

__all__ = [
    "AudioTap",
    "Capabilities",
    "Capability",
    "CodecOffer",
    "ConferenceId",
    "ConferenceMode",
    "Direction",
    "DtmfCallback",
    "EndpointContext",
    "EndpointId",
    "FramePort",
    "LocalMedia",
    "MediaBackend",
    "Playback",
    "QualitySnapshot",
    "RecordingId",
    "RecordingInfo",
    "RemoteMedia",
    "SrtpParams",
    "Unsupported",
]

EndpointId = NewType("EndpointId", str)
ConferenceId = NewType("ConferenceId", str)
RecordingId = NewType("RecordingId", str)
Pcm = npt.NDArray[np.int16]


class Capability(enum.StrEnum):
    RELAY = "relay"  # bridge without decoding when codecs match
    TRANSCODE = "transcode"  # bridge PCMU <-> PCMA
    RFC4733_DTMF = "rfc4733_dtmf"
    INBAND_DTMF = "inband_dtmf"  # detect DTMF tones in the audio
    SEND_DTMF = "send_dtmf"
    PLAYBACK = "playback"  # WAV prompts, tones, silence
    TTS = "tts"  # text items in playlists
    BARGE_IN = "barge_in"
    SHARED_MOH = "shared_moh"  # one stream per music source, fanned out
    STEREO_RECORDING = "stereo_recording"  # customer left, what the customer hears right
    RECORDING_PAUSE = "recording_pause"
    CONFERENCE = "conference"
    MONITOR = "monitor"  # listen-only participants
    WHISPER = "whisper"
    BARGE = "barge"
    RTCP_QUALITY = "rtcp_quality"
    SYMMETRIC_LATCHING = "symmetric_latching"
    FRAME_ENDPOINTS = "frame_endpoints"  # non-RTP endpoints that exchange PCM frames (WebRTC)
    SRTP = "srtp"  # RFC 3711 with SDES keys (LocalMedia.srtp_key, RemoteMedia.srtp)
    AUDIO_TAP = "audio_tap"  # hand a leg's received audio, decoded, to a callback each tick
    MACHINE_DETECTION = "machine_detection"  # answering-machine detection next to the audio


class Unsupported(MediaError):
    code = "media.capability.unsupported"


@dataclasses.dataclass(frozen=True, slots=True)
class Capabilities:
    features: frozenset[Capability]
    codecs: tuple[str, ...] = ("PCMU", "PCMA")
    ptime_ms: tuple[int, ...] = (20,)
    max_endpoints: int | None = None

    def supports(self, capability: Capability) -> bool:
        return capability in self.features

    def require(self, capability: Capability) -> None:
        if capability not in self.features:
            raise Unsupported(
                f"this media backend cannot do {capability.value}",
                details={"capability": capability.value},
            )


class Direction(enum.StrEnum):
    """The remote's SDP direction attribute (RFC 3264 §5.1), seen from the remote."""

    SENDRECV = "sendrecv"
    SENDONLY = "sendonly"  # the remote holds us: we must not send
    RECVONLY = "recvonly"
    INACTIVE = "inactive"

    @property
    def we_send(self) -> bool:
        return self in (Direction.SENDRECV, Direction.RECVONLY)

    @property
    def we_receive(self) -> bool:
        return self in (Direction.SENDRECV, Direction.SENDONLY)


@dataclasses.dataclass(frozen=True, slots=True)
class EndpointContext:
    """Who an endpoint belongs to: the envelope of the events it causes."""

    tenant_id: str
    interaction_id: str | None = None
    leg_id: str | None = None
    agent_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class CodecOffer:
    name: str  # "PCMU"
    payload_type: int
    clock_rate: int = 8000


@dataclasses.dataclass(frozen=True, slots=True)
class LocalMedia:
    """What to put in our SDP for one endpoint."""

    endpoint_id: EndpointId
    address: str
    port: int
    rtcp_port: int
    codecs: tuple[CodecOffer, ...]
    telephone_event_pt: int
    ptime_ms: int = 20
    # Our SRTP master key and salt for SDES offers and answers (None: no SRTP on this backend).
    srtp_key: bytes | None = dataclasses.field(default=None, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class SrtpParams:
    """SRTP agreed by offer/answer: protect with `local_key`, check with `remote_key`."""

    suite: str
    local_key: bytes = dataclasses.field(repr=False)
    remote_key: bytes = dataclasses.field(repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class RemoteMedia:
    """The negotiated remote side, from the peer's SDP (parsed by `hotline.sip`)."""

    address: str
    port: int
    codec: str  # the codec chosen by offer/answer: "PCMU" or "PCMA"
    payload_type: int
    telephone_event_pt: int | None = None  # None: the peer sends DTMF in-band only
    ptime_ms: int = 20
    direction: Direction = Direction.SENDRECV
    rtcp_port: int | None = None  # a=rtcp (RFC 3605); default port + 1
    srtp: SrtpParams | None = None  # None: plain RTP


@dataclasses.dataclass(frozen=True, slots=True)
class QualitySnapshot:
    """RTCP-style figures for one endpoint (RFC 3550 §6.4): ours about what we receive, and
    the peer's report about what it receives from us."""

    packets_received: int
    packets_lost: int
    fraction_lost: float  # 0..1 since the previous report
    jitter_ms: float
    packets_sent: int
    remote_fraction_lost: float | None = None
    remote_jitter_ms: float | None = None
    round_trip_ms: float | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RecordingInfo:
    recording_id: RecordingId
    path: str  # storage key, relative to the recordings root
    duration_s: float
    channels: int
    sha256: str
    paused_spans: tuple[tuple[float, float], ...]  # (start, end) seconds into the recording
    size_bytes: int


DtmfCallback = Callable[[EndpointId, DtmfDigit], None]

AudioTap = Callable[[Pcm], None]
"""Called on every tick of the engine's clock with the audio the leg received since the last
tick, decoded to 8 kHz int16 (an empty array when nothing came). Runs on the media clock: it
must be quick and must not block (ADR 0197)."""


class Playback:
    """A playlist playing on one endpoint: `await playback.wait()` for how it ended."""

    def __init__(self, endpoint_id: EndpointId) -> None:
        self.endpoint_id = endpoint_id
        self._done: asyncio.Future[PlaybackEnd] = asyncio.get_running_loop().create_future()

    @property
    def finished(self) -> bool:
        return self._done.done()

    def _finish(self, reason: PlaybackEnd) -> None:
        if not self._done.done():
            self._done.set_result(reason)

    async def wait(self) -> PlaybackEnd:
        return await asyncio.shield(self._done)

    def add_done_callback(self, callback: Callable[[PlaybackEnd], None]) -> None:
        self._done.add_done_callback(lambda future: callback(future.result()))


class FramePort(Protocol):
    """The engine side of a non-RTP endpoint (the WebRTC seam, issue 7): the engine hands it one
    20 ms 8 kHz frame per tick; the endpoint pushes what it hears with `engine.push_frame()`."""

    def deliver(self, pcm: Pcm) -> None:
        """Called on the engine's tick; must not block."""
        ...


class MediaBackend(Protocol):
    capabilities: Capabilities

    # Endpoints -------------------------------------------------------------------------
    async def create_endpoint(
        self, context: EndpointContext, *, on_dtmf: DtmfCallback | None = None,
        inband_dtmf: bool | None = None,
    ) -> LocalMedia: ...  # fmt: skip

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId: ...

    async def apply_remote(self, endpoint: EndpointId, remote: RemoteMedia) -> None: ...

    async def release(self, endpoint: EndpointId) -> None: ...

    # Playback, hold music and DTMF -----------------------------------------------------
    async def play(
        self, endpoint: EndpointId, items: Sequence[PlayItem], *, barge_in: bool = False
    ) -> Playback: ...

    async def stop_playback(self, endpoint: EndpointId) -> None: ...

    async def start_moh(self, endpoint: EndpointId, source: str = "default") -> None: ...

    async def stop_moh(self, endpoint: EndpointId) -> None: ...

    def dtmf_events(self, endpoint: EndpointId) -> AsyncIterator[DtmfDigit]: ...

    async def send_dtmf(
        self, endpoint: EndpointId, digits: str, *, duration_ms: int = 100
    ) -> None: ...

    # Listening to what a leg receives (Capability.AUDIO_TAP) ---------------------------
    async def tap_audio(self, endpoint: EndpointId, tap: AudioTap) -> None:
        """Hand the leg's received audio to `tap` every tick until `untap_audio`; one tap per
        leg (a second replaces the first)."""
        ...

    async def untap_audio(self, endpoint: EndpointId) -> None: ...

    # Answering-machine detection (Capability.MACHINE_DETECTION) ------------------------
    async def detect_machine(
        self,
        endpoint: EndpointId,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None = None,
        max_greeting_wait_s: float = 30.0,
    ) -> MachineDetection:
        """Listen to what the leg receives and decide whether a machine answered, where the
        audio is (no audio leaves the media side); with `greeting_end_s`, a machine is listened
        to on until that much silence ends its greeting (at most `max_greeting_wait_s`). The
        listening ends by itself; one per leg (a second replaces the first, which ends
        STOPPED); releasing the endpoint ends it ENDED."""
        ...

    async def stop_detection(self, endpoint: EndpointId) -> None:
        """Stop listening to the leg (its detection, if not over, ends STOPPED)."""
        ...

    # Bridges and conferences -----------------------------------------------------------
    async def bridge(self, a: EndpointId, b: EndpointId) -> None: ...

    async def unbridge(self, endpoint: EndpointId) -> None: ...

    async def create_conference(self, context: EndpointContext) -> ConferenceId: ...

    async def join_conference(
        self, conference: ConferenceId, endpoint: EndpointId,
        mode: ConferenceMode = ConferenceMode.FULL, *, whisper_to: EndpointId | None = None,
    ) -> None: ...  # fmt: skip

    async def set_conference_mode(
        self, conference: ConferenceId, endpoint: EndpointId, mode: ConferenceMode,
        *, whisper_to: EndpointId | None = None,
    ) -> None: ...  # fmt: skip

    async def leave_conference(self, conference: ConferenceId, endpoint: EndpointId) -> None: ...

    async def destroy_conference(self, conference: ConferenceId) -> None: ...

    # Recording -------------------------------------------------------------------------
    async def start_recording(self, customer: EndpointId) -> RecordingId: ...

    async def pause_recording(self, recording: RecordingId) -> None: ...

    async def resume_recording(self, recording: RecordingId) -> None: ...

    async def stop_recording(self, recording: RecordingId) -> RecordingInfo: ...

    # Quality ---------------------------------------------------------------------------
    def quality(self, endpoint: EndpointId) -> QualitySnapshot: ...
