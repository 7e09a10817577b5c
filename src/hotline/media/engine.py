"""The in-process media backend: the only socket I/O of `hotline.media` (DESIGN §5, ADR 0020).

One asyncio timer drives every outbound stream: `Pacer` deadlines `start + k × 20 ms` on the
monotonic clock, no per-call timers or tasks. Each tick sends one frame to every paced endpoint
(prompts, hold music, conference mixes, transcoding bridges), feeds recordings, the in-band
DTMF detectors and the audio taps (what a leg received, decoded once per tick, ADR 0197), and
sends the RTCP reports that fall due. A bridge between two RTP legs with the same codec is a
relay: packets are forwarded the moment they arrive, payload untouched.

Call control uses it through the `MediaBackend` protocol (`backend.py`).
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import socket
import time
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import numpy as np

from hotline.amd import AmdSettings
from hotline.clock import Clock, SystemClock
from hotline.errors import InvalidInput
from hotline.events import EventSink
from hotline.ids import new_id
from hotline.media import quality as rtcp_quality
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
    MediaBackend,
    Playback,
    QualitySnapshot,
    RecordingId,
    RecordingInfo,
    RemoteMedia,
)
from hotline.media.codecs.g711 import Codec
from hotline.media.conference import Conference
from hotline.media.detection import DetectionEnd, MachineDetection, MachineDetections
from hotline.media.dtmf import DTMF_EVENTS, DtmfDigit, Rfc4733Sender
from hotline.media.dtmf_inband import InbandDtmfDetector, feed_all
from hotline.media.endpoint import AudioFrame, Endpoint, FrameEndpoint, Pcm, RtpEndpoint
from hotline.media.errors import (
    CodecNotSupported,
    EndpointNotFound,
    MediaConflict,
    PortPoolExhausted,
)
from hotline.media.moh import MohStream
from hotline.media.pacer import Pacer
from hotline.media.player import PlaybackEnd, Player, PlayItem, Tone
from hotline.media.ports import PortPool
from hotline.media.prompts import PromptLibrary
from hotline.media.recordings import Recordings
from hotline.media.rtp import RtpSender
from hotline.media.storage import RecordingStorage
from hotline.media.tones import DTMF_FREQUENCIES, ToneSpec

__all__ = ["MediaEngine"]

logger = logging.getLogger(__name__)

TELEPHONE_EVENT_PT = 101
JITTER_DELAY = 320  # samples (40 ms) of receive buffering for audio read on the clock
RTCP_INTERVAL_TICKS = 250  # 5 s (RFC 3550 §6.2 minimum), spread over the ticks
SILENT_FRAME = AudioFrame(pcm=np.zeros(160, np.int16))
_NOTHING_HEARD: Pcm = np.zeros(0, np.int16)
ENGINE_CAPABILITIES = Capabilities(features=frozenset(Capability))


class _RtpProtocol(asyncio.DatagramProtocol):
    def __init__(self, engine: MediaEngine, endpoint: RtpEndpoint) -> None:
        self._engine = engine
        self._endpoint = endpoint
        clock = engine.clock
        # One call less per packet with the real clock (the hot path).
        self._monotonic = time.monotonic if isinstance(clock, SystemClock) else clock.monotonic

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        endpoint = self._endpoint
        if len(data) > 1 and 192 <= data[1] <= 223:
            self._engine._on_rtcp(endpoint, data, addr)  # RTCP muxed on the RTP port (RFC 5761)
            return
        if endpoint.srtp is not None:
            plain = endpoint.srtp.unprotect(data)
            if plain is None:
                return  # not SRTP under the agreed key (plaintext, replayed, forged): dropped
            data = plain
        try:
            digits = endpoint.on_datagram(data, addr, self._monotonic())  # may relay: sends
        except OSError:
            self._engine.send_errors += 1
            return
        if endpoint.rfc4733.active is not None:
            self._engine._dtmf_open[endpoint.id] = endpoint  # its timeout runs on the clock
            if endpoint.player is not None:
                self._engine._on_digits(endpoint, digits)
                return
        if digits:
            self._engine._on_digits(endpoint, digits)

    def error_received(self, exc: Exception) -> None:
        self._engine.socket_errors += 1  # ICMP port unreachable while the peer is gone


class _RtcpProtocol(asyncio.DatagramProtocol):
    def __init__(self, engine: MediaEngine, endpoint: RtpEndpoint) -> None:
        self._engine = engine
        self._endpoint = endpoint

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self._engine._on_rtcp(self._endpoint, data, addr)

    def error_received(self, exc: Exception) -> None:
        self._engine.socket_errors += 1


class MediaEngine:
    """`MediaBackend` in this process. `await engine.start()`, then use; `await engine.close()`."""

    capabilities = ENGINE_CAPABILITIES

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port_min: int = 20_000,
        port_max: int = 29_999,
        sink: EventSink,
        clock: Clock | None = None,
        prompts: PromptLibrary | None = None,
        storage: RecordingStorage | None = None,
        advertised_host: str | None = None,
        relay: bool = True,
        quality_interval: float = 30.0,
    ) -> None:
        self.host = host
        self.advertised_host = advertised_host or host
        self.clock = clock or SystemClock()
        self.sink = sink
        self.prompts = prompts or PromptLibrary()
        self.recordings = Recordings(storage, sink, self.clock, delay=JITTER_DELAY)
        self.relay_enabled = relay
        self.quality_interval = quality_interval  # seconds between media.quality events per leg
        self._quality_emitted: dict[EndpointId, float] = {}
        self.ports = PortPool(port_min, port_max)
        self._endpoints: dict[EndpointId, Endpoint] = {}
        self._transports: dict[EndpointId, list[asyncio.BaseTransport]] = {}
        self._paced: dict[EndpointId, Endpoint] = {}
        self._inband: dict[EndpointId, RtpEndpoint] = {}
        self._tapped: dict[EndpointId, RtpEndpoint] = {}
        self._detections = MachineDetections(
            self.clock.monotonic, lambda endpoint_id: self._drop_tap(EndpointId(endpoint_id))
        )
        self._dtmf_open: dict[EndpointId, RtpEndpoint] = {}  # RFC 4733 events not yet ended
        self._conferences: dict[ConferenceId, Conference] = {}
        self._moh: dict[str, MohStream] = {}
        self._playbacks: dict[EndpointId, Playback] = {}
        self._dtmf_queues: dict[EndpointId, list[asyncio.Queue[DtmfDigit | None]]] = {}
        self._rtcp_buckets: list[set[RtpEndpoint]] = [set() for _ in range(RTCP_INTERVAL_TICKS)]
        self._random = random.Random()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.pacer: Pacer | None = None
        self._cname = f"hotline@{host}".encode()
        self.packets_paced = 0
        self.packets_paced_late = 0
        self.socket_errors = 0
        self.send_errors = 0  # packets not sent: socket buffer full (EAGAIN) or socket closed
        self.tick_errors = 0

    # Lifecycle ---------------------------------------------------------------------------
    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.pacer = Pacer(self.clock.monotonic())
        self._schedule()

    async def close(self) -> None:
        for endpoint_id in list(self._endpoints):
            await self.release(endpoint_id)
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await self.recordings.close()

    def _schedule(self) -> None:
        assert self._loop is not None
        assert self.pacer is not None
        delay = max(0.0, self.pacer.next_deadline - self.clock.monotonic())
        self._timer = self._loop.call_later(delay, self._on_timer)

    def _on_timer(self) -> None:
        assert self.pacer is not None
        try:
            for tick, lateness in self.pacer.due(self.clock.monotonic()):
                self.run_tick(tick, late=lateness > self.pacer.late_after)
        except Exception:
            # A bug in one tick (or in a DTMF callback) must not stop every call's audio.
            self.tick_errors += 1
            logger.exception("media tick failed; the clock keeps running")
        finally:
            self._schedule()

    @property
    def storage(self) -> RecordingStorage | None:
        return self.recordings.storage

    @property
    def endpoint_count(self) -> int:
        return len(self._endpoints)

    def _get(self, endpoint_id: EndpointId) -> Endpoint:
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None:
            raise EndpointNotFound(
                f"no media endpoint {endpoint_id}", details={"endpoint": endpoint_id}
            )
        return endpoint

    def _get_rtp(self, endpoint_id: EndpointId) -> RtpEndpoint:
        endpoint = self._get(endpoint_id)
        if not isinstance(endpoint, RtpEndpoint):
            raise MediaConflict(f"endpoint {endpoint_id} is not an RTP endpoint")
        return endpoint

    # Endpoints ---------------------------------------------------------------------------
    async def create_endpoint(
        self, context: EndpointContext, *, on_dtmf: DtmfCallback | None = None,
        inband_dtmf: bool | None = None, relay: bool = True,
    ) -> LocalMedia:  # fmt: skip
        """Allocate an RTP/RTCP port pair. `inband_dtmf=None` detects tones only when the peer
        offers no telephone-event. `relay=False`: never relayed, always one frame per tick
        from the jitter buffer (the frame legs of the remote backend, ADR 0186)."""
        loop = asyncio.get_running_loop()
        rtp_sock, rtcp_sock, port = self._bind_pair()
        endpoint_id = EndpointId(new_id(self.clock.now()))
        rng = self._random
        endpoint = RtpEndpoint(
            endpoint_id, context, port=port, send=_unbound_send, send_rtcp=_unbound_send,
            sender=RtpSender(rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(32)),
            inband_dtmf=inband_dtmf,
        )  # fmt: skip
        endpoint.relay_allowed = relay
        rtp_transport, _ = await loop.create_datagram_endpoint(
            lambda: _RtpProtocol(self, endpoint), sock=rtp_sock
        )
        rtcp_transport, _ = await loop.create_datagram_endpoint(
            lambda: _RtcpProtocol(self, endpoint), sock=rtcp_sock
        )
        # Sends go straight to the sockets (the transports only receive): a full socket buffer
        # drops the packet (counted in `send_errors`) instead of queueing stale audio, and a
        # packet costs one call less (bench/media_tick.py, ADR 0185).
        endpoint.set_wire(_sender(rtp_sock), _sender(rtcp_sock))
        self._transports[endpoint_id] = [rtp_transport, rtcp_transport]
        self._register(endpoint, on_dtmf)
        self._rtcp_buckets[rng.randrange(RTCP_INTERVAL_TICKS)].add(endpoint)
        return LocalMedia(
            endpoint_id=endpoint_id,
            address=self.advertised_host,
            port=port,
            rtcp_port=port + 1,
            codecs=(CodecOffer("PCMU", 0), CodecOffer("PCMA", 8)),
            telephone_event_pt=TELEPHONE_EVENT_PT,
            srtp_key=endpoint.srtp_key,
        )

    def _bind_pair(self) -> tuple[socket.socket, socket.socket, int]:
        for _ in range(self.ports.capacity):
            port = self.ports.allocate()
            sockets = []
            try:
                for p in (port, port + 1):
                    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                    sockets.append(sock)
                    sock.setblocking(False)
                    sock.bind((self.host, p))
                return sockets[0], sockets[1], port
            except OSError:
                for sock in sockets:
                    sock.close()
                self.ports.set_aside(port)  # another process holds it; try the next pair
        raise PortPoolExhausted("no RTP port pair could be bound in the configured range")

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId:
        endpoint_id = EndpointId(new_id(self.clock.now()))
        endpoint = FrameEndpoint(endpoint_id, context, port.deliver)
        self._register(endpoint, on_dtmf)
        self._refresh(endpoint)
        return endpoint_id

    def push_frame(self, endpoint_id: EndpointId, pcm: np.ndarray) -> None:
        """A frame endpoint's peer said something (20 ms, 8 kHz int16)."""
        endpoint = self._get(endpoint_id)
        if isinstance(endpoint, FrameEndpoint):
            endpoint.push(pcm)

    def push_dtmf(self, endpoint_id: EndpointId, digit: DtmfDigit) -> None:
        """A frame endpoint's peer pressed a key (e.g. WebRTC DTMF)."""
        self._on_digits(self._get(endpoint_id), [digit])

    def _register(self, endpoint: Endpoint, on_dtmf: DtmfCallback | None) -> None:
        self._endpoints[endpoint.id] = endpoint
        if on_dtmf is not None:
            endpoint_id = endpoint.id
            endpoint.dtmf_listeners.append(lambda digit: on_dtmf(endpoint_id, digit))

    async def apply_remote(self, endpoint_id: EndpointId, remote: RemoteMedia) -> None:
        endpoint = self._get_rtp(endpoint_id)
        if remote.codec not in Codec.__members__:
            raise CodecNotSupported(
                f"codec {remote.codec!r} is not supported (PCMU, PCMA)",
                details={"field": "codec", "codec": remote.codec},
            )
        endpoint.apply_remote(remote)
        if endpoint.inband is not None:
            self._inband[endpoint_id] = endpoint
        else:
            self._inband.pop(endpoint_id, None)
        self._refresh(endpoint)
        if endpoint.bridge_peer is not None:
            self._refresh(endpoint.bridge_peer)

    async def release(self, endpoint_id: EndpointId) -> None:
        endpoint = self._endpoints.get(endpoint_id)
        if endpoint is None:
            return
        for recording_id in self.recordings.of(endpoint):
            await self.stop_recording(recording_id)
        if endpoint.conference is not None:
            conference = endpoint.conference
            conference.remove(endpoint)
        if endpoint.bridge_peer is not None:
            await self.unbridge(endpoint_id)
        self._stop_player(endpoint, PlaybackEnd.STOPPED)
        if endpoint.moh is not None:
            endpoint.moh.listeners.discard(endpoint)
        endpoint.released = True
        if isinstance(endpoint, RtpEndpoint):
            self._emit_quality(endpoint, final=True)
            for bucket in self._rtcp_buckets:
                bucket.discard(endpoint)
            self.ports.release(endpoint.port)
        transports = self._transports.pop(endpoint_id, [])
        for transport in transports:
            transport.close()
        for queue in self._dtmf_queues.pop(endpoint_id, []):
            queue.put_nowait(None)
        self._paced.pop(endpoint_id, None)
        self._inband.pop(endpoint_id, None)
        self._tapped.pop(endpoint_id, None)
        self._detections.end(endpoint_id, DetectionEnd.ENDED)
        self._dtmf_open.pop(endpoint_id, None)
        self._quality_emitted.pop(endpoint_id, None)
        del self._endpoints[endpoint_id]
        if transports:
            await asyncio.sleep(0)  # transports close their sockets on the next loop iteration

    # Who sends what ----------------------------------------------------------------------
    def _refresh(self, endpoint: Endpoint) -> None:
        """Recompute an endpoint's output mode after any change that could affect it."""
        peer = endpoint.bridge_peer
        relay_in = (
            self.relay_enabled
            and isinstance(endpoint, RtpEndpoint)
            and isinstance(peer, RtpEndpoint)
            and endpoint.relay_allowed
            and peer.relay_allowed
            and endpoint.can_send  # a peer holding us (sendonly, inactive) gets nothing
            and peer.remote is not None
            and peer.codec is endpoint.codec
            and endpoint.player is None
            and not endpoint.dtmf_out
            and endpoint.conference is None
        )
        if isinstance(endpoint, RtpEndpoint) and relay_in != endpoint.relay_in:
            endpoint.relay_in = relay_in
            endpoint.stop_relay()
        if isinstance(peer, RtpEndpoint):
            peer.relay_target = endpoint if isinstance(endpoint, RtpEndpoint) and relay_in else None
        if endpoint.can_send and not relay_in:
            self._paced[endpoint.id] = endpoint
        else:
            self._paced.pop(endpoint.id, None)
        self._update_needs(endpoint)
        if peer is not None:
            self._update_needs(peer)  # whether it reads our audio may just have changed

    @staticmethod
    def _update_needs(endpoint: Endpoint) -> None:
        """Does anything read this leg's audio on the clock (else its jitter buffer idles)?"""
        peer = endpoint.bridge_peer
        needs = endpoint.conference is not None or (
            peer is not None and not (isinstance(peer, RtpEndpoint) and peer.relay_in)
        )
        if needs != endpoint.needs_inbound:
            endpoint.needs_inbound = needs
            if isinstance(endpoint, RtpEndpoint) and not needs:
                endpoint.jitter.reset()

    def _output(self, endpoint: Endpoint, tick: int) -> AudioFrame | None:
        player = endpoint.player
        if player is not None:
            pcm = player.next_frame()
            if pcm is not None:
                return AudioFrame(pcm=pcm, prompt=player.encoded)
            self._stop_player(endpoint, player.ended or PlaybackEnd.COMPLETED)
        conference = endpoint.conference
        if conference is not None:
            return conference.output(endpoint, tick)
        peer = endpoint.bridge_peer
        if peer is not None:
            return peer.inbound(tick) or SILENT_FRAME
        moh = endpoint.moh
        if moh is not None:
            return moh.frame(tick)
        return SILENT_FRAME

    def run_tick(self, tick: int, *, late: bool = False) -> None:
        """Everything that happens every 20 ms. Public so tests can drive it with a FakeClock."""
        sent = 0
        for endpoint in list(self._paced.values()):
            frame = self._output(endpoint, tick)
            try:
                if frame is not None and endpoint.emit(frame):
                    sent += 1
            except OSError:
                self.send_errors += 1  # socket buffer full, or the socket closed meanwhile
        self.packets_paced += sent
        if late:
            self.packets_paced_late += sent
        now = self.clock.monotonic()
        listening: list[RtpEndpoint] = []
        feeds: list[tuple[InbandDtmfDetector, Pcm]] = []
        heard: dict[EndpointId, Pcm] = {}
        for endpoint in list(self._inband.values()):
            audio = endpoint.take_received_audio()
            if audio is not None and endpoint.inband is not None:
                listening.append(endpoint)
                feeds.append((endpoint.inband, audio))
                heard[endpoint.id] = audio
        if self._tapped:
            self._feed_taps(heard)
        if feeds:  # every listening call's windows classified at once (issue 14)
            for endpoint, (detector, _), digits in zip(
                listening, feeds, feed_all(feeds), strict=True
            ):
                if digits or (endpoint.player is not None and detector.active):
                    self._on_digits(endpoint, digits)
        for endpoint in list(self._dtmf_open.values()):
            digit = endpoint.rfc4733.on_timer(now)
            if digit is not None:
                self._on_digits(endpoint, [digit])
            if endpoint.rfc4733.active is None:
                del self._dtmf_open[endpoint.id]
        self.recordings.on_tick(tick)
        for endpoint in list(self._rtcp_buckets[tick % RTCP_INTERVAL_TICKS]):
            self._send_rtcp(endpoint)

    def _feed_taps(self, heard: dict[EndpointId, Pcm]) -> None:
        """Each tapped leg's audio of this tick, decoded once (shared with the DTMF detector)."""
        for endpoint_id, endpoint in list(self._tapped.items()):
            tap = endpoint.audio_tap
            if tap is None:
                continue
            audio = heard.get(endpoint_id)
            if audio is None:
                audio = endpoint.take_received_audio()
            try:
                tap(_NOTHING_HEARD if audio is None else audio)
            except Exception:  # one listener's bug must not cost the other calls their audio
                self.tick_errors += 1
                logger.exception("audio tap of %s failed: untapped", endpoint_id)
                self._detections.end(endpoint_id, DetectionEnd.STOPPED)
                self._drop_tap(endpoint_id)

    # Listening ---------------------------------------------------------------------------
    async def tap_audio(self, endpoint_id: EndpointId, tap: AudioTap) -> None:
        endpoint = self._get_rtp(endpoint_id)
        self._detections.end(endpoint_id, DetectionEnd.STOPPED)  # the leg's one tap is this
        self._set_tap(endpoint, tap)

    async def untap_audio(self, endpoint_id: EndpointId) -> None:
        self._detections.end(endpoint_id, DetectionEnd.STOPPED)
        self._drop_tap(endpoint_id)

    def _set_tap(self, endpoint: RtpEndpoint, tap: AudioTap) -> None:
        endpoint.audio_tap = tap
        self._tapped[endpoint.id] = endpoint

    def _drop_tap(self, endpoint_id: EndpointId) -> None:
        endpoint = self._tapped.pop(endpoint_id, None)
        if endpoint is not None:
            endpoint.audio_tap = None
            endpoint.take_received_audio()  # what came since the last tick: nobody's now

    async def detect_machine(
        self,
        endpoint_id: EndpointId,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None = None,
        max_greeting_wait_s: float = 30.0,
    ) -> MachineDetection:
        """The detector listens on the leg's audio tap, on the media clock (ADR 0197)."""
        endpoint = self._get_rtp(endpoint_id)
        detection, tap = self._detections.start(
            endpoint_id, settings, greeting_end_s=greeting_end_s,
            max_greeting_wait_s=max_greeting_wait_s,
        )  # fmt: skip
        self._set_tap(endpoint, tap)
        return detection

    async def stop_detection(self, endpoint_id: EndpointId) -> None:
        if self._detections.end(endpoint_id, DetectionEnd.STOPPED):
            self._drop_tap(endpoint_id)

    # Playback ----------------------------------------------------------------------------
    async def play(
        self, endpoint_id: EndpointId, items: Sequence[PlayItem], *, barge_in: bool = False
    ) -> Playback:
        """Start a playlist (replacing one already playing). Raises PromptError / TtsError
        before anything plays when an item cannot be resolved."""
        self._get(endpoint_id)
        sources = await self.prompts.resolve(items)
        endpoint = self._get(endpoint_id)  # it may have been released meanwhile
        self._stop_player(endpoint, PlaybackEnd.STOPPED)
        playback = Playback(endpoint_id)
        endpoint.player = Player(sources, barge_in=barge_in)
        self._playbacks[endpoint_id] = playback
        self._refresh(endpoint)
        return playback

    async def stop_playback(self, endpoint_id: EndpointId) -> None:
        self._stop_player(self._get(endpoint_id), PlaybackEnd.STOPPED)

    def _stop_player(self, endpoint: Endpoint, reason: PlaybackEnd) -> None:
        if endpoint.player is None:
            return
        endpoint.player.stop()
        endpoint.player = None
        playback = self._playbacks.pop(endpoint.id, None)
        if playback is not None:
            playback._finish(reason)
        self._refresh(endpoint)

    async def register_moh(self, name: str, items: Sequence[PlayItem]) -> None:
        """Make a hold-music source from a playlist (rendered once, looped forever)."""
        player = Player(await self.prompts.resolve(items))
        frames = []
        while (frame := player.next_frame()) is not None:
            frames.append(frame)
        self._moh[name] = MohStream(
            name, np.concatenate(frames) if frames else np.zeros(0, np.int16)
        )

    async def start_moh(self, endpoint_id: EndpointId, source: str = "default") -> None:
        endpoint = self._get(endpoint_id)
        stream = self._moh.get(source)
        if stream is None:
            raise EndpointNotFound(f"no hold music source {source!r}", code="media.moh.not_found")
        if endpoint.moh is not None:
            endpoint.moh.listeners.discard(endpoint)
        endpoint.moh = stream
        stream.listeners.add(endpoint)
        self._refresh(endpoint)

    async def stop_moh(self, endpoint_id: EndpointId) -> None:
        endpoint = self._get(endpoint_id)
        if endpoint.moh is not None:
            endpoint.moh.listeners.discard(endpoint)
        endpoint.moh = None
        self._refresh(endpoint)

    # DTMF --------------------------------------------------------------------------------
    def _on_digits(self, endpoint: Endpoint, digits: list[DtmfDigit]) -> None:
        player = endpoint.player
        if player is not None and player.on_dtmf():
            self._stop_player(endpoint, PlaybackEnd.BARGE_IN)
        for digit in digits:
            endpoint.deliver_dtmf(digit)
            for queue in self._dtmf_queues.get(endpoint.id, ()):
                queue.put_nowait(digit)

    async def dtmf_events(self, endpoint_id: EndpointId) -> AsyncIterator[DtmfDigit]:
        """Digits from now on, until the endpoint is released."""
        self._get(endpoint_id)
        queue: asyncio.Queue[DtmfDigit | None] = asyncio.Queue()
        self._dtmf_queues.setdefault(endpoint_id, []).append(queue)
        try:
            while (digit := await queue.get()) is not None:
                yield digit
        finally:
            queues = self._dtmf_queues.get(endpoint_id)
            if queues is not None and queue in queues:
                queues.remove(queue)

    async def send_dtmf(
        self, endpoint_id: EndpointId, digits: str, *, duration_ms: int = 100
    ) -> None:
        """Send digits to the peer: RFC 4733 events (one packet per tick) when it accepts
        telephone-event, otherwise Q.23 tone pairs in the audio (this replaces any playback)."""
        endpoint = self._get(endpoint_id)
        if not digits or any(d not in DTMF_EVENTS for d in digits):
            raise InvalidInput(
                f"{digits!r} is not a string of DTMF digits (0-9, *, #, A-D)",
                code="media.dtmf.invalid",
                details={"field": "digits"},
            )
        if not isinstance(endpoint, RtpEndpoint) or endpoint.te_payload_type < 0:
            seconds = duration_ms / 1000
            await self.play(endpoint_id, [
                Tone(ToneSpec(f"dtmf {d}", DTMF_FREQUENCIES[d], (seconds, 0.06), level_dbm0=-7,
                              repeat=False), seconds + 0.06)
                for d in digits
            ])  # fmt: skip
            return
        for digit in digits:
            endpoint.dtmf_out.append(
                Rfc4733Sender(digit, endpoint.sender.timestamp, duration_ms=duration_ms)
            )
        self._refresh(endpoint)

    # Bridges and conferences -------------------------------------------------------------
    async def bridge(self, a_id: EndpointId, b_id: EndpointId) -> None:
        a, b = self._get(a_id), self._get(b_id)
        if a is b:
            raise MediaConflict("an endpoint cannot be bridged to itself")
        for endpoint in (a, b):
            if endpoint.bridge_peer is not None or endpoint.conference is not None:
                raise MediaConflict(f"endpoint {endpoint.id} is already bridged or conferenced")
        a.bridge_peer, b.bridge_peer = b, a
        for endpoint in (a, b):
            if endpoint.moh is not None:
                endpoint.moh.listeners.discard(endpoint)
            endpoint.moh = None
            self._refresh(endpoint)
        self._refresh(a)  # again: a's mode depends on b's, set just above

    async def unbridge(self, endpoint_id: EndpointId) -> None:
        endpoint = self._get(endpoint_id)
        peer = endpoint.bridge_peer
        if peer is None:
            return
        endpoint.bridge_peer = peer.bridge_peer = None
        for side in (endpoint, peer):
            if isinstance(side, RtpEndpoint):
                side.relay_target = None
            self._refresh(side)

    async def create_conference(self, context: EndpointContext) -> ConferenceId:
        conference_id = ConferenceId(new_id(self.clock.now()))
        self._conferences[conference_id] = Conference(conference_id, context)
        return conference_id

    def _conference(self, conference_id: ConferenceId) -> Conference:
        conference = self._conferences.get(conference_id)
        if conference is None:
            raise EndpointNotFound(
                f"no conference {conference_id}", code="media.conference.not_found"
            )
        return conference

    async def join_conference(
        self, conference_id: ConferenceId, endpoint_id: EndpointId,
        mode: ConferenceMode = ConferenceMode.FULL, *, whisper_to: EndpointId | None = None,
    ) -> None:  # fmt: skip
        """Join (a bridged endpoint is unbridged first: its peer is expected to join too)."""
        conference = self._conference(conference_id)
        endpoint = self._get(endpoint_id)
        if endpoint.conference is not None and endpoint.conference is not conference:
            raise MediaConflict(f"endpoint {endpoint_id} is in another conference")
        if endpoint.bridge_peer is not None:
            await self.unbridge(endpoint_id)
        if endpoint.moh is not None:
            endpoint.moh.listeners.discard(endpoint)
            endpoint.moh = None
        conference.add(endpoint, mode, whisper_to)
        self._refresh(endpoint)

    async def set_conference_mode(
        self, conference_id: ConferenceId, endpoint_id: EndpointId, mode: ConferenceMode,
        *, whisper_to: EndpointId | None = None,
    ) -> None:  # fmt: skip
        conference = self._conference(conference_id)
        endpoint = self._get(endpoint_id)
        if endpoint.conference is not conference:
            raise MediaConflict(f"endpoint {endpoint_id} is not in conference {conference_id}")
        conference.add(endpoint, mode, whisper_to)

    async def leave_conference(self, conference_id: ConferenceId, endpoint_id: EndpointId) -> None:
        conference = self._conference(conference_id)
        endpoint = self._get(endpoint_id)
        conference.remove(endpoint)
        self._refresh(endpoint)

    async def destroy_conference(self, conference_id: ConferenceId) -> None:
        conference = self._conferences.pop(conference_id, None)
        if conference is None:
            return
        for endpoint in conference.members():
            conference.remove(endpoint)
            self._refresh(endpoint)

    # Recording ---------------------------------------------------------------------------
    async def start_recording(
        self, customer_id: EndpointId, *, announcement: Sequence[PlayItem] | None = None
    ) -> RecordingId:
        """Record the customer leg in stereo. With `announcement`, play it to the customer
        first (the consent prompt, itself recorded on the right channel)."""
        recording_id = self.recordings.start(self._get(customer_id))
        if announcement:
            await self.play(customer_id, announcement)
        return recording_id

    async def pause_recording(self, recording_id: RecordingId) -> None:
        self.recordings.pause(recording_id)

    async def resume_recording(self, recording_id: RecordingId) -> None:
        self.recordings.resume(recording_id)

    async def stop_recording(self, recording_id: RecordingId) -> RecordingInfo:
        return await self.recordings.stop(recording_id)

    # RTCP and quality --------------------------------------------------------------------
    def _send_rtcp(self, endpoint: RtpEndpoint) -> None:
        if endpoint.rtcp_addr is None or endpoint.released:
            return
        report = rtcp_quality.build_report(
            endpoint, now=self.clock.now(), monotonic=self.clock.monotonic(), cname=self._cname
        )
        try:
            endpoint.send_rtcp(report, endpoint.rtcp_addr)
        except OSError:
            self.send_errors += 1

    def _on_rtcp(self, endpoint: RtpEndpoint, data: bytes, addr: tuple[str, int]) -> None:
        if endpoint.srtp is not None:
            plain = endpoint.srtp.unprotect_rtcp(data)
            if plain is None:
                return
            data = plain
        if rtcp_quality.absorb_report(
            endpoint, data, now=self.clock.now(), monotonic=self.clock.monotonic()
        ):
            if endpoint.remote is not None:
                endpoint.rtcp_addr = addr  # symmetric RTCP: answer where reports come from
            now = self.clock.monotonic()
            # Reports arrive every ~5 s per leg; the log needs far fewer (the final one is
            # always written at release).
            if now - self._quality_emitted.get(endpoint.id, -math.inf) >= self.quality_interval:
                self._quality_emitted[endpoint.id] = now
                self._emit_quality(endpoint, final=False)

    def quality(self, endpoint_id: EndpointId) -> QualitySnapshot:
        return rtcp_quality.snapshot(self._get_rtp(endpoint_id))

    def _emit_quality(self, endpoint: RtpEndpoint, *, final: bool) -> None:
        self.sink.emit(rtcp_quality.quality_event(endpoint, at=self.clock.now(), final=final))

    def stats(self) -> dict[str, Any]:
        """Engine-wide counters for metrics and the bench."""
        pacer = self.pacer
        return {
            "endpoints": len(self._endpoints),
            "paced": len(self._paced),
            "ticks": 0 if pacer is None else pacer.ran,
            "late_ticks": 0 if pacer is None else pacer.late,
            "late_ticks_over_20ms": 0 if pacer is None else pacer.late_over_period,
            "skipped_ticks": 0 if pacer is None else pacer.skipped,
            "max_tick_lateness_ms": 0.0 if pacer is None else pacer.max_lateness * 1000,
            "packets_paced": self.packets_paced,
            "packets_paced_late": self.packets_paced_late,
            "recordings": len(self.recordings),
            "machine_detections": len(self._detections),  # legs listened to for a machine
            "ports_in_use": self.ports.in_use,
            "socket_errors": self.socket_errors,
            "send_errors": self.send_errors,
            "tick_errors": self.tick_errors,
            "inbound_lost": sum(
                max(0, e.stats.lost)
                for e in self._endpoints.values()
                if isinstance(e, RtpEndpoint) and e.stats is not None
            ),
            # Packets that came after their playout time (a stalled sender or a starved loop):
            # their frame was played as fill and the packet dropped.
            "inbound_late": sum(
                e.jitter.late for e in self._endpoints.values() if isinstance(e, RtpEndpoint)
            ),
            # Browser frames that came faster than the ticks played them (a starved loop): the
            # oldest are dropped so the delay stays bounded.
            "frames_dropped": sum(
                e.dropped for e in self._endpoints.values() if isinstance(e, FrameEndpoint)
            ),
        }


def _sender(sock: socket.socket) -> Callable[[bytes, tuple[str, int]], None]:
    """The socket's own `sendto`, typed as the endpoints' send callable (no wrapper frame)."""
    return sock.sendto  # type: ignore[return-value]


def _unbound_send(data: bytes, addr: tuple[str, int]) -> None:
    raise RuntimeError("endpoint used before its socket was attached")


def _conforms(engine: MediaEngine) -> MediaBackend:
    """Never called: makes mypy prove that the engine implements the whole interface."""
    return engine
