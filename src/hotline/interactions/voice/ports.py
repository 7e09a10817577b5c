"""What the voice channel needs from the rest of Hotline: the browser phones' sessions
(`media.webrtc.WebRtcGateway` satisfies it) and, after a crash, the SIP dialogs the previous run
left up (the store reads them from the log)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from hotline.media.backend import EndpointId

__all__ = [
    "BrowserPhones",
    "BrowserSessionState",
    "DialogFacts",
    "InMemoryDialogFacts",
    "OpenDialog",
]


@dataclass(frozen=True, slots=True)
class OpenDialog:
    """A leg the log shows answered (with its SIP dialog) and never ended."""

    leg_id: str
    call_id: str  # our call's id
    interaction_id: str | None
    role: str
    answered_at: float
    created_at: float
    snapshot: Mapping[str, object]  # `DialogSession.snapshot()`


class DialogFacts(Protocol):
    async def open_dialogs(self, tenant_id: str) -> list[OpenDialog]: ...


@dataclass
class InMemoryDialogFacts:
    dialogs: dict[str, list[OpenDialog]] = field(default_factory=dict)

    async def open_dialogs(self, tenant_id: str) -> list[OpenDialog]:
        return list(self.dialogs.get(tenant_id, []))


class BrowserSessionState(Protocol):
    """What the runtime reads of one browser session (`media.webrtc.BrowserSession`)."""

    @property
    def state(self) -> str: ...  # "connecting" | "connected" | "closed"


class BrowserPhones(Protocol):
    """The browser phones' sessions, by key (an agent id, or `supervisor_key(user)`)."""

    def session(self, agent_id: str) -> BrowserSessionState | None: ...

    def endpoint(self, agent_id: str) -> EndpointId:
        """The session's media endpoint (raises a `HotlineError` when there is none)."""
        ...
