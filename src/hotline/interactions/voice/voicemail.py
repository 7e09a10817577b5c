"""Voicemail: greeting, beep, then the caller's message to a WAV until max length, a stretch of
silence, `#`, or hang-up — and the e-mail notice.

The message is captured through the media backend's frame-endpoint seam: a `VoicemailTap`
endpoint is bridged to the customer leg, so the engine hands it the caller's audio as 20 ms
frames on its clock (and the caller hears silence from it). The tap measures loudness per frame
(numpy, microseconds) for the silence rule; the file is written by the recording storage in an
executor, never on the event loop (DESIGN §3.10). Files share the call recordings' layout
(`<tenant>/<yyyy>/<mm>/<dd>/<interaction>-vm-<mailbox>.wav`), so retention purges them too.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from hotline.errors import HotlineError
from hotline.media.backend import EndpointContext, MediaBackend
from hotline.media.player import PlayItem, Tone
from hotline.media.storage import RecordingStorage, recording_key
from hotline.media.tones import BEEP
from hotline.media.wav import wav_header

__all__ = ["Message", "VoicemailEnd", "VoicemailTap", "record_message", "store_message"]

RATE = 8000
Pcm = npt.NDArray[np.int16]


class VoicemailEnd(StrEnum):
    SILENCE = "silence"
    MAX_LENGTH = "max_length"
    KEY = "key"
    HANGUP = "hangup"


class VoicemailTap:
    """A `FramePort`: keeps what the caller says and notices the end by length or silence."""

    def __init__(self, *, max_s: float, silence_s: float, silence_level: float) -> None:
        self._chunks: list[Pcm] = []
        self.samples = 0
        self._max = int(max_s * RATE)
        self._silence = int(silence_s * RATE)
        self._level = silence_level
        self._quiet = 0  # samples of silence at the end so far
        self.ended: VoicemailEnd | None = None
        self.done = asyncio.Event()

    def deliver(self, pcm: Pcm) -> None:
        """Called on the media clock with 20 ms of what the caller said."""
        if self.ended is not None:
            return
        frame = np.array(pcm, dtype=np.int16)
        self._chunks.append(frame)
        self.samples += len(frame)
        rms = float(np.sqrt(np.mean(frame.astype(np.float32) ** 2))) if len(frame) else 0.0
        self._quiet = self._quiet + len(frame) if rms < self._level else 0
        if self.samples >= self._max:
            self.finish(VoicemailEnd.MAX_LENGTH)
        elif self._silence and self._quiet >= self._silence:
            self.finish(VoicemailEnd.SILENCE)

    def finish(self, why: VoicemailEnd) -> None:
        if self.ended is None:
            self.ended = why
            self.done.set()

    def audio(self) -> Pcm:
        """The message without the silence that ended it (a short tail is kept)."""
        if not self._chunks:
            return np.zeros(0, np.int16)
        pcm = np.concatenate(self._chunks)
        if self.ended is VoicemailEnd.SILENCE:
            keep = max(0, len(pcm) - self._quiet + RATE // 2)
            pcm = pcm[:keep]
        return pcm


@dataclass(frozen=True, slots=True)
class Message:
    audio: Pcm
    ended_by: VoicemailEnd

    @property
    def duration_s(self) -> float:
        return round(len(self.audio) / RATE, 2)


async def record_message(
    media: MediaBackend,
    customer_endpoint: str,
    context: EndpointContext,
    *,
    greeting: list[PlayItem],
    beep: bool,
    max_s: float,
    silence_s: float,
    silence_level: float,
    digits: asyncio.Queue[str],
    gone: asyncio.Event,
) -> Message:
    """Play the greeting and beep on the customer endpoint, then record until one of the ends.
    Returns what was recorded (possibly nothing, if the caller hung up during the greeting)."""
    from hotline.media.backend import EndpointId

    endpoint = EndpointId(customer_endpoint)
    tap = VoicemailTap(max_s=max_s, silence_s=silence_s, silence_level=silence_level)
    intro = [*greeting, *([Tone(BEEP, 0.25)] if beep else [])]
    if intro:
        playback = await media.play(endpoint, intro)
        ends = [asyncio.ensure_future(playback.wait()), asyncio.ensure_future(gone.wait())]
        await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        for end in ends:
            end.cancel()
    if gone.is_set():
        return Message(np.zeros(0, np.int16), VoicemailEnd.HANGUP)
    while not digits.empty():  # keys pressed during the greeting do not end the message
        digits.get_nowait()
    frames = await media.create_frame_endpoint(context, tap)
    try:
        await media.bridge(endpoint, frames)
        key = asyncio.ensure_future(_hash_key(digits))
        waits: list[asyncio.Future[Any]] = [
            asyncio.ensure_future(tap.done.wait()),
            asyncio.ensure_future(gone.wait()),
            key,
        ]
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()
        if gone.is_set():
            tap.finish(VoicemailEnd.HANGUP)
        elif key.done() and not key.cancelled():
            tap.finish(VoicemailEnd.KEY)
    finally:
        with contextlib.suppress(HotlineError):
            await media.unbridge(endpoint)
        with contextlib.suppress(HotlineError):
            await media.release(frames)
    assert tap.ended is not None
    return Message(tap.audio(), tap.ended)


async def _hash_key(digits: asyncio.Queue[str]) -> None:
    while await digits.get() != "#":
        pass


def _write(storage: RecordingStorage, key: str, audio: Pcm) -> tuple[str, int]:
    data = audio.astype("<i2").tobytes()
    used, file = storage.create(key)
    with file:
        file.write(wav_header(channels=1, rate=RATE, bits=16, data_bytes=len(data)))
        file.write(data)
    return used, 44 + len(data)


async def store_message(
    storage: RecordingStorage,
    message: Message,
    *,
    tenant_id: str,
    interaction_id: str,
    mailbox: str,
    now: float,
) -> tuple[str, int]:
    """Write the message as a mono 8 kHz WAV; returns (storage key, size in bytes)."""
    key = recording_key(tenant_id, interaction_id, f"vm-{mailbox}", now)
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, _write, storage, key, message.audio)
