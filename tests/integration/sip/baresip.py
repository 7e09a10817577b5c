"""baresip 1.0.0 as a headless phone for interop tests, driven over ctrl_tcp (netstrings)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import struct
import wave
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tests.conftest import require_tool
from tests.integration.sip.peers import free_port


def write_wav(path: Path, seconds: float) -> None:
    """8 kHz 16-bit mono, a quiet square-ish tone; longer than the test (baresip hangs up
    when its source file ends)."""
    frames = int(8000 * seconds)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(
            b"".join(struct.pack("<h", 2000 if (i // 10) % 2 else -2000) for i in range(frames))
        )


class Baresip:
    def __init__(self, proc: asyncio.subprocess.Process, reader: asyncio.StreamReader,
                 writer: asyncio.StreamWriter, port: int) -> None:  # fmt: skip
        self.proc = proc
        self.reader = reader
        self.writer = writer
        self.port = port
        self.events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.responses: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._pump = asyncio.ensure_future(self._read())

    async def _read(self) -> None:
        while True:
            head = await self.reader.readuntil(b":")
            length = int(head[:-1])
            body = await self.reader.readexactly(length + 1)
            msg = json.loads(body[:-1])
            if msg.get("event"):
                self.events.put_nowait(msg)
            else:
                self.responses.put_nowait(msg)

    async def command(self, command: str, params: str = "") -> dict[str, Any]:
        data = json.dumps({"command": command, "params": params, "token": "t"}).encode()
        self.writer.write(str(len(data)).encode() + b":" + data + b",")
        await self.writer.drain()
        return await asyncio.wait_for(self.responses.get(), 10)

    async def wait_event(self, kind: str, timeout: float = 15.0) -> dict[str, Any]:
        async def find() -> dict[str, Any]:
            while True:
                event = await self.events.get()
                if event.get("type") == kind:
                    return event

        return await asyncio.wait_for(find(), timeout)

    async def close(self) -> None:
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, asyncio.IncompleteReadError, OSError):
            await self._pump
        self.writer.close()
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


@contextlib.asynccontextmanager
async def baresip(tmp: Path, account: str) -> AsyncIterator[Baresip]:
    exe = require_tool("baresip")
    home = tmp / "home"
    conf = home / ".baresip"
    conf.mkdir(parents=True)
    wav = tmp / "source.wav"
    write_wav(wav, 60)
    port, ctrl = free_port(), free_port()
    rtp = free_port()
    rtp = rtp - rtp % 2
    modules = ["g711", "aufile", "aubridge", "srtp", "account", "menu", "ctrl_tcp"]
    lines = [
        "poll_method epoll",
        f"sip_listen 127.0.0.1:{port}",
        f"audio_source aufile,{wav}",
        "audio_player aubridge,null",
        "audio_alert aubridge,null",
        f"rtp_ports {rtp}-{rtp + 9}",
        "module_path /usr/lib/baresip/modules",
        *[f"module {m}.so" for m in modules],
        f"ctrl_tcp_listen 127.0.0.1:{ctrl}",
    ]
    (conf / "config").write_text("\n".join(lines) + "\n")
    (conf / "accounts").write_text(account + "\n")
    (conf / "contacts").write_text("")
    env = dict(os.environ, HOME=str(home))
    log = (tmp / "baresip.log").open("wb")  # kept for reading after a failure
    proc = await asyncio.create_subprocess_exec(
        exe, "-f", str(conf), *(["-s"] if os.environ.get("BARESIP_TRACE") else []),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=log,
        stderr=asyncio.subprocess.STDOUT,
        env=env, cwd=str(tmp),
    )  # fmt: skip
    log.close()
    reader = writer = None
    for _ in range(100):
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", ctrl)
            break
        except OSError:
            await asyncio.sleep(0.1)
    if reader is None or writer is None:
        proc.kill()
        await proc.wait()
        raise RuntimeError("baresip did not open its control port")
    phone = Baresip(proc, reader, writer, port)
    try:
        yield phone
    finally:
        await phone.close()
