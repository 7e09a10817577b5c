"""A running flow's position and memory: a frozen, JSON-serialisable value.

The interpreter never keeps anything between steps; everything a call's flow needs next is in
`FlowState` — the flow's name, version and content hash (a call keeps the version it started
with), the current node and its phase, retries, variables, keys typed ahead, and the IVR path
and digits for the screen pop. `to_dict()` / `from_dict()` round-trip through JSON.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from hotline.flows.variables import Scalar, is_scalar

__all__ = ["MASK", "Awaiting", "EndReason", "FlowState"]

MASK = "***"


class Awaiting(StrEnum):
    """What the flow is waiting for: the answer to the last action it asked for."""

    PLAYBACK = "playback"
    DIGITS = "digits"
    LOOKUP = "lookup"
    QUEUE = "queue"
    AGENT_LEFT = "agent_left"
    RECORDING = "recording"
    TRANSFER = "transfer"
    CALLBACK = "callback"
    TICKET = "ticket"
    BOT = "bot"  # the customer's next question, answered by the knowledge base
    NOTHING = "nothing"  # the flow has ended


class EndReason(StrEnum):
    HANGUP = "hangup"  # the flow hung up (hangup node, last retry, end of a branch)
    CALLER_HUNG_UP = "caller_hung_up"
    TRANSFERRED = "transferred"
    ERROR = "error"  # a runaway loop or a broken flow; the call is hung up


@dataclass(frozen=True, slots=True)
class FlowState:
    flow: str
    version: int | None
    content_hash: str | None
    tenant_id: str
    interaction_id: str | None
    node: str
    phase: str = ""
    attempt: int = 0
    awaiting: Awaiting = Awaiting.NOTHING
    variables: Mapping[str, Scalar] = field(default_factory=dict)
    sensitive: frozenset[str] = frozenset()  # variables never shown in events or the screen pop
    type_ahead: str = ""  # keys pressed during an interruptible prompt, not yet used
    path: tuple[str, ...] = ()  # node ids entered, in order
    entries: tuple[tuple[str, str], ...] = ()  # (node, keys) the caller entered, masked if secret
    started_at: float = 0.0
    node_entered_at: float = 0.0
    steps: int = 0
    ended: EndReason | None = None

    @property
    def active(self) -> bool:
        return self.ended is None

    def get(self, name: str) -> Scalar:
        return self.variables.get(name)

    def summary(self) -> dict[str, Any]:
        """What the screen pop shows: IVR path, keys entered, variables (secrets masked)."""
        return {
            "flow": self.flow,
            "version": self.version,
            "path": list(self.path),
            "entries": [{"node": node, "keys": keys} for node, keys in self.entries],
            "variables": {
                name: MASK if name in self.sensitive else value
                for name, value in sorted(self.variables.items())
            },
        }

    def to_dict(self, *, redact: bool = False) -> dict[str, Any]:
        variables = dict(self.variables)
        if redact:
            variables = {k: MASK if k in self.sensitive else v for k, v in variables.items()}
        return {
            "flow": self.flow,
            "version": self.version,
            "content_hash": self.content_hash,
            "tenant_id": self.tenant_id,
            "interaction_id": self.interaction_id,
            "node": self.node,
            "phase": self.phase,
            "attempt": self.attempt,
            "awaiting": self.awaiting.value,
            "variables": variables,
            "sensitive": sorted(self.sensitive),
            "type_ahead": self.type_ahead,
            "path": list(self.path),
            "entries": [list(e) for e in self.entries],
            "started_at": self.started_at,
            "node_entered_at": self.node_entered_at,
            "steps": self.steps,
            "ended": None if self.ended is None else self.ended.value,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FlowState:
        variables = data.get("variables") or {}
        if not isinstance(variables, Mapping) or not all(is_scalar(v) for v in variables.values()):
            raise ValueError("flow state variables must map names to scalars")
        ended = data.get("ended")
        return cls(
            flow=str(data["flow"]),
            version=data.get("version"),
            content_hash=data.get("content_hash"),
            tenant_id=str(data["tenant_id"]),
            interaction_id=data.get("interaction_id"),
            node=str(data["node"]),
            phase=str(data.get("phase", "")),
            attempt=int(data.get("attempt", 0)),
            awaiting=Awaiting(data.get("awaiting", Awaiting.NOTHING.value)),
            variables=dict(variables),
            sensitive=frozenset(data.get("sensitive", ())),
            type_ahead=str(data.get("type_ahead", "")),
            path=tuple(data.get("path", ())),
            entries=tuple((str(n), str(k)) for n, k in data.get("entries", ())),
            started_at=float(data.get("started_at", 0.0)),
            node_entered_at=float(data.get("node_entered_at", 0.0)),
            steps=int(data.get("steps", 0)),
            ended=None if ended is None else EndReason(ended),
        )

    def with_variables(self, **changes: Scalar) -> FlowState:
        """A copy with some variables changed (for tests and for seeding a resumed call)."""
        return replace(self, variables={**self.variables, **changes})
