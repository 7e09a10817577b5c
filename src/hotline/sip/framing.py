"""Message framing on stream transports (RFC 3261 §18.3) and CRLF keep-alives (RFC 5626 §3.5.1).

`StreamFramer.feed(data)` returns the complete messages (as bytes) found so far and keeps the
rest; it never parses headers beyond Content-Length, so a slow sender costs only a buffer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotline.sip.errors import SipParseError

__all__ = ["KeepAlive", "StreamFramer"]

_CONTENT_LENGTH_RE = re.compile(rb"(?:^|\n)(?:content-length|l)[ \t]*:[ \t]*([0-9]+)", re.I)


@dataclass(frozen=True, slots=True)
class KeepAlive:
    """A double-CRLF ping (answer with a single CRLF pong) or a lone CRLF pong."""

    ping: bool


class StreamFramer:
    """Incremental reassembly of SIP messages from a byte stream."""

    def __init__(self, max_message_bytes: int = 65_535) -> None:
        self._buf = bytearray()
        self._max = max_message_bytes

    def feed(self, data: bytes) -> list[bytes | KeepAlive]:
        """Add received octets; return complete messages and keep-alives, in order.

        Raises `SipParseError` when the stream cannot be framed (no Content-Length digits,
        a header block or body larger than the limit): the connection should be closed.
        """
        self._buf += data
        out: list[bytes | KeepAlive] = []
        buf = self._buf
        while buf:
            if buf.startswith(b"\r\n\r\n"):
                del buf[:4]
                out.append(KeepAlive(ping=True))
                continue
            if buf.startswith(b"\r\n"):
                if len(buf) < 4 and b"\r\n\r\n".startswith(bytes(buf)):
                    break  # maybe the start of a ping; wait
                del buf[:2]
                out.append(KeepAlive(ping=False))
                continue
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                if len(buf) > self._max:
                    raise SipParseError("header block larger than the limit", status_hint=413)
                break
            head = bytes(buf[:end])
            m = _CONTENT_LENGTH_RE.search(head)
            length = int(m.group(1)) if m else 0
            total = end + 4 + length
            if total > self._max:
                raise SipParseError("message larger than the limit", status_hint=413)
            if len(buf) < total:
                break
            out.append(bytes(buf[:total]))
            del buf[:total]
        return out

    @property
    def buffered(self) -> int:
        return len(self._buf)
