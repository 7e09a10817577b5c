"""What the voice channel needs from the rest of Hotline: the browser phones' sessions
(`media.webrtc.WebRtcGateway` satisfies it)."""

from __future__ import annotations

from typing import Protocol

from hotline.media.backend import EndpointId

__all__ = ["BrowserPhones", "BrowserSessionState"]


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
