"""Server transactions (RFC 3261 §17.2, amended by RFC 6026) as pure state machines.

The INVITE server transaction answers 100 Trying as soon as it exists (well inside §17.2.1's
200 ms), retransmits a 3xx–6xx on Timer G until the ACK or Timer H, and after a 2xx stays
Accepted for Timer L to absorb retransmitted INVITEs. It also carries the UAS core's duty to
retransmit the 2xx until the ACK arrives (§13.3.1.4), so the dialog layer stays timer-free.
"""

from __future__ import annotations

from enum import StrEnum

from hotline.sip.address import Address
from hotline.sip.construct import make_response
from hotline.sip.message import Request, Response
from hotline.sip.timers import TimerSettings
from hotline.sip.transaction import Input, TimedOut, TransactionEvent, _Machine

__all__ = [
    "SERVER_INVITE_TRANSITIONS",
    "SERVER_NON_INVITE_TRANSITIONS",
    "ServerInviteTransaction",
    "ServerNonInviteTransaction",
    "ServerState",
    "ServerTransaction",
]


class ServerState(StrEnum):
    TRYING = "trying"
    PROCEEDING = "proceeding"
    COMPLETED = "completed"
    CONFIRMED = "confirmed"
    ACCEPTED = "accepted"
    TERMINATED = "terminated"


S = ServerState
I = Input  # noqa: E741

SERVER_INVITE_TRANSITIONS: dict[tuple[ServerState, Input], ServerState] = {
    (S.PROCEEDING, I.REQUEST): S.PROCEEDING,
    (S.PROCEEDING, I.TU_PROVISIONAL): S.PROCEEDING,
    (S.PROCEEDING, I.TU_SUCCESS): S.ACCEPTED,
    (S.PROCEEDING, I.TU_FAILURE): S.COMPLETED,
    (S.COMPLETED, I.REQUEST): S.COMPLETED,
    (S.COMPLETED, I.TIMER_G): S.COMPLETED,
    (S.COMPLETED, I.TIMER_H): S.TERMINATED,
    (S.COMPLETED, I.ACK): S.CONFIRMED,
    (S.CONFIRMED, I.ACK): S.CONFIRMED,
    (S.CONFIRMED, I.TIMER_I): S.TERMINATED,
    (S.ACCEPTED, I.REQUEST): S.ACCEPTED,
    (S.ACCEPTED, I.ACK): S.ACCEPTED,
    (S.ACCEPTED, I.TU_SUCCESS): S.ACCEPTED,
    (S.ACCEPTED, I.TIMER_2XX): S.ACCEPTED,
    (S.ACCEPTED, I.TIMER_L): S.TERMINATED,
}
SERVER_NON_INVITE_TRANSITIONS: dict[tuple[ServerState, Input], ServerState] = {
    (S.TRYING, I.REQUEST): S.TRYING,
    (S.TRYING, I.TU_PROVISIONAL): S.PROCEEDING,
    (S.TRYING, I.TU_SUCCESS): S.COMPLETED,
    (S.TRYING, I.TU_FAILURE): S.COMPLETED,
    (S.PROCEEDING, I.REQUEST): S.PROCEEDING,
    (S.PROCEEDING, I.TU_PROVISIONAL): S.PROCEEDING,
    (S.PROCEEDING, I.TU_SUCCESS): S.COMPLETED,
    (S.PROCEEDING, I.TU_FAILURE): S.COMPLETED,
    (S.COMPLETED, I.REQUEST): S.COMPLETED,
    (S.COMPLETED, I.TIMER_J): S.TERMINATED,
}


def _tu_input(status: int) -> Input:
    if status < 200:
        return Input.TU_PROVISIONAL
    if status < 300:
        return Input.TU_SUCCESS
    return Input.TU_FAILURE


class ServerTransaction(_Machine):
    machine = "server transaction"

    def __init__(self, request: Request, destination: Address, timers: TimerSettings) -> None:
        super().__init__(timers, destination)
        self.request = request
        self.method = request.method
        via = request.top_via
        self.branch = via.branch if via is not None and via.branch else ""
        self.state: ServerState = ServerState.TRYING
        # Of the last response only what retransmissions and the TU's matching need: its
        # status, its To tag and its bytes. The parsed response is not kept for the 32 s the
        # transaction waits out (issue 14: per-call objects every full collection walks).
        self.last_status: int | None = None
        self.to_tag: str | None = None
        self._last_wire: bytes | None = None
        self.key: tuple[object, ...] = ()

    def respond(self, response: Response, now: float) -> None:
        raise NotImplementedError

    def receive(self, request: Request, now: float) -> list[TransactionEvent]:
        raise NotImplementedError

    def _emit(self, response: Response) -> None:
        self.last_status = response.status
        self.to_tag = response.to.tag
        self._last_wire = bytes(response)
        self._send(self._last_wire)

    def transport_failed(self, reason: str) -> list[TransactionEvent]:
        self.abandon()
        return []

    def abandon(self) -> None:
        """End at once, without timers: the TU answered statelessly (RFC 3261 §8.2.7)."""
        self.state = ServerState.TERMINATED
        self._timers.clear()


class ServerInviteTransaction(ServerTransaction):
    """INVITE server transaction (§17.2.1) with RFC 6026's Accepted state."""

    machine = "server INVITE transaction"

    def __init__(
        self,
        request: Request,
        destination: Address,
        timers: TimerSettings,
        *,
        send_trying: bool = True,
    ) -> None:
        super().__init__(request, destination, timers)
        self.state = ServerState.PROCEEDING
        self._interval = timers.t1
        self.acked = False
        if send_trying:
            self._emit(make_response(request, 100))

    def _table(self) -> dict[tuple[ServerState, Input], ServerState]:
        return SERVER_INVITE_TRANSITIONS

    def respond(self, response: Response, now: float) -> None:
        """Send a response from the TU; raises `IllegalTransition` once a final was sent
        (except 2xx retransmissions in Accepted, which the TU may also leave to us)."""
        event = _tu_input(response.status)
        before = self.state
        self._step(event, strict=True)
        self._emit(response)
        if event is Input.TU_FAILURE:
            if not self.destination.reliable:
                self._timers[Input.TIMER_G] = now + self._interval
            self._timers[Input.TIMER_H] = now + self.settings.timeout
        elif event is Input.TU_SUCCESS and before is ServerState.PROCEEDING:
            if not self.destination.reliable:
                self._timers[Input.TIMER_2XX] = now + self._interval
            self._timers[Input.TIMER_L] = now + self.settings.timeout

    def receive(self, request: Request, now: float) -> list[TransactionEvent]:
        """A retransmitted INVITE, or the ACK of a 3xx–6xx or (matched by the UA) of a 2xx."""
        event = Input.ACK if request.method == "ACK" else Input.REQUEST
        before = self.state
        if not self._step(event, strict=False):
            return []
        if event is Input.REQUEST:
            if self._last_wire is not None and before is not ServerState.ACCEPTED:
                self._send(self._last_wire)
            return []
        if before is ServerState.COMPLETED:
            self._timers = {}
            wait = 0.0 if self.destination.reliable else self.settings.t4
            self._timers[Input.TIMER_I] = now + wait
        elif before is ServerState.ACCEPTED:
            self.acked = True
            self._timers.pop(Input.TIMER_2XX, None)
        return []

    def _fire(self, timer: Input, at: float) -> list[TransactionEvent]:
        self._step(timer, strict=True)
        if timer in (Input.TIMER_G, Input.TIMER_2XX):
            if self._last_wire is not None:
                self._send(self._last_wire)
            self._interval = min(self._interval * 2, self.settings.t2)
            self._timers[timer] = at + self._interval
            return []
        if timer is Input.TIMER_H:
            return [TimedOut("H")]
        last = self.last_status
        if timer is Input.TIMER_L and not self.acked and last is not None and last < 300:
            return [TimedOut("2xx-no-ack")]
        return []


class ServerNonInviteTransaction(ServerTransaction):
    """Non-INVITE server transaction (§17.2.2)."""

    machine = "server non-INVITE transaction"

    def _table(self) -> dict[tuple[ServerState, Input], ServerState]:
        return SERVER_NON_INVITE_TRANSITIONS

    def respond(self, response: Response, now: float) -> None:
        event = _tu_input(response.status)
        self._step(event, strict=True)
        self._emit(response)
        if event is not Input.TU_PROVISIONAL:
            wait = 0.0 if self.destination.reliable else self.settings.timeout
            self._timers[Input.TIMER_J] = now + wait

    def receive(self, request: Request, now: float) -> list[TransactionEvent]:
        before = self.state
        if not self._step(Input.REQUEST, strict=False):
            return []
        if before is not ServerState.TRYING and self._last_wire is not None:
            self._send(self._last_wire)
        return []

    def _fire(self, timer: Input, at: float) -> list[TransactionEvent]:
        self._step(timer, strict=True)
        return []
