"""The screen pop (来电弹屏, DESIGN §4): who is calling and what the agent should know before
saying hello — the customer found by caller id, their last contacts on any channel, their open
tickets, the IVR path, digits and variables of this contact, the queue and the wait, and a
transfer's or consultation's note.

Sources: the contact's records in the log (the truth of what happened in it), the customers,
the contacts projection for history, tickets, and the live desk for an offer still ringing.
"""

from __future__ import annotations

from typing import Any

from hotline.auth.model import Principal
from hotline.errors import PermissionDenied
from hotline.events import EventRecord
from hotline.history.errors import ContactNotFound
from hotline.history.model import Scope, overseer
from hotline.history.ports import ContactRepository, Customers, LiveDesk, Timeline
from hotline.routing import is_personal

__all__ = ["OPEN_TICKETS", "RECENT", "ScreenPopService"]

RECENT = 5
OPEN_TICKETS = 20
_CUSTOMER_KEYS = ("id", "name", "vip_level", "tags", "phones", "emails")


def _first(records: list[EventRecord], kind: str) -> EventRecord | None:
    return next((r for r in records if r.type == kind), None)


def _last(records: list[EventRecord], kind: str) -> EventRecord | None:
    return next((r for r in reversed(records) if r.type == kind), None)


def ivr(records: list[EventRecord]) -> dict[str, Any]:
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


def waiting(records: list[EventRecord], now: float) -> tuple[str | None, float | None]:
    """The queue the contact waits in (or was answered from) and how long it waited; the
    personal line (a transfer or consultation to one agent) is no queue."""
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


class ScreenPopService:
    def __init__(
        self,
        contacts: ContactRepository,
        timeline: Timeline,
        customers: Customers,
        desk: LiveDesk | None,
        *,
        principal: Principal,
    ) -> None:
        self._contacts = contacts
        self._timeline = timeline
        self._customers = customers
        self._desk = desk
        self._principal = principal

    async def _may_see(self, ids: set[str]) -> None:
        """Overseers see any contact of their tenant; an agent the ones offered to it, on its
        desk or where it had a segment."""
        p = self._principal
        if overseer(p):
            return
        if p.agent_id is not None:
            if self._desk is not None and self._desk.on_desk_of(p.agent_id) & ids:
                return
            mine = Scope(agents=frozenset({p.agent_id}))
            for contact_id in ids:
                if await self._contacts.get(p.tenant_id, mine, contact_id) is not None:
                    return
        raise PermissionDenied(
            "this contact is not on your desk", code="desk.screenpop.forbidden", details={}
        )

    @staticmethod
    def _transfer(records: list[EventRecord]) -> dict[str, Any] | None:
        """A consultation under way (what the consulted agent is asked), else the last
        transfer."""
        ended = {r.payload.get("work_id") for r in records if r.type == "interaction.consult_ended"}
        consult = next(
            (
                r
                for r in reversed(records)
                if r.type == "interaction.consult_started" and r.payload.get("work_id") not in ended
            ),
            None,
        )
        done = _last(records, "interaction.transferred")
        if consult is not None:
            return {
                "kind": "consult",
                "from_agent_id": consult.agent_id,
                "note": consult.payload.get("note"),
                "target_kind": consult.payload.get("target_kind"),
                "target": consult.payload.get("target"),
            }
        if done is None:
            return None
        return {
            "kind": done.payload.get("kind"),
            "from_agent_id": done.agent_id,
            "note": done.payload.get("note"),
            "target_kind": done.payload.get("target_kind"),
            "target": done.payload.get("target"),
        }

    async def pop(self, interaction_id: str, now: float) -> dict[str, Any]:
        tenant_id = self._principal.tenant_id
        records = await self._timeline.for_interaction(tenant_id, interaction_id)
        created = _first(records, "interaction.created")
        if created is None:
            raise ContactNotFound(interaction_id)
        contact_id = str(created.interaction_id)
        # A consultation the version-1 runtime still makes is a contact of its own whose
        # creation names the customer's contact.
        parent = created.payload.get("parent_interaction_id")
        if parent:
            contact_id = str(parent)
            records = await self._timeline.for_interaction(tenant_id, contact_id)
            created = _first(records, "interaction.created") or created
        await self._may_see({interaction_id, contact_id})
        number = created.payload.get("caller_number")
        found = await self._customers.find(created.payload.get("customer_id"), number)
        customer = {k: found.get(k) for k in _CUSTOMER_KEYS} if found is not None else None
        recent = await self._contacts.recent(
            tenant_id,
            number=number,
            customer_id=str(customer["id"]) if customer else None,
            exclude=(contact_id, interaction_id),
            limit=RECENT,
        )
        open_tickets = await self._contacts.open_tickets(
            tenant_id, str(customer["id"]) if customer else None, number, OPEN_TICKETS
        )
        queue_id, wait_s = waiting(records, now)
        return {
            "interaction_id": interaction_id,
            "contact_id": contact_id,
            "parent_interaction_id": parent,
            "caller_number": number,
            "customer": customer,
            "recent": list(recent),
            "open_tickets": list(open_tickets),
            "ivr": ivr(records),
            "queue_id": queue_id,
            "wait_s": wait_s,
            "transfer": self._transfer(records),
        }
