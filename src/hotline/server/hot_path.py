"""What a new call asks before it is answered — the number's owner and flow, the flow's active
version, the emergency switch, who is calling — held in memory, so no call waits on the
database to be set up (issue 14).

Loaded at start; changes made in this process arrive as events on the bus (`config.changed`
for numbers, `flow.activated`, `flow.emergency_switched`, `customer.changed`, `tenant.*`) and
are applied within milliseconds; changes written by another process (`hotline tenant number
add`, `hotline flow publish`) are picked up by a re-read every `poll_s`. Queues, agents and
calendars have their own followers (`ConfigFollower`, `CalendarBook`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.events import EventRecord
from hotline.flows import FlowVersion, ProgramCache
from hotline.flows.emergency import EmergencyState
from hotline.flows.errors import FlowNotFound
from hotline.interactions.ports import DidRoute
from hotline.store.customer_index import IndexedCustomerDirectory
from hotline.store.flow_repo import SqlEmergencySwitchStore, SqlFlowRepository
from hotline.store.tables import dids, emergency_switch, flow_active
from hotline.tasks import TaskSet

__all__ = ["FOLLOWED", "HotPath"]

log = logging.getLogger(__name__)

FOLLOWED = frozenset(
    {
        "config.changed",
        "flow.activated",
        "flow.emergency_switched",
        "customer.changed",
        "tenant.created",
        "tenant.changed",
    }
)


class HotPath:
    """The runtime's `DidDirectory`, `FlowLookup` and `EmergencySwitchStore`, from memory; its
    `customers` is the `CustomerDirectory`."""

    def __init__(
        self,
        db: AsyncEngine,
        programs: ProgramCache,
        *,
        poll_s: float = 30.0,
        details_wait_s: float = 0.2,
    ) -> None:
        self._db = db
        self.programs = programs
        self.poll_s = poll_s
        self.customers = IndexedCustomerDirectory(db, details_wait_s=details_wait_s)
        self.routes: dict[str, DidRoute] = {}
        self.flows: dict[tuple[str, str], FlowVersion] = {}
        self.emergency_states: dict[str, EmergencyState] = {}
        self._tasks = TaskSet("hot path")
        self.reloads = 0

    # --- loading --------------------------------------------------------------------------

    async def load_all(self) -> None:
        await self.reload_config()
        count = await self.customers.load_all()
        log.info(
            "call path in memory: %d numbers, %d active flows, %d customers' phones",
            len(self.routes), len(self.flows), count,
        )  # fmt: skip

    async def reload_config(self) -> None:
        """Numbers, active flow pointers and emergency switches of every tenant, read afresh
        (cheap: a flow version is read only when its pointer moved)."""
        async with self._db.connect() as conn:
            rows = (await conn.execute(select(dids.c.number, dids.c.tenant_id, dids.c.flow))).all()
            routes = {
                str(r.number): DidRoute(str(r.tenant_id), str(r.flow) if r.flow else None)
                for r in rows
            }
            states = {
                str(t): EmergencyState(**s)
                for t, s in (await conn.execute(select(emergency_switch))).all()
                if s
            }
            pointers = (
                await conn.execute(
                    select(flow_active.c.tenant_id, flow_active.c.name, flow_active.c.version)
                )
            ).all()
            flows: dict[tuple[str, str], FlowVersion] = {}
            repo = SqlFlowRepository(conn)
            for tenant_id, name, number in pointers:
                key = (str(tenant_id), str(name))
                known = self.flows.get(key)
                if known is not None and known.version == number:
                    flows[key] = known
                    continue
                version = await repo.get_version(key[0], key[1], int(number))
                if version is not None:
                    flows[key] = version
        self.routes, self.emergency_states, self.flows = routes, states, flows
        self.reloads += 1

    @staticmethod
    async def _active(repo: SqlFlowRepository, tenant_id: str, name: str) -> FlowVersion | None:
        pointer = await repo.get_active(tenant_id, name)
        if pointer is None:
            return None
        return await repo.get_version(tenant_id, name, pointer.version)

    async def _reload_flow(self, tenant_id: str, name: str) -> None:
        async with self._db.connect() as conn:
            version = await self._active(SqlFlowRepository(conn), tenant_id, name)
        if version is None:
            self.flows.pop((tenant_id, name), None)
        else:
            self.flows[(tenant_id, name)] = version

    async def _reload_emergency(self, tenant_id: str) -> None:
        async with self._db.connect() as conn:
            self.emergency_states[tenant_id] = await SqlEmergencySwitchStore(conn).get(tenant_id)

    # --- following ------------------------------------------------------------------------

    def start(self, bus: EventBus) -> None:
        self._tasks.spawn(self._follow(bus), name="hot-path-follow")
        self._tasks.spawn(self._poll(), name="hot-path-poll")

    async def stop(self) -> None:
        await self._tasks.cancel_all()

    async def apply(self, record: EventRecord) -> None:
        """One committed event that changes what new calls see."""
        payload: dict[str, Any] = record.payload
        if record.type == "flow.activated":
            await self._reload_flow(record.tenant_id, str(payload["name"]))
        elif record.type == "flow.emergency_switched":
            await self._reload_emergency(record.tenant_id)
        elif record.type == "customer.changed":
            await self.customers.refresh(record.tenant_id, str(payload["customer_id"]))
        elif record.type == "config.changed" and payload.get("entity") == "did":
            await self.reload_config()
        elif record.type in ("tenant.created", "tenant.changed"):
            await self.reload_config()
            await self.customers.load_regions()

    async def _follow(self, bus: EventBus) -> None:
        async for record in bus.subscribe(types=FOLLOWED):
            try:
                await self.apply(record)
            except Exception:
                log.exception("applying %s to the call path failed", record.type)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.poll_s)
            try:
                await self.reload_config()
            except Exception:
                log.exception("re-reading numbers and flows failed")

    # --- DidDirectory ---------------------------------------------------------------------

    async def resolve(self, did: str) -> DidRoute | None:
        return self.routes.get(did) or self.routes.get(did.lstrip("+"))

    # --- FlowLookup -----------------------------------------------------------------------

    async def active(self, tenant_id: str, name: str) -> FlowVersion:
        version = self.flows.get((tenant_id, name))
        if version is None:
            raise FlowNotFound(f"no published flow {name!r}", details={"name": name})
        return version

    async def for_did(self, tenant_id: str, did: str) -> FlowVersion | None:
        route = self.routes.get(did)
        if route is not None and route.tenant_id == tenant_id and route.flow:
            return self.flows.get((tenant_id, route.flow))
        for (tenant, _), version in sorted(self.flows.items()):
            if tenant == tenant_id and did in version.flow.dids:
                return version
        return None

    # --- EmergencySwitchStore -------------------------------------------------------------

    async def get(self, tenant_id: str) -> EmergencyState:
        return self.emergency_states.get(tenant_id) or EmergencyState()

    async def put(self, tenant_id: str, state: EmergencyState) -> None:
        async with self._db.begin() as conn:
            await SqlEmergencySwitchStore(conn).put(tenant_id, state)
        self.emergency_states[tenant_id] = state

    def stats(self) -> dict[str, float]:
        return {
            "numbers": float(len(self.routes)),
            "active_flows": float(len(self.flows)),
            **self.customers.stats(),
        }
