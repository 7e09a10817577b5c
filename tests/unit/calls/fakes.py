"""Fakes of the SIP service and the media backend for pure call-control tests.

`FakeSip` satisfies `hotline.calls.SipCalls`; the INVITEs it "sends" are `FakeOutgoing` objects
the test answers, rejects or lets ring. `FakeMedia` satisfies `MediaBackend` and keeps who is
bridged, conferenced, playing or hearing music, so tests assert on topology, not on packets.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field

from hotline.amd import AmdSettings
from hotline.events import EventSink
from hotline.media.backend import (
    AudioTap,
    Capabilities,
    Capability,
    CodecOffer,
    ConferenceId,
    ConferenceMode,
    DtmfCallback,
    EndpointContext,
    EndpointId,
    FramePort,
    LocalMedia,
    Playback,
    QualitySnapshot,
    RecordingId,
    RecordingInfo,
    RemoteMedia,
)
from hotline.media.detection import DetectionEnd, MachineDetection, MachineDetections
from hotline.media.dtmf import DtmfDigit, DtmfSource
from hotline.media.events import RecordingPaused, RecordingResumed
from hotline.media.player import PlaybackEnd, PlayItem
from hotline.sip.address import Address
from hotline.sip.errors import OutboundCapReached, OutboundDenied
from hotline.sip.offeranswer import PCMU, NegotiatedMedia
from hotline.sip.policy import OutboundPermit, OutboundPolicy
from hotline.sip.refer import Replaces, parse_refer_to
from hotline.sip.registrar import Binding
from hotline.sip.sdp import Direction, SessionDescription
from hotline.sip.transport.calls import (
    CallFailed,
    DtmfReceived,
    MediaChanged,
    OfferHandler,
    Progress,
    RemoteHangup,
    SessionEvent,
    TransferRequested,
)
from hotline.sip.trunk import CallerId, Trunk

NEGOTIATED = NegotiatedMedia("127.0.0.1", 40_000, PCMU, 101, Direction.SENDRECV)


class FakeSession:
    def __init__(self, call_id: str) -> None:
        self._call_id = call_id
        self.media: NegotiatedMedia | None = NEGOTIATED
        self.local_sdp: SessionDescription | None = None
        self.offer_handler: OfferHandler | None = None
        self._confirmed = asyncio.Event()
        self._confirmed.set()
        self._ended = asyncio.Event()
        self._queue: asyncio.Queue[SessionEvent] = asyncio.Queue()
        self.hangups: list[int | None] = []
        self.reinvites: list[str] = []
        self.refers: list[tuple[str, Replaces | None]] = []
        self.notifies: list[int] = []

    @property
    def call_id(self) -> str:
        return self._call_id

    @property
    def confirmed(self) -> asyncio.Event:
        return self._confirmed

    @property
    def ended(self) -> asyncio.Event:
        return self._ended

    async def events(self) -> AsyncIterator[SessionEvent]:
        while not (self._ended.is_set() and self._queue.empty()):
            get = asyncio.ensure_future(self._queue.get())
            end = asyncio.ensure_future(self._ended.wait())
            done, _ = await asyncio.wait({get, end}, return_when=asyncio.FIRST_COMPLETED)
            if get in done:
                end.cancel()
                yield get.result()
            else:
                get.cancel()

    # --- what the far end does ---
    def remote_hangup(self, reason: str | None = None) -> None:
        self._queue.put_nowait(RemoteHangup(reason))
        self._ended.set()

    def remote_dtmf(self, digit: str) -> None:
        self._queue.put_nowait(DtmfReceived(digit, 100))

    def remote_refer(self, uri: str) -> None:
        self._queue.put_nowait(TransferRequested(parse_refer_to(f"<{uri}>"), None))

    def remote_hold(self, held: bool) -> None:
        direction = Direction.RECVONLY if held else Direction.SENDRECV
        media = NegotiatedMedia("127.0.0.1", 40_000, PCMU, 101, direction)
        self.media = media
        self._queue.put_nowait(MediaChanged(None, SessionDescription(), media))

    # --- what call control does ---
    async def hangup(self, *, q850_cause: int | None = 16, text: str | None = None) -> int:
        self.hangups.append(q850_cause)
        self._ended.set()
        return 200

    async def reinvite(self, sdp: SessionDescription) -> SessionDescription:
        self.reinvites.append("reinvite")
        return sdp

    async def hold(self) -> SessionDescription:
        self.reinvites.append("hold")
        self.media = NegotiatedMedia("127.0.0.1", 40_000, PCMU, 101, Direction.SENDONLY)
        return SessionDescription()

    async def resume(self) -> SessionDescription:
        self.reinvites.append("resume")
        self.media = NEGOTIATED
        return SessionDescription()

    async def refer(self, target: str, *, replaces: Replaces | None = None) -> int:
        self.refers.append((target, replaces))
        return 202

    async def notify_transfer(self, status: int, reason: str | None = None) -> int:
        self.notifies.append(status)
        return 200

    def snapshot(self) -> dict[str, object] | None:
        return {"dialog": {"call_id": self._call_id}, "flow": None}


class FakeInvite:
    """An inbound INVITE."""

    def __init__(
        self,
        *,
        did: str | None = "4001",
        number: str | None = "13800138000",
        user: str | None = None,
        offer: SessionDescription | None = None,
        call_id: str = "inbound-1",
    ) -> None:
        from hotline.sip.offeranswer import make_offer

        self.source = Address("udp", "127.0.0.1", 5099)
        self.trunk: Trunk | None = None
        self.user = user
        self.did = did
        self.caller_id = CallerId(number, "Caller")
        self.offer = offer or make_offer("127.0.0.1", 40_000, session_id=1)
        self.replaces: Replaces | None = None
        self.cancelled = asyncio.Event()
        self._call_id = call_id
        self.responses: list[int] = []
        self.rejected: tuple[int, int | None] | None = None
        self.session: FakeSession | None = None

    @property
    def call_id(self) -> str:
        return self._call_id

    @property
    def pending(self) -> bool:
        return self.session is None and self.rejected is None and not self.cancelled.is_set()

    async def ring(self) -> None:
        self.responses.append(180)

    async def progress(self, sdp: SessionDescription) -> None:
        self.responses.append(183)

    async def answer(
        self, sdp: SessionDescription, media: NegotiatedMedia | None = None
    ) -> FakeSession:
        if not self.pending:
            raise CallFailed(487, "gone")
        self.responses.append(200)
        self.session = FakeSession(self._call_id)
        self.session.local_sdp = sdp
        return self.session

    async def reject(
        self,
        status: int = 486,
        reason: str | None = None,
        *,
        q850_cause: int | None = None,
        extra: list[tuple[str, str]] | None = None,
    ) -> None:
        if self.pending:
            self.responses.append(status)
            self.rejected = (status, q850_cause)

    def cancel(self) -> None:
        self.cancelled.set()


class FakeOutgoing:
    """An INVITE call control sent; the test decides what the far end does."""

    def __init__(self, target: str, caller_id: CallerId | None, trunk: str | None) -> None:
        self.target = target
        self.caller_id = caller_id
        self.trunk = trunk
        self._result: asyncio.Future[FakeSession] = asyncio.get_running_loop().create_future()
        self._progress: asyncio.Queue[Progress] = asyncio.Queue()
        self.cancelled = False
        self.session: FakeSession | None = None

    @property
    def call_id(self) -> str:
        return f"out-{self.target}"

    @property
    def done(self) -> bool:
        return self._result.done()

    async def wait(self, timeout: float | None = None) -> FakeSession:
        return await asyncio.wait_for(asyncio.shield(self._result), timeout)

    async def next_progress(self, timeout: float | None = None) -> Progress:
        return await asyncio.wait_for(self._progress.get(), timeout)

    def cancel(self) -> None:
        if not self._result.done():
            self.cancelled = True
            self.fail(487)

    # --- the far end ---
    def ring(self) -> None:
        self._progress.put_nowait(Progress(180, "Ringing", None))

    def answer(self) -> FakeSession:
        self.session = FakeSession(self.call_id)
        self._result.set_result(self.session)
        return self.session

    def fail(self, status: int) -> None:
        if not self._result.done():
            self._result.set_exception(CallFailed(status, "failed"))
            self._result.exception()


@dataclass
class FakeSip:
    registered: set[str] = field(default_factory=set)
    outgoing: list[FakeOutgoing] = field(default_factory=list)
    sent: asyncio.Queue[FakeOutgoing] = field(default_factory=asyncio.Queue)
    auto_answer: bool = False
    sessions: dict[str, FakeSession] = field(default_factory=dict)
    ended_dialogs: list[tuple[Mapping[str, object], int]] = field(default_factory=list)

    async def end_dialog(self, snapshot: Mapping[str, object], *, q850_cause: int = 41) -> int:
        self.ended_dialogs.append((snapshot, q850_cause))
        return 200

    async def invite(
        self,
        target: str,
        *,
        sdp: SessionDescription,
        caller_id: CallerId | None = None,
        trunk: Trunk | str | None = None,
        transport: str | None = None,
        extra_headers: Sequence[tuple[str, str]] = (),
    ) -> FakeOutgoing:
        if ":" not in target and trunk is None and target not in self.registered:
            raise CallFailed(480, f"{target} is not registered")
        name = trunk.name if isinstance(trunk, Trunk) else trunk
        call = FakeOutgoing(target, caller_id, name)
        self.outgoing.append(call)
        self.sent.put_nowait(call)
        if self.auto_answer:
            call.answer()
        return call

    def contacts(self, aor: str) -> list[Binding]:
        if aor not in self.registered:
            return []
        source = Address("udp", "127.0.0.1", 5070)
        return [Binding(aor, f"sip:{aor}@127.0.0.1:5070", 1e12, source, "cid", 1)]

    def acquire_outbound(
        self, policy: OutboundPolicy, tenant_id: str, role: str, number: str
    ) -> OutboundPermit:
        try:
            return policy.acquire(tenant_id, role, number)
        except (OutboundDenied, OutboundCapReached):
            raise

    def find_replaced(self, replaces: Replaces) -> FakeSession | None:
        return self.sessions.get(replaces.call_id)

    async def next_invite(self, timeout: float = 1.0) -> FakeOutgoing:
        return await asyncio.wait_for(self.sent.get(), timeout)


@dataclass
class FakeEndpoint:
    context: EndpointContext
    on_dtmf: DtmfCallback | None
    remote: RemoteMedia | None = None
    peer: EndpointId | None = None
    conference: ConferenceId | None = None
    mode: ConferenceMode | None = None
    moh: str | None = None
    playing: list[PlayItem] | None = None
    playback: Playback | None = None
    frame_port: FramePort | None = None
    released: bool = False


class FakeMedia:
    """A `MediaBackend` that keeps topology in dicts. Playback completes when the test calls
    `finish(endpoint)` — or at once with `auto_complete`."""

    capabilities = Capabilities(features=frozenset(Capability))

    def __init__(self, *, auto_complete: bool = True, sink: EventSink | None = None) -> None:
        self.auto_complete = auto_complete
        self.sink = sink  # recording.paused / .resumed, as the real engine emits them
        self.endpoints: dict[EndpointId, FakeEndpoint] = {}
        self.conferences: dict[ConferenceId, set[EndpointId]] = {}
        self.recordings: dict[RecordingId, EndpointId] = {}
        self.paused: set[RecordingId] = set()
        self.played: list[tuple[EndpointId, list[PlayItem]]] = []
        self.sent_digits: list[tuple[EndpointId, str]] = []
        self.taps: dict[EndpointId, AudioTap] = {}
        # The engine's own listeners, fed by what a test hands the leg's tap.
        self.detections = MachineDetections(time.monotonic, lambda e: self._untap(EndpointId(e)))
        self._next = 0

    def _id(self, prefix: str) -> str:
        self._next += 1
        return f"{prefix}{self._next}"

    def ep(self, endpoint: EndpointId) -> FakeEndpoint:
        return self.endpoints[endpoint]

    async def create_endpoint(
        self,
        context: EndpointContext,
        *,
        on_dtmf: DtmfCallback | None = None,
        inband_dtmf: bool | None = None,
    ) -> LocalMedia:
        endpoint = EndpointId(self._id("ep"))
        self.endpoints[endpoint] = FakeEndpoint(context, on_dtmf)
        return LocalMedia(
            endpoint, "127.0.0.1", 30_000 + 2 * self._next, 30_001 + 2 * self._next,
            (CodecOffer("PCMU", 0), CodecOffer("PCMA", 8)), 101,
        )  # fmt: skip

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId:
        endpoint = EndpointId(self._id("frames"))
        self.endpoints[endpoint] = FakeEndpoint(context, on_dtmf, frame_port=port)
        return endpoint

    async def apply_remote(self, endpoint: EndpointId, remote: RemoteMedia) -> None:
        self.ep(endpoint).remote = remote

    async def release(self, endpoint: EndpointId) -> None:
        ep = self.endpoints.get(endpoint)
        if ep is None or ep.released:
            return
        if self.detections.end(endpoint, DetectionEnd.ENDED):
            self.taps.pop(endpoint, None)
        await self.unbridge(endpoint)
        if ep.conference is not None:
            self.conferences[ep.conference].discard(endpoint)
        for recording, customer in list(self.recordings.items()):
            if customer == endpoint:
                del self.recordings[recording]
        self._finish_playback(ep, PlaybackEnd.STOPPED)
        ep.released = True

    def _finish_playback(self, ep: FakeEndpoint, reason: PlaybackEnd) -> None:
        if ep.playback is not None:
            ep.playback._finish(reason)
        ep.playback = None
        ep.playing = None

    async def play(
        self, endpoint: EndpointId, items: Sequence[PlayItem], *, barge_in: bool = False
    ) -> Playback:
        ep = self.ep(endpoint)
        self._finish_playback(ep, PlaybackEnd.STOPPED)
        playback = Playback(endpoint)
        self.played.append((endpoint, list(items)))
        if self.auto_complete:
            playback._finish(PlaybackEnd.COMPLETED)
        else:
            ep.playback, ep.playing = playback, list(items)
        return playback

    def finish(self, endpoint: EndpointId, reason: PlaybackEnd = PlaybackEnd.COMPLETED) -> None:
        self._finish_playback(self.ep(endpoint), reason)

    def press(self, endpoint: EndpointId, digits: str) -> None:
        """The far end presses keys (RFC 4733): barge-in, then the digits."""
        ep = self.ep(endpoint)
        for digit in digits:
            if ep.playback is not None:
                self._finish_playback(ep, PlaybackEnd.BARGE_IN)
            if ep.on_dtmf is not None:
                ep.on_dtmf(endpoint, DtmfDigit(digit, 100, DtmfSource.RFC4733))

    async def stop_playback(self, endpoint: EndpointId) -> None:
        self._finish_playback(self.ep(endpoint), PlaybackEnd.STOPPED)

    async def start_moh(self, endpoint: EndpointId, source: str = "default") -> None:
        self.ep(endpoint).moh = source

    async def stop_moh(self, endpoint: EndpointId) -> None:
        self.ep(endpoint).moh = None

    async def dtmf_events(self, endpoint: EndpointId) -> AsyncIterator[DtmfDigit]:
        if False:  # pragma: no cover - never yields: call control uses the callback
            yield DtmfDigit("0", 0, DtmfSource.RFC4733)

    async def send_dtmf(self, endpoint: EndpointId, digits: str, *, duration_ms: int = 100) -> None:
        self.sent_digits.append((endpoint, digits))

    async def tap_audio(self, endpoint: EndpointId, tap: AudioTap) -> None:
        self.taps[endpoint] = tap

    async def untap_audio(self, endpoint: EndpointId) -> None:
        self.detections.end(endpoint, DetectionEnd.STOPPED)
        self.taps.pop(endpoint, None)

    def _untap(self, endpoint: EndpointId) -> None:
        self.taps.pop(endpoint, None)

    async def detect_machine(
        self,
        endpoint: EndpointId,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None = None,
        max_greeting_wait_s: float = 30.0,
    ) -> MachineDetection:
        self.ep(endpoint)
        detection, tap = self.detections.start(
            endpoint, settings, greeting_end_s=greeting_end_s,
            max_greeting_wait_s=max_greeting_wait_s,
        )  # fmt: skip
        self.taps[endpoint] = tap
        return detection

    async def stop_detection(self, endpoint: EndpointId) -> None:
        if self.detections.end(endpoint, DetectionEnd.STOPPED):
            self.taps.pop(endpoint, None)

    async def bridge(self, a: EndpointId, b: EndpointId) -> None:
        for x in (a, b):
            ep = self.ep(x)
            if ep.peer is not None or ep.conference is not None:
                raise AssertionError(f"{x} already joined")
            ep.moh = None
        self.ep(a).peer, self.ep(b).peer = b, a

    async def unbridge(self, endpoint: EndpointId) -> None:
        ep = self.ep(endpoint)
        if ep.peer is not None:
            self.ep(ep.peer).peer = None
            ep.peer = None

    async def create_conference(self, context: EndpointContext) -> ConferenceId:
        conference = ConferenceId(self._id("conf"))
        self.conferences[conference] = set()
        return conference

    async def join_conference(
        self,
        conference: ConferenceId,
        endpoint: EndpointId,
        mode: ConferenceMode = ConferenceMode.FULL,
        *,
        whisper_to: EndpointId | None = None,
    ) -> None:
        await self.unbridge(endpoint)
        ep = self.ep(endpoint)
        ep.conference, ep.mode, ep.moh = conference, mode, None
        self.conferences[conference].add(endpoint)

    async def set_conference_mode(
        self,
        conference: ConferenceId,
        endpoint: EndpointId,
        mode: ConferenceMode,
        *,
        whisper_to: EndpointId | None = None,
    ) -> None:
        self.ep(endpoint).mode = mode

    async def leave_conference(self, conference: ConferenceId, endpoint: EndpointId) -> None:
        self.conferences[conference].discard(endpoint)
        ep = self.ep(endpoint)
        ep.conference = ep.mode = None

    async def destroy_conference(self, conference: ConferenceId) -> None:
        for endpoint in self.conferences.pop(conference, set()):
            ep = self.ep(endpoint)
            ep.conference = ep.mode = None

    async def start_recording(self, customer: EndpointId) -> RecordingId:
        recording = RecordingId(self._id("rec"))
        self.recordings[recording] = customer
        return recording

    async def pause_recording(self, recording: RecordingId) -> None:
        self.paused.add(recording)
        self._recording_event(RecordingPaused, recording)

    async def resume_recording(self, recording: RecordingId) -> None:
        self.paused.discard(recording)
        self._recording_event(RecordingResumed, recording)

    def _recording_event(
        self, kind: type[RecordingPaused] | type[RecordingResumed], recording: RecordingId
    ) -> None:
        if self.sink is None:
            return
        context = self.ep(self.recordings[recording]).context
        self.sink.emit(
            kind(
                tenant_id=context.tenant_id,
                at=0.0,
                interaction_id=context.interaction_id,
                leg_id=context.leg_id,
                recording_id=recording,
                offset_s=0.0,
            )
        )

    async def stop_recording(self, recording: RecordingId) -> RecordingInfo:
        customer = self.recordings.pop(recording)
        context = self.ep(customer).context
        path = f"{context.tenant_id}/{context.interaction_id}-{context.leg_id}.wav"
        return RecordingInfo(recording, path, 12.5, 2, "0" * 64, (), 200_000)

    def quality(self, endpoint: EndpointId) -> QualitySnapshot:
        return QualitySnapshot(0, 0, 0.0, 0.0, 0)
