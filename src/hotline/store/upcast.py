"""Version-1 event records read as version 2 (ADR 0061, "Reading version 1").

The log is never rewritten: every read path of `store/eventlog.py` passes its records through
`upcast`, so projections and pages only ever see version 2. The rules, one function each:

- a record of a version-1 consultation (its own contact then, listed in `contact_aliases`)
  moves to its customer's contact; its routing events keep the consultation's id as `work_id`;
- that consultation's `interaction.created` becomes `interaction.consult_started` and its
  `interaction.ended` becomes `interaction.consult_ended` (`completed` when answered, else
  `failed`), both about the consulting agent;
- routing events and `interaction.dispositioned` without `work_id` get the envelope id (the
  version-1 router's unit of work was the interaction);
- the version-1 hidden transfer queue `direct` becomes the personal line `@agent`.

Pure: the caller looks the aliases up (one join per read).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hotline.events import EVENT_SCHEMA_VERSION, EventRecord
from hotline.routing import PERSONAL_QUEUE as PERSONAL_LINE

__all__ = [
    "PERSONAL_LINE",
    "ROUTING_TYPES",
    "V1_DIRECT_QUEUE",
    "Alias",
    "upcast",
    "upcast_all",
]

V1_DIRECT_QUEUE = "direct"

ROUTING_TYPES = frozenset(
    {
        "queue.entered",
        "queue.rejected",
        "queue.offered",
        "queue.offer_failed",
        "queue.answered",
        "queue.abandoned",
        "queue.overflowed",
        "queue.callback_requested",
        "queue.callback_failed",
        "queue.exited",
        "agent.interaction_ended",
        "agent.wrap_up_ended",
        "agent.wrap_up_extended",
        "agent.wrap_up_overrun",
    }
)
"""Events of one work item: version 2 carries its `work_id` in the payload."""

_QUEUE_FIELDS = ("queue_id", "via_queue_id")


@dataclass(frozen=True, slots=True)
class Alias:
    """A version-1 consultation: the contact it belongs to and the agent who consulted."""

    contact_id: str
    agent_id: str | None


def upcast(record: EventRecord, alias: Alias | None = None) -> EventRecord:
    """`record` as version 2. `alias` is the row of `contact_aliases` for its interaction id
    (None when it has none). Version-2 records come back as they are."""
    if record.v >= EVENT_SCHEMA_VERSION:
        return record
    original = record.interaction_id
    payload = _personal_line(dict(record.payload))
    type_ = record.type
    agent_id = record.agent_id
    if type_ in ROUTING_TYPES or type_ == "interaction.dispositioned":
        _work(payload, original)
    elif type_ == "agent.state_changed" and payload.get("queue_id") is not None:
        _work(payload, original)  # reserved, busy, wrap-up: a work item's doing
    if type_ == "queue.entered":
        payload.setdefault("target_agent_id", None)
        payload.setdefault("excluded_agents", [])
    elif type_ == "interaction.transferred":
        payload = _transferred(payload, original)
    if alias is not None and type_ == "interaction.created":
        type_, payload, agent_id = _consult_started(payload, original, alias)
    elif alias is not None and type_ == "interaction.ended":
        type_, payload, agent_id = _consult_ended(payload, original, alias)
    elif type_ == "interaction.created":
        payload = _created(payload)
    return dataclasses.replace(
        record,
        type=type_,
        interaction_id=alias.contact_id if alias is not None else original,
        agent_id=agent_id,
        payload=payload,
        v=EVENT_SCHEMA_VERSION,
    )


def upcast_all(records: list[EventRecord], aliases: Mapping[str, Alias]) -> list[EventRecord]:
    """`upcast` each record with its interaction's alias, if any."""
    return [upcast(r, aliases.get(r.interaction_id) if r.interaction_id else None) for r in records]


def _work(payload: dict[str, Any], work_id: str | None) -> None:
    if payload.get("work_id") is None:
        payload["work_id"] = work_id


def _personal_line(payload: dict[str, Any]) -> dict[str, Any]:
    for field in _QUEUE_FIELDS:
        if payload.get(field) == V1_DIRECT_QUEUE:
            payload[field] = PERSONAL_LINE
    return payload


def _created(payload: dict[str, Any]) -> dict[str, Any]:
    payload.pop("parent_interaction_id", None)
    outbound = payload.get("direction") == "outbound"
    payload.setdefault("origin", "click_to_dial" if outbound else "customer")
    payload.setdefault("related_interaction_id", None)
    return payload


def _transferred(payload: dict[str, Any], original: str | None) -> dict[str, Any]:
    # Version 1 put a blind transfer to an agent or a queue back into the router under the same
    # id: that id is the new work item too. A consult's work item was its own contact, which
    # this record does not name; a number is no work item at all.
    _work(payload, original)
    routed = payload.get("kind") == "blind" and payload.get("target_kind") in ("agent", "queue")
    payload.setdefault("to_work_id", original if routed else None)
    return payload


def _consult_started(
    payload: dict[str, Any], original: str | None, alias: Alias
) -> tuple[str, dict[str, Any], str | None]:
    return (
        "interaction.consult_started",
        {
            "work_id": original,
            "from_work_id": alias.contact_id,  # version 1: the contact was its own work item
            "target": None,  # the consulted agent is the one its work item's offer names
            "target_kind": None,
            "note": None,
        },
        alias.agent_id,
    )


def _consult_ended(
    payload: dict[str, Any], original: str | None, alias: Alias
) -> tuple[str, dict[str, Any], str | None]:
    return (
        "interaction.consult_ended",
        {"work_id": original, "result": "completed" if payload.get("answered") else "failed"},
        alias.agent_id,
    )
