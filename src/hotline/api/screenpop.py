"""The screen pop (来电弹屏) at the API edge: `hotline.history.ScreenPopService` wired to the
database, the customers and the tenant's live runtime. The rules are in the service; this
module only adapts what it needs (`Customers`, `LiveDesk`)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.crm.hints import HintService
from hotline.crm.profile import CustomerProfile
from hotline.crm.service import CustomerService
from hotline.directory.errors import EntityNotFound
from hotline.errors import HotlineError
from hotline.history import ScreenPopService
from hotline.history.ports import Row
from hotline.ids import AgentId, InteractionId
from hotline.interactions.voice import TenantRuntime
from hotline.store.auth_repo import SqlTenants
from hotline.store.contacts_repo import SqlContacts
from hotline.store.customer_history import SqlCustomerHistory
from hotline.store.eventlog import SqlEventReader
from hotline.store.hints_repo import SqlHints
from hotline.store.repos import SqlRepos
from hotline.store.uow import UnitOfWork

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["live_desk", "screen_pop"]


class _Customers:
    def __init__(self, services: Services, uow: UnitOfWork, principal: Principal) -> None:
        self._services = services
        self._uow = uow
        self._principal = principal

    async def find(self, customer_id: str | None, number: str | None) -> Row | None:
        tenant_id = self._principal.tenant_id
        tenant = await SqlTenants(self._uow.conn).get(tenant_id)
        service = CustomerService(
            SqlRepos(self._uow.conn),
            tenant_id=tenant_id,
            clock=self._services.clock,
            emit=lambda _e: None,
            region=str(tenant["region"]) if tenant else "CN",
        )
        found: dict[str, Any] | None = None
        if customer_id:
            try:
                found = await service.get(customer_id)
            except EntityNotFound:
                found = None  # deleted since the call came in
        if found is None and number:
            try:
                matches = await service.lookup_by_phone(number)
            except HotlineError:  # not a phone number (an extension, "anonymous")
                matches = []
            found = max(matches, key=lambda c: c["vip_level"]) if matches else None
        return found


class _LiveDesk:
    """`LiveDesk` over the tenant's runtime: its offers ringing now and its wrap-ups."""

    def __init__(self, runtime: TenantRuntime) -> None:
        self._runtime = runtime

    def on_desk_of(self, agent_id: str) -> set[str]:
        runtime = self._runtime
        agent = AgentId(agent_id)
        if agent not in runtime.router.agent_ids():
            return set()
        snapshot = runtime.router.agent_snapshot(agent, now=runtime.now())
        mine = {str(runtime.router.contact_of(w.work_id)) for w in snapshot.work}
        contact = runtime.contact_of(agent)
        if contact is not None:
            mine.add(str(contact))
        return mine

    def disposition_saved(self, agent_id: str, contact_id: str) -> str | None:
        work = self._runtime.disposition_saved(AgentId(agent_id), InteractionId(contact_id))
        return str(work) if work is not None else None


def live_desk(services: Services, tenant_id: str) -> _LiveDesk | None:
    """The tenant's live desk, in a process that runs telephony."""
    telephony = services.telephony
    if telephony is None or telephony.runtime is None:
        return None
    runtime = telephony.runtime.tenants.get(tenant_id)
    return _LiveDesk(runtime) if runtime is not None else None


async def screen_pop(
    services: Services, uow: UnitOfWork, principal: Principal, interaction_id: InteractionId
) -> dict[str, Any]:
    service = ScreenPopService(
        SqlContacts(uow.conn),
        SqlEventReader(services.engine),
        _Customers(services, uow, principal),
        live_desk(services, principal.tenant_id),
        principal=principal,
    )
    now = services.clock.now()
    pop = await service.pop(str(interaction_id), now)
    hints = await _hints(services, uow, principal, pop, now)
    return {**pop, "recent": [present(dict(r)) for r in pop["recent"]], "hints": hints}


async def _hints(
    services: Services, uow: UnitOfWork, principal: Principal, pop: dict[str, Any], now: float
) -> list[dict[str, Any]]:
    """Hints during service for the caller's customer (ADR 0164), with my last responses."""
    found = pop.get("customer")
    if not found:
        return []
    tenant_id = principal.tenant_id
    customer = await SqlRepos(uow.conn).table("customers").get(tenant_id, str(found["id"]))
    if customer is None:
        return []
    tenant = await SqlTenants(uow.conn).get(tenant_id)
    zone = ZoneInfo(str(tenant["timezone"]) if tenant else "Asia/Shanghai")
    summary = await CustomerProfile(
        SqlCustomerHistory(uow.conn), tenant_id=tenant_id, emit=lambda _e: None,
        now=services.clock.now,
    ).summary(str(customer["id"]))  # fmt: skip
    hints = HintService(
        SqlHints(uow.conn), tenant_id=tenant_id, emit=lambda _e: None, now=services.clock.now
    )
    return await hints.for_contact(
        str(pop["contact_id"]),
        customer,
        summary,
        language=str(principal.language),
        today=dt.datetime.fromtimestamp(now, zone).date(),
    )
