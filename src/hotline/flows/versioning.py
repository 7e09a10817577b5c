"""Published flow versions: immutable content, a content hash, and the pointer new calls follow.

Publishing validates the flow, stores it as the next version number (name + version + hash,
never edited again) and points the flow's *active* version at it. A call starts on the active
version and keeps it to the end: its `FlowState` carries version and hash. Rolling back is one
operation — repoint the active version at an earlier one (ADR 0043); nothing is copied or lost,
and "rolling forward" again is the same operation. Publishing content identical to the active
version changes nothing. The decisions are pure functions here; `FlowService` applies them
through a `FlowRepository`.
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hotline.flows.errors import FlowVersionNotFound, NothingToRollBack
from hotline.flows.hours import CalendarSource
from hotline.flows.interpreter import Program
from hotline.flows.schema import Flow

__all__ = [
    "FlowVersion",
    "ProgramCache",
    "PublishPlan",
    "content_hash",
    "plan_publish",
    "plan_rollback",
]


def content_hash(flow: Flow) -> str:
    """SHA-256 of the flow's canonical JSON: the same meaning gives the same hash, whatever the
    file's format, key order or comments."""
    canonical = json.dumps(
        flow.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class FlowVersion:
    """One published version. Never changes once stored."""

    tenant_id: str
    name: str
    version: int
    content_hash: str
    flow: Flow
    published_at: float
    published_by: str | None = None
    note: str | None = None

    def document(self) -> dict[str, Any]:
        """The flow as JSON-ready data (what the database stores)."""
        return self.flow.model_dump(mode="json")


@dataclass(frozen=True, slots=True)
class PublishPlan:
    """What publishing should do: store `version` (if `new`) and make it active."""

    version: FlowVersion
    new: bool
    previous_active: int | None


def plan_publish(
    flow: Flow,
    history: Sequence[FlowVersion],
    active: int | None,
    *,
    tenant_id: str,
    now: float,
    by: str | None = None,
    note: str | None = None,
) -> PublishPlan:
    """Decide how to publish `flow` given the stored versions and the active one."""
    digest = content_hash(flow)
    current = next((v for v in history if v.version == active), None)
    if current is not None and current.content_hash == digest:
        return PublishPlan(current, new=False, previous_active=active)
    number = max((v.version for v in history), default=0) + 1
    version = FlowVersion(tenant_id, flow.name, number, digest, flow, now, by, note)
    return PublishPlan(version, new=True, previous_active=active)


def plan_rollback(history: Sequence[FlowVersion], active: int | None, to: int | None) -> int:
    """The version to make active: `to`, or else the newest one older than the active one."""
    numbers = sorted(v.version for v in history)
    if to is not None:
        if to not in numbers:
            raise FlowVersionNotFound(f"no version {to}", details={"version": to})
        if to == active:
            raise NothingToRollBack(f"version {to} is already active", details={"version": to})
        return to
    older = [n for n in numbers if active is None or n < active]
    if not older:
        raise NothingToRollBack(f"no version before {active} to roll back to")
    return older[-1]


class ProgramCache:
    """Programs by (tenant, name, version, hash): validated once, shared by every call."""

    def __init__(self, max_size: int = 256, *, calendars: CalendarSource | None = None) -> None:
        self.max_size = max_size
        self.calendars = calendars  # the center's calendars, for hours nodes that name one
        self._programs: OrderedDict[tuple[str, str, int, str], Program] = OrderedDict()

    def get(self, version: FlowVersion) -> Program:
        key = (version.tenant_id, version.name, version.version, version.content_hash)
        program = self._programs.get(key)
        if program is None:
            program = Program(
                version.flow,
                version=version.version,
                content_hash=version.content_hash,
                calendars=self.calendars,
            )
            self._programs[key] = program
            if len(self._programs) > self.max_size:
                self._programs.popitem(last=False)
        else:
            self._programs.move_to_end(key)
        return program
