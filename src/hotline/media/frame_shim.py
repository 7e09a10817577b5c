"""A frame endpoint of the remote backend: PCM frames in this process, an RTP leg in the media
process, joined by loopback RTP (ADR 0186).

WebRTC sessions (aiortc) and the voicemail tap live in the server process and exchange 20 ms
PCM frames through a `FramePort`. With the media engine in its own process their audio cannot
cross the control channel (no RTP there), so each becomes an ordinary PCMU leg there, whose
peer is this shim: what the leg sends arrives here, is decoded and handed to `port.deliver()`
a frame at a time; `push()` encodes what the browser said and sends it back to the leg.
"""

from __future__ import annotations

import asyncio
import random
import struct
from typing import cast

import numpy as np
import numpy.typing as npt

from hotline.media.backend import FramePort
from hotline.media.codecs import g711
from hotline.media.codecs.g711 import Codec
from hotline.media.rtp import RtpSender

__all__ = ["FrameShim"]

Pcm = npt.NDArray[np.int16]
FRAME = 160
_HEADER = struct.Struct("!BBHII")


class FrameShim(asyncio.DatagramProtocol):
    def __init__(self, port: FramePort) -> None:
        self.port = port
        self.transport: asyncio.DatagramTransport | None = None
        self.leg: tuple[str, int] | None = None  # the media process's RTP leg
        rng = random.Random()
        self._sender = RtpSender(rng.getrandbits(32), rng.getrandbits(16), rng.getrandbits(32))
        self.received = 0
        self.sent = 0

    @classmethod
    async def open(cls, port: FramePort, host: str) -> FrameShim:
        loop = asyncio.get_running_loop()
        # The kernel picks the port: this socket only ever talks to our own media process.
        _, shim = await loop.create_datagram_endpoint(lambda: cls(port), local_addr=(host, 0))
        return shim

    @property
    def address(self) -> tuple[str, int]:
        assert self.transport is not None
        host, port = self.transport.get_extra_info("sockname")[:2]
        return host, port

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) <= 12 or data[0] != 0x80 or data[1] & 0x7F != 0:
            return  # RTCP (muxed here), telephone-events, anything but plain PCMU
        pcm = g711.decode(Codec.PCMU, data[12:])
        for start in range(0, len(pcm), FRAME):  # a 40 or 60 ms packet is 2 or 3 frames
            self.received += 1
            self.port.deliver(pcm[start : start + FRAME])

    def push(self, pcm: Pcm) -> None:
        """What the frame peer said (20 ms, 8 kHz int16): one PCMU packet to the leg."""
        if self.transport is None or self.leg is None or self.transport.is_closing():
            return
        payload = g711.encode(Codec.PCMU, np.asarray(pcm, dtype=np.int16)[:FRAME])
        header = self._sender.header(0, len(payload), len(payload), marker=self.sent == 0)
        self.transport.sendto(header + payload, self.leg)
        self.sent += 1

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
