"""An in-process aiortc peer that plays the browser: it sends chosen 20 ms frames as its
microphone and keeps every frame it hears. Loopback only (`ice_host_addresses`)."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import itertools
from collections.abc import Callable, Iterable

import av
import numpy as np
import numpy.typing as npt
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError

from hotline.media.webrtc import ice_host_addresses

Pcm = npt.NDArray[np.int16]
RATE = 8000
FRAME = 160


class Microphone(MediaStreamTrack):
    """Sends queued frames, then silence, one per 20 ms (paced on the loop clock)."""

    kind = "audio"

    def __init__(self) -> None:
        super().__init__()
        self.queue: list[Pcm] = []
        self._index = 0
        self._start: float | None = None

    def say(self, frames: Iterable[Pcm]) -> None:
        self.queue.extend(frames)

    async def recv(self) -> av.AudioFrame:
        if self.readyState != "live":
            raise MediaStreamError
        loop = asyncio.get_running_loop()
        if self._start is None:
            self._start = loop.time()
        await asyncio.sleep(max(0.0, self._start + self._index * 0.02 - loop.time()))
        pcm = self.queue.pop(0) if self.queue else np.zeros(FRAME, np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = RATE
        frame.pts = self._index * FRAME
        frame.time_base = fractions.Fraction(1, RATE)
        self._index += 1
        return frame


class BrowserPeer:
    """The page's side of the session, in aiortc."""

    def __init__(self, addresses: Iterable[str] = ("127.0.0.1",)) -> None:
        self.addresses = list(addresses)
        self.pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        self.microphone = Microphone()
        self.pc.addTransceiver(self.microphone, direction="sendrecv")
        self.heard: list[Pcm] = []
        self.heard_event = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None

        @self.pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            self._reader = asyncio.ensure_future(self._read(track))

    async def _read(self, track: MediaStreamTrack) -> None:
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            assert isinstance(frame, av.AudioFrame)
            self.heard.append(frame.to_ndarray().reshape(-1).astype(np.int16))
            self.heard_event.set()

    async def offer(self) -> str:
        with ice_host_addresses(self.addresses):
            await self.pc.setLocalDescription(await self.pc.createOffer())
        assert self.pc.localDescription is not None
        return self.pc.localDescription.sdp

    async def accept(self, answer: str) -> None:
        await self.pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))

    def received(self) -> Pcm:
        return np.concatenate(self.heard) if self.heard else np.zeros(0, np.int16)

    async def close(self) -> None:
        await self.pc.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader


async def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll a condition the server side changes without telling the test (a socket closed)."""
    async with asyncio.timeout(timeout):
        for _ in itertools.count():
            if predicate():
                return
            await asyncio.sleep(0.01)
