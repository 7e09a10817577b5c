"""What a new call asks before it is answered — the number's owner and flow, the flow's active
version, the emergency switch, who is calling — held in memory, so no call waits on the
database to be set up (issue 14).

Loaded at start; changes made in this process arrive as events on the bus (`config.changed`
for numbers, `flow.activated`, `flow.emergency_switched`, `customer.changed`, `tenant.*`) and
are applied within milliseconds; changes written by another process (`hotline tenant number
add`, `hotline flow publish`) are picked up by a re-read every `poll_s`, and customers another
process changed or imported (`hotline import customers`, another node) by reading the log's
customer facts since the last look. Queues, agents and calendars have their own followers
(`ConfigFollower`, `CalendarBook`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from hotline.bus import EventBus
from hotline.clock import Clock, SystemClock
from hotline.events import EventRecord
from hotline.flows import FlowVersion, ProgramCache
from hotline.flows.emergency import EmergencyState
from hotline.flows.errors import FlowNotFound
from hotline.interactions.ports import DidRoute
from hotline.store.customer_index import IndexedCustomerDirectory
from hotline.store.flow_repo import SqlEmergencySwitchStore, SqlFlowRepository
from hotline.store.tables import dids, emergency_switch, events, flow_active
from hotline.tasks import TaskSet

__all__ = ["FOLLOWED", "HotPath"]

log = logging.getLogger(__name__)

CUSTOMER_FACTS = ("customer.changed", "import.committed")
"""What changes the phone index: one customer, or a committed import (one fact per import)."""

FOLLOWED = frozenset(
    {
        "config.changed",
        "flow.activated",
        "flow.emergency_switched",
        "customer.changed",
        "import.committed",
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
        clock: Clock | None = None,
    ) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.programs = programs
        self.poll_s = poll_s
        self.customers = IndexedCustomerDirectory(db, details_wait_s=details_wait_s)
        self.routes: dict[str, DidRoute] = {}
        self.flows: dict[tuple[str, str], FlowVersion] = {}
        self.emergency_states: dict[str, EmergencyState] = {}
        self._tasks = TaskSet("hot path")
        self.reloads = 0
        # Customer facts already applied, by (tenant, seq), and since when the log was read.
        self._applied: dict[tuple[str, int], float] = {}
        self._customers_read_at = 0.0

    # --- loading --------------------------------------------------------------------------

    async def load_all(self) -> None:
        await self.reload_config()
        self._customers_read_at = self._clock.now()
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
        elif record.type in CUSTOMER_FACTS:
            await self._apply_customer_fact(record.tenant_id, record.seq, record.at, payload)
        elif record.type == "config.changed" and payload.get("entity") == "did":
            await self.reload_config()
        elif record.type in ("tenant.created", "tenant.changed"):
            await self.reload_config()
            await self.customers.load_regions()

    async def _apply_customer_fact(
        self, tenant_id: str, seq: int, at: float, payload: dict[str, Any]
    ) -> None:
        if (tenant_id, seq) in self._applied:
            return
        self._applied[(tenant_id, seq)] = at
        if "customer_id" in payload:
            await self.customers.refresh(tenant_id, str(payload["customer_id"]))
        elif payload.get("target") == "customers":  # a bulk change: read them all again
            await self.customers.load_all()

    async def catch_up_customers(self) -> int:
        """Apply the customer facts another process wrote (a command-line import, another
        node) since the last look; those this process applied from its bus are skipped. The
        look reaches `poll_s` further back than the last one, for facts committed late."""
        now = self._clock.now()
        since = self._customers_read_at - self.poll_s
        async with self._db.connect() as conn:
            rows: list[Any] = []
            for tenant_id in sorted(self.customers.tenants()):
                q = (
                    select(events.c.tenant_id, events.c.seq, events.c.at, events.c.payload)
                    .where(events.c.tenant_id == tenant_id, events.c.type.in_(CUSTOMER_FACTS))
                    .where(events.c.at >= since)
                    .order_by(events.c.seq)
                )
                rows.extend((await conn.execute(q)).all())
        applied = 0
        for row in rows:
            if (str(row.tenant_id), int(row.seq)) not in self._applied:
                await self._apply_customer_fact(
                    str(row.tenant_id), int(row.seq), float(row.at), dict(row.payload)
                )
                applied += 1
        self._customers_read_at = now
        for key, at in list(self._applied.items()):  # what no later look reaches any more
            if at < since:
                del self._applied[key]
        return applied

    async def _follow(self, bus: EventBus) -> None:
        async for record in bus.subscribe(types=FOLLOWED, cluster=True):
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
            try:
                await self.catch_up_customers()
            except Exception:
                log.exception("reading other processes' customer changes failed")

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
        return None  # the numbers table is the one route (ADR 0200)

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
