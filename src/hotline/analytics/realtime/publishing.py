"""Versioned rows: which wallboard rows changed after a version, for deltas over the WebSocket.

Each publish compares every row's stable form (ticking fields left out) with the one last
published; a row that differs is stamped with the next version. A client that holds version v
needs exactly the rows stamped after v, plus the keys removed after v — whatever v is, so any
number of pages at different versions are served from the same state, with no history kept
beyond one stamp per row (and one per removed key).
"""

from __future__ import annotations

from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from hotline.analytics.realtime.figures import Agent, Alert, Center, Queue

__all__ = ["SECTIONS", "RowLog", "Rows"]

SECTIONS = ("queues", "agents", "alerts", "center")

R = TypeVar("R", Queue, Agent, Alert, Center)


@dataclass(frozen=True, slots=True)
class _Entry(Generic[R]):
    version: int
    row: R
    stable: tuple[Any, ...]


class _Section(Generic[R]):
    __slots__ = ("entries", "removed")

    def __init__(self) -> None:
        self.entries: dict[str, _Entry[R]] = {}
        self.removed: dict[str, int] = {}  # key → version in which it went away

    def publish(
        self,
        rows: Mapping[str, R],
        version: int,
        *,
        complete: bool = True,
        unchanged: Container[str] = (),
    ) -> bool:
        """Stamp the rows that changed; with `complete`, keys not in `rows` went away.

        Rows under keys in `unchanged` are known to keep their stable content: their ticking
        values are refreshed without comparing.
        """
        changed = False
        entries = self.entries
        for key, row in rows.items():
            entry = entries.get(key)
            if entry is not None and key in unchanged:
                entries[key] = _Entry(entry.version, row, entry.stable)
                continue
            stable = row.stable()
            if entry is None or entry.stable != stable:
                entries[key] = _Entry(version, row, stable)
                self.removed.pop(key, None)
                changed = True
            else:
                # same stable content: keep the stamp, refresh the ticking values
                entries[key] = _Entry(entry.version, row, entry.stable)
        if not complete:
            return changed
        for key in [k for k in entries if k not in rows]:
            del entries[key]
            self.removed[key] = version
            changed = True
        return changed

    def rows(self) -> dict[str, R]:
        return {key: entry.row for key, entry in sorted(self.entries.items())}

    def changed_after(self, version: int) -> dict[str, R]:
        return {
            key: entry.row for key, entry in sorted(self.entries.items()) if entry.version > version
        }

    def removed_after(self, version: int) -> tuple[str, ...]:
        return tuple(sorted(key for key, v in self.removed.items() if v > version))


class _Complement:
    """Every key that is not in `keys`."""

    __slots__ = ("keys",)

    def __init__(self, keys: Container[str]) -> None:
        self.keys = keys

    def __contains__(self, key: object) -> bool:
        return key not in self.keys


@dataclass(frozen=True, slots=True)
class Rows:
    """One publish's worth of rows, or the rows changed after a version."""

    queues: dict[str, Queue]
    agents: dict[str, Agent]
    alerts: dict[str, Alert]
    center: dict[str, Center]


class RowLog:
    """The last published rows with their version stamps."""

    def __init__(self) -> None:
        self.version = 0
        self._queues: _Section[Queue] = _Section()
        self._agents: _Section[Agent] = _Section()
        self._alerts: _Section[Alert] = _Section()
        self._center: _Section[Center] = _Section()

    def seed_center(self, rows: dict[str, Center]) -> None:
        """Install the first center row as part of version 0 (an empty projection's)."""
        self._center.publish(rows, self.version)

    def publish(self, rows: Rows, *, touched: Container[str] | None = None) -> int:
        """Stamp what changed with the next version; the version after this publish.

        With `touched`, only the agents named there may have changed: `rows.agents` may hold
        just those (agents are never removed), and any other row in it only refreshes.
        """
        candidate = self.version + 1
        changed = self._queues.publish(rows.queues, candidate)
        if touched is None:
            changed = self._agents.publish(rows.agents, candidate) or changed
        else:
            unchanged = _Complement(touched)
            agents = self._agents.publish(
                rows.agents, candidate, complete=False, unchanged=unchanged
            )
            changed = agents or changed
        changed = self._alerts.publish(rows.alerts, candidate) or changed
        changed = self._center.publish(rows.center, candidate) or changed
        if changed:
            self.version = candidate
        return self.version

    def current(self) -> Rows:
        return Rows(
            self._queues.rows(), self._agents.rows(), self._alerts.rows(), self._center.rows()
        )

    def changed_after(self, version: int) -> tuple[Rows, dict[str, tuple[str, ...]]]:
        rows = Rows(
            self._queues.changed_after(version),
            self._agents.changed_after(version),
            self._alerts.changed_after(version),
            self._center.changed_after(version),
        )
        removed = {
            "queues": self._queues.removed_after(version),
            "agents": self._agents.removed_after(version),
            "alerts": self._alerts.removed_after(version),
            "center": self._center.removed_after(version),
        }
        return rows, removed
