"""A TCP relay between a browser page and the server that a test can cut, as a network loss
would: while cut, the page's connections (its pages, the desk stream, the phone's signalling
WebSocket) are dropped and new ones are refused; restored, it relays again.

Playwright's offline mode alone does not do this: it fails the page's new requests, but an open
WebSocket and WebRTC's UDP on 127.0.0.1 carry on (measured: no detach in 10 s offline). The
phone's media (UDP between Chromium and the server) is not relayed: cutting it needs control of
the network that tests on a shared machine do not have, so after a cut the server hears the
page's microphone until it detaches the phone, as it does when the signalling goes."""

from __future__ import annotations

import asyncio
import contextlib

from tests.ports import free_port

__all__ = ["CuttableLink"]


class CuttableLink:
    """127.0.0.1:`port` → 127.0.0.1:`target_port`; `url` is the server's address through it."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self.cut = False
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.cut:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        except OSError:
            writer.transport.abort()
            return
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(source, sink))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pipe(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.IncompleteReadError):
            while data := await source.read(65536):
                sink.write(data)
                await sink.drain()
        sink.transport.abort()
        self._writers.discard(sink)

    def cut_off(self) -> None:
        """Drop every connection now and refuse new ones until `restore`."""
        self.cut = True
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    def restore(self) -> None:
        self.cut = False

    async def close(self) -> None:
        self.cut_off()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
