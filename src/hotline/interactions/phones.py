"""Reaching an agent's phone, whatever it is: an INVITE to a SIP extension, or a leg on the
endpoint of its browser session (docs/webrtc.md: the session is up from login to logout, so a
call is bridged into it with no signalling at all). And joining the agent to its customer —
a bridge, or the call's conference while a supervisor sits in it.

`PhoneLines` is the base of `RuntimeCore` (core.py), so every mixin rings phones the same way.
What the runtime does when a browser session comes or goes is `browser.py`.
"""

from __future__ import annotations

import asyncio

from hotline.calls import Call, CallControl, Cause, Leg, LegFailed, LegRole
from hotline.errors import HotlineError
from hotline.interactions.agents import BrowserPhone, Seat, SipPhone
from hotline.interactions.ports import BrowserPhones
from hotline.media.backend import EndpointId
from hotline.sip.trunk import CallerId

__all__ = ["PhoneLines"]


class PhoneLines:
    calls: CallControl
    browsers: BrowserPhones | None
    ring_tasks: dict[str, asyncio.Task[object]]  # the task ringing each browser leg

    def supervised(self, agent_leg: Leg) -> bool:
        raise NotImplementedError

    async def ring_phone(
        self, call: Call, seat: Seat, *, role: LegRole, caller: CallerId, timeout: float
    ) -> Leg:
        """A new leg of `call` ringing the agent's phone: an INVITE to its extension, or a leg
        on its browser session's endpoint — no signalling: the desk shows the offer and its
        answer button answers it (`Desk.answer`). Raises `LegFailed` (UNAVAILABLE: no
        registration / no browser session) or `DestinationDenied` as `CallControl.dial`."""
        phone = seat.phone
        if isinstance(phone, SipPhone):
            return await self.calls.dial(
                call,
                phone.extension,
                role=role,
                agent_id=seat.agent_id,
                caller_id=caller,
                timeout=timeout,
            )
        leg = await self.calls.attach(
            call,
            self.browser_endpoint(phone),
            role=role,
            agent_id=seat.agent_id,
            target=f"browser:{phone.key}",
            caller_number=caller.number,
            timeout=timeout,
        )
        task = asyncio.current_task()
        if task is not None:
            self.ring_tasks[leg.leg_id] = task
        return leg

    def browser_connected(self, key: str) -> bool:
        if self.browsers is None:
            return False
        session = self.browsers.session(key)
        return session is not None and str(session.state) == "connected"

    def browser_endpoint(self, phone: BrowserPhone) -> EndpointId:
        """The endpoint of a connected browser session; without one the phone is unreachable
        (`LegFailed(UNAVAILABLE)`, like an unregistered extension)."""
        if self.browsers is None or not self.browser_connected(phone.key):
            raise LegFailed(Cause.UNAVAILABLE)
        try:
            return self.browsers.endpoint(phone.key)
        except HotlineError:
            raise LegFailed(Cause.UNAVAILABLE) from None

    async def join_agent(self, customer: Leg, agent: Leg) -> None:
        """Customer and agent hear each other (again): a bridge — or, while a supervisor sits
        in the call's conference, that conference, so the supervisor keeps hearing them."""
        if self.supervised(agent):
            await self.calls.conference(customer.call, [customer, agent])
        else:
            await self.calls.bridge(customer, agent)
