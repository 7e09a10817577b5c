"""The media engine in its own process (`media.engine = "process"`, ADR 0186): the supervisor
that `hotline serve` uses, and the process's own entry point.

`MediaProcess.start()` makes a connected unix socket pair, starts
`python -m hotline.server.media_process --control-fd N` with one end, and returns a
`RemoteMediaBackend` on the other once the engine there is running. The media process:

- builds the same `MediaEngine` the in-process mode builds (`build_media_engine`), from the
  server's media and recording settings handed over as JSON;
- ignores SIGINT and SIGTERM (a terminal's Ctrl+C or systemd's stop reach the whole process
  group; the server drains first and then closes the channel), and exits when the channel
  closes — so it never outlives the server, even one killed with SIGKILL;
- if it dies on its own, `failed` resolves with what happened, and the server stops with an
  error (the live calls' audio went with it; ADR 0186 says why not a silent restart).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import socket
import sys

from hotline.clock import Clock, SystemClock
from hotline.config import MediaSettings, RecordingSettings
from hotline.events import EventSink
from hotline.media import EspeakTts, MediaEngine, PromptLibrary
from hotline.media.control_server import ForwardingSink, MediaControlServer
from hotline.media.remote import RemoteMediaBackend
from hotline.media.storage import RecordingStorage
from hotline.server.heap import HeapWatch
from hotline.vault import recording_storage

__all__ = ["MediaProcess", "build_media_engine", "main"]

log = logging.getLogger(__name__)
CONFIG_ENV = "HOTLINE_MEDIA_PROCESS_CONFIG"


def build_media_engine(
    media: MediaSettings, *, sink: EventSink, clock: Clock, storage: RecordingStorage
) -> MediaEngine:
    """The engine of either mode, from the settings."""
    return MediaEngine(
        host=media.rtp_host,
        port_min=media.rtp_port_min,
        port_max=media.rtp_port_max,
        sink=sink,
        clock=clock,
        prompts=PromptLibrary(
            prompts_dir=media.prompts_dir,
            tts=EspeakTts(media.tts_cache_dir, words_per_minute=media.tts_words_per_minute),
            max_cached_seconds=float(media.prompt_cache_seconds),
        ),
        storage=storage,
        advertised_host=media.rtp_public_host,
        relay=media.relay,
        quality_interval=media.quality_event_interval_s,
    )


def storage_of(recording: RecordingSettings) -> RecordingStorage:
    # Sealed with the tenant's key when `recording.encrypt` is on (ADR 0114).
    return recording_storage(
        recording.directory, encrypt=recording.encrypt, key_dir=recording.key_dir
    )


class MediaProcess:
    """Starts, watches and stops the media process of one server."""

    def __init__(
        self,
        media: MediaSettings,
        recording: RecordingSettings,
        *,
        sink: EventSink,
        start_timeout: float = 60.0,
    ) -> None:
        self.media = media
        self.recording = recording
        self.sink = sink
        self.start_timeout = start_timeout
        self.process: asyncio.subprocess.Process | None = None
        self.backend: RemoteMediaBackend | None = None
        self.failed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._stopping = False
        self._watch: asyncio.Task[None] | None = None

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    async def start(self) -> RemoteMediaBackend:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        config = json.dumps({
            "media": self.media.model_dump(mode="json"),
            "recording": self.recording.model_dump(mode="json"),
        })  # fmt: skip
        try:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "hotline.server.media_process",
                "--control-fd", str(theirs.fileno()),
                pass_fds=(theirs.fileno(),),
                env={**os.environ, CONFIG_ENV: config},
            )  # fmt: skip
        finally:
            theirs.close()
        reader, writer = await asyncio.open_unix_connection(sock=ours)
        try:
            self.backend = await RemoteMediaBackend.connect(
                reader, writer, sink=self.sink, frame_host=self.media.webrtc_host,
                timeout=self.start_timeout,
            )  # fmt: skip
        except BaseException:
            writer.close()
            await self._reap(5.0)
            raise
        self._watch = asyncio.create_task(self._follow(), name="media-process")
        log.info("media engine in process %d", self.process.pid)
        return self.backend

    async def _follow(self) -> None:
        assert self.process is not None
        assert self.backend is not None
        lost = asyncio.ensure_future(asyncio.shield(self.backend.lost))
        exited = asyncio.ensure_future(self.process.wait())
        ends: list[asyncio.Future[object]] = [lost, exited]  # type: ignore[list-item]
        await asyncio.wait(ends, return_when=asyncio.FIRST_COMPLETED)
        if self._stopping:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(exited), 2.0)
        code = self.process.returncode
        what = (
            f"killed by {signal.Signals(-code).name}" if code is not None and code < 0
            else f"exited with code {code}" if code is not None
            else f"lost its control channel ({lost.result() if lost.done() else '?'})"
        )  # fmt: skip
        message = f"the media process {self.process.pid} {what}"
        log.critical("%s: every call's audio went with it", message)
        if not self.failed.done():
            self.failed.set_result(message)

    async def stop(self, timeout: float = 10.0) -> None:
        """Close the channel (the engine there closes its recordings), then wait for the exit;
        terminate it only if it does not go."""
        self._stopping = True
        if self.backend is not None:
            await self.backend.close()
        await self._reap(timeout)
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch

    async def _reap(self, timeout: float) -> None:
        process = self.process
        if process is None or process.returncode is not None:
            return
        try:
            await asyncio.wait_for(process.wait(), timeout)
        except TimeoutError:
            log.error("media process %d did not exit; killing it", process.pid)
            process.kill()
            await process.wait()


# The media process itself ------------------------------------------------------------------
async def _serve(control_fd: int, media: MediaSettings, recording: RecordingSettings) -> None:
    sock = socket.socket(fileno=control_fd)
    reader, writer = await asyncio.open_unix_connection(sock=sock)
    sink = ForwardingSink()
    engine = build_media_engine(
        media, sink=sink, clock=SystemClock(), storage=storage_of(recording)
    )
    await engine.start()
    HeapWatch().settle()  # the engine's start-up objects are never walked by the collector
    await MediaControlServer(engine, reader, writer, sink).serve()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="hotline-media", description="Hotline media process")
    parser.add_argument("--control-fd", type=int, required=True)
    args = parser.parse_args(argv)
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)  # the server decides when we stop (channel EOF)
    logging.basicConfig(level=logging.INFO, format="media %(levelname)s %(name)s: %(message)s")
    config = json.loads(os.environ[CONFIG_ENV])
    media = MediaSettings.model_validate(config["media"])
    recording = RecordingSettings.model_validate(config["recording"])
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency
        asyncio.run(_serve(args.control_fd, media, recording))
    else:
        uvloop.run(_serve(args.control_fd, media, recording))


if __name__ == "__main__":
    main()
