"""The media process's side of the control channel: runs commands on its `MediaEngine` and
sends back replies and events (ADR 0186). The client is `remote.RemoteMediaBackend`.

Commands run in arrival order, each as soon as it arrives (a slow one — a TTS prompt being
synthesised — does not hold the next ones up); digits, playback ends, domain events and the
engine's counters go back as events. When the channel closes the engine is closed and
`serve()` returns: the media process never outlives the server that started it.

Answering-machine detection runs here, on the engine's audio tap: the channel carries the
command that starts it (with a key the client picked) and back only the verdict and, for a
machine that gets a message, its greeting's end (`("machine", key, MachineVerdict)`,
`("greeting", key, seconds | None)`), never the audio (ADR 0197).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from typing import Any

from hotline.errors import HotlineError
from hotline.events import DomainEvent
from hotline.media.backend import EndpointId, Playback
from hotline.media.control import encode_error, read_message, write_message
from hotline.media.detection import MachineDetection, MachineVerdict
from hotline.media.dtmf import DtmfDigit
from hotline.media.engine import MediaEngine
from hotline.media.player import PlaybackEnd

__all__ = ["COMMANDS", "ForwardingSink", "MediaControlServer"]

log = logging.getLogger(__name__)

# What the control channel may ask of the engine: the `MediaBackend` protocol, plus hold-music
# sources, a frame peer's digits and the counters. Anything else is refused.
COMMANDS = frozenset({
    "create_endpoint", "apply_remote", "release", "play", "stop_playback", "start_moh",
    "stop_moh", "send_dtmf", "bridge", "unbridge", "create_conference", "join_conference",
    "set_conference_mode", "leave_conference", "destroy_conference", "start_recording",
    "pause_recording", "resume_recording", "stop_recording", "quality", "register_moh",
    "push_dtmf", "stats", "detect_machine", "stop_detection",
})  # fmt: skip
STATS_INTERVAL_S = 1.0


class ForwardingSink:
    """The engine's `EventSink` in the media process: domain events go to the server's log."""

    def __init__(self) -> None:
        self.writer: asyncio.StreamWriter | None = None

    def emit(self, event: DomainEvent) -> None:
        if self.writer is not None and not self.writer.is_closing():
            write_message(self.writer, ("event", event))


class MediaControlServer:
    def __init__(
        self,
        engine: MediaEngine,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        sink: ForwardingSink,
    ) -> None:
        self.engine = engine
        self.reader = reader
        self.writer = writer
        sink.writer = writer
        self._tokens = itertools.count(1)
        self._tasks: set[asyncio.Task[None]] = set()

    async def serve(self) -> None:
        """Until the channel closes; then close the engine (its recordings end cleanly)."""
        write_message(self.writer, ("ready", self.engine.capabilities))
        stats = asyncio.create_task(self._push_stats(), name="media-stats")
        try:
            while True:
                try:
                    message = await read_message(self.reader)
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                kind = message[0]
                if kind == "call":
                    _, call_id, method, args, kwargs = message
                    task = asyncio.create_task(self._run(call_id, method, args, kwargs))
                    self._tasks.add(task)
                    task.add_done_callback(self._tasks.discard)
                elif kind == "cast":  # no reply wanted (a frame peer's digit)
                    _, method, args = message
                    with contextlib.suppress(Exception):
                        await self._dispatch(method, args, {})
        finally:
            stats.cancel()
            for task in list(self._tasks):
                task.cancel()
            await self.engine.close()
            self.writer.close()

    async def _run(self, call_id: int, method: str, args: tuple[Any, ...],
                   kwargs: dict[str, Any]) -> None:  # fmt: skip
        try:
            result = await self._dispatch(method, args, kwargs)
        except Exception as exc:  # every failure goes back to the caller, typed
            if not isinstance(exc, HotlineError):
                log.exception("media command %s failed", method)
            write_message(self.writer, ("error", call_id, encode_error(exc)))
            return
        write_message(self.writer, ("reply", call_id, result))

    async def _dispatch(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if method not in COMMANDS:
            raise ValueError(f"unknown media command {method!r}")
        engine = self.engine
        if method == "create_endpoint":
            (context,) = args
            return await engine.create_endpoint(context, on_dtmf=self._digit, **kwargs)
        if method == "play":
            playback = await engine.play(*args, **kwargs)
            return self._follow(playback)
        if method == "detect_machine":
            endpoint_id, settings, key = args
            detection = await engine.detect_machine(endpoint_id, settings, **kwargs)
            self._follow_detection(key, detection)
            return None
        if method == "start_recording":
            return await engine.start_recording(*args, **kwargs)
        if method == "push_dtmf":
            endpoint_id, digit = args
            engine.push_dtmf(endpoint_id, digit)
            return None
        if method in ("quality", "stats"):
            return getattr(engine, method)(*args)
        return await getattr(engine, method)(*args, **kwargs)

    def _digit(self, endpoint_id: EndpointId, digit: DtmfDigit) -> None:
        write_message(self.writer, ("dtmf", endpoint_id, digit))

    def _follow(self, playback: Playback) -> int:
        """A playback's end is an event naming the token returned with the play command."""
        token = next(self._tokens)

        def ended(reason: PlaybackEnd) -> None:
            if not self.writer.is_closing():
                write_message(self.writer, ("played", token, reason))

        playback.add_done_callback(ended)
        return token

    def _follow_detection(self, key: int, detection: MachineDetection) -> None:
        def decided(verdict: MachineVerdict) -> None:
            if not self.writer.is_closing():
                write_message(self.writer, ("machine", key, verdict))

        def greeting_ended(seconds: float | None) -> None:
            if not self.writer.is_closing():
                write_message(self.writer, ("greeting", key, seconds))

        detection.on_verdict(decided)
        detection.on_greeting_end(greeting_ended)

    async def _push_stats(self) -> None:
        while True:
            await asyncio.sleep(STATS_INTERVAL_S)
            if self.writer.is_closing():
                return
            write_message(self.writer, ("stats", self.engine.stats()))
