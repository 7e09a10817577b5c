"""Domain events: frozen dataclasses appended to the interaction log and published on the bus.

Every state change of an interaction, leg, agent or ticket is an event (DESIGN §3.3). Packages
declare their events with `@domain_event("leg.answered")`; producers hand them to an `EventSink`
(the kernel protocol) and never touch storage. The log stores each as an `EventRecord`: the
envelope columns plus the event's own fields as a JSON payload, and the schema version `v` its
class was written with (ADR 0061: older records are converted on read, `store/upcast.py`).
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar, dataclass_transform

__all__ = [
    "ENVELOPE_FIELDS",
    "EVENT_SCHEMA_VERSION",
    "DomainEvent",
    "EventRecord",
    "EventSink",
    "ListSink",
    "domain_event",
    "event_class",
    "registered_event_types",
    "to_json_value",
]

ENVELOPE_FIELDS = ("tenant_id", "at", "interaction_id", "leg_id", "agent_id")

EVENT_SCHEMA_VERSION = 2
"""The version every event is written with unless its class says otherwise (ADR 0061)."""

_REGISTRY: dict[str, type[DomainEvent]] = {}

E = TypeVar("E", bound="DomainEvent")


@dataclasses.dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    """Base of all domain events. `type` is the stable dotted name stored in the log."""

    type: ClassVar[str] = "event"
    # Not `version`: flow events have a field of that name (the flow's version).
    schema_version: ClassVar[int] = EVENT_SCHEMA_VERSION

    tenant_id: str
    at: float
    interaction_id: str | None = None
    leg_id: str | None = None
    agent_id: str | None = None

    def payload(self) -> dict[str, Any]:
        """The event's own fields (not the envelope) as JSON-ready values."""
        return {name: to_json_value(getattr(self, name)) for name in _own_fields(type(self))}


_OWN_FIELDS: dict[type, tuple[str, ...]] = {}


def _own_fields(cls: type) -> tuple[str, ...]:
    """An event class's field names outside the envelope, found once per class (every event
    written asks)."""
    names = _OWN_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in ENVELOPE_FIELDS)
        _OWN_FIELDS[cls] = names
    return names


def to_json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple | list | frozenset | set):
        return [to_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): to_json_value(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json_value(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


@dataclass_transform(frozen_default=True, kw_only_default=True)
def domain_event(type_name: str) -> Callable[[type[E]], type[E]]:
    """Declare a domain event class: frozen, slotted, keyword-only, registered by `type_name`."""

    def wrap(cls: type[E]) -> type[E]:
        if type_name in _REGISTRY:
            raise ValueError(f"event type {type_name!r} is declared twice")
        made = dataclasses.dataclass(frozen=True, slots=True, kw_only=True)(cls)
        made.type = type_name
        _REGISTRY[type_name] = made
        return made

    return wrap


def event_class(type_name: str) -> type[DomainEvent] | None:
    return _REGISTRY.get(type_name)


def registered_event_types() -> dict[str, type[DomainEvent]]:
    return dict(_REGISTRY)


@dataclasses.dataclass(frozen=True, slots=True)
class EventRecord:
    """An event as stored in the log: envelope + payload, with its gap-free per-tenant `seq`
    and the schema version `v` it was written with."""

    tenant_id: str
    seq: int
    at: float
    type: str
    interaction_id: str | None
    leg_id: str | None
    agent_id: str | None
    payload: dict[str, Any]
    v: int = EVENT_SCHEMA_VERSION

    def as_dict(self) -> dict[str, Any]:
        """A deep copy, safe to change."""
        return dataclasses.asdict(self)

    def row(self) -> dict[str, Any]:
        """The log table's row: the fields as they are, the payload not copied (the writer
        only reads it; `as_dict` copies it deeply, which the log cannot afford per event)."""
        return {
            "tenant_id": self.tenant_id,
            "seq": self.seq,
            "at": self.at,
            "type": self.type,
            "interaction_id": self.interaction_id,
            "leg_id": self.leg_id,
            "agent_id": self.agent_id,
            "payload": self.payload,
            "v": self.v,
        }


class EventSink(Protocol):
    """Where producers (telephony, routing, services) put events. Must never block."""

    def emit(self, event: DomainEvent) -> None: ...


class ListSink:
    """An `EventSink` that keeps what it is given, for tests and pure simulations; listeners
    see each event as it is emitted (as with the event log)."""

    def __init__(self) -> None:
        self.events: list[DomainEvent] = []
        self._listeners: list[Callable[[DomainEvent], None]] = []

    def listen(self, listener: Callable[[DomainEvent], None]) -> None:
        self._listeners.append(listener)

    def emit(self, event: DomainEvent) -> None:
        self.events.append(event)
        for listener in self._listeners:
            listener(event)

    def of_type(self, cls: type[E]) -> list[E]:
        return [e for e in self.events if isinstance(e, cls)]

    def types(self) -> list[str]:
        return [e.type for e in self.events]
