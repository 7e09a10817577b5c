"""Listening to the caller for the voice bot (ADR 0258): like voicemail, a frame endpoint
bridged to the customer leg hands the caller's audio to a `SpeechTap` on the media clock; the
tap feeds the recognizer's stream and the end-pointer, which says when the caller has spoken
and stopped (or said nothing in time). The recognizer decodes off the event loop."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.errors import HotlineError
from hotline.media.backend import EndpointContext, EndpointId, MediaBackend
from hotline.speech import Endpointer, RecognitionStream, Recognized, UtteranceState

__all__ = ["Heard", "SpeechTap", "listen_once"]

RATE = 8000


class SpeechTap:
    """A `FramePort`: each 20 ms frame goes to the recognizer and the end-pointer."""

    def __init__(self, stream: RecognitionStream, endpointer: Endpointer) -> None:
        self.stream = stream
        self.endpointer = endpointer
        self.done = asyncio.Event()

    def deliver(self, pcm: npt.NDArray[np.int16]) -> None:
        if self.done.is_set():
            return
        frame = np.array(pcm, dtype=np.int16)
        self.stream.feed(frame)
        if self.endpointer.feed(frame) in (UtteranceState.DONE, UtteranceState.SILENT):
            self.done.set()


@dataclass(frozen=True, slots=True)
class Heard:
    recognized: Recognized
    ended_by: str  # "done" | "silent" | "hangup"
    duration_s: float


async def listen_once(
    media: MediaBackend,
    customer_endpoint: EndpointId,
    context: EndpointContext,
    stream: RecognitionStream,
    endpointer: Endpointer,
    gone: asyncio.Event,
    on_listening: Callable[[], None] = lambda: None,
) -> Heard:
    tap = SpeechTap(stream, endpointer)
    frames = await media.create_frame_endpoint(context, tap)
    try:
        await media.bridge(customer_endpoint, frames)
        on_listening()
        waits = [asyncio.ensure_future(tap.done.wait()), asyncio.ensure_future(gone.wait())]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waits:
                w.cancel()
    finally:
        with contextlib.suppress(HotlineError):
            await media.unbridge(customer_endpoint)
        with contextlib.suppress(HotlineError):
            await media.release(frames)
    duration = round(endpointer.samples / RATE, 2)
    if gone.is_set() and not tap.done.is_set():
        stream.close()
        return Heard(Recognized("", "", ""), "hangup", duration)
    if endpointer.state is UtteranceState.SILENT:
        stream.close()
        return Heard(Recognized("", "", ""), "silent", duration)
    return Heard(await stream.finish(), "done", duration)
