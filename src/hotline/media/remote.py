"""`MediaBackend` for a media engine in its own process, over the control channel (ADR 0186).

Every protocol call becomes a command; what the engine calls back in-process comes back as an
event: digits (to the `on_dtmf` callback and the `dtmf_events` iterators), a playback's end (to
its `Playback`), an answering-machine detection's verdict and its greeting's end (to its
`MachineDetection`: the detector runs in the media process, next to the audio, ADR 0197),
domain events (to the sink: quality, recordings) and the engine's counters (`stats()`, read by
`/metrics` without a round trip). Frame endpoints stay in this process behind a `FrameShim`.
When the media process goes, every call waiting on it and every later one fails with
`MediaProcessLost`, digit iterators end, playbacks end STOPPED, detections end LOST, and the
`lost` future resolves so the supervisor can act.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
from collections.abc import AsyncIterator, Sequence
from typing import Any

import numpy as np

from hotline.amd import AmdSettings
from hotline.events import DomainEvent, EventSink
from hotline.media.backend import (
    AudioTap,
    Capabilities,
    Capability,
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
from hotline.media.control import MediaProcessLost, decode_error, read_message, write_message
from hotline.media.detection import DetectionEnd, MachineDetection, MachineVerdict
from hotline.media.dtmf import DtmfDigit
from hotline.media.errors import EndpointNotFound
from hotline.media.events import MediaQualityReported
from hotline.media.frame_shim import FrameShim
from hotline.media.player import PlaybackEnd, PlayItem

__all__ = ["RemoteMediaBackend"]

log = logging.getLogger(__name__)


class RemoteMediaBackend:
    """`await RemoteMediaBackend.connect(reader, writer, sink=...)`, use, `await close()`."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        sink: EventSink,
        capabilities: Capabilities,
        frame_host: str = "127.0.0.1",
    ) -> None:
        # The engine's audio taps run on its clock, in its process: not offered across the
        # channel (a frame a tick per listening leg is not worth the traffic, ADR 0197).
        self.capabilities = dataclasses.replace(
            capabilities, features=capabilities.features - {Capability.AUDIO_TAP}
        )
        self.sink = sink
        self.frame_host = frame_host
        self._reader = reader
        self._writer = writer
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._playbacks: dict[int, Playback] = {}
        self._early_ends: dict[int, PlaybackEnd] = {}
        # Detections by a key this side picks, so their events find them even before the
        # reply to the command that started them is read.
        self._detections: dict[int, MachineDetection] = {}
        self._detection_keys = itertools.count(1)
        self._on_dtmf: dict[EndpointId, DtmfCallback] = {}
        self._dtmf_queues: dict[EndpointId, list[asyncio.Queue[DtmfDigit | None]]] = {}
        self._endpoints: set[EndpointId] = set()
        self._shims: dict[EndpointId, FrameShim] = {}
        self._quality: dict[EndpointId, QualitySnapshot] = {}
        self._stats: dict[str, Any] = {}
        self.lost: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._reading: asyncio.Task[None] | None = None

    @classmethod
    async def connect(
        cls,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        *,
        sink: EventSink,
        frame_host: str = "127.0.0.1",
        timeout: float = 30.0,
    ) -> RemoteMediaBackend:
        """Wait for the media process's `ready` (its engine started), then follow its events."""
        try:
            kind, capabilities = await asyncio.wait_for(read_message(reader), timeout)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            raise MediaProcessLost("the media process exited while starting") from exc
        if kind != "ready":
            raise MediaProcessLost(f"the media process said {kind!r} instead of ready")
        backend = cls(reader, writer, sink=sink, capabilities=capabilities, frame_host=frame_host)
        backend._reading = asyncio.create_task(backend._read(), name="media-control")
        return backend

    # The channel -----------------------------------------------------------------------
    async def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if self.lost.done():
            raise MediaProcessLost(f"the media process is gone ({self.lost.result()})")
        call_id = next(self._ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[call_id] = future
        write_message(self._writer, ("call", call_id, method, args, kwargs))
        try:
            return await future
        finally:
            self._pending.pop(call_id, None)

    async def _read(self) -> None:
        reason = "its control channel closed"
        try:
            while True:
                self._on_message(await read_message(self._reader))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as exc:  # a corrupt frame: the channel cannot be trusted any more
            log.exception("media control channel failed")
            reason = f"its control channel failed: {exc}"
        finally:
            self._lose(reason)

    def _on_message(self, message: tuple[Any, ...]) -> None:
        kind = message[0]
        if kind == "reply" or kind == "error":
            future = self._pending.get(message[1])
            if future is not None and not future.done():
                if kind == "reply":
                    future.set_result(message[2])
                else:
                    future.set_exception(decode_error(message[2]))
        elif kind == "dtmf":
            self._digit(message[1], message[2])
        elif kind == "played":
            playback = self._playbacks.pop(message[1], None)
            if playback is None:
                self._early_ends[message[1]] = message[2]  # its reply is still on the way
            else:
                playback._finish(message[2])
        elif kind == "machine" or kind == "greeting":
            self._detected(kind, message[1], message[2])
        elif kind == "event":
            self._event(message[1])
        elif kind == "stats":
            self._stats = message[1]

    def _event(self, event: DomainEvent) -> None:
        if isinstance(event, MediaQualityReported):
            endpoint = EndpointId(event.endpoint_id)
            if endpoint in self._endpoints:
                self._quality[endpoint] = QualitySnapshot(
                    packets_received=event.packets_received,
                    packets_lost=event.packets_lost,
                    fraction_lost=event.fraction_lost,
                    jitter_ms=event.jitter_ms,
                    packets_sent=event.packets_sent,
                    remote_fraction_lost=event.remote_fraction_lost,
                    remote_jitter_ms=event.remote_jitter_ms,
                    round_trip_ms=event.round_trip_ms,
                )
        self.sink.emit(event)

    def _lose(self, reason: str) -> None:
        if not self.lost.done():
            self.lost.set_result(reason)
        error = MediaProcessLost(f"the media process is gone ({reason})")
        for future in self._pending.values():
            if not future.done():
                future.set_exception(error)
        for playback in self._playbacks.values():
            playback._finish(PlaybackEnd.STOPPED)
        self._playbacks.clear()
        for queues in self._dtmf_queues.values():
            for queue in queues:
                queue.put_nowait(None)
        self._dtmf_queues.clear()
        for detection in self._detections.values():
            detection._end(DetectionEnd.LOST)
        self._detections.clear()
        for shim in self._shims.values():
            shim.close()
        self._shims.clear()

    async def close(self) -> None:
        """Close the channel: the media process closes its engine and exits."""
        if not self._writer.is_closing():
            self._writer.close()
        if self._reading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
        self._lose("closed by this server")

    # Endpoints -------------------------------------------------------------------------
    async def create_endpoint(
        self, context: EndpointContext, *, on_dtmf: DtmfCallback | None = None,
        inband_dtmf: bool | None = None,
    ) -> LocalMedia:  # fmt: skip
        local: LocalMedia = await self._call("create_endpoint", context, inband_dtmf=inband_dtmf)
        self._endpoints.add(local.endpoint_id)
        if on_dtmf is not None:
            self._on_dtmf[local.endpoint_id] = on_dtmf
        return local

    async def create_frame_endpoint(
        self, context: EndpointContext, port: FramePort, *, on_dtmf: DtmfCallback | None = None
    ) -> EndpointId:
        shim = await FrameShim.open(port, self.frame_host)
        try:
            # Paced, never relayed: the port hears one frame per tick, as from the engine's
            # own frame endpoints, with the leg's jitter buffer absorbing arrival bursts.
            local: LocalMedia = await self._call(
                "create_endpoint", context, inband_dtmf=False, relay=False
            )
            self._endpoints.add(local.endpoint_id)
            if on_dtmf is not None:
                self._on_dtmf[local.endpoint_id] = on_dtmf
            host, shim_port = shim.address
            # RTCP muxed on the shim's one port: it ignores what is not PCMU.
            remote = RemoteMedia(host, shim_port, "PCMU", 0, None, rtcp_port=shim_port)
            await self.apply_remote(local.endpoint_id, remote)
        except BaseException:
            shim.close()
            raise
        shim.leg = (local.address, local.port)
        self._shims[local.endpoint_id] = shim
        return local.endpoint_id

    def push_frame(self, endpoint_id: EndpointId, pcm: np.ndarray) -> None:
        """A frame endpoint's peer said something (20 ms, 8 kHz int16)."""
        shim = self._shims.get(endpoint_id)
        if shim is not None:
            shim.push(pcm)

    def push_dtmf(self, endpoint_id: EndpointId, digit: DtmfDigit) -> None:
        """A frame endpoint's peer pressed a key: handled in the media process (barge-in)."""
        if not self.lost.done():
            write_message(self._writer, ("cast", "push_dtmf", (endpoint_id, digit)))

    async def apply_remote(self, endpoint: EndpointId, remote: RemoteMedia) -> None:
        await self._call("apply_remote", endpoint, remote)

    async def release(self, endpoint: EndpointId) -> None:
        shim = self._shims.pop(endpoint, None)
        if shim is not None:
            shim.close()
        self._on_dtmf.pop(endpoint, None)
        self._quality.pop(endpoint, None)
        self._endpoints.discard(endpoint)
        for queue in self._dtmf_queues.pop(endpoint, []):
            queue.put_nowait(None)
        self._end_detections(endpoint, DetectionEnd.ENDED)
        await self._call("release", endpoint)

    # Playback, hold music and DTMF -----------------------------------------------------
    async def play(
        self, endpoint: EndpointId, items: Sequence[PlayItem], *, barge_in: bool = False
    ) -> Playback:
        token: int = await self._call("play", endpoint, list(items), barge_in=barge_in)
        playback = Playback(endpoint)
        ended = self._early_ends.pop(token, None)
        if ended is not None:
            playback._finish(ended)
        else:
            self._playbacks[token] = playback
        return playback

    async def stop_playback(self, endpoint: EndpointId) -> None:
        await self._call("stop_playback", endpoint)

    async def register_moh(self, name: str, items: Sequence[PlayItem]) -> None:
        await self._call("register_moh", name, list(items))

    async def start_moh(self, endpoint: EndpointId, source: str = "default") -> None:
        await self._call("start_moh", endpoint, source)

    async def stop_moh(self, endpoint: EndpointId) -> None:
        await self._call("stop_moh", endpoint)

    def _digit(self, endpoint: EndpointId, digit: DtmfDigit) -> None:
        callback = self._on_dtmf.get(endpoint)
        if callback is not None:
            try:
                callback(endpoint, digit)
            except Exception:  # as in the engine: one bad callback must not stop the channel
                log.exception("DTMF callback failed")
        for queue in self._dtmf_queues.get(endpoint, ()):
            queue.put_nowait(digit)

    async def dtmf_events(self, endpoint: EndpointId) -> AsyncIterator[DtmfDigit]:
        """Digits from now on, until the endpoint is released."""
        if endpoint not in self._endpoints:
            raise EndpointNotFound(f"no media endpoint {endpoint}", details={"endpoint": endpoint})
        queue: asyncio.Queue[DtmfDigit | None] = asyncio.Queue()
        self._dtmf_queues.setdefault(endpoint, []).append(queue)
        try:
            while (digit := await queue.get()) is not None:
                yield digit
        finally:
            queues = self._dtmf_queues.get(endpoint)
            if queues is not None and queue in queues:
                queues.remove(queue)

    async def send_dtmf(self, endpoint: EndpointId, digits: str, *, duration_ms: int = 100) -> None:
        await self._call("send_dtmf", endpoint, digits, duration_ms=duration_ms)

    async def tap_audio(self, endpoint: EndpointId, tap: AudioTap) -> None:
        self.capabilities.require(Capability.AUDIO_TAP)

    async def untap_audio(self, endpoint: EndpointId) -> None:
        return None

    # Answering-machine detection: in the media process, only its decision comes back ---
    async def detect_machine(
        self,
        endpoint: EndpointId,
        settings: AmdSettings,
        *,
        greeting_end_s: float | None = None,
        max_greeting_wait_s: float = 30.0,
    ) -> MachineDetection:
        self._end_detections(endpoint, DetectionEnd.STOPPED)  # the media side replaces it
        key = next(self._detection_keys)
        detection = MachineDetection(endpoint, greeting=greeting_end_s is not None)
        self._detections[key] = detection
        try:
            await self._call(
                "detect_machine", endpoint, settings, key, greeting_end_s=greeting_end_s,
                max_greeting_wait_s=max_greeting_wait_s,
            )  # fmt: skip
        except BaseException:
            self._detections.pop(key, None)
            raise
        self._forget_finished(key)
        return detection

    async def stop_detection(self, endpoint: EndpointId) -> None:
        self._end_detections(endpoint, DetectionEnd.STOPPED)
        await self._call("stop_detection", endpoint)

    def _detected(self, kind: str, key: int, value: Any) -> None:
        """A detection's verdict (`machine`) or its greeting's end (`greeting`) came back;
        one this side already ended (stopped, released) is forgotten."""
        detection = self._detections.get(key)
        if detection is None:
            return
        if kind == "machine":
            assert isinstance(value, MachineVerdict)
            detection._decide(value)
        else:
            detection._end_greeting(value)
        self._forget_finished(key)

    def _forget_finished(self, key: int) -> None:
        detection = self._detections.get(key)
        if detection is not None and detection.finished:
            del self._detections[key]

    def _end_detections(self, endpoint: EndpointId, end: DetectionEnd) -> None:
        """This side knows first that the leg's listening ends: its awaiting call is told now."""
        for key, detection in list(self._detections.items()):
            if detection.endpoint_id == endpoint:
                detection._end(end)
                del self._detections[key]

    # Bridges and conferences -----------------------------------------------------------
    async def bridge(self, a: EndpointId, b: EndpointId) -> None:
        await self._call("bridge", a, b)

    async def unbridge(self, endpoint: EndpointId) -> None:
        await self._call("unbridge", endpoint)

    async def create_conference(self, context: EndpointContext) -> ConferenceId:
        conference: ConferenceId = await self._call("create_conference", context)
        return conference

    async def join_conference(
        self, conference: ConferenceId, endpoint: EndpointId,
        mode: ConferenceMode = ConferenceMode.FULL, *, whisper_to: EndpointId | None = None,
    ) -> None:  # fmt: skip
        await self._call("join_conference", conference, endpoint, mode, whisper_to=whisper_to)

    async def set_conference_mode(
        self, conference: ConferenceId, endpoint: EndpointId, mode: ConferenceMode,
        *, whisper_to: EndpointId | None = None,
    ) -> None:  # fmt: skip
        await self._call("set_conference_mode", conference, endpoint, mode, whisper_to=whisper_to)

    async def leave_conference(self, conference: ConferenceId, endpoint: EndpointId) -> None:
        await self._call("leave_conference", conference, endpoint)

    async def destroy_conference(self, conference: ConferenceId) -> None:
        await self._call("destroy_conference", conference)

    # Recording -------------------------------------------------------------------------
    async def start_recording(
        self, customer: EndpointId, *, announcement: Sequence[PlayItem] | None = None
    ) -> RecordingId:
        recording: RecordingId = await self._call(
            "start_recording", customer, announcement=list(announcement) if announcement else None
        )
        return recording

    async def pause_recording(self, recording: RecordingId) -> None:
        await self._call("pause_recording", recording)

    async def resume_recording(self, recording: RecordingId) -> None:
        await self._call("resume_recording", recording)

    async def stop_recording(self, recording: RecordingId) -> RecordingInfo:
        info: RecordingInfo = await self._call("stop_recording", recording)
        return info

    # Quality and counters --------------------------------------------------------------
    def quality(self, endpoint: EndpointId) -> QualitySnapshot:
        """The figures of the endpoint's last `media.quality` event (the protocol's read is
        synchronous; the media process reports on each RTCP exchange it logs)."""
        if endpoint not in self._endpoints:
            raise EndpointNotFound(f"no media endpoint {endpoint}", details={"endpoint": endpoint})
        return self._quality.get(endpoint) or QualitySnapshot(0, 0, 0.0, 0.0, 0)

    async def fresh_quality(self, endpoint: EndpointId) -> QualitySnapshot:
        """The figures now, asked of the media process."""
        snapshot: QualitySnapshot = await self._call("quality", endpoint)
        return snapshot

    @property
    def endpoint_count(self) -> int:
        return len(self._endpoints)

    async def fresh_stats(self) -> dict[str, Any]:
        self._stats = await self._call("stats")
        return self._stats

    def stats(self) -> dict[str, Any]:
        """The media process's counters as of its last report (once a second)."""
        return {
            **self._stats,
            "frame_shims": len(self._shims),
            "process_up": 0 if self.lost.done() else 1,
        }


def _conforms(backend: RemoteMediaBackend) -> MediaBackend:
    """Never called: makes mypy prove that the remote backend implements the interface."""
    return backend
