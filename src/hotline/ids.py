"""Typed, sortable identifiers.

Ids are ULIDs (26 Crockford base32 characters: 48-bit millisecond time + 80 random bits), so they
sort by creation time in every database and in logs. Within one millisecond, ids from one process
stay strictly increasing. Each kind of id is its own `NewType` so mypy catches a leg id passed as
an interaction id.
"""

from __future__ import annotations

import secrets
import threading
import time
from typing import NewType

__all__ = [
    "AgentId",
    "CallId",
    "CustomerId",
    "InteractionId",
    "LegId",
    "QueueId",
    "TenantId",
    "UserId",
    "WorkId",
    "is_ulid",
    "new_id",
    "ulid_time",
]

TenantId = NewType("TenantId", str)
UserId = NewType("UserId", str)
AgentId = NewType("AgentId", str)
QueueId = NewType("QueueId", str)
InteractionId = NewType("InteractionId", str)
WorkId = NewType("WorkId", str)  # one visit of a contact to a queue (or to one agent)
CallId = NewType("CallId", str)
LegId = NewType("LegId", str)
CustomerId = NewType("CustomerId", str)

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {c: i for i, c in enumerate(_ALPHABET)}
_RANDOM_BITS = 80
_lock = threading.Lock()
_last_ms = -1
_last_random = 0


def _encode(value: int) -> str:
    chars = []
    for _ in range(26):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id(now: float | None = None) -> str:
    """A new ULID. `now` (epoch seconds) fixes the time part; the default is the system time."""
    global _last_ms, _last_random
    ms = int((time.time() if now is None else now) * 1000)
    with _lock:
        if ms <= _last_ms:
            # Same (or earlier) millisecond: keep ids increasing by bumping the random part.
            ms = _last_ms
            rnd = _last_random + 1
            if rnd >= 1 << _RANDOM_BITS:
                ms += 1
                rnd = secrets.randbits(_RANDOM_BITS - 1)
        else:
            rnd = secrets.randbits(_RANDOM_BITS - 1)
        _last_ms, _last_random = ms, rnd
    return _encode((ms << _RANDOM_BITS) | rnd)


def is_ulid(text: str) -> bool:
    return len(text) == 26 and text[0] in "01234567" and all(c in _DECODE for c in text)


def ulid_time(text: str) -> float:
    """The creation time (epoch seconds) encoded in a ULID."""
    if not is_ulid(text):
        raise ValueError(f"not a ULID: {text!r}")
    value = 0
    for c in text:
        value = (value << 5) | _DECODE[c]
    return (value >> _RANDOM_BITS) / 1000.0
