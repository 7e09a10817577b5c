"""The media process's control channel: framed messages over a local stream socket (ADR 0186).

One connected `AF_UNIX` socket pair, made by the supervisor before it starts the media
process, carries commands one way and replies and events the other. RTP never crosses it:
a message is a command (`("call", id, method, args, kwargs)`), its reply, or an event (a digit,
a playback's end, a domain event, engine counters). Frames are a 4-byte length and a pickle:
both ends are this program, started by one another on one socketpair that no other process
can reach (nothing listens on a path or a port), so pickling our own values is safe and keeps
dataclasses, enums and numpy arrays exact.

Errors cross as data: a `HotlineError` keeps its class, message, code and details; anything
else arrives as `MediaProcessError` naming what the media process raised.
"""

from __future__ import annotations

import asyncio
import importlib
import pickle
import struct
from typing import Any

from hotline.errors import HotlineError, Unavailable
from hotline.media.errors import MediaError

__all__ = [
    "MAX_FRAME",
    "MediaProcessError",
    "MediaProcessLost",
    "decode_error",
    "encode_error",
    "read_message",
    "write_message",
]

_LENGTH = struct.Struct("!I")
MAX_FRAME = 64 << 20  # a playlist or a recording's info is small; this is a sanity bound


class MediaProcessLost(Unavailable):
    """The media process is gone (it died or is stopping): its calls' media went with it."""

    code = "media.process.lost"


class MediaProcessError(MediaError):
    """The media process raised something that is not one of our typed errors (a bug there)."""

    code = "media.process.error"


def frame(message: Any) -> bytes:
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


def write_message(writer: asyncio.StreamWriter, message: Any) -> None:
    writer.write(frame(message))


async def read_message(reader: asyncio.StreamReader) -> Any:
    """The next message; `asyncio.IncompleteReadError` when the other end closed."""
    (length,) = _LENGTH.unpack(await reader.readexactly(_LENGTH.size))
    if length > MAX_FRAME:
        raise MediaProcessError(f"control frame of {length} bytes is larger than allowed")
    return pickle.loads(await reader.readexactly(length))  # our own peer, see above


def encode_error(exc: BaseException) -> tuple[str, str, str, str, dict[str, Any]]:
    if isinstance(exc, HotlineError):
        cls = type(exc)
        return (cls.__module__, cls.__qualname__, exc.message, exc.code, dict(exc.details))
    return (
        MediaProcessError.__module__,
        MediaProcessError.__qualname__,
        f"the media process failed: {type(exc).__name__}: {exc}",
        MediaProcessError.code,
        {},
    )


def decode_error(data: tuple[str, str, str, str, dict[str, Any]]) -> HotlineError:
    module, name, message, code, details = data
    cls: Any = MediaProcessError
    if module.startswith("hotline."):
        found = getattr(importlib.import_module(module), name, None)
        if isinstance(found, type) and issubclass(found, HotlineError):
            cls = found
    error: HotlineError = cls(message, code=code, details=details)
    return error
