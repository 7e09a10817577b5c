"""The tenant-wide emergency switch that flows' `emergency` nodes obey.

An admin turns it on during an outage or incident, optionally with a message that replaces the
flows' own announcement. Calls read it once when they start (`variables()` seeds
`emergency.active` and `emergency.message` for `run_flow`); flipping it changes new calls, not
the callers already past their emergency node. Storage is behind `EmergencySwitchStore`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from hotline.clock import Clock
from hotline.events import EventSink
from hotline.flows.events import EmergencySwitched
from hotline.flows.variables import Scalar

__all__ = [
    "EmergencyService",
    "EmergencyState",
    "EmergencySwitchStore",
    "InMemoryEmergencySwitchStore",
]


@dataclass(frozen=True, slots=True)
class EmergencyState:
    active: bool = False
    message: str | None = None
    since: float | None = None
    by: str | None = None

    def variables(self) -> dict[str, Scalar]:
        return {"emergency.active": self.active, "emergency.message": self.message}


class EmergencySwitchStore(Protocol):
    async def get(self, tenant_id: str) -> EmergencyState: ...

    async def put(self, tenant_id: str, state: EmergencyState) -> None: ...


class InMemoryEmergencySwitchStore:
    def __init__(self) -> None:
        self._states: dict[str, EmergencyState] = {}

    async def get(self, tenant_id: str) -> EmergencyState:
        return self._states.get(tenant_id, EmergencyState())

    async def put(self, tenant_id: str, state: EmergencyState) -> None:
        self._states[tenant_id] = state


class EmergencyService:
    def __init__(self, store: EmergencySwitchStore, sink: EventSink, clock: Clock) -> None:
        self.store = store
        self.sink = sink
        self.clock = clock

    async def switch(
        self, tenant_id: str, *, active: bool, message: str | None = None, by: str | None = None
    ) -> EmergencyState:
        now = self.clock.now()
        text = (message or "").strip() or None
        state = EmergencyState(active, text if active else None, now, by)
        await self.store.put(tenant_id, state)
        event = EmergencySwitched(
            tenant_id=tenant_id, at=now, active=active, message=state.message, by=by
        )
        self.sink.emit(event)
        return state

    async def variables(self, tenant_id: str) -> dict[str, Scalar]:
        """What to pass to `run_flow` for a new call."""
        return (await self.store.get(tenant_id)).variables()
