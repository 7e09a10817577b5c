"""`hotline serve` with `media.engine = "process"` (ADR 0186): a real call's audio comes from the
media process, nothing outlives the server, and a dead media process stops the server loudly."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import numpy as np

from tests.integration.callcenter.softphone import softphone
from tests.server import ServerProcess


def media_children(server: ServerProcess) -> list[int]:
    """The server's child processes running the media engine (from /proc)."""
    assert server.process is not None
    found = []
    for task in Path(f"/proc/{server.process.pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"hotline.server.media_process" in command:
                found.append(int(pid))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def wait_until(condition: object, timeout: float = 20.0) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if condition():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.1)
    return False


def media_server(tmp_path: Path) -> ServerProcess:
    return ServerProcess(
        tmp_path / "var",
        f"sqlite+aiosqlite:///{tmp_path}/var/hotline.db",
        HOTLINE_MEDIA__ENGINE="process",
    )


async def test_a_caller_hears_the_greeting_from_the_media_process(tmp_path: Path) -> None:
    server = media_server(tmp_path)
    try:
        server.start("demo")
        (media_pid,) = media_children(server)
        async with softphone(tmp_path) as phone:
            call = await phone.dial(f"sip:4001@127.0.0.1:{server.sip_port}")
            await call.record()
            await asyncio.sleep(3.0)  # the demo flow's TTS greeting plays meanwhile
            heard = await call.heard()
            await call.hangup()
        frames = heard[: len(heard) // 160 * 160].reshape(-1, 160).astype(np.float64)
        spoken = int((np.sqrt((frames**2).mean(axis=1)) > 300).sum())
        assert spoken >= 25, f"only {spoken} frames of speech in {len(frames)}"
        metrics = server.login().get("/metrics").text
        assert "hotline_media_process_up 1.0" in metrics
    finally:
        server.stop()
    assert server.process is not None
    assert server.process.returncode == 0
    assert not alive(media_pid)  # no orphan: it exited when the server closed its channel


async def test_a_killed_media_process_stops_the_server_with_an_error(tmp_path: Path) -> None:
    server = media_server(tmp_path)
    try:
        server.start("demo")
        (media_pid,) = media_children(server)
        os.kill(media_pid, signal.SIGKILL)
        assert server.process is not None
        process = server.process
        assert await wait_until(lambda: process.poll() is not None, 30)
        assert process.returncode == 1
        log = server.log_path.read_text()
        assert f"the media process {media_pid} killed by SIGKILL" in log
        assert "Hotline stopped:" in log
    finally:
        server.stop()
