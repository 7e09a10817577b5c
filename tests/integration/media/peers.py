"""Plain-UDP RTP peers and an engine fixture for the media integration tests (loopback only)."""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import AsyncIterator
from typing import ClassVar

import pytest

from hotline.events import ListSink
from hotline.media.engine import MediaEngine
from hotline.media.rtp import RtpPacket
from hotline.media.storage import FileRecordingStorage


def free_port_range(size: int = 200) -> tuple[int, int]:
    """A port range in 32768-60000 (above the ports of tests/ports.py and a demo's
    20000-29999) whose first pair is free right now; an engine sets aside a taken pair."""
    rng = random.Random()
    for _ in range(50):
        base = rng.randrange(32_768, 60_000, 2)
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.bind(("127.0.0.1", base))
            return base, base + size - 1
        except OSError:
            continue
        finally:
            probe.close()
    raise RuntimeError("no free port range")


class _Proto(asyncio.DatagramProtocol):
    def __init__(self, peer: RtpPeer) -> None:
        self.peer = peer

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        self.peer.received.append((asyncio.get_running_loop().time(), data, addr))
        self.peer.arrived.set()


class RtpPeer:
    """A far end: sends raw RTP from its own socket, keeps what it receives. Every peer a test
    opens is closed after it (`close_rtp_peers`), so no socket is left for the garbage collector
    to report during a later test."""

    opened: ClassVar[set[RtpPeer]] = set()

    def __init__(self) -> None:
        self.received: list[tuple[float, bytes, tuple[str, int]]] = []
        self.arrived = asyncio.Event()
        self.transport: asyncio.DatagramTransport | None = None
        self.seq = 1000
        self.ts = 50_000
        self.ssrc = random.getrandbits(32)

    @classmethod
    async def open(cls) -> RtpPeer:
        peer = cls()
        loop = asyncio.get_running_loop()
        peer.transport, _ = await loop.create_datagram_endpoint(
            lambda: _Proto(peer), local_addr=("127.0.0.1", 0)
        )
        cls.opened.add(peer)
        return peer

    @property
    def port(self) -> int:
        assert self.transport is not None
        return int(self.transport.get_extra_info("sockname")[1])

    def send(self, payload: bytes, to: tuple[str, int], *, pt: int = 0, marker: bool = False,
             ts: int | None = None) -> None:  # fmt: skip
        assert self.transport is not None
        packet = RtpPacket(pt, self.seq & 0xFFFF, (self.ts if ts is None else ts) & 0xFFFFFFFF,
                           self.ssrc, payload, marker)  # fmt: skip
        self.transport.sendto(bytes(packet), to)
        self.seq += 1
        if ts is None:
            self.ts += len(payload)

    def send_raw(self, data: bytes, to: tuple[str, int]) -> None:
        assert self.transport is not None
        self.transport.sendto(data, to)

    def rtp(self) -> list[RtpPacket]:
        out = []
        for _, data, _ in self.received:
            if len(data) > 1 and not 192 <= data[1] <= 223:
                out.append(RtpPacket.parse(data))
        return out

    async def wait_for(self, count: int, timeout: float = 5.0) -> list[RtpPacket]:
        async with asyncio.timeout(timeout):
            while len(self.rtp()) < count:
                self.arrived.clear()
                await self.arrived.wait()
        return self.rtp()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
        RtpPeer.opened.discard(self)


@pytest.fixture(autouse=True)
async def close_rtp_peers() -> AsyncIterator[None]:
    yield
    for peer in list(RtpPeer.opened):
        peer.close()


async def stream(peer: RtpPeer, to: tuple[str, int], payloads: list[bytes], *, pt: int = 0,
                 interval: float = 0.02) -> None:  # fmt: skip
    """Send payloads paced like a phone would."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for i, payload in enumerate(payloads):
        peer.send(payload, to, pt=pt, marker=i == 0)
        await asyncio.sleep(max(0.0, start + (i + 1) * interval - loop.time()))


def event_payload(event: int, end: bool, duration: int) -> bytes:
    return struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)


# Recording storage of each engine under test: the remote backend has none of its own (its
# media process writes the files), so tests read them through the same directory.
_STORAGE: dict[int, object] = {}


@pytest.fixture(params=["in_process", "process"])
async def engine(request: pytest.FixtureRequest, tmp_path: object) -> AsyncIterator[MediaEngine]:
    """The media backend contract runs against both backends (ADR 0186): the in-process
    engine, and the engine in its own process behind `RemoteMediaBackend`."""
    async with _backend(str(request.param), tmp_path) as media:
        yield media


@pytest.fixture
async def local_engine(tmp_path: object) -> AsyncIterator[MediaEngine]:
    """The in-process engine alone, for tests that read its internals (the pacer, the shared
    hold-music stream, RTCP on demand, its prompt library): the remote backend has none."""
    async with _backend("in_process", tmp_path) as media:
        yield media


@contextlib.asynccontextmanager
async def _backend(kind: str, tmp_path: object) -> AsyncIterator[MediaEngine]:
    from pathlib import Path

    from hotline.media.prompts import PromptLibrary
    from hotline.media.storage import FileRecordingStorage

    low, high = free_port_range()
    sink = ListSink()
    assert isinstance(tmp_path, Path)
    storage = FileRecordingStorage(tmp_path / "recordings")
    if kind == "process":
        from hotline.config import MediaSettings, RecordingSettings
        from hotline.server.media_process import MediaProcess

        process = MediaProcess(
            MediaSettings(rtp_port_min=low, rtp_port_max=high, prompts_dir=tmp_path,
                          tts_cache_dir=tmp_path / "tts"),
            RecordingSettings(directory=tmp_path / "recordings"),
            sink=sink,
        )  # fmt: skip
        remote = await process.start()
        _STORAGE[id(remote)] = storage
        yield remote  # type: ignore[misc]
        _STORAGE.pop(id(remote), None)
        await process.stop()
        assert process.process is not None
        assert process.process.returncode == 0  # it exited by itself when the channel closed
        assert not process.failed.done()
        return
    media = MediaEngine(
        port_min=low, port_max=high, sink=sink, prompts=PromptLibrary(prompts_dir=tmp_path),
        storage=storage,
    )  # fmt: skip
    await media.start()
    yield media
    await media.close()


def is_remote(media: object) -> bool:
    from hotline.media.remote import RemoteMediaBackend

    return isinstance(media, RemoteMediaBackend)


def storage_of(media: object) -> FileRecordingStorage:
    from hotline.media.storage import FileRecordingStorage

    storage = _STORAGE.get(id(media)) or getattr(media, "storage", None)
    assert isinstance(storage, FileRecordingStorage)
    return storage


async def stats_of(media: object) -> dict[str, object]:
    if is_remote(media):
        return await media.fresh_stats()  # type: ignore[attr-defined, no-any-return]
    return media.stats()  # type: ignore[attr-defined, no-any-return]


def sink_of(media: MediaEngine) -> ListSink:
    assert isinstance(media.sink, ListSink)
    return media.sink
