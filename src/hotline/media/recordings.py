"""The engine's live recordings: start (storage key, taps on the customer's endpoint), pause,
resume, stop (file closed off the loop, checksum, event), and the tick that drives them.

What is recorded and how it is written is `recorder.py`; where files go is `storage.py`.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.ids import new_id
from hotline.media.backend import RecordingId, RecordingInfo
from hotline.media.codecs.g711 import Codec
from hotline.media.endpoint import Endpoint, FrameEndpoint, RtpEndpoint
from hotline.media.errors import EndpointNotFound, MediaConflict, RecordingError
from hotline.media.events import (
    RecordingPaused,
    RecordingResumed,
    RecordingStarted,
    RecordingStopped,
)
from hotline.media.quality import envelope
from hotline.media.recorder import Recording, StereoWavWriter, file_sha256
from hotline.media.storage import RecordingStorage, recording_key

__all__ = ["Recordings"]


class Recordings:
    def __init__(
        self, storage: RecordingStorage | None, sink: EventSink, clock: Clock, *, delay: int
    ) -> None:
        self.storage = storage
        self._sink = sink
        self._clock = clock
        self._delay = delay
        self._live: dict[RecordingId, tuple[Recording, Endpoint]] = {}
        # Files are written by one thread, in order, never on the event loop: a disk busy with
        # other work must not stall the media clock.
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline-recorder")

    def __len__(self) -> int:
        return len(self._live)

    def of(self, endpoint: Endpoint) -> list[RecordingId]:
        return [rid for rid, (_, customer) in self._live.items() if customer is endpoint]

    def start(self, customer: Endpoint) -> RecordingId:
        if self.storage is None:
            raise MediaConflict(
                "recording storage is not configured", code="media.recording.no_storage"
            )
        if customer.recording is not None:
            raise MediaConflict(f"endpoint {customer.id} is already being recorded")
        context = customer.context
        now = self._clock.now()
        key, file = self.storage.create(
            recording_key(context.tenant_id, context.interaction_id, context.leg_id, now)
        )
        recording_id = RecordingId(new_id(now))
        codec = customer.codec if isinstance(customer, RtpEndpoint) else Codec.PCMU
        recording = Recording(
            recording_id, key, StereoWavWriter(file, executor=self._writer), codec=codec,
            flush_phase=len(self._live), delay=self._delay,
        )  # fmt: skip
        customer.recording = recording
        if isinstance(customer, RtpEndpoint | FrameEndpoint):
            customer.send_tap = recording.on_sent
            customer.receive_tap = recording.on_received
        self._live[recording_id] = (recording, customer)
        self._sink.emit(RecordingStarted(
            **envelope(context, now), recording_id=recording_id, path=key, channels=2,
            sample_rate=8000,
        ))  # fmt: skip
        return recording_id

    def _find(self, recording_id: RecordingId) -> tuple[Recording, Endpoint]:
        found = self._live.get(recording_id)
        if found is None:
            raise EndpointNotFound(f"no recording {recording_id}", code="media.recording.not_found")
        return found

    def pause(self, recording_id: RecordingId) -> None:
        recording, customer = self._find(recording_id)
        if recording.pause():
            self._sink.emit(RecordingPaused(
                **envelope(customer.context, self._clock.now()), recording_id=recording_id,
                offset_s=recording.elapsed / 8000,
            ))  # fmt: skip

    def resume(self, recording_id: RecordingId) -> None:
        recording, customer = self._find(recording_id)
        if recording.resume():
            self._sink.emit(RecordingResumed(
                **envelope(customer.context, self._clock.now()), recording_id=recording_id,
                offset_s=recording.elapsed / 8000,
            ))  # fmt: skip

    def on_tick(self, tick: int) -> None:
        for recording, _ in self._live.values():
            recording.on_tick(tick)

    async def stop(self, recording_id: RecordingId) -> RecordingInfo:
        recording, customer = self._find(recording_id)
        del self._live[recording_id]
        customer.recording = None
        if isinstance(customer, RtpEndpoint | FrameEndpoint):
            customer.send_tap = customer.receive_tap = None
        closed = recording.close()
        if closed is not None:
            await asyncio.wrap_future(closed)
        if recording.failure is not None:
            raise RecordingError(
                f"recording {recording.key} could not be written: {recording.failure}",
                details={"path": recording.key},
            )
        assert self.storage is not None
        storage = self.storage
        digest = await asyncio.get_running_loop().run_in_executor(
            None, lambda: file_sha256(storage.open_read(recording.key))
        )
        info = RecordingInfo(
            recording_id, recording.key, recording.duration_s, 2, digest,
            recording.spans_seconds(), recording.size_bytes,
        )  # fmt: skip
        self._sink.emit(RecordingStopped(
            **envelope(customer.context, self._clock.now()), recording_id=recording_id,
            path=info.path, duration_s=info.duration_s, channels=2, sha256=digest,
            size_bytes=info.size_bytes, paused_spans=info.paused_spans,
        ))  # fmt: skip
        return info

    async def close(self) -> None:
        for recording_id in list(self._live):
            await self.stop(recording_id)
        await asyncio.get_running_loop().run_in_executor(None, self._writer.shutdown)
