"""The desk object of `GET /desk` and `WS /desk/stream` (docs/desk-api.md), put together from
three sources: the runtime's `DeskView` (state, phone, the call, the text contacts beside it,
wrap-up), the center's
configuration (my queues, which queues want a disposition, my phone mode and extension) and
the wallboard's projection (today's handled count, AHT, CSAT and my queues' service level —
the same figures the supervisor sees, GLOSSARY definitions).

Times are epoch seconds, as on the wallboard; the page counts timers from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hotline.directory.routing import load_routing_config
from hotline.ids import AgentId
from hotline.interactions import CallView
from hotline.interactions.voice import BrowserPhone, SipPhone, TenantRuntime
from hotline.store.repos import SqlRepos

if TYPE_CHECKING:
    from hotline.app import Services

__all__ = ["DeskStatic", "desk_object", "load_static"]


@dataclass(frozen=True, slots=True)
class DeskStatic:
    """What the configuration says about one agent's desk (re-read on `config.changed`)."""

    queues: tuple[tuple[str, str], ...]  # (queue id, display name) of the queues I serve
    disposition_required: frozenset[str]  # queue ids that want a disposition
    phone_mode: str  # "browser" | "sip", the agent's configured phone
    extension: str | None


async def load_static(services: Services, tenant_id: str, agent_id: AgentId) -> DeskStatic:
    async with services.engine.connect() as conn:
        repos = SqlRepos(conn)
        config = await load_routing_config(repos, tenant_id)
        rows, _ = await repos.table("queues").list(tenant_id, limit=100_000)
    names = {str(r["name"]): str(r["display_name"]) for r in rows}
    # the router's own membership rule (skills, proficiency and teams)
    mine = [(str(q), names.get(q, q)) for q in config.queues_of(agent_id)]
    return DeskStatic(
        queues=tuple(mine),
        disposition_required=frozenset(str(r["name"]) for r in rows if r["disposition_required"]),
        phone_mode=config.phone_modes.get(agent_id, "sip"),
        extension=config.extensions.get(agent_id),
    )


def _today(services: Services, tenant_id: str, agent_id: str, static: DeskStatic) -> dict[str, Any]:
    snapshot = services.wallboard.snapshot(tenant_id) or {}
    row = snapshot.get("agents", {}).get(agent_id) or {}
    queues = snapshot.get("queues", {})
    return {
        "handled": row.get("handled", 0),
        "aht_s": row.get("aht_s"),
        "csat": row.get("csat"),
        "sl_of_my_queues": {
            queue_id: (queues.get(queue_id) or {}).get("today", {}).get("service_level")
            for queue_id, _ in static.queues
        },
    }


def _call(call: CallView) -> dict[str, Any]:
    consult = call.consult
    return {
        "interaction_id": call.interaction_id,
        "work_id": call.work_id,
        "phase": call.phase,
        "customer_number": call.customer_number,
        "queue_id": call.queue_id,
        "muted": call.muted,
        "recording_paused": call.recording_paused,
        "since": call.since,
        "consult": None
        if consult is None
        else {"target": consult.target, "target_kind": consult.target_kind, "phase": consult.phase},
    }


def desk_object(
    services: Services, runtime: TenantRuntime, static: DeskStatic, agent_id: AgentId
) -> dict[str, Any]:
    view = runtime.desk_view(agent_id)
    if view.phone is not None:
        phone = {
            "kind": view.phone.kind,
            "address": view.phone.address,
            "connected": view.phone.connected,
        }
    elif static.phone_mode == "browser":
        phone = {
            "kind": "browser",
            "address": agent_id,
            "connected": runtime.phone_reachable(BrowserPhone(agent_id)),
        }
    else:
        extension = static.extension
        phone = {
            "kind": "sip",
            "address": extension,
            "connected": bool(extension) and runtime.phone_reachable(SipPhone(extension or "")),
        }
    wrap = view.wrap_up
    return {
        "agent_id": agent_id,
        "state": view.state,
        "reason": view.reason,
        "since": view.since,
        "phone": phone,
        "queues": [{"id": queue_id, "name": name} for queue_id, name in static.queues],
        "current": _call(view.current) if view.current is not None else None,
        "wrap_up": None
        if wrap is None
        else {
            "interaction_id": wrap.interaction_id,
            "work_id": wrap.work_id,
            "ends_at": wrap.ends_at,
            "overrun_since": wrap.overrun_since,
            "disposition_required": wrap.queue_id in static.disposition_required,
        },
        "texts": [
            {
                "interaction_id": text.interaction_id,
                "work_id": text.work_id,
                "channel": text.channel,
                "phase": text.phase,
                "queue_id": text.queue_id,
                "since": text.since,
            }
            for text in view.texts
        ],
        "today": _today(services, runtime.tenant_id, agent_id, static),
    }
