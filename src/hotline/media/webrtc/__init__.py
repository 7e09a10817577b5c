"""Browser phones: one persistent WebRTC session per agent, terminated by aiortc and presented to
call control as a media-engine frame endpoint (DESIGN §5, docs/webrtc.md, ADRs 0053–0054).

The page opens the session at login and keeps it until logout; answering a call is only
`engine.bridge(customer, gateway.endpoint(agent))` — no ICE or DTLS per call. Audio is PCMU at
8 kHz: the browser's decoded audio is cut into the engine's 20 ms frames (`push_frame`); what
the engine delivers on its tick is µ-law encoded here and handed to aiortc as ready packets,
so the engine's one clock paces the browser stream too. DTMF comes over the signalling socket.

This package is the one place that imports aiortc and PyAV (`.importlinter`), and this file
the one module of it that does: the submodules (`sdp`, `audio`, `state`, `events`, `errors`)
are pure. aiortc runs its own sockets, tasks and a decoder thread per session (ADR 0053).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import fractions
import ipaddress
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

import aioice.ice
import av
import numpy as np
import numpy.typing as npt
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpSender,
    RTCSessionDescription,
)
from aiortc.exceptions import InvalidAccessError, InvalidStateError, OperationError
from aiortc.mediastreams import MediaStreamError

from hotline.clock import Clock, SystemClock
from hotline.errors import InvalidInput
from hotline.events import EventSink
from hotline.media.backend import DtmfCallback, EndpointContext, EndpointId, FramePort
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.dtmf import DTMF_EVENTS, DtmfDigit, DtmfSource
from hotline.media.errors import EndpointNotFound
from hotline.media.webrtc.audio import FRAME_SAMPLES, SAMPLE_RATE, FrameChunker, OutboundBuffer
from hotline.media.webrtc.errors import DtmfInvalid, OfferRejected, SessionNotFound
from hotline.media.webrtc.events import (
    BrowserConnected,
    BrowserDetached,
    BrowserDisconnected,
    DisconnectReason,
)
from hotline.media.webrtc.sdp import prepare_offer
from hotline.media.webrtc.state import SessionInput, SessionState, next_state

__all__ = [
    "BrowserConnected",
    "BrowserDisconnected",
    "BrowserSession",
    "DisconnectReason",
    "DtmfInvalid",
    "EngineTrack",
    "FrameEngine",
    "OfferRejected",
    "SessionNotFound",
    "SessionState",
    "StateListener",
    "WebRtcGateway",
    "ice_host_addresses",
]

log = logging.getLogger(__name__)

Pcm = npt.NDArray[np.int16]
# What a signalling connection hears about the peer connection it opened: "connected",
# "replaced" (another offer took the session over), or a DisconnectReason value.
StateListener = Callable[[str], None]
_TIME_BASE = fractions.Fraction(1, SAMPLE_RATE)


class FrameEngine(Protocol):
    """The part of `MediaEngine` the gateway uses (the frame-endpoint seam, docs/media.md)."""

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId: ...

    def push_frame(self, endpoint_id: EndpointId, pcm: Pcm) -> None: ...

    def push_dtmf(self, endpoint_id: EndpointId, digit: DtmfDigit) -> None: ...

    async def release(self, endpoint_id: EndpointId) -> None: ...


# ICE host address ----------------------------------------------------------------------------
# aioice gathers host candidates on every interface address except 127.0.0.1, with no per-
# connection option. The gateway must offer exactly its configured address (127.0.0.1 in tests),
# so gathering consults this context variable, set only around our own negotiation; any other
# aiortc user in the process keeps the library's behaviour.
_ICE_ADDRESSES: contextvars.ContextVar[tuple[str, ...] | None] = contextvars.ContextVar(
    "hotline_ice_addresses", default=None
)


def _install_ice_address_hook() -> None:
    library = aioice.ice.get_host_addresses
    if getattr(library, "hotline_hook", False):
        return

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        chosen = _ICE_ADDRESSES.get()
        return list(chosen) if chosen is not None else library(use_ipv4, use_ipv6)

    host_addresses.hotline_hook = True  # type: ignore[attr-defined]
    aioice.ice.get_host_addresses = host_addresses


@contextlib.contextmanager
def ice_host_addresses(addresses: Sequence[str]) -> Iterator[None]:
    """Inside this block (and the tasks it starts) aiortc gathers host candidates on
    `addresses` only. Tests use it for their own aiortc peers as well."""
    _install_ice_address_hook()
    token = _ICE_ADDRESSES.set(tuple(addresses))
    try:
        yield
    finally:
        _ICE_ADDRESSES.reset(token)


def _refuse_checks_from_off_loopback(pc: RTCPeerConnection) -> None:
    """A loopback gateway answers ICE checks from loopback sources only. A browser also sends
    checks from its LAN address to our 127.0.0.1 candidate (they travel over `lo` but carry the
    LAN source), which aioice would learn as a peer-reflexive candidate and might nominate.
    aiortc has no public handle on its ICE agent: this reaches `RTCIceTransport._connection`
    (aiortc 1.16; the browser test fails loudly if that changes)."""
    for transceiver in pc.getTransceivers():
        connection = transceiver.receiver.transport.transport._connection
        library = connection.request_received

        def request_received(
            message: Any, addr: tuple[str, int], protocol: Any, library: Any = library
        ) -> None:
            if ipaddress.ip_address(addr[0]).is_loopback:
                library(message, addr, protocol)

        connection.request_received = request_received  # type: ignore[method-assign]


def _pcmu_only() -> list[RTCRtpCodecCapability]:
    codecs = RTCRtpSender.getCapabilities("audio").codecs
    return [c for c in codecs if c.mimeType.lower() == "audio/pcmu"]


# The track aiortc sends ----------------------------------------------------------------------
class EngineTrack(MediaStreamTrack):
    """The browser's incoming audio: frames the engine delivers on its 20 ms tick, µ-law
    encoded here and returned to aiortc as ready packets (its PCMU encoder only packs them).
    `recv()` waits for the engine, so the engine's clock paces the stream."""

    kind = "audio"

    def __init__(self, capacity: int = 5) -> None:
        super().__init__()
        self.buffer = OutboundBuffer(capacity)
        self._ready = asyncio.Event()
        self.sent = 0

    def deliver(self, pcm: Pcm) -> None:
        """Called on the engine's tick: never blocks."""
        self.buffer.put(pcm)
        self._ready.set()

    async def recv(self) -> av.Packet[Any]:
        while True:
            if self.readyState != "live":
                raise MediaStreamError
            item = self.buffer.get()
            if item is not None:
                break
            self._ready.clear()
            await self._ready.wait()
        index, pcm = item
        packet = av.Packet(g711.encode(Codec.PCMU, pcm))
        packet.pts = index * FRAME_SAMPLES  # a dropped frame leaves a timestamp gap
        packet.time_base = _TIME_BASE
        self.sent += 1
        return packet

    def stop(self) -> None:
        super().stop()
        self._ready.set()  # wake a waiting recv() so that it raises


def _to_pcm(frame: av.AudioFrame, resampler: list[av.AudioResampler]) -> Pcm:
    """A decoded frame as 8 kHz mono int16 (PCMU decodes to exactly that; anything else is
    resampled, the resampler kept in `resampler[0]` for the stream's continuity)."""
    if (
        frame.sample_rate == SAMPLE_RATE
        and frame.layout.name == "mono"
        and frame.format.name == "s16"
    ):
        # The one plane as int16, copied out of PyAV's buffer (a third of `to_ndarray()`).
        return np.frombuffer(memoryview(frame.planes[0]), np.int16, frame.samples).copy()
    if not resampler:
        resampler.append(av.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE))
    parts = [f.to_ndarray().reshape(-1) for f in resampler[0].resample(frame)]
    return np.concatenate(parts).astype(np.int16, copy=False) if parts else np.zeros(0, np.int16)


# One peer connection -------------------------------------------------------------------------
class _PeerLink:
    def __init__(self, generation: int, listener: StateListener | None, capacity: int) -> None:
        self.generation = generation
        self.listener = listener
        self.track = EngineTrack(capacity)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))  # no STUN/TURN
        self.pump: asyncio.Task[None] | None = None
        self.connected = False
        self.closing = False
        self.frames_received = 0

    def notify(self, state: str) -> None:
        """Tell the signalling connection; after anything but "connected" it hears no more."""
        listener = self.listener
        if state != "connected":
            self.listener = None
        if listener is not None:
            try:
                listener(state)
            except Exception:  # a listener's bug must not break the media path
                log.exception("browser phone state listener failed")

    async def close(self) -> None:
        if self.closing:
            return
        self.closing = True
        self.track.stop()
        await self.pc.close()
        if self.pump is not None:
            self.pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.pump


class BrowserSession:
    """One agent's browser phone: a stable engine endpoint and the current peer connection.
    It is the endpoint's `FramePort`: the engine calls `deliver()` on every tick."""

    def __init__(self, agent_id: str, tenant_id: str) -> None:
        self.agent_id = agent_id
        self.tenant_id = tenant_id
        self.endpoint_id = EndpointId("")
        self.state = SessionState.CONNECTING
        self.ever_connected = False
        self.link: _PeerLink | None = None
        self.generation = 0
        self._past = {"received": 0, "sent": 0, "dropped": 0}  # of replaced peer connections

    def deliver(self, pcm: Pcm) -> None:
        link = self.link
        if link is not None and link.connected:  # before that, nobody would send it
            link.track.deliver(pcm)

    @property
    def closed(self) -> bool:
        return self.state is SessionState.CLOSED

    @property
    def peer_connection(self) -> RTCPeerConnection | None:
        """The current aiortc peer connection (for `getStats()` in diagnostics and tests)."""
        return None if self.link is None else self.link.pc

    def _attach(self, link: _PeerLink) -> _PeerLink | None:
        old = self.link
        if old is not None or self.state is SessionState.DETACHED:
            self.state = next_state(self.state, SessionInput.RENEGOTIATED)
        if old is not None:
            self._fold(old)
        self.link, self.generation = link, link.generation
        return old

    def _detach(self) -> _PeerLink | None:
        """The page went away: no peer connection until it offers again."""
        self.state = next_state(self.state, SessionInput.DETACHED)
        old, self.link = self.link, None
        if old is not None:
            self._fold(old)
        return old

    def _fold(self, old: _PeerLink) -> None:
        self._past["received"] += old.frames_received
        self._past["sent"] += old.track.sent
        self._past["dropped"] += old.track.buffer.dropped

    def stats(self) -> dict[str, Any]:
        link = self.link
        return {
            "state": str(self.state),
            "generation": self.generation,
            "frames_received": self._past["received"] + (link.frames_received if link else 0),
            "frames_sent": self._past["sent"] + (link.track.sent if link else 0),
            "frames_dropped": self._past["dropped"] + (link.track.buffer.dropped if link else 0),
        }


# The gateway ---------------------------------------------------------------------------------
class WebRtcGateway:
    """Terminates one persistent browser phone session per agent (see the module docstring).

    `host` is the one address ICE gathers on and the only kind of address it talks to
    (loopback stays loopback). `buffer_frames` bounds the audio waiting for aiortc's sender.
    `reattach_s` is how long a session whose page went away without saying bye keeps its
    endpoint (and so any call bridged to it) for the page to come back; 0 ends it at once.
    """

    def __init__(
        self,
        engine: FrameEngine,
        *,
        host: str = "127.0.0.1",
        clock: Clock | None = None,
        sink: EventSink,
        buffer_frames: int = 5,
        reattach_s: float = 0.0,
    ) -> None:
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            raise InvalidInput(
                f"the WebRTC ICE host {host!r} is not an IP address",
                details={"field": "media.webrtc_host"},
            ) from None
        if address.is_unspecified:
            raise InvalidInput(
                "the WebRTC ICE host must be one concrete address, not 0.0.0.0 or ::",
                details={"field": "media.webrtc_host"},
            )
        self.host = host
        self._loopback = address.is_loopback
        self._engine = engine
        self._clock = clock or SystemClock()
        self._sink = sink
        self._buffer_frames = buffer_frames
        self._reattach_s = reattach_s
        self._expiries: dict[str, asyncio.Task[None]] = {}  # detached sessions' grace timers
        self._sessions: dict[str, BrowserSession] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        _install_ice_address_hook()

    # Sessions --------------------------------------------------------------------------------
    async def open(
        self,
        agent_id: str,
        tenant_id: str,
        offer_sdp: str,
        *,
        on_state: StateListener | None = None,
    ) -> str:
        """Answer the page's offer (ICE complete in it, no trickle). A new offer for an agent who
        has a session replaces its peer connection and keeps its endpoint (and any bridge);
        the previous listener hears "replaced". Raises `OfferRejected`."""
        offer = prepare_offer(offer_sdp, host=self.host)
        lock = self._locks.setdefault(agent_id, asyncio.Lock())
        try:
            old, answer = await self._open_locked(lock, agent_id, tenant_id, offer, on_state)
        finally:
            # A first offer that failed: forget the agent's lock too.
            forget = agent_id not in self._sessions and not lock.locked()
            if forget and self._locks.get(agent_id) is lock:
                del self._locks[agent_id]
        if old is not None:
            old.notify("replaced")
            await old.close()
        return answer

    async def _open_locked(
        self, lock: asyncio.Lock, agent_id: str, tenant_id: str, offer: str,
        on_state: StateListener | None,
    ) -> tuple[_PeerLink | None, str]:  # fmt: skip
        async with lock:
            session = self._sessions.get(agent_id)
            created = session is None
            if session is None:
                session = BrowserSession(agent_id, tenant_id)
                context = EndpointContext(tenant_id, agent_id=agent_id)
                session.endpoint_id = await self._engine.create_frame_endpoint(context, session)
                self._sessions[agent_id] = session
            link = _PeerLink(session.generation + 1, on_state, self._buffer_frames)
            try:
                answer = await self._negotiate(session, link, offer)
                if session.closed:
                    raise SessionNotFound(f"agent {agent_id}'s phone was closed meanwhile")
            except BaseException:
                await link.close()
                if created:
                    await self.close(agent_id)
                raise
            old = session._attach(link)
            self._cancel_expiry(agent_id)
            if link.pc.connectionState == "failed":
                self._spawn(self.close(agent_id, generation=link.generation,
                                       reason=DisconnectReason.FAILED))  # fmt: skip
            return old, answer

    async def _negotiate(self, session: BrowserSession, link: _PeerLink, offer: str) -> str:
        pc = link.pc
        transceiver = pc.addTransceiver(link.track, direction="sendrecv")
        transceiver.setCodecPreferences(_pcmu_only())  # before the offer, or it has no effect

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            if track.kind == "audio" and link.pump is None:
                link.pump = asyncio.ensure_future(self._pump(session, link, track))

        @pc.on("connectionstatechange")
        def on_state() -> None:
            self._on_connection_state(session, link)

        try:
            with ice_host_addresses([self.host]):
                await pc.setRemoteDescription(RTCSessionDescription(sdp=offer, type="offer"))
                if self._loopback:
                    _refuse_checks_from_off_loopback(pc)
                await pc.setLocalDescription(await pc.createAnswer())
        except (ValueError, KeyError, IndexError, InvalidAccessError, InvalidStateError,
                OperationError) as error:  # fmt: skip
            raise OfferRejected(
                f"the offer cannot be answered: {error}", details={"field": "sdp"}
            ) from error
        description = pc.localDescription
        assert description is not None
        return str(description.sdp)

    def _on_connection_state(self, session: BrowserSession, link: _PeerLink) -> None:
        if link is not session.link or link.closing or session.closed:
            return  # a replaced peer connection, or one we are closing ourselves
        state = link.pc.connectionState
        if state == "connected" and not link.connected:
            link.connected = True
            session.state = next_state(session.state, SessionInput.CONNECTED)
            session.ever_connected = True
            self._sink.emit(BrowserConnected(
                tenant_id=session.tenant_id, at=self._clock.now(), agent_id=session.agent_id,
                endpoint_id=session.endpoint_id, generation=link.generation,
            ))  # fmt: skip
            link.notify("connected")
        elif state in ("failed", "closed"):
            # "closed" here is the browser's DTLS close_notify (page closed the connection).
            reason = DisconnectReason.FAILED if state == "failed" else DisconnectReason.CLOSED
            self._spawn(self.detach(session.agent_id, generation=link.generation, reason=reason))

    async def _pump(
        self, session: BrowserSession, link: _PeerLink, track: MediaStreamTrack
    ) -> None:
        """The browser's audio → 20 ms frames → the engine, until the track ends."""
        chunker = FrameChunker()
        resampler: list[av.AudioResampler] = []
        engine = self._engine
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            if not isinstance(frame, av.AudioFrame) or link is not session.link:
                continue  # not ours to forward (yet, or any more): drain
            try:
                for pcm in chunker.feed(_to_pcm(frame, resampler)):
                    engine.push_frame(session.endpoint_id, pcm)
                    link.frames_received += 1
            except EndpointNotFound:
                return  # released while closing

    async def detach(
        self,
        agent_id: str,
        *,
        generation: int | None = None,
        reason: DisconnectReason = DisconnectReason.CLOSED,
    ) -> bool:
        """The page went away without saying bye (its socket closed, its peer connection failed
        or was closed): the session keeps its endpoint for `reattach_s`, waiting for a new
        offer (`phone.browser_detached`); then it closes with reason `gone`. Without a grace,
        or for a session that never connected, this is `close`. With `generation`, only if
        that offer is still the current one. Returns whether the session changed."""
        session = self._sessions.get(agent_id)
        if session is None or (generation is not None and generation != session.generation):
            return False
        if session.state is SessionState.DETACHED:
            return False  # already waiting for the page
        if self._reattach_s <= 0 or not session.ever_connected:
            return await self.close(agent_id, generation=generation, reason=reason)
        link = session._detach()
        self._sink.emit(BrowserDetached(
            tenant_id=session.tenant_id, at=self._clock.now(), agent_id=agent_id,
            endpoint_id=session.endpoint_id, reason=str(reason), grace_s=self._reattach_s,
        ))  # fmt: skip
        self._cancel_expiry(agent_id)
        self._expiries[agent_id] = asyncio.ensure_future(self._expire(agent_id, session))
        if link is not None:
            link.notify(str(reason))
            await link.close()
        return True

    async def _expire(self, agent_id: str, session: BrowserSession) -> None:
        await asyncio.sleep(self._reattach_s)
        if self._expiries.get(agent_id) is asyncio.current_task():
            del self._expiries[agent_id]
        if self._sessions.get(agent_id) is session and session.state is SessionState.DETACHED:
            await self.close(agent_id, reason=DisconnectReason.GONE)

    def _cancel_expiry(self, agent_id: str) -> None:
        task = self._expiries.pop(agent_id, None)
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    async def close(
        self,
        agent_id: str,
        *,
        generation: int | None = None,
        reason: DisconnectReason = DisconnectReason.CLOSED,
    ) -> bool:
        """End the agent's session: release its endpoint, close the peer connection, emit
        `phone.browser_disconnected` (if it had connected). With `generation`, only if that
        offer is still the current one (a signalling socket closes only what it opened).
        Returns whether a session was closed."""
        session = self._sessions.get(agent_id)
        if session is None or (generation is not None and generation != session.generation):
            return False
        del self._sessions[agent_id]
        self._cancel_expiry(agent_id)
        lock = self._locks.get(agent_id)
        if lock is not None and not lock.locked():
            del self._locks[agent_id]
        session.state = next_state(session.state, SessionInput.ENDED)
        link, session.link = session.link, None
        if session.ever_connected:
            self._sink.emit(BrowserDisconnected(
                tenant_id=session.tenant_id, at=self._clock.now(), agent_id=agent_id,
                endpoint_id=session.endpoint_id, reason=str(reason),
            ))  # fmt: skip
        if session.endpoint_id:
            await self._engine.release(session.endpoint_id)
        if link is not None:
            link.notify(str(reason))
            await link.close()
        return True

    async def shutdown(self) -> None:
        """Close every session (reason `shutdown`) and wait for background work."""
        for agent_id in list(self._sessions):
            await self.close(agent_id, reason=DisconnectReason.SHUTDOWN)
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("browser phone task failed", exc_info=task.exception())

    # Queries and keys ------------------------------------------------------------------------
    def session(self, agent_id: str) -> BrowserSession | None:
        return self._sessions.get(agent_id)

    def endpoint(self, agent_id: str) -> EndpointId:
        """The agent's media endpoint, to `bridge()` a call into. Raises `SessionNotFound`."""
        return self._require(agent_id).endpoint_id

    def dtmf(self, agent_id: str, digit: str, *, duration_ms: int = 100) -> None:
        """A key the agent pressed on the page's keypad (sent over the signalling socket)."""
        if not isinstance(digit, str) or len(digit) != 1 or digit not in DTMF_EVENTS:
            raise DtmfInvalid(
                f"{digit!r} is not one DTMF digit (0-9, *, #, A-D)", details={"field": "digit"}
            )
        if not 40 <= duration_ms <= 5000:
            raise DtmfInvalid("a DTMF duration is 40 to 5000 ms", details={"field": "duration_ms"})
        session = self._require(agent_id)
        # Out of band like an RFC 4733 event: the closest source the engine knows.
        self._engine.push_dtmf(
            session.endpoint_id, DtmfDigit(digit, duration_ms, DtmfSource.RFC4733)
        )

    def _require(self, agent_id: str) -> BrowserSession:
        session = self._sessions.get(agent_id)
        if session is None:
            raise SessionNotFound(
                f"agent {agent_id} has no browser phone session", details={"agent_id": agent_id}
            )
        return session

    def stats(self) -> dict[str, int]:
        """Gateway-wide counters for metrics and the bench."""
        sessions = [s.stats() for s in self._sessions.values()]
        return {
            "sessions": len(sessions),
            "connected": sum(
                1 for s in self._sessions.values() if s.state is SessionState.CONNECTED
            ),
            "detached": sum(1 for s in self._sessions.values() if s.state is SessionState.DETACHED),
            "frames_received": sum(s["frames_received"] for s in sessions),
            "frames_sent": sum(s["frames_sent"] for s in sessions),
            "frames_dropped": sum(s["frames_dropped"] for s in sessions),
        }
