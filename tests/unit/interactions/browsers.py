"""A fake browser-phone gateway for the runtime's unit tests: sessions by key, each a frame
endpoint of the fake media backend, connected or gone as the test says; its events go where
the real gateway's go (`Telephony.phone_event`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from hotline.errors import NotFound
from hotline.events import DomainEvent
from hotline.interactions.voice import (
    Telephony,
)
from hotline.media.backend import EndpointContext, EndpointId
from hotline.media.webrtc.events import BrowserConnected, BrowserDetached, BrowserDisconnected
from tests.unit.calls.fakes import FakeMedia
from tests.unit.interactions.harness import TENANT, World


@dataclass
class FakeSession:
    endpoint_id: EndpointId
    state: str = "connected"

    def deliver(self, pcm: npt.NDArray[np.int16]) -> None:
        """The engine's frames (not looked at by these tests)."""


class FakeBrowsers:
    def __init__(self, media: FakeMedia, telephony: Telephony) -> None:
        self.media = media
        self.telephony = telephony
        self.sessions: dict[str, FakeSession] = {}

    def session(self, agent_id: str) -> FakeSession | None:
        return self.sessions.get(agent_id)

    def endpoint(self, agent_id: str) -> EndpointId:
        session = self.sessions.get(agent_id)
        if session is None:
            raise NotFound(f"no browser session {agent_id}", code="webrtc.session.not_found")
        return session.endpoint_id

    async def connect(self, key: str, at: float = 0.0) -> EndpointId:
        endpoint = await self.media.create_frame_endpoint(
            EndpointContext(TENANT, agent_id=key), FakeSession(EndpointId(""))
        )
        self.sessions[key] = FakeSession(endpoint)
        self._event(
            BrowserConnected(
                tenant_id=TENANT, at=at, agent_id=key, endpoint_id=endpoint, generation=1
            )
        )
        return endpoint

    def _event(self, event: DomainEvent) -> None:
        """As the real gateway: to the log (the desks read it there), then to telephony."""
        self.telephony.sink.emit(event)
        self.telephony.phone_event(event)

    def detach(self, key: str, at: float = 0.0) -> None:
        """The page went away (a reload): the session waits, its endpoint kept (ADR 0121)."""
        session = self.sessions[key]
        session.state = "detached"
        self._event(
            BrowserDetached(
                tenant_id=TENANT,
                at=at,
                agent_id=key,
                endpoint_id=session.endpoint_id,
                reason="closed",
                grace_s=30.0,
            )
        )

    def reattach(self, key: str, at: float = 0.0) -> None:
        """The reloaded page's offer connected: the same endpoint, the next generation."""
        session = self.sessions[key]
        session.state = "connected"
        self._event(
            BrowserConnected(
                tenant_id=TENANT, at=at, agent_id=key, endpoint_id=session.endpoint_id,
                generation=2,
            )
        )  # fmt: skip

    async def disconnect(self, key: str, at: float = 0.0) -> None:
        session = self.sessions.pop(key)
        await self.media.release(session.endpoint_id)
        self._event(
            BrowserDisconnected(
                tenant_id=TENANT,
                at=at,
                agent_id=key,
                endpoint_id=session.endpoint_id,
                reason="closed",
            )
        )


def with_browsers(world: World) -> FakeBrowsers:
    browsers = FakeBrowsers(world.media, world.telephony)
    world.desk.voice.devices.browsers = browsers
    return browsers
