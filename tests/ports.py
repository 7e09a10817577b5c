"""Ports for the servers and peers a test starts, safe when tests run in parallel processes.

Each pytest-xdist worker takes ports from its own slice of 30000–32759: below the kernel's
ephemeral ports (32768–60999, what any `bind(0)` or client socket gets), above the RTP ranges
tests give servers (10000–19599) and a demo's (20000–29999). Within its slice a worker hands
ports out in turn, so a port comes back only after the whole slice, and each one is checked free
(TCP and UDP) when handed out. Ports picked with `bind(0)` and released could be taken by
another worker's socket before the server binds them.
"""

from __future__ import annotations

import os
import random
import socket

__all__ = ["free_port", "free_ports"]

LOW, HIGH = 30_000, 32_760
SLICES = 4


def _slice() -> tuple[int, int]:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    index = int(worker) % SLICES if worker.isdigit() else 0
    size = (HIGH - LOW) // SLICES
    return LOW + index * size, LOW + (index + 1) * size


_low, _high = _slice()
_next = random.randrange(_low, _high)


def _is_free(port: int) -> bool:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def free_ports(count: int = 1) -> int:
    """The first of `count` consecutive ports, each free for TCP and UDP now."""
    global _next
    for _ in range(_high - _low):
        if _next + count > _high:
            _next = _low
        first = _next
        _next += count
        if all(_is_free(p) for p in range(first, first + count)):
            return first
    raise RuntimeError(f"no {count} free ports in {_low}-{_high}")


# Many users of a port also take the next ones (RTCP on +1, baresip's RTP range, sipp's media
# ports): every port handed out starts a block of this many, all free when handed out.
ROOM = 16


def free_port(kind: int | None = None) -> int:
    """A port free for TCP and UDP, with the next `ROOM - 1` free too (`kind` is accepted for
    the callers' old signature)."""
    return free_ports(ROOM)
