"""Transaction timer values (RFC 3261 §17, Table 4) as one frozen configuration value."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TimerSettings"]


@dataclass(frozen=True, slots=True)
class TimerSettings:
    """T1 (RTT estimate), T2 (max retransmit interval for non-INVITE), T4 (max network life).

    The derived timers follow Table 4: B = F = H = J = L = M = 64·T1, D = 32 s for UDP,
    I = K = T4 for UDP; every "wait" timer is zero on reliable transports.
    """

    t1: float = 0.5
    t2: float = 4.0
    t4: float = 5.0
    timer_d: float = 32.0

    @property
    def timeout(self) -> float:
        """Timers B, F, H, J, L and M."""
        return 64 * self.t1
