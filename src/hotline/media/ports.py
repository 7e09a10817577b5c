"""The RTP port pool: even ports for RTP with RTCP on the next odd port (RFC 3550 §11), taken
from a configured range. Freed ports go to the back of the line, so a port is not handed out
again while late packets of its previous call may still arrive.
"""

from __future__ import annotations

from collections import deque

from hotline.media.errors import PortPoolExhausted

__all__ = ["PortPool"]


class PortPool:
    def __init__(self, port_min: int, port_max: int) -> None:
        first = port_min + (port_min & 1)
        if first + 1 > port_max:
            raise ValueError(f"port range {port_min}-{port_max} holds no RTP/RTCP pair")
        self.port_min, self.port_max = port_min, port_max
        self._free: deque[int] = deque(range(first, port_max, 2))
        self._used: set[int] = set()

    @property
    def capacity(self) -> int:
        return len(self._free) + len(self._used)

    @property
    def in_use(self) -> int:
        return len(self._used)

    def allocate(self) -> int:
        """An even RTP port (its RTCP port is +1)."""
        if not self._free:
            raise PortPoolExhausted(
                f"all {self.capacity} RTP ports of {self.port_min}-{self.port_max} are in use",
                details={"port_min": self.port_min, "port_max": self.port_max},
            )
        port = self._free.popleft()
        self._used.add(port)
        return port

    def release(self, port: int) -> None:
        if port in self._used:
            self._used.remove(port)
            self._free.append(port)

    def set_aside(self, port: int) -> None:
        """A port some other process holds: release it to the back, like a freed one."""
        self.release(port)
