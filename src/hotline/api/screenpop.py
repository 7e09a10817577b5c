"""The screen pop (来电弹屏, DESIGN §4): who is calling and what the agent should know before
saying hello — the customer found by caller id (name, VIP level, tags), their last contacts on
any channel, their open tickets, the IVR path, digits and variables of this call, the queue and
the wait, and a transfer's note.

Sources: the contact's `interaction.created` and `flow.*` / `queue.*` / `interaction.
transferred` events in the log (the log is the truth of what happened in the call), the CRM
tables through `CustomerService`, the `interactions` projection for history and `tickets`. A
consult's own contact (an `internal` interaction) pops its customer's contact, with the
consulting agent's note from the live runtime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select

from hotline.api.present import present
from hotline.auth.model import Principal
from hotline.auth.roles import Role
from hotline.crm.service import CustomerService
from hotline.directory.errors import EntityNotFound
from hotline.errors import HotlineError, PermissionDenied
from hotline.events import EventRecord
from hotline.ids import AgentId, InteractionId
from hotline.interactions.voice import TenantRuntime
from hotline.routing import is_personal
from hotline.store.auth_repo import SqlTenants
from hotline.store.eventlog import SqlEventReader
from hotline.store.repos import SqlRepos
from hotline.store.tables import interactions, tickets
from hotline.store.uow import UnitOfWork

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["screen_pop"]

RECENT = 5
_OVERSEERS = {Role.ADMIN.value, Role.SUPERVISOR.value, Role.QA.value}


def _first(records: list[EventRecord], kind: str) -> EventRecord | None:
    return next((r for r in records if r.type == kind), None)


def _last(records: list[EventRecord], kind: str) -> EventRecord | None:
    return next((r for r in reversed(records) if r.type == kind), None)


def _runtime(services: Services, tenant_id: str) -> TenantRuntime | None:
    telephony = services.telephony
    if telephony is None or telephony.runtime is None:
        return None
    return telephony.runtime.tenants.get(tenant_id)


async def _may_see(
    services: Services, uow: UnitOfWork, principal: Principal, ids: set[str]
) -> None:
    """Overseers see any contact of their tenant; an agent the ones offered to it, on its desk
    or in its history."""
    if _OVERSEERS & set(principal.roles):
        return
    agent_id = principal.agent_id
    if agent_id is not None:
        runtime = _runtime(services, principal.tenant_id)
        if runtime is not None and AgentId(agent_id) in runtime.router.agent_ids():
            snapshot = runtime.router.agent_snapshot(AgentId(agent_id), now=runtime.now())
            mine = {str(runtime.router.contact_of(w.work_id)) for w in snapshot.work}
            contact = runtime.contact_of(AgentId(agent_id))
            if contact is not None:
                mine.add(contact)
            if mine & ids:
                return
        rows = await uow.conn.execute(
            select(interactions.c.agents).where(
                interactions.c.tenant_id == principal.tenant_id, interactions.c.id.in_(ids)
            )
        )
        if any(agent_id in (agents or []) for (agents,) in rows):
            return
    raise PermissionDenied(
        "this contact is not on your desk", code="desk.screenpop.forbidden", details={}
    )


def _ivr(records: list[EventRecord]) -> dict[str, Any]:
    path, digits, variables = [], [], {}
    for r in records:
        if r.type == "flow.node_entered":
            path.append({"node": r.payload.get("node"), "title": r.payload.get("title")})
        elif r.type == "flow.digits_collected":
            digits.append(
                {
                    "node": r.payload.get("node"),
                    "digits": r.payload.get("digits"),
                    "outcome": r.payload.get("outcome"),
                }
            )
        elif r.type == "flow.variable_set":
            variables[str(r.payload.get("name"))] = r.payload.get("value")
    return {"path": path, "digits": digits, "variables": variables}


def _waiting(records: list[EventRecord], now: float) -> tuple[str | None, float | None]:
    """The queue the contact waits in (or was answered from) and how long it waited."""
    entered = next(
        (
            r
            for r in reversed(records)
            if r.type == "queue.entered" and not is_personal(r.payload.get("queue_id"))
        ),
        None,
    )
    if entered is None:
        return None, None
    answered = _last(records, "queue.answered")
    if answered is not None and answered.seq > entered.seq:
        return str(entered.payload.get("queue_id")), answered.payload.get("wait_s")
    return str(entered.payload.get("queue_id")), round(max(0.0, now - entered.at), 1)


def _transfer(records: list[EventRecord]) -> dict[str, Any] | None:
    """A consultation under way (what the consulted agent is asked), or the last transfer."""
    ended = {r.payload.get("work_id") for r in records if r.type == "interaction.consult_ended"}
    consulting = next(
        (
            r
            for r in reversed(records)
            if r.type == "interaction.consult_started" and r.payload.get("work_id") not in ended
        ),
        None,
    )
    if consulting is not None:
        return {
            "kind": "consult",
            "from_agent_id": consulting.agent_id,
            "note": consulting.payload.get("note"),
            "target_kind": consulting.payload.get("target_kind"),
            "target": consulting.payload.get("target"),
        }
    done = _last(records, "interaction.transferred")
    if done is None:
        return None
    return {
        "kind": done.payload.get("kind"),
        "from_agent_id": done.agent_id,
        "note": done.payload.get("note"),
        "target_kind": done.payload.get("target_kind"),
        "target": done.payload.get("target"),
    }


async def _customer(
    services: Services,
    uow: UnitOfWork,
    principal: Principal,
    customer_id: str | None,
    number: str | None,
) -> dict[str, Any] | None:
    tenant = await SqlTenants(uow.conn).get(principal.tenant_id)
    service = CustomerService(
        SqlRepos(uow.conn),
        tenant_id=principal.tenant_id,
        clock=services.clock,
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
    if found is None:
        return None
    keys = ("id", "name", "vip_level", "tags", "phones", "emails")
    return {k: found.get(k) for k in keys}


async def screen_pop(
    services: Services, uow: UnitOfWork, principal: Principal, interaction_id: InteractionId
) -> dict[str, Any]:
    tenant_id = principal.tenant_id
    reader = SqlEventReader(services.engine)
    records = await reader.for_interaction(tenant_id, interaction_id)
    created = _first(records, "interaction.created")
    if created is None:
        raise EntityNotFound(f"no interaction {interaction_id!r}", details={"id": interaction_id})
    parent = created.payload.get("parent_interaction_id")
    contact_id = str(parent) if parent else str(interaction_id)
    contact = records
    if parent:
        contact = await reader.for_interaction(tenant_id, contact_id)
        created = _first(contact, "interaction.created") or created
    await _may_see(services, uow, principal, {str(interaction_id), contact_id})
    number = created.payload.get("caller_number")
    customer = await _customer(services, uow, principal, created.payload.get("customer_id"), number)
    who = [interactions.c.caller_number == number] if number else []
    if customer is not None:
        who.append(interactions.c.customer_id == customer["id"])
    recent: list[dict[str, Any]] = []
    if who:
        rows = await uow.conn.execute(
            select(
                interactions.c.id,
                interactions.c.started_at,
                interactions.c.channel,
                interactions.c.outcome,
                interactions.c.disposition,
                interactions.c.agent_id,
            )
            .where(
                interactions.c.tenant_id == tenant_id,
                interactions.c.id.not_in({contact_id, str(interaction_id)}),
                or_(*who),
            )
            .order_by(interactions.c.started_at.desc())
            .limit(RECENT)
        )
        recent = [present(dict(r._mapping)) for r in rows]
    open_tickets: list[dict[str, Any]] = []
    if customer is not None:
        rows = await uow.conn.execute(
            select(
                tickets.c.id,
                tickets.c.number,
                tickets.c.subject,
                tickets.c.status,
                tickets.c.due_date,
            )
            .where(
                tickets.c.tenant_id == tenant_id,
                tickets.c.customer_id == customer["id"],
                tickets.c.status != "closed",
            )
            .order_by(tickets.c.created_at.desc())
            .limit(20)
        )
        open_tickets = [dict(r._mapping) for r in rows]
    queue_id, wait_s = _waiting(contact, services.clock.now())
    return {
        "interaction_id": interaction_id,
        "parent_interaction_id": parent,
        "caller_number": number,
        "customer": customer,
        "recent": recent,
        "open_tickets": open_tickets,
        "ivr": _ivr(contact),
        "queue_id": queue_id,
        "wait_s": wait_s,
        "transfer": _transfer(contact),
    }
