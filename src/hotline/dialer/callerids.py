"""Protecting the center's numbers (seed 004: carriers block lines that call too much or get
refused too often): a campaign's pool of caller ids, rotated least-used first, a daily cap per
caller id (days in the tenant's zone), and per caller id the short-call and refusal ratios with
an alert when one crosses its threshold, and the carrier's rejection causes.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from hotline.dialer.errors import DialerError
from hotline.dialer.outcomes import Outcome

__all__ = ["AlertKind", "CallerIdAlert", "CallerIdPool", "CallerIdStats"]


class AlertKind(StrEnum):
    SHORT_CALLS = "short_calls"
    REFUSALS = "refusals"


@dataclass(frozen=True, slots=True)
class CallerIdAlert:
    caller_id: str
    kind: AlertKind
    ratio: float
    threshold: float
    calls: int


@dataclass(slots=True)
class CallerIdStats:
    """The last `size` answered-or-refused calls of one caller id, and its rejections."""

    size: int = 200
    recent: deque[tuple[bool, bool]] = field(default_factory=deque)  # (short, refused)
    rejections: Counter[int] = field(default_factory=Counter)  # carrier's status → count

    def add(self, short: bool, refused: bool) -> None:
        self.recent.append((short, refused))
        while len(self.recent) > self.size:
            self.recent.popleft()

    @property
    def calls(self) -> int:
        return len(self.recent)

    @property
    def short_ratio(self) -> float:
        return sum(s for s, _ in self.recent) / len(self.recent) if self.recent else 0.0

    @property
    def refusal_ratio(self) -> float:
        return sum(r for _, r in self.recent) / len(self.recent) if self.recent else 0.0


class CallerIdPool:
    """`pick(now)` gives the caller id for the next call (None: every one is at its cap
    today); `record(…)` feeds each call's end back. `used` restores today's counts."""

    def __init__(
        self,
        numbers: Sequence[str],
        *,
        daily_cap: int,
        zone: str,
        used: Mapping[str, int] | None = None,
        today: date | None = None,
        short_call_s: float = 5.0,
        short_threshold: float = 0.35,
        refusal_threshold: float = 0.2,
        min_calls: int = 20,
    ) -> None:
        if not numbers:
            raise DialerError("a campaign needs at least one caller id", field="caller_ids")
        if len(set(numbers)) != len(numbers):
            raise DialerError("a caller id is listed twice", field="caller_ids")
        self.numbers = tuple(numbers)
        self.daily_cap = daily_cap
        self._zone = ZoneInfo(zone)
        self._day = today
        self._used: Counter[str] = Counter(used or {})
        self._last: dict[str, int] = {}  # number → sequence of its last pick (rotation)
        self._sequence = 0
        self.stats = {n: CallerIdStats() for n in self.numbers}
        self.short_call_s = short_call_s
        self.short_threshold = short_threshold
        self.refusal_threshold = refusal_threshold
        self.min_calls = min_calls

    def _roll(self, now: float) -> None:
        day = datetime.fromtimestamp(now, self._zone).date()
        if self._day != day:
            self._day = day
            self._used.clear()

    def used_today(self, number: str, now: float) -> int:
        self._roll(now)
        return self._used[number]

    def pick(self, now: float) -> str | None:
        self._roll(now)
        free = [n for n in self.numbers if not self.daily_cap or self._used[n] < self.daily_cap]
        if not free:
            return None
        chosen = min(free, key=lambda n: (self._used[n], self._last.get(n, -1)))
        self._used[chosen] += 1
        self._sequence += 1
        self._last[chosen] = self._sequence
        return chosen

    def record(
        self, number: str, outcome: Outcome, *, talk_s: float = 0.0, status: int | None = None
    ) -> None:
        stats = self.stats.get(number)
        if stats is None:
            return
        if outcome is Outcome.FAILED and status is not None:
            stats.rejections[status] += 1
        if outcome in (Outcome.CONNECTED, Outcome.REFUSED, Outcome.ABANDONED):
            short = outcome is not Outcome.REFUSED and talk_s < self.short_call_s
            stats.add(short, outcome is Outcome.REFUSED)

    def alerts(self) -> list[CallerIdAlert]:
        out = []
        for number, stats in self.stats.items():
            if stats.calls < self.min_calls:
                continue
            if stats.short_ratio > self.short_threshold:
                out.append(
                    CallerIdAlert(
                        number,
                        AlertKind.SHORT_CALLS,
                        stats.short_ratio,
                        self.short_threshold,
                        stats.calls,
                    )
                )
            if stats.refusal_ratio > self.refusal_threshold:
                out.append(
                    CallerIdAlert(
                        number,
                        AlertKind.REFUSALS,
                        stats.refusal_ratio,
                        self.refusal_threshold,
                        stats.calls,
                    )
                )
        return out
