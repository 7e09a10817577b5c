"""SIP message traces: one record per message in or out, JSON lines, and a ladder view.

The service hands every message to a `MessageObserver`; `TraceRecord.to_json()` is the line
format of the trace file that `hotline sip trace` follows. `format_ladder` turns records into
the readable arrows a support engineer expects (one column per peer, our side in the middle).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

__all__ = ["LadderFormatter", "MessageObserver", "TraceRecord", "redact_keys", "summarize"]


@dataclass(frozen=True, slots=True)
class TraceRecord:
    """One SIP message as seen on our socket."""

    at: float
    direction: str  # "in" or "out"
    transport: str
    local: str
    remote: str
    data: bytes

    def to_json(self) -> str:
        return json.dumps(
            {
                "at": round(self.at, 6),
                "dir": self.direction,
                "transport": self.transport,
                "local": self.local,
                "remote": self.remote,
                "message": self.data.decode("utf-8", "replace"),
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, line: str) -> TraceRecord:
        obj: dict[str, Any] = json.loads(line)
        return cls(
            at=float(obj["at"]),
            direction=str(obj["dir"]),
            transport=str(obj["transport"]),
            local=str(obj["local"]),
            remote=str(obj["remote"]),
            data=str(obj["message"]).encode(),
        )

    @property
    def first_line(self) -> str:
        return self.data.split(b"\r\n", 1)[0].decode("utf-8", "replace")

    def header(self, *names: str) -> str | None:
        head = self.data.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        wanted = {n.lower() for n in names}
        for line in head.split("\r\n")[1:]:
            name, colon, value = line.partition(":")
            if colon and name.strip().lower() in wanted:
                return value.strip()
        return None


_INLINE_KEY = re.compile(rb"(a=crypto:[^\r\n]*?inline:)[A-Za-z0-9+/=]+")


def redact_keys(data: bytes) -> bytes:
    """The message with its SDES keys (`a=crypto … inline:<key>`) replaced by `****`: a trace
    file must not hold what decrypts the calls it shows."""
    if b"inline:" not in data:
        return data
    return _INLINE_KEY.sub(rb"\1****", data)


class MessageObserver(Protocol):
    """Told of every SIP message in and out. Must not block (called on the event loop)."""

    def observe(self, record: TraceRecord) -> None: ...


def summarize(record: TraceRecord) -> str:
    """`INVITE sip:100@host` or `180 Ringing`, short enough for an arrow label."""
    first = record.first_line
    if first.startswith("SIP/"):
        return first.split(" ", 1)[1] if " " in first else first
    parts = first.split(" ")
    return " ".join(parts[:2])


class LadderFormatter:
    """Formats records as a ladder: `time  peer  <arrow with label>  hotline`."""

    def __init__(self, width: int = 100, call_id: str | None = None) -> None:
        self.width = width
        self.call_id = call_id

    def wanted(self, record: TraceRecord) -> bool:
        if self.call_id is None:
            return True
        return record.header("call-id", "i") == self.call_id

    def format(self, record: TraceRecord) -> str:
        stamp = time.strftime("%H:%M:%S", time.localtime(record.at))
        stamp += f".{int(record.at * 1000) % 1000:03d}"
        peer = f"{record.transport}:{record.remote}"
        label = summarize(record)
        span = max(12, self.width - len(stamp) - 28 - 10)
        label = label if len(label) <= span - 4 else label[: span - 7] + "..."
        fill = "─" * max(2, span - len(label) - 2)
        # The peer stands left, Hotline right: requests in point right, answers out left.
        arrow = f"{label} {fill}▶" if record.direction == "in" else f"◀{fill} {label}"
        line = f"{stamp}  {peer:>28}  {arrow}  hotline"
        call_id = record.header("call-id", "i") or "-"
        cseq = record.header("cseq") or ""
        return f"{line}   [{call_id[:24]} {cseq}]"

    def format_all(self, records: Iterable[TraceRecord]) -> list[str]:
        return [self.format(r) for r in records if self.wanted(r)]
